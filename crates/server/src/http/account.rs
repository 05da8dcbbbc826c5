//! Joining by invitation, resetting a password with a one-time code, 登录设备 (the
//! person's sessions), downloading one's data and deleting one's account.

use axum::extract::State;
use axum::http::header::{CONTENT_DISPOSITION, SET_COOKIE, USER_AGENT};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{AppendHeaders, IntoResponse};
use chrono::Utc;
use domain::account::{check_password, Code, CodeRequest, JoinRequest, ResetRequest};
use domain::privacy::NOTICE_VERSION;
use domain::wire::{DeleteAccountRequest, InvitationInfo, SessionInfo, SessionView};
use domain::{FieldError, FieldErrorKind};
use uuid::Uuid;

use super::session::session_view;
use crate::auth::{self, ClientAddr, Principal};
use crate::error::{AppError, Json, Path};
use crate::store::invitations::{InvitationRow, JOIN, RESET};
use crate::store::{self, Conn};
use crate::AppState;

/// The code's row, if it is usable and of the given kind (any kind when `None`). Counts
/// nothing: call it inside write transactions, after `usable_code` let the attempt through.
async fn find_code(
    conn: &mut Conn,
    text: &str,
    kind: Option<&str>,
) -> Result<InvitationRow, AppError> {
    let row = match Code::parse(text) {
        Ok(code) => store::invitations::by_code(conn, code.as_str()).await?,
        Err(_) => None,
    };
    match row {
        Some(row) if kind.is_some_and(|k| row.kind != k) => Err(AppError::CodeUnusable("unknown")),
        Some(row) if row.used_at.is_some() => Err(AppError::CodeUnusable("used")),
        Some(row) if row.expires_at <= Utc::now() => Err(AppError::CodeUnusable("expired")),
        Some(row) => Ok(row),
        None => Err(AppError::CodeUnusable("unknown")),
    }
}

/// Finds a usable code of the given kind, throttled per address: the attempt is reserved
/// (counted, committed at once) before the lookup and refunded when the code exists, so a
/// wrong code stays counted and a parallel burst gets no more than the limit. Call it on a
/// pooled connection, not inside a write transaction that may roll back.
async fn usable_code(
    conn: &mut Conn,
    text: &str,
    kind: Option<&str>,
    addr: &str,
) -> Result<InvitationRow, AppError> {
    let limits = [(format!("code-addr:{addr}"), store::limits::MAX_FAILURES)];
    auth::reserve_attempt(conn, &limits).await?;
    let found = find_code(conn, text, kind).await;
    if !matches!(found, Err(AppError::CodeUnusable("unknown"))) {
        auth::refund(conn, &limits).await?;
    }
    found
}

/// What an invitation or a reset code offers. Public, throttled per address; no personal data.
#[utoipa::path(post, path = "/api/invitations/lookup", tag = "accounts", request_body = CodeRequest,
    responses((status = 200, body = InvitationInfo), (status = 404, body = domain::wire::ApiError),
              (status = 410, body = domain::wire::ApiError), (status = 429, body = domain::wire::ApiError)))]
pub async fn invitation(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    Json(CodeRequest { code }): Json<CodeRequest>,
) -> Result<Json<InvitationInfo>, AppError> {
    let mut conn = state.db.pool().acquire().await?;
    let row = usable_code(&mut conn, &code, None, &addr).await?;
    let community_name = store::people::community_name(&mut conn, &row.community_id)
        .await?
        .unwrap_or_default();
    let household_label = match row.household_id {
        Some(id) => store::households::by_id(&mut conn, id)
            .await?
            .map(|h| h.label(false)),
        None => None,
    };
    Ok(Json(InvitationInfo {
        kind: row.kind,
        community_name,
        role: row.role,
        household_label,
        expires_at: row.expires_at,
        notice_version: NOTICE_VERSION.to_string(),
    }))
}

