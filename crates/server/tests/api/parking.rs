//! 孝心车位 through the API: a resident registers a visit and gets a pass, a full window is
//! refused with free windows, the guard lets the car in and out, an overstay is flagged and
//! told, a walk-up is approved by the household, a thousand registrations at once never hold
//! more than the twelve spots, and old plates are deleted with the deletion pulled.

use chrono::{DateTime, Duration, NaiveTime, Utc};
use domain::mutation::{GateInArgs, GateOutArgs};
use domain::parking::visit::{
    ApproveWalkUpArgs, GateArgs, RegisterVisitArgs, RequestWalkUpArgs, SetParkingPoolArgs,
};
use domain::parking::PoolRules;
use domain::wire::{Change, Op, ResultStatus};
use uuid::Uuid;

use crate::helpers::*;

const GUARD: &str = GUARD_SHANWAN;
const STAFF: &str = "13900000301";

/// Tomorrow at `hour`:`minute` in Beijing.
fn tomorrow_at(hour: u32, minute: u32) -> DateTime<Utc> {
    let day = domain::ledger::china_date(Utc::now()) + Duration::days(1);
    domain::time::from_beijing(day.and_time(NaiveTime::from_hms_opt(hour, minute, 0).unwrap()))
}

fn visit(plate: &str, arrives_at: DateTime<Utc>, hours: u32) -> RegisterVisitArgs {
    RegisterVisitArgs {
        id: Uuid::new_v4(),
        plate: plate.into(),
        arrives_at,
        hours,
        relation: "child".into(),
        note: "白色轿车".into(),
        for_household: None,
        over_limit: false,
    }
}

fn gate(visit_id: Uuid) -> GateArgs {
    GateArgs {
        visit_id,
        at: Utc::now(),
        offline: true,
    }
}

/// The data of the last change of `entity` with `id` in a pull.
fn row<'a>(changes: &'a [Change], entity: &str, id: Uuid) -> Option<&'a serde_json::Value> {
    changes
        .iter()
        .rev()
        .find(|c| c.entity == entity && c.id == id.to_string())
        .and_then(|c| c.data.as_ref())
}

