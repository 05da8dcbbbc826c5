//! 孝心车位 on the server: the effects of the visit mutations (their rules are
//! `domain::parking`'s, decided here inside the writer's transaction with the pool's live
//! visits, so concurrent registrations never overfill it), and the minute task that flags
//! overstays and deletes old plates.
//!
//! Who may do what is `policy`'s; these refuse only what does not fit the state of things.

use chrono::{DateTime, Duration, Utc};
use domain::market::pass;
use domain::mutation::{ApproveWalkUp, ChangeVisit, Gate, RegisterVisit, RequestWalkUp};
use domain::parking::plate::PlateKind;
use domain::parking::visit::{self, Ask, HouseholdUse, ParkRefusal};
use domain::parking::{Span, VisitStatus};
use domain::{RejectCode, Rejection};
use uuid::Uuid;

use crate::auth::Principal;
use crate::mutators::ApplyError;
use crate::policy::{self, Facts};
use crate::store::parking::{self as parking_store, NewVisit, PoolRow, VisitChange, VisitRow};
use crate::store::{self, Conn, Db};

/// Overstays within this many days count against the household's limit.
const OVERSTAY_DAYS: i64 = 30;

fn refused(refusal: ParkRefusal) -> ApplyError {
    Rejection::from(refusal).into()
}

fn wrong_state(visit: &VisitRow) -> ApplyError {
    refused(ParkRefusal::WrongState {
        status: visit.status,
    })
}

