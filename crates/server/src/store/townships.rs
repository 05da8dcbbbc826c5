//! Real townships and their one-time setup codes (stored as hashes).

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::{parse_time, time_text, Conn};

/// Whether the database holds a real township (one made by `new-township`).
pub async fn holds_real_township(conn: &mut Conn) -> Result<bool, sqlx::Error> {
    let found: Option<i64> = sqlx::query_scalar("SELECT 1 FROM real_townships LIMIT 1")
        .fetch_optional(conn)
        .await?;
    Ok(found.is_some())
}

/// Whether this township was made by `new-township` (not the demo's).
pub async fn is_real(conn: &mut Conn, id: &str) -> Result<bool, sqlx::Error> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM real_townships WHERE township_id = ?")
            .bind(id)
            .fetch_optional(conn)
            .await?;
    Ok(found.is_some())
}

pub async fn exists(conn: &mut Conn, id: &str) -> Result<bool, sqlx::Error> {
    let found: Option<i64> = sqlx::query_scalar("SELECT 1 FROM townships WHERE id = ?")
        .bind(id)
        .fetch_optional(conn)
        .await?;
    Ok(found.is_some())
}

/// Creates a real township.
pub async fn insert_real(
    conn: &mut Conn,
    id: &str,
    name: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO townships (id, name) VALUES (?, ?)")
        .bind(id)
        .bind(name)
        .execute(&mut *conn)
        .await?;
    sqlx::query("INSERT INTO real_townships (township_id, created_at) VALUES (?, ?)")
        .bind(id)
        .bind(time_text(now))
        .execute(conn)
        .await?;
    Ok(())
}

/// How many people hold the township staff role there.
pub async fn staff_count(conn: &mut Conn, township_id: &str) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM memberships m JOIN users u ON u.id = m.user_id
         WHERE m.township_id = ? AND m.role = 'township_staff' AND u.deactivated_at IS NULL",
    )
    .bind(township_id)
    .fetch_one(conn)
    .await
}

/// Stores a new setup code's hash; every earlier unused code of the township stops working.
pub async fn replace_setup_code(
    conn: &mut Conn,
    township_id: &str,
    code_hash: &str,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM setup_codes WHERE township_id = ? AND used_at IS NULL")
        .bind(township_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO setup_codes (code_hash, township_id, created_at, expires_at)
         VALUES (?, ?, ?, ?)",
    )
    .bind(code_hash)
    .bind(township_id)
    .bind(time_text(now))
    .bind(time_text(expires_at))
    .execute(conn)
    .await?;
    Ok(())
}

/// The setup code with this hash: its township, whether it was used, when it expires.
pub async fn setup_code(
    conn: &mut Conn,
    code_hash: &str,
) -> Result<Option<(String, bool, DateTime<Utc>)>, sqlx::Error> {
    let row =
        sqlx::query("SELECT township_id, used_at, expires_at FROM setup_codes WHERE code_hash = ?")
            .bind(code_hash)
            .fetch_optional(conn)
            .await?;
    row.map(|row| {
        let used: Option<String> = row.try_get("used_at")?;
        Ok((
            row.try_get("township_id")?,
            used.is_some(),
            parse_time(row.try_get("expires_at")?),
        ))
    })
    .transpose()
}

/// Marks the code used; false if it was used meanwhile.
pub async fn use_setup_code(
    conn: &mut Conn,
    code_hash: &str,
    user_id: uuid::Uuid,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE setup_codes SET used_at = ?, used_by = ? WHERE code_hash = ? AND used_at IS NULL",
    )
    .bind(time_text(now))
    .bind(user_id.to_string())
    .bind(code_hash)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
