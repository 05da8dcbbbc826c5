//! The demo's 公益集市 and 共享小屋 at 九龙花园 (PRODUCT.md, practice 3): the market on the
//! 9th of every month — the next one and the one after — at the 新时代文明实践站, with 理发
//! (two volunteers, 30-minute slots 08:30–11:30), 缝补, and door-to-door 跑买办 and 水电维修 in
//! morning and afternoon windows; and the 九福共享小屋's shared kitchen and health checks on
//! the same days. Slots and capacities come from `domain::market::schedule`, as staff's own
//! set-up will.

use chrono::{DateTime, Duration, NaiveTime, Timelike, Utc};
use domain::market::schedule::ServiceSetup;
use domain::market::ServiceMode;
use uuid::Uuid;

use crate::market_days;
use crate::store::market::{self, NewService, Venue};
use crate::store::{self, Conn};

const COMMUNITY: &str = "jiulong";
/// The market's day of the month (the demo holds the next one and the one after).
const MARKET_DAY: u32 = 9;

struct DemoService {
    venue: Venue,
    name: &'static str,
    mode: ServiceMode,
    place: &'static str,
    /// Open hours only, no booking (共享阅览).
    walk_in: bool,
    /// Opening and closing (at a place) and the slot length.
    hours: (u32, u32, u32, u32),
    slot_minutes: u32,
    per_volunteer: u32,
    /// Volunteers by phone (demo accounts); a service with none counts one on duty.
    volunteers: &'static [&'static str],
}

const fn at_place(
    venue: Venue,
    name: &'static str,
    place: &'static str,
    hours: (u32, u32, u32, u32),
    slot_minutes: u32,
    per_volunteer: u32,
    volunteers: &'static [&'static str],
) -> DemoService {
    DemoService {
        venue,
        name,
        mode: ServiceMode::AtPlace,
        place,
        walk_in: false,
        hours,
        slot_minutes,
        per_volunteer,
        volunteers,
    }
}

const fn at_home(
    name: &'static str,
    per_volunteer: u32,
    volunteers: &'static [&'static str],
) -> DemoService {
    DemoService {
        venue: Venue::Market,
        name,
        mode: ServiceMode::AtHome,
        place: "",
        walk_in: false,
        hours: (8, 0, 17, 30),
        slot_minutes: 0,
        per_volunteer,
        volunteers,
    }
}

const STATION: &str = "新时代文明实践站";
const HOUSE: &str = "九福共享小屋";

const SERVICES: &[DemoService] = &[
    at_place(
        Venue::Market,
        "理发",
        STATION,
        (8, 30, 11, 30),
        30,
        1,
        &["13900000101", "13900000102"],
    ),
    at_place(
        Venue::Market,
        "缝补",
        STATION,
        (8, 30, 11, 30),
        30,
        1,
        &["13900000102"],
    ),
    at_home("跑买办", 3, &["13900000101"]),
    at_home("水电维修", 2, &["13900000101"]),
    at_place(
        Venue::SharedHouse,
        "共享厨房",
        HOUSE,
        (10, 0, 13, 0),
        60,
        2,
        &[],
    ),
    at_place(
        Venue::SharedHouse,
        "健康体检",
        HOUSE,
        (9, 0, 11, 0),
        20,
        3,
        &[],
    ),
    DemoService {
        venue: Venue::SharedHouse,
        name: "共享阅览",
        mode: ServiceMode::AtPlace,
        place: HOUSE,
        walk_in: true,
        hours: (14, 0, 17, 0),
        slot_minutes: 0,
        per_volunteer: 0,
        volunteers: &[],
    },
];

fn at(hour: u32, minute: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(hour, minute, 0).expect("a time of day")
}

