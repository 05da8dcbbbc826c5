//! The history of 杉湾花园 from the article: October 2018 to March 2020, eight dialogues,
//! seventy issues raised, sixty-two projects formed, forty-seven resolved; what the
//! community could not resolve went to the township and was answered.
//!
//! The records are written through the same storage calls as live steps, at the dates they
//! happened, so the ledger computes the article's figures from them. The issues and people
//! are invented; only the numbers are the article's.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use domain::dialogue::Step;
use domain::issue::IssueStatus;
use domain::mutation::NewDialogue;
use domain::person::Role;
use domain::{Category, NewIssue};
use uuid::Uuid;

use crate::store::{self, Conn};

const COMMUNITY: &str = "shanwan";

/// The eight dialogues: the second-to-last Saturday of every other month.
const DIALOGUES: [(i32, u32, u32); 8] = [
    (2018, 10, 20),
    (2018, 12, 15),
    (2019, 2, 23),
    (2019, 4, 20),
    (2019, 6, 22),
    (2019, 8, 24),
    (2019, 10, 19),
    (2019, 12, 21),
];

/// Residents who raised the historical issues (fictional).
const RAISERS: [(&str, &str); 10] = [
    ("13900008001", "顾美玲"),
    ("13900008002", "钱德福"),
    ("13900008003", "蒋秀英"),
    ("13900008004", "韩国强"),
    ("13900008005", "曹桂兰"),
    ("13900008006", "许文华"),
    ("13900008007", "邓玉梅"),
    ("13900008008", "彭建平"),
    ("13900008009", "陆淑芬"),
    ("13900008010", "袁志明"),
];

/// What residents raise, by category; `{}` is a building number.
const TOPICS: [(Category, &str, &str); 14] = [
    (
        Category::Repairs,
        "{}栋楼道灯不亮",
        "晚上上下楼看不清台阶。",
    ),
    (
        Category::Sanitation,
        "{}栋旁垃圾桶满了没人清",
        "夏天气味很大。",
    ),
    (Category::Parking, "{}栋门口车辆乱停", "消防车进不来。"),
    (
        Category::Safety,
        "{}栋有人在楼道给电动车充电",
        "有火灾隐患。",
    ),
    (
        Category::Greenery,
        "{}栋旁树枝挡住窗户",
        "低层住户家里很暗。",
    ),
    (
        Category::PropertyService,
        "物业值班电话经常打不通",
        "晚上报修找不到人。",
    ),
    (Category::Repairs, "{}栋单元门禁坏了", "外人随便进出。"),
    (Category::Sanitation, "小区河道有异味", "天热时尤其明显。"),
    (Category::Repairs, "{}栋顶楼漏水", "下雨天屋里滴水。"),
    (Category::Parking, "外来车辆占用消防通道", "晚上经常停满。"),
    (Category::Safety, "健身器材螺丝松动", "老人锻炼有危险。"),
    (
        Category::PropertyService,
        "保洁打扫次数太少",
        "楼道灰尘多。",
    ),
    (Category::Repairs, "{}栋下水道经常堵", "一楼返水。"),
    (
        Category::Greenery,
        "中心花园草坪被踩坏",
        "希望补种并设提示牌。",
    ),
];

fn day(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("a real date")
}

/// 10:00 Beijing time on a day.
fn at(date: NaiveDate) -> DateTime<Utc> {
    date.and_hms_opt(2, 0, 0).expect("a real time").and_utc()
}

/// What becomes of the n-th issue (0..70): 47 resolved (some after a second round), 15 still
/// being worked on, 5 declined, 3 merged — 62 projects.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Fate {
    Resolved { reopened_once: bool },
    Working(IssueStatus),
    Declined,
    Merged,
}

fn fate(n: usize) -> Fate {
    match n {
        _ if n % 14 == 13 && n < 70 => Fate::Declined, // 13, 27, 41, 55, 69
        20 | 34 | 48 => Fate::Merged,
        53..=68 => match n % 4 {
            0 => Fate::Working(IssueStatus::Rectifying),
            1 => Fate::Working(IssueStatus::Answered),
            2 => Fate::Working(IssueStatus::Rectifying),
            _ => Fate::Working(IssueStatus::Accepted),
        },
        _ => Fate::Resolved {
            reopened_once: n % 9 == 4,
        },
    }
}

