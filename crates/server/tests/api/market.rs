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
        [
            "理发",
            "缝补",
            "跑买办",
            "水电维修",
            "共享厨房",
            "健康体检",
            "共享阅览"
        ]
    );
    let haircut = service(&app, "理发").await;
    let slots = store::market::slots_of_service(&mut conn, haircut)
        .await
        .unwrap();
    // Six half-hour slots on each of the next two market days, two seats each.
    assert_eq!(slots.len(), 12);
    assert!(slots.iter().all(|s| s.capacity == 2));
    // One seat already booked in the demo (赵玉珍's haircut at 09:00).
    assert_eq!(slots.iter().map(|s| s.booked).sum::<u32>(), 1);
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
    assert_eq!(services.len(), 7);
    // 理发 and 缝补 12 each, the door-to-door windows 4 each, the kitchen 6, health checks 12,
    // the reading room's open hours 2.
    assert_eq!(slots.len(), 52);
    let haircut = services.iter().find(|s| s.name == "理发").unwrap();
    assert_eq!(haircut.place, "新时代文明实践站");
    assert_eq!(haircut.venue, "market");
    let haircuts: Vec<&MarketSlotView> = slots
        .iter()
        .filter(|s| s.service_id == haircut.id)
        .collect();
    assert!(haircuts.iter().all(|s| s.capacity == 2 && !s.closed));
    assert_eq!(haircuts.iter().map(|s| s.booked).sum::<u32>(), 1);
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

/// The rows of one entity in a first pull.
async fn pulled<T: serde::de::DeserializeOwned>(phone: &Phone, entity: &str) -> Vec<T> {
    pull_all(phone)
        .await
        .into_iter()
        .filter(|c| c.entity == entity && c.data.is_some())
        .map(|c| serde_json::from_value(c.data.unwrap()).unwrap())
        .collect()
}

/// The first slots of 理发, as the rules see them.
async fn haircut_slots(app: &TestApp) -> Vec<domain::market::booking::SlotState> {
    let haircut = service(app, "理发").await;
    let mut conn = app.db.pool().acquire().await.unwrap();
    store::market::slots_of_service(&mut conn, haircut)
        .await
        .unwrap()
}

fn book(slot_id: uuid::Uuid) -> domain::market::booking::BookServiceArgs {
    domain::market::booking::BookServiceArgs {
        id: uuid::Uuid::new_v4(),
        slot_id,
        note: String::new(),
        for_household: None,
    }
}

#[tokio::test]
async fn a_resident_books_a_seat_with_a_pass_the_volunteer_checks_offline_and_cancels_it() {
    use domain::market::booking::{BookingState, CancelBookingArgs};
    use domain::market::pass::{self, PassKey};
    use domain::wire::{entity, BookingView, MarketSlotView, PassKeyView, ResultStatus};
    let app = spawn().await;
    // The second market day's slots: the household's demo booking is on the first.
    let slots = haircut_slots(&app).await.split_off(6);
    let resident = app.signed_in("13900000004").await;
    let args = book(slots[0].id);
    let result = resident.act(&args).await;
    assert_eq!(result.status, ResultStatus::Applied, "{result:?}");

    // The household's phone holds the booking with its pass, under the resident's own name.
    let bookings: Vec<BookingView> = pulled(&resident, entity::BOOKING).await;
    assert_eq!(bookings.len(), 2, "the demo's booking and this one");
    let mine = bookings.iter().find(|b| b.id == args.id).unwrap();
    assert_eq!((mine.id, mine.state), (args.id, BookingState::Booked));
    assert_eq!(mine.who, "赵玉珍");
    assert_eq!(mine.household, "2栋1单元101");
    let token = mine.pass.clone().expect("a booked seat carries its pass");
    let seats: Vec<MarketSlotView> = pulled(&resident, entity::MARKET_SLOT).await;
    let first = seats.iter().find(|s| s.id == slots[0].id).unwrap();
    assert_eq!((first.booked, first.capacity), (1, 2));
    // Residents check no passes: they are sent no keys.
    assert!(pulled::<PassKeyView>(&resident, entity::PASS_KEY)
        .await
        .is_empty());

    // The barber's phone: the public key, and the booking masked, with no pass or note.
    let barber = app.signed_in("13900000101").await;
    let keys: Vec<PassKey> = pulled::<PassKeyView>(&barber, entity::PASS_KEY)
        .await
        .into_iter()
        .filter(|k| !k.retired)
        .map(|k| {
            use base64::Engine;
            let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(&k.public)
                .unwrap();
            PassKey {
                key_id: k.key_id,
                public: bytes.try_into().unwrap(),
            }
        })
        .collect();
    assert_eq!(keys.len(), 1);
    let seen: Vec<BookingView> = pulled(&barber, entity::BOOKING).await;
    // 理发's bookings (the demo's and this one) and 跑买办's: none of 缝补's.
    assert!(seen
        .iter()
        .all(|b| b.service_id == slots[0].service_id || b.who != "林*芬"));
    let this = seen.iter().find(|b| b.id == args.id).unwrap();
    assert_eq!((this.who.as_str(), this.pass.as_ref()), ("赵*珍", None));
    assert!(this.household.is_empty() && this.note.is_empty());
    let morning = slots[0].starts_at;
    let claims = pass::verify(&token, &keys, |_| false, morning).expect("the pass verifies");
    assert_eq!(claims.booking_id, args.id);
    assert_eq!(claims.masked_name, "赵*珍");
    let today = domain::ledger::china_date(morning);
    assert_eq!(
        pass::check_for(&claims, &[slots[0].service_id], today),
        Ok(())
    );

    // One seat per household per service and day: a second is refused with the reason.
    let again = resident.act(&book(slots[1].id)).await;
    assert_eq!(again.code.as_deref(), Some("conflict"));
    assert!(
        again.message.unwrap().contains("每户每天"),
        "household limit"
    );

    // Cancelled: the seat is free again, and the barber's phone learns the pass is void.
    let cancel = resident
        .act(&CancelBookingArgs {
            booking_id: args.id,
        })
        .await;
    assert_eq!(cancel.status, ResultStatus::Applied, "{cancel:?}");
    let mine: Vec<BookingView> = pulled(&resident, entity::BOOKING).await;
    let mine = mine.iter().find(|b| b.id == args.id).unwrap();
    assert_eq!(
        (mine.state, mine.pass.as_ref()),
        (BookingState::Cancelled, None)
    );
    let seen: Vec<BookingView> = pulled(&barber, entity::BOOKING).await;
    let this = seen.iter().find(|b| b.id == args.id).unwrap();
    assert_eq!(this.state, BookingState::Cancelled);
    let seats: Vec<MarketSlotView> = pulled(&resident, entity::MARKET_SLOT).await;
    assert_eq!(
        seats.iter().find(|s| s.id == slots[0].id).unwrap().booked,
        0
    );
    // Cancelling twice is refused, and so is cancelling someone else's booking.
    let twice = resident
        .act(&CancelBookingArgs {
            booking_id: args.id,
        })
        .await;
    assert_eq!(twice.code.as_deref(), Some("conflict"));
    let rebooked = book(slots[0].id);
    assert_eq!(resident.act(&rebooked).await.status, ResultStatus::Applied);
    let other = app.signed_in("13900000102").await;
    let theirs = other
        .act(&CancelBookingArgs {
            booking_id: rebooked.id,
        })
        .await;
    assert_eq!(theirs.code.as_deref(), Some("forbidden"));
}

