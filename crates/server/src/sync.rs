//! The sync engine's reading side: pulls (what changed since the cursor that this person may
//! see, and this installation's results), and deciding scoring rounds whose window ended.
//! Pushes — exactly-once processing with group commit — are `push`'s.

use chrono::Utc;
use domain::wire::{entity, Change, Op, PullRequest, PullResponse};
use uuid::Uuid;

use crate::auth::Principal;
use crate::error::AppError;
use crate::mutators;
use crate::store::{self, Db};
use crate::{policy, views};

/// The most changes one pull answers (a page; about 1 MB at the demo's row sizes).
pub const PULL_PAGE: usize = 1000;

/// The changes since the cursor that this person may see, and this client's results.
pub async fn pull(
    db: &Db,
    principal: &Principal,
    request: &PullRequest,
) -> Result<PullResponse, AppError> {
    let scope = policy::pull_scope(principal);
    let mut tx = db.begin_read().await?;
    // Read the version first: everything read below is at least as new, so nothing
    // committed after this snapshot can slip under the returned cursor.
    let version = store::current_version(&mut tx).await?;
    let epoch = store::epoch(&mut tx).await?;
    let mut cursor = request.cursor.unwrap_or(0) as i64;
    // A cursor from another copy of the data (the server was restored from a backup), or
    // from beyond this one's counter, cannot be trusted: the phone starts again from nothing
    // and forgets the rows it had, which this copy may never have held.
    let reset =
        cursor > 0 && (cursor > version || request.epoch.as_ref().is_some_and(|e| *e != epoch));
    if reset {
        cursor = 0;
    }
    // A person whose scope widened since this cursor (a new role, a new community) gets
    // everything now visible: the pull starts again from nothing.
    if cursor < store::people::scope_version(&mut tx, principal.user_id).await? {
        cursor = 0;
    }
    let mut communities = scope.communities.clone();
    for id in store::people::communities_of_townships(&mut tx, &scope.townships).await? {
        if !communities.contains(&id) {
            communities.push(id);
        }
    }
    let staff_of = policy::staff_scope(principal);
    let volunteered = store::bookings::services_volunteered(&mut tx, principal.user_id).await?;
    let booking_scope = policy::booking_scope(principal, volunteered.clone());
    let checks_passes = policy::checks_passes(principal);
    let visit_scope = policy::visit_scope(principal);
    // One page: every change up to the version of the PULL_PAGE-th (so a page is complete up
    // to its cursor), and the phone pulls again while `has_more`.
    let rows = store::sync::PullRows {
        communities: &communities,
        staffed: &staff_of,
        bookings: &booking_scope,
        visits: &visit_scope,
        pass_keys: checks_passes,
    };
    let page_end = store::sync::page_end(&mut tx, &rows, cursor, PULL_PAGE).await?;
    let (upto, has_more) = match page_end {
        Some(end) if end < version => (end, true),
        _ => (version, false),
    };
    let issues = store::issues::changed_since(&mut tx, &communities, cursor, upto).await?;
    let ids: Vec<Uuid> = issues.iter().map(|row| row.id).collect();
    let records = store::issues::loop_records_of(&mut tx, &ids).await?;
    let within = |v: i64| v <= upto;
    let mut dialogues = store::dialogues::changed_since(&mut tx, &communities, cursor).await?;
    dialogues.retain(|row| within(row.version));
    let community_rows =
        store::communities::changed_since(&mut tx, &communities, cursor, upto).await?;
    let market_services =
        store::market::services_changed_since(&mut tx, &communities, cursor, upto).await?;
    let market_slots =
        store::market::slots_changed_since(&mut tx, &communities, cursor, upto).await?;
    let bookings = store::bookings::changed_since(&mut tx, &booking_scope, cursor, upto).await?;
    let waitlist =
        store::waitlist::changed_since(&mut tx, &booking_scope.households, cursor, upto).await?;
    let visits = store::parking::visits_changed_since(&mut tx, &visit_scope, cursor, upto).await?;
    let pools = store::parking::pools_changed_since(&mut tx, &communities, cursor, upto).await?;
    // One moment for every view of this page (the door-to-door address is the day's).
    let now = Utc::now();
    let mut pools_held = Vec::with_capacity(pools.len());
    for pool in pools {
        let held = store::parking::held_spans(&mut tx, pool.id, None, now).await?;
        pools_held.push((pool, held));
    }
    let pass_keys = if checks_passes {
        store::pass_keys::changed_since(&mut tx, cursor, upto).await?
    } else {
        Vec::new()
    };
    // Guards keep the households of their gate too (a walk-up names the one visited).
    let households_of = policy::household_scope(principal);
    let mut households = store::households::changed_since(&mut tx, &households_of, cursor).await?;
    households.retain(|row| within(row.version));
    let mut people = store::people::people_changed_since(&mut tx, &staff_of, cursor).await?;
    people.retain(|row| within(row.version));
    let mut invitations =
        store::invitations::changed_since(&mut tx, &staff_of, principal.user_id, cursor).await?;
    invitations.retain(|row| within(row.version));
    // Removed rows: staff rows only to the staff of their community.
    let removed: Vec<(String, String)> =
        store::sync::tombstones_since(&mut tx, &communities, cursor, upto)
            .await?
            .into_iter()
            .filter(|(entity, _, community)| {
                !policy::is_staff_entity(entity) || staff_of.contains(community)
            })
            .map(|(entity, id, _)| (entity, id))
            .collect();
    // Labels and names the staff views show, looked up once each.
    let mut households_by_id = std::collections::HashMap::new();
    let referenced = people
        .iter()
        .filter_map(|p| p.household_id)
        .chain(invitations.iter().filter_map(|i| i.household_id))
        .chain(
            bookings
                .iter()
                .filter(|b| {
                    policy::booking_sight(principal, b) != policy::BookingSight::Volunteer
                        || policy::volunteer_sees_address(b, now)
                })
                .map(|b| b.household_id),
        )
        .chain(
            visits
                .iter()
                .filter(|v| policy::visit_sight(principal, v) == policy::VisitSight::Gate)
                .map(|v| v.household_id),
        );
    for id in referenced {
        if let std::collections::hash_map::Entry::Vacant(entry) = households_by_id.entry(id) {
            entry.insert(store::households::by_id(&mut tx, id).await?);
        }
    }
    let mut name_of = std::collections::HashMap::new();
    for id in invitations.iter().filter_map(|i| i.person_id) {
        if let std::collections::hash_map::Entry::Vacant(entry) = name_of.entry(id) {
            entry.insert(
                store::people::user_by_id(&mut tx, id)
                    .await?
                    .map(|u| u.display_name),
            );
        }
    }
    let client = store::sync::client(&mut tx, request.client_id).await?;
    let (last_seq, results) = match client {
        Some(client) if policy::may_use_client(principal, &client) => (
            client.last_seq,
            store::sync::results_since(&mut tx, request.client_id, cursor).await?,
        ),
        Some(_) => return Err(AppError::Forbidden("这台设备的同步编号属于另一个账号")),
        None => (0, Vec::new()),
    };
    tx.commit().await?;
    let put = |entity: &str, id: String, data: serde_json::Value| Change {
        entity: entity.to_string(),
        id,
        op: Op::Put,
        data: Some(data),
    };
    let household_of =
        |id: Option<Uuid>| id.and_then(|id| households_by_id.get(&id).cloned().flatten());
    let mut changes: Vec<Change> = issues
        .iter()
        .map(|row| {
            put(
                entity::ISSUE,
                row.id.to_string(),
                views::json(&views::issue_view(principal, row, &records)),
            )
        })
        .collect();
    changes.extend(community_rows.iter().map(|row| {
        put(
            entity::COMMUNITY,
            row.id.clone(),
            views::json(&views::community_view(row)),
        )
    }));
    changes.extend(market_services.iter().map(|row| {
        put(
            entity::MARKET_SERVICE,
            row.id.to_string(),
            views::json(&views::market_service_view(
                row,
                policy::serves(principal, row, &volunteered),
            )),
        )
    }));
    changes.extend(market_slots.iter().map(|row| {
        put(
            entity::MARKET_SLOT,
            row.slot.id.to_string(),
            views::json(&views::market_slot_view(row)),
        )
    }));
    changes.extend(bookings.iter().map(|row| {
        let view = views::booking_view(
            principal,
            row,
            household_of(Some(row.household_id)).as_ref(),
            now,
        );
        put(entity::BOOKING, row.id.to_string(), views::json(&view))
    }));
    changes.extend(waitlist.iter().map(|row| {
        put(
            entity::WAITLIST,
            row.id.to_string(),
            views::json(&views::waitlist_view(row)),
        )
    }));
    changes.extend(pools_held.into_iter().map(|(pool, held)| {
        put(
            entity::PARKING_POOL,
            pool.community_id.clone(),
            views::json(&views::parking_pool_view(&pool, held)),
        )
    }));
    changes.extend(visits.iter().map(|row| {
        let view = views::visit_view(
            principal,
            row,
            household_of(Some(row.household_id)).as_ref(),
        );
        put(entity::VISIT, row.id.to_string(), views::json(&view))
    }));
    changes.extend(pass_keys.iter().map(|(key_id, public, retired)| {
        put(
            entity::PASS_KEY,
            key_id.to_string(),
            views::json(&views::pass_key_view(*key_id, public, *retired)),
        )
    }));
    changes.extend(dialogues.iter().map(|row| {
        put(
            entity::DIALOGUE,
            row.id.to_string(),
            views::json(&views::dialogue_view(row)),
        )
    }));
    changes.extend(households.iter().map(|row| {
        put(
            entity::HOUSEHOLD,
            row.id.to_string(),
            views::json(&views::household_view(row)),
        )
    }));
    changes.extend(people.iter().map(|row| {
        let view = views::person_view(row, household_of(row.household_id).as_ref());
        put(
            entity::PERSON,
            format!("{}:{}", row.community_id, row.id),
            views::json(&view),
        )
    }));
    changes.extend(invitations.iter().map(|row| {
        let person = row
            .person_id
            .and_then(|id| name_of.get(&id).cloned().flatten());
        let view = views::invitation_view(row, household_of(row.household_id).as_ref(), person);
        put(entity::INVITATION, row.id.to_string(), views::json(&view))
    }));
    changes.extend(removed.into_iter().map(|(entity, id)| Change {
        entity,
        id,
        op: Op::Del,
        data: None,
    }));
    Ok(PullResponse {
        cursor: upto as u64,
        last_seq,
        changes,
        results,
        has_more,
        epoch,
        reset,
    })
}

