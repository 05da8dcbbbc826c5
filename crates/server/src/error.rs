//! The one error type at the HTTP boundary.
//!
//! Validation problems become 422 with per-field messages, missing sessions 401, refusals
//! 403, bad JSON 400, a body over the limit 413; anything unexpected becomes an opaque 500
//! whose cause is logged (and never shown). Every body is a `domain::wire::ApiError`, in Chinese.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::wire::{ApiError, WireFieldError};
use domain::FieldError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not signed in")]
    Unauthenticated,
    #[error("wrong phone or password")]
    BadCredentials,
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("request body too large")]
    TooLarge,
    #[error("not found")]
    NotFound,
    #[error("session ended: {0}")]
    SessionEnded(String),
    #[error("too many attempts; wait {minutes} min")]
    RateLimited { minutes: i64 },
    #[error("code unusable: {0}")]
    CodeUnusable(&'static str),
    /// A township's one-time setup code (`new-township`) that is unknown, used or expired:
    /// the same codes as an invitation's, in words about the setup code.
    #[error("setup code unusable: {0}")]
    SetupCodeUnusable(&'static str),
    #[error("phone already registered")]
    PhoneRegistered,
    #[error("internal: {0:#}")]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for AppError {
    fn from(error: sqlx::Error) -> Self {
        AppError::Internal(error.into())
    }
}

impl From<JsonRejection> for AppError {
    fn from(rejection: JsonRejection) -> Self {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            return AppError::TooLarge;
        }
        AppError::BadRequest(rejection.body_text())
    }
}

impl From<PathRejection> for AppError {
    fn from(rejection: PathRejection) -> Self {
        AppError::BadRequest(rejection.body_text())
    }
}

impl From<QueryRejection> for AppError {
    fn from(rejection: QueryRejection) -> Self {
        AppError::BadRequest(rejection.body_text())
    }
}

impl AppError {
    fn parts(&self) -> (StatusCode, &'static str, String) {
        match self {
            AppError::Unauthenticated => (
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "请先登录".to_string(),
            ),
            AppError::BadCredentials => (
                StatusCode::UNAUTHORIZED,
                "bad_credentials",
                "手机号或密码不对，请再试一次".to_string(),
            ),
            AppError::Forbidden(why) => (StatusCode::FORBIDDEN, "forbidden", why.to_string()),
            AppError::Invalid(_) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                "填写的内容有问题".to_string(),
            ),
            AppError::BadRequest(_) => (
                StatusCode::BAD_REQUEST,
                "bad_request",
                "请求的格式不对".to_string(),
            ),
            AppError::TooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                "一次发送的内容太多了".to_string(),
            ),
            AppError::NotFound => (StatusCode::NOT_FOUND, "not_found", "找不到".to_string()),
            AppError::SessionEnded(reason) if reason == "deactivated" => (
                StatusCode::UNAUTHORIZED,
                "deactivated",
                "您的账号已被社区停用。手机上还没发出的操作会留在这部手机上；如有疑问，请联系社区工作人员。".to_string(),
            ),
            AppError::SessionEnded(reason) if reason == "password_reset" => (
                StatusCode::UNAUTHORIZED,
                "session_ended",
                "您的密码已重置，请用新密码登录。".to_string(),
            ),
            AppError::SessionEnded(_) => (
                StatusCode::UNAUTHORIZED,
                "session_ended",
                "这台设备的登录已在别处结束，请重新登录。".to_string(),
            ),
            AppError::RateLimited { minutes } => (
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                format!("尝试次数太多，请{minutes}分钟后再试。"),
            ),
            AppError::CodeUnusable("used") => (
                StatusCode::GONE,
                "code_used",
                "这个邀请码已经用过了。如需帮助，请联系社区工作人员。".to_string(),
            ),
            AppError::CodeUnusable("expired") => (
                StatusCode::GONE,
                "code_expired",
                "这个邀请码已过期，请联系社区工作人员重新发一个。".to_string(),
            ),
            AppError::CodeUnusable(_) => (
                StatusCode::NOT_FOUND,
                "code_unknown",
                "邀请码不对，请核对后再输入。".to_string(),
            ),
            AppError::SetupCodeUnusable("used") => (
                StatusCode::GONE,
                "code_used",
                "这个开通码已经用过了：乡镇已开通，请用开通时的手机号登录。".to_string(),
            ),
            AppError::SetupCodeUnusable("expired") => (
                StatusCode::GONE,
                "code_expired",
                "这个开通码已过期（72 小时内有效），请管理员重新运行 new-township 取一个新的。"
                    .to_string(),
            ),
            AppError::SetupCodeUnusable(_) => (
                StatusCode::NOT_FOUND,
                "code_unknown",
                "开通码不对，请核对服务器打印的开通码后再输入。".to_string(),
            ),
            AppError::PhoneRegistered => (
                StatusCode::CONFLICT,
                "phone_registered",
                "这个手机号已经注册过。如果是您本人，请先用这个手机号登录，再打开邀请加入；忘了密码请联系社区重置。".to_string(),
            ),
            AppError::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "服务器出了点问题，请稍后再试".to_string(),
            ),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, code, message) = self.parts();
        match &self {
            AppError::Internal(cause) => tracing::error!(error = ?cause, "internal error"),
            AppError::BadRequest(detail) => tracing::debug!(%detail, "bad request"),
            _ => {}
        }
        let fields = match &self {
            AppError::Invalid(fields) => fields
                .iter()
                .map(WireFieldError::from_field_error)
                .collect(),
            _ => Vec::new(),
        };
        let body = ApiError {
            code: code.to_string(),
            message,
            fields,
        };
        (status, axum::Json(body)).into_response()
    }
}

/// A JSON body extractor whose rejections use the API's own error shape.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(AppError))]
pub struct Json<T>(pub T);

impl<T: serde::Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// A path parameter extractor whose rejections use the API's own error shape.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(AppError))]
pub struct Path<T>(pub T);

/// A query string extractor whose rejections use the API's own error shape.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(AppError))]
pub struct Query<T>(pub T);