#[tokio::test]
async fn two_hundred_households_ask_at_once_for_the_last_two_seats_and_two_get_them() {
    use domain::wire::ResultStatus;
    let app = spawn().await;
    let slots = haircut_slots(&app).await;
    let wanted = &slots[2];
    assert_eq!((wanted.capacity, wanted.booked), (2, 0));
    let phones = app.residents("jiulong", 200).await;
    let results = futures::future::join_all(
        phones
            .iter()
            .map(|phone| async move { phone.act(&book(wanted.id)).await }),
    )
    .await;
    let applied = results
        .iter()
        .filter(|r| r.status == ResultStatus::Applied)
        .count();
    let full: Vec<_> = results
        .iter()
        .filter(|r| r.code.as_deref() == Some("full"))
        .collect();
    assert_eq!((applied, full.len()), (2, 198), "{results:?}");
    // Each refusal names the nearest free slots: the one after, then the one before.
    for refused in &full {
        assert_eq!(refused.status, ResultStatus::Rejected);
        assert_eq!(
            refused.alternatives,
            vec![slots[3].id, slots[1].id, slots[4].id]
        );
        assert!(refused.message.as_deref().unwrap().starts_with("名额已满"));
    }
    let booked = app
        .count(
            "SELECT COUNT(*) FROM bookings WHERE slot_id = ? AND state = 'booked'",
            &wanted.id.to_string(),
        )
        .await;
    let counted = app
        .count(
            "SELECT booked FROM market_slots WHERE id = ?",
            &wanted.id.to_string(),
        )
        .await;
    assert_eq!((booked, counted), (2, 2));
    // A refusal answered again (the phone's answer was lost and it pushed the same
    // mutation) comes from the stored result, alternatives included.
    let late = &app.residents("jiulong", 1).await[0];
    let envelope = domain::mutation::Definition::envelope(
        &book(wanted.id),
        1,
        uuid::Uuid::new_v4(),
        chrono::Utc::now(),
    );
    let first = late.push(std::slice::from_ref(&envelope)).await.results;
    let again = late.push(std::slice::from_ref(&envelope)).await.results;
    assert_eq!(first[0].code.as_deref(), Some("full"));
    assert_eq!(first, again);
    assert_eq!(again[0].alternatives.len(), 3);
}

