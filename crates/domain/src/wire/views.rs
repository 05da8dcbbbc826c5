//! The rows a pull carries: issues with their loop, photos, rounds and escalation, dialogue
//! sessions, communities' scoring rules, the market's services and slots, and (community
//! staff only) households, people and invitations.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

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
    /// A service of the 公益集市 or the 共享小屋, to every member of its community.
    pub const MARKET_SERVICE: &str = "market_service";
    /// A slot of such a service with its seats, to every member of its community.
    pub const MARKET_SLOT: &str = "market_slot";
    /// A booking: to its household (with the pass), to its community's staff, and to the
    /// volunteers of its service (masked name, no pass).
    pub const BOOKING: &str = "booking";
    /// A public key that signs market passes, to everyone who checks passes.
    pub const PASS_KEY: &str = "pass_key";
    /// A place on the waitlist of a full slot (候补), to its household only.
    pub const WAITLIST: &str = "waitlist";
    /// A community's 孝心车位 pool: its rules and the spans its spots are held (no plates),
    /// to every member of the community.
    pub const PARKING_POOL: &str = "parking_pool";
    /// A visit: to its household (with the pass), to the community's staff and guards (the
    /// plate in full); removed from every phone when its plate is deleted.
    pub const VISIT: &str = "visit";
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
    #[serde(with = "crate::time::instant")]
    pub expires_at: DateTime<Utc>,
    pub used: bool,
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
    #[serde(with = "crate::time::instant")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "crate::time::instant")]
    pub updated_at: DateTime<Utc>,
    // What happened after it was raised. Every field below has a default, so rows cached
    // by an older app still read.
    #[serde(default)]
    #[serde(with = "crate::time::instant_option")]
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
    #[serde(with = "crate::time::day_option")]
    pub promised_by: Option<chrono::NaiveDate>,
    #[serde(default)]
    #[serde(with = "crate::time::instant_option")]
    pub answered_at: Option<DateTime<Utc>>,
    /// How many rectification rounds were reported (each opens scoring).
    #[serde(default)]
    pub round: u32,
    #[serde(default)]
    pub rounds: Vec<RoundView>,
    #[serde(default)]
    #[serde(with = "crate::time::instant_option")]
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
    #[serde(with = "crate::time::instant")]
    pub reported_at: DateTime<Utc>,
    #[serde(with = "crate::time::instant")]
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
    #[serde(with = "crate::time::instant")]
    pub escalated_at: DateTime<Utc>,
    pub answer: Option<String>,
    #[serde(default, with = "crate::time::day_option")]
    pub deadline: Option<chrono::NaiveDate>,
    #[serde(default, with = "crate::time::instant_option")]
    pub answered_at: Option<DateTime<Utc>>,
}

/// A dialogue session (双月对话) with its minutes. Shared with the community's residents.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DialogueView {
    pub id: Uuid,
    pub community_id: String,
    #[serde(with = "crate::time::day")]
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

/// A service of the 公益集市 (`venue`: `market`) or the 共享小屋 (`shared_house`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct MarketServiceView {
    pub id: Uuid,
    pub community_id: String,
    pub venue: String,
    pub name: String,
    pub mode: crate::market::ServiceMode,
    /// Where it is given (定点服务); empty for door-to-door.
    pub place: String,
    /// The viewer confirms its bookings (a volunteer of it, or its community's staff): their
    /// phone checks its passes.
    #[serde(default)]
    pub serves: bool,
    /// Open hours only, nobody books (共享阅览).
    #[serde(default)]
    pub walk_in: bool,
    /// Its hours ("08:30", "11:30") and slot length, as staff set them.
    #[serde(default)]
    pub opens: String,
    #[serde(default)]
    pub closes: String,
    #[serde(default)]
    pub slot_minutes: u32,
    /// The day of every month it is given, if it recurs.
    #[serde(default)]
    pub monthly_day: Option<u32>,
}

/// A slot (or a door-to-door window) of a service: `capacity` seats, `booked` of them
/// confirmed by the server.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct MarketSlotView {
    pub id: Uuid,
    pub service_id: Uuid,
    pub community_id: String,
    #[serde(with = "crate::time::instant")]
    pub starts_at: DateTime<Utc>,
    #[serde(with = "crate::time::instant")]
    pub ends_at: DateTime<Utc>,
    pub capacity: u32,
    pub booked: u32,
    /// Seats held for households offered them from the waitlist (taken until they answer).
    #[serde(default)]
    pub held: u32,
    pub closed: bool,
}

