//! The demo township, built from the article: four communities of 汤汪乡, the people of
//! every role, and a few open issues at 杉湾花园. All names are fictional.
//!
//! Loading is idempotent: if the township exists, nothing is added.

use chrono::{Duration, Utc};
use domain::account::NewHousehold;
use domain::issue::IssueStatus;
use domain::person::Role;
use domain::{Category, NewIssue};
use uuid::Uuid;

use crate::auth::hash_password;
use crate::store::{self, Db};

pub const DEMO_PASSWORD: &str = "yiwantang-demo";
pub const TOWNSHIP: (&str, &str) = ("tangwang", "汤汪乡");

pub const COMMUNITIES: [(&str, &str); 4] = [
    ("shanwan", "杉湾花园"),
    ("dongsheng", "东昇花园"),
    ("tangwang-garden", "汤汪花园"),
    ("jiulong", "九龙花园"),
];

/// (phone, name, role, community; None for the township)
pub const DEMO_ACCOUNTS: [(&str, &str, Role, Option<&str>); 12] = [
    ("13900000001", "王秀兰", Role::Resident, Some("shanwan")),
    ("13900000002", "李建国", Role::Resident, Some("shanwan")),
    (
        "13900000003",
        "陈美华",
        Role::Resident,
        Some("tangwang-garden"),
    ),
    ("13900000004", "赵玉珍", Role::Resident, Some("jiulong")),
    ("13900000101", "周德明", Role::Volunteer, Some("jiulong")),
    ("13900000102", "林淑芬", Role::Volunteer, Some("jiulong")),
    ("13900000201", "刘志强", Role::Property, Some("shanwan")),
    ("13900000301", "孙丽", Role::CommunityStaff, Some("shanwan")),
    ("13900000302", "吴芳", Role::CommunityStaff, Some("jiulong")),
    (
        "13900000303",
        "许文博",
        Role::CommunityStaff,
        Some("shanwan"),
    ),
    ("13900000401", "郑大勇", Role::Guard, Some("shanwan")),
    ("13900000501", "钱海燕", Role::TownshipStaff, None),
];

/// People who hold a second role: a volunteer who lives at 九龙花园 and a member of staff who
/// lives at 杉湾花园 (they move between the resident app and the work app).
pub const SECOND_ROLES: [(&str, Role, &str); 2] = [
    ("13900000102", Role::Resident, "jiulong"),
    ("13900000303", Role::Resident, "shanwan"),
];

/// Households (community, building, unit, room) and who lives there, by phone. Some are
/// empty, for staff to invite new residents to.
type DemoHousehold = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
);

const HOUSEHOLDS: [DemoHousehold; 10] = [
    ("shanwan", "3栋", "1单元", "201", &["13900000001"]),
    ("shanwan", "5栋", "2单元", "302", &["13900000002"]),
    ("shanwan", "5栋", "2单元", "101", &["13900009001"]),
    ("shanwan", "8栋", "1单元", "402", &["13900009002"]),
    ("shanwan", "6栋", "1单元", "101", &["13900000303"]),
    ("shanwan", "6栋", "1单元", "102", &[]),
    (
        "tangwang-garden",
        "芙蓉苑8栋",
        "2单元",
        "502",
        &["13900000003", "13900009003"],
    ),
    ("jiulong", "2栋", "1单元", "101", &["13900000004"]),
    ("jiulong", "4栋", "3单元", "301", &["13900000102"]),
    ("jiulong", "4栋", "3单元", "302", &[]),
];

/// Residents without a demo login who raised the open issues below.
const NEIGHBOURS: [(&str, &str, &str); 3] = [
    ("13900009001", "何桂芳", "shanwan"),
    ("13900009002", "马振华", "shanwan"),
    ("13900009003", "冯淑珍", "tangwang-garden"),
];

/// (raiser phone, title, description, category, place, days ago)
type DemoIssue = (
    &'static str,
    &'static str,
    &'static str,
    Category,
    Option<&'static str>,
    i64,
);

const OPEN_ISSUES: [DemoIssue; 5] = [
    (
        "13900009001",
        "5栋楼道灯坏了一个月",
        "晚上下楼看不见台阶，老人容易摔倒。",
        Category::Repairs,
        Some("5栋2单元"),
        6,
    ),
    (
        "13900009002",
        "小区东门垃圾桶经常满出来",
        "周末尤其严重，气味很大。",
        Category::Sanitation,
        Some("东门"),
        4,
    ),
    (
        "13900009001",
        "电动车在楼道里充电",
        "有安全隐患，希望物业管一管。",
        Category::Safety,
        Some("8栋"),
        3,
    ),
    (
        "13900009002",
        "健身器材旁的树枝太低",
        "散步时容易碰到头。",
        Category::Greenery,
        None,
        2,
    ),
    (
        "13900009003",
        "外来车辆占用消防通道",
        "晚上经常停满。",
        Category::Parking,
        Some("南门"),
        1,
    ),
];

