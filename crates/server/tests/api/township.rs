//! Starting a real township without the demo: the command's one-time setup code makes the
//! first township staff account, who opens a community and invites its first staff, who
//! invite a resident, who raises an issue. `--demo` and the real township keep apart.

use domain::account::{AddCommunityArgs, AddHouseholdArgs, Code, InviteArgs};
use domain::person::Role;
use domain::privacy::NOTICE_VERSION;
use domain::wire::{entity, ResultStatus};
use domain::RaiseIssueArgs;
use reqwest::StatusCode;
use serde_json::json;
use uuid::Uuid;

use crate::helpers::*;

const NEW_PASSWORD: &str = "hupan-2026-ok";

fn setup_body(code: &str, name: &str, phone: &str) -> serde_json::Value {
    json!({"code": code, "display_name": name, "phone": phone, "password": NEW_PASSWORD,
           "consent_version": NOTICE_VERSION})
}

fn join_body(code: &str, name: &str, phone: &str) -> serde_json::Value {
    json!({"code": code, "display_name": name, "phone": phone, "password": NEW_PASSWORD,
           "consent_version": NOTICE_VERSION})
}

async fn township_app() -> (TestApp, String) {
    let app = spawn_with(|config| config.demo = false).await;
    let config = server::Config::for_tests(app.database_url.clone());
    let code = server::create_township(&config, "hupan", "湖畔乡")
        .await
        .expect("new township");
    (app, code.display())
}

fn code(seed: u8) -> String {
    Code::from_random(&[seed, 2, 3, 4, 5, 6, 7, 8, 9, 10]).display()
}

#[tokio::test]
async fn a_fresh_township_is_set_up_from_its_code_down_to_a_resident_raising_an_issue() {
    let (app, setup_code) = township_app().await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users WHERE ? = ?", "x")
            .await,
        0
    );

    // The first township staff account, with a password of their own.
    let township = app.phone();
    let set_up = township
        .post_json(
            "/api/setup",
            setup_body(&setup_code, "周主任", "13700000001"),
        )
        .await;
    let status = set_up.status();
    let session: serde_json::Value = set_up.json().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{session}");
    assert_eq!(
        session["memberships"][0]["role"], "township_staff",
        "{session}"
    );
    let again = app
        .phone()
        .post_json(
            "/api/setup",
            setup_body(&setup_code, "冒名者", "13700000009"),
        )
        .await;
    assert_eq!(again.status(), StatusCode::GONE, "a setup code works once");
    let said: serde_json::Value = again.json().await.unwrap();
    assert!(
        said["message"].as_str().unwrap().contains("开通码已经用过"),
        "the setup code is named as such, not as an invitation: {said}"
    );

    // Township staff open a community and invite its first staff.
    let community = Uuid::new_v4();
    let opened = township
        .act(&AddCommunityArgs {
            id: community,
            township_id: "hupan".into(),
            name: "湖畔社区".into(),
        })
        .await;
    assert_eq!(opened.status, ResultStatus::Applied, "{opened:?}");
    let twice = township
        .act(&AddCommunityArgs {
            id: Uuid::new_v4(),
            township_id: "hupan".into(),
            name: "湖畔社区".into(),
        })
        .await;
    assert_eq!(
        twice.status,
        ResultStatus::Rejected,
        "one name per township"
    );
    let pulled = township.pull(None).await;
    assert!(pulled
        .changes
        .iter()
        .any(|c| c.entity == entity::COMMUNITY && c.id == community.to_string()));
    let staff_code = code(1);
    let invited = township
        .act(&InviteArgs {
            id: Uuid::new_v4(),
            community_id: community.to_string(),
            role: Role::CommunityStaff,
            household_id: None,
            code: staff_code.clone(),
        })
        .await;
    assert_eq!(invited.status, ResultStatus::Applied, "{invited:?}");
    let followed = township.pull(None).await;
    assert!(
        followed
            .changes
            .iter()
            .any(|c| c.entity == entity::INVITATION
                && c.data.as_ref().unwrap()["community_id"] == community.to_string()),
        "township staff follow the invitation they made"
    );

    // The community's first staff join, add a household and invite a resident.
    let staff = app.phone();
    let joined = staff
        .post_json(
            "/api/invitations/accept",
            join_body(&staff_code, "孙丽", "13700000002"),
        )
        .await;
    assert_eq!(joined.status(), StatusCode::OK);
    let household = Uuid::new_v4();
    let added = staff
        .act(&AddHouseholdArgs {
            id: household,
            community_id: community.to_string(),
            point: None,
            building: "3栋".into(),
            unit: Some("1单元".into()),
            room: Some("402".into()),
        })
        .await;
    assert_eq!(added.status, ResultStatus::Applied, "{added:?}");
    let resident_code = code(2);
    let invited = staff
        .act(&InviteArgs {
            id: Uuid::new_v4(),
            community_id: community.to_string(),
            role: Role::Resident,
            household_id: Some(household),
            code: resident_code.clone(),
        })
        .await;
    assert_eq!(invited.status, ResultStatus::Applied, "{invited:?}");
    let resident = app.phone();
    let joined = resident
        .post_json(
            "/api/invitations/accept",
            join_body(&resident_code, "王阿姨", "13700000003"),
        )
        .await;
    assert_eq!(joined.status(), StatusCode::OK);
    let raised = resident
        .act(&RaiseIssueArgs {
            id: Uuid::new_v4(),
            title: "湖边路灯不亮".into(),
            description: String::new(),
            category: "repairs".into(),
            place: None,
            on_behalf_of: None,
        })
        .await;
    assert_eq!(raised.status, ResultStatus::Applied, "{raised:?}");
    let seen = township.pull(None).await;
    assert!(titles(&seen).contains(&"湖边路灯不亮".to_string()));
}

