//! The built app: Trunk's `dist/`, with the right caching for each kind of file.
//!
//! Hashed files (`name-<hash>.js`, `.wasm`, `.css`) never change, so they are cached for a
//! year; everything else (index.html, sw.js, the manifest) is revalidated on every load, so
//! a new version is found. Brotli and gzip copies made at build time are served when the
//! browser accepts them. A path without a file extension gets its app's index.html (the app
//! routes it): `work/index.html` under `/work/`, the resident app's `index.html` elsewhere. A
//! missing file with an extension is a plain 404, never HTML in its place.

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

use crate::AppState;

pub async fn serve(State(state): State<AppState>, request: Request) -> Response {
    let dir = &state.config.static_dir;
    let path = request.uri().path().to_string();
    let is_navigation = !last_segment(&path).contains('.');
    let files = ServeDir::new(dir).precompressed_br().precompressed_gzip();
    let mut response = if is_navigation {
        let shell = if path == "/work" || path.starts_with("/work/") {
            dir.join("work/index.html")
        } else {
            dir.join("index.html")
        };
        files
            .fallback(ServeFile::new(shell))
            .oneshot(request)
            .await
            .into_response()
    } else {
        files.oneshot(request).await.into_response()
    };
    if response.status() == StatusCode::OK || response.status() == StatusCode::NOT_MODIFIED {
        let cache = if is_hashed(&path) {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        };
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    }
    response
}

fn last_segment(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or("")
}

/// Trunk names built files `<name>-<16 hex digits>[_bg].<ext>`.
fn is_hashed(path: &str) -> bool {
    let name = last_segment(path);
    let stem = name.split('.').next().unwrap_or("");
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-')
        .map(|(_, hash)| hash.len() == 16 && hash.chars().all(|c| c.is_ascii_hexdigit()))
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_trunk_hashed_files_are_cached_forever() {
        assert!(is_hashed("/yiwantang-1a2b3c4d5e6f7a8b_bg.wasm"));
        assert!(is_hashed("/yiwantang-1a2b3c4d5e6f7a8b.js"));
        assert!(is_hashed("/main-0123456789abcdef.css"));
        assert!(!is_hashed("/index.html"));
        assert!(!is_hashed("/sw.js"));
        assert!(!is_hashed("/icons/icon-192.png"));
    }
}