/// Decides every scoring round whose window has ended (run every minute, and at start).
pub async fn settle_due_rounds(db: &Db, now: chrono::DateTime<Utc>) -> Result<usize, sqlx::Error> {
    let due = {
        let mut conn = db.pool().acquire().await?;
        store::issues::due_rounds(&mut conn, now).await?
    };
    let mut settled = 0;
    for issue_id in due {
        let mut tx = db.begin_write().await?;
        let version = store::next_version(&mut tx).await?;
        if mutators::settle_due_round(&mut tx, issue_id, now, version).await? {
            tx.commit().await?;
            settled += 1;
        } else {
            tx.rollback().await?;
        }
    }
    Ok(settled)
}

/// Sends the door-to-door address to the volunteers' phones when a booking's day begins, and
/// takes it back after (run every minute; one write when anything changes).
pub async fn turn_door_to_door_days(
    db: &Db,
    now: chrono::DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let version = store::next_version(&mut tx).await?;
    let changed =
        store::bookings::turn_door_to_door_days(&mut tx, domain::ledger::china_date(now), version)
            .await?;
    if changed > 0 {
        tx.commit().await?;
    }
    Ok(changed)
}

/// Moves on the seats of waitlist offers that ran out unanswered (run every minute): each
/// such slot's offer lapses and its seat is offered to the next household in line.
pub async fn settle_lapsed_offers(
    db: &Db,
    now: chrono::DateTime<Utc>,
) -> Result<usize, sqlx::Error> {
    let slots = {
        let mut conn = db.pool().acquire().await?;
        store::waitlist::slots_with_lapsed_offers(&mut conn, now).await?
    };
    for slot_id in &slots {
        let mut tx = db.begin_write().await?;
        let version = store::next_version(&mut tx).await?;
        mutators::settle_lapsed_offers(&mut tx, *slot_id, now, version).await?;
        tx.commit().await?;
    }
    Ok(slots.len())
}