#[tokio::test]
async fn a_resident_registers_a_visit_the_guard_lets_it_in_and_out_and_others_see_no_plate() {
    let app = spawn().await;
    // No opening hours, so the car can arrive now whatever the hour of the test run.
    let staff = app.signed_in(STAFF).await;
    let open_all_day = SetParkingPoolArgs {
        community_id: "shanwan".into(),
        rules: PoolRules::default(),
    };
    assert_eq!(staff.act(&open_all_day).await.status, ResultStatus::Applied);
    let resident = app.signed_in(RESIDENT_SHANWAN).await;
    let args = visit("苏k·12345", Utc::now(), 4);
    let result = resident.act(&args).await;
    assert_eq!(result.status, ResultStatus::Applied, "{result:?}");

    // The household holds its pass and the plate in full.
    let mine = pull_all(&resident).await;
    let own = row(&mine, "visit", args.id).expect("the household pulls its visit");
    assert_eq!(own["status"], "booked");
    assert_eq!(own["plate"], "苏K12345");
    assert_eq!(own["plate_masked"], "苏K·***45");
    let token = own["pass"].as_str().expect("a pass");
    let claims = domain::market::pass::read(token).unwrap();
    assert_eq!(claims.booking_id, args.id);
    assert_eq!(claims.masked_name, "苏K·***45");
    // The pool's row tells every member when spots are held, with no plate.
    let pool = mine
        .iter()
        .rev()
        .find(|c| c.entity == "parking_pool")
        .and_then(|c| c.data.as_ref())
        .expect("the pool");
    assert_eq!(pool["rules"]["spots"], 12);
    assert!(!pool.to_string().contains("12345"));
    assert_eq!(claims.service_id.to_string(), pool["id"].as_str().unwrap());

    // The guard sees the plate and the household, never the pass; a neighbour sees nothing.
    let guard = app.signed_in(GUARD).await;
    let seen = pull_all(&guard).await;
    let at_gate = row(&seen, "visit", args.id).expect("the guard pulls it");
    assert_eq!(at_gate["plate"], "苏K12345");
    assert!(at_gate.get("pass").is_none());
    assert!(at_gate["household"].as_str().unwrap().contains("201"));
    let neighbour = app.signed_in(RESIDENT_SHANWAN_2).await;
    assert!(row(&pull_all(&neighbour).await, "visit", args.id).is_none());

    // In, then out: the server keeps both times; a second scan changes nothing.
    let entered = gate(args.id);
    assert_eq!(
        guard.act(&GateInArgs(entered.clone())).await.status,
        ResultStatus::Applied
    );
    assert_eq!(
        guard.act(&GateInArgs(gate(args.id))).await.status,
        ResultStatus::Applied
    );
    assert_eq!(
        guard.act(&GateOutArgs(gate(args.id))).await.status,
        ResultStatus::Applied
    );
    let stored = app
        .count(
            "SELECT COUNT(*) FROM visits WHERE id = ? AND status = 'left'
               AND entered_at IS NOT NULL AND left_at IS NOT NULL AND entered_offline = 1",
            &args.id.to_string(),
        )
        .await;
    assert_eq!(stored, 1);
    // A visit for tomorrow cannot come in now, and a cancelled one never.
    let tomorrow = visit("苏K54321", tomorrow_at(15, 0), 2);
    assert_eq!(resident.act(&tomorrow).await.status, ResultStatus::Applied);
    let early = guard.act(&GateInArgs(gate(tomorrow.id))).await;
    assert_eq!(early.code.as_deref(), Some("conflict"));
    assert!(early.message.unwrap().contains("现在不能入场"));
    let later = tomorrow;
    let cancel = domain::parking::visit::CancelVisitArgs { visit_id: later.id };
    assert_eq!(resident.act(&cancel).await.status, ResultStatus::Applied);
    let refused = guard.act(&GateInArgs(gate(later.id))).await;
    assert_eq!(refused.code.as_deref(), Some("conflict"));
    assert!(refused.message.unwrap().contains("已取消"));
}

#[tokio::test]
async fn a_full_window_is_refused_with_the_nearest_free_windows_and_limits_hold() {
    let app = spawn().await;
    let staff = app.signed_in(STAFF).await;
    let one_spot = SetParkingPoolArgs {
        community_id: "shanwan".into(),
        rules: PoolRules {
            spots: 1,
            opens: Some("06:00".into()),
            closes: Some("22:00".into()),
            ..PoolRules::default()
        },
    };
    assert_eq!(staff.act(&one_spot).await.status, ResultStatus::Applied);
    let resident = app.signed_in(RESIDENT_SHANWAN).await;
    let neighbour = app.signed_in(RESIDENT_SHANWAN_2).await;
    let first = visit("苏K12345", tomorrow_at(9, 0), 6);
    assert_eq!(resident.act(&first).await.status, ResultStatus::Applied);
    // The one spot is held 09:00–15:00: an overlapping visit is full, offered windows that fit.
    let refused = neighbour
        .act(&visit("沪A5G321", tomorrow_at(10, 0), 4))
        .await;
    assert_eq!(
        (refused.status, refused.code.as_deref()),
        (ResultStatus::Rejected, Some("full")),
        "{refused:?}"
    );
    assert_eq!(refused.windows.len(), 3);
    assert_eq!(refused.windows[0].starts_at, tomorrow_at(15, 0));
    for window in &refused.windows {
        assert!(window.starts_at >= tomorrow_at(15, 0) || window.ends_at <= tomorrow_at(9, 0));
        assert_eq!(window.ends_at - window.starts_at, Duration::hours(4));
    }
    assert!(refused.message.unwrap().contains("15:00–19:00"));
    // One of those windows is taken as offered.
    let offered = visit("沪A5G321", refused.windows[0].starts_at, 4);
    assert_eq!(neighbour.act(&offered).await.status, ResultStatus::Applied);
    // The household's own limit: one visit at a time.
    let second = resident
        .act(&visit("苏K99999", tomorrow_at(10, 0), 1))
        .await;
    assert_eq!(second.code.as_deref(), Some("conflict"));
    assert!(second.message.unwrap().contains("同一时间最多1辆"));
    // A resident may not override the limits; staff may, and it is recorded.
    let mut over = visit("苏K99999", tomorrow_at(19, 0), 2);
    over.over_limit = true;
    assert_eq!(resident.act(&over).await.code.as_deref(), Some("forbidden"));
    over.for_household = Some(app.household_id("shanwan", "201").await);
    assert_eq!(staff.act(&over).await.status, ResultStatus::Applied);
    let recorded = app
        .count(
            "SELECT COUNT(*) FROM visits WHERE id = ? AND over_limit = 1",
            &over.id.to_string(),
        )
        .await;
    assert_eq!(recorded, 1);
    // Out of hours and too long are refused with the pool's own numbers.
    let late = neighbour
        .act(&visit("苏K11111", tomorrow_at(20, 0), 3))
        .await;
    assert!(late.message.unwrap().contains("06:00到22:00"));
    let long = neighbour
        .act(&visit("苏K11111", tomorrow_at(7, 0), 7))
        .await;
    assert!(long.message.unwrap().contains("最多免费停6小时"));
}

