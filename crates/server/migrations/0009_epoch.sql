-- Which copy of the data this is. A restore from a backup writes a new one, so phones whose
-- cursor came from another copy start again from nothing instead of trusting it.
CREATE TABLE server_epoch (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    epoch TEXT NOT NULL
);
INSERT INTO server_epoch (id, epoch) VALUES (1, lower(hex(randomblob(8))));
