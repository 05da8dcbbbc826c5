//! Security headers on every response: the app shell and its files, the API's JSON, photos,
//! exports and 404s alike. One layer, applied outermost in the router.
//!
//! The Content-Security-Policy allows scripts only from our origin, plus the inline module
//! loaders Trunk writes into each app's `index.html` — hashed here, at start-up, from the
//! files that will be served (so a rebuild needs a restart, as it does anyway) — and
//! WebAssembly compilation (`'wasm-unsafe-eval'`). Every `/api` answer is `no-store`
//! (photos keep their `private, no-store`): personal data is never left in an HTTP cache.
//! HSTS is sent only when the server is told it is behind HTTPS (`--secure-cookies`).

use std::path::Path;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine;
use sha2::{Digest, Sha256};

/// The headers every response gets, computed once.
#[derive(Clone, Debug)]
pub struct SecurityHeaders {
    csp: HeaderValue,
    hsts: bool,
}

impl SecurityHeaders {
    /// Hashes the inline scripts of both apps' shells under `static_dir`.
    pub fn new(static_dir: &Path, hsts: bool) -> SecurityHeaders {
        let mut hashes = Vec::new();
        for shell in ["index.html", "work/index.html"] {
            if let Ok(html) = std::fs::read_to_string(static_dir.join(shell)) {
                for script in inline_scripts(&html) {
                    let hash = format!("'sha256-{}'", script_hash(script));
                    if !hashes.contains(&hash) {
                        hashes.push(hash);
                    }
                }
            }
        }
        let csp = content_security_policy(&hashes);
        SecurityHeaders {
            csp: HeaderValue::from_str(&csp).expect("the policy is plain ASCII"),
            hsts,
        }
    }

    fn apply(&self, response: &mut Response, is_api: bool) {
        let out = response.headers_mut();
        out.insert(header::CONTENT_SECURITY_POLICY, self.csp.clone());
        out.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        out.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        out.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        );
        out.insert(
            HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        );
        if self.hsts {
            out.insert(
                header::STRICT_TRANSPORT_SECURITY,
                HeaderValue::from_static("max-age=31536000; includeSubDomains"),
            );
        }
        if is_api {
            let private = out
                .get(header::CACHE_CONTROL)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.contains("no-store"));
            if !private {
                out.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            }
        }
    }
}

/// The middleware (`axum::middleware::from_fn_with_state`) that adds them.
pub async fn add(
    State(headers): State<Arc<SecurityHeaders>>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    let is_api = path == "/api" || path.starts_with("/api/");
    let mut response = next.run(request).await;
    headers.apply(&mut response, is_api);
    response
}

fn content_security_policy(script_hashes: &[String]) -> String {
    let mut script_src = String::from("'self' 'wasm-unsafe-eval'");
    for hash in script_hashes {
        script_src.push(' ');
        script_src.push_str(hash);
    }
    format!(
        "default-src 'self'; script-src {script_src}; style-src 'self'; \
         img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; \
         manifest-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'self'; \
         form-action 'self'; frame-ancestors 'none'"
    )
}

/// The base64 SHA-256 of a script's text, as CSP wants it.
pub fn script_hash(script: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(Sha256::digest(script.as_bytes()))
}

/// The text of each `<script>` element without a `src` in the page.
fn inline_scripts(html: &str) -> Vec<&str> {
    let mut scripts = Vec::new();
    let lower = html.to_ascii_lowercase();
    let mut at = 0;
    while let Some(start) = lower[at..].find("<script").map(|i| i + at) {
        let Some(tag_end) = lower[start..].find('>').map(|i| i + start) else {
            break;
        };
        let Some(close) = lower[tag_end..].find("</script").map(|i| i + tag_end) else {
            break;
        };
        let tag = &lower[start..tag_end];
        if !tag.contains("src=") {
            scripts.push(&html[tag_end + 1..close]);
        }
        at = close + "</script".len();
    }
    scripts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_scripts_are_found_and_external_ones_skipped() {
        let html = "<head><script src=\"/a.js\"></script><SCRIPT type=\"module\">\nimport init from '/x.js';\n</SCRIPT></head><body><script>b()</script></body>";
        assert_eq!(
            inline_scripts(html),
            ["\nimport init from '/x.js';\n", "b()"]
        );
        assert_eq!(
            script_hash(""),
            "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
        );
    }
}
