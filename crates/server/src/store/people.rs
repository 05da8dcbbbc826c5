//! Townships, communities, people and what they do where.

use chrono::{DateTime, Utc};
use domain::person::Role;
use domain::wire::CommunityView;
use sqlx::Row;
use uuid::Uuid;

use super::{parse_time, time_text, uuid_col, Conn};

/// A role held in a township (township staff) or one of its communities.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Membership {
    pub role: Role,
    pub township_id: String,
    pub community_id: Option<String>,
    pub community_name: Option<String>,
    pub township_name: String,
}

#[derive(Clone, Debug)]
pub struct User {
    pub id: Uuid,
    pub phone: String,
    pub display_name: String,
    pub password_hash: String,
    pub deactivated_at: Option<DateTime<Utc>>,
}

fn user_from_row(row: &sqlx::sqlite::SqliteRow) -> Result<User, sqlx::Error> {
    let deactivated: Option<String> = row.try_get("deactivated_at")?;
    Ok(User {
        id: uuid_col(row, "id")?,
        phone: row.try_get("phone")?,
        display_name: row.try_get("display_name")?,
        password_hash: row.try_get("password_hash")?,
        deactivated_at: deactivated.as_deref().map(parse_time),
    })
}

pub async fn user_by_phone(conn: &mut Conn, phone: &str) -> Result<Option<User>, sqlx::Error> {
    let row = sqlx::query("SELECT * FROM users WHERE phone = ?")
        .bind(phone)
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(user_from_row).transpose()
}

pub async fn user_by_id(conn: &mut Conn, id: Uuid) -> Result<Option<User>, sqlx::Error> {
    let row = sqlx::query("SELECT * FROM users WHERE id = ?")
        .bind(id.to_string())
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(user_from_row).transpose()
}

pub async fn memberships(conn: &mut Conn, user_id: Uuid) -> Result<Vec<Membership>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT m.role, m.township_id, m.community_id, c.name AS community_name, t.name AS township_name
         FROM memberships m JOIN townships t ON t.id = m.township_id
         LEFT JOIN communities c ON c.id = m.community_id
         WHERE m.user_id = ? ORDER BY m.rowid",
    )
    .bind(user_id.to_string())
    .fetch_all(conn)
    .await?;
    rows.iter()
        .filter_map(|row| {
            let role: String = row.try_get("role").ok()?;
            Some(Ok(Membership {
                role: Role::from_code(&role)?,
                township_id: row.try_get("township_id").ok()?,
                community_id: row.try_get("community_id").ok()?,
                community_name: row.try_get("community_name").ok()?,
                township_name: row.try_get("township_name").ok()?,
            }))
        })
        .collect()
}

pub async fn insert_user(
    conn: &mut Conn,
    id: Uuid,
    phone: &str,
    display_name: &str,
    password_hash: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO users (id, phone, display_name, password_hash, created_at) VALUES (?, ?, ?, ?, ?)",
    )
    .bind(id.to_string())
    .bind(phone)
    .bind(display_name)
    .bind(password_hash)
    .bind(time_text(now))
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn insert_membership(
    conn: &mut Conn,
    user_id: Uuid,
    role: Role,
    township_id: &str,
    community_id: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT OR IGNORE INTO memberships (user_id, role, township_id, community_id) VALUES (?, ?, ?, ?)",
    )
    .bind(user_id.to_string())
    .bind(role.code())
    .bind(township_id)
    .bind(community_id)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn insert_township(conn: &mut Conn, id: &str, name: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("INSERT OR IGNORE INTO townships (id, name) VALUES (?, ?)")
        .bind(id)
        .bind(name)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn insert_community(
    conn: &mut Conn,
    id: &str,
    township_id: &str,
    name: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT OR IGNORE INTO communities (id, township_id, name) VALUES (?, ?, ?)")
        .bind(id)
        .bind(township_id)
        .bind(name)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn communities(conn: &mut Conn) -> Result<Vec<CommunityView>, sqlx::Error> {
    let rows = sqlx::query("SELECT id, name, township_id FROM communities ORDER BY rowid")
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|row| {
            Ok(CommunityView {
                id: row.try_get("id")?,
                name: row.try_get("name")?,
                township_id: row.try_get("township_id")?,
            })
        })
        .collect()
}

/// The communities of the given townships (what township staff oversee).
pub async fn communities_of_townships(
    conn: &mut Conn,
    township_ids: &[String],
) -> Result<Vec<String>, sqlx::Error> {
    let mut ids = Vec::new();
    for township_id in township_ids {
        let rows: Vec<String> =
            sqlx::query_scalar("SELECT id FROM communities WHERE township_id = ?")
                .bind(township_id)
                .fetch_all(&mut *conn)
                .await?;
        ids.extend(rows);
    }
    Ok(ids)
}
