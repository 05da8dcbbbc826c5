-- Deleting an account (注销) was refused by the database for anyone who had booked the market,
-- served a booking or joined a waitlist: those columns named the person with no rule for the
-- person's deletion. The booking and the place in line stay the household's (the market's
-- counts and its ledger keep them); who made them becomes unknown. SQLite cannot change a
-- column's constraint, so both tables are rebuilt: the waitlist (which refers to bookings) is
-- set aside first, so dropping the old bookings table leaves nothing pointing at it.
CREATE TABLE waitlist_kept AS SELECT * FROM waitlist;
DROP TABLE waitlist;

CREATE TABLE bookings_rebuilt (
    id           TEXT PRIMARY KEY,
    slot_id      TEXT NOT NULL REFERENCES market_slots(id),
    service_id   TEXT NOT NULL REFERENCES market_services(id),
    community_id TEXT NOT NULL REFERENCES communities(id),
    household_id TEXT NOT NULL REFERENCES households(id),
    -- Who booked it: the resident, or staff for 代预约; NULL once that account is deleted.
    booked_by    TEXT REFERENCES users(id) ON DELETE SET NULL,
    -- The name on the pass before masking: the resident who booked, or for 代预约 the
    -- household as staff chose it.
    for_name     TEXT NOT NULL,
    on_behalf    INTEGER NOT NULL DEFAULT 0 CHECK (on_behalf IN (0, 1)),
    note         TEXT NOT NULL DEFAULT '',
    state        TEXT NOT NULL CHECK (state IN ('booked', 'cancelled', 'served', 'no_show')),
    -- The slot's day in Beijing time (the household limit counts per service and day).
    day          TEXT NOT NULL,
    -- The short code read aloud (domain::market::pass::short_code): unique per service and day.
    short_code   TEXT NOT NULL,
    -- The signed pass; cleared when the booking is cancelled.
    pass         TEXT,
    created_at   TEXT NOT NULL,
    cancelled_at TEXT,
    served_at    TEXT,
    served_by    TEXT REFERENCES users(id) ON DELETE SET NULL,
    -- Whether the volunteer's phone checked the pass with no network.
    served_offline INTEGER NOT NULL DEFAULT 0 CHECK (served_offline IN (0, 1)),
    version      INTEGER NOT NULL,
    cancel_reason TEXT NOT NULL DEFAULT '',
    address_day  TEXT NOT NULL DEFAULT ''
);
INSERT INTO bookings_rebuilt
    (id, slot_id, service_id, community_id, household_id, booked_by, for_name, on_behalf, note,
     state, day, short_code, pass, created_at, cancelled_at, served_at, served_by,
     served_offline, version, cancel_reason, address_day)
SELECT id, slot_id, service_id, community_id, household_id, booked_by, for_name, on_behalf, note,
       state, day, short_code, pass, created_at, cancelled_at, served_at, served_by,
       served_offline, version, cancel_reason, address_day
FROM bookings;
DROP TABLE bookings;
ALTER TABLE bookings_rebuilt RENAME TO bookings;
CREATE UNIQUE INDEX bookings_short_code ON bookings(service_id, day, short_code);
CREATE INDEX bookings_by_slot ON bookings(slot_id, state);
CREATE INDEX bookings_by_household ON bookings(household_id, service_id, day);
CREATE INDEX bookings_by_household_version ON bookings(household_id, version);
CREATE INDEX bookings_by_community_version ON bookings(community_id, version);
CREATE INDEX bookings_by_service_version ON bookings(service_id, version);

CREATE TABLE waitlist (
    id           TEXT PRIMARY KEY,
    slot_id      TEXT NOT NULL REFERENCES market_slots(id),
    service_id   TEXT NOT NULL REFERENCES market_services(id),
    community_id TEXT NOT NULL REFERENCES communities(id),
    household_id TEXT NOT NULL REFERENCES households(id),
    -- Who joined the line for the household; NULL once that account is deleted.
    user_id      TEXT REFERENCES users(id) ON DELETE SET NULL,
    for_name     TEXT NOT NULL,
    note         TEXT NOT NULL DEFAULT '',
    state        TEXT NOT NULL CHECK (state IN ('waiting', 'offered', 'lapsed', 'accepted', 'left')),
    joined_at    TEXT NOT NULL,
    offer_until  TEXT CHECK (state <> 'offered' OR offer_until IS NOT NULL),
    booking_id   TEXT REFERENCES bookings(id),
    version      INTEGER NOT NULL
);
INSERT INTO waitlist
    (id, slot_id, service_id, community_id, household_id, user_id, for_name, note, state,
     joined_at, offer_until, booking_id, version)
SELECT id, slot_id, service_id, community_id, household_id, user_id, for_name, note, state,
       joined_at, offer_until, booking_id, version
FROM waitlist_kept;
DROP TABLE waitlist_kept;
CREATE UNIQUE INDEX waitlist_once ON waitlist(slot_id, household_id)
    WHERE state IN ('waiting', 'offered');
CREATE INDEX waitlist_by_slot ON waitlist(slot_id, state);
CREATE INDEX waitlist_by_household_version ON waitlist(household_id, version);
CREATE INDEX waitlist_offers ON waitlist(offer_until) WHERE state = 'offered';
