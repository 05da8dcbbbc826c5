//! `POST /api/setup`: the first township staff account of a township made by `new-township`,
//! with the one-time setup code it printed. Throttled like every path that checks a secret;
//! the code is looked up (by its hash) before any password is hashed, and a phone number
//! already registered is refused, so the path never signs anyone in as someone else.

use axum::extract::State;
use axum::http::header::{SET_COOKIE, USER_AGENT};
use axum::http::HeaderMap;
use axum::response::{AppendHeaders, IntoResponse};
use chrono::Utc;
use domain::account::JoinRequest;
use domain::person::Role;
use domain::privacy::NOTICE_VERSION;
use domain::wire::SessionView;
use uuid::Uuid;

use super::session::session_view;
use crate::auth::{self, ClientAddr};
use crate::error::{AppError, Json};
use crate::{store, AppState};

#[utoipa::path(post, path = "/api/setup", tag = "accounts", request_body = JoinRequest,
    responses((status = 200, body = SessionView), (status = 409, body = domain::wire::ApiError),
              (status = 410, body = domain::wire::ApiError), (status = 422, body = domain::wire::ApiError)))]
pub async fn setup(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    Json(request): Json<JoinRequest>,
) -> Result<impl IntoResponse, AppError> {
    let (code, join) = request.parse_with_code().map_err(AppError::Invalid)?;
    let now = Utc::now();
    let limits = [(format!("code-addr:{addr}"), store::limits::MAX_FAILURES)];
    let mut conn = state.db.pool().acquire().await?;
    // Reserved (committed) before the lookup, refunded when the code exists: a wrong code
    // stays counted, and a parallel burst gets no more than the limit.
    auth::reserve_attempt(&mut conn, &limits).await?;
    let hash = store::invitations::code_hash(code.as_str());
    let found = store::townships::setup_code(&mut conn, &hash).await?;
    if found.is_some() {
        auth::refund(&mut conn, &limits).await?;
    }
    let township_id = match found {
        Some((_, true, _)) => return Err(AppError::SetupCodeUnusable("used")),
        Some((_, _, expires_at)) if expires_at <= now => {
            return Err(AppError::SetupCodeUnusable("expired"))
        }
        Some((township_id, false, _)) => township_id,
        None => return Err(AppError::SetupCodeUnusable("unknown")),
    };
    if store::people::user_by_phone(&mut conn, join.phone.as_str())
        .await?
        .is_some()
    {
        return Err(AppError::PhoneRegistered);
    }
    drop(conn);
    let password_hash = auth::hash_password_blocking(&state, join.password.clone()).await?;
    let mut tx = state.db.begin_write().await?;
    let user_id = Uuid::new_v4();
    store::people::insert_user(
        &mut tx,
        user_id,
        join.phone.as_str(),
        &join.display_name,
        &password_hash,
        now,
    )
    .await?;
    if !store::townships::use_setup_code(&mut tx, &hash, user_id, now).await? {
        return Err(AppError::SetupCodeUnusable("used"));
    }
    store::people::insert_membership(
        &mut tx,
        user_id,
        Role::TownshipStaff,
        &township_id,
        None,
        None,
    )
    .await?;
    store::people::record_consent(&mut tx, user_id, NOTICE_VERSION, now).await?;
    let version = store::next_version(&mut tx).await?;
    store::people::touch(&mut tx, user_id, version).await?;
    let user_agent = headers.get(USER_AGENT).and_then(|v| v.to_str().ok());
    let (cookie, token_hash) =
        auth::open_session(&mut tx, user_id, user_agent, state.config.secure_cookies).await?;
    let principal = auth::principal_for(&mut tx, user_id, token_hash).await?;
    tx.commit().await?;
    tracing::info!(user = %user_id, township = %township_id, "township set up");
    Ok((
        AppendHeaders([(SET_COOKIE, cookie)]),
        Json(session_view(&principal)),
    ))
}
