-- Staff set up services from the work app (create_market_service, add_market_day): a service
-- keeps how its days are cut into slots — its hours (slot_minutes and per_volunteer were
-- already here) — whether it is walk-in only (共享阅览: hours shown, no booking), and its
-- monthly rule (the 9th of every month; NULL: one-off days only). The minute task opens the
-- rule's next days from these.
ALTER TABLE market_services ADD COLUMN walk_in INTEGER NOT NULL DEFAULT 0 CHECK (walk_in IN (0, 1));
ALTER TABLE market_services ADD COLUMN opens TEXT NOT NULL DEFAULT '08:30';
ALTER TABLE market_services ADD COLUMN closes TEXT NOT NULL DEFAULT '11:30';
ALTER TABLE market_services ADD COLUMN monthly_day INTEGER CHECK (monthly_day BETWEEN 1 AND 31);
CREATE INDEX market_services_with_rule ON market_services(monthly_day) WHERE monthly_day IS NOT NULL;
