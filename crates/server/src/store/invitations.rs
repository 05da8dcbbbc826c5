//! Single-use codes: invitations to join (`join`) and password resets (`reset`), kept only
//! as the SHA-256 of the code: the database alone never reveals a usable code.

use chrono::{DateTime, Utc};
use domain::person::Role;
use sqlx::Row;
use uuid::Uuid;

use super::{parse_time, time_text, uuid_col, Conn};

pub const JOIN: &str = "join";
pub const RESET: &str = "reset";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvitationRow {
    pub id: Uuid,
    pub kind: String,
    pub community_id: String,
    pub role: Option<Role>,
    pub household_id: Option<Uuid>,
    pub person_id: Option<Uuid>,
    pub created_by: Option<Uuid>,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
    pub version: i64,
}

fn optional_uuid(row: &sqlx::sqlite::SqliteRow, column: &str) -> Result<Option<Uuid>, sqlx::Error> {
    let text: Option<String> = row.try_get(column)?;
    Ok(text.and_then(|t| Uuid::parse_str(&t).ok()))
}

fn from_row(row: &sqlx::sqlite::SqliteRow) -> Result<InvitationRow, sqlx::Error> {
    let role: Option<String> = row.try_get("role")?;
    let used_at: Option<String> = row.try_get("used_at")?;
    Ok(InvitationRow {
        id: uuid_col(row, "id")?,
        kind: row.try_get("kind")?,
        community_id: row.try_get("community_id")?,
        role: role.as_deref().and_then(Role::from_code),
        household_id: optional_uuid(row, "household_id")?,
        person_id: optional_uuid(row, "person_id")?,
        created_by: optional_uuid(row, "created_by")?,
        expires_at: parse_time(row.try_get("expires_at")?),
        used_at: used_at.as_deref().map(parse_time),
        version: row.try_get("version")?,
    })
}

/// The stored form of a code: the hex SHA-256 of its normalised text (`Code::as_str`).
pub fn code_hash(code: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(code.as_bytes()))
}

/// Hashes codes left in plain text by servers before migration 0010; returns how many.
pub async fn hash_plain_codes(conn: &mut Conn) -> Result<usize, sqlx::Error> {
    let plain: Vec<(String, String)> =
        sqlx::query_as("SELECT id, code_hash FROM invitations WHERE length(code_hash) <> 64")
            .fetch_all(&mut *conn)
            .await?;
    for (id, code) in &plain {
        let normalised = domain::account::Code::parse(code)
            .map(|c| c.as_str().to_string())
            .unwrap_or_else(|_| code.clone());
        sqlx::query("UPDATE invitations SET code_hash = ? WHERE id = ?")
            .bind(code_hash(&normalised))
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(plain.len())
}

/// A new code (stored as its hash). `Ok(false)` when the id or the code is taken.
#[allow(clippy::too_many_arguments)]
pub async fn insert(
    conn: &mut Conn,
    id: Uuid,
    kind: &str,
    code: &str,
    community_id: &str,
    role: Option<Role>,
    household_id: Option<Uuid>,
    person_id: Option<Uuid>,
    created_by: Uuid,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    version: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT OR IGNORE INTO invitations
           (id, kind, code_hash, community_id, role, household_id, person_id, created_by, created_at, expires_at, version)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(id.to_string())
    .bind(kind)
    .bind(code_hash(code))
    .bind(community_id)
    .bind(role.map(Role::code))
    .bind(household_id.map(|h| h.to_string()))
    .bind(person_id.map(|p| p.to_string()))
    .bind(created_by.to_string())
    .bind(time_text(now))
    .bind(time_text(expires_at))
    .bind(version)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The code's row, by the code's normalised text (looked up by its hash).
pub async fn by_code(conn: &mut Conn, code: &str) -> Result<Option<InvitationRow>, sqlx::Error> {
    let row = sqlx::query("SELECT * FROM invitations WHERE code_hash = ?")
        .bind(code_hash(code))
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}

pub async fn by_id(conn: &mut Conn, id: Uuid) -> Result<Option<InvitationRow>, sqlx::Error> {
    let row = sqlx::query("SELECT * FROM invitations WHERE id = ?")
        .bind(id.to_string())
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// Ends an unused code now; `Ok(false)` if it was already used or over.
pub async fn revoke(
    conn: &mut Conn,
    id: Uuid,
    now: DateTime<Utc>,
    version: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE invitations SET expires_at = ?, version = ?
         WHERE id = ? AND used_at IS NULL AND expires_at > ?",
    )
    .bind(time_text(now))
    .bind(version)
    .bind(id.to_string())
    .bind(time_text(now))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Marks a code used; `Ok(false)` if it was used meanwhile (two people racing for it).
pub async fn mark_used(
    conn: &mut Conn,
    id: Uuid,
    used_by: Uuid,
    now: DateTime<Utc>,
    version: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE invitations SET used_at = ?, used_by = ?, version = ? WHERE id = ? AND used_at IS NULL",
    )
    .bind(time_text(now))
    .bind(used_by.to_string())
    .bind(version)
    .bind(id.to_string())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Ends a person's earlier unused reset codes (a new one replaces them).
pub async fn expire_resets_of(
    conn: &mut Conn,
    person_id: Uuid,
    now: DateTime<Utc>,
    version: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE invitations SET expires_at = ?, version = ?
         WHERE kind = 'reset' AND person_id = ? AND used_at IS NULL AND expires_at > ?",
    )
    .bind(time_text(now))
    .bind(version)
    .bind(person_id.to_string())
    .bind(time_text(now))
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn changed_since(
    conn: &mut Conn,
    community_ids: &[String],
    made_by: Uuid,
    cursor: i64,
) -> Result<Vec<InvitationRow>, sqlx::Error> {
    let mut rows = Vec::new();
    for community_id in community_ids {
        let found = sqlx::query(
            "SELECT * FROM invitations WHERE community_id = ? AND version > ? ORDER BY version",
        )
        .bind(community_id)
        .bind(cursor)
        .fetch_all(&mut *conn)
        .await?;
        for row in &found {
            rows.push(from_row(row)?);
        }
    }
    // The person's own invitations elsewhere: township staff inviting a community's first
    // staff follow what became of them.
    let own = sqlx::query(
        "SELECT * FROM invitations WHERE created_by = ? AND version > ? ORDER BY version",
    )
    .bind(made_by.to_string())
    .bind(cursor)
    .fetch_all(&mut *conn)
    .await?;
    for row in &own {
        let row = from_row(row)?;
        if !community_ids.contains(&row.community_id) {
            rows.push(row);
        }
    }
    Ok(rows)
}