#[tokio::test]
async fn an_overstay_is_flagged_and_told_and_a_walk_up_is_let_in_by_the_household() {
    let app = spawn().await;
    // No opening hours, so a car can arrive now whenever the test runs.
    let staff = app.signed_in(STAFF).await;
    let open_all_day = SetParkingPoolArgs {
        community_id: "shanwan".into(),
        rules: PoolRules::default(),
    };
    assert_eq!(staff.act(&open_all_day).await.status, ResultStatus::Applied);
    let resident = app.signed_in(RESIDENT_SHANWAN).await;
    let guard = app.signed_in(GUARD).await;
    // A visit arriving now for an hour, let in, then its window moved into the past.
    let now_visit = visit("苏K12345", Utc::now(), 1);
    assert_eq!(resident.act(&now_visit).await.status, ResultStatus::Applied);
    assert_eq!(
        guard.act(&GateInArgs(gate(now_visit.id))).await.status,
        ResultStatus::Applied
    );
    let before = resident.pull(None).await.cursor;
    sqlx::query("UPDATE visits SET arrives_at = ?, leaves_by = ? WHERE id = ?")
        .bind(server::store::time_text(Utc::now() - Duration::minutes(90)))
        .bind(server::store::time_text(Utc::now() - Duration::minutes(30)))
        .bind(now_visit.id.to_string())
        .execute(app.db.pool())
        .await
        .unwrap();
    let (flagged, _) = server::tend_parking(&app.db, Utc::now()).await.unwrap();
    assert!(flagged >= 1);
    // The household's next pull carries the visit again: inside, past its window.
    let told = resident.pull(Some(before)).await;
    let overstaying = row(&told.changes, "visit", now_visit.id).expect("told at the next sync");
    assert_eq!(overstaying["status"], "inside");
    let leaves_by = domain::time::parse_instant(overstaying["leaves_by"].as_str().unwrap());
    let minutes = domain::parking::visit::overstay_minutes(
        domain::parking::VisitStatus::Inside,
        leaves_by.unwrap(),
        Utc::now(),
    )
    .unwrap();
    assert_eq!(
        domain::parking::visit::overstay_words(minutes, domain::Lang::Zh),
        "您的访客车辆已超时30分钟"
    );
    // Flagged once, however often the task runs.
    let (again, _) = server::tend_parking(&app.db, Utc::now()).await.unwrap();
    assert_eq!(again, 0);

    // A walk-up for 李建国's household: held while it waits, let in by the household.
    let neighbour = app.signed_in(RESIDENT_SHANWAN_2).await;
    let walk_up = RequestWalkUpArgs {
        id: Uuid::new_v4(),
        plate: "皖A12345".into(),
        household_id: app.household_id("shanwan", "302").await,
        hours: 2,
        at: tomorrow_at(8, 0),
        note: "说是来送药的".into(),
    };
    let asked = guard.act(&walk_up).await;
    assert_eq!(asked.status, ResultStatus::Applied, "{asked:?}");
    let waiting = pull_all(&neighbour).await;
    let awaiting = row(&waiting, "visit", walk_up.id).expect("the household is asked");
    assert_eq!(awaiting["status"], "awaiting");
    assert_eq!(awaiting["walk_up"], true);
    assert!(awaiting.get("pass").is_none());
    // Not the resident of another household.
    let approve = ApproveWalkUpArgs {
        visit_id: walk_up.id,
        approve: true,
    };
    assert_eq!(
        resident.act(&approve).await.code.as_deref(),
        Some("forbidden")
    );
    assert_eq!(neighbour.act(&approve).await.status, ResultStatus::Applied);
    let approved = pull_all(&guard).await;
    assert_eq!(
        row(&approved, "visit", walk_up.id).unwrap()["status"],
        "booked"
    );
    let household = pull_all(&neighbour).await;
    assert!(row(&household, "visit", walk_up.id).unwrap()["pass"].is_string());
}

