//! The dialogue loop against the real server: each step by its role only, scoring that
//! reopens and closes, the scoring window, escalation, 我也遇到, sessions and minutes.

use chrono::{Duration, NaiveDate, Utc};
use domain::dialogue::{
    AdvanceIssueArgs, AnswerEscalationArgs, EscalateIssueArgs, JoinIssueArgs, RecordMinutesArgs,
    ScheduleDialogueArgs, ScoreIssueArgs, ScoringRulesArgs, SetAgendaArgs, Step,
};
use domain::wire::{MutationResult, ResultStatus};
use domain::RaiseIssueArgs;
use uuid::Uuid;

use crate::helpers::*;

const STAFF: &str = "13900000301";
const PROPERTY: &str = "13900000201";
const OTHER_STAFF: &str = "13900000302";

fn applied(result: &MutationResult) {
    assert_eq!(result.status, ResultStatus::Applied, "{result:?}");
}

fn refused(result: &MutationResult, code: &str) {
    assert_eq!(result.status, ResultStatus::Rejected, "{result:?}");
    assert_eq!(result.code.as_deref(), Some(code), "{result:?}");
}

async fn raise_issue(phone: &Phone, title: &str) -> Uuid {
    let id = Uuid::new_v4();
    let result = phone
        .act(&RaiseIssueArgs {
            id,
            title: title.into(),
            description: String::new(),
            category: "repairs".into(),
            place: None,
            on_behalf_of: None,
        })
        .await;
    applied(&result);
    id
}

async fn advance(phone: &Phone, issue_id: Uuid, step: Step) -> MutationResult {
    phone.act(&AdvanceIssueArgs { issue_id, step }).await
}

fn answer() -> Step {
    Step::Answer {
        reply: "已安排电工".into(),
        plan: "三天内更换".into(),
        promised_by: NaiveDate::from_ymd_opt(2030, 1, 1).unwrap(),
    }
}

fn report() -> Step {
    Step::ReportRectified {
        report: "已更换灯具".into(),
    }
}

async fn status_of(phone: &Phone, issue_id: Uuid) -> serde_json::Value {
    let pull = phone.pull(None).await;
    pull.changes
        .into_iter()
        .find(|c| c.id == issue_id.to_string())
        .and_then(|c| c.data)
        .expect("the issue is visible")
}

async fn score(phone: &Phone, issue_id: Uuid, round: u32, value: u8) -> MutationResult {
    phone
        .act(&ScoreIssueArgs {
            issue_id,
            round,
            value,
            comment: String::new(),
        })
        .await
}

#[tokio::test]
async fn the_whole_loop_reopens_on_low_scores_and_closes_on_good_ones() {
    let app = spawn().await;
    let raiser = app.signed_in(RESIDENT_SHANWAN).await;
    let neighbour = app.signed_in(RESIDENT_SHANWAN_2).await;
    let staff = app.signed_in(STAFF).await;
    let property = app.signed_in(PROPERTY).await;
    let issue = raise_issue(&raiser, "楼道灯坏了").await;
    applied(&neighbour.act(&JoinIssueArgs { issue_id: issue }).await);

    applied(&advance(&staff, issue, Step::Accept { session_id: None }).await);
    applied(&advance(&property, issue, answer()).await);
    applied(&advance(&property, issue, Step::StartRectifying).await);
    applied(&advance(&property, issue, report()).await);
    let view = status_of(&raiser, issue).await;
    assert_eq!(view["status"], "awaiting_score");
    assert_eq!(view["round"], 1);
    assert_eq!(view["may_score"], true);
    assert_eq!(view["joined_count"], 1);

    applied(&score(&raiser, issue, 1, 2).await);
    assert_eq!(
        status_of(&raiser, issue).await["status"],
        "awaiting_score",
        "waits for the second score"
    );
    applied(&score(&neighbour, issue, 1, 2).await);
    let reopened = status_of(&raiser, issue).await;
    assert_eq!(reopened["status"], "rectifying", "退回重办");
    assert_eq!(reopened["rounds"][0]["outcome"], "reopened");
    assert_eq!(reopened["rounds"][0]["average"], 2.0);

    applied(&advance(&property, issue, report()).await);
    applied(&score(&raiser, issue, 2, 4).await);
    applied(&score(&neighbour, issue, 2, 5).await);
    let closed = status_of(&neighbour, issue).await;
    assert_eq!(closed["status"], "closed");
    assert_eq!(closed["rounds"][1]["average"], 4.5);
    assert_eq!(closed["rounds"][1]["satisfied"], 2);
    assert!(!closed["closed_at"].is_null());
}

