-- Photos of issues, answers and rectifications: at most three per issue and stage, already
-- resized and compressed on the phone (≤ 300 KB). Served only to those who may see the issue.
CREATE TABLE photos (
    id           TEXT PRIMARY KEY,
    issue_id     TEXT NOT NULL REFERENCES issues(id) ON DELETE CASCADE,
    stage        TEXT NOT NULL,
    content_type TEXT NOT NULL,
    bytes        BLOB NOT NULL,
    uploaded_by  TEXT REFERENCES users(id) ON DELETE SET NULL,
    created_at   TEXT NOT NULL
);
CREATE INDEX photos_by_issue ON photos(issue_id);
