//! Bookings of the market's and the shared house's slots: who holds a seat, their pass, and
//! what became of it.

use chrono::{DateTime, NaiveDate, Utc};
use domain::market::booking::BookingState;
use sqlx::Row;
use uuid::Uuid;

use super::{parse_time, time_text, uuid_col, Conn};

/// A booking as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct BookingRow {
    pub id: Uuid,
    pub slot_id: Uuid,
    pub service_id: Uuid,
    pub community_id: String,
    pub household_id: Uuid,
    /// `None` once that account was deleted.
    pub booked_by: Option<Uuid>,
    pub for_name: String,
    pub on_behalf: bool,
    pub note: String,
    pub state: BookingState,
    pub day: NaiveDate,
    pub pass: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub served_at: Option<DateTime<Utc>>,
    /// The name of the volunteer who confirmed it.
    pub served_by: Option<String>,
    /// Why staff called its day off (empty otherwise).
    pub cancel_reason: String,
    /// A door-to-door service (上门服务): the volunteer goes to the household.
    pub at_home: bool,
    pub version: i64,
}

/// A booking the server has decided to give.
#[derive(Clone, Debug)]
pub struct NewBooking<'a> {
    pub id: Uuid,
    pub slot_id: Uuid,
    pub service_id: Uuid,
    pub community_id: &'a str,
    pub household_id: Uuid,
    pub booked_by: Uuid,
    pub for_name: &'a str,
    pub on_behalf: bool,
    pub note: &'a str,
    pub day: NaiveDate,
    pub short_code: &'a str,
    pub pass: &'a str,
}

/// Stores a booking; `false` (and nothing written) when its id, or its short code on that
/// service and day, is taken.
pub async fn insert(
    conn: &mut Conn,
    booking: &NewBooking<'_>,
    now: DateTime<Utc>,
    version: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT OR IGNORE INTO bookings
           (id, slot_id, service_id, community_id, household_id, booked_by, for_name, on_behalf,
            note, state, day, short_code, pass, created_at, version)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'booked', ?, ?, ?, ?, ?)",
    )
    .bind(booking.id.to_string())
    .bind(booking.slot_id.to_string())
    .bind(booking.service_id.to_string())
    .bind(booking.community_id)
    .bind(booking.household_id.to_string())
    .bind(booking.booked_by.to_string())
    .bind(booking.for_name)
    .bind(booking.on_behalf)
    .bind(booking.note)
    .bind(booking.day.to_string())
    .bind(booking.short_code)
    .bind(booking.pass)
    .bind(time_text(now))
    .bind(version)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// How many seats a household holds (not cancelled) of a service on a day.
pub async fn household_count(
    conn: &mut Conn,
    household_id: Uuid,
    service_id: Uuid,
    day: NaiveDate,
) -> Result<u32, sqlx::Error> {
    let count: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM bookings
         WHERE household_id = ? AND service_id = ? AND day = ? AND state <> 'cancelled'",
    )
    .bind(household_id.to_string())
    .bind(service_id.to_string())
    .bind(day.to_string())
    .fetch_one(conn)
    .await?;
    Ok(count as u32)
}

const SELECT: &str = "SELECT b.*, s.starts_at, s.ends_at, u.display_name AS served_by_name,
            ms.mode = 'at_home' AS at_home
     FROM bookings b JOIN market_slots s ON s.id = b.slot_id
     JOIN market_services ms ON ms.id = b.service_id
     LEFT JOIN users u ON u.id = b.served_by";

pub async fn by_id(conn: &mut Conn, id: Uuid) -> Result<Option<BookingRow>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE b.id = ?");
    let row = sqlx::query(&sql)
        .bind(id.to_string())
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(booking_row).transpose()
}

/// Gives the seat back: the pass is cleared (it reaches the volunteers as a revocation).
pub async fn cancel(
    conn: &mut Conn,
    id: Uuid,
    now: DateTime<Utc>,
    version: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE bookings SET state = 'cancelled', pass = NULL, cancelled_at = ?, version = ?
         WHERE id = ?",
    )
    .bind(time_text(now))
    .bind(version)
    .bind(id.to_string())
    .execute(conn)
    .await?;
    Ok(())
}