#[tokio::test]
async fn staff_book_for_a_household_that_phoned_and_no_one_books_in_another_community() {
    use domain::market::booking::BookingState;
    use domain::wire::{entity, BookingView, ResultStatus};
    let app = spawn().await;
    let slots = haircut_slots(&app).await.split_off(6);
    let household = app.household_id("jiulong", "101").await;
    let staff = app.signed_in("13900000302").await;
    let args = domain::market::booking::BookServiceArgs {
        for_household: Some(household),
        note: "孙大爷打电话约的".into(),
        ..book(slots[0].id)
    };
    let result = staff.act(&args).await;
    assert_eq!(result.status, ResultStatus::Applied, "{result:?}");
    let seen: Vec<BookingView> = pulled(&staff, entity::BOOKING).await;
    // The community's bookings: the demo's three and this one.
    assert_eq!(seen.len(), 4);
    let this = seen.iter().find(|b| b.id == args.id).unwrap();
    assert!(this.on_behalf);
    assert_eq!(this.state, BookingState::Booked);
    assert_eq!(this.note, "孙大爷打电话约的");
    assert_eq!(this.household, "2栋1单元101");
    assert_eq!(this.pass, None, "staff do not hold the household's pass");
    // The barber's phone names it only as booked by staff: no address.
    let barber = app.signed_in("13900000101").await;
    let barbers: Vec<BookingView> = pulled(&barber, entity::BOOKING).await;
    let this = barbers.iter().find(|b| b.id == args.id).unwrap();
    assert_eq!((this.who.as_str(), this.household.as_str()), ("代预约", ""));
    // The household's own phone holds it with the pass.
    let resident = app.signed_in("13900000004").await;
    let theirs: Vec<BookingView> = pulled(&resident, entity::BOOKING).await;
    let this = theirs.iter().find(|b| b.id == args.id).unwrap();
    assert!(this.pass.is_some() && this.on_behalf);
    // A resident of 山湾 books nothing at 九龙花园, and nobody books a slot that is not there.
    let shanwan = app.signed_in(RESIDENT_SHANWAN).await;
    assert_eq!(
        shanwan.act(&book(slots[1].id)).await.code.as_deref(),
        Some("forbidden")
    );
    assert_eq!(
        shanwan
            .act(&book(uuid::Uuid::new_v4()))
            .await
            .code
            .as_deref(),
        Some("not_found")
    );
    // Staff of 山湾 book nothing for a 九龙花园 household.
    let other_staff = app.signed_in("13900000301").await;
    let refused = other_staff
        .act(&domain::market::booking::BookServiceArgs {
            for_household: Some(household),
            ..book(slots[1].id)
        })
        .await;
    assert_eq!(refused.code.as_deref(), Some("forbidden"));
}

/// A 理发 slot starting in a minute, for a confirmation on the booking's own day (waits out
/// the two minutes around midnight in Beijing, when "today" is about to change).
async fn slot_starting_now(app: &TestApp) -> uuid::Uuid {
    use domain::ledger::china_date;
    loop {
        let now = chrono::Utc::now();
        if china_date(now + Duration::minutes(2)) == china_date(now) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_secs(20)).await;
    }
    let haircut = service(app, "理发").await;
    let mut conn = app.db.pool().acquire().await.unwrap();
    let version = store::next_version(&mut conn).await.unwrap();
    let id = uuid::Uuid::new_v4();
    let starts_at = chrono::Utc::now() + Duration::minutes(1);
    store::market::insert_slot(
        &mut conn,
        &store::market::NewSlot {
            id,
            service_id: haircut,
            community_id: "jiulong",
            starts_at,
            ends_at: starts_at + Duration::minutes(30),
            capacity: 2,
            closed: false,
        },
        version,
    )
    .await
    .unwrap();
    id
}

#[tokio::test]
async fn two_volunteers_phones_confirm_the_same_pass_and_the_server_keeps_one_service_record() {
    use domain::market::booking::{BookingState, ConfirmServiceArgs};
    use domain::wire::{entity, BookingView, ResultStatus};
    let app = spawn().await;
    let slot = slot_starting_now(&app).await;
    let resident = app.signed_in("13900000004").await;
    let args = book(slot);
    assert_eq!(resident.act(&args).await.status, ResultStatus::Applied);
    // The barber's two phones, both offline at the time, confirm the same pass.
    let first = app.signed_in("13900000101").await;
    let second = app.signed_in("13900000101").await;
    let scanned = chrono::Utc::now();
    let confirm = |offline| ConfirmServiceArgs {
        booking_id: args.id,
        confirmed_at: scanned,
        offline,
    };
    let (on_first, on_second) = (confirm(true), confirm(true));
    let (a, b) = tokio::join!(first.act(&on_first), second.act(&on_second));
    assert_eq!(
        (a.status, b.status),
        (ResultStatus::Applied, ResultStatus::Applied)
    );
    let served = app
        .count(
            "SELECT COUNT(*) FROM bookings WHERE id = ? AND state = 'served' AND served_offline = 1",
            &args.id.to_string(),
        )
        .await;
    assert_eq!(served, 1);
    // Both phones, and the household, learn who confirmed it and when.
    for phone in [&first, &second, &resident] {
        let seen: Vec<BookingView> = pulled(phone, entity::BOOKING).await;
        let this = seen.iter().find(|b| b.id == args.id).unwrap();
        assert_eq!(this.state, BookingState::Served);
        assert_eq!(this.served_by, "周德明");
        assert!(this.served_at.is_some());
    }
    // Staff of another community, and a resident, confirm nothing (a volunteer of another
    // service neither: the matrix).
    let elsewhere = app.signed_in("13900000301").await;
    assert_eq!(
        elsewhere.act(&confirm(false)).await.code.as_deref(),
        Some("forbidden")
    );
    assert_eq!(
        resident.act(&confirm(false)).await.code.as_deref(),
        Some("forbidden")
    );
    // A cancelled booking's pass is void; a pass of another day is refused.
    let other = book(slot_starting_now(&app).await);
    let staff = app.signed_in("13900000302").await;
    let for_neighbour = domain::market::booking::BookServiceArgs {
        for_household: Some(app.household_id("jiulong", "302").await),
        ..other.clone()
    };
    assert_eq!(
        staff.act(&for_neighbour).await.status,
        ResultStatus::Applied
    );
    let cancel = domain::market::booking::CancelBookingArgs {
        booking_id: for_neighbour.id,
    };
    assert_eq!(staff.act(&cancel).await.status, ResultStatus::Applied);
    let void = first
        .act(&ConfirmServiceArgs {
            booking_id: for_neighbour.id,
            confirmed_at: chrono::Utc::now(),
            offline: false,
        })
        .await;
    assert_eq!(void.code.as_deref(), Some("conflict"));
    assert!(void.message.unwrap().contains("取消"));
    let future = haircut_slots(&app).await;
    let later = book(future.last().unwrap().id);
    assert_eq!(resident.act(&later).await.status, ResultStatus::Applied);
    let early = first
        .act(&ConfirmServiceArgs {
            booking_id: later.id,
            confirmed_at: chrono::Utc::now(),
            offline: true,
        })
        .await;
    assert_eq!(early.code.as_deref(), Some("conflict"));
    assert!(early.message.unwrap().contains("不是当天"));
}

