//! The HTTP surface: bad input answers 4xx, the Origin check, the OpenAPI document and the
//! static app with its caching.

use reqwest::StatusCode;

use crate::helpers::*;

#[tokio::test]
async fn malformed_json_gets_400_with_the_api_error_shape_not_500() {
    let app = spawn().await;
    let phone = app.signed_in(RESIDENT_SHANWAN).await;
    for body in ["{bad", "{\"client_id\": 5}", "[]"] {
        let response = phone
            .http
            .post(app.url("/api/sync/push"))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{body}");
        let error: serde_json::Value = response.json().await.unwrap();
        assert_eq!(error["code"], "bad_request");
    }
}

#[tokio::test]
async fn a_state_changing_request_from_another_origin_is_refused() {
    let app = spawn().await;
    let response = app
        .phone()
        .http
        .post(app.url("/api/session"))
        .header("origin", "https://evil.example")
        .json(&serde_json::json!({"phone": RESIDENT_SHANWAN, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let same_origin = app
        .phone()
        .http
        .post(app.url("/api/session"))
        .header("origin", format!("http://{}", app.addr))
        .json(&serde_json::json!({"phone": RESIDENT_SHANWAN, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(same_origin.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_openapi_document_describes_the_sync_endpoints() {
    let app = spawn().await;
    let doc: serde_json::Value = reqwest::get(app.url("/api/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for path in [
        "/api/sync/push",
        "/api/sync/pull",
        "/api/session",
        "/api/communities",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} missing");
    }
    let schemas = &doc["components"]["schemas"];
    for name in [
        "PushRequest",
        "PushResponse",
        "PullRequest",
        "PullResponse",
        "MutationResult",
    ] {
        assert!(schemas[name].is_object(), "{name} missing");
    }
}

#[tokio::test]
async fn an_unknown_api_path_is_a_json_404() {
    let app = spawn().await;
    let response = reqwest::get(app.url("/api/nope")).await.unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["code"], "not_found");
}

#[tokio::test]
async fn the_app_is_served_with_index_for_routes_and_hashed_files_cached_for_a_year() {
    let dir = tempfile::tempdir().unwrap();
    let dist = dir.path().to_path_buf();
    std::fs::write(
        dist.join("index.html"),
        "<!doctype html><title>一碗汤</title>",
    )
    .unwrap();
    std::fs::write(dist.join("app-0123456789abcdef_bg.wasm"), b"\0asm").unwrap();
    std::fs::write(dist.join("sw.js"), "// sw").unwrap();
    let app = spawn_with(|config| config.static_dir = dist.clone()).await;

    let route = reqwest::get(app.url("/issues/new")).await.unwrap();
    assert_eq!(route.status(), StatusCode::OK);
    assert_eq!(route.headers()["cache-control"], "no-cache");
    assert!(route.text().await.unwrap().contains("一碗汤"));

    let wasm = reqwest::get(app.url("/app-0123456789abcdef_bg.wasm"))
        .await
        .unwrap();
    assert_eq!(
        wasm.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );

    let sw = reqwest::get(app.url("/sw.js")).await.unwrap();
    assert_eq!(sw.headers()["cache-control"], "no-cache");

    let missing = reqwest::get(app.url("/app-ffffffffffffffff.js"))
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_communities_of_the_demo_township_are_listed() {
    let app = spawn().await;
    let list: serde_json::Value = reqwest::get(app.url("/api/communities"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let names: Vec<_> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["杉湾花园", "东昇花园", "汤汪花园", "九龙花园"]);
}