#[tokio::test]
async fn each_step_belongs_to_its_role_and_its_moment() {
    let app = spawn().await;
    let raiser = app.signed_in(RESIDENT_SHANWAN).await;
    let staff = app.signed_in(STAFF).await;
    let property = app.signed_in(PROPERTY).await;
    let other_staff = app.signed_in(OTHER_STAFF).await;
    let issue = raise_issue(&raiser, "单元门坏了").await;
    refused(
        &advance(&raiser, issue, Step::Accept { session_id: None }).await,
        "forbidden",
    );
    refused(
        &advance(&property, issue, Step::Accept { session_id: None }).await,
        "forbidden",
    );
    refused(
        &advance(&other_staff, issue, Step::Accept { session_id: None }).await,
        "forbidden",
    );
    let early = advance(&property, issue, answer()).await;
    refused(&early, "conflict");
    assert_eq!(
        early.message.as_deref(),
        Some("这个问题现在是「待受理」，不能这样处理。请刷新后查看最新情况。")
    );
    applied(&advance(&staff, issue, Step::Accept { session_id: None }).await);
    refused(&advance(&staff, issue, answer()).await, "forbidden");
    refused(
        &advance(&staff, issue, Step::Accept { session_id: None }).await,
        "conflict",
    );
    applied(&advance(&property, issue, answer()).await);
    refused(&advance(&property, issue, answer()).await, "conflict");
    let empty = advance(
        &property,
        issue,
        Step::ReportRectified { report: " ".into() },
    )
    .await;
    refused(&empty, "invalid");
}

#[tokio::test]
async fn only_the_raiser_and_joined_residents_score_and_may_change_their_score() {
    let app = spawn().await;
    let raiser = app.signed_in(RESIDENT_SHANWAN).await;
    let neighbour = app.signed_in(RESIDENT_SHANWAN_2).await;
    let staff = app.signed_in(STAFF).await;
    let property = app.signed_in(PROPERTY).await;
    let issue = raise_issue(&raiser, "花坛积水").await;
    applied(&advance(&staff, issue, Step::Accept { session_id: None }).await);
    applied(&advance(&property, issue, answer()).await);
    applied(&advance(&property, issue, Step::StartRectifying).await);
    applied(&advance(&property, issue, report()).await);
    let stranger = score(&neighbour, issue, 1, 5).await;
    refused(&stranger, "forbidden");
    assert_eq!(
        stranger.message.as_deref(),
        Some("只有提出或加入这个问题的居民可以评分")
    );
    refused(&score(&staff, issue, 1, 5).await, "forbidden");
    refused(&score(&raiser, issue, 1, 9).await, "invalid");
    // The raiser alone is eligible: their score decides, and only their last one counts.
    let window = app
        .count(
            "SELECT COUNT(*) FROM rounds WHERE issue_id = ? AND outcome IS NULL",
            &issue.to_string(),
        )
        .await;
    assert_eq!(window, 1);
    applied(&score(&raiser, issue, 1, 4).await);
    assert_eq!(status_of(&raiser, issue).await["status"], "closed");
    refused(&score(&raiser, issue, 1, 2).await, "conflict");
}