#[tokio::test]
async fn a_full_slots_waitlist_offers_a_freed_seat_holds_it_and_moves_it_on_when_it_lapses() {
    use domain::market::booking::{
        AcceptPromotionArgs, BookingState, CancelBookingArgs, JoinWaitlistArgs,
    };
    use domain::wire::{entity, BookingView, ResultStatus, WaitlistView};
    let app = spawn().await;
    // 缝补 on the second market day: one seat per slot.
    let sewing = service(&app, "缝补").await;
    let slot = {
        let mut conn = app.db.pool().acquire().await.unwrap();
        store::market::slots_of_service(&mut conn, sewing)
            .await
            .unwrap()
            .last()
            .unwrap()
            .clone()
    };
    let zhao = app.signed_in("13900000004").await;
    let lin = app.signed_in("13900000102").await;
    let others = app.residents("jiulong", 2).await;
    let seat = book(slot.id);
    assert_eq!(zhao.act(&seat).await.status, ResultStatus::Applied);
    // A slot with a seat is booked, not waited for; a full one is waited for, once.
    let join = |id| JoinWaitlistArgs {
        id,
        slot_id: slot.id,
        note: String::new(),
    };
    assert_eq!(lin.act(&book(slot.id)).await.code.as_deref(), Some("full"));
    let lin_entry = uuid::Uuid::new_v4();
    assert_eq!(
        lin.act(&join(lin_entry)).await.status,
        ResultStatus::Applied
    );
    assert_eq!(
        lin.act(&join(uuid::Uuid::new_v4())).await.code.as_deref(),
        Some("conflict")
    );
    let other_entry = uuid::Uuid::new_v4();
    assert_eq!(
        others[0].act(&join(other_entry)).await.status,
        ResultStatus::Applied
    );
    let waiting: Vec<WaitlistView> = pulled(&lin, entity::WAITLIST).await;
    assert_eq!(waiting.len(), 1, "a household sees its own place only");
    assert_eq!(waiting[0].state, "waiting");

    // Accepting before anything is freed is refused with the reason.
    let early = lin
        .act(&AcceptPromotionArgs {
            waitlist_id: lin_entry,
            booking_id: uuid::Uuid::new_v4(),
        })
        .await;
    assert!(early.message.unwrap().contains("还没有空出的名额"));

    // 赵玉珍 cancels: the seat is offered to 林淑芬 (first in line) and held for her.
    let cancel = CancelBookingArgs {
        booking_id: seat.id,
    };
    assert_eq!(zhao.act(&cancel).await.status, ResultStatus::Applied);
    let offered: Vec<WaitlistView> = pulled(&lin, entity::WAITLIST).await;
    assert_eq!(offered[0].state, "offered");
    let until = offered[0].offer_until.expect("an offer has its time");
    assert!(until <= chrono::Utc::now() + Duration::minutes(121));
    assert_eq!(
        others[1].act(&book(slot.id)).await.code.as_deref(),
        Some("full"),
        "a held seat is not free"
    );
    let seats: Vec<domain::wire::MarketSlotView> = pulled(&zhao, entity::MARKET_SLOT).await;
    let this = seats.iter().find(|s| s.id == slot.id).unwrap();
    assert_eq!(
        (this.booked, this.held),
        (0, 1),
        "every phone sees the seat held"
    );

    // Unanswered, the offer lapses (the minute task) and moves on to the next in line.
    let later = chrono::Utc::now() + Duration::hours(3);
    assert_eq!(
        server::settle_lapsed_offers(&app.db, later).await.unwrap(),
        1
    );
    let lapsed: Vec<WaitlistView> = pulled(&lin, entity::WAITLIST).await;
    assert_eq!(lapsed[0].state, "lapsed");
    let late = lin
        .act(&AcceptPromotionArgs {
            waitlist_id: lin_entry,
            booking_id: uuid::Uuid::new_v4(),
        })
        .await;
    assert!(late.message.unwrap().contains("已让给下一位"));
    let theirs: Vec<WaitlistView> = pulled(&others[0], entity::WAITLIST).await;
    assert_eq!(theirs[0].state, "offered");

    // The next household takes it: a booking with a pass; nobody else may take their offer.
    let taken = uuid::Uuid::new_v4();
    let accept = AcceptPromotionArgs {
        waitlist_id: other_entry,
        booking_id: taken,
    };
    assert_eq!(lin.act(&accept).await.code.as_deref(), Some("forbidden"));
    // (Their offer was made at `later`, in the test's future: it is live now.)
    assert_eq!(others[0].act(&accept).await.status, ResultStatus::Applied);
    let bookings: Vec<BookingView> = pulled(&others[0], entity::BOOKING).await;
    let booked = bookings.iter().find(|b| b.id == taken).unwrap();
    assert_eq!(booked.state, BookingState::Booked);
    assert!(booked.pass.is_some());
    let accepted: Vec<WaitlistView> = pulled(&others[0], entity::WAITLIST).await;
    assert_eq!(accepted[0].state, "accepted");

    // A household that books another slot of the service that day leaves the line: one seat
    // a day, however it came.
    let full_again = slot.id;
    let leaving = uuid::Uuid::new_v4();
    assert_eq!(
        others[1].act(&join(leaving)).await.status,
        ResultStatus::Applied
    );
    let other_slot = {
        let mut conn = app.db.pool().acquire().await.unwrap();
        store::market::slots_of_service(&mut conn, sewing)
            .await
            .unwrap()
            .into_iter()
            .rev()
            .find(|s| s.id != full_again && s.booked == 0)
            .unwrap()
    };
    assert_eq!(
        others[1].act(&book(other_slot.id)).await.status,
        ResultStatus::Applied
    );
    let left: Vec<WaitlistView> = pulled(&others[1], entity::WAITLIST).await;
    assert_eq!(left[0].state, "left");
    let counted = app
        .count(
            "SELECT booked FROM market_slots WHERE id = ?",
            &slot.id.to_string(),
        )
        .await;
    let held = app
        .count(
            "SELECT held FROM market_slots WHERE id = ?",
            &slot.id.to_string(),
        )
        .await;
    assert_eq!((counted, held), (1, 0));
}

