//! 公益集市 and 共享小屋: services, their volunteers and their slots.

use chrono::NaiveTime;
use chrono::{DateTime, Utc};
use domain::market::booking::SlotState;
use domain::market::schedule::ServiceSetup;
use domain::market::ServiceMode;
use sqlx::Row;
use uuid::Uuid;

use super::{parse_time, time_text, uuid_col, Conn};

pub use domain::market::Venue;

/// A service as staff set it up.
#[derive(Clone, Debug)]
pub struct NewService<'a> {
    pub id: Uuid,
    pub community_id: &'a str,
    pub venue: Venue,
    pub name: &'a str,
    pub place: &'a str,
    pub setup: ServiceSetup,
    /// The day of every month it is given, if it recurs.
    pub monthly_day: Option<u32>,
}

fn clock_text(time: NaiveTime) -> String {
    time.format("%H:%M").to_string()
}

pub async fn insert_service(
    conn: &mut Conn,
    service: &NewService<'_>,
    version: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO market_services
           (id, community_id, venue, name, mode, place, slot_minutes, per_volunteer, walk_in,
            opens, closes, monthly_day, version)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(service.id.to_string())
    .bind(service.community_id)
    .bind(service.venue.code())
    .bind(service.name)
    .bind(service.setup.mode.code())
    .bind(service.place)
    .bind(i64::from(service.setup.slot_minutes))
    .bind(i64::from(service.setup.per_volunteer))
    .bind(service.setup.walk_in)
    .bind(clock_text(service.setup.opens))
    .bind(clock_text(service.setup.closes))
    .bind(service.monthly_day.map(i64::from))
    .bind(version)
    .execute(conn)
    .await?;
    Ok(())
}

/// Adds a volunteer to a service. They now see its bookings: their phones' next pull starts
/// again from nothing (the scope widened), so bookings made before reach them too.
pub async fn add_volunteer(
    conn: &mut Conn,
    service_id: Uuid,
    user_id: Uuid,
) -> Result<(), sqlx::Error> {
    let added = sqlx::query(
        "INSERT OR IGNORE INTO market_service_volunteers (service_id, user_id) VALUES (?, ?)",
    )
    .bind(service_id.to_string())
    .bind(user_id.to_string())
    .execute(&mut *conn)
    .await?;
    if added.rows_affected() > 0 {
        let version = super::next_version(&mut *conn).await?;
        sqlx::query("UPDATE users SET scope_version = ? WHERE id = ?")
            .bind(version)
            .bind(user_id.to_string())
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// A slot as staff open it.
#[derive(Clone, Debug)]
pub struct NewSlot<'a> {
    pub id: Uuid,
    pub service_id: Uuid,
    pub community_id: &'a str,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub capacity: u32,
    /// Taking no bookings (a walk-in service's open hours).
    pub closed: bool,
}

pub async fn insert_slot(
    conn: &mut Conn,
    slot: &NewSlot<'_>,
    version: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO market_slots
           (id, service_id, community_id, starts_at, ends_at, capacity, closed, version)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(slot.id.to_string())
    .bind(slot.service_id.to_string())
    .bind(slot.community_id)
    .bind(time_text(slot.starts_at))
    .bind(time_text(slot.ends_at))
    .bind(i64::from(slot.capacity))
    .bind(slot.closed)
    .bind(version)
    .execute(conn)
    .await?;
    Ok(())
}

/// Every slot of a service, earliest first, as the booking rules see them (no seat is held
/// for the waitlist yet: it comes with the booking mutations).
pub async fn slots_of_service(
    conn: &mut Conn,
    service_id: Uuid,
) -> Result<Vec<SlotState>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, service_id, starts_at, ends_at, capacity, booked, held, closed
         FROM market_slots WHERE service_id = ? ORDER BY starts_at",
    )
    .bind(service_id.to_string())
    .fetch_all(conn)
    .await?;
    rows.iter().map(slot_state).collect()
}

/// A community's services: (id, name), in the order staff set them up.
pub async fn services_of(
    conn: &mut Conn,
    community_id: &str,
) -> Result<Vec<(Uuid, String)>, sqlx::Error> {
    let rows =
        sqlx::query("SELECT id, name FROM market_services WHERE community_id = ? ORDER BY version")
            .bind(community_id)
            .fetch_all(conn)
            .await?;
    rows.iter()
        .map(|row| Ok((uuid_col(row, "id")?, row.try_get("name")?)))
        .collect()
}

