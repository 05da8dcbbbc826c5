-- Communities travel to phones (their scoring rules) like any other row: a version that
-- changes when staff change the rules. 1 so that a first pull (cursor 0) receives them all;
-- a phone that synced before this migration keeps the defaults, which are these values.
ALTER TABLE communities ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
