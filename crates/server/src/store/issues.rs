//! Dialogue issues.

use chrono::{DateTime, Utc};
use domain::issue::IssueStatus;
use domain::NewIssue;
use sqlx::Row;
use uuid::Uuid;

use super::{parse_time, time_text, uuid_col, Conn};

/// An issue row with the raiser's name (unmasked: masking is the policy's job).
#[derive(Clone, Debug)]
pub struct IssueRow {
    pub id: Uuid,
    pub community_id: String,
    pub raised_by: Option<Uuid>,
    pub raiser_name: Option<String>,
    pub title: String,
    pub description: String,
    pub category: String,
    pub place: Option<String>,
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
    /// Staff raised it for this household.
    pub on_behalf: bool,
}

pub async fn exists(conn: &mut Conn, id: Uuid) -> Result<bool, sqlx::Error> {
    let found: Option<i64> = sqlx::query_scalar("SELECT 1 FROM issues WHERE id = ?")
        .bind(id.to_string())
        .fetch_optional(conn)
        .await?;
    Ok(found.is_some())
}

pub async fn insert(
    conn: &mut Conn,
    issue: &NewIssue,
    community_id: &str,
    raised_by: Uuid,
    created_at: DateTime<Utc>,
    status: IssueStatus,
    version: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO issues (id, community_id, raised_by, title, description, category, place, status,
                             created_at, updated_at, version, on_behalf_household)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(issue.id.to_string())
    .bind(community_id)
    .bind(raised_by.to_string())
    .bind(&issue.title)
    .bind(&issue.description)
    .bind(issue.category.code())
    .bind(&issue.place)
    .bind(status.code())
    .bind(time_text(created_at))
    .bind(time_text(created_at))
    .bind(version)
    .bind(issue.on_behalf_of.map(|h| h.to_string()))
    .execute(conn)
    .await?;
    Ok(())
}

/// The issues of these communities changed after `cursor`, oldest change first.
pub async fn changed_since(
    conn: &mut Conn,
    community_ids: &[String],
    cursor: i64,
) -> Result<Vec<IssueRow>, sqlx::Error> {
    if community_ids.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders = vec!["?"; community_ids.len()].join(", ");
    let sql = format!(
        "SELECT i.*, u.display_name AS raiser_name FROM issues i LEFT JOIN users u ON u.id = i.raised_by
         WHERE i.version > ? AND i.community_id IN ({placeholders}) ORDER BY i.version"
    );
    let mut query = sqlx::query(&sql).bind(cursor);
    for id in community_ids {
        query = query.bind(id);
    }
    let rows = query.fetch_all(conn).await?;
    rows.iter()
        .map(|row| {
            let raised_by: Option<String> = row.try_get("raised_by")?;
            Ok(IssueRow {
                id: uuid_col(row, "id")?,
                community_id: row.try_get("community_id")?,
                raised_by: raised_by.and_then(|id| Uuid::parse_str(&id).ok()),
                raiser_name: row.try_get("raiser_name")?,
                title: row.try_get("title")?,
                description: row.try_get("description")?,
                category: row.try_get("category")?,
                place: row.try_get("place")?,
                status: row.try_get("status")?,
                created_at: parse_time(row.try_get("created_at")?),
                updated_at: parse_time(row.try_get("updated_at")?),
                version: row.try_get("version")?,
                on_behalf: row
                    .try_get::<Option<String>, _>("on_behalf_household")?
                    .is_some(),
            })
        })
        .collect()
}

/// Before a person is deleted: their issues stay, with no raiser, and phones learn of it.
pub async fn anonymise_raiser(
    conn: &mut Conn,
    user_id: Uuid,
    version: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE issues SET raised_by = NULL, version = ? WHERE raised_by = ?")
        .bind(version)
        .bind(user_id.to_string())
        .execute(conn)
        .await?;
    Ok(())
}
