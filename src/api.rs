//! The HTTP calls the app makes. Every failure is sorted into what the caller must do:
//! sign in again, fix the input, or try later.

use domain::wire::{
    ApiError, PullRequest, PullResponse, PushRequest, PushResponse, SessionView, SignInRequest,
};
use gloo_net::http::{Request, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq)]
pub enum ApiFailure {
    /// No network, or the server did not answer: try again later.
    Offline,
    /// The session is gone or expired: sign in again, then retry.
    Unauthenticated,
    /// The server refused the request as such (4xx), with its reason.
    Refused { status: u16, error: ApiError },
    /// The server failed (5xx): try again later.
    Server(u16),
}

impl ApiFailure {
    /// Whether trying the same request again later may work.
    pub fn is_transient(&self) -> bool {
        matches!(self, ApiFailure::Offline | ApiFailure::Server(_))
    }
}

async fn read<T: DeserializeOwned>(response: Response) -> Result<T, ApiFailure> {
    let status = response.status();
    if (200..300).contains(&status) {
        return response
            .json::<T>()
            .await
            .map_err(|_| ApiFailure::Server(status));
    }
    if status == 401 {
        return Err(ApiFailure::Unauthenticated);
    }
    if status >= 500 {
        return Err(ApiFailure::Server(status));
    }
    let error = response.json::<ApiError>().await.unwrap_or(ApiError {
        code: "bad_request".into(),
        message: format!("HTTP {status}"),
        fields: Vec::new(),
    });
    Err(ApiFailure::Refused { status, error })
}

async fn post<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> Result<T, ApiFailure> {
    let request = Request::post(path)
        .json(body)
        .map_err(|_| ApiFailure::Offline)?;
    let response = request.send().await.map_err(|_| ApiFailure::Offline)?;
    read(response).await
}

pub async fn sign_in(phone: &str, password: &str) -> Result<SessionView, ApiFailure> {
    post(
        "/api/session",
        &SignInRequest {
            phone: phone.to_string(),
            password: password.to_string(),
        },
    )
    .await
}

pub async fn current_session() -> Result<SessionView, ApiFailure> {
    let response = Request::get("/api/session")
        .send()
        .await
        .map_err(|_| ApiFailure::Offline)?;
    read(response).await
}

pub async fn sign_out() -> Result<(), ApiFailure> {
    let response = Request::delete("/api/session")
        .send()
        .await
        .map_err(|_| ApiFailure::Offline)?;
    if response.ok() || response.status() == 401 {
        Ok(())
    } else {
        Err(ApiFailure::Server(response.status()))
    }
}

pub async fn push(request: &PushRequest) -> Result<PushResponse, ApiFailure> {
    post("/api/sync/push", request).await
}

pub async fn pull(request: &PullRequest) -> Result<PullResponse, ApiFailure> {
    post("/api/sync/pull", request).await
}