#[tokio::test]
async fn a_window_that_ends_decides_the_round_with_the_scores_given() {
    let app = spawn().await;
    let raiser = app.signed_in(RESIDENT_SHANWAN).await;
    let neighbour = app.signed_in(RESIDENT_SHANWAN_2).await;
    let staff = app.signed_in(STAFF).await;
    let property = app.signed_in(PROPERTY).await;
    let issue = raise_issue(&raiser, "路面坑洼").await;
    applied(&neighbour.act(&JoinIssueArgs { issue_id: issue }).await);
    applied(&advance(&staff, issue, Step::Accept { session_id: None }).await);
    applied(&advance(&property, issue, answer()).await);
    applied(&advance(&property, issue, Step::StartRectifying).await);
    applied(&advance(&property, issue, report()).await);
    applied(&score(&raiser, issue, 1, 5).await);
    assert_eq!(
        server::settle_due_rounds(&app.db, Utc::now())
            .await
            .unwrap(),
        0,
        "the window is open"
    );
    let settled = server::settle_due_rounds(&app.db, Utc::now() + Duration::days(15))
        .await
        .unwrap();
    assert_eq!(settled, 1);
    let view = status_of(&raiser, issue).await;
    assert_eq!(view["status"], "closed");
    assert_eq!(view["rounds"][0]["scores"], 1);
    // Too late to score now.
    sqlx::query("UPDATE rounds SET closes_at = '2000-01-01T00:00:00.000Z'")
        .execute(app.db.pool())
        .await
        .unwrap();
    refused(&score(&neighbour, issue, 1, 1).await, "conflict");
}

#[tokio::test]
async fn residents_join_issues_of_their_own_community_only_and_never_their_own() {
    let app = spawn().await;
    let raiser = app.signed_in(RESIDENT_SHANWAN).await;
    let issue = raise_issue(&raiser, "电梯异响").await;
    refused(
        &raiser.act(&JoinIssueArgs { issue_id: issue }).await,
        "conflict",
    );
    refused(
        &app.signed_in(RESIDENT_TANGWANG)
            .await
            .act(&JoinIssueArgs { issue_id: issue })
            .await,
        "forbidden",
    );
    let neighbour = app.signed_in(RESIDENT_SHANWAN_2).await;
    applied(&neighbour.act(&JoinIssueArgs { issue_id: issue }).await);
    applied(&neighbour.act(&JoinIssueArgs { issue_id: issue }).await);
    let view = status_of(&neighbour, issue).await;
    assert_eq!(
        (view["joined_count"].as_u64(), view["joined"].as_bool()),
        (Some(1), Some(true))
    );
    refused(
        &raiser
            .act(&JoinIssueArgs {
                issue_id: Uuid::new_v4(),
            })
            .await,
        "not_found",
    );
}

/// Regression: "not the raiser" moved from the mutator into the policy. The raiser is still
/// told it is their own issue (a conflict, with the same words) before the issue's state is
/// looked at, even once the issue is declined.
#[tokio::test]
async fn the_raiser_who_joins_their_own_issue_is_told_it_is_theirs_even_once_it_is_declined() {
    let app = spawn().await;
    let raiser = app.signed_in(RESIDENT_SHANWAN).await;
    let issue = raise_issue(&raiser, "垃圾桶满了").await;
    let own = raiser.act(&JoinIssueArgs { issue_id: issue }).await;
    refused(&own, "conflict");
    assert_eq!(
        own.message.as_deref(),
        Some("这是您自己提的问题"),
        "{own:?}"
    );
    applied(
        &advance(
            &app.signed_in(STAFF).await,
            issue,
            Step::Decline {
                reason: "属于物业日常保洁".into(),
            },
        )
        .await,
    );
    let again = raiser.act(&JoinIssueArgs { issue_id: issue }).await;
    refused(&again, "conflict");
    assert_eq!(
        again.message.as_deref(),
        Some("这是您自己提的问题"),
        "{again:?}"
    );
}