/// A booking as a phone keeps it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct BookingView {
    pub id: Uuid,
    pub service_id: Uuid,
    pub slot_id: Uuid,
    pub community_id: String,
    #[serde(with = "crate::time::instant")]
    pub starts_at: DateTime<Utc>,
    #[serde(with = "crate::time::instant")]
    pub ends_at: DateTime<Utc>,
    pub state: crate::market::booking::BookingState,
    /// The viewer's own household's booking (the others a phone holds are those its person
    /// keeps as staff or serves as a volunteer).
    #[serde(default)]
    pub own: bool,
    /// Who it is for: the name as written to the household itself, masked (孙*) to others.
    pub who: String,
    /// The household's address (楼栋-单元-门牌): to the household and the community's staff.
    #[serde(default)]
    pub household: String,
    /// When to come, which door: to the household and the community's staff.
    #[serde(default)]
    pub note: String,
    /// Booked by staff for a resident who phoned (代预约).
    #[serde(default)]
    pub on_behalf: bool,
    /// The signed pass (`domain::market::pass`): to the household only, while it is booked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pass: Option<String>,
    /// When a volunteer confirmed it (已服务), and who.
    #[serde(default, with = "crate::time::instant_option")]
    pub served_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub served_by: String,
    /// Why its day was called off, when staff did (`cancel_market_day`): the household's phone
    /// shows it with the cancelled booking.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub cancel_reason: String,
}

/// A public key that signs market passes, with its id (on every pass).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PassKeyView {
    pub key_id: u16,
    /// The Ed25519 public key, 32 bytes in URL-safe base64 without padding.
    pub public: String,
    /// A retired key verifies nothing any more (it leaked, or was replaced with `--retire-old`).
    pub retired: bool,
}

/// A household's place on the waitlist of a full slot (候补), as its phone keeps it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct WaitlistView {
    pub id: Uuid,
    pub slot_id: Uuid,
    pub service_id: Uuid,
    pub community_id: String,
    #[serde(with = "crate::time::instant")]
    pub starts_at: DateTime<Utc>,
    #[serde(with = "crate::time::instant")]
    pub ends_at: DateTime<Utc>,
    /// `waiting`, `offered` (a seat is held until `offer_until`), `lapsed`, `accepted`, `left`;
    /// `requested` on the phone before the server has it.
    pub state: String,
    #[serde(default, with = "crate::time::instant_option")]
    pub offer_until: Option<DateTime<Utc>>,
    #[serde(default)]
    pub note: String,
}

/// A community's 孝心车位 pool, to every member of the community: its rules and when its spots
/// are held (no plates, no households), so a phone offline can show the free times.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ParkingPoolView {
    /// The pool's id (the `service` of its passes).
    pub id: Uuid,
    pub community_id: String,
    pub rules: crate::parking::PoolRules,
    /// The spans of the visits that hold a spot now or later.
    #[serde(default)]
    pub held: Vec<crate::parking::Span>,
}

/// A visit to the 孝心车位, as a phone keeps it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct VisitView {
    pub id: Uuid,
    pub community_id: String,
    pub household_id: Uuid,
    /// The plate: in full to the household, the community's staff and guards (`苏K12345`).
    pub plate: String,
    /// The plate masked (`苏K·***45`), as the pass shows it.
    pub plate_masked: String,
    /// A plate of an unusual kind (挂, 警, 使…), for the guard to check by eye.
    #[serde(default)]
    pub unusual: bool,
    #[serde(with = "crate::time::instant")]
    pub arrives_at: DateTime<Utc>,
    #[serde(with = "crate::time::instant")]
    pub leaves_by: DateTime<Utc>,
    pub status: crate::parking::VisitStatus,
    /// The viewer's own household's visit.
    #[serde(default)]
    pub own: bool,
    /// The household's address (楼栋-单元-门牌): to staff and guards.
    #[serde(default)]
    pub household: String,
    #[serde(default)]
    pub relation: String,
    #[serde(default)]
    pub note: String,
    /// A visitor the guard registered at the gate (walk-up).
    #[serde(default)]
    pub walk_up: bool,
    /// Staff allowed it beyond the household's limits.
    #[serde(default)]
    pub over_limit: bool,
    #[serde(default, with = "crate::time::instant_option")]
    pub entered_at: Option<DateTime<Utc>>,
    #[serde(default, with = "crate::time::instant_option")]
    pub left_at: Option<DateTime<Utc>>,
    /// The short code a guard can type instead of scanning.
    #[serde(default)]
    pub short_code: String,
    /// The signed pass: to the household, while the visit is booked or inside.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pass: Option<String>,
}