/// What the household holds and used around `window` (`except`: the visit being changed).
async fn household_use(
    conn: &mut Conn,
    household_id: Uuid,
    window: Span,
    except: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<HouseholdUse, sqlx::Error> {
    parking_store::household_use(
        conn,
        household_id,
        visit::week_of(window.starts_at),
        window,
        except,
        now - Duration::days(OVERSTAY_DAYS),
    )
    .await
}

/// Decides a window for a visit of `household_id` against the pool's other live visits.
async fn decide(
    conn: &mut Conn,
    pool: &PoolRow,
    household_id: Uuid,
    window: Span,
    except: Option<Uuid>,
    over_limit: bool,
    now: DateTime<Utc>,
) -> Result<(), ApplyError> {
    let others = parking_store::held_spans(conn, pool.id, except, now).await?;
    let household = household_use(conn, household_id, window, except, now).await?;
    visit::decide_window(&Ask {
        rules: &pool.rules,
        others: &others,
        window,
        household,
        over_limit,
        now,
    })
    .map_err(refused)
}

/// The visit's pass, signed with the current key.
async fn sign(
    conn: &mut Conn,
    visit_id: Uuid,
    pool_id: Uuid,
    window: Span,
    plate_masked: &str,
) -> Result<String, ApplyError> {
    let (key_id, key) = store::pass_keys::current(conn)
        .await?
        .ok_or(sqlx::Error::RowNotFound)?;
    let claims = visit::pass_claims(key_id, visit_id, pool_id, window, plate_masked);
    Ok(pass::sign(&claims, &key))
}

pub async fn register(
    conn: &mut Conn,
    principal: &Principal,
    register: &RegisterVisit,
    facts: &Facts,
    now: DateTime<Utc>,
    version: i64,
) -> Result<(), ApplyError> {
    let pool = facts.pool()?;
    let household_id = match (&facts.household, register.for_household) {
        (Some(household), Some(_)) => household.id,
        _ => policy::resident_household(principal, &pool.community_id)
            .ok_or(Rejection::new(RejectCode::Forbidden))?,
    };
    let window = visit::window(register.arrives_at, register.hours);
    decide(
        conn,
        pool,
        household_id,
        window,
        None,
        register.over_limit,
        now,
    )
    .await?;
    let masked = register.plate.masked();
    let token = sign(conn, register.id, pool.id, window, &masked).await?;
    let short_code = pass::short_code(register.id);
    let inserted = parking_store::insert_visit(
        conn,
        &NewVisit {
            id: register.id,
            pool_id: pool.id,
            community_id: &pool.community_id,
            household_id,
            registered_by: principal.user_id,
            plate: register.plate.as_str(),
            plate_masked: &masked,
            unusual: register.plate.kind() == PlateKind::Unusual,
            window,
            status: VisitStatus::Booked,
            relation: &register.relation,
            note: &register.note,
            walk_up: false,
            over_limit: register.over_limit,
            short_code: &short_code,
            pass: Some(&token),
        },
        now,
        version,
    )
    .await?;
    if !inserted {
        return Err(Rejection::new(RejectCode::Conflict).into());
    }
    parking_store::touch_pool(conn, pool.id, version).await?;
    Ok(())
}

/// Before arrival: a new window, decided like a new visit. While parked: a longer stay, if a
/// spot is free for the added time.
pub async fn change(
    conn: &mut Conn,
    principal: &Principal,
    change: &ChangeVisit,
    facts: &Facts,
    now: DateTime<Utc>,
    version: i64,
) -> Result<(), ApplyError> {
    let visit = facts.visit()?;
    let pool = facts.pool()?;
    // Staff's override of the household's limits holds for the window staff allowed: moved
    // by the household, the visit is weighed like any other.
    let over_limit =
        visit.over_limit && policy::visit_sight(principal, visit) != policy::VisitSight::Household;
    let current = Span::new(visit.arrives_at, visit.leaves_by);
    let window = match visit.status {
        VisitStatus::Booked => {
            let window = visit::window(change.arrives_at, change.hours);
            decide(
                conn,
                pool,
                visit.household_id,
                window,
                Some(visit.id),
                over_limit,
                now,
            )
            .await?;
            window
        }
        VisitStatus::Inside => {
            let longer = visit::window(visit.arrives_at, change.hours);
            let others = parking_store::held_spans(conn, pool.id, Some(visit.id), now).await?;
            visit::decide_extension(&pool.rules, &others, current, longer).map_err(refused)?;
            longer
        }
        _ => return Err(wrong_state(visit)),
    };
    let token = sign(conn, visit.id, pool.id, window, &visit.plate_masked).await?;
    let update = VisitChange {
        window: Some(window),
        pass: Some(Some(&token)),
        ..VisitChange::default()
    };
    parking_store::change_visit(conn, visit.id, &update, version).await?;
    parking_store::touch_pool(conn, pool.id, version).await?;
    Ok(())
}

/// Before arrival (or a walk-up not yet approved): the spot is given back and the pass
/// cleared, which reaches the guards' phones as a revocation.
pub async fn cancel(conn: &mut Conn, facts: &Facts, version: i64) -> Result<(), ApplyError> {
    let visit = facts.visit()?;
    match visit.status {
        VisitStatus::Booked | VisitStatus::Awaiting => {}
        VisitStatus::Inside => return Err(refused(ParkRefusal::AlreadyArrived)),
        _ => return Err(wrong_state(visit)),
    }
    let update = VisitChange {
        status: Some(VisitStatus::Cancelled),
        pass: Some(None),
        ..VisitChange::default()
    };
    parking_store::change_visit(conn, visit.id, &update, version).await?;
    parking_store::touch_pool(conn, visit.pool_id, version).await?;
    Ok(())
}

/// The time a guard's phone gave, kept within reason: never later than now (a phone clock
/// ahead would keep a plate forever), never more than a day before (a phone that stayed
/// offline that long is taken to have pushed now).
fn gate_time(at: DateTime<Utc>, now: DateTime<Utc>) -> DateTime<Utc> {
    at.min(now).max(now - Duration::hours(24))
}

/// 入场: within the visit's window (from an hour before its arrival until its end), so a car
/// never takes a spot at a time nobody held for it; the first guard's time is kept, and a
/// second scan of the same car changes nothing.
pub async fn gate_in(
    conn: &mut Conn,
    gate: &Gate,
    facts: &Facts,
    now: DateTime<Utc>,
    version: i64,
) -> Result<(), ApplyError> {
    let visit = facts.visit()?;
    let at = gate_time(gate.at, now);
    match visit.status {
        VisitStatus::Booked
            if at < visit.arrives_at - Duration::hours(1) || at >= visit.leaves_by =>
        {
            Err(Rejection::explained(
                RejectCode::Conflict,
                format!(
                    "这辆车登记的时间是{}–{}，现在不能入场",
                    domain::time::day_and_clock(visit.arrives_at),
                    domain::time::clock_of(visit.leaves_by)
                ),
                format!(
                    "This car is registered for {}–{}; it cannot come in now",
                    domain::time::day_and_clock(visit.arrives_at),
                    domain::time::clock_of(visit.leaves_by)
                ),
            )
            .into())
        }
        VisitStatus::Booked => {
            let update = VisitChange {
                status: Some(VisitStatus::Inside),
                entered: Some((at, gate.offline)),
                ..VisitChange::default()
            };
            parking_store::change_visit(conn, visit.id, &update, version).await?;
            parking_store::touch_pool(conn, visit.pool_id, version).await?;
            Ok(())
        }
        VisitStatus::Inside => Ok(()),
        _ => Err(wrong_state(visit)),
    }
}

/// 离场: the car leaves (a car whose entry nobody recorded leaves too); a second scan
/// changes nothing.
pub async fn gate_out(
    conn: &mut Conn,
    gate: &Gate,
    facts: &Facts,
    now: DateTime<Utc>,
    version: i64,
) -> Result<(), ApplyError> {
    let visit = facts.visit()?;
    // Never before the car came in.
    let at = gate_time(gate.at, now).max(visit.entered_at.unwrap_or(DateTime::UNIX_EPOCH));
    match visit.status {
        VisitStatus::Booked | VisitStatus::Inside => {
            let update = VisitChange {
                status: Some(VisitStatus::Left),
                left_at: Some(at),
                ..VisitChange::default()
            };
            parking_store::change_visit(conn, visit.id, &update, version).await?;
            parking_store::touch_pool(conn, visit.pool_id, version).await?;
            Ok(())
        }
        VisitStatus::Left => Ok(()),
        _ => Err(wrong_state(visit)),
    }
}

/// A visitor at the gate with no pass: a spot is held for the stay while the household is
/// asked (the pool's rules and the household's limits as for any visit).
pub async fn request_walk_up(
    conn: &mut Conn,
    principal: &Principal,
    walk_up: &RequestWalkUp,
    facts: &Facts,
    now: DateTime<Utc>,
    version: i64,
) -> Result<(), ApplyError> {
    let pool = facts.pool()?;
    let household = facts
        .household
        .as_ref()
        .ok_or(Rejection::new(RejectCode::NotFound))?;
    let window = visit::window(walk_up.at, walk_up.hours);
    decide(conn, pool, household.id, window, None, false, now).await?;
    let masked = walk_up.plate.masked();
    let short_code = pass::short_code(walk_up.id);
    let inserted = parking_store::insert_visit(
        conn,
        &NewVisit {
            id: walk_up.id,
            pool_id: pool.id,
            community_id: &pool.community_id,
            household_id: household.id,
            registered_by: principal.user_id,
            plate: walk_up.plate.as_str(),
            plate_masked: &masked,
            unusual: walk_up.plate.kind() == PlateKind::Unusual,
            window,
            status: VisitStatus::Awaiting,
            relation: "",
            note: &walk_up.note,
            walk_up: true,
            over_limit: false,
            short_code: &short_code,
            pass: None,
        },
        now,
        version,
    )
    .await?;
    if !inserted {
        return Err(Rejection::new(RejectCode::Conflict).into());
    }
    parking_store::touch_pool(conn, pool.id, version).await?;
    Ok(())
}

/// The household lets the walk-up in (the held spot becomes a visit with a pass) or not.
pub async fn approve_walk_up(
    conn: &mut Conn,
    approve: &ApproveWalkUp,
    facts: &Facts,
    version: i64,
) -> Result<(), ApplyError> {
    let visit = facts.visit()?;
    if visit.status != VisitStatus::Awaiting {
        return Err(wrong_state(visit));
    }
    let token;
    let update = if approve.approve {
        let window = Span::new(visit.arrives_at, visit.leaves_by);
        token = sign(conn, visit.id, visit.pool_id, window, &visit.plate_masked).await?;
        VisitChange {
            status: Some(VisitStatus::Booked),
            pass: Some(Some(&token)),
            ..VisitChange::default()
        }
    } else {
        VisitChange {
            status: Some(VisitStatus::Cancelled),
            ..VisitChange::default()
        }
    };
    parking_store::change_visit(conn, visit.id, &update, version).await?;
    parking_store::touch_pool(conn, visit.pool_id, version).await?;
    Ok(())
}

/// Run every minute: cars past their window are flagged (their households are told at the
/// next pull, the guards' lists put them first), and plates older than their pool keeps
/// them are deleted, their visits removed from every phone. One write when anything changed.
pub async fn tend(db: &Db, now: DateTime<Utc>) -> Result<(usize, u64), sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let version = store::next_version(&mut tx).await?;
    let pools = parking_store::flag_overstays(&mut tx, now, version).await?;
    for pool in &pools {
        parking_store::touch_pool(&mut tx, *pool, version).await?;
    }
    let purged = parking_store::purge_plates(&mut tx, now, version).await?;
    if pools.is_empty() && purged == 0 {
        tx.rollback().await?;
    } else {
        tx.commit().await?;
    }
    Ok((pools.len(), purged))
}
