-- Invitation and reset codes are kept only as the SHA-256 of their normalised text (the
-- codes are random, 50 bits, and single use, so a plain hash is enough). The column is
-- renamed; codes stored in plain text before this migration are hashed when the server
-- starts (store::invitations::hash_plain_codes), as SQLite has no SHA-256 of its own.
ALTER TABLE invitations RENAME COLUMN code TO code_hash;
