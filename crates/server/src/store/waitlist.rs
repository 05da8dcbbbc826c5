//! The waitlists of full slots: who waits, who has a seat offered and until when.

use chrono::{DateTime, Utc};
use domain::market::waitlist::{Change, WaitEntry, WaitState};
use sqlx::Row;
use uuid::Uuid;

use super::{parse_time, time_text, uuid_col, Conn};

/// An entry as stored, with its slot's times.
#[derive(Clone, Debug, PartialEq)]
pub struct WaitRow {
    pub id: Uuid,
    pub slot_id: Uuid,
    pub service_id: Uuid,
    pub community_id: String,
    pub household_id: Uuid,
    pub for_name: String,
    pub note: String,
    pub state: WaitState,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub version: i64,
}

/// A household joining the line.
#[derive(Clone, Debug)]
pub struct NewEntry<'a> {
    pub id: Uuid,
    pub slot_id: Uuid,
    pub service_id: Uuid,
    pub community_id: &'a str,
    pub household_id: Uuid,
    pub user_id: Uuid,
    pub for_name: &'a str,
    pub note: &'a str,
}

/// Adds an entry; `false` (nothing written) when its id is taken or the household already
/// waits for the slot.
pub async fn insert(
    conn: &mut Conn,
    entry: &NewEntry<'_>,
    now: DateTime<Utc>,
    version: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT OR IGNORE INTO waitlist
           (id, slot_id, service_id, community_id, household_id, user_id, for_name, note, state,
            joined_at, version)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'waiting', ?, ?)",
    )
    .bind(entry.id.to_string())
    .bind(entry.slot_id.to_string())
    .bind(entry.service_id.to_string())
    .bind(entry.community_id)
    .bind(entry.household_id.to_string())
    .bind(entry.user_id.to_string())
    .bind(entry.for_name)
    .bind(entry.note)
    .bind(time_text(now))
    .bind(version)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The live entries (waiting or offered) of a slot, as the rules see them.
pub async fn live_of_slot(conn: &mut Conn, slot_id: Uuid) -> Result<Vec<WaitEntry>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, joined_at, state, offer_until FROM waitlist
         WHERE slot_id = ? AND state IN ('waiting', 'offered')",
    )
    .bind(slot_id.to_string())
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(WaitEntry {
                id: uuid_col(row, "id")?,
                joined_at: parse_time(&row.try_get::<String, _>("joined_at")?),
                state: state_of(row)?,
            })
        })
        .collect()
}

fn state_of(row: &sqlx::sqlite::SqliteRow) -> Result<WaitState, sqlx::Error> {
    let code: String = row.try_get("state")?;
    let until: Option<String> = row.try_get("offer_until")?;
    WaitState::from_code(&code, until.as_deref().map(parse_time))
        .ok_or_else(|| sqlx::Error::Decode(format!("unknown waitlist state {code}").into()))
}

