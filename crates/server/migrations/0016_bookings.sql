-- Bookings of the 公益集市 and the 共享小屋 (domain::market::booking): a household's seat in a
-- slot, decided by the server inside its write transaction. market_slots.booked counts the
-- seats taken (booked, served or no-show) and its CHECK refuses an overbooking whatever the
-- code above it does.
CREATE TABLE bookings (
    id           TEXT PRIMARY KEY,
    slot_id      TEXT NOT NULL REFERENCES market_slots(id),
    service_id   TEXT NOT NULL REFERENCES market_services(id),
    community_id TEXT NOT NULL REFERENCES communities(id),
    household_id TEXT NOT NULL REFERENCES households(id),
    booked_by    TEXT NOT NULL REFERENCES users(id),
    -- The name on the pass before masking: the resident who booked, or for 代预约 the
    -- household as staff chose it.
    for_name     TEXT NOT NULL,
    on_behalf    INTEGER NOT NULL DEFAULT 0 CHECK (on_behalf IN (0, 1)),
    note         TEXT NOT NULL DEFAULT '',
    state        TEXT NOT NULL CHECK (state IN ('booked', 'cancelled', 'served', 'no_show')),
    -- The slot's day in Beijing time (the household limit counts per service and day).
    day          TEXT NOT NULL,
    -- The short code read aloud (domain::market::pass::short_code): unique per service and day,
    -- so a typed code names one booking.
    short_code   TEXT NOT NULL,
    -- The signed pass; cleared when the booking is cancelled.
    pass         TEXT,
    created_at   TEXT NOT NULL,
    cancelled_at TEXT,
    served_at    TEXT,
    served_by    TEXT REFERENCES users(id),
    -- Whether the volunteer's phone checked the pass with no network.
    served_offline INTEGER NOT NULL DEFAULT 0 CHECK (served_offline IN (0, 1)),
    version      INTEGER NOT NULL
);
CREATE UNIQUE INDEX bookings_short_code ON bookings(service_id, day, short_code);
CREATE INDEX bookings_by_slot ON bookings(slot_id, state);
CREATE INDEX bookings_by_household ON bookings(household_id, service_id, day);
CREATE INDEX bookings_by_household_version ON bookings(household_id, version);
CREATE INDEX bookings_by_community_version ON bookings(community_id, version);
CREATE INDEX bookings_by_service_version ON bookings(service_id, version);

-- Pass keys reach phones by pull: a new key, or a key retired, is a change.
ALTER TABLE pass_keys ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
-- Keys made before this migration become one new change, so every phone pulls them.
UPDATE server_version SET version = version + 1 WHERE id = 1;
UPDATE pass_keys SET version = (SELECT version FROM server_version WHERE id = 1);
CREATE INDEX pass_keys_by_version ON pass_keys(version);

-- A `full` refusal keeps the free slots it offered, so a retried push answers the same.
ALTER TABLE mutation_results ADD COLUMN alternatives TEXT NOT NULL DEFAULT '[]';
