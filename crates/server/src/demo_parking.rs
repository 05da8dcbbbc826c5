//! The demo's 孝心车位 at 杉湾花园 (PRODUCT.md, practice 2; the article's 12 spots, free for
//! 5–6 hours): the pool with its rules, and today's visits around the moment the demo loads —
//! one car overstaying, one inside, two expected. Each visit carries a real signed pass.

use chrono::{DateTime, Duration, Utc};
use domain::market::pass;
use domain::parking::visit::{self, PoolRules};
use domain::parking::{Plate, Span, VisitStatus};
use uuid::Uuid;

use crate::store::parking::{self as parking_store, NewVisit, VisitChange};
use crate::store::{self, Conn};

const COMMUNITY: &str = "shanwan";

/// (building, unit, room, plate, relation, arrival from now and stay in minutes, status)
type DemoVisit = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    (i64, i64),
    VisitStatus,
);

const VISITS: [DemoVisit; 4] = [
    // 李建国's son came at lunchtime and is still parked, 40 minutes past his window.
    (
        "5栋",
        "2单元",
        "302",
        "苏K8C2M7",
        "child",
        (-400, 360),
        VisitStatus::Inside,
    ),
    // 马振华's daughter, inside since two hours ago, in her new-energy car.
    (
        "8栋",
        "1单元",
        "402",
        "苏KD35218",
        "child",
        (-120, 300),
        VisitStatus::Inside,
    ),
    // 何桂芳's nephew is expected within the hour.
    (
        "5栋",
        "2单元",
        "101",
        "沪A5G321",
        "relative",
        (50, 180),
        VisitStatus::Booked,
    ),
    // A carer for the empty flat's elderly owner, later on.
    (
        "6栋",
        "1单元",
        "102",
        "苏K7Q8W9",
        "carer",
        (180, 240),
        VisitStatus::Booked,
    ),
];

pub async fn load(conn: &mut Conn, now: DateTime<Utc>) -> anyhow::Result<()> {
    let rules = PoolRules {
        opens: Some("06:00".into()),
        closes: Some("22:00".into()),
        ..PoolRules::default()
    };
    let version = store::next_version(conn).await?;
    let pool_id = Uuid::new_v4();
    parking_store::set_pool(conn, pool_id, COMMUNITY, &rules, version).await?;
    crate::passes::ensure_key_in(conn).await?;
    let (key_id, key) = store::pass_keys::current(conn)
        .await?
        .ok_or_else(|| anyhow::anyhow!("a pass key"))?;
    let staff = store::people::user_by_phone(conn, "13900000301")
        .await?
        .ok_or_else(|| anyhow::anyhow!("demo staff"))?;
    for (building, unit, room, plate, relation, (from, minutes), status) in VISITS {
        let household = store::households::find(conn, COMMUNITY, building, unit, room)
            .await?
            .ok_or_else(|| anyhow::anyhow!("demo household {building}{unit}{room}"))?;
        let plate = Plate::parse(plate).map_err(|e| anyhow::anyhow!("demo plate: {e:?}"))?;
        let id = Uuid::new_v4();
        let starts_at = now + Duration::minutes(from);
        let window = Span::new(starts_at, starts_at + Duration::minutes(minutes));
        let masked = plate.masked();
        let claims = visit::pass_claims(key_id, id, pool_id, window, &masked);
        let token = pass::sign(&claims, &key);
        let short_code = pass::short_code(id);
        let version = store::next_version(conn).await?;
        parking_store::insert_visit(
            conn,
            &NewVisit {
                id,
                pool_id,
                community_id: COMMUNITY,
                household_id: household,
                registered_by: staff.id,
                plate: plate.as_str(),
                plate_masked: &masked,
                unusual: false,
                window,
                status: VisitStatus::Booked,
                relation,
                note: "",
                walk_up: false,
                over_limit: false,
                short_code: &short_code,
                pass: Some(&token),
            },
            now,
            version,
        )
        .await?;
        if status == VisitStatus::Inside {
            let change = VisitChange {
                status: Some(VisitStatus::Inside),
                entered: Some((starts_at + Duration::minutes(5), false)),
                ..VisitChange::default()
            };
            parking_store::change_visit(conn, id, &change, version).await?;
        }
    }
    // The overstaying car is flagged now, as the minute task would.
    let version = store::next_version(conn).await?;
    parking_store::flag_overstays(conn, now, version).await?;
    parking_store::touch_pool(conn, pool_id, version).await?;
    Ok(())
}