#[tokio::test]
async fn staff_escalate_and_the_township_answers_with_a_deadline() {
    let app = spawn().await;
    let raiser = app.signed_in(RESIDENT_SHANWAN).await;
    let staff = app.signed_in(STAFF).await;
    let township = app.signed_in(TOWNSHIP_STAFF).await;
    let issue = raise_issue(&raiser, "小区外路灯不亮").await;
    let note = EscalateIssueArgs {
        issue_id: issue,
        note: "市政路灯，需要乡里协调".into(),
    };
    refused(&raiser.act(&note).await, "forbidden");
    refused(
        &app.signed_in(OTHER_STAFF).await.act(&note).await,
        "forbidden",
    );
    applied(&staff.act(&note).await);
    refused(&staff.act(&note).await, "conflict");
    let reply = AnswerEscalationArgs {
        issue_id: issue,
        answer: "已联系供电所，两周内修复".into(),
        deadline: NaiveDate::from_ymd_opt(2030, 1, 1).unwrap(),
    };
    refused(&staff.act(&reply).await, "forbidden");
    applied(&township.act(&reply).await);
    let view = status_of(&raiser, issue).await;
    assert_eq!(view["escalation"]["answer"], "已联系供电所，两周内修复");
    assert_eq!(view["escalation"]["deadline"], "2030-01-01");
}

#[tokio::test]
async fn staff_schedule_dialogues_and_the_community_reads_the_minutes() {
    let app = spawn().await;
    let staff = app.signed_in(STAFF).await;
    let raiser = app.signed_in(RESIDENT_SHANWAN).await;
    let issue = raise_issue(&raiser, "议程上的问题").await;
    let id = Uuid::new_v4();
    let schedule = ScheduleDialogueArgs {
        id,
        community_id: "shanwan".into(),
        held_on: NaiveDate::from_ymd_opt(2026, 12, 19).unwrap(),
        place: "社区议事厅".into(),
        attendees: "康乐物业、居民代表".into(),
    };
    refused(&raiser.act(&schedule).await, "forbidden");
    refused(
        &app.signed_in(OTHER_STAFF).await.act(&schedule).await,
        "forbidden",
    );
    applied(&staff.act(&schedule).await);
    applied(
        &advance(
            &staff,
            issue,
            Step::Accept {
                session_id: Some(id),
            },
        )
        .await,
    );
    let minutes = RecordMinutesArgs {
        dialogue_id: id,
        issue_id: Some(issue),
        notes: "物业承诺月底前处理".into(),
    };
    refused(&raiser.act(&minutes).await, "forbidden");
    applied(&staff.act(&minutes).await);
    applied(
        &staff
            .act(&RecordMinutesArgs {
                dialogue_id: id,
                issue_id: None,
                notes: "本次对话共议三项".into(),
            })
            .await,
    );
    let pull = raiser.pull(None).await;
    let dialogue = pull
        .changes
        .iter()
        .find(|c| c.id == id.to_string())
        .and_then(|c| c.data.clone())
        .unwrap();
    assert_eq!(dialogue["minutes"], "本次对话共议三项");
    assert_eq!(dialogue["notes"][0]["notes"], "物业承诺月底前处理");
    assert_eq!(
        status_of(&raiser, issue).await["dialogue_id"],
        id.to_string()
    );
    let elsewhere = app.signed_in(RESIDENT_TANGWANG).await.pull(None).await;
    assert!(elsewhere.changes.iter().all(|c| c.id != id.to_string()));
}

fn session(community: &str, day: u32) -> ScheduleDialogueArgs {
    ScheduleDialogueArgs {
        id: Uuid::new_v4(),
        community_id: community.into(),
        held_on: NaiveDate::from_ymd_opt(2027, 1, day).unwrap(),
        place: "社区议事厅".into(),
        attendees: String::new(),
    }
}

