//! Households (户): where residents live. The room number is personal data.

use chrono::{DateTime, Utc};
use domain::account::NewHousehold;
use sqlx::Row;
use uuid::Uuid;

use super::{time_text, uuid_col, Conn};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HouseholdRow {
    pub id: Uuid,
    pub community_id: String,
    pub point: Option<String>,
    pub building: String,
    pub unit: Option<String>,
    pub room: Option<String>,
    pub version: i64,
}

impl HouseholdRow {
    pub fn label(&self, with_room: bool) -> String {
        domain::account::household_label(
            self.point.as_deref(),
            &self.building,
            self.unit.as_deref(),
            self.room.as_deref(),
            with_room,
        )
    }
}

fn from_row(row: &sqlx::sqlite::SqliteRow) -> Result<HouseholdRow, sqlx::Error> {
    Ok(HouseholdRow {
        id: uuid_col(row, "id")?,
        community_id: row.try_get("community_id")?,
        point: row.try_get("point")?,
        building: row.try_get("building")?,
        unit: row.try_get("unit")?,
        room: row.try_get("room")?,
        version: row.try_get("version")?,
    })
}

pub async fn insert(
    conn: &mut Conn,
    household: &NewHousehold,
    now: DateTime<Utc>,
    version: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO households (id, community_id, point, building, unit, room, created_at, version)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(household.id.to_string())
    .bind(&household.community_id)
    .bind(&household.point)
    .bind(&household.building)
    .bind(&household.unit)
    .bind(&household.room)
    .bind(time_text(now))
    .bind(version)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn by_id(conn: &mut Conn, id: Uuid) -> Result<Option<HouseholdRow>, sqlx::Error> {
    let row = sqlx::query("SELECT * FROM households WHERE id = ?")
        .bind(id.to_string())
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// The households of these communities changed after `cursor`.
pub async fn changed_since(
    conn: &mut Conn,
    community_ids: &[String],
    cursor: i64,
) -> Result<Vec<HouseholdRow>, sqlx::Error> {
    let mut rows = Vec::new();
    for community_id in community_ids {
        let found = sqlx::query(
            "SELECT * FROM households WHERE community_id = ? AND version > ? ORDER BY version",
        )
        .bind(community_id)
        .bind(cursor)
        .fetch_all(&mut *conn)
        .await?;
        for row in &found {
            rows.push(from_row(row)?);
        }
    }
    Ok(rows)
}

/// The household at this address in a community, if any.
pub async fn find(
    conn: &mut Conn,
    community_id: &str,
    building: &str,
    unit: &str,
    room: &str,
) -> Result<Option<Uuid>, sqlx::Error> {
    let id: Option<String> = sqlx::query_scalar(
        "SELECT id FROM households WHERE community_id = ? AND building = ? AND unit = ? AND room = ?",
    )
    .bind(community_id)
    .bind(building)
    .bind(unit)
    .bind(room)
    .fetch_optional(conn)
    .await?;
    Ok(id.and_then(|id| Uuid::parse_str(&id).ok()))
}
