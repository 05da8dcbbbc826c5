//! `GET /api/photos/{id}`: a photo, only for people who may see its issue.

use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::IntoResponse;
use uuid::Uuid;

use crate::auth::Principal;
use crate::error::{AppError, Path};
use crate::{policy, store, AppState};

#[utoipa::path(get, path = "/api/photos/{id}", tag = "dialogue",
    params(("id" = Uuid, Path, description = "The photo's id")),
    responses((status = 200, description = "The image"), (status = 404, body = domain::wire::ApiError)))]
pub async fn photo(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<Uuid>,
) -> Result<impl IntoResponse, AppError> {
    let mut conn = state.db.pool().acquire().await?;
    let (bytes, content_type, community) = store::photos::get(&mut conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let township = store::people::township_of(&mut conn, &community)
        .await?
        .unwrap_or_default();
    // Someone who may not see the issue learns nothing, not even that the photo exists.
    if !policy::may_see_community(&principal, &community, &township) {
        return Err(AppError::NotFound);
    }
    Ok((
        [
            (CONTENT_TYPE, content_type),
            (
                CACHE_CONTROL,
                // The service worker keeps seen photos (and drops them at sign-out); the
                // HTTP cache, which no script can empty, must not.
                "private, no-store".to_string(),
            ),
        ],
        bytes,
    ))
}
