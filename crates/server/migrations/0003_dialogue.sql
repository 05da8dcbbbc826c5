-- The 双月对话 loop: what happens to an issue after it is raised, who joined it, the
-- rectification rounds and their scores, escalation to the township, and dialogue sessions
-- with their minutes. The ledger (台账) is computed from these records, never from counters.

ALTER TABLE issues ADD COLUMN accepted_at TEXT;
ALTER TABLE issues ADD COLUMN dialogue_id TEXT;
ALTER TABLE issues ADD COLUMN merged_into TEXT;
ALTER TABLE issues ADD COLUMN decline_reason TEXT;
ALTER TABLE issues ADD COLUMN reply TEXT;
ALTER TABLE issues ADD COLUMN plan TEXT;
ALTER TABLE issues ADD COLUMN promised_by TEXT;
ALTER TABLE issues ADD COLUMN answered_at TEXT;
ALTER TABLE issues ADD COLUMN round INTEGER NOT NULL DEFAULT 0;
ALTER TABLE issues ADD COLUMN closed_at TEXT;
ALTER TABLE issues ADD COLUMN escalated_at TEXT;
ALTER TABLE issues ADD COLUMN escalation_note TEXT;
ALTER TABLE issues ADD COLUMN township_answer TEXT;
ALTER TABLE issues ADD COLUMN township_deadline TEXT;
ALTER TABLE issues ADD COLUMN township_answered_at TEXT;

-- 我也遇到: residents who joined an issue (and may score it).
CREATE TABLE issue_joins (
    issue_id  TEXT NOT NULL REFERENCES issues(id) ON DELETE CASCADE,
    user_id   TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    joined_at TEXT NOT NULL,
    PRIMARY KEY (issue_id, user_id)
);

-- Each report of a finished rectification opens a scoring round.
CREATE TABLE rounds (
    issue_id    TEXT NOT NULL REFERENCES issues(id) ON DELETE CASCADE,
    round       INTEGER NOT NULL,
    report      TEXT NOT NULL,
    reported_at TEXT NOT NULL,
    closes_at   TEXT NOT NULL,
    -- NULL while open; `closed` or `reopened` once decided.
    outcome     TEXT,
    average     REAL,
    decided_at  TEXT,
    PRIMARY KEY (issue_id, round)
);

CREATE TABLE scores (
    issue_id  TEXT NOT NULL REFERENCES issues(id) ON DELETE CASCADE,
    round     INTEGER NOT NULL,
    -- NULL once the person deleted their account: the score still counts, anonymously.
    user_id   TEXT REFERENCES users(id) ON DELETE SET NULL,
    value     INTEGER NOT NULL CHECK (value BETWEEN 1 AND 5),
    comment   TEXT NOT NULL DEFAULT '',
    scored_at TEXT NOT NULL,
    UNIQUE (issue_id, round, user_id)
);

CREATE TABLE dialogues (
    id           TEXT PRIMARY KEY,
    community_id TEXT NOT NULL REFERENCES communities(id),
    held_on      TEXT NOT NULL,
    place        TEXT NOT NULL,
    attendees    TEXT NOT NULL DEFAULT '',
    created_by   TEXT REFERENCES users(id) ON DELETE SET NULL,
    created_at   TEXT NOT NULL,
    version      INTEGER NOT NULL
);
CREATE INDEX dialogues_by_community_version ON dialogues(community_id, version);

-- Minutes: per issue of the agenda (issue_id set) or general (issue_id '').
CREATE TABLE dialogue_notes (
    dialogue_id TEXT NOT NULL REFERENCES dialogues(id) ON DELETE CASCADE,
    issue_id    TEXT NOT NULL DEFAULT '',
    notes       TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (dialogue_id, issue_id)
);

-- Per community: the pass mark for scores and the scoring window.
ALTER TABLE communities ADD COLUMN pass_average REAL NOT NULL DEFAULT 3.0;
ALTER TABLE communities ADD COLUMN scoring_window_days INTEGER NOT NULL DEFAULT 14;
