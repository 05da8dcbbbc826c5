//! The sync protocol and API shapes, exactly as they travel (see docs/PROTOCOL.md).
//!
//! A queued mutation saved on a phone may be replayed by a newer server months later, so
//! these types change only by adding optional fields; mutation arguments are versioned in
//! `mutation`. Ids of communities are short slugs; ids of everything else are UUIDs.
//!
//! Here: the sync protocol and the API's error shapes; `views` holds the rows a pull carries
//! (what screens show), `account` the shapes of signing in, joining and devices.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

mod account;
mod views;

pub use account::*;
pub use views::*;

/// The most mutations one push may carry. A longer queue is pushed in several batches.
pub const PUSH_BATCH_MAX: usize = 100;

/// `POST /api/sync/push`: a client's queued mutations, in `seq` order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PushRequest {
    pub client_id: Uuid,
    pub mutations: Vec<MutationEnvelope>,
}

/// One queued action.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct MutationEnvelope {
    /// 1, 2, 3, … per client, without gaps.
    pub seq: u64,
    /// Unique per mutation, chosen by the phone.
    pub id: Uuid,
    /// `raise_issue`, …
    pub name: String,
    /// The version of the arguments' shape.
    pub version: u32,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub args: serde_json::Value,
    /// When the person acted, by the phone's clock (not trusted for ordering).
    #[serde(with = "crate::time::instant")]
    pub device_time: DateTime<Utc>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub enum ResultStatus {
    /// The server applied it (now or on an earlier push).
    Applied,
    /// The server processed it and refused it for good: it will never be applied.
    Rejected,
    /// The server could not process it now; push it again later, in order.
    Retry,
    /// Its seq is not the next one the server expects (`expected_seq`).
    OutOfOrder,
}

/// The outcome of one mutation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct MutationResult {
    pub seq: u64,
    pub status: ResultStatus,
    /// For `rejected`: `invalid`, `forbidden`, `update_required`, `conflict`, `not_found`, `full`.
    #[serde(default)]
    pub code: Option<String>,
    /// For `rejected` and `retry`: what happened, in Chinese.
    #[serde(default)]
    pub message: Option<String>,
    /// For `out_of_order`: the seq the server expects next.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_seq: Option<u64>,
    /// For `rejected` with code `invalid`: the fields at fault.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<WireFieldError>,
    /// For `rejected` with code `full`: the nearest free slots of the same service.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alternatives: Vec<Uuid>,
    /// For a visit refused with code `full`: the nearest free windows that fit its stay.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub windows: Vec<crate::parking::Span>,
}

impl MutationResult {
    pub fn applied(seq: u64) -> Self {
        MutationResult {
            seq,
            status: ResultStatus::Applied,
            code: None,
            message: None,
            expected_seq: None,
            fields: Vec::new(),
            alternatives: Vec::new(),
            windows: Vec::new(),
        }
    }

    pub fn retry(seq: u64, message: impl Into<String>) -> Self {
        MutationResult {
            status: ResultStatus::Retry,
            message: Some(message.into()),
            ..MutationResult::applied(seq)
        }
    }

    pub fn out_of_order(seq: u64, expected_seq: u64) -> Self {
        MutationResult {
            status: ResultStatus::OutOfOrder,
            code: Some("out_of_order".into()),
            message: Some(format!("顺序不对：服务器等待第{expected_seq}条")),
            expected_seq: Some(expected_seq),
            ..MutationResult::applied(seq)
        }
    }
}

/// `POST /api/sync/push` response: one result per mutation pushed, in order. Processing
/// stops at the first `retry` or `out_of_order`; the mutations after it get no result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PushResponse {
    pub results: Vec<MutationResult>,
}

/// `POST /api/sync/pull`. The first pull of a client sends `cursor: null`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PullRequest {
    pub client_id: Uuid,
    #[serde(default)]
    pub cursor: Option<u64>,
    /// The `epoch` of the pull that gave the cursor (absent from older phones).
    #[serde(default)]
    pub epoch: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub enum Op {
    Put,
    Del,
}