#[tokio::test]
async fn a_thousand_registrations_at_once_over_overlapping_windows_never_hold_more_than_twelve_spots(
) {
    let app = spawn().await;
    let phones = app.residents("shanwan", 1000).await;
    // Windows between 08:00 and 20:00 tomorrow, of 1 to 6 hours: all of them overlap some.
    let args: Vec<RegisterVisitArgs> = (0..phones.len())
        .map(|k| {
            let start = tomorrow_at(8, 0) + Duration::minutes(30 * (k as i64 % 16));
            visit("苏K12345", start, 1 + (k as u32 % 6))
        })
        .collect();
    let results = futures::future::join_all(
        phones
            .iter()
            .zip(&args)
            .map(|(phone, args)| async move { phone.act(args).await }),
    )
    .await;
    let applied = results
        .iter()
        .filter(|r| r.status == ResultStatus::Applied)
        .count();
    let full = results
        .iter()
        .filter(|r| r.code.as_deref() == Some("full"))
        .count();
    assert_eq!(applied + full, 1000, "every one decided: applied or full");
    assert!(applied >= 12, "the twelve spots were given: {applied}");
    let mut conn = app.db.pool().acquire().await.unwrap();
    let pool = server::store::parking::pool_of(&mut conn, "shanwan")
        .await
        .unwrap()
        .unwrap();
    let peak = server::store::parking::peak_held(&mut conn, pool.id)
        .await
        .unwrap();
    assert!(peak <= 12, "{peak} visits held a spot at one instant");
    // Each refusal offered only windows that really were free then (all of tomorrow is
    // taken here and there; every window offered fits the stay asked for).
    for (result, args) in results.iter().zip(&args) {
        for window in &result.windows {
            assert_eq!(
                window.ends_at - window.starts_at,
                Duration::hours(i64::from(args.hours))
            );
        }
    }
}

