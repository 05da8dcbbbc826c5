//! `POST /api/sync/push` and `POST /api/sync/pull`.

use axum::extract::State;
use domain::wire::{
    MutationResult, PullRequest, PullResponse, PushRequest, PushResponse, ResultStatus,
    PUSH_BATCH_MAX,
};
use domain::{FieldError, FieldErrorKind};

use crate::auth::Principal;
use crate::error::{AppError, Json};
use crate::{sync, AppState};

/// Pushes queued mutations, in seq order; one result per mutation processed.
#[utoipa::path(post, path = "/api/sync/push", tag = "sync", request_body = PushRequest,
    responses((status = 200, body = PushResponse), (status = 401, body = domain::wire::ApiError),
              (status = 403, body = domain::wire::ApiError), (status = 422, body = domain::wire::ApiError)))]
pub async fn push(
    State(state): State<AppState>,
    principal: Principal,
    Json(request): Json<PushRequest>,
) -> Result<Json<PushResponse>, AppError> {
    if request.mutations.len() > PUSH_BATCH_MAX {
        return Err(AppError::Invalid(vec![FieldError::new(
            "mutations",
            FieldErrorKind::TooLong {
                max: PUSH_BATCH_MAX,
                actual: request.mutations.len(),
            },
        )]));
    }
    sync::claim_client(&state.db, &principal, request.client_id).await?;
    // Processing runs in a task of its own: if the phone hangs up (a lost connection, the
    // page navigating away), the batch still finishes cleanly instead of being cancelled
    // between two statements of a transaction. The phone learns the results on its retry.
    let db = state.db.clone();
    let results = tokio::spawn(async move {
        let mut results = Vec::with_capacity(request.mutations.len());
        for envelope in &request.mutations {
            let result = match sync::process(&db, &principal, request.client_id, envelope).await {
                Ok(result) => result,
                Err(error) => {
                    tracing::warn!(error = %error, seq = envelope.seq, "mutation not processed; the client will retry");
                    MutationResult::retry(envelope.seq, "服务器暂时忙，稍后会自动重试")
                }
            };
            let stop = matches!(result.status, ResultStatus::Retry | ResultStatus::OutOfOrder);
            results.push(result);
            if stop {
                break;
            }
        }
        results
    })
    .await
    .map_err(|e| AppError::Internal(e.into()))?;
    Ok(Json(PushResponse { results }))
}

/// Pulls the changes since the cursor that this person may see.
#[utoipa::path(post, path = "/api/sync/pull", tag = "sync", request_body = PullRequest,
    responses((status = 200, body = PullResponse), (status = 401, body = domain::wire::ApiError)))]
pub async fn pull(
    State(state): State<AppState>,
    principal: Principal,
    Json(request): Json<PullRequest>,
) -> Result<Json<PullResponse>, AppError> {
    Ok(Json(sync::pull(&state.db, &principal, &request).await?))
}
