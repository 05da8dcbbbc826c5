//! Photos of issues: the bytes, and which issue and stage they belong to.

use chrono::{DateTime, Utc};
use domain::dialogue::PhotoStage;
use sqlx::Row;
use uuid::Uuid;

use super::{time_text, Conn};

pub async fn count(conn: &mut Conn, issue_id: Uuid, stage: PhotoStage) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM photos WHERE issue_id = ? AND stage = ?")
        .bind(issue_id.to_string())
        .bind(stage.code())
        .fetch_one(conn)
        .await
}

/// Stores a photo; `Ok(false)` when its id is taken.
#[allow(clippy::too_many_arguments)]
pub async fn insert(
    conn: &mut Conn,
    id: Uuid,
    issue_id: Uuid,
    stage: PhotoStage,
    content_type: &str,
    bytes: &[u8],
    uploaded_by: Uuid,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT OR IGNORE INTO photos (id, issue_id, stage, content_type, bytes, uploaded_by, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(id.to_string())
    .bind(issue_id.to_string())
    .bind(stage.code())
    .bind(content_type)
    .bind(bytes)
    .bind(uploaded_by.to_string())
    .bind(time_text(now))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A photo's bytes, type, and the community of its issue.
pub async fn get(
    conn: &mut Conn,
    id: Uuid,
) -> Result<Option<(Vec<u8>, String, String)>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT p.bytes, p.content_type, i.community_id FROM photos p JOIN issues i ON i.id = p.issue_id WHERE p.id = ?",
    )
    .bind(id.to_string())
    .fetch_optional(conn)
    .await?;
    row.map(|row| {
        Ok((
            row.try_get("bytes")?,
            row.try_get("content_type")?,
            row.try_get("community_id")?,
        ))
    })
    .transpose()
}

/// How many photos this person attached at or after `since`, up to `at_most` (for the daily
/// quota).
pub async fn uploaded_since(
    conn: &mut Conn,
    user_id: Uuid,
    since: DateTime<Utc>,
    at_most: u32,
) -> Result<i64, sqlx::Error> {
    // Counting stops at `at_most` (the quota), like `issues::raised_since`.
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM (SELECT 1 FROM photos WHERE uploaded_by = ? AND created_at >= ? LIMIT ?)",
    )
    .bind(user_id.to_string())
    .bind(time_text(since))
    .bind(i64::from(at_most))
    .fetch_one(conn)
    .await
}