#[tokio::test]
async fn only_township_staff_of_that_township_open_communities_and_invite_into_them() {
    let app = spawn().await;
    let config = server::Config::for_tests(app.database_url.clone());
    // The demo's township staff may open communities of the demo township, not elsewhere.
    let township = app.signed_in(TOWNSHIP_STAFF).await;
    let elsewhere = township
        .act(&AddCommunityArgs {
            id: Uuid::new_v4(),
            township_id: "elsewhere".into(),
            name: "别处社区".into(),
        })
        .await;
    assert_eq!(
        elsewhere.code.as_deref(),
        Some("forbidden"),
        "{elsewhere:?}"
    );
    for phone in [RESIDENT_SHANWAN, "13900000301"] {
        let refused = app
            .signed_in(phone)
            .await
            .act(&AddCommunityArgs {
                id: Uuid::new_v4(),
                township_id: "tangwang".into(),
                name: "新社区".into(),
            })
            .await;
        assert_eq!(
            refused.code.as_deref(),
            Some("forbidden"),
            "{phone}: {refused:?}"
        );
    }
    let unknown = township
        .act(&InviteArgs {
            id: Uuid::new_v4(),
            community_id: "no-such-community".into(),
            role: Role::CommunityStaff,
            household_id: None,
            code: code(3),
        })
        .await;
    assert_eq!(unknown.code.as_deref(), Some("not_found"), "{unknown:?}");
    // A real township is never made inside the demo's database.
    let refused = server::create_township(&config, "tangwang", "汤汪乡").await;
    assert!(refused.unwrap_err().to_string().contains("demo"));
}

#[tokio::test]
async fn demo_refuses_a_database_with_a_real_township_and_setup_codes_are_throttled() {
    let (app, _) = township_app().await;
    let mut config = server::Config::for_tests(app.database_url.clone());
    config.demo = true;
    let refused = server::AppState::new(config).await;
    assert!(refused.err().unwrap().to_string().contains("real township"));

    let phone = app.phone();
    for attempt in 0..5 {
        let wrong = phone
            .post_json(
                "/api/setup",
                setup_body(&code(10 + attempt), "某人", "13700000005"),
            )
            .await;
        assert_eq!(wrong.status(), StatusCode::NOT_FOUND, "attempt {attempt}");
        let said: serde_json::Value = wrong.json().await.unwrap();
        assert!(said["message"].as_str().unwrap().starts_with("开通码不对"));
    }
    let sixth = phone
        .post_json("/api/setup", setup_body(&code(20), "某人", "13700000005"))
        .await;
    assert_eq!(sixth.status(), StatusCode::TOO_MANY_REQUESTS);
    let body: serde_json::Value = sixth.json().await.unwrap();
    assert!(
        body.to_string().contains("分钟"),
        "the wait is stated: {body}"
    );
}

#[tokio::test]
async fn outside_demo_the_demo_password_signs_nobody_in_and_cannot_be_chosen() {
    let (app, setup_code) = township_app().await;
    // Someone whose password happens to be the demo's (a demo database served without
    // --demo): refused like a wrong password.
    let mut conn = app.db.pool().acquire().await.unwrap();
    let hash = server::hash_password(PASSWORD).unwrap();
    server::store::people::insert_user(
        &mut conn,
        Uuid::new_v4(),
        "13700000008",
        "旧演示账号",
        &hash,
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    drop(conn);
    let refused = app.phone().sign_in("13700000008", PASSWORD).await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    // Nobody sets it (or another guessable one) as their password.
    let mut body = setup_body(&setup_code, "周主任", "13700000001");
    body["password"] = PASSWORD.into();
    let chosen = app.phone().post_json("/api/setup", body).await;
    assert_eq!(chosen.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let answer: serde_json::Value = chosen.json().await.unwrap();
    assert_eq!(answer["fields"][0]["code"], "guessable", "{answer}");
}
