//! What a mutation means on the phone before the server answers: the rows it expects to see
//! (`Optimistic`), what it is called on the queue screen, which form made it (`Redo`), and
//! what the server must load before deciding on it (`Touches`). Pure: the phone passes its
//! rows in through `Rows`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::wire::{
    entity, BookingView, CommunityRulesView, DialogueView, HouseholdView, InvitationView,
    IssueView, MarketServiceView, MarketSlotView, ParkingPoolView, PersonView, VisitView,
    WaitlistView,
};

/// The rows the phone holds, as the mutation's optimistic effect needs to read them.
pub trait Rows {
    fn issue(&self, id: Uuid) -> Option<IssueView>;
    fn dialogue(&self, id: Uuid) -> Option<DialogueView>;
    fn household(&self, id: Uuid) -> Option<HouseholdView>;
    fn person(&self, id: Uuid) -> Option<PersonView>;
    fn community(&self, id: &str) -> Option<CommunityRulesView>;
    fn market_slot(&self, id: Uuid) -> Option<MarketSlotView>;
    fn market_service(&self, id: Uuid) -> Option<MarketServiceView>;
    fn booking(&self, id: Uuid) -> Option<BookingView>;
    fn waitlist(&self, id: Uuid) -> Option<WaitlistView>;
    fn visit(&self, id: Uuid) -> Option<VisitView>;
    fn parking_pool(&self, community_id: &str) -> Option<ParkingPoolView>;
}

/// Who acts, when, and what the phone holds.
pub struct Local<'a> {
    pub user_id: Uuid,
    pub display_name: &'a str,
    /// The community the person lives in (or works in, for someone with no home).
    pub home_community: &'a str,
    pub now: DateTime<Utc>,
    pub rows: &'a dyn Rows,
}

impl Local<'_> {
    /// The scoring rules of a community as the phone knows them (the defaults before the
    /// server has sent them).
    pub fn rules(&self, community_id: &str) -> crate::dialogue::ScoringRules {
        self.rows
            .community(community_id)
            .map(|c| c.rules())
            .unwrap_or_default()
    }

    /// An issue's title for a label, or nothing.
    pub fn issue_title(&self, id: Uuid) -> String {
        self.rows.issue(id).map(|i| i.title).unwrap_or_default()
    }
}

/// A row as the phone expects it once the server has applied the mutation, stored under the
/// entity and id the server's pull names it by. Made by one constructor per kind of row, so
/// an app links the serialisation of only the rows its mutations make.
#[derive(Clone, Debug, PartialEq)]
pub struct Optimistic {
    pub entity: &'static str,
    pub id: String,
    pub data: serde_json::Value,
}

fn row<T: serde::Serialize>(entity: &'static str, id: String, view: &T) -> Optimistic {
    Optimistic {
        entity,
        id,
        data: serde_json::to_value(view).expect("views serialise"),
    }
}

impl Optimistic {
    pub fn issue(view: &IssueView) -> Optimistic {
        row(entity::ISSUE, view.id.to_string(), view)
    }

    pub fn dialogue(view: &DialogueView) -> Optimistic {
        row(entity::DIALOGUE, view.id.to_string(), view)
    }

    pub fn household(view: &HouseholdView) -> Optimistic {
        row(entity::HOUSEHOLD, view.id.to_string(), view)
    }

    pub fn invitation(view: &InvitationView) -> Optimistic {
        row(entity::INVITATION, view.id.to_string(), view)
    }

    /// People are rows per community (`<community>:<id>`): one person may be in several.
    pub fn person(view: &PersonView) -> Optimistic {
        row(
            entity::PERSON,
            format!("{}:{}", view.community_id, view.id),
            view,
        )
    }

    pub fn community(view: &CommunityRulesView) -> Optimistic {
        row(entity::COMMUNITY, view.community_id.clone(), view)
    }

    pub fn booking(view: &BookingView) -> Optimistic {
        row(entity::BOOKING, view.id.to_string(), view)
    }

    pub fn waitlist(view: &WaitlistView) -> Optimistic {
        row(entity::WAITLIST, view.id.to_string(), view)
    }

    pub fn market_slot(view: &MarketSlotView) -> Optimistic {
        row(entity::MARKET_SLOT, view.id.to_string(), view)
    }

    pub fn visit(view: &VisitView) -> Optimistic {
        row(entity::VISIT, view.id.to_string(), view)
    }

    /// A pool is the row of its community.
    pub fn parking_pool(view: &ParkingPoolView) -> Optimistic {
        row(entity::PARKING_POOL, view.community_id.clone(), view)
    }
}

/// The ids a mutation refers to, which the server loads before asking the policy.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Touches {
    pub issue: Option<Uuid>,
    pub household: Option<Uuid>,
    pub person: Option<Uuid>,
    pub dialogue: Option<Uuid>,
    /// The community the mutation acts in, where the policy needs its township.
    pub community: Option<String>,
    /// The market slot a booking is for.
    pub slot: Option<Uuid>,
    /// The booking acted on.
    pub booking: Option<Uuid>,
    /// The waitlist entry acted on.
    pub waitlist: Option<Uuid>,
    /// The market service acted on (staff set-up).
    pub service: Option<Uuid>,
    /// The visit acted on.
    pub visit: Option<Uuid>,
    /// The 孝心车位 pool of the community acted in (its rules and live visits).
    pub pool: bool,
}

/// The form that made a mutation, where "fix and resubmit" takes the person.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "form", rename_all = "snake_case")]
pub enum Redo {
    /// The issue form, filled with what was written (staff: for a household, in the work app).
    RaiseIssue {
        for_household: bool,
    },
    /// The issue's page: the resident's, or the work app's for a staff, property or township step.
    Issue {
        id: Uuid,
        work: bool,
    },
    /// The sessions page, or one session's page (work app).
    Dialogue {
        id: Option<Uuid>,
    },
    /// 社区管理's households, invitations or people (work app).
    Households,
    Invitations,
    People,
    /// 乡镇管理: the township's communities (work app).
    Communities,
    /// 集市: the services and their slots (resident app).
    Market,
    /// 今日服务: a volunteer's bookings of the day (work app).
    Today,
    /// 集市管理: the community's services, days and slots (work app).
    MarketSetup,
    /// 车位: the household's visits (resident app).
    Parking,
    /// 今日车辆: the guard's gate list (work app).
    Gate,
    /// 车位管理: the community's pool and its day (work app).
    ParkingSetup,
}

/// What the queue screen calls a mutation, in both languages (kept with the queued entry, so
/// it shows whatever the language and however old the entry).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Label {
    pub zh: String,
    pub en: String,
}

impl Label {
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Label {
        Label {
            zh: zh.into(),
            en: en.into(),
        }
    }

    /// "提问题：楼道灯坏了" — a kind of action and what it is about, if anything.
    pub fn about(zh: &str, en: &str, about: &str) -> Label {
        if about.is_empty() {
            Label::new(zh, en)
        } else {
            Label::new(format!("{zh}：{about}"), format!("{en}: {about}"))
        }
    }

    pub fn pick(&self, lang: crate::Lang) -> &str {
        lang.pick(&self.zh, &self.en)
    }
}