#[tokio::test]
async fn a_booking_nobody_came_for_is_marked_no_show_only_after_its_slot_ends() {
    use domain::market::booking::{BookingState, MarkNoShowArgs};
    use domain::wire::{entity, BookingView, ResultStatus};
    let app = spawn().await;
    let slot = slot_starting_now(&app).await;
    let resident = app.signed_in("13900000004").await;
    let args = book(slot);
    assert_eq!(resident.act(&args).await.status, ResultStatus::Applied);
    let barber = app.signed_in("13900000101").await;
    let mark = MarkNoShowArgs {
        booking_id: args.id,
    };
    let early = barber.act(&mark).await;
    assert!(early.message.unwrap().contains("结束后"));
    // The slot ends (moved into the past, as the clock would).
    sqlx::query(
        "UPDATE market_slots SET starts_at = '2020-01-01T01:00:00.000Z',
                                 ends_at = '2020-01-01T01:30:00.000Z' WHERE id = ?",
    )
    .bind(slot.to_string())
    .execute(app.db.pool())
    .await
    .unwrap();
    assert_eq!(
        resident.act(&mark).await.code.as_deref(),
        Some("forbidden"),
        "the household does not mark itself"
    );
    assert_eq!(barber.act(&mark).await.status, ResultStatus::Applied);
    let seen: Vec<BookingView> = pulled(&resident, entity::BOOKING).await;
    let this = seen.iter().find(|b| b.id == args.id).unwrap();
    assert_eq!(this.state, BookingState::NoShow);
    assert_eq!(
        barber.act(&mark).await.code.as_deref(),
        Some("conflict"),
        "marked once"
    );
}

#[tokio::test]
async fn a_new_volunteer_receives_the_bookings_made_before_they_joined_the_service() {
    use domain::wire::{entity, ResultStatus};
    let app = spawn().await;
    let slots = haircut_slots(&app).await;
    let neighbour = &app.residents("jiulong", 1).await[0];
    let theirs = book(slots[0].id);
    assert_eq!(neighbour.act(&theirs).await.status, ResultStatus::Applied);
    let zhao = app.signed_in("13900000004").await;
    let mut cursor = None;
    loop {
        let page = zhao.pull(cursor).await;
        assert!(!page.changes.iter().any(|c| c.id == theirs.id.to_string()));
        cursor = Some(page.cursor);
        if !page.has_more {
            break;
        }
    }
    let haircut = service(&app, "理发").await;
    let mut conn = app.db.pool().acquire().await.unwrap();
    store::market::add_volunteer(&mut conn, haircut, app.person_id("13900000004").await)
        .await
        .unwrap();
    drop(conn);
    // Her next pull, from where she was, starts again and carries the booking made before.
    let mut seen = Vec::new();
    loop {
        let page = zhao.pull(cursor).await;
        seen.extend(page.changes);
        cursor = Some(page.cursor);
        if !page.has_more {
            break;
        }
    }
    let booking = seen
        .iter()
        .find(|c| c.entity == entity::BOOKING && c.id == theirs.id.to_string())
        .expect("the booking made before reaches the new volunteer");
    assert!(booking.data.as_ref().unwrap().get("pass").is_none());
    // And her phone now knows it checks 理发's passes (and only those).
    let serves: Vec<(String, bool)> = seen
        .iter()
        .filter(|c| c.entity == entity::MARKET_SERVICE)
        .map(|c| {
            let data = c.data.as_ref().unwrap();
            (
                data["name"].as_str().unwrap().to_string(),
                data["serves"] == true,
            )
        })
        .collect();
    assert!(serves.contains(&("理发".to_string(), true)), "{serves:?}");
    assert!(
        serves
            .iter()
            .all(|(name, serves)| *serves == (name == "理发")),
        "{serves:?}"
    );
}