/// A service as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceRow {
    pub id: Uuid,
    pub community_id: String,
    pub venue: String,
    pub name: String,
    pub mode: ServiceMode,
    pub place: String,
    /// How its days are cut into slots (its mode is `mode`).
    pub setup: ServiceSetup,
    pub monthly_day: Option<u32>,
    pub version: i64,
}

/// The columns `service_row` reads.
const SERVICE_COLUMNS: &str = "id, community_id, venue, name, mode, place, walk_in, opens, \
     closes, slot_minutes, per_volunteer, monthly_day, version";

/// A slot as stored, with its community.
#[derive(Clone, Debug, PartialEq)]
pub struct SlotRow {
    pub community_id: String,
    pub slot: SlotState,
    pub version: i64,
}

fn list(ids: &[String]) -> String {
    vec!["?"; ids.len()].join(", ")
}

/// The services of these communities changed after `cursor`, up to `upto`.
pub async fn services_changed_since(
    conn: &mut Conn,
    communities: &[String],
    cursor: i64,
    upto: i64,
) -> Result<Vec<ServiceRow>, sqlx::Error> {
    if communities.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {SERVICE_COLUMNS} FROM market_services
         WHERE community_id IN ({}) AND version > ? AND version <= ? ORDER BY version",
        list(communities)
    );
    let mut query = sqlx::query(&sql);
    for id in communities {
        query = query.bind(id);
    }
    let rows = query.bind(cursor).bind(upto).fetch_all(conn).await?;
    rows.iter().map(service_row).collect()
}

/// The slots of these communities changed after `cursor`, up to `upto`.
pub async fn slots_changed_since(
    conn: &mut Conn,
    communities: &[String],
    cursor: i64,
    upto: i64,
) -> Result<Vec<SlotRow>, sqlx::Error> {
    if communities.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT id, service_id, community_id, starts_at, ends_at, capacity, booked, held, closed,
                version
         FROM market_slots
         WHERE community_id IN ({}) AND version > ? AND version <= ? ORDER BY version",
        list(communities)
    );
    let mut query = sqlx::query(&sql);
    for id in communities {
        query = query.bind(id);
    }
    let rows = query.bind(cursor).bind(upto).fetch_all(conn).await?;
    rows.iter().map(slot_row).collect()
}

fn service_row(row: &sqlx::sqlite::SqliteRow) -> Result<ServiceRow, sqlx::Error> {
    let mode: String = row.try_get("mode")?;
    let mode = match mode.as_str() {
        "at_home" => ServiceMode::AtHome,
        "at_place" => ServiceMode::AtPlace,
        other => {
            return Err(sqlx::Error::Decode(
                format!("unknown service mode {other}").into(),
            ))
        }
    };
    let clock = |column: &str| -> Result<NaiveTime, sqlx::Error> {
        let text: String = row.try_get(column)?;
        NaiveTime::parse_from_str(&text, "%H:%M")
            .map_err(|e| sqlx::Error::Decode(format!("{column} {text}: {e}").into()))
    };
    let count = |column: &str| -> Result<u32, sqlx::Error> {
        let n: i64 = row.try_get(column)?;
        u32::try_from(n).map_err(|e| sqlx::Error::Decode(format!("{column}: {e}").into()))
    };
    let monthly_day: Option<i64> = row.try_get("monthly_day")?;
    Ok(ServiceRow {
        id: uuid_col(row, "id")?,
        community_id: row.try_get("community_id")?,
        venue: row.try_get("venue")?,
        name: row.try_get("name")?,
        mode,
        place: row.try_get("place")?,
        setup: ServiceSetup {
            mode,
            walk_in: row.try_get("walk_in")?,
            opens: clock("opens")?,
            closes: clock("closes")?,
            slot_minutes: count("slot_minutes")?,
            per_volunteer: count("per_volunteer")?,
        },
        monthly_day: monthly_day.and_then(|d| u32::try_from(d).ok()),
        version: row.try_get("version")?,
    })
}

pub async fn service_by_id(conn: &mut Conn, id: Uuid) -> Result<Option<ServiceRow>, sqlx::Error> {
    let sql = format!("SELECT {SERVICE_COLUMNS} FROM market_services WHERE id = ?");
    let row = sqlx::query(&sql)
        .bind(id.to_string())
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(service_row).transpose()
}

