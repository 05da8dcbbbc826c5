-- When a person's scope last widened (a role or a community added): a pull whose cursor is
-- older starts again from nothing, so the rows now visible to them arrive.
ALTER TABLE users ADD COLUMN scope_version INTEGER NOT NULL DEFAULT 0;
