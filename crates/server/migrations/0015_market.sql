-- 公益集市 and 共享小屋 (domain::market): services given in capacity-limited slots on set days,
-- one slot engine for both venues. Bookings, the waitlist and service records come with the
-- booking mutations.
CREATE TABLE market_services (
    id           TEXT PRIMARY KEY,
    community_id TEXT NOT NULL REFERENCES communities(id),
    -- 'market' (公益集市) or 'shared_house' (共享小屋)
    venue        TEXT NOT NULL CHECK (venue IN ('market', 'shared_house')),
    name         TEXT NOT NULL,
    -- 'at_place' (定点服务, timed slots) or 'at_home' (上门服务, half-day windows)
    mode         TEXT NOT NULL CHECK (mode IN ('at_place', 'at_home')),
    place        TEXT NOT NULL DEFAULT '',
    -- A timed slot's length in minutes (0 for door-to-door windows).
    slot_minutes INTEGER NOT NULL,
    -- People one volunteer on duty serves in a slot or window.
    per_volunteer INTEGER NOT NULL DEFAULT 1,
    version      INTEGER NOT NULL
);
CREATE INDEX market_services_by_version ON market_services(community_id, version);

-- The volunteers who give a service (they scan its passes).
CREATE TABLE market_service_volunteers (
    service_id TEXT NOT NULL REFERENCES market_services(id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (service_id, user_id)
);

CREATE TABLE market_slots (
    id           TEXT PRIMARY KEY,
    service_id   TEXT NOT NULL REFERENCES market_services(id),
    community_id TEXT NOT NULL REFERENCES communities(id),
    starts_at    TEXT NOT NULL,
    ends_at      TEXT NOT NULL CHECK (ends_at > starts_at),
    capacity     INTEGER NOT NULL CHECK (capacity BETWEEN 0 AND 200),
    -- Confirmed bookings: never more than the seats, whatever the code above it does.
    booked       INTEGER NOT NULL DEFAULT 0 CHECK (booked >= 0 AND booked <= capacity),
    closed       INTEGER NOT NULL DEFAULT 0 CHECK (closed IN (0, 1)),
    version      INTEGER NOT NULL
);
CREATE INDEX market_slots_by_version ON market_slots(community_id, version);
CREATE INDEX market_slots_by_service ON market_slots(service_id, starts_at);