pub async fn load(db: &Db) -> anyhow::Result<()> {
    let mut tx = db.begin_write().await?;
    if !store::people::insert_township(&mut tx, TOWNSHIP.0, TOWNSHIP.1).await? {
        return Ok(());
    }
    for (id, name) in COMMUNITIES {
        store::people::insert_community(&mut tx, id, TOWNSHIP.0, name).await?;
    }
    let password = hash_password(DEMO_PASSWORD)?;
    let now = Utc::now();
    let mut people = Vec::new();
    for (phone, name, role, community) in DEMO_ACCOUNTS {
        people.push((phone, name, role, community));
    }
    for (phone, name, community) in NEIGHBOURS {
        people.push((phone, name, Role::Resident, Some(community)));
    }
    let mut household_of = std::collections::HashMap::new();
    for (community, building, unit, room, residents) in HOUSEHOLDS {
        let household = NewHousehold {
            id: Uuid::new_v4(),
            community_id: community.to_string(),
            point: None,
            building: building.to_string(),
            unit: Some(unit.to_string()),
            room: Some(room.to_string()),
        };
        let version = store::next_version(&mut tx).await?;
        store::households::insert(&mut tx, &household, now, version).await?;
        for phone in residents {
            household_of.insert(*phone, household.id);
        }
    }
    for (phone, name, role, community) in &people {
        let id = Uuid::new_v4();
        store::people::insert_user(&mut tx, id, phone, name, &password, now).await?;
        // A household belongs to a resident's membership, never to a work role's.
        let household = household_of
            .get(phone)
            .copied()
            .filter(|_| *role == Role::Resident);
        store::people::insert_membership(&mut tx, id, *role, TOWNSHIP.0, *community, household)
            .await?;
        for (_, second, where_) in SECOND_ROLES.iter().filter(|(p, _, _)| p == phone) {
            let household = household_of
                .get(phone)
                .copied()
                .filter(|_| *second == Role::Resident);
            store::people::insert_membership(
                &mut tx,
                id,
                *second,
                TOWNSHIP.0,
                Some(where_),
                household,
            )
            .await?;
        }
        let version = store::next_version(&mut tx).await?;
        store::people::touch(&mut tx, id, version).await?;
    }
    for (phone, title, description, category, place, days_ago) in OPEN_ISSUES {
        let raiser = store::people::user_by_phone(&mut tx, phone)
            .await?
            .expect("demo neighbour exists");
        let community = NEIGHBOURS
            .iter()
            .find(|(p, _, _)| *p == phone)
            .map(|(_, _, c)| *c)
            .expect("demo neighbour has a community");
        let issue = NewIssue {
            id: Uuid::new_v4(),
            title: title.to_string(),
            description: description.to_string(),
            category,
            place: place.map(str::to_string),
            on_behalf_of: None,
        };
        let version = store::next_version(&mut tx).await?;
        let raised_at = now - Duration::days(days_ago);
        store::issues::insert(
            &mut tx,
            &issue,
            community,
            raiser.id,
            raised_at,
            IssueStatus::Raised,
            version,
        )
        .await?;
    }
    crate::demo_history::load(&mut tx, &password, now).await?;
    crate::demo_market::load(&mut tx, now).await?;
    crate::demo_parking::load(&mut tx, now).await?;
    tx.commit().await?;
    tracing::info!("loaded the demo township 汤汪乡");
    Ok(())
}

/// The demo accounts as lines to print: phone, role, community.
pub fn account_lines() -> Vec<String> {
    DEMO_ACCOUNTS
        .iter()
        .map(|(phone, name, role, community)| {
            let place = community
                .and_then(|id| COMMUNITIES.iter().find(|(c, _)| *c == id))
                .map(|(_, name)| *name)
                .unwrap_or(TOWNSHIP.1);
            let second = SECOND_ROLES
                .iter()
                .filter(|(p, _, _)| p == phone)
                .map(|(_, r, _)| format!(" + {}", r.label(domain::Lang::Zh)))
                .collect::<String>();
            format!(
                "{phone}  {name}  {}{second}  {place}",
                role.label(domain::Lang::Zh)
            )
        })
        .collect()
}