/// Stores what `waitlist::settle` changed.
pub async fn apply(conn: &mut Conn, changes: &[Change], version: i64) -> Result<(), sqlx::Error> {
    for change in changes {
        let (id, state, until) = match change {
            Change::Offered { entry, until } => (entry, "offered", Some(time_text(*until))),
            Change::Lapsed { entry } => (entry, "lapsed", None),
        };
        sqlx::query("UPDATE waitlist SET state = ?, offer_until = ?, version = ? WHERE id = ?")
            .bind(state)
            .bind(until)
            .bind(version)
            .bind(id.to_string())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// A household's live places (but `except`) for a service's slots starting within `day` leave
/// the line (it holds a seat of that service that day); returns their slots.
/// Ends every live place in line of a slot whose day was called off (`left`: the place goes
/// from the household's list, and the slot shows 暂停); the caller frees the seats they held.
pub async fn end_of_slot(conn: &mut Conn, slot_id: Uuid, version: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE waitlist SET state = 'left', offer_until = NULL, version = ?
         WHERE slot_id = ? AND state IN ('waiting', 'offered')",
    )
    .bind(version)
    .bind(slot_id.to_string())
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn leave_day(
    conn: &mut Conn,
    household_id: Uuid,
    service_id: Uuid,
    day: (DateTime<Utc>, DateTime<Utc>),
    except: Option<Uuid>,
    version: i64,
) -> Result<Vec<Uuid>, sqlx::Error> {
    let slots: Vec<String> = sqlx::query_scalar(
        "UPDATE waitlist SET state = 'left', offer_until = NULL, version = ?
         WHERE household_id = ? AND service_id = ? AND state IN ('waiting', 'offered')
           AND id <> ?
           AND slot_id IN (SELECT id FROM market_slots
                           WHERE service_id = ? AND starts_at >= ? AND starts_at < ?)
         RETURNING slot_id",
    )
    .bind(version)
    .bind(household_id.to_string())
    .bind(service_id.to_string())
    .bind(except.map(|id| id.to_string()).unwrap_or_default())
    .bind(service_id.to_string())
    .bind(time_text(day.0))
    .bind(time_text(day.1))
    .fetch_all(conn)
    .await?;
    Ok(slots
        .iter()
        .filter_map(|id| Uuid::parse_str(id).ok())
        .collect())
}

/// The offered entry became booking `booking_id`.
pub async fn accept(
    conn: &mut Conn,
    id: Uuid,
    booking_id: Uuid,
    version: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE waitlist SET state = 'accepted', offer_until = NULL, booking_id = ?, version = ?
         WHERE id = ?",
    )
    .bind(booking_id.to_string())
    .bind(version)
    .bind(id.to_string())
    .execute(conn)
    .await?;
    Ok(())
}

const SELECT: &str = "SELECT w.*, s.starts_at, s.ends_at FROM waitlist w
     JOIN market_slots s ON s.id = w.slot_id";

pub async fn by_id(conn: &mut Conn, id: Uuid) -> Result<Option<WaitRow>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE w.id = ?");
    let row = sqlx::query(&sql)
        .bind(id.to_string())
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(wait_row).transpose()
}

/// The entries of these households changed after `cursor`, up to `upto`.
pub async fn changed_since(
    conn: &mut Conn,
    households: &[String],
    cursor: i64,
    upto: i64,
) -> Result<Vec<WaitRow>, sqlx::Error> {
    if households.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "{SELECT} WHERE w.household_id IN ({}) AND w.version > ? AND w.version <= ?
         ORDER BY w.version",
        vec!["?"; households.len()].join(", ")
    );
    let mut query = sqlx::query(&sql);
    for id in households {
        query = query.bind(id);
    }
    let rows = query.bind(cursor).bind(upto).fetch_all(conn).await?;
    rows.iter().map(wait_row).collect()
}

/// The slots with an offer that ran out by `now` (the minute task moves their seats on).
pub async fn slots_with_lapsed_offers(
    conn: &mut Conn,
    now: DateTime<Utc>,
) -> Result<Vec<Uuid>, sqlx::Error> {
    let ids: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT slot_id FROM waitlist WHERE state = 'offered' AND offer_until <= ?",
    )
    .bind(time_text(now))
    .fetch_all(conn)
    .await?;
    Ok(ids
        .iter()
        .filter_map(|id| Uuid::parse_str(id).ok())
        .collect())
}

fn wait_row(row: &sqlx::sqlite::SqliteRow) -> Result<WaitRow, sqlx::Error> {
    Ok(WaitRow {
        id: uuid_col(row, "id")?,
        slot_id: uuid_col(row, "slot_id")?,
        service_id: uuid_col(row, "service_id")?,
        community_id: row.try_get("community_id")?,
        household_id: uuid_col(row, "household_id")?,
        for_name: row.try_get("for_name")?,
        note: row.try_get("note")?,
        state: state_of(row)?,
        starts_at: parse_time(&row.try_get::<String, _>("starts_at")?),
        ends_at: parse_time(&row.try_get::<String, _>("ends_at")?),
        version: row.try_get("version")?,
    })
}
