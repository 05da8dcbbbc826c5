-- 孝心车位 (domain::parking): a community's pool of visitor spots and the visits that hold
-- them. Interval capacity is decided by the writer inside its transaction (domain::parking::
-- capacity), one push group at a time.
CREATE TABLE parking_pools (
    -- The pool's own id: the `service` its passes name.
    id           TEXT PRIMARY KEY,
    community_id TEXT NOT NULL UNIQUE REFERENCES communities(id),
    spots        INTEGER NOT NULL CHECK (spots > 0),
    max_hours    INTEGER NOT NULL CHECK (max_hours BETWEEN 1 AND 12),
    opens        TEXT,
    closes       TEXT,
    days_ahead   INTEGER NOT NULL,
    per_week     INTEGER NOT NULL,
    at_once      INTEGER NOT NULL,
    keep_days    INTEGER NOT NULL,
    version      INTEGER NOT NULL
);
CREATE INDEX parking_pools_by_community_version ON parking_pools(community_id, version);

CREATE TABLE visits (
    id           TEXT PRIMARY KEY,
    pool_id      TEXT NOT NULL REFERENCES parking_pools(id),
    community_id TEXT NOT NULL REFERENCES communities(id),
    household_id TEXT NOT NULL REFERENCES households(id),
    -- Who registered it (the resident, staff, or the guard for a walk-up); NULL once that
    -- account is deleted (the visit stays the household's).
    registered_by TEXT REFERENCES users(id) ON DELETE SET NULL,
    -- The plate in full (苏K12345): NULL once deleted, keep_days after the visit.
    plate        TEXT,
    plate_masked TEXT NOT NULL,
    unusual      INTEGER NOT NULL DEFAULT 0 CHECK (unusual IN (0, 1)),
    arrives_at   TEXT NOT NULL,
    leaves_by    TEXT NOT NULL,
    status       TEXT NOT NULL
                 CHECK (status IN ('awaiting', 'booked', 'inside', 'left', 'cancelled')),
    relation     TEXT NOT NULL DEFAULT '',
    note         TEXT NOT NULL DEFAULT '',
    walk_up      INTEGER NOT NULL DEFAULT 0 CHECK (walk_up IN (0, 1)),
    -- Staff allowed it beyond the household's limits (who: registered_by).
    over_limit   INTEGER NOT NULL DEFAULT 0 CHECK (over_limit IN (0, 1)),
    entered_at   TEXT,
    entered_offline INTEGER NOT NULL DEFAULT 0,
    left_at      TEXT,
    -- When the minute task first saw the car past its window (it counts against the limit).
    overstayed_at TEXT,
    short_code   TEXT NOT NULL,
    pass         TEXT,
    created_at   TEXT NOT NULL,
    -- When its plate, relation and note were deleted (the row stays for the ledger's counts).
    purged_at    TEXT,
    version      INTEGER NOT NULL
);
CREATE INDEX visits_by_pool_window ON visits(pool_id, status, leaves_by);
CREATE INDEX visits_by_household ON visits(household_id, arrives_at);
CREATE INDEX visits_by_household_version ON visits(household_id, version);
CREATE INDEX visits_by_community_version ON visits(community_id, version);
CREATE INDEX visits_to_purge ON visits(purged_at, leaves_by);
CREATE UNIQUE INDEX visits_short_code ON visits(pool_id, short_code);

-- A `full` visit refusal keeps the free windows it offered, so a retried push answers the same.
ALTER TABLE mutation_results ADD COLUMN windows TEXT NOT NULL DEFAULT '[]';
