//! 公益集市 and 共享小屋 as stored: the demo's 九龙花园 market on the 9th of the next two months,
//! its slots and capacities from the schedule rules, and a database that refuses an
//! overbooked slot whatever the code above it does.

use chrono::{Datelike, Duration, Timelike, Utc};
use domain::market::booking::{decide, Limits, Refusal};
use server::store;

use crate::helpers::*;

async fn service(app: &TestApp, name: &str) -> uuid::Uuid {
    let mut conn = app.db.pool().acquire().await.unwrap();
    store::market::services_of(&mut conn, "jiulong")
        .await
        .unwrap()
        .into_iter()
        .find(|(_, n)| n == name)
        .unwrap_or_else(|| panic!("the demo has {name}"))
        .0
}

#[tokio::test]
async fn the_demo_market_is_on_the_ninth_with_two_barbers_in_half_hour_slots() {
    let app = spawn().await;
    let mut conn = app.db.pool().acquire().await.unwrap();
    let names: Vec<String> = store::market::services_of(&mut conn, "jiulong")
        .await
        .unwrap()
        .into_iter()
        .map(|(_, name)| name)
        .collect();
    assert_eq!(
        names,
        ["理发", "缝补", "跑买办", "水电维修", "共享厨房", "健康体检"]
    );
    let haircut = service(&app, "理发").await;
    let slots = store::market::slots_of_service(&mut conn, haircut)
        .await
        .unwrap();
    // Six half-hour slots on each of the next two market days, two seats each.
    assert_eq!(slots.len(), 12);
    assert!(slots.iter().all(|s| s.capacity == 2 && s.booked == 0));
    let beijing = |s: &domain::market::booking::SlotState| s.starts_at + Duration::hours(8);
    assert!(slots.iter().all(|s| beijing(s).day() == 9));
    assert_eq!(
        (beijing(&slots[0]).hour(), beijing(&slots[0]).minute()),
        (8, 30)
    );
    assert_eq!(slots[0].ends_at - slots[0].starts_at, Duration::minutes(30));
    assert!(slots[0].starts_at > Utc::now() - Duration::days(1));
    // Door-to-door: a morning and an afternoon window per day, three per volunteer.
    let errands = service(&app, "跑买办").await;
    let windows = store::market::slots_of_service(&mut conn, errands)
        .await
        .unwrap();
    assert_eq!(windows.len(), 4);
    assert!(windows.iter().all(|w| w.capacity == 3));
}

#[tokio::test]
async fn a_full_slot_is_refused_by_the_rules_and_by_the_database() {
    let app = spawn().await;
    let haircut = service(&app, "理发").await;
    let mut conn = app.db.pool().acquire().await.unwrap();
    let slots = store::market::slots_of_service(&mut conn, haircut)
        .await
        .unwrap();
    let first = slots[0].id.to_string();
    sqlx::query("UPDATE market_slots SET booked = capacity WHERE id = ?")
        .bind(&first)
        .execute(&mut *conn)
        .await
        .unwrap();
    let slots = store::market::slots_of_service(&mut conn, haircut)
        .await
        .unwrap();
    let before = slots[0].starts_at - Duration::hours(3);
    let refused = decide(&slots[0], 0, &slots, &Limits::default(), before);
    assert_eq!(
        refused,
        Err(Refusal::Full {
            alternatives: vec![slots[1].id, slots[2].id, slots[3].id]
        })
    );
    // One more than the seats: the database's own check refuses it.
    let over = sqlx::query("UPDATE market_slots SET booked = booked + 1 WHERE id = ?")
        .bind(&first)
        .execute(&mut *conn)
        .await;
    assert!(
        over.is_err(),
        "a slot can never hold more bookings than seats"
    );
}

/// Every page of a first pull.
async fn pull_all(phone: &Phone) -> Vec<domain::wire::Change> {
    let mut changes = Vec::new();
    let mut cursor = None;
    loop {
        let page = phone.pull(cursor).await;
        changes.extend(page.changes);
        if !page.has_more {
            return changes;
        }
        cursor = Some(page.cursor);
    }
}

#[tokio::test]
async fn members_of_the_community_pull_its_services_and_slots_and_no_one_else_does() {
    use domain::wire::{entity, MarketServiceView, MarketSlotView};
    let app = spawn().await;
    let jiulong = app.signed_in("13900000004").await;
    let changes = pull_all(&jiulong).await;
    let services: Vec<MarketServiceView> = changes
        .iter()
        .filter(|c| c.entity == entity::MARKET_SERVICE)
        .map(|c| serde_json::from_value(c.data.clone().unwrap()).unwrap())
        .collect();
    let slots: Vec<MarketSlotView> = changes
        .iter()
        .filter(|c| c.entity == entity::MARKET_SLOT)
        .map(|c| serde_json::from_value(c.data.clone().unwrap()).unwrap())
        .collect();
    assert_eq!(services.len(), 6);
    // 理发 and 缝补 12 each, the door-to-door windows 4 each, the kitchen 6, health checks 12.
    assert_eq!(slots.len(), 50);
    let haircut = services.iter().find(|s| s.name == "理发").unwrap();
    assert_eq!(haircut.place, "新时代文明实践站");
    assert_eq!(haircut.venue, "market");
    assert!(slots
        .iter()
        .filter(|s| s.service_id == haircut.id)
        .all(|s| s.capacity == 2 && s.booked == 0 && !s.closed));
    // Another community's resident receives none of it.
    let shanwan = app.signed_in(RESIDENT_SHANWAN).await;
    let theirs = pull_all(&shanwan).await;
    assert!(!theirs
        .iter()
        .any(|c| c.entity == entity::MARKET_SERVICE || c.entity == entity::MARKET_SLOT));
    // A later pull from the cursor sends none of it again.
    let first = jiulong.pull(None).await;
    let mut cursor = first.cursor;
    let mut more = first.has_more;
    while more {
        let page = jiulong.pull(Some(cursor)).await;
        cursor = page.cursor;
        more = page.has_more;
    }
    assert!(jiulong.pull(Some(cursor)).await.changes.is_empty());
}