pub async fn load(
    conn: &mut Conn,
    password_hash: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let mut raisers = Vec::new();
    for (phone, name) in RAISERS {
        let id = Uuid::new_v4();
        store::people::insert_user(conn, id, phone, name, password_hash, at(day(2018, 9, 1)))
            .await?;
        store::people::insert_membership(
            conn,
            id,
            Role::Resident,
            "tangwang",
            Some(COMMUNITY),
            None,
        )
        .await?;
        let version = store::next_version(conn).await?;
        store::people::touch(conn, id, version).await?;
        raisers.push(id);
    }
    let mut dialogues = Vec::new();
    for (y, m, d) in DIALOGUES {
        let dialogue = NewDialogue {
            id: Uuid::new_v4(),
            community_id: COMMUNITY.into(),
            held_on: day(y, m, d),
            place: "杉湾花园社区议事厅".into(),
            attendees: "社区党总支、居委会，康乐物业，居民代表".into(),
        };
        let version = store::next_version(conn).await?;
        store::dialogues::insert(conn, &dialogue, None, at(dialogue.held_on), version).await?;
        dialogues.push(dialogue);
    }
    // Nine issues before each of the first six dialogues, eight before the last two: 70.
    let mut issues: Vec<(Uuid, usize)> = Vec::new();
    let mut n = 0;
    for (session, dialogue) in dialogues.iter().enumerate() {
        let count = if session < 6 { 9 } else { 8 };
        for k in 0..count {
            let (category, title, description) = TOPICS[n % TOPICS.len()];
            let building = 1 + (n * 7) % 18;
            let issue = NewIssue {
                id: Uuid::new_v4(),
                title: title.replace("{}", &building.to_string()),
                description: description.into(),
                category,
                place: Some(format!("{building}栋")),
                on_behalf_of: None,
            };
            let raised = at(dialogue.held_on - Duration::days(3 + 2 * k as i64));
            let raiser = raisers[n % raisers.len()];
            let version = store::next_version(conn).await?;
            store::issues::insert(
                conn,
                &issue,
                COMMUNITY,
                raiser,
                raised,
                IssueStatus::Raised,
                version,
            )
            .await?;
            // A neighbour says 我也遇到 on every third issue.
            if n % 3 == 0 {
                store::issues::join(
                    conn,
                    issue.id,
                    raisers[(n + 1) % raisers.len()],
                    raised + Duration::days(1),
                )
                .await?;
            }
            history(conn, &issue, n, dialogue, &issues, now).await?;
            issues.push((issue.id, n));
            n += 1;
        }
    }
    // The dialogue minutes, in general words.
    for dialogue in &dialogues {
        let version = store::next_version(conn).await?;
        let notes = format!(
            "{}双月对话：物业逐条答复本期问题，居民代表现场提问，社区督促按期整改。",
            dialogue.held_on.format("%Y年%-m月")
        );
        store::dialogues::record_notes(
            conn,
            dialogue.id,
            None,
            &notes,
            at(dialogue.held_on),
            version,
        )
        .await?;
    }
    Ok(())
}

async fn step(
    conn: &mut Conn,
    id: Uuid,
    step: Step,
    to: IssueStatus,
    when: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let version = store::next_version(conn).await?;
    store::issues::advance(conn, id, &step, to, when, version).await
}

