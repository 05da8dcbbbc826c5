//! Joining by invitation, throttled sign-in, sessions and their end, deactivation, password
//! resets, downloading one's data and deleting one's account.

use domain::account::{Code, DeactivatePersonArgs, InviteArgs, ResetPasswordArgs};
use domain::mutation::Definition;
use domain::person::Role;
use domain::privacy::NOTICE_VERSION;
use domain::wire::ResultStatus;
use domain::RaiseIssueArgs;
use reqwest::StatusCode;
use serde_json::json;
use uuid::Uuid;

use crate::helpers::*;

const STAFF: &str = "13900000301";

fn join_body(name: &str, phone: &str, password: &str) -> serde_json::Value {
    json!({"display_name": name, "phone": phone, "password": password, "consent_version": NOTICE_VERSION})
}

/// Staff of 杉湾花园 invite someone; returns the code as printed.
async fn invite(app: &TestApp, role: Role, household: Option<Uuid>, seed: u8) -> String {
    let staff = app.signed_in(STAFF).await;
    let code = Code::from_random(&[seed, 3, 5, 7, 11, 13, 17, 19, 23, 29]).display();
    let result = staff
        .act(&InviteArgs {
            id: Uuid::new_v4(),
            community_id: "shanwan".into(),
            role,
            household_id: household,
            code: code.clone(),
        })
        .await;
    assert_eq!(result.status, ResultStatus::Applied, "{result:?}");
    code
}

fn raise(title: &str) -> RaiseIssueArgs {
    RaiseIssueArgs {
        id: Uuid::new_v4(),
        title: title.into(),
        description: String::new(),
        category: "other".into(),
        place: None,
        on_behalf_of: None,
    }
}

#[tokio::test]
async fn a_resident_joins_through_an_invitation_agrees_to_the_notice_and_raises_an_issue() {
    let app = spawn().await;
    let household = app.household_id("shanwan", "102").await;
    let code = invite(&app, Role::Resident, Some(household), 1).await;
    let newcomer = app.phone();
    let info = newcomer.lookup(&code.to_lowercase()).await;
    assert_eq!(info.status(), StatusCode::OK);
    let info: serde_json::Value = info.json().await.unwrap();
    assert_eq!(info["community_name"], "杉湾花园");
    assert_eq!(info["role"], "resident");
    assert_eq!(
        info["household_label"], "6栋1单元",
        "no room before joining"
    );
    assert_eq!(info["notice_version"], NOTICE_VERSION);

    let joined = newcomer
        .accept(&code, join_body("周阿姨", "13911112222", "warm-soup-88"))
        .await;
    assert_eq!(joined.status(), StatusCode::OK);
    let session: serde_json::Value = joined.json().await.unwrap();
    assert_eq!(session["memberships"][0]["role"], "resident");
    let result = newcomer.act(&raise("新住户的问题")).await;
    assert_eq!(result.status, ResultStatus::Applied);
    let consented = app
        .count(
            "SELECT COUNT(*) FROM consents WHERE version = ?",
            NOTICE_VERSION,
        )
        .await;
    assert_eq!(consented, 1);

    // Single use: the code does nothing a second time.
    let again = app
        .phone()
        .accept(&code, join_body("别人", "13933334444", "warm-soup-88"))
        .await;
    assert_eq!(again.status(), StatusCode::GONE);
    let body: serde_json::Value = again.json().await.unwrap();
    assert_eq!(body["code"], "code_used");

    // Staff see the new person with household and phone; a neighbour sees only a masked name.
    let staff_pull = app.signed_in(STAFF).await.pull(None).await;
    let person = staff_pull
        .changes
        .iter()
        .find(|c| c.entity == "person" && c.data.as_ref().unwrap()["phone"] == "13911112222")
        .expect("staff see the new resident");
    assert_eq!(
        person.data.as_ref().unwrap()["household_label"],
        "6栋1单元102"
    );
    let neighbour_pull = app.signed_in(RESIDENT_SHANWAN_2).await.pull(None).await;
    let issue = neighbour_pull
        .changes
        .iter()
        .find(|c| c.data.as_ref().unwrap()["title"] == "新住户的问题")
        .unwrap();
    assert_eq!(issue.data.as_ref().unwrap()["raised_by"], "周*姨");
}

