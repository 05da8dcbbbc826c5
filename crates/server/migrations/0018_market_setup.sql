-- Staff set up the market (update_market_slot, cancel_market_day): a booking cancelled because
-- its day was called off carries the reason, which the household's phone shows.
ALTER TABLE bookings ADD COLUMN cancel_reason TEXT NOT NULL DEFAULT '';