#[tokio::test]
async fn services_say_who_checks_their_passes_volunteers_of_them_and_their_communitys_staff() {
    use domain::wire::{entity, MarketServiceView};
    let app = spawn().await;
    let serves = |services: Vec<MarketServiceView>| -> Vec<String> {
        let mut names: Vec<String> = services
            .into_iter()
            .filter(|s| s.serves)
            .map(|s| s.name)
            .collect();
        names.sort();
        names
    };
    let resident = app.signed_in("13900000004").await;
    assert!(serves(pulled(&resident, entity::MARKET_SERVICE).await).is_empty());
    let barber = app.signed_in("13900000101").await;
    // 周德明 cuts hair, runs errands and does repairs (the demo).
    assert_eq!(
        serves(pulled(&barber, entity::MARKET_SERVICE).await),
        ["水电维修", "理发", "跑买办"]
    );
    let staff = app.signed_in("13900000302").await;
    assert_eq!(
        serves(pulled(&staff, entity::MARKET_SERVICE).await).len(),
        7
    );
}

#[tokio::test]
async fn staff_set_a_slots_seats_never_below_those_taken_and_more_seats_go_to_the_waitlist() {
    use domain::market::booking::UpdateMarketSlotArgs;
    use domain::wire::ResultStatus;
    let app = spawn().await;
    let staff = app.signed_in("13900000302").await;
    let slots = haircut_slots(&app).await;
    let slot = &slots[0];
    let [first, second, third] = &app.residents("jiulong", 3).await[..] else {
        unreachable!()
    };
    assert_eq!(
        first.act(&book(slot.id)).await.status,
        ResultStatus::Applied
    );
    assert_eq!(
        second.act(&book(slot.id)).await.status,
        ResultStatus::Applied
    );
    // Full: the third waits.
    let wait = domain::market::booking::JoinWaitlistArgs {
        id: uuid::Uuid::new_v4(),
        slot_id: slot.id,
        note: String::new(),
    };
    assert_eq!(third.act(&wait).await.status, ResultStatus::Applied);
    let set = |capacity, closed| UpdateMarketSlotArgs {
        slot_id: slot.id,
        capacity,
        closed,
    };
    // Fewer seats than are booked: refused in words, nothing changed.
    let fewer = staff.act(&set(1, false)).await;
    assert_eq!(fewer.code.as_deref(), Some("conflict"));
    assert!(
        fewer.message.unwrap().contains("不能少于2"),
        "refused in words"
    );
    // Out of range: a field error.
    let huge = staff.act(&set(999, false)).await;
    assert_eq!(huge.code.as_deref(), Some("invalid"));
    assert_eq!(huge.fields[0].field, "capacity");
    // A third barber came: one more seat, offered to the household waiting.
    assert_eq!(
        staff.act(&set(3, false)).await.status,
        ResultStatus::Applied
    );
    let now = haircut_slots(&app).await;
    assert_eq!((now[0].capacity, now[0].held), (3, 1));
    // Closed: nobody else books it.
    assert_eq!(staff.act(&set(3, true)).await.status, ResultStatus::Applied);
    let late = app.residents("jiulong", 1).await;
    let refused = late[0].act(&book(slot.id)).await;
    assert_eq!(refused.status, ResultStatus::Rejected);
    assert!(refused.message.unwrap().contains("暂停"));
    // A resident may not set seats.
    assert_eq!(
        first.act(&set(5, false)).await.code.as_deref(),
        Some("forbidden")
    );
}

#[tokio::test]
async fn a_market_day_called_off_cancels_its_bookings_with_the_reason_the_households_read() {
    use domain::market::booking::{BookingState, CancelMarketDayArgs};
    use domain::wire::{entity, BookingView, MarketSlotView, ResultStatus};
    let app = spawn().await;
    let staff = app.signed_in("13900000302").await;
    let zhao = app.signed_in("13900000004").await;
    // 赵玉珍's demo haircut on the 9th.
    let mine: Vec<BookingView> = pulled(&zhao, entity::BOOKING).await;
    let haircut = mine
        .iter()
        .find(|b| b.own)
        .expect("her demo booking")
        .clone();
    assert_eq!(haircut.state, BookingState::Booked);
    let day = domain::ledger::china_date(haircut.starts_at);
    let call_off = CancelMarketDayArgs {
        service_id: haircut.service_id,
        day,
        reason: "理发师生病，改到下个月".into(),
    };
    // Residents and volunteers may not; an empty reason is a field error.
    assert_eq!(zhao.act(&call_off).await.code.as_deref(), Some("forbidden"));
    let barber = app.signed_in("13900000101").await;
    assert_eq!(
        barber.act(&call_off).await.code.as_deref(),
        Some("forbidden")
    );
    let no_reason = staff
        .act(&CancelMarketDayArgs {
            reason: "  ".into(),
            ..call_off.clone()
        })
        .await;
    assert_eq!(no_reason.fields[0].field, "reason");
    // Her slot filled by a neighbour, a third household waits in line for it.
    let [neighbour, waiting] = &app.residents("jiulong", 2).await[..] else {
        unreachable!()
    };
    assert_eq!(
        neighbour.act(&book(haircut.slot_id)).await.status,
        ResultStatus::Applied
    );
    let line = domain::market::booking::JoinWaitlistArgs {
        id: uuid::Uuid::new_v4(),
        slot_id: haircut.slot_id,
        note: String::new(),
    };
    assert_eq!(waiting.act(&line).await.status, ResultStatus::Applied);
    assert_eq!(staff.act(&call_off).await.status, ResultStatus::Applied);
    // The wait is over too.
    let places: Vec<domain::wire::WaitlistView> = pulled(waiting, entity::WAITLIST).await;
    assert_eq!(places.len(), 1);
    assert_eq!(places[0].state, "left");
    // Her phone hears it: cancelled, no pass, with the reason.
    let after: Vec<BookingView> = pulled(&zhao, entity::BOOKING).await;
    let cancelled = after.iter().find(|b| b.id == haircut.id).unwrap();
    assert_eq!(cancelled.state, BookingState::Cancelled);
    assert_eq!(cancelled.pass, None);
    assert_eq!(cancelled.cancel_reason, "理发师生病，改到下个月");
    // Every haircut slot that day is closed with no seat taken; other days are untouched.
    let slots: Vec<MarketSlotView> = pulled(&zhao, entity::MARKET_SLOT).await;
    let that_day: Vec<&MarketSlotView> = slots
        .iter()
        .filter(|s| s.service_id == haircut.service_id)
        .filter(|s| domain::ledger::china_date(s.starts_at) == day)
        .collect();
    assert!(!that_day.is_empty());
    assert!(that_day.iter().all(|s| s.closed && s.booked == 0));
    assert!(slots
        .iter()
        .filter(|s| s.service_id == haircut.service_id)
        .filter(|s| domain::ledger::china_date(s.starts_at) != day)
        .all(|s| !s.closed));
    // A day with no slots of the service: refused in words.
    let empty = staff
        .act(&CancelMarketDayArgs {
            day: day + chrono::Duration::days(1),
            ..call_off
        })
        .await;
    assert_eq!(empty.code.as_deref(), Some("conflict"));
    assert!(empty.message.unwrap().contains("没有"));
}

