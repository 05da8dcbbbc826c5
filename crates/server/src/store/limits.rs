//! Failed attempts per key (a phone number, an address): after `MAX_FAILURES` within the
//! window the key is locked for `LOCK_MINUTES`, and the person is told how long to wait.

use chrono::{DateTime, Duration, Utc};
use sqlx::Row;

use super::{parse_time, time_text, Conn};

pub const MAX_FAILURES: i64 = 5;
pub const LOCK_MINUTES: i64 = 15;

/// When the key is locked until, if it is locked at `now`.
pub async fn locked_until(
    conn: &mut Conn,
    key: &str,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    let until: Option<Option<String>> =
        sqlx::query_scalar("SELECT locked_until FROM attempt_limits WHERE key = ?")
            .bind(key)
            .fetch_optional(conn)
            .await?;
    Ok(until
        .flatten()
        .map(|t| parse_time(&t))
        .filter(|until| *until > now))
}

/// Counts a failure; locks the key when the failures within the window reach the limit.
pub async fn record_failure(
    conn: &mut Conn,
    key: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let window = Duration::minutes(LOCK_MINUTES);
    let row = sqlx::query("SELECT failures, first_at FROM attempt_limits WHERE key = ?")
        .bind(key)
        .fetch_optional(&mut *conn)
        .await?;
    let (failures, first_at) = match row {
        Some(row) => {
            let first_at = parse_time(row.try_get("first_at")?);
            let failures: i64 = row.try_get("failures")?;
            if now - first_at > window {
                (1, now)
            } else {
                (failures + 1, first_at)
            }
        }
        None => (1, now),
    };
    let locked_until = (failures >= MAX_FAILURES).then(|| time_text(now + window));
    sqlx::query(
        "INSERT INTO attempt_limits (key, failures, first_at, locked_until) VALUES (?, ?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, first_at = excluded.first_at,
                                         locked_until = excluded.locked_until",
    )
    .bind(key)
    .bind(if locked_until.is_some() { 0 } else { failures })
    .bind(time_text(first_at))
    .bind(locked_until)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn clear(conn: &mut Conn, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM attempt_limits WHERE key = ?")
        .bind(key)
        .execute(conn)
        .await?;
    Ok(())
}