/// Joins with an invitation: agrees to the privacy notice, creates the account and signs in.
/// Joining never signs anyone in to an existing account: a phone already registered must sign
/// in first, and a signed-in person accepting adds the invitation's role to their own account
/// (no password is checked on this route at all).
#[utoipa::path(post, path = "/api/invitations/accept", tag = "accounts", request_body = JoinRequest,
    responses((status = 200, body = SessionView), (status = 404, body = domain::wire::ApiError),
              (status = 409, body = domain::wire::ApiError), (status = 410, body = domain::wire::ApiError),
              (status = 422, body = domain::wire::ApiError), (status = 429, body = domain::wire::ApiError)))]
pub async fn accept(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    principal: Option<Principal>,
    headers: HeaderMap,
    Json(request): Json<JoinRequest>,
) -> Result<impl IntoResponse, AppError> {
    let code = request.code.clone();
    if let Some(principal) = principal {
        return accept_signed_in(&state, &addr, &principal, &code, &request)
            .await
            .map(|view| (AppendHeaders(Vec::new()), view));
    }
    let join = request.parse().map_err(AppError::Invalid)?;
    let existing = {
        let mut conn = state.db.pool().acquire().await?;
        usable_code(&mut conn, &code, Some(JOIN), &addr).await?;
        store::people::user_by_phone(&mut conn, join.phone.as_str()).await?
    };
    if existing.is_some() {
        // No password check here: sign in (throttled per phone) and then accept.
        return Err(AppError::PhoneRegistered);
    }
    // Hashed before the write transaction, which must stay short, and without a connection.
    let hash = auth::hash_password_blocking(&state, join.password.clone()).await?;
    let now = Utc::now();
    let mut tx = state.db.begin_write().await?;
    let invitation = find_code(&mut tx, &code, Some(JOIN)).await?;
    let version = store::next_version(&mut tx).await?;
    let user_id = Uuid::new_v4();
    if store::people::user_by_phone(&mut tx, join.phone.as_str())
        .await?
        .is_some()
    {
        return Err(AppError::PhoneRegistered);
    }
    store::people::insert_user(
        &mut tx,
        user_id,
        join.phone.as_str(),
        &join.display_name,
        &hash,
        now,
    )
    .await?;
    let role = add_role(&mut tx, &invitation, user_id, now, version).await?;
    let user_agent = headers.get(USER_AGENT).and_then(|v| v.to_str().ok());
    let (cookie, token_hash) =
        auth::open_session(&mut tx, user_id, user_agent, state.config.secure_cookies).await?;
    let principal = auth::principal_for(&mut tx, user_id, token_hash).await?;
    tx.commit().await?;
    tracing::info!(user = %user_id, community = %invitation.community_id, role = role.code(), "joined by invitation");
    Ok((
        AppendHeaders(vec![(SET_COOKIE, cookie)]),
        Json(session_view(&principal)),
    ))
}

/// A signed-in person accepts an invitation: the role is added to their own account. Only
/// the notice's consent is read from the request; the name, phone and password are ignored.
async fn accept_signed_in(
    state: &AppState,
    addr: &str,
    principal: &Principal,
    code: &str,
    request: &JoinRequest,
) -> Result<Json<SessionView>, AppError> {
    if request.consent_version != NOTICE_VERSION {
        return Err(AppError::Invalid(vec![FieldError::new(
            "consent",
            FieldErrorKind::Required,
        )]));
    }
    {
        let mut conn = state.db.pool().acquire().await?;
        usable_code(&mut conn, code, Some(JOIN), addr).await?;
    }
    let now = Utc::now();
    let mut tx = state.db.begin_write().await?;
    let invitation = find_code(&mut tx, code, Some(JOIN)).await?;
    let version = store::next_version(&mut tx).await?;
    let role = add_role(&mut tx, &invitation, principal.user_id, now, version).await?;
    let principal =
        auth::principal_for(&mut tx, principal.user_id, principal.token_hash.clone()).await?;
    tx.commit().await?;
    tracing::info!(user = %principal.user_id, community = %invitation.community_id, role = role.code(), "accepted an invitation while signed in");
    Ok(Json(session_view(&principal)))
}

