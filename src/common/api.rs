//! The HTTP calls the app makes. Every failure is sorted into what the caller must do:
//! sign in again, fix the input, or try later.

use domain::account::{CodeRequest, JoinRequest, ResetRequest};
use domain::wire::{
    ApiError, DeleteAccountRequest, InvitationInfo, PullRequest, PullResponse, PushRequest,
    PushResponse, SessionInfo, SessionView, SignInRequest,
};
use gloo_net::http::{Request, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq)]
pub enum ApiFailure {
    /// No network, or the server did not answer: try again later.
    Offline,
    /// The session is gone, expired or was ended (`code`: `unauthenticated`, `session_ended`,
    /// `deactivated`), with the server's words: sign in again, then retry.
    Unauthenticated { code: String, message: String },
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

/// A response's JSON body, parsed by the browser (`Response.json()`) and read into `T` with
/// serde-wasm-bindgen: the Wasm carries no JSON text parser (serde_json's is about 10 KB
/// compressed, with a copy of every response type's decoder).
pub async fn json<T: DeserializeOwned>(response: Response) -> Option<T> {
    let promise = web_sys::Response::from(response).json().ok()?;
    let value = wasm_bindgen_futures::JsFuture::from(promise).await.ok()?;
    serde_wasm_bindgen::from_value(value).ok()
}

async fn read<T: DeserializeOwned>(response: Response) -> Result<T, ApiFailure> {
    let status = response.status();
    if (200..300).contains(&status) {
        return json::<T>(response).await.ok_or(ApiFailure::Server(status));
    }
    if status == 401 {
        let error = json::<ApiError>(response).await;
        return Err(ApiFailure::Unauthenticated {
            code: error
                .as_ref()
                .map(|e| e.code.clone())
                .unwrap_or_else(|| "unauthenticated".into()),
            message: error.map(|e| e.message).unwrap_or_default(),
        });
    }
    if status >= 500 {
        return Err(ApiFailure::Server(status));
    }
    let error = json::<ApiError>(response).await.unwrap_or(ApiError {
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

/// What a code offers; the code travels in the body, never in the address.
pub async fn invitation(code: &str) -> Result<InvitationInfo, ApiFailure> {
    post(
        "/api/invitations/lookup",
        &CodeRequest {
            code: code.to_string(),
        },
    )
    .await
}

pub async fn accept_invitation(
    code: &str,
    request: &JoinRequest,
) -> Result<SessionView, ApiFailure> {
    let request = JoinRequest {
        code: code.to_string(),
        ..request.clone()
    };
    post("/api/invitations/accept", &request).await
}

pub async fn set_up(request: &domain::account::SetupRequest) -> Result<SessionView, ApiFailure> {
    post("/api/setup", request).await
}

pub async fn reset_password(request: &ResetRequest) -> Result<SessionView, ApiFailure> {
    post("/api/password-resets/redeem", request).await
}

pub async fn sessions() -> Result<Vec<SessionInfo>, ApiFailure> {
    let response = Request::get("/api/sessions")
        .send()
        .await
        .map_err(|_| ApiFailure::Offline)?;
    read(response).await
}

async fn delete_with<B: Serialize>(path: &str, body: Option<&B>) -> Result<(), ApiFailure> {
    let builder = Request::delete(path);
    let request = match body {
        Some(body) => builder.json(body).map_err(|_| ApiFailure::Offline)?,
        None => builder.build().map_err(|_| ApiFailure::Offline)?,
    };
    let response = request.send().await.map_err(|_| ApiFailure::Offline)?;
    if response.ok() {
        return Ok(());
    }
    read::<serde_json::Value>(response).await.map(|_| ())
}

pub async fn end_session(id: &str) -> Result<(), ApiFailure> {
    delete_with::<()>(&format!("/api/sessions/{id}"), None).await
}

pub async fn delete_account(password: &str) -> Result<(), ApiFailure> {
    delete_with(
        "/api/me",
        Some(&DeleteAccountRequest {
            password: password.to_string(),
        }),
    )
    .await
}
