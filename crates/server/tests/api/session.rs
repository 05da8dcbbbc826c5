//! Signing in and out, session expiry, and the generic message for wrong credentials.

use reqwest::StatusCode;

use crate::helpers::*;

#[tokio::test]
async fn a_demo_account_signs_in_and_the_cookie_is_http_only_and_strict() {
    let app = spawn().await;
    let phone = app.phone();
    let response = phone.sign_in(RESIDENT_SHANWAN, PASSWORD).await;
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    assert!(!cookie.contains("Secure"), "plain http on loopback");
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["display_name"], "王秀兰");
    assert_eq!(body["memberships"][0]["community_name"], "杉湾花园");
    let me = phone
        .http
        .get(app.url("/api/session"))
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_session_cookie_is_secure_when_served_over_https() {
    let app = spawn_with(|config| config.secure_cookies = true).await;
    let response = app.phone().sign_in(RESIDENT_SHANWAN, PASSWORD).await;
    let cookie = response.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.contains("; Secure"));
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_phone_get_the_same_message() {
    let app = spawn().await;
    let wrong_password = app.phone().sign_in(RESIDENT_SHANWAN, "wrong").await;
    let unknown_phone = app.phone().sign_in("13800000000", PASSWORD).await;
    assert_eq!(wrong_password.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(unknown_phone.status(), StatusCode::UNAUTHORIZED);
    let a: serde_json::Value = wrong_password.json().await.unwrap();
    let b: serde_json::Value = unknown_phone.json().await.unwrap();
    assert_eq!(a, b);
    assert_eq!(a["message"], "手机号或密码不对，请再试一次");
}

#[tokio::test]
async fn a_malformed_phone_gets_field_errors_in_chinese() {
    let app = spawn().await;
    let response = app.phone().sign_in("12345", "").await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["fields"][0]["field"], "phone");
    assert_eq!(body["fields"][0]["message"], "手机号的格式不对");
    assert_eq!(body["fields"][1]["field"], "password");
}

#[tokio::test]
async fn signing_out_ends_the_session_on_the_server() {
    let app = spawn().await;
    let phone = app.signed_in(RESIDENT_SHANWAN).await;
    let out = phone
        .http
        .delete(app.url("/api/session"))
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        phone.pull_raw(None).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn an_expired_session_is_refused_and_the_queue_can_be_pushed_after_signing_in_again() {
    let app = spawn().await;
    let phone = app.signed_in(RESIDENT_SHANWAN).await;
    sqlx::query("UPDATE sessions SET expires_at = '2000-01-01T00:00:00.000Z'")
        .execute(app.db.pool())
        .await
        .unwrap();
    let refused = phone.push_raw(&[raise(1, "过期后提交")]).await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.count_issues_titled("过期后提交").await, 0);
    phone.sign_in(RESIDENT_SHANWAN, PASSWORD).await;
    let pushed = phone.push(&[raise(1, "过期后提交")]).await;
    assert_eq!(pushed.results.len(), 1);
    assert_eq!(app.count_issues_titled("过期后提交").await, 1);
}