pub async fn slot_by_id(conn: &mut Conn, id: Uuid) -> Result<Option<SlotRow>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT id, service_id, community_id, starts_at, ends_at, capacity, booked, held, closed,
                version
         FROM market_slots WHERE id = ?",
    )
    .bind(id.to_string())
    .fetch_optional(conn)
    .await?;
    row.as_ref().map(slot_row).transpose()
}

fn slot_row(row: &sqlx::sqlite::SqliteRow) -> Result<SlotRow, sqlx::Error> {
    Ok(SlotRow {
        community_id: row.try_get("community_id")?,
        slot: slot_state(row)?,
        version: row.try_get("version")?,
    })
}

/// Takes a seat of a slot; `false` (nothing written) when none is left: the count and the
/// table's CHECK agree with the rule in `domain::market::booking`.
pub async fn take_seat(conn: &mut Conn, slot_id: Uuid, version: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE market_slots SET booked = booked + 1, version = ?
         WHERE id = ? AND booked < capacity",
    )
    .bind(version)
    .bind(slot_id.to_string())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records how many seats live waitlist offers hold (a change every phone pulls), when it
/// changed.
pub async fn set_held(
    conn: &mut Conn,
    slot_id: Uuid,
    held: u32,
    version: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE market_slots SET held = ?, version = ? WHERE id = ? AND held <> ?")
        .bind(i64::from(held))
        .bind(version)
        .bind(slot_id.to_string())
        .bind(i64::from(held))
        .execute(conn)
        .await?;
    Ok(())
}

/// Sets a slot's seats and whether it takes bookings (the caller checked the seats against
/// those taken; the table's CHECK refuses fewer seats than booked whatever happens).
pub async fn update_slot(
    conn: &mut Conn,
    slot_id: Uuid,
    capacity: u32,
    closed: bool,
    version: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE market_slots SET capacity = ?, closed = ?, version = ? WHERE id = ?")
        .bind(i64::from(capacity))
        .bind(i64::from(closed))
        .bind(version)
        .bind(slot_id.to_string())
        .execute(conn)
        .await?;
    Ok(())
}

/// A service's slots starting in `[from, to)`, earliest first.
pub async fn slots_of_service_between(
    conn: &mut Conn,
    service_id: Uuid,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<SlotState>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, service_id, starts_at, ends_at, capacity, booked, held, closed
         FROM market_slots WHERE service_id = ? AND starts_at >= ? AND starts_at < ?
         ORDER BY starts_at",
    )
    .bind(service_id.to_string())
    .bind(time_text(from))
    .bind(time_text(to))
    .fetch_all(conn)
    .await?;
    rows.iter().map(slot_state).collect()
}

/// Gives a seat back.
pub async fn free_seat(conn: &mut Conn, slot_id: Uuid, version: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE market_slots SET booked = booked - 1, version = ? WHERE id = ? AND booked > 0",
    )
    .bind(version)
    .bind(slot_id.to_string())
    .execute(conn)
    .await?;
    Ok(())
}

fn slot_state(row: &sqlx::sqlite::SqliteRow) -> Result<SlotState, sqlx::Error> {
    let capacity: i64 = row.try_get("capacity")?;
    let booked: i64 = row.try_get("booked")?;
    let held: i64 = row.try_get("held")?;
    let closed: i64 = row.try_get("closed")?;
    Ok(SlotState {
        id: uuid_col(row, "id")?,
        service_id: uuid_col(row, "service_id")?,
        starts_at: parse_time(&row.try_get::<String, _>("starts_at")?),
        ends_at: parse_time(&row.try_get::<String, _>("ends_at")?),
        capacity: capacity as u32,
        booked: booked as u32,
        held: held as u32,
        closed: closed != 0,
    })
}

/// Every service with a monthly rule, for the minute task that opens its coming days.
pub async fn services_with_rule(conn: &mut Conn) -> Result<Vec<ServiceRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {SERVICE_COLUMNS} FROM market_services WHERE monthly_day IS NOT NULL ORDER BY id"
    );
    let rows = sqlx::query(&sql).fetch_all(conn).await?;
    rows.iter().map(service_row).collect()
}

/// How many people give a service (its seats count them).
pub async fn volunteer_count(conn: &mut Conn, service_id: Uuid) -> Result<usize, sqlx::Error> {
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM market_service_volunteers WHERE service_id = ?")
            .bind(service_id.to_string())
            .fetch_one(conn)
            .await?;
    Ok(usize::try_from(n).unwrap_or(0))
}
