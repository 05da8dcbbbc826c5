//! Dialogue sessions (双月对话) and their minutes.

use chrono::{DateTime, NaiveDate, Utc};
use domain::mutation::NewDialogue;
use sqlx::Row;
use uuid::Uuid;

use super::{time_text, uuid_col, Conn};

#[derive(Clone, Debug, PartialEq)]
pub struct DialogueRow {
    pub id: Uuid,
    pub community_id: String,
    pub held_on: NaiveDate,
    pub place: String,
    pub attendees: String,
    pub version: i64,
    /// (issue id or None for general minutes, notes)
    pub notes: Vec<(Option<Uuid>, String)>,
}

pub async fn insert(
    conn: &mut Conn,
    dialogue: &NewDialogue,
    created_by: Option<Uuid>,
    now: DateTime<Utc>,
    version: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT OR IGNORE INTO dialogues (id, community_id, held_on, place, attendees, created_by, created_at, version)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(dialogue.id.to_string())
    .bind(&dialogue.community_id)
    .bind(dialogue.held_on.to_string())
    .bind(&dialogue.place)
    .bind(&dialogue.attendees)
    .bind(created_by.map(|u| u.to_string()))
    .bind(time_text(now))
    .bind(version)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn community_of(conn: &mut Conn, id: Uuid) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT community_id FROM dialogues WHERE id = ?")
        .bind(id.to_string())
        .fetch_optional(conn)
        .await
}

/// Records (or replaces) the minutes of one agenda issue, or the general minutes.
pub async fn record_notes(
    conn: &mut Conn,
    id: Uuid,
    issue_id: Option<Uuid>,
    notes: &str,
    now: DateTime<Utc>,
    version: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO dialogue_notes (dialogue_id, issue_id, notes, recorded_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (dialogue_id, issue_id) DO UPDATE SET notes = excluded.notes, recorded_at = excluded.recorded_at",
    )
    .bind(id.to_string())
    .bind(issue_id.map(|i| i.to_string()).unwrap_or_default())
    .bind(notes)
    .bind(time_text(now))
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE dialogues SET version = ? WHERE id = ?")
        .bind(version)
        .bind(id.to_string())
        .execute(conn)
        .await?;
    Ok(())
}

async fn with_notes(
    conn: &mut Conn,
    rows: Vec<sqlx::sqlite::SqliteRow>,
) -> Result<Vec<DialogueRow>, sqlx::Error> {
    let mut dialogues = Vec::new();
    for row in &rows {
        let id = uuid_col(row, "id")?;
        let notes = sqlx::query(
            "SELECT issue_id, notes FROM dialogue_notes WHERE dialogue_id = ? ORDER BY recorded_at",
        )
        .bind(id.to_string())
        .fetch_all(&mut *conn)
        .await?;
        let held_on: String = row.try_get("held_on")?;
        dialogues.push(DialogueRow {
            id,
            community_id: row.try_get("community_id")?,
            held_on: NaiveDate::parse_from_str(&held_on, "%Y-%m-%d").unwrap_or_default(),
            place: row.try_get("place")?,
            attendees: row.try_get("attendees")?,
            version: row.try_get("version")?,
            notes: notes
                .iter()
                .map(|n| {
                    let issue: String = n.try_get("issue_id").unwrap_or_default();
                    (
                        Uuid::parse_str(&issue).ok(),
                        n.try_get("notes").unwrap_or_default(),
                    )
                })
                .collect(),
        });
    }
    Ok(dialogues)
}

pub async fn changed_since(
    conn: &mut Conn,
    community_ids: &[String],
    cursor: i64,
) -> Result<Vec<DialogueRow>, sqlx::Error> {
    let mut rows = Vec::new();
    for community_id in community_ids {
        rows.extend(
            sqlx::query(
                "SELECT * FROM dialogues WHERE community_id = ? AND version > ? ORDER BY held_on",
            )
            .bind(community_id)
            .bind(cursor)
            .fetch_all(&mut *conn)
            .await?,
        );
    }
    with_notes(conn, rows).await
}

pub async fn of_community(
    conn: &mut Conn,
    community_id: &str,
) -> Result<Vec<DialogueRow>, sqlx::Error> {
    let rows = sqlx::query("SELECT * FROM dialogues WHERE community_id = ? ORDER BY held_on")
        .bind(community_id)
        .fetch_all(&mut *conn)
        .await?;
    with_notes(conn, rows).await
}
