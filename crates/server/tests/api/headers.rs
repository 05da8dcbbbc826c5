//! Security headers on every kind of response: the app shell (with its inline module loader
//! hashed into the Content-Security-Policy), the API's JSON, a photo, the exports and 404s.

use base64::Engine;
use domain::dialogue::{AttachPhotoArgs, PhotoStage};
use domain::wire::ResultStatus;
use domain::RaiseIssueArgs;
use reqwest::StatusCode;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::helpers::*;

/// Trunk's loader, as it writes it into `index.html`.
const LOADER: &str = "\nimport init, * as bindings from '/yiwantang-0123456789abcdef.js';\nconst wasm = await init({ module_or_path: '/yiwantang-0123456789abcdef_bg.wasm' });\nwindow.wasmBindings = bindings;\n";

fn shell() -> String {
    format!(
        "<!doctype html><html><head><link rel=\"modulepreload\" href=\"/yiwantang-0123456789abcdef.js\"><script type=\"module\">{LOADER}</script></head><body></body></html>"
    )
}

fn assert_security_headers(response: &reqwest::Response, what: &str) {
    let headers = response.headers();
    let get = |name: &str| {
        headers
            .get(name)
            .unwrap_or_else(|| panic!("{what}: no {name}"))
            .to_str()
            .unwrap()
            .to_string()
    };
    let csp = get("content-security-policy");
    for directive in [
        "script-src 'self' 'wasm-unsafe-eval'",
        "object-src 'none'",
        "base-uri 'self'",
        "frame-ancestors 'none'",
        "img-src 'self' data: blob:",
    ] {
        assert!(csp.contains(directive), "{what}: {directive} in {csp}");
    }
    assert!(!csp.contains("'unsafe-inline'"), "{what}: {csp}");
    assert_eq!(get("x-content-type-options"), "nosniff", "{what}");
    assert_eq!(get("x-frame-options"), "DENY", "{what}");
    assert_eq!(get("referrer-policy"), "no-referrer", "{what}");
    assert_eq!(get("cross-origin-opener-policy"), "same-origin", "{what}");
}

fn assert_not_stored(response: &reqwest::Response, what: &str) {
    let cache = response.headers()["cache-control"].to_str().unwrap();
    assert!(cache.contains("no-store"), "{what}: cache-control {cache}");
}

#[tokio::test]
async fn every_kind_of_response_carries_the_security_headers() {
    let dist = tempfile::tempdir().unwrap();
    std::fs::write(dist.path().join("index.html"), shell()).unwrap();
    std::fs::create_dir(dist.path().join("work")).unwrap();
    std::fs::write(dist.path().join("work/index.html"), shell()).unwrap();
    let static_dir = dist.path().to_path_buf();
    let app = spawn_with(move |config| config.static_dir = static_dir).await;
    let resident = app.signed_in(RESIDENT_SHANWAN).await;

    // The app shell: its inline loader is allowed by hash, and only by hash.
    let page = resident.get("/issues").await;
    assert_eq!(page.status(), StatusCode::OK);
    assert_security_headers(&page, "the app shell");
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(LOADER));
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        csp.contains(&format!("'sha256-{hash}'")),
        "the loader's hash is in {csp}"
    );
    assert!(page.headers().get("strict-transport-security").is_none());
    assert_security_headers(&resident.get("/work/").await, "the work app's shell");

    // API JSON, and the API's 404.
    let session = resident.get("/api/session").await;
    assert_eq!(session.status(), StatusCode::OK);
    assert_security_headers(&session, "API JSON");
    assert_not_stored(&session, "API JSON");
    let missing = resident.get("/api/no-such-thing").await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert_security_headers(&missing, "API 404");
    assert_not_stored(&missing, "API 404");
    // A missing file of the app.
    let missing = resident.get("/no-such-file.js").await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert_security_headers(&missing, "static 404");
    // A refusal before any handler (not signed in).
    let anonymous = app.phone().get("/api/ledger?community=shanwan").await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    assert_security_headers(&anonymous, "401");
    assert_not_stored(&anonymous, "401");

    // A photo.
    let issue = Uuid::new_v4();
    let raised = resident
        .act(&RaiseIssueArgs {
            id: issue,
            title: "墙皮脱落".into(),
            description: String::new(),
            category: "repairs".into(),
            place: None,
            on_behalf_of: None,
        })
        .await;
    assert_eq!(raised.status, ResultStatus::Applied);
    let photo_id = Uuid::new_v4();
    let attached = resident
        .act(&AttachPhotoArgs {
            id: photo_id,
            issue_id: issue,
            stage: PhotoStage::Issue,
            content_type: "image/jpeg".into(),
            data: base64::engine::general_purpose::STANDARD
                .encode(b"\xFF\xD8\xFF\xE0 a tiny test image \xFF\xD9"),
        })
        .await;
    assert_eq!(attached.status, ResultStatus::Applied, "{attached:?}");
    let photo = resident.get(&format!("/api/photos/{photo_id}")).await;
    assert_eq!(photo.status(), StatusCode::OK);
    assert_security_headers(&photo, "a photo");
    assert_eq!(
        photo.headers()["cache-control"].to_str().unwrap(),
        "private, no-store"
    );

    // The exports.
    for format in ["csv", "xlsx"] {
        let export = resident
            .get(&format!(
                "/api/ledger/export?community=shanwan&format={format}"
            ))
            .await;
        assert_eq!(export.status(), StatusCode::OK, "{format}");
        assert_security_headers(&export, format);
        assert_not_stored(&export, format);
    }
}

#[tokio::test]
async fn hsts_is_sent_only_behind_https() {
    let app = spawn_with(|config| config.secure_cookies = true).await;
    let response = app.phone().get("/api/communities").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_security_headers(&response, "API JSON over HTTPS");
    let hsts = response.headers()["strict-transport-security"]
        .to_str()
        .unwrap();
    assert!(hsts.starts_with("max-age="), "{hsts}");
}