/// The passes of every `booked` booking: (booking id, pass), for re-signing when keys retire.
pub async fn live_passes(conn: &mut Conn) -> Result<Vec<(Uuid, String)>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, pass FROM bookings WHERE state = 'booked' AND pass IS NOT NULL ORDER BY id",
    )
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|row| Ok((super::uuid_col(row, "id")?, row.try_get("pass")?)))
        .collect()
}

/// Replaces a booking's pass (re-signed by a new key); its household pulls it as a change.
pub async fn set_pass(
    conn: &mut Conn,
    id: Uuid,
    pass: &str,
    version: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE bookings SET pass = ?, version = ? WHERE id = ?")
        .bind(pass)
        .bind(version)
        .bind(id.to_string())
        .execute(conn)
        .await?;
    Ok(())
}

/// Cancels every `booked` booking of a slot because its day was called off, with the reason
/// the households read; how many.
pub async fn call_off_slot(
    conn: &mut Conn,
    slot_id: Uuid,
    reason: &str,
    now: DateTime<Utc>,
    version: i64,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE bookings SET state = 'cancelled', pass = NULL, cancelled_at = ?,
                cancel_reason = ?, version = ?
         WHERE slot_id = ? AND state = 'booked'",
    )
    .bind(time_text(now))
    .bind(reason)
    .bind(version)
    .bind(slot_id.to_string())
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Door-to-door bookings whose address the volunteer's phone must now receive (their day has
/// begun) or lose (their day is over): each gets a new version, so the next pull sends it
/// again as `policy::volunteer_sees_address` says for that moment. How many changed.
pub async fn turn_door_to_door_days(
    conn: &mut Conn,
    today: chrono::NaiveDate,
    version: i64,
) -> Result<u64, sqlx::Error> {
    let today = today.to_string();
    let shown = sqlx::query(
        "UPDATE bookings SET address_day = ?, version = ?
         WHERE day = ? AND address_day = '' AND state = 'booked'
           AND service_id IN (SELECT id FROM market_services WHERE mode = 'at_home')",
    )
    .bind(&today)
    .bind(version)
    .bind(&today)
    .execute(&mut *conn)
    .await?;
    let withdrawn = sqlx::query(
        "UPDATE bookings SET address_day = 'over', version = ?
         WHERE day < ? AND address_day NOT IN ('', 'over')",
    )
    .bind(version)
    .bind(&today)
    .execute(&mut *conn)
    .await?;
    Ok(shown.rows_affected() + withdrawn.rows_affected())
}

/// Marks a booking served (已服务) by `by` at `at`: one record however many phones confirm it
/// (only a `booked` booking changes; the answer says whether this one did).
pub async fn serve(
    conn: &mut Conn,
    id: Uuid,
    at: DateTime<Utc>,
    by: Uuid,
    offline: bool,
    version: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE bookings SET state = 'served', served_at = ?, served_by = ?, served_offline = ?,
                             version = ?
         WHERE id = ? AND state = 'booked'",
    )
    .bind(time_text(at))
    .bind(by.to_string())
    .bind(offline)
    .bind(version)
    .bind(id.to_string())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Marks a booked booking 未到 (its slot ended without the resident).
pub async fn mark_no_show(conn: &mut Conn, id: Uuid, version: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE bookings SET state = 'no_show', version = ? WHERE id = ? AND state = 'booked'",
    )
    .bind(version)
    .bind(id.to_string())
    .execute(conn)
    .await?;
    Ok(())
}

/// Whether this person gives this service as a volunteer.
pub async fn volunteers_for(
    conn: &mut Conn,
    service_id: Uuid,
    user_id: Uuid,
) -> Result<bool, sqlx::Error> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM market_service_volunteers WHERE service_id = ? AND user_id = ?",
    )
    .bind(service_id.to_string())
    .bind(user_id.to_string())
    .fetch_optional(conn)
    .await?;
    Ok(found.is_some())
}