#[tokio::test]
async fn the_door_to_door_volunteer_sees_the_address_on_the_day_only() {
    use domain::ledger::china_date;
    use domain::wire::{entity, BookingView, ResultStatus};
    let app = spawn().await;
    // A 水电维修 window starting in a minute (today in Beijing, waiting out midnight).
    loop {
        let now = chrono::Utc::now();
        if china_date(now + Duration::minutes(40)) == china_date(now) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_secs(20)).await;
    }
    let repairs = service(&app, "水电维修").await;
    let today = uuid::Uuid::new_v4();
    {
        let mut conn = app.db.pool().acquire().await.unwrap();
        let version = store::next_version(&mut conn).await.unwrap();
        let starts_at = chrono::Utc::now() + Duration::minutes(1);
        store::market::insert_slot(
            &mut conn,
            &store::market::NewSlot {
                id: today,
                service_id: repairs,
                community_id: "jiulong",
                starts_at,
                ends_at: starts_at + Duration::minutes(30),
                capacity: 2,
                closed: false,
            },
            version,
        )
        .await
        .unwrap();
    }
    let zhao = app.signed_in("13900000004").await;
    let mut args = book(today);
    args.note = "水管漏水，敲两下门".into();
    assert_eq!(zhao.act(&args).await.status, ResultStatus::Applied);
    // 周德明 does the repairs: today's booking comes with the address and the note…
    let volunteer = app.signed_in("13900000101").await;
    let seen: Vec<BookingView> = pulled(&volunteer, entity::BOOKING).await;
    let hers = seen.iter().find(|b| b.id == args.id).unwrap();
    assert_eq!(hers.who, "赵*珍");
    assert!(hers.household.contains("2栋"), "{:?}", hers.household);
    assert_eq!(hers.note, "水管漏水，敲两下门");
    // …the demo's 代预约 for the 9th does not, not yet.
    let ninth = seen
        .iter()
        .find(|b| b.service_id == repairs && b.on_behalf)
        .expect("the demo's door-to-door booking");
    assert_eq!((ninth.household.as_str(), ninth.note.as_str()), ("", ""));
    // A volunteer of another service never sees either.
    let seamstress = app.signed_in("13900000102").await;
    let theirs: Vec<BookingView> = pulled(&seamstress, entity::BOOKING).await;
    assert!(!theirs.iter().any(|b| b.id == args.id));
    // The day turning sends the rows again: today's once, the 9th's on the 9th, both gone
    // the day after (each change is a new version the phones pull).
    let now = chrono::Utc::now();
    assert_eq!(
        server::turn_door_to_door_days(&app.db, now).await.unwrap(),
        1
    );
    assert_eq!(
        server::turn_door_to_door_days(&app.db, now).await.unwrap(),
        0
    );
    let on_the_ninth = ninth.starts_at;
    assert_eq!(
        server::turn_door_to_door_days(&app.db, on_the_ninth)
            .await
            .unwrap(),
        2,
        "the 9th's booking shown, today's withdrawn"
    );
    assert_eq!(
        server::turn_door_to_door_days(&app.db, on_the_ninth + Duration::days(1))
            .await
            .unwrap(),
        1
    );
}

