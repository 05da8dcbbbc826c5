//! The sync protocol and API shapes, exactly as they travel (see docs/PROTOCOL.md).
//!
//! A queued mutation saved on a phone may be replayed by a newer server months later, so
//! these types change only by adding optional fields; mutation arguments are versioned in
//! `mutation`. Ids of communities are short slugs; ids of everything else are UUIDs.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

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
    /// For `rejected`: `invalid`, `forbidden`, `update_required`, `conflict`, `not_found`.
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
}

/// Entity names used in `Change::entity`.
pub mod entity {
    pub const ISSUE: &str = "issue";
    /// Community staff only.
    pub const HOUSEHOLD: &str = "household";
    /// Community staff only.
    pub const PERSON: &str = "person";
    /// Community staff only.
    pub const INVITATION: &str = "invitation";
    pub const DIALOGUE: &str = "dialogue";
    /// A community's name and scoring rules.
    pub const COMMUNITY: &str = "community";
}

/// A community as its members' phones keep it: the rules that decide its scoring rounds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CommunityRulesView {
    pub community_id: String,
    pub name: String,
    /// The average score at or above which a rectification is accepted (1–5, halves).
    pub pass_average: f64,
    /// Days residents have to score a rectification.
    pub window_days: i64,
}

impl CommunityRulesView {
    pub fn rules(&self) -> crate::dialogue::ScoringRules {
        crate::dialogue::ScoringRulesArgs {
            community_id: self.community_id.clone(),
            pass_average: self.pass_average,
            window_days: self.window_days,
        }
        .parse()
        .unwrap_or_default()
    }
}

/// A household as community staff see it (with the room).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct HouseholdView {
    pub id: Uuid,
    pub community_id: String,
    pub point: Option<String>,
    pub building: String,
    pub unit: Option<String>,
    pub room: Option<String>,
    /// 5栋2单元301
    pub label: String,
}

/// A person of the community as its staff see them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PersonView {
    pub id: Uuid,
    pub community_id: String,
    pub display_name: String,
    pub phone: String,
    pub roles: Vec<crate::person::Role>,
    pub household_id: Option<Uuid>,
    pub household_label: Option<String>,
    pub deactivated: bool,
}

/// An invitation or reset code as the community's staff see it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct InvitationView {
    pub id: Uuid,
    pub community_id: String,
    /// `join` or `reset`.
    pub kind: String,
    /// ABCDE-FGHJK
    pub code: String,
    pub role: Option<crate::person::Role>,
    pub household_id: Option<Uuid>,
    pub household_label: Option<String>,
    /// For `reset`: whose password.
    pub person_id: Option<Uuid>,
    pub person_name: Option<String>,
    pub expires_at: DateTime<Utc>,
    pub used: bool,
}

/// `GET /api/invitations/{code}`: what an invitation offers, before joining. No personal data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct InvitationInfo {
    /// `join` or `reset`.
    pub kind: String,
    pub community_name: String,
    pub role: Option<crate::person::Role>,
    /// Building and unit only, never the room.
    pub household_label: Option<String>,
    pub expires_at: DateTime<Utc>,
    /// The privacy notice version to agree to.
    pub notice_version: String,
}

/// One signed-in device under 我的 → 登录设备.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SessionInfo {
    /// An opaque id to end it with.
    pub id: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    /// The browser, as it named itself.
    pub device: String,
    /// This device.
    pub current: bool,
}

/// `DELETE /api/me`: deleting the account needs the password again.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DeleteAccountRequest {
    pub password: String,
}

/// A dialogue issue as a community member sees it. The raiser's name is masked; phones and
/// rooms never travel in this view.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct IssueView {
    pub id: Uuid,
    pub community_id: String,
    pub title: String,
    pub description: String,
    /// A category code (`repairs`, …).
    pub category: String,
    pub place: Option<String>,
    /// Where the issue stands in the dialogue loop (`raised`, …).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub status: crate::IssueStatus,
    /// The raiser's masked name (张*兰).
    pub raised_by: String,
    /// Whether the person pulling raised it.
    pub mine: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    // What happened after it was raised. Every field below has a default, so rows cached
    // by an older app still read.
    #[serde(default)]
    pub accepted_at: Option<DateTime<Utc>>,
    /// The dialogue session whose agenda holds it.
    #[serde(default)]
    pub dialogue_id: Option<Uuid>,
    #[serde(default)]
    pub merged_into: Option<Uuid>,
    #[serde(default)]
    pub decline_reason: Option<String>,
    #[serde(default)]
    pub reply: Option<String>,
    #[serde(default)]
    pub plan: Option<String>,
    #[serde(default)]
    pub promised_by: Option<chrono::NaiveDate>,
    #[serde(default)]
    pub answered_at: Option<DateTime<Utc>>,
    /// How many rectification rounds were reported (each opens scoring).
    #[serde(default)]
    pub round: u32,
    #[serde(default)]
    pub rounds: Vec<RoundView>,
    #[serde(default)]
    pub closed_at: Option<DateTime<Utc>>,
    /// 我也遇到: how many residents joined, and whether the person pulling did.
    #[serde(default)]
    pub joined_count: u32,
    #[serde(default)]
    pub joined: bool,
    /// The person pulling may score the current round (raised or joined it).
    #[serde(default)]
    pub may_score: bool,
    /// Their score in the current round, if any.
    #[serde(default)]
    pub my_score: Option<u8>,
    #[serde(default)]
    pub escalation: Option<EscalationView>,
    #[serde(default)]
    pub photos: Vec<PhotoRef>,
}