/// Loads the market into the demo township (inside its loading transaction): each service
/// with its monthly rule, whose next days are opened the way the server opens them every
/// minute (`market_days`), then the bookings already made.
pub async fn load(conn: &mut Conn, now: DateTime<Utc>) -> anyhow::Result<()> {
    for demo in SERVICES {
        let (h1, m1, h2, m2) = demo.hours;
        let service = NewService {
            id: Uuid::new_v4(),
            community_id: COMMUNITY,
            venue: demo.venue,
            name: demo.name,
            place: demo.place,
            setup: ServiceSetup {
                mode: demo.mode,
                walk_in: demo.walk_in,
                opens: at(h1, m1),
                closes: at(h2, m2),
                slot_minutes: demo.slot_minutes,
                per_volunteer: demo.per_volunteer,
            },
            monthly_day: Some(MARKET_DAY),
        };
        let version = store::next_version(conn).await?;
        market::insert_service(conn, &service, version).await?;
        for phone in demo.volunteers {
            let volunteer = store::people::user_by_phone(conn, phone)
                .await?
                .ok_or_else(|| anyhow::anyhow!("demo volunteer {phone} exists"))?;
            market::add_volunteer(conn, service.id, volunteer.id).await?;
        }
    }
    let version = store::next_version(conn).await?;
    market_days::open_all_rule_days(conn, now, version).await?;
    book_demo(conn, now).await
}

/// The bookings already made: (phone of who booked, service, Beijing start, the household
/// booked for by staff (building, unit, room), note).
type DemoBooking = (
    &'static str,
    &'static str,
    (u32, u32),
    Option<(&'static str, &'static str, &'static str)>,
    &'static str,
);

const BOOKINGS: [DemoBooking; 3] = [
    ("13900000004", "理发", (9, 0), None, ""),
    ("13900000102", "缝补", (9, 30), None, ""),
    // 孙大爷 rang the community: 吴芳 booked the plumber for his household (代预约).
    (
        "13900000302",
        "水电维修",
        (8, 0),
        Some(("4栋", "3单元", "302")),
        "孙大爷家厨房水龙头漏水，上午在家",
    ),
];

/// Makes the demo's bookings through the mutator itself, on the first market day whose slot
/// has not started, so each carries a real signed pass.
async fn book_demo(conn: &mut Conn, now: DateTime<Utc>) -> anyhow::Result<()> {
    crate::passes::ensure_key_in(conn).await?;
    let services = market::services_of(conn, COMMUNITY).await?;
    for (phone, service_name, (hour, minute), household, note) in BOOKINGS {
        let service = services
            .iter()
            .find(|(_, name)| *name == service_name)
            .map(|(id, _)| *id)
            .ok_or_else(|| anyhow::anyhow!("demo service {service_name}"))?;
        let slot = market::slots_of_service(conn, service)
            .await?
            .into_iter()
            .find(|s| {
                let local = domain::time::beijing(s.starts_at);
                s.starts_at > now + Duration::hours(3)
                    && (local.hour(), local.minute()) == (hour, minute)
            })
            .ok_or_else(|| anyhow::anyhow!("a demo slot of {service_name}"))?;
        let user = store::people::user_by_phone(conn, phone)
            .await?
            .ok_or_else(|| anyhow::anyhow!("demo person {phone}"))?;
        let for_household = match household {
            Some((building, unit, room)) => Some(
                store::households::find(conn, COMMUNITY, building, unit, room)
                    .await?
                    .ok_or_else(|| anyhow::anyhow!("demo household {building}{unit}{room}"))?,
            ),
            None => None,
        };
        let principal = crate::auth::Principal {
            user_id: user.id,
            display_name: user.display_name.clone(),
            phone: String::new(),
            memberships: store::people::memberships(conn, user.id).await?,
            token_hash: String::new(),
        };
        let mutation = domain::Mutation::BookService(domain::mutation::BookService {
            id: Uuid::new_v4(),
            slot_id: slot.id,
            note: note.to_string(),
            for_household,
        });
        let version = store::next_version(conn).await?;
        crate::mutators::apply(
            conn,
            &principal,
            &mutation,
            version,
            now,
            crate::policy::Quotas {
                issues_per_day: crate::policy::Quotas::UNLIMITED,
                photos_per_day: crate::policy::Quotas::UNLIMITED,
            },
        )
        .await
        .map_err(|e| anyhow::anyhow!("demo booking of {service_name}: {e:?}"))?;
    }
    Ok(())
}
