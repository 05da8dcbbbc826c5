-- The first schema: places, people, sessions, the sync bookkeeping and dialogue issues.
-- Times are RFC 3339 text in UTC. Ids of places are slugs; ids of everything else are UUIDs.

CREATE TABLE townships (
    id   TEXT PRIMARY KEY,
    name TEXT NOT NULL
);

CREATE TABLE communities (
    id          TEXT PRIMARY KEY,
    township_id TEXT NOT NULL REFERENCES townships(id),
    name        TEXT NOT NULL
);

CREATE TABLE users (
    id             TEXT PRIMARY KEY,
    phone          TEXT NOT NULL UNIQUE,
    display_name   TEXT NOT NULL,
    password_hash  TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    deactivated_at TEXT
);

-- What a person does where. Township staff hold their role for the whole township
-- (community_id NULL); everyone else for one community.
CREATE TABLE memberships (
    user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role         TEXT NOT NULL,
    township_id  TEXT NOT NULL REFERENCES townships(id),
    community_id TEXT REFERENCES communities(id),
    UNIQUE (user_id, role, township_id, community_id)
);
CREATE INDEX memberships_by_user ON memberships(user_id);

-- Only a hash of the session token is stored: a copy of the database opens no session.
CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    user_agent   TEXT
);
CREATE INDEX sessions_by_user ON sessions(user_id);

-- The server version: one counter that every change increases. Pull cursors are versions.
CREATE TABLE server_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
INSERT INTO server_version (id, version) VALUES (1, 0);

-- One row per installation of the app: whose it is and the last seq processed.
CREATE TABLE clients (
    client_id    TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    last_seq     INTEGER NOT NULL DEFAULT 0,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL
);

-- The outcome of every processed mutation, kept so a replay gets the same answer and a
-- pull can deliver a result whose push response was lost.
CREATE TABLE mutation_results (
    client_id    TEXT NOT NULL REFERENCES clients(client_id) ON DELETE CASCADE,
    seq          INTEGER NOT NULL,
    mutation_id  TEXT NOT NULL UNIQUE,
    name         TEXT NOT NULL,
    status       TEXT NOT NULL,
    code         TEXT,
    message      TEXT,
    fields       TEXT NOT NULL DEFAULT '[]',
    device_time  TEXT NOT NULL,
    processed_at TEXT NOT NULL,
    version      INTEGER NOT NULL,
    PRIMARY KEY (client_id, seq)
);
CREATE INDEX mutation_results_by_version ON mutation_results(client_id, version);

CREATE TABLE issues (
    id           TEXT PRIMARY KEY,
    community_id TEXT NOT NULL REFERENCES communities(id),
    raised_by    TEXT REFERENCES users(id) ON DELETE SET NULL,
    title        TEXT NOT NULL,
    description  TEXT NOT NULL,
    category     TEXT NOT NULL,
    place        TEXT,
    status       TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    version      INTEGER NOT NULL
);
CREATE INDEX issues_by_community_version ON issues(community_id, version);

-- Rows that were removed, so pulls can tell phones to forget them.
CREATE TABLE tombstones (
    entity       TEXT NOT NULL,
    id           TEXT NOT NULL,
    community_id TEXT NOT NULL,
    version      INTEGER NOT NULL,
    PRIMARY KEY (entity, id)
);
CREATE INDEX tombstones_by_community_version ON tombstones(community_id, version);