/// Writes what happened to one issue after it was raised, at the dates it happened.
async fn history(
    conn: &mut Conn,
    issue: &NewIssue,
    n: usize,
    dialogue: &NewDialogue,
    earlier: &[(Uuid, usize)],
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let held = at(dialogue.held_on);
    let id = issue.id;
    match fate(n) {
        Fate::Declined => {
            let reason = "属于市政管网，不在物业服务范围内；社区已转交相关部门。".to_string();
            return step(
                conn,
                id,
                Step::Decline { reason },
                IssueStatus::Declined,
                held,
            )
            .await;
        }
        Fate::Merged => {
            let into = earlier
                .iter()
                .rev()
                .find(|(_, m)| matches!(fate(*m), Fate::Working(_)))
                .or(earlier.last());
            let into = into.map(|(id, _)| *id).unwrap_or(id);
            return step(conn, id, Step::Merge { into }, IssueStatus::Merged, held).await;
        }
        _ => {}
    }
    step(
        conn,
        id,
        Step::Accept {
            session_id: Some(dialogue.id),
        },
        IssueStatus::Accepted,
        held,
    )
    .await?;
    // Every fourth project could not be settled between the community and the property
    // company: it went to the township, which answered within two weeks.
    if n % 8 == 2 {
        let version = store::next_version(conn).await?;
        store::issues::escalate(
            conn,
            id,
            "涉及小区外市政设施，需要乡里协调。",
            held + Duration::days(3),
            version,
        )
        .await?;
        let version = store::next_version(conn).await?;
        let deadline = dialogue.held_on + Duration::days(60);
        store::issues::answer_escalation(
            conn,
            id,
            "乡里已协调有关部门，限期处理。",
            deadline,
            held + Duration::days(12),
            version,
        )
        .await?;
    }
    if fate(n) == Fate::Working(IssueStatus::Accepted) {
        return Ok(());
    }
    let promised_by = dialogue.held_on + Duration::days(30);
    let answer = Step::Answer {
        reply: "物业已派人查看，情况属实。".into(),
        plan: "安排维修班组按计划整改，整改后请居民评分。".into(),
        promised_by,
    };
    step(
        conn,
        id,
        answer,
        IssueStatus::Answered,
        held + Duration::days(7),
    )
    .await?;
    if fate(n) == Fate::Working(IssueStatus::Answered) {
        return Ok(());
    }
    step(
        conn,
        id,
        Step::StartRectifying,
        IssueStatus::Rectifying,
        held + Duration::days(10),
    )
    .await?;
    if let Fate::Working(_) = fate(n) {
        return Ok(());
    }
    let reopened_once = matches!(
        fate(n),
        Fate::Resolved {
            reopened_once: true
        }
    );
    let mut reported = held + Duration::days(25);
    let rounds: &[&[u8]] = if reopened_once {
        &[&[2, 2], &[4, 5]]
    } else {
        &[&[4, 5]]
    };
    for (index, scores) in rounds.iter().enumerate() {
        let round = index as u32 + 1;
        step(
            conn,
            id,
            Step::ReportRectified {
                report: "已按方案整改完毕。".into(),
            },
            IssueStatus::AwaitingScore,
            reported,
        )
        .await?;
        let closes_at = reported + Duration::days(domain::dialogue::SCORING_WINDOW_DAYS);
        store::issues::insert_round(conn, id, round, "已按方案整改完毕。", reported, closes_at)
            .await?;
        let raiser = store::issues::by_id(conn, id)
            .await?
            .and_then(|i| i.raised_by);
        let scorers: Vec<Uuid> = raiser
            .into_iter()
            .chain(store::issues::joined_users(conn, id).await?)
            .collect();
        // The raiser scores; a joined neighbour too. Varied, mostly satisfied.
        let values: Vec<u8> = scores
            .iter()
            .take(scorers.len().max(1))
            .map(|v| {
                if index == rounds.len() - 1 && n % 5 == 1 {
                    3
                } else {
                    *v
                }
            })
            .collect();
        for (who, value) in scorers.iter().zip(&values) {
            store::issues::upsert_score(
                conn,
                id,
                round,
                *who,
                *value,
                "",
                reported + Duration::days(3),
            )
            .await?;
        }
        let average = values.iter().map(|v| *v as f64).sum::<f64>() / values.len() as f64;
        let decided = reported + Duration::days(4);
        let (outcome, status) = if average >= domain::dialogue::PASS_AVERAGE {
            ("closed", IssueStatus::Closed)
        } else {
            ("reopened", IssueStatus::Rectifying)
        };
        store::issues::decide_round(conn, id, round, outcome, Some(average), decided).await?;
        let version = store::next_version(conn).await?;
        store::issues::set_status(conn, id, status, decided, version).await?;
        reported = decided + Duration::days(10);
    }
    debug_assert!(reported < now);
    Ok(())
}