/// A photo of an issue, fetched from `GET /api/photos/{id}` (by those who may see the issue).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PhotoRef {
    pub id: Uuid,
    pub stage: crate::dialogue::PhotoStage,
    /// On the phone only, while the photo waits in the queue: a data: URL to show it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local: Option<String>,
}

/// One rectification round: the report, the scoring window and its outcome.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct RoundView {
    pub round: u32,
    pub report: String,
    pub reported_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    /// None while scoring is open.
    pub outcome: Option<RoundDecision>,
    pub average: Option<f64>,
    /// How many scored, and how many of them 4 or 5 (满意).
    pub scores: u32,
    pub satisfied: u32,
}

/// How a scoring round was decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub enum RoundDecision {
    /// 已办结: the average reached the pass mark (or nobody objected in time).
    Closed,
    /// 退回重办: below the pass mark; back to 整改中.
    Reopened,
}

impl RoundDecision {
    pub fn code(self) -> &'static str {
        match self {
            RoundDecision::Closed => "closed",
            RoundDecision::Reopened => "reopened",
        }
    }

    pub fn from_code(code: &str) -> Option<RoundDecision> {
        [RoundDecision::Closed, RoundDecision::Reopened]
            .into_iter()
            .find(|d| d.code() == code)
    }
}

/// 上报: what the community asked the township, and the township's answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct EscalationView {
    pub note: String,
    pub escalated_at: DateTime<Utc>,
    pub answer: Option<String>,
    pub deadline: Option<chrono::NaiveDate>,
    pub answered_at: Option<DateTime<Utc>>,
}

/// A dialogue session (双月对话) with its minutes. Shared with the community's residents.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DialogueView {
    pub id: Uuid,
    pub community_id: String,
    pub held_on: chrono::NaiveDate,
    pub place: String,
    pub attendees: String,
    /// General minutes.
    pub minutes: Option<String>,
    /// Minutes per issue of the agenda.
    pub notes: Vec<DialogueNote>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DialogueNote {
    pub issue_id: Uuid,
    pub notes: String,
}

impl IssueView {
    /// How a newly raised issue looks on the raiser's phone before the server has it.
    pub fn optimistic(
        issue: &crate::NewIssue,
        community_id: &str,
        raiser_name: &str,
        now: DateTime<Utc>,
    ) -> IssueView {
        IssueView {
            id: issue.id,
            community_id: community_id.to_string(),
            title: issue.title.clone(),
            description: issue.description.clone(),
            category: issue.category.code().to_string(),
            place: issue.place.clone(),
            status: crate::IssueStatus::Raised,
            raised_by: raiser_name.to_string(),
            mine: true,
            created_at: now,
            updated_at: now,
            accepted_at: None,
            dialogue_id: None,
            merged_into: None,
            decline_reason: None,
            reply: None,
            plan: None,
            promised_by: None,
            answered_at: None,
            round: 0,
            rounds: Vec::new(),
            closed_at: None,
            joined_count: 0,
            joined: false,
            may_score: false,
            my_score: None,
            escalation: None,
            photos: Vec::new(),
        }
    }
}

/// `POST /api/session`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SignInRequest {
    pub phone: String,
    pub password: String,
}

/// A community a person belongs to, and in which role.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct MembershipView {
    pub community_id: String,
    pub community_name: String,
    pub role: crate::person::Role,
}

/// The signed-in person, as `GET /api/session` and `POST /api/session` return them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SessionView {
    pub user_id: Uuid,
    pub display_name: String,
    /// The person's own phone number (only ever sent to them).
    pub phone: String,
    pub memberships: Vec<MembershipView>,
}

impl SessionView {
    /// The community the app works in: the first membership's.
    pub fn home_community(&self) -> Option<&MembershipView> {
        self.memberships.first()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CommunityView {
    pub id: String,
    pub name: String,
    pub township_id: String,
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