#[tokio::test]
async fn plates_are_deleted_after_the_pool_keeps_them_and_every_phone_forgets_the_visit() {
    let app = spawn().await;
    let resident = app.signed_in(RESIDENT_SHANWAN).await;
    let guard = app.signed_in(GUARD).await;
    let args = visit("苏K12345", tomorrow_at(9, 0), 2);
    assert_eq!(resident.act(&args).await.status, ResultStatus::Applied);
    let cursor = pull_all(&guard).await;
    assert!(row(&cursor, "visit", args.id).is_some());
    let guard_cursor = guard.pull(None).await.cursor;
    let resident_cursor = resident.pull(None).await.cursor;
    // The visit ended 31 days ago; the pool keeps plates 30 days.
    sqlx::query("UPDATE visits SET status = 'left', arrives_at = ?, leaves_by = ?, left_at = ? WHERE id = ?")
        .bind(server::store::time_text(Utc::now() - Duration::days(31) - Duration::hours(2)))
        .bind(server::store::time_text(Utc::now() - Duration::days(31)))
        .bind(server::store::time_text(Utc::now() - Duration::days(31)))
        .bind(args.id.to_string())
        .execute(app.db.pool())
        .await
        .unwrap();
    let (_, purged) = server::tend_parking(&app.db, Utc::now()).await.unwrap();
    assert_eq!(purged, 1);
    let kept = app
        .count(
            "SELECT COUNT(*) FROM visits WHERE id = ? AND plate IS NULL AND note = ''
               AND pass IS NULL AND purged_at IS NOT NULL",
            &args.id.to_string(),
        )
        .await;
    assert_eq!(kept, 1, "the row stays for the counts, without its plate");
    for (phone, cursor) in [(&guard, guard_cursor), (&resident, resident_cursor)] {
        let pull = phone.pull(Some(cursor)).await;
        let removed = pull
            .changes
            .iter()
            .find(|c| c.entity == "visit" && c.id == args.id.to_string())
            .expect("the deletion is pulled");
        assert_eq!(removed.op, Op::Del);
        // A phone starting from nothing never receives it again.
        assert!(row(&pull_all(phone).await, "visit", args.id).is_none());
    }
    // The ledger still counts the visit (never its plate): it arrived and left 31 days ago.
    let from = domain::ledger::china_date(Utc::now() - Duration::days(31) - Duration::hours(3));
    let to = domain::ledger::china_date(Utc::now() - Duration::days(31));
    let ledger: serde_json::Value = resident
        .get(&format!(
            "/api/ledger?community=shanwan&from={from}&to={to}"
        ))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(ledger["visits"]["registered"], 1, "{ledger}");
    assert_eq!(ledger["visits"]["came"], 0);
    assert!(!ledger.to_string().contains("12345"));
    // Nothing else was purged: the demo's visits of today keep their plates.
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM visits WHERE plate IS NULL AND id <> ?",
            &args.id.to_string()
        )
        .await,
        0
    );
}

#[tokio::test]
async fn the_households_visits_are_in_the_export_and_an_account_with_visits_can_be_deleted() {
    let app = spawn().await;
    let resident = app.signed_in(RESIDENT_SHANWAN).await;
    let args = visit("苏K12345", tomorrow_at(9, 0), 2);
    assert_eq!(resident.act(&args).await.status, ResultStatus::Applied);
    let export: serde_json::Value = resident.get("/api/me/export").await.json().await.unwrap();
    let visits = export["visits"].as_array().expect("a visits section");
    assert_eq!(visits.len(), 1);
    assert_eq!(visits[0]["plate"], "苏K12345");
    assert!(export["bookings"].is_array());
    let deleted = resident
        .http
        .delete(format!("{}/api/me", resident.base))
        .json(&serde_json::json!({"password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), reqwest::StatusCode::NO_CONTENT);
    // The visit stays the household's (its pass still lets the visitor in), with nobody named.
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM visits WHERE id = ? AND registered_by IS NULL",
            &args.id.to_string()
        )
        .await,
        1
    );
}

#[tokio::test]
async fn an_account_that_booked_the_market_can_be_deleted_and_its_bookings_stay_the_households_without_her_name(
) {
    let app = spawn().await;
    // 赵玉珍 booked a haircut in the demo (through the mutator: she is its `booked_by`).
    let zhao = app.signed_in("13900000004").await;
    let before = app
        .count("SELECT COUNT(*) FROM bookings WHERE for_name = ?", "赵玉珍")
        .await;
    assert!(before >= 1);
    let deleted = zhao
        .http
        .delete(format!("{}/api/me", zhao.base))
        .json(&serde_json::json!({"password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), reqwest::StatusCode::NO_CONTENT);
    // The bookings stay (the market's counts keep them), without her name or account.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM bookings WHERE for_name = ?", "赵玉珍")
            .await,
        0
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM bookings WHERE for_name = ? AND booked_by IS NULL",
            ""
        )
        .await,
        before
    );
}
