-- A real township starts with `yiwantang-server new-township`: it stores the hash of a
-- one-time setup code, and whoever redeems it becomes the township's first township staff
-- (choosing their own password). Only the hash is kept: a copy of the database opens nothing.
CREATE TABLE setup_codes (
    code_hash   TEXT PRIMARY KEY,
    township_id TEXT NOT NULL REFERENCES townships(id),
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT,
    used_by     TEXT REFERENCES users(id) ON DELETE SET NULL
);

-- Real townships (made by new-township): `--demo` refuses to load into a database that
-- holds one.
CREATE TABLE real_townships (
    township_id TEXT PRIMARY KEY REFERENCES townships(id),
    created_at  TEXT NOT NULL
);

-- Township staff follow the invitations they made in communities they do not staff.
CREATE INDEX invitations_by_creator ON invitations(created_by, version);