#[tokio::test]
async fn joining_needs_the_notice_and_valid_fields_and_an_expired_code_is_refused() {
    let app = spawn().await;
    let code = invite(&app, Role::Volunteer, None, 2).await;
    let mut body = join_body("", "123", "short");
    body["consent_version"] = json!("");
    let refused = app.phone().accept(&code, body).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let errors: serde_json::Value = refused.json().await.unwrap();
    let fields: Vec<_> = errors["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["display_name", "phone", "password", "consent"]);

    sqlx::query("UPDATE invitations SET expires_at = '2000-01-01T00:00:00.000Z'")
        .execute(app.db.pool())
        .await
        .unwrap();
    let expired = app
        .phone()
        .accept(&code, join_body("小周", "13955556666", "warm-soup-88"))
        .await;
    assert_eq!(expired.status(), StatusCode::GONE);
    let body: serde_json::Value = expired.json().await.unwrap();
    assert_eq!(
        body["message"],
        "这个邀请码已过期，请联系社区工作人员重新发一个。"
    );
}

#[tokio::test]
async fn wrong_codes_are_throttled_per_address() {
    let app = spawn().await;
    let phone = app.phone();
    for _ in 0..5 {
        let response = phone.lookup("23456-789AB").await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
    }
    let locked = phone.lookup("23456-789AC").await;
    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn five_failed_sign_ins_lock_the_phone_for_fifteen_minutes_registered_or_not() {
    let app = spawn().await;
    for phone in [RESIDENT_SHANWAN, "13800000000"] {
        let device = app.phone();
        for _ in 0..5 {
            assert_eq!(
                device.sign_in(phone, "wrong-password").await.status(),
                StatusCode::UNAUTHORIZED
            );
        }
        let locked = device.sign_in(phone, PASSWORD).await;
        assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS, "{phone}");
        let body: serde_json::Value = locked.json().await.unwrap();
        assert_eq!(body["code"], "rate_limited");
        assert_eq!(body["message"], "尝试次数太多，请15分钟后再试。");
        sqlx::query("DELETE FROM attempt_limits")
            .execute(app.db.pool())
            .await
            .unwrap();
    }
    // After the wait the right password works again.
    assert_eq!(
        app.phone()
            .sign_in(RESIDENT_SHANWAN, PASSWORD)
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn failures_across_many_phones_lock_the_address_only_after_fifty() {
    let app = spawn().await;
    let device = app.phone();
    for n in 0..50 {
        let phone = format!("138000000{n:02}");
        assert_eq!(
            device.sign_in(&phone, "guess").await.status(),
            StatusCode::UNAUTHORIZED,
            "try {n}"
        );
    }
    assert_eq!(
        device.sign_in(RESIDENT_SHANWAN_2, PASSWORD).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn the_devices_list_shows_each_session_and_ends_any_of_them() {
    let app = spawn().await;
    let phone = app.signed_in(RESIDENT_SHANWAN).await;
    let laptop = app.signed_in(RESIDENT_SHANWAN).await;
    let list: Vec<serde_json::Value> = phone.get("/api/sessions").await.json().await.unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list.iter().filter(|s| s["current"] == true).count(), 1);
    let other = list.iter().find(|s| s["current"] == false).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let ended = phone
        .http
        .delete(format!("{}/api/sessions/{other}", phone.base))
        .send()
        .await
        .unwrap();
    assert_eq!(ended.status(), StatusCode::NO_CONTENT);
    let refused = laptop.pull_raw(None).await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    let body: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(body["code"], "session_ended");
    assert_eq!(phone.pull_raw(None).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_deactivated_person_is_refused_at_once_and_told_why() {
    let app = spawn().await;
    let resident = app.signed_in(RESIDENT_SHANWAN).await;
    let staff = app.signed_in(STAFF).await;
    let person_id = app.person_id(RESIDENT_SHANWAN).await;
    let result = staff.act(&DeactivatePersonArgs { person_id }).await;
    assert_eq!(result.status, ResultStatus::Applied);
    let refused = resident
        .push_raw(&[raise("停用后提的").envelope(1, Uuid::new_v4(), chrono::Utc::now())])
        .await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    let body: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(body["code"], "deactivated");
    assert!(body["message"].as_str().unwrap().contains("停用"));
    assert_eq!(app.count_issues_titled("停用后提的").await, 0);
    // Signing in again gets the same answer as any wrong attempt.
    let again = app.phone().sign_in(RESIDENT_SHANWAN, PASSWORD).await;
    assert_eq!(again.status(), StatusCode::UNAUTHORIZED);
    let body: serde_json::Value = again.json().await.unwrap();
    assert_eq!(body["code"], "bad_credentials");
}

#[tokio::test]
async fn a_reset_code_sets_a_new_password_and_ends_the_old_sessions() {
    let app = spawn().await;
    let old_device = app.signed_in(RESIDENT_SHANWAN).await;
    let staff = app.signed_in(STAFF).await;
    let code = Code::from_random(&[9; 10]).display();
    let person_id = app.person_id(RESIDENT_SHANWAN).await;
    let result = staff
        .act(&ResetPasswordArgs {
            id: Uuid::new_v4(),
            person_id,
            code: code.clone(),
        })
        .await;
    assert_eq!(result.status, ResultStatus::Applied);
    let info: serde_json::Value = app.phone().lookup(&code).await.json().await.unwrap();
    assert_eq!(info["kind"], "reset");
    let short = app.phone().redeem(&code, "short").await;
    assert_eq!(short.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let reset = app.phone().redeem(&code, "new-warm-soup").await;
    assert_eq!(reset.status(), StatusCode::OK);
    let body: serde_json::Value = old_device.pull_raw(None).await.json().await.unwrap();
    assert_eq!(body["code"], "session_ended");
    assert_eq!(
        app.phone()
            .sign_in(RESIDENT_SHANWAN, PASSWORD)
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.phone()
            .sign_in(RESIDENT_SHANWAN, "new-warm-soup")
            .await
            .status(),
        StatusCode::OK
    );
    let reused = app.phone().redeem(&code, "another-one").await;
    assert_eq!(reused.status(), StatusCode::GONE);
}

#[tokio::test]
async fn staff_raise_an_issue_for_a_household_and_it_is_recorded_as_such() {
    let app = spawn().await;
    let staff = app.signed_in(STAFF).await;
    let household = app.household_id("shanwan", "402").await;
    let mut args = raise("代老人提的问题");
    args.on_behalf_of = Some(household);
    assert_eq!(staff.act(&args).await.status, ResultStatus::Applied);
    let pull = app.signed_in(RESIDENT_SHANWAN).await.pull(None).await;
    let issue = pull
        .changes
        .iter()
        .find(|c| c.data.as_ref().unwrap()["title"] == "代老人提的问题")
        .unwrap();
    assert_eq!(
        issue.data.as_ref().unwrap()["raised_by"],
        "孙*（代居民提出）"
    );
}

#[tokio::test]
async fn a_person_downloads_their_data_and_only_theirs() {
    let app = spawn().await;
    let phone = app.signed_in(RESIDENT_SHANWAN).await;
    phone.act(&raise("我自己的问题")).await;
    let response = phone.get("/api/me/export").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("attachment"));
    let data: serde_json::Value = response.json().await.unwrap();
    assert_eq!(data["account"][0]["phone"], RESIDENT_SHANWAN);
    assert_eq!(data["memberships"][0]["room"], "201");
    assert_eq!(data["issues_raised"].as_array().unwrap().len(), 1);
    assert_eq!(data["actions"][0]["name"], "raise_issue");
    let text = data.to_string();
    assert!(!text.contains(RESIDENT_SHANWAN_2) && !text.contains("李建国"));
}

#[tokio::test]
async fn deleting_an_account_removes_the_person_and_keeps_their_issues_anonymised() {
    let app = spawn().await;
    let phone = app.signed_in(RESIDENT_SHANWAN).await;
    phone.act(&raise("注销前提的问题")).await;
    let wrong = phone
        .http
        .delete(format!("{}/api/me", phone.base))
        .json(&json!({"password": "nope"}))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let deleted = phone
        .http
        .delete(format!("{}/api/me", phone.base))
        .json(&json!({"password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM users WHERE phone = ?",
            RESIDENT_SHANWAN
        )
        .await,
        0
    );
    assert_eq!(
        app.phone()
            .sign_in(RESIDENT_SHANWAN, PASSWORD)
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    let pull = app.signed_in(RESIDENT_SHANWAN_2).await.pull(None).await;
    let issue = pull
        .changes
        .iter()
        .find(|c| c.data.as_ref().unwrap()["title"] == "注销前提的问题")
        .unwrap();
    assert_eq!(issue.data.as_ref().unwrap()["raised_by"], "已注销用户");
}

#[tokio::test]
async fn the_export_holds_joins_scores_photos_codes_and_sessions_and_deletion_leaves_no_trace() {
    use base64::Engine;
    use domain::dialogue::{
        AdvanceIssueArgs, AttachPhotoArgs, JoinIssueArgs, PhotoStage, ScoreIssueArgs, Step,
    };
    let app = spawn().await;
    let raiser = app.signed_in(RESIDENT_SHANWAN).await;
    let neighbour = app.signed_in(RESIDENT_SHANWAN_2).await;
    let staff = app.signed_in(STAFF).await;
    let property = app.signed_in("13900000201").await;
    let issue = Uuid::new_v4();
    let mut args = raise("车棚漏雨");
    args.id = issue;
    assert_eq!(raiser.act(&args).await.status, ResultStatus::Applied);
    let jpeg = b"\xFF\xD8\xFF\xE0 the raiser's photo \xFF\xD9".to_vec();
    let attached = raiser
        .act(&AttachPhotoArgs {
            id: Uuid::new_v4(),
            issue_id: issue,
            stage: PhotoStage::Issue,
            content_type: "image/jpeg".into(),
            data: base64::engine::general_purpose::STANDARD.encode(&jpeg),
        })
        .await;
    assert_eq!(attached.status, ResultStatus::Applied, "{attached:?}");
    let joined = neighbour.act(&JoinIssueArgs { issue_id: issue }).await;
    assert_eq!(joined.status, ResultStatus::Applied, "{joined:?}");
    for (phone, step) in [
        (&staff, Step::Accept { session_id: None }),
        (
            &property,
            Step::Answer {
                reply: "已联系施工队".into(),
                plan: "本周修好".into(),
                promised_by: chrono::NaiveDate::from_ymd_opt(2030, 1, 1).unwrap(),
            },
        ),
        (&property, Step::StartRectifying),
        (
            &property,
            Step::ReportRectified {
                report: "已换顶棚".into(),
            },
        ),
    ] {
        let result = phone
            .act(&AdvanceIssueArgs {
                issue_id: issue,
                step,
            })
            .await;
        assert_eq!(result.status, ResultStatus::Applied, "{result:?}");
    }
    let scored = neighbour
        .act(&ScoreIssueArgs {
            issue_id: issue,
            round: 1,
            value: 4,
            comment: "修得不错，就是慢".into(),
        })
        .await;
    assert_eq!(scored.status, ResultStatus::Applied, "{scored:?}");
    let code = invite(&app, Role::Volunteer, None, 9).await;

    let mine: serde_json::Value = neighbour.get("/api/me/export").await.json().await.unwrap();
    assert_eq!(mine["issues_joined"][0]["title"], "车棚漏雨");
    assert_eq!(mine["scores"][0]["value"], 4);
    assert_eq!(mine["scores"][0]["comment"], "修得不错，就是慢");
    let theirs: serde_json::Value = raiser.get("/api/me/export").await.json().await.unwrap();
    let photo = &theirs["photos_uploaded"][0];
    assert_eq!(photo["issue_id"], issue.to_string());
    assert_eq!(
        base64::engine::general_purpose::STANDARD
            .decode(photo["data_base64"].as_str().unwrap())
            .unwrap(),
        jpeg
    );
    let staff_data: serde_json::Value = staff.get("/api/me/export").await.json().await.unwrap();
    let made = staff_data["invitations_made"].as_array().unwrap();
    assert!(made.iter().any(|i| i["role"] == "volunteer"), "{made:?}");
    assert!(
        !staff_data.to_string().contains(&code.replace('-', "")[..6]),
        "codes are never exported"
    );

    // A wrong password leaves the phone number in the attempt limits.
    let wrong = app
        .phone()
        .sign_in(RESIDENT_SHANWAN, "not-the-password")
        .await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    for phone in [&neighbour, &raiser] {
        let deleted = phone
            .http
            .delete(format!("{}/api/me", phone.base))
            .json(&json!({"password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    }
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM photos WHERE issue_id = ?",
            &issue.to_string()
        )
        .await,
        0,
        "the photo went with its author"
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM scores WHERE issue_id = ? AND comment = '' AND user_id IS NULL",
            &issue.to_string()
        )
        .await,
        1,
        "the score still counts, without its words or its author"
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM attempt_limits WHERE key LIKE '%' || ?",
            RESIDENT_SHANWAN
        )
        .await,
        0
    );
    let view = staff
        .pull(None)
        .await
        .changes
        .into_iter()
        .find(|c| c.id == issue.to_string())
        .and_then(|c| c.data)
        .unwrap();
    assert_eq!(view["photos"].as_array().map(Vec::len), Some(0), "{view}");
}
