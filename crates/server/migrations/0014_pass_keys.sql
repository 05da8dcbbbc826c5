-- The Ed25519 keys that sign market passes (domain::market::pass). The newest unretired key
-- signs; older ones stay so the passes they signed verify until they expire, and their public
-- halves reach the volunteers' and guards' phones by pull. Generated at first start and by
-- `yiwantang-server rotate-pass-key`.
CREATE TABLE pass_keys (
    key_id     INTEGER PRIMARY KEY CHECK (key_id BETWEEN 1 AND 65535),
    secret     BLOB NOT NULL CHECK (length(secret) = 32),
    public     BLOB NOT NULL CHECK (length(public) = 32),
    created_at TEXT NOT NULL,
    -- Past this, the key neither signs nor verifies (a pass lives at most until its day ends).
    retired_at TEXT
);