/// One row the phone should store (`put`) or forget (`del`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Change {
    /// `issue`, …
    pub entity: String,
    pub id: String,
    pub op: Op,
    /// The row for `put`; absent for `del`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub data: Option<serde_json::Value>,
}

/// The changes since `cursor` that this person may see, and the outcomes of this client's
/// mutations processed since then (so a lost push response never loses a reason).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PullResponse {
    /// Send it back as `cursor` in the next pull.
    pub cursor: u64,
    /// The highest seq of this client the server has processed.
    pub last_seq: u64,
    pub changes: Vec<Change>,
    pub results: Vec<MutationResult>,
    /// More changes wait: pull again with `cursor` (each page is complete up to its cursor).
    #[serde(default)]
    pub has_more: bool,
    /// Which copy of the server's data the cursor belongs to; send it back with the cursor.
    #[serde(default)]
    pub epoch: String,
    /// The phone's cursor was not from this copy of the data (the server was restored from a
    /// backup): forget every server row before applying this page.
    #[serde(default)]
    pub reset: bool,
}

/// A problem with one field of a request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct WireFieldError {
    pub field: String,
    pub code: String,
    pub message: String,
}

impl WireFieldError {
    /// The wire form of a field error, with its message in Chinese (the server's language).
    pub fn from_field_error(error: &crate::FieldError) -> Self {
        WireFieldError {
            field: error.field.to_string(),
            code: error.code().to_string(),
            message: error.message(crate::Lang::Zh),
        }
    }
}

/// Every 4xx and 5xx body of the API.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ApiError {
    /// `unauthenticated`, `invalid`, `forbidden`, `rate_limited`, `internal`, …
    pub code: String,
    /// In Chinese.
    pub message: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<WireFieldError>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_push_body_reads_with_the_names_other_clients_rely_on() {
        let body = json!({
            "client_id": "5f0c6d8e-2a51-4b8e-9a3e-1d2f3a4b5c6d",
            "mutations": [{
                "seq": 1,
                "id": "0b7e8c4a-1111-4222-8333-944455556666",
                "name": "raise_issue",
                "version": 1,
                "args": {"id": "0b7e8c4a-1111-4222-8333-944455556667", "title": "t", "description": "", "category": "other", "place": null},
                "device_time": "2026-11-28T08:00:00+08:00"
            }]
        });
        let push: PushRequest = serde_json::from_value(body).unwrap();
        assert_eq!(push.mutations[0].seq, 1);
        assert_eq!(
            push.mutations[0].device_time.to_rfc3339(),
            "2026-11-28T00:00:00+00:00"
        );
    }

    #[test]
    fn results_carry_status_code_and_message_even_when_empty() {
        let text = serde_json::to_value(MutationResult::applied(3)).unwrap();
        assert_eq!(
            text,
            json!({"seq": 3, "status": "applied", "code": null, "message": null})
        );
        let ooo = serde_json::to_value(MutationResult::out_of_order(5, 2)).unwrap();
        assert_eq!(ooo["status"], "out_of_order");
        assert_eq!(ooo["expected_seq"], 2);
    }

    #[test]
    fn the_first_pull_sends_a_null_cursor() {
        let pull: PullRequest = serde_json::from_value(
            json!({"client_id": "5f0c6d8e-2a51-4b8e-9a3e-1d2f3a4b5c6d", "cursor": null}),
        )
        .unwrap();
        assert_eq!(pull.cursor, None);
        let change = serde_json::to_value(Change {
            entity: entity::ISSUE.into(),
            id: "x".into(),
            op: Op::Del,
            data: None,
        })
        .unwrap();
        assert_eq!(change, json!({"entity": "issue", "id": "x", "op": "del"}));
    }
}
