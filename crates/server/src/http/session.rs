//! Signing in and out.

use axum::extract::State;
use axum::http::header::{SET_COOKIE, USER_AGENT};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{AppendHeaders, IntoResponse};
use domain::person::Phone;
use domain::wire::{MembershipView, SessionView, SignInRequest};
use domain::{FieldError, FieldErrorKind};

use crate::auth::{self, ClientAddr, Principal};
use crate::error::{AppError, Json};
use crate::{store, AppState};

pub(crate) fn session_view(principal: &Principal) -> SessionView {
    SessionView {
        user_id: principal.user_id,
        display_name: principal.display_name.clone(),
        phone: principal.phone.clone(),
        memberships: principal
            .memberships
            .iter()
            .map(|m| MembershipView {
                community_id: m
                    .community_id
                    .clone()
                    .unwrap_or_else(|| m.township_id.clone()),
                community_name: m
                    .community_name
                    .clone()
                    .unwrap_or_else(|| m.township_name.clone()),
                role: m.role,
            })
            .collect(),
    }
}

/// Who is signed in.
#[utoipa::path(get, path = "/api/session", tag = "session",
    responses((status = 200, body = SessionView), (status = 401, body = domain::wire::ApiError)))]
pub async fn current(principal: Principal) -> Json<SessionView> {
    Json(session_view(&principal))
}

/// Signs in with phone and password; sets the session cookie.
#[utoipa::path(post, path = "/api/session", tag = "session", request_body = SignInRequest,
    responses((status = 200, body = SessionView), (status = 401, body = domain::wire::ApiError),
              (status = 422, body = domain::wire::ApiError)))]
pub async fn sign_in(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    Json(request): Json<SignInRequest>,
) -> Result<impl IntoResponse, AppError> {
    let mut problems = Vec::new();
    let phone = Phone::parse(&request.phone)
        .map_err(|e| problems.push(e))
        .ok();
    if request.password.is_empty() {
        problems.push(FieldError::new("password", FieldErrorKind::Required));
    }
    let Some(phone) = phone.filter(|_| problems.is_empty()) else {
        return Err(AppError::Invalid(problems));
    };
    // Throttled per phone (registered or not, so the lock tells nothing) and per address. The
    // attempt is reserved (counted) before the password is checked and refunded on success,
    // so parallel tries get no more than the limit.
    let phone_key = format!("phone:{}", phone.as_str());
    let limits = [
        (phone_key.clone(), store::limits::MAX_FAILURES),
        (format!("addr:{addr}"), store::limits::ADDR_MAX_FAILURES),
    ];
    // No pooled connection is held while argon2 runs: a burst of sign-ins must not starve
    // the pulls and pushes of the people already signed in.
    let user = {
        let mut conn = state.db.pool().acquire().await?;
        auth::reserve_attempt(&mut conn, &limits).await?;
        store::people::user_by_phone(&mut conn, phone.as_str()).await?
    };
    let hash = user
        .as_ref()
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| auth::dummy_hash().to_string());
    // Outside --demo the demo password (public in the source) opens nothing, even where a
    // demo database is served.
    let public = !state.config.demo && request.password == crate::DEMO_PASSWORD;
    let verified =
        !public && auth::verify_password_blocking(&state, request.password.clone(), hash).await?;
    let user = match user {
        Some(user) if verified && user.deactivated_at.is_none() => user,
        // The reserved attempt stays counted.
        _ => return Err(AppError::BadCredentials),
    };
    let mut conn = state.db.pool().acquire().await?;
    store::limits::clear(&mut conn, &phone_key).await?;
    auth::refund(&mut conn, &limits[1..]).await?;
    let user_agent = headers.get(USER_AGENT).and_then(|v| v.to_str().ok());
    let (cookie, token_hash) =
        auth::open_session(&mut conn, user.id, user_agent, state.config.secure_cookies).await?;
    let principal = auth::principal_for(&mut conn, user.id, token_hash).await?;
    tracing::info!(user = %principal.user_id, "signed in");
    Ok((
        AppendHeaders([(SET_COOKIE, cookie)]),
        Json(session_view(&principal)),
    ))
}

/// Signs out: ends this session and clears the cookie.
#[utoipa::path(delete, path = "/api/session", tag = "session", responses((status = 204)))]
pub async fn sign_out(
    State(state): State<AppState>,
    principal: Option<Principal>,
) -> Result<impl IntoResponse, AppError> {
    if let Some(principal) = principal {
        let mut conn = state.db.pool().acquire().await?;
        store::sessions::delete(&mut conn, &principal.token_hash).await?;
    }
    Ok((
        StatusCode::NO_CONTENT,
        AppendHeaders([(SET_COOKIE, auth::clear_cookie(state.config.secure_cookies))]),
    ))
}
