//! Sessions: a random token in an HttpOnly cookie, stored here only as its SHA-256 hash.

use chrono::{DateTime, Duration, Utc};
use sqlx::Row;
use uuid::Uuid;

use super::{parse_time, time_text, uuid_col, Conn};

#[derive(Clone, Debug)]
pub struct SessionRow {
    pub user_id: Uuid,
    /// Set when the session was ended early (`deactivated`, `ended`, `password_reset`).
    pub ended_reason: Option<String>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

pub async fn insert(
    conn: &mut Conn,
    token_hash: &str,
    user_id: Uuid,
    now: DateTime<Utc>,
    lifetime: Duration,
    user_agent: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at, user_agent)
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(token_hash)
    .bind(user_id.to_string())
    .bind(time_text(now))
    .bind(time_text(now))
    .bind(time_text(now + lifetime))
    .bind(user_agent)
    .execute(conn)
    .await?;
    Ok(())
}

/// The session with this token hash, if it exists, has not expired by `now` and is younger
/// than `max_age` (the absolute lifetime: using a session slides its expiry, never past this).
pub async fn find_live(
    conn: &mut Conn,
    token_hash: &str,
    now: DateTime<Utc>,
    max_age: Duration,
) -> Result<Option<SessionRow>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT user_id, last_seen_at, expires_at, ended_reason FROM sessions
         WHERE token_hash = ? AND expires_at > ? AND created_at > ?",
    )
    .bind(token_hash)
    .bind(time_text(now))
    .bind(time_text(now - max_age))
    .fetch_optional(conn)
    .await?;
    row.map(|row| {
        Ok(SessionRow {
            user_id: uuid_col(&row, "user_id")?,
            ended_reason: row.try_get("ended_reason")?,
            last_seen_at: parse_time(row.try_get("last_seen_at")?),
            expires_at: parse_time(row.try_get("expires_at")?),
        })
    })
    .transpose()
}

/// Slides the expiry: a session used today lasts `lifetime` from today.
pub async fn touch(
    conn: &mut Conn,
    token_hash: &str,
    now: DateTime<Utc>,
    lifetime: Duration,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE sessions SET last_seen_at = ?, expires_at = ? WHERE token_hash = ?")
        .bind(time_text(now))
        .bind(time_text(now + lifetime))
        .bind(token_hash)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn delete(conn: &mut Conn, token_hash: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = ?")
        .bind(token_hash)
        .execute(conn)
        .await?;
    Ok(())
}

/// A session as its owner sees it under 登录设备.
#[derive(Clone, Debug)]
pub struct SessionListing {
    pub token_hash: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub user_agent: Option<String>,
}

/// The person's live sessions (younger than `max_age`), most recently used first.
pub async fn list_live(
    conn: &mut Conn,
    user_id: Uuid,
    now: DateTime<Utc>,
    max_age: Duration,
) -> Result<Vec<SessionListing>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT token_hash, created_at, last_seen_at, user_agent FROM sessions
         WHERE user_id = ? AND expires_at > ? AND created_at > ? AND ended_reason IS NULL
         ORDER BY last_seen_at DESC",
    )
    .bind(user_id.to_string())
    .bind(time_text(now))
    .bind(time_text(now - max_age))
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(SessionListing {
                token_hash: row.try_get("token_hash")?,
                created_at: parse_time(row.try_get("created_at")?),
                last_seen_at: parse_time(row.try_get("last_seen_at")?),
                user_agent: row.try_get("user_agent")?,
            })
        })
        .collect()
}

/// Ends one of the person's sessions, keeping the reason; `Ok(false)` if there is none.
pub async fn end(
    conn: &mut Conn,
    user_id: Uuid,
    token_hash: &str,
    reason: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE sessions SET ended_reason = ? WHERE user_id = ? AND token_hash = ? AND ended_reason IS NULL",
    )
    .bind(reason)
    .bind(user_id.to_string())
    .bind(token_hash)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Ends every session of the person, keeping the reason.
pub async fn end_all(conn: &mut Conn, user_id: Uuid, reason: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE sessions SET ended_reason = ? WHERE user_id = ? AND ended_reason IS NULL")
        .bind(reason)
        .bind(user_id.to_string())
        .execute(conn)
        .await?;
    Ok(())
}
