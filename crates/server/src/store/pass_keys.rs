//! The keys that sign market passes: the newest signs, every unretired one verifies.

use chrono::{DateTime, Utc};
use domain::market::pass::PassKey;
use ed25519_dalek::SigningKey;
use sqlx::Row;

use super::{time_text, Conn};

/// The signing key: the newest that is not retired.
pub async fn current(conn: &mut Conn) -> Result<Option<(u16, SigningKey)>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT key_id, secret FROM pass_keys WHERE retired_at IS NULL
         ORDER BY key_id DESC LIMIT 1",
    )
    .fetch_optional(conn)
    .await?;
    row.map(|row| {
        let key_id: i64 = row.try_get("key_id")?;
        let secret: Vec<u8> = row.try_get("secret")?;
        let secret: [u8; 32] = secret
            .try_into()
            .map_err(|_| sqlx::Error::Decode("a pass key of 32 bytes".into()))?;
        Ok((key_id as u16, SigningKey::from_bytes(&secret)))
    })
    .transpose()
}

/// The public halves of every unretired key, for the phones that check passes.
pub async fn public_keys(conn: &mut Conn) -> Result<Vec<PassKey>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT key_id, public FROM pass_keys WHERE retired_at IS NULL ORDER BY key_id",
    )
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|row| {
            let (key_id, public) = public_key(row)?;
            Ok(PassKey { key_id, public })
        })
        .collect()
}

/// Stores a new signing key under the next id and returns the id. (Ids are 16 bits on the
/// pass: 65,535 rotations; the table's CHECK refuses more rather than reuse an id.)
pub async fn insert(
    conn: &mut Conn,
    key: &SigningKey,
    now: DateTime<Utc>,
    version: i64,
) -> Result<u16, sqlx::Error> {
    let next: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(key_id), 0) + 1 FROM pass_keys")
        .fetch_one(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO pass_keys (key_id, secret, public, created_at, version) VALUES (?, ?, ?, ?, ?)",
    )
    .bind(next)
    .bind(key.to_bytes().to_vec())
    .bind(key.verifying_key().to_bytes().to_vec())
    .bind(time_text(now))
    .bind(version)
    .execute(conn)
    .await?;
    Ok(next as u16)
}

/// Retires every key but `keep`: the passes they signed stop verifying (a leaked key).
pub async fn retire_all_but(
    conn: &mut Conn,
    keep: u16,
    now: DateTime<Utc>,
    version: i64,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE pass_keys SET retired_at = ?, version = ? WHERE retired_at IS NULL AND key_id <> ?",
    )
    .bind(time_text(now))
    .bind(version)
    .bind(i64::from(keep))
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Every key (public half) changed after `cursor`, up to `upto`, retired ones included: a
/// phone learns of a retirement as a change. (key id, public key, retired)
pub async fn changed_since(
    conn: &mut Conn,
    cursor: i64,
    upto: i64,
) -> Result<Vec<(u16, [u8; 32], bool)>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT key_id, public, retired_at IS NOT NULL AS retired FROM pass_keys
         WHERE version > ? AND version <= ? ORDER BY version",
    )
    .bind(cursor)
    .bind(upto)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|row| {
            let (key_id, public) = public_key(row)?;
            Ok((key_id, public, row.try_get("retired")?))
        })
        .collect()
}

/// A row's key id and public half.
fn public_key(row: &sqlx::sqlite::SqliteRow) -> Result<(u16, [u8; 32]), sqlx::Error> {
    let key_id: i64 = row.try_get("key_id")?;
    let public: Vec<u8> = row.try_get("public")?;
    let public = public
        .try_into()
        .map_err(|_| sqlx::Error::Decode("a public key of 32 bytes".into()))?;
    Ok((key_id as u16, public))
}
