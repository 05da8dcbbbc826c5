//! The router: the API under `/api`, the built app everywhere else.

pub(crate) mod account;
mod headers;
pub(crate) mod ledger;
pub(crate) mod photos;
pub(crate) mod session;
pub(crate) mod setup;
mod static_files;
pub(crate) mod sync;

use axum::extract::{Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use tower_http::trace::TraceLayer;

use crate::error::{AppError, Json};
use crate::{openapi, store, AppState};

pub fn app(state: AppState) -> Router {
    let security = std::sync::Arc::new(headers::SecurityHeaders::new(
        &state.config.static_dir,
        state.config.secure_cookies,
    ));
    let api = Router::new()
        .route(
            "/session",
            get(session::current)
                .post(session::sign_in)
                .delete(session::sign_out),
        )
        // Photos travel in pushes: up to 8 MB per push (the phone sends at most ~3 MB).
        .route(
            "/sync/push",
            post(sync::push).layer(axum::extract::DefaultBodyLimit::max(8 * 1024 * 1024)),
        )
        .route("/photos/{id}", get(photos::photo))
        .route("/sync/pull", post(sync::pull))
        .route("/communities", get(communities))
        // Codes travel in bodies, never in paths (which end up in logs and histories).
        .route("/invitations/lookup", post(account::invitation))
        .route("/invitations/accept", post(account::accept))
        .route("/password-resets/redeem", post(account::reset_password))
        .route("/setup", post(setup::setup))
        .route("/sessions", get(account::sessions))
        .route(
            "/sessions/{id}",
            axum::routing::delete(account::end_session),
        )
        .route("/me/export", get(account::export))
        .route("/me", axum::routing::delete(account::delete_account))
        .route("/ledger", get(ledger::figures))
        .route("/ledger/export", get(ledger::export))
        .route("/openapi.json", get(openapi::document))
        .fallback(api_not_found)
        .layer(middleware::from_fn(check_origin));
    Router::new()
        .nest("/api", api)
        .fallback(static_files::serve)
        .layer(middleware::from_fn_with_state(security, headers::add))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

async fn api_not_found() -> AppError {
    AppError::NotFound
}

/// The communities of the township (public: names only).
#[utoipa::path(get, path = "/api/communities", tag = "places",
    responses((status = 200, body = [domain::wire::CommunityView])))]
pub async fn communities(
    State(state): State<AppState>,
) -> Result<Json<Vec<domain::wire::CommunityView>>, AppError> {
    let mut conn = state.db.pool().acquire().await?;
    Ok(Json(store::people::communities(&mut conn).await?))
}

/// State-changing requests must come from our own pages: the SameSite=Strict cookie
/// already stops other sites; this refuses a foreign `Origin` as well.
async fn check_origin(request: Request, next: Next) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if !safe && !same_origin(&request) {
        return (
            StatusCode::FORBIDDEN,
            axum::Json(domain::wire::ApiError {
                code: "bad_origin".into(),
                message: "请求来自其他网站，已拒绝".into(),
                fields: Vec::new(),
            }),
        )
            .into_response();
    }
    next.run(request).await
}

fn same_origin(request: &Request) -> bool {
    let headers = request.headers();
    if headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) == Some("cross-site") {
        return false;
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        // Not sent by a browser page (a test client, curl): the cookie rules still apply.
        return true;
    };
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let origin_host = origin.split_once("://").map(|(_, rest)| rest);
    matches!((origin_host, host), (Some(o), Some(h)) if o == h)
}