/// Gives the person the invitation's role, records their consent and uses the code up.
async fn add_role(
    tx: &mut Conn,
    invitation: &InvitationRow,
    user_id: Uuid,
    now: chrono::DateTime<Utc>,
    version: i64,
) -> Result<domain::person::Role, AppError> {
    let township = store::people::township_of(tx, &invitation.community_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let role = invitation.role.ok_or(AppError::CodeUnusable("unknown"))?;
    store::people::insert_membership(
        tx,
        user_id,
        role,
        &township,
        Some(&invitation.community_id),
        invitation.household_id,
    )
    .await?;
    store::people::record_consent(tx, user_id, NOTICE_VERSION, now).await?;
    store::people::touch(tx, user_id, version).await?;
    if !store::invitations::mark_used(tx, invitation.id, user_id, now, version).await? {
        return Err(AppError::CodeUnusable("used"));
    }
    Ok(role)
}

/// Sets a new password with a one-time reset code: every other session ends, this one starts.
#[utoipa::path(post, path = "/api/password-resets/redeem", tag = "accounts", request_body = ResetRequest,
    responses((status = 200, body = SessionView), (status = 404, body = domain::wire::ApiError),
              (status = 410, body = domain::wire::ApiError), (status = 422, body = domain::wire::ApiError),
              (status = 429, body = domain::wire::ApiError)))]
pub async fn reset_password(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    Json(request): Json<ResetRequest>,
) -> Result<impl IntoResponse, AppError> {
    let code = request.code.clone();
    check_password(&request.password).map_err(|e| AppError::Invalid(vec![e]))?;
    // The code is looked up and the limits checked first, on a connection whose writes commit
    // (a wrong code is counted), and only then is the password hashed, holding no connection.
    {
        let mut conn = state.db.pool().acquire().await?;
        usable_code(&mut conn, &code, Some(RESET), &addr).await?;
    }
    let hash = auth::hash_password_blocking(&state, request.password.clone()).await?;
    let now = Utc::now();
    let mut tx = state.db.begin_write().await?;
    let reset = find_code(&mut tx, &code, Some(RESET)).await?;
    let person = reset.person_id.ok_or(AppError::CodeUnusable("unknown"))?;
    let version = store::next_version(&mut tx).await?;
    store::people::set_password(&mut tx, person, &hash).await?;
    store::sessions::end_all(&mut tx, person, "password_reset").await?;
    if !store::invitations::mark_used(&mut tx, reset.id, person, now, version).await? {
        return Err(AppError::CodeUnusable("used"));
    }
    let user_agent = headers.get(USER_AGENT).and_then(|v| v.to_str().ok());
    let (cookie, token_hash) =
        auth::open_session(&mut tx, person, user_agent, state.config.secure_cookies).await?;
    let principal = auth::principal_for(&mut tx, person, token_hash).await?;
    tx.commit().await?;
    Ok((
        AppendHeaders([(SET_COOKIE, cookie)]),
        Json(session_view(&principal)),
    ))
}

/// A short name for a browser from its user agent, for the list of devices.
fn device_name(user_agent: Option<&str>) -> String {
    let agent = user_agent.unwrap_or("");
    let browser = ["MicroMessenger", "Edg", "Chrome", "Firefox", "Safari"]
        .into_iter()
        .find(|b| agent.contains(b))
        .map(|b| {
            if b == "MicroMessenger" {
                "微信"
            } else if b == "Edg" {
                "Edge"
            } else {
                b
            }
        })
        .unwrap_or("浏览器");
    let system = ["Android", "iPhone", "iPad", "Windows", "Mac OS", "Linux"]
        .into_iter()
        .find(|s| agent.contains(s))
        .unwrap_or("");
    format!("{browser} {system}").trim().to_string()
}

/// 登录设备: the person's live sessions.
#[utoipa::path(get, path = "/api/sessions", tag = "accounts",
    responses((status = 200, body = [SessionInfo]), (status = 401, body = domain::wire::ApiError)))]
