-- The door-to-door address reaches the assigned volunteer on the booking's day only
-- (policy::volunteer_sees_address). A booking's row changes (a new version) when its day
-- begins and again after it, so the volunteer's phone receives the address that morning and
-- loses it the day after: `address_day` records which of the two the current version shows.
ALTER TABLE bookings ADD COLUMN address_day TEXT NOT NULL DEFAULT '';
