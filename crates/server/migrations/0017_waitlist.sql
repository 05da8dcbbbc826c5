-- The waitlist of a full slot (候补, domain::market::waitlist): a freed seat is offered to the
-- household waiting longest and held for it until `offer_until`; accepted, it becomes a
-- booking; unanswered, it lapses and moves on (the server's minute task).
CREATE TABLE waitlist (
    id           TEXT PRIMARY KEY,
    slot_id      TEXT NOT NULL REFERENCES market_slots(id),
    service_id   TEXT NOT NULL REFERENCES market_services(id),
    community_id TEXT NOT NULL REFERENCES communities(id),
    household_id TEXT NOT NULL REFERENCES households(id),
    user_id      TEXT NOT NULL REFERENCES users(id),
    for_name     TEXT NOT NULL,
    note         TEXT NOT NULL DEFAULT '',
    state        TEXT NOT NULL CHECK (state IN ('waiting', 'offered', 'lapsed', 'accepted', 'left')),
    joined_at    TEXT NOT NULL,
    offer_until  TEXT CHECK (state <> 'offered' OR offer_until IS NOT NULL),
    booking_id   TEXT REFERENCES bookings(id),
    version      INTEGER NOT NULL
);
-- A household waits at most once for a slot.
CREATE UNIQUE INDEX waitlist_once ON waitlist(slot_id, household_id)
    WHERE state IN ('waiting', 'offered');
CREATE INDEX waitlist_by_slot ON waitlist(slot_id, state);
CREATE INDEX waitlist_by_household_version ON waitlist(household_id, version);
CREATE INDEX waitlist_offers ON waitlist(offer_until) WHERE state = 'offered';

-- Seats held for live offers, kept with the slot so every phone shows them as taken.
ALTER TABLE market_slots ADD COLUMN held INTEGER NOT NULL DEFAULT 0 CHECK (held >= 0);
