-- Accounts: households, invitations and reset codes, consent records, sign-in throttling,
-- the reason a session ended, and staff acting for a household.

CREATE TABLE households (
    id           TEXT PRIMARY KEY,
    community_id TEXT NOT NULL REFERENCES communities(id),
    point        TEXT,
    building     TEXT NOT NULL,
    unit         TEXT,
    -- The room number is personal data: only staff of the community receive it.
    room         TEXT,
    created_at   TEXT NOT NULL,
    version      INTEGER NOT NULL
);
CREATE INDEX households_by_community_version ON households(community_id, version);

ALTER TABLE memberships ADD COLUMN household_id TEXT REFERENCES households(id);

-- Bumped whenever what staff see of a person changes (joining, roles, deactivation).
ALTER TABLE users ADD COLUMN version INTEGER NOT NULL DEFAULT 0;

-- Single-use codes: `join` (an invitation with a role, and a household for residents) and
-- `reset` (a new password for one person). Valid for seven days from when the server got them.
CREATE TABLE invitations (
    id           TEXT PRIMARY KEY,
    kind         TEXT NOT NULL,
    code         TEXT NOT NULL UNIQUE,
    community_id TEXT NOT NULL REFERENCES communities(id),
    role         TEXT,
    household_id TEXT REFERENCES households(id),
    person_id    TEXT REFERENCES users(id) ON DELETE CASCADE,
    created_by   TEXT REFERENCES users(id) ON DELETE SET NULL,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    used_at      TEXT,
    used_by      TEXT REFERENCES users(id) ON DELETE SET NULL,
    version      INTEGER NOT NULL
);
CREATE INDEX invitations_by_community_version ON invitations(community_id, version);

-- Which version of the privacy notice a person agreed to, and when (PIPL Art. 14, 17).
CREATE TABLE consents (
    user_id   TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    version   TEXT NOT NULL,
    agreed_at TEXT NOT NULL,
    PRIMARY KEY (user_id, version)
);

-- Failed attempts by key (`phone:…`, `addr:…`): five within the window lock the key.
CREATE TABLE attempt_limits (
    key          TEXT PRIMARY KEY,
    failures     INTEGER NOT NULL,
    first_at     TEXT NOT NULL,
    locked_until TEXT
);

-- Why a session ended before it expired: `deactivated`, `ended` (from another device),
-- `password_reset`. The phone is told the reason.
ALTER TABLE sessions ADD COLUMN ended_reason TEXT;

ALTER TABLE issues ADD COLUMN on_behalf_household TEXT REFERENCES households(id);
