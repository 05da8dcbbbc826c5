//! `POST /api/sync/push` and `POST /api/sync/pull`: thin doors into `sync`.

use axum::extract::State;
use axum::http::header::RETRY_AFTER;
use axum::response::{IntoResponse, Response};
use domain::wire::{PullRequest, PullResponse, PushRequest, PushResponse};

use crate::auth::Principal;
use crate::error::{AppError, Json};
use crate::push::{self, Pushed};
use crate::{sync, AppState};

/// Pushes queued mutations, in seq order; one result per mutation processed.
#[utoipa::path(post, path = "/api/sync/push", tag = "sync", request_body = PushRequest,
    responses((status = 200, body = PushResponse), (status = 401, body = domain::wire::ApiError),
              (status = 403, body = domain::wire::ApiError), (status = 422, body = domain::wire::ApiError)))]
pub async fn push(
    State(state): State<AppState>,
    principal: Principal,
    Json(request): Json<PushRequest>,
) -> Result<Response, AppError> {
    Ok(match state.writer.push(principal, request).await? {
        Pushed::Results(results) => Json(PushResponse { results }).into_response(),
        // The server sheds load on purpose: every mutation is to be retried, after a while.
        Pushed::Shed(results) => (
            [(RETRY_AFTER, push::retry_after().as_secs().to_string())],
            Json(PushResponse { results }),
        )
            .into_response(),
    })
}

/// Pulls the changes since the cursor that this person may see.
#[utoipa::path(post, path = "/api/sync/pull", tag = "sync", request_body = PullRequest,
    responses((status = 200, body = PullResponse), (status = 401, body = domain::wire::ApiError),
              (status = 403, body = domain::wire::ApiError)))]
pub async fn pull(
    State(state): State<AppState>,
    principal: Principal,
    Json(request): Json<PullRequest>,
) -> Result<Json<PullResponse>, AppError> {
    // In a task of its own, like a push: a phone hanging up never cancels it halfway through
    // opening its read transaction.
    let db = state.db.clone();
    let pull = tokio::spawn(async move { sync::pull(&db, &principal, &request).await })
        .await
        .map_err(|e| AppError::Internal(e.into()))??;
    Ok(Json(pull))
}
