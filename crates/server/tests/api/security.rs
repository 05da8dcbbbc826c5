//! The holes closed before deploying for real: no password guessing through invitations,
//! no unauthenticated argon2 flood, throttling behind a proxy, codes kept only as hashes and
//! sent in bodies, sessions with an absolute lifetime, and every secret-checking endpoint
//! refusing the sixth wrong try within the window, parallel bursts included.

use domain::account::{Code, InviteArgs};
use domain::person::Role;
use domain::privacy::NOTICE_VERSION;
use domain::wire::ResultStatus;
use reqwest::StatusCode;
use serde_json::json;
use uuid::Uuid;

use crate::helpers::*;

const STAFF: &str = "13900000301";

fn join_body(name: &str, phone: &str, password: &str) -> serde_json::Value {
    json!({"display_name": name, "phone": phone, "password": password, "consent_version": NOTICE_VERSION})
}

/// Staff of 杉湾花园 invite someone; returns the code as printed.
async fn invite(app: &TestApp, role: Role, seed: u8) -> String {
    let staff = app.signed_in(STAFF).await;
    let code = Code::from_random(&[seed, 2, 4, 6, 8, 10, 12, 14, 16, 18]).display();
    let result = staff
        .act(&InviteArgs {
            id: Uuid::new_v4(),
            community_id: "shanwan".into(),
            role,
            household_id: None,
            code: code.clone(),
        })
        .await;
    assert_eq!(result.status, ResultStatus::Applied, "{result:?}");
    code
}

async fn accept(phone: &Phone, code: &str, body: serde_json::Value) -> reqwest::Response {
    phone
        .post_json(&format!("/api/invitations/{code}/accept"), body)
        .await
}

fn roles(session: &serde_json::Value) -> Vec<String> {
    session["memberships"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["role"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn accepting_an_invitation_with_a_registered_phone_never_checks_the_password() {
    let app = spawn().await;
    let code = invite(&app, Role::Volunteer, 1).await;
    // Right or wrong password, the answer is the same: sign in first. No session is opened.
    for password in ["not-her-password", PASSWORD] {
        let device = app.phone();
        let response = accept(
            &device,
            &code,
            join_body("王秀兰", RESIDENT_SHANWAN, password),
        )
        .await;
        assert_eq!(response.status(), StatusCode::CONFLICT, "{password}");
        assert!(response.headers().get("set-cookie").is_none());
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["code"], "phone_registered");
        assert!(body["message"]
            .as_str()
            .unwrap()
            .contains("请先用这个手机号登录"));
        assert_eq!(
            device.get("/api/session").await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    // The code is still unused and the person still has one role.
    let unused = app
        .count(
            "SELECT COUNT(*) FROM invitations WHERE used_at IS NULL AND kind = ?",
            "join",
        )
        .await;
    assert_eq!(unused, 1);

    // Signed in, the same person accepts: the role is added to their own account.
    let her = app.signed_in(RESIDENT_SHANWAN).await;
    let response = accept(
        &her,
        &code,
        json!({"display_name": "", "phone": "", "password": "", "consent_version": NOTICE_VERSION}),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let session: serde_json::Value = response.json().await.unwrap();
    assert_eq!(roles(&session), ["resident", "volunteer"]);
    assert_eq!(session["phone"], RESIDENT_SHANWAN);
    let again: serde_json::Value = her.get("/api/session").await.json().await.unwrap();
    assert_eq!(roles(&again), ["resident", "volunteer"]);
}

#[tokio::test]
async fn a_signed_in_person_accepting_must_agree_to_the_notice() {
    let app = spawn().await;
    let code = invite(&app, Role::Volunteer, 2).await;
    let her = app.signed_in(RESIDENT_SHANWAN).await;
    let response = accept(&her, &code, join_body("", "", "")).await;
    assert_eq!(response.status(), StatusCode::OK);
    let code = invite(&app, Role::Volunteer, 3).await;
    let mut body = join_body("", "", "");
    body["consent_version"] = json!("old");
    let refused = accept(&her, &code, body).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
}