/// Who may see which bookings in a pull: their households' (with the pass), their staffed
/// communities' and the services they volunteer for.
#[derive(Clone, Debug, Default)]
pub struct BookingScope {
    pub households: Vec<String>,
    pub staffed: Vec<String>,
    pub services: Vec<String>,
}

impl BookingScope {
    pub fn is_empty(&self) -> bool {
        self.households.is_empty() && self.staffed.is_empty() && self.services.is_empty()
    }

    /// `(household_id IN (…) OR community_id IN (…) OR service_id IN (…))` and its binds.
    pub(super) fn condition(&self, prefix: &str) -> (String, Vec<&String>) {
        let mut parts = Vec::new();
        let mut binds = Vec::new();
        for (column, ids) in [
            ("household_id", &self.households),
            ("community_id", &self.staffed),
            ("service_id", &self.services),
        ] {
            if !ids.is_empty() {
                parts.push(format!(
                    "{prefix}{column} IN ({})",
                    vec!["?"; ids.len()].join(", ")
                ));
                binds.extend(ids.iter());
            }
        }
        (format!("({})", parts.join(" OR ")), binds)
    }
}

/// The bookings in `scope` changed after `cursor`, up to `upto`.
pub async fn changed_since(
    conn: &mut Conn,
    scope: &BookingScope,
    cursor: i64,
    upto: i64,
) -> Result<Vec<BookingRow>, sqlx::Error> {
    if scope.is_empty() {
        return Ok(Vec::new());
    }
    let (condition, binds) = scope.condition("b.");
    let sql = format!(
        "{SELECT} WHERE {condition} AND b.version > ? AND b.version <= ? ORDER BY b.version"
    );
    let mut query = sqlx::query(&sql);
    for id in binds {
        query = query.bind(id);
    }
    let rows = query.bind(cursor).bind(upto).fetch_all(conn).await?;
    rows.iter().map(booking_row).collect()
}

/// The services a person gives as a volunteer.
pub async fn services_volunteered(
    conn: &mut Conn,
    user_id: Uuid,
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT service_id FROM market_service_volunteers WHERE user_id = ?")
        .bind(user_id.to_string())
        .fetch_all(conn)
        .await
}

fn booking_row(row: &sqlx::sqlite::SqliteRow) -> Result<BookingRow, sqlx::Error> {
    let state: String = row.try_get("state")?;
    let day: String = row.try_get("day")?;
    let served_at: Option<String> = row.try_get("served_at")?;
    Ok(BookingRow {
        id: uuid_col(row, "id")?,
        slot_id: uuid_col(row, "slot_id")?,
        service_id: uuid_col(row, "service_id")?,
        community_id: row.try_get("community_id")?,
        household_id: uuid_col(row, "household_id")?,
        booked_by: row
            .try_get::<Option<String>, _>("booked_by")?
            .and_then(|id| Uuid::parse_str(&id).ok()),
        for_name: row.try_get("for_name")?,
        on_behalf: row.try_get("on_behalf")?,
        note: row.try_get("note")?,
        state: BookingState::from_code(&state)
            .ok_or_else(|| sqlx::Error::Decode(format!("unknown booking state {state}").into()))?,
        day: domain::time::parse_day(&day)
            .ok_or_else(|| sqlx::Error::Decode(format!("a booking day, not {day}").into()))?,
        pass: row.try_get("pass")?,
        starts_at: parse_time(&row.try_get::<String, _>("starts_at")?),
        ends_at: parse_time(&row.try_get::<String, _>("ends_at")?),
        served_at: served_at.as_deref().map(parse_time),
        served_by: row.try_get("served_by_name")?,
        cancel_reason: row.try_get("cancel_reason")?,
        at_home: row.try_get("at_home")?,
        version: row.try_get("version")?,
    })
}
