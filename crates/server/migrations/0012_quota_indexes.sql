-- Per-person daily quotas count what one person added in the last day: issues they raised
-- and photos they attached.
CREATE INDEX IF NOT EXISTS issues_by_raiser ON issues(raised_by, created_at);
CREATE INDEX IF NOT EXISTS photos_by_uploader ON photos(uploaded_by, created_at);
