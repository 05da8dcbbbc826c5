//! Failed attempts per key (a phone number, an address): after `MAX_FAILURES` within the
//! window the key is locked for `LOCK_MINUTES`, and the person is told how long to wait.
//!
//! An attempt is reserved before the secret is checked (`reserve`, one atomic statement that
//! commits on its own) and refunded when it succeeds, so a parallel burst gets no more tries
//! than a patient guesser.

use chrono::{DateTime, Duration, Utc};
use sqlx::Row;

use super::{parse_time, time_text, Conn};

pub const MAX_FAILURES: i64 = 5;
/// Failed sign-ins allowed per address within the window: many people share an address (a
/// household's router, a carrier's NAT), so this limit is soft; the per-phone one is hard.
pub const ADDR_MAX_FAILURES: i64 = 50;
pub const LOCK_MINUTES: i64 = 15;

/// Reserves an attempt against the key, allowing `max` within the window: counts it as a
/// failure now, and locks the key when this is the `max`-th. `Ok(None)` when reserved,
/// `Ok(Some(until))` when the key is locked and the attempt refused.
pub async fn reserve(
    conn: &mut Conn,
    key: &str,
    max: i64,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    let window = Duration::minutes(LOCK_MINUTES);
    // In an upsert's SET and WHERE the bare column names are the row as it was.
    let reserved: Option<i64> = sqlx::query_scalar(
        "INSERT INTO attempt_limits (key, failures, first_at, locked_until)
         VALUES (?1, 1, ?2, CASE WHEN 1 >= ?4 THEN ?5 END)
         ON CONFLICT (key) DO UPDATE SET
           failures = CASE WHEN locked_until IS NOT NULL OR first_at < ?3 THEN 1
                           ELSE failures + 1 END,
           locked_until = CASE WHEN locked_until IS NOT NULL OR first_at < ?3
                                 THEN (CASE WHEN 1 >= ?4 THEN ?5 END)
                               WHEN failures + 1 >= ?4 THEN ?5
                               ELSE NULL END,
           first_at = CASE WHEN locked_until IS NOT NULL OR first_at < ?3 THEN ?2
                           ELSE first_at END
         WHERE locked_until IS NULL OR locked_until <= ?2
         RETURNING failures",
    )
    .bind(key)
    .bind(time_text(now))
    .bind(time_text(now - window))
    .bind(max)
    .bind(time_text(now + window))
    .fetch_optional(&mut *conn)
    .await?;
    if reserved.is_some() {
        return Ok(None);
    }
    Ok(Some(
        locked_until(conn, key, now)
            .await?
            .unwrap_or(now + Duration::minutes(1)),
    ))
}

/// Gives back a reserved attempt that succeeded (lifting a lock it set).
pub async fn refund(conn: &mut Conn, key: &str, max: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE attempt_limits SET failures = max(failures - 1, 0),
                locked_until = CASE WHEN failures - 1 >= ? THEN locked_until END
         WHERE key = ?",
    )
    .bind(max)
    .bind(key)
    .execute(conn)
    .await?;
    Ok(())
}

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
