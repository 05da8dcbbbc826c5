//! Opening a service's market days: its slots for one day, cut by the domain's
//! `ServiceSetup` (timed slots, the two door-to-door windows, or a walk-in service's open
//! hours) with seats from the volunteers who give it. Used by `add_market_day`, by
//! `create_market_service` for a monthly rule's next days, by the minute task as each market
//! day passes, and by the demo — one way to make slots.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use domain::market::schedule::{monthly_days, DAYS_AHEAD};
use uuid::Uuid;

use crate::store::market::{self, NewSlot, ServiceRow};
use crate::store::{self, Conn};

/// Whether the service has any slot (open, closed or called off) that Beijing day.
pub async fn has_day(
    conn: &mut Conn,
    service_id: Uuid,
    day: NaiveDate,
) -> Result<bool, sqlx::Error> {
    let from = domain::time::from_beijing(day.and_time(chrono::NaiveTime::MIN));
    Ok(
        !market::slots_of_service_between(conn, service_id, from, from + Duration::days(1))
            .await?
            .is_empty(),
    )
}

/// Opens one day of a service: its slots, each with the seats its volunteers give. The caller
/// checked the day has none yet. Returns how many slots it made.
pub async fn open_day(
    conn: &mut Conn,
    service: &ServiceRow,
    day: NaiveDate,
    version: i64,
) -> Result<usize, sqlx::Error> {
    let times = service
        .setup
        .day_slots()
        .map_err(|e| sqlx::Error::Protocol(format!("stored hours of {}: {e:?}", service.id)))?;
    let seats = service
        .setup
        .seats(market::volunteer_count(conn, service.id).await?);
    for slot in &times {
        market::insert_slot(
            conn,
            &NewSlot {
                id: Uuid::new_v4(),
                service_id: service.id,
                community_id: &service.community_id,
                starts_at: domain::time::from_beijing(day.and_time(slot.starts)),
                ends_at: domain::time::from_beijing(day.and_time(slot.ends)),
                capacity: seats,
                closed: service.setup.walk_in,
            },
            version,
        )
        .await?;
    }
    Ok(times.len())
}

/// Opens the next `DAYS_AHEAD` days of a service's monthly rule that are not open yet (a day
/// called off keeps its closed slots, so it is not opened again). Returns the days opened.
pub async fn open_rule_days(
    conn: &mut Conn,
    service: &ServiceRow,
    now: DateTime<Utc>,
    version: i64,
) -> Result<usize, sqlx::Error> {
    let Some(day_of_month) = service.monthly_day else {
        return Ok(0);
    };
    let mut opened = 0;
    for day in monthly_days(day_of_month, domain::ledger::china_date(now), DAYS_AHEAD) {
        if !has_day(conn, service.id, day).await? {
            open_day(conn, service, day, version).await?;
            opened += 1;
        }
    }
    Ok(opened)
}

/// Every monthly rule's coming days (the minute task, the demo): one version for all.
pub async fn open_all_rule_days(
    conn: &mut Conn,
    now: DateTime<Utc>,
    version: i64,
) -> Result<usize, sqlx::Error> {
    let mut opened = 0;
    for service in market::services_with_rule(conn).await? {
        opened += open_rule_days(conn, &service, now, version).await?;
    }
    Ok(opened)
}

/// The minute task: opens each monthly rule's next day as the last one passes, in one write
/// that commits only when a day was opened.
pub async fn open_coming_days(
    db: &crate::store::Db,
    now: DateTime<Utc>,
) -> Result<usize, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let version = store::next_version(&mut tx).await?;
    let opened = open_all_rule_days(&mut tx, now, version).await?;
    if opened > 0 {
        tx.commit().await?;
    }
    Ok(opened)
}