pub async fn sessions(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<Json<Vec<SessionInfo>>, AppError> {
    let mut conn = state.db.pool().acquire().await?;
    let listings = store::sessions::list_live(
        &mut conn,
        principal.user_id,
        Utc::now(),
        state.config.session_max_age(),
    )
    .await?;
    Ok(Json(
        listings
            .into_iter()
            .map(|s| SessionInfo {
                id: s.token_hash[..16].to_string(),
                created_at: s.created_at,
                last_seen_at: s.last_seen_at,
                device: device_name(s.user_agent.as_deref()),
                current: s.token_hash == principal.token_hash,
            })
            .collect(),
    ))
}

/// Ends one of the person's sessions (a lost phone, say).
#[utoipa::path(delete, path = "/api/sessions/{id}", tag = "accounts",
    params(("id" = String, Path, description = "The id from GET /api/sessions")),
    responses((status = 204), (status = 404, body = domain::wire::ApiError)))]
pub async fn end_session(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    let mut conn = state.db.pool().acquire().await?;
    let listings = store::sessions::list_live(
        &mut conn,
        principal.user_id,
        Utc::now(),
        state.config.session_max_age(),
    )
    .await?;
    let session = listings
        .iter()
        .find(|s| id.len() == 16 && s.token_hash.starts_with(&id))
        .ok_or(AppError::NotFound)?;
    store::sessions::end(&mut conn, principal.user_id, &session.token_hash, "ended").await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Everything stored about the person, as a JSON file.
#[utoipa::path(get, path = "/api/me/export", tag = "accounts",
    responses((status = 200, description = "The person's data as JSON"), (status = 401, body = domain::wire::ApiError)))]
pub async fn export(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<impl IntoResponse, AppError> {
    let mut conn = state.db.pool().acquire().await?;
    let mut data = store::people::export(&mut conn, principal.user_id).await?;
    data["exported_at"] = serde_json::Value::from(store::time_text(Utc::now()));
    data["notice_version"] = serde_json::Value::from(NOTICE_VERSION);
    Ok((
        AppendHeaders([(
            CONTENT_DISPOSITION,
            "attachment; filename=\"yiwantang-my-data.json\"",
        )]),
        Json(data),
    ))
}

/// Deletes the account (the password again, to be sure). Issues the person raised stay in
/// the community's ledger without a name.
#[utoipa::path(delete, path = "/api/me", tag = "accounts", request_body = DeleteAccountRequest,
    responses((status = 204), (status = 422, body = domain::wire::ApiError)))]
pub async fn delete_account(
    State(state): State<AppState>,
    principal: Principal,
    Json(request): Json<DeleteAccountRequest>,
) -> Result<impl IntoResponse, AppError> {
    // The password is checked like at sign-in, against the same per-phone limit: a phone
    // left signed in is no way to guess the password.
    let user = {
        let mut conn = state.db.pool().acquire().await?;
        let user = store::people::user_by_id(&mut conn, principal.user_id)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        let limits = [(format!("phone:{}", user.phone), store::limits::MAX_FAILURES)];
        auth::reserve_attempt(&mut conn, &limits).await?;
        user
    };
    if !auth::verify_password_blocking(&state, request.password, user.password_hash).await? {
        return Err(AppError::Invalid(vec![FieldError::new(
            "password",
            FieldErrorKind::Invalid,
        )]));
    }
    let mut tx = state.db.begin_write().await?;
    let version = store::next_version(&mut tx).await?;
    store::issues::anonymise_raiser(&mut tx, principal.user_id, version).await?;
    store::people::delete_user(&mut tx, principal.user_id, version).await?;
    tx.commit().await?;
    tracing::info!(user = %principal.user_id, "account deleted");
    Ok((
        StatusCode::NO_CONTENT,
        AppendHeaders([(SET_COOKIE, auth::clear_cookie(state.config.secure_cookies))]),
    ))
}