#[tokio::test]
async fn staff_build_an_agenda_from_projects_of_their_own_community() {
    let app = spawn().await;
    let staff = app.signed_in(STAFF).await;
    let other_staff = app.signed_in(OTHER_STAFF).await;
    let raiser = app.signed_in(RESIDENT_SHANWAN).await;
    let january = session("shanwan", 9);
    let march = session("shanwan", 30);
    let elsewhere = session("jiulong", 9);
    applied(&staff.act(&january).await);
    applied(&staff.act(&march).await);
    applied(&other_staff.act(&elsewhere).await);
    let issue = raise_issue(&raiser, "车棚漏雨").await;
    let put = |dialogue_id: Option<Uuid>| SetAgendaArgs {
        issue_id: issue,
        dialogue_id,
    };

    let waiting = staff.act(&put(Some(january.id))).await;
    refused(&waiting, "conflict");
    assert!(
        waiting.message.as_deref().unwrap_or("").contains("立项后"),
        "{waiting:?}"
    );
    // Accepted before any session was scheduled, then put on January's agenda.
    applied(&advance(&staff, issue, Step::Accept { session_id: None }).await);
    refused(&raiser.act(&put(Some(january.id))).await, "forbidden");
    refused(&other_staff.act(&put(Some(january.id))).await, "forbidden");
    for phone in [PROPERTY, "13900000501"] {
        let outsider = app.signed_in(phone).await;
        refused(&outsider.act(&put(Some(january.id))).await, "forbidden");
    }
    refused(&staff.act(&put(Some(elsewhere.id))).await, "not_found");
    applied(&staff.act(&put(Some(january.id))).await);
    assert_eq!(
        status_of(&raiser, issue).await["dialogue_id"],
        january.id.to_string()
    );
    // Not settled in January: carried over to March, then taken off.
    applied(&staff.act(&put(Some(march.id))).await);
    assert_eq!(
        status_of(&raiser, issue).await["dialogue_id"],
        march.id.to_string()
    );
    applied(&staff.act(&put(None)).await);
    assert!(status_of(&raiser, issue).await["dialogue_id"].is_null());

    // Accepting straight into another community's session is refused too.
    let second = raise_issue(&raiser, "门禁坏了").await;
    refused(
        &advance(
            &staff,
            second,
            Step::Accept {
                session_id: Some(elsewhere.id),
            },
        )
        .await,
        "not_found",
    );
    assert_eq!(status_of(&raiser, second).await["status"], "raised");
}

#[tokio::test]
async fn staff_set_the_pass_mark_and_window_and_rounds_follow_them() {
    let app = spawn().await;
    let staff = app.signed_in(STAFF).await;
    let property = app.signed_in(PROPERTY).await;
    let raiser = app.signed_in(RESIDENT_SHANWAN).await;
    let rules = |pass_average: f64, window_days: i64| ScoringRulesArgs {
        community_id: "shanwan".into(),
        pass_average,
        window_days,
    };
    let community_of = |pull: &domain::wire::PullResponse| {
        pull.changes
            .iter()
            .find(|c| c.entity == "community" && c.id == "shanwan")
            .and_then(|c| c.data.clone())
    };
    let first = raiser.pull(None).await;
    let defaults = community_of(&first).expect("a first pull brings the community");
    assert_eq!(
        (
            defaults["pass_average"].as_f64(),
            defaults["window_days"].as_i64()
        ),
        (Some(3.0), Some(14))
    );
    assert!(
        community_of(&raiser.pull(Some(first.cursor)).await).is_none(),
        "unchanged communities are not sent again"
    );

    refused(&raiser.act(&rules(4.0, 7)).await, "forbidden");
    refused(&property.act(&rules(4.0, 7)).await, "forbidden");
    refused(
        &app.signed_in(OTHER_STAFF).await.act(&rules(4.0, 7)).await,
        "forbidden",
    );
    let invalid = staff.act(&rules(4.2, 90)).await;
    refused(&invalid, "invalid");
    let fields: Vec<_> = invalid.fields.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["pass_average", "window_days"]);
    applied(&staff.act(&rules(4.0, 7)).await);
    let changed = community_of(&raiser.pull(Some(first.cursor)).await).expect("sent again");
    assert_eq!(
        (
            changed["pass_average"].as_f64(),
            changed["window_days"].as_i64()
        ),
        (Some(4.0), Some(7))
    );

    // A round opened now closes in 7 days, and a 3.5 average is not enough any more.
    let issue = raise_issue(&raiser, "电梯异响").await;
    let neighbour = app.signed_in(RESIDENT_SHANWAN_2).await;
    applied(&neighbour.act(&JoinIssueArgs { issue_id: issue }).await);
    applied(&advance(&staff, issue, Step::Accept { session_id: None }).await);
    applied(&advance(&property, issue, answer()).await);
    applied(&advance(&property, issue, Step::StartRectifying).await);
    let before = Utc::now();
    applied(&advance(&property, issue, report()).await);
    let view = status_of(&raiser, issue).await;
    let closes_at: chrono::DateTime<Utc> =
        serde_json::from_value(view["rounds"][0]["closes_at"].clone()).unwrap();
    let days = (closes_at - before).num_hours();
    assert!((7 * 24 - 1..=7 * 24).contains(&days), "{closes_at}");
    applied(&score(&raiser, issue, 1, 3).await);
    applied(&score(&neighbour, issue, 1, 4).await);
    let reopened = status_of(&raiser, issue).await;
    assert_eq!(reopened["status"], "rectifying", "3.5 < 4.0");
}