#[tokio::test]
async fn staff_add_a_service_with_its_monthly_day_and_a_one_off_day_and_the_rule_keeps_two_days_open(
) {
    use domain::ledger::china_date;
    use domain::market::schedule::{AddMarketDayArgs, CreateMarketServiceArgs};
    use domain::market::{ServiceMode, Venue};
    use domain::wire::{entity, MarketServiceView, MarketSlotView, ResultStatus};
    let app = spawn().await;
    let staff = app.signed_in("13900000302").await;
    let barber = app.signed_in("13900000101").await;
    let zhao = app.signed_in("13900000004").await;
    let knives = CreateMarketServiceArgs {
        id: uuid::Uuid::new_v4(),
        community_id: "jiulong".into(),
        venue: Venue::Market,
        name: "磨刀".into(),
        mode: ServiceMode::AtPlace,
        place: "新时代文明实践站".into(),
        walk_in: false,
        opens: "09:00".into(),
        closes: "10:00".into(),
        slot_minutes: 20,
        per_volunteer: 2,
        monthly_day: Some(20),
        volunteers: vec![app.person_id("13900000101").await],
    };
    // Residents and volunteers may not; a resident is not a volunteer of it.
    assert_eq!(zhao.act(&knives).await.code.as_deref(), Some("forbidden"));
    assert_eq!(barber.act(&knives).await.code.as_deref(), Some("forbidden"));
    let with_a_resident = staff
        .act(&CreateMarketServiceArgs {
            volunteers: vec![app.person_id("13900000004").await],
            ..knives.clone()
        })
        .await;
    assert_eq!(with_a_resident.fields[0].field, "volunteers");
    assert_eq!(staff.act(&knives).await.status, ResultStatus::Applied);
    // The same id again is a conflict, not a second service.
    assert_eq!(staff.act(&knives).await.code.as_deref(), Some("conflict"));

    // Its next two 20ths are open: three 20-minute slots each, two seats (one volunteer × 2).
    let slots_of = |slots: Vec<MarketSlotView>| -> Vec<MarketSlotView> {
        slots
            .into_iter()
            .filter(|s| s.service_id == knives.id)
            .collect()
    };
    let slots = slots_of(pulled(&zhao, entity::MARKET_SLOT).await);
    assert_eq!(slots.len(), 6);
    assert!(slots.iter().all(|s| s.capacity == 2 && !s.closed));
    let days: std::collections::BTreeSet<_> =
        slots.iter().map(|s| china_date(s.starts_at)).collect();
    assert_eq!(days.len(), 2);
    assert!(days.iter().all(|d| d.day() == 20));
    let first = slots.iter().map(|s| s.starts_at).min().unwrap();
    assert_eq!(
        (
            domain::time::beijing(first).hour(),
            domain::time::beijing(first).minute()
        ),
        (9, 0)
    );
    // The service says how it is given, and its volunteer checks its passes.
    let services: Vec<MarketServiceView> = pulled(&barber, entity::MARKET_SERVICE).await;
    let service = services.iter().find(|s| s.id == knives.id).unwrap();
    assert_eq!(service.monthly_day, Some(20));
    assert_eq!(
        (service.opens.as_str(), service.closes.as_str()),
        ("09:00", "10:00")
    );
    assert!(service.serves);
    // A resident books one of its seats as any other.
    assert_eq!(
        zhao.act(&book(slots[0].id)).await.status,
        ResultStatus::Applied
    );

    // A one-off day: not in the past, not twice.
    let today = china_date(Utc::now());
    let extra = (1..)
        .map(|n| today + Duration::days(n))
        .find(|d| !days.contains(d))
        .unwrap();
    let add = AddMarketDayArgs {
        service_id: knives.id,
        day: extra,
    };
    assert_eq!(zhao.act(&add).await.code.as_deref(), Some("forbidden"));
    assert_eq!(staff.act(&add).await.status, ResultStatus::Applied);
    let twice = staff.act(&add).await;
    assert_eq!(twice.code.as_deref(), Some("conflict"));
    assert!(twice.message.unwrap().contains("已经有"));
    let past = staff
        .act(&AddMarketDayArgs {
            service_id: knives.id,
            day: today - Duration::days(1),
        })
        .await;
    assert_eq!(past.fields[0].field, "day");
    assert_eq!(slots_of(pulled(&zhao, entity::MARKET_SLOT).await).len(), 9);

    // As the first 20th passes, the minute task opens the next one, once.
    let after_first = domain::time::from_beijing(
        days.iter()
            .next()
            .unwrap()
            .succ_opt()
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap(),
    );
    assert!(
        server::open_coming_days(&app.db, after_first)
            .await
            .unwrap()
            >= 1
    );
    assert_eq!(
        server::open_coming_days(&app.db, after_first)
            .await
            .unwrap(),
        0
    );
    let later = slots_of(pulled(&zhao, entity::MARKET_SLOT).await);
    assert_eq!(later.len(), 12);
    assert_eq!(
        later
            .iter()
            .map(|s| china_date(s.starts_at))
            .filter(|d| d.day() == 20)
            .collect::<std::collections::BTreeSet<_>>()
            .len(),
        3
    );
}

#[tokio::test]
async fn the_reading_room_shows_its_hours_and_takes_no_booking() {
    use domain::wire::{entity, MarketServiceView, MarketSlotView, ResultStatus};
    let app = spawn().await;
    let zhao = app.signed_in("13900000004").await;
    let services: Vec<MarketServiceView> = pulled(&zhao, entity::MARKET_SERVICE).await;
    let reading = services.iter().find(|s| s.name == "共享阅览").unwrap();
    assert!(reading.walk_in);
    assert_eq!(reading.venue, "shared_house");
    let slots: Vec<MarketSlotView> = pulled(&zhao, entity::MARKET_SLOT).await;
    let hours: Vec<&MarketSlotView> = slots
        .iter()
        .filter(|s| s.service_id == reading.id)
        .collect();
    // One open-hours slot on each of the two market days, 14:00–17:00, nobody's seat.
    assert_eq!(hours.len(), 2);
    assert!(hours.iter().all(|s| s.closed && s.capacity == 0));
    assert_eq!(domain::time::beijing(hours[0].starts_at).hour(), 14);
    assert_eq!(domain::time::beijing(hours[0].ends_at).hour(), 17);
    let refused = zhao.act(&book(hours[0].id)).await;
    assert_eq!(refused.status, ResultStatus::Rejected);
}