fn photo(
    issue_id: Uuid,
    stage: domain::dialogue::PhotoStage,
    bytes: &[u8],
) -> domain::dialogue::AttachPhotoArgs {
    use base64::Engine;
    domain::dialogue::AttachPhotoArgs {
        id: Uuid::new_v4(),
        issue_id,
        stage,
        content_type: "image/jpeg".into(),
        data: base64::engine::general_purpose::STANDARD.encode(bytes),
    }
}

#[tokio::test]
async fn photos_travel_through_the_queue_three_per_step_and_only_to_the_community() {
    use domain::dialogue::PhotoStage;
    let app = spawn().await;
    let raiser = app.signed_in(RESIDENT_SHANWAN).await;
    let property = app.signed_in(PROPERTY).await;
    let issue = raise_issue(&raiser, "墙皮脱落").await;
    let jpeg = b"\xFF\xD8\xFF\xE0 a tiny test image \xFF\xD9".to_vec();
    for _ in 0..3 {
        applied(&raiser.act(&photo(issue, PhotoStage::Issue, &jpeg)).await);
    }
    refused(
        &raiser.act(&photo(issue, PhotoStage::Issue, &jpeg)).await,
        "conflict",
    );
    refused(
        &raiser
            .act(&photo(issue, PhotoStage::Rectification, &jpeg))
            .await,
        "forbidden",
    );
    applied(
        &property
            .act(&photo(issue, PhotoStage::Rectification, &jpeg))
            .await,
    );
    refused(
        &raiser
            .act(&photo(issue, PhotoStage::Issue, &vec![0u8; 301 * 1024]))
            .await,
        "invalid",
    );
    let view = status_of(&raiser, issue).await;
    let photos = view["photos"].as_array().unwrap();
    assert_eq!(photos.len(), 4);
    let first = photos[0]["id"].as_str().unwrap().to_string();
    let neighbour = app
        .signed_in(RESIDENT_SHANWAN_2)
        .await
        .get(&format!("/api/photos/{first}"))
        .await;
    assert_eq!(neighbour.status(), reqwest::StatusCode::OK);
    assert_eq!(neighbour.headers()["content-type"], "image/jpeg");
    assert_eq!(neighbour.bytes().await.unwrap().to_vec(), jpeg);
    let elsewhere = app
        .signed_in(RESIDENT_TANGWANG)
        .await
        .get(&format!("/api/photos/{first}"))
        .await;
    assert_eq!(elsewhere.status(), reqwest::StatusCode::NOT_FOUND);
    assert_eq!(
        app.phone()
            .get(&format!("/api/photos/{first}"))
            .await
            .status(),
        reqwest::StatusCode::UNAUTHORIZED
    );
}
