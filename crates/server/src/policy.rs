//! Authorisation: who may do what, where. The one place that decides it.
//!
//! Architecture Invariant: handlers and mutators ask this module; none of them checks a
//! role itself. Every mutation in a push and every row in a pull passes through here;
//! `views` asks it what a row may show.

use domain::mutation::{
    AdvanceIssue, AnswerEscalation, BookService, CancelBooking, DeactivatePerson, EscalateIssue,
    JoinIssue, RecordMinutes, ResetPassword, ScoreIssue, SetAgenda, SetScoringRules,
};
use domain::person::Role;
use domain::{Mutation, RejectCode, Rejection};
use uuid::Uuid;

use crate::auth::Principal;
use crate::store::bookings::BookingRow;
use crate::store::households::HouseholdRow;
use crate::store::issues::IssueRow;
use crate::store::market::{ServiceRow, SlotRow};
use crate::store::people::PersonScope;
use crate::store::sync::ClientRow;

/// Where an authorised mutation takes effect.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub community_id: String,
}

/// What the server knows about the things a mutation refers to, loaded once before the
/// policy decides. The mutator then works on these same rows (in the same transaction), so
/// what was decided on is what is acted on.
#[derive(Clone, Debug, Default)]
pub struct Facts {
    /// The household named by the mutation (`on_behalf_of`, an invitation's household).
    pub household: Option<HouseholdRow>,
    /// Every place where the person a mutation acts on holds a role (a community, or a
    /// whole township).
    pub person_scopes: Vec<PersonScope>,
    /// The issue the mutation acts on, with who joined it.
    pub issue: Option<IssueFacts>,
    /// The community of the dialogue session the mutation names: the one whose minutes are
    /// recorded, or the session an issue is accepted into or put on the agenda of.
    pub dialogue_community: Option<String>,
    /// The township of the community the mutation acts in (`None`: no such community).
    pub community_township: Option<String>,
    /// For a mutation under a daily quota (raising an issue, attaching a photo): how many
    /// this person added in the last day, and how many they may.
    pub quota: Option<QuotaUse>,
    /// The market slot a booking is for.
    pub slot: Option<SlotRow>,
    /// The booking the mutation acts on.
    pub booking: Option<BookingRow>,
    /// Whether the person gives the service of that booking as a volunteer.
    pub volunteers_for_booking: bool,
    /// The waitlist entry the mutation acts on.
    pub waitlist: Option<crate::store::waitlist::WaitRow>,
    /// The market service the mutation acts on (staff set-up).
    pub service: Option<ServiceRow>,
    /// The visit the mutation acts on.
    pub visit: Option<crate::store::parking::VisitRow>,
    /// The 孝心车位 pool of the community the mutation acts in.
    pub pool: Option<crate::store::parking::PoolRow>,
}

/// How many issues and photos one person may add per day (`--issues-per-day`,
/// `--photos-per-day`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quotas {
    pub issues_per_day: u32,
    pub photos_per_day: u32,
}

impl Quotas {
    /// A limit that means no quota: nothing is counted (benches and the chaos run).
    pub const UNLIMITED: u32 = u32::MAX;
}

/// What a person used of a daily quota, and its limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QuotaUse {
    pub used: i64,
    pub limit: u32,
}

impl Facts {
    /// The slot the mutation names, or `not_found`.
    pub fn slot(&self) -> Result<&SlotRow, Rejection> {
        self.slot
            .as_ref()
            .ok_or(Rejection::new(RejectCode::NotFound))
    }

    /// The booking the mutation names, or `not_found`.
    pub fn booking(&self) -> Result<&BookingRow, Rejection> {
        self.booking
            .as_ref()
            .ok_or(Rejection::new(RejectCode::NotFound))
    }

    /// The visit the mutation names, or `not_found`.
    pub fn visit(&self) -> Result<&crate::store::parking::VisitRow, Rejection> {
        self.visit
            .as_ref()
            .ok_or(Rejection::new(RejectCode::NotFound))
    }

    /// The pool of the community acted in, or `not_found` (explained: it has none).
    pub fn pool(&self) -> Result<&crate::store::parking::PoolRow, Rejection> {
        self.pool.as_ref().ok_or_else(|| {
            Rejection::explained(
                RejectCode::NotFound,
                "这个社区还没有开放孝心车位",
                "This community has no visitor spots yet",
            )
        })
    }

    /// The issue the mutation names, or `not_found`.
    pub fn issue(&self) -> Result<&IssueFacts, Rejection> {
        self.issue
            .as_ref()
            .ok_or(Rejection::new(RejectCode::NotFound))
    }
}

/// An issue as loaded for a mutation: its row, its community's township, who joined it.
#[derive(Clone, Debug)]
pub struct IssueFacts {
    pub row: IssueRow,
    pub township_id: String,
    pub joined: Vec<Uuid>,
}

fn communities_with_role(principal: &Principal, role: Role) -> impl Iterator<Item = &str> {
    principal
        .memberships
        .iter()
        .filter(move |m| m.role == role)
        .filter_map(|m| m.community_id.as_deref())
}

fn is_staff_of(principal: &Principal, community_id: &str) -> bool {
    has_role_in(principal, Role::CommunityStaff, community_id)
}

fn has_role_in(principal: &Principal, role: Role, community_id: &str) -> bool {
    communities_with_role(principal, role).any(|c| c == community_id)
}

/// The household this person lives in, in this community (a resident's).
pub fn resident_household(principal: &Principal, community_id: &str) -> Option<Uuid> {
    principal
        .memberships
        .iter()
        .filter(|m| m.role == Role::Resident && m.community_id.as_deref() == Some(community_id))
        .find_map(|m| m.household_id)
}

fn is_township_staff_of(principal: &Principal, township_id: &str) -> bool {
    principal
        .memberships
        .iter()
        .any(|m| m.role == Role::TownshipStaff && m.township_id == township_id)
}

/// Whether this person raised the issue (staff raising it for a household count as its
/// raiser).
fn raised(principal: &Principal, issue: &IssueRow) -> bool {
    issue.raised_by == Some(principal.user_id)
}

/// Whether this person scores the issue: its raiser and the residents who joined it. The
/// views ask too, so a phone offers scoring exactly to those the push will accept.
pub fn may_score(principal: &Principal, issue: &IssueRow, joined: &[Uuid]) -> bool {
    raised(principal, issue) || joined.contains(&principal.user_id)
}

fn forbidden() -> Rejection {
    Rejection::new(RejectCode::Forbidden)
}

fn target(community_id: &str) -> Target {
    Target {
        community_id: community_id.to_string(),
    }
}

/// Decides whether the person may run this mutation, and in which community. The whole
/// table of who may do what is this one match.
pub fn authorize(
    principal: &Principal,
    mutation: &Mutation,
    facts: &Facts,
) -> Result<Target, Rejection> {
    // Nobody adds more than their daily quota of issues or photos: a phone gone wrong (or
    // a person flooding the board) is refused with a reason, not an error.
    if let Some(quota) = facts.quota {
        if quota.used >= i64::from(quota.limit) {
            let (zh, en) = match mutation {
                Mutation::AttachPhoto(_) => ("张照片", "photos"),
                _ => ("个问题", "issues"),
            };
            return Err(Rejection::explained(
                RejectCode::Forbidden,
                format!(
                    "您今天已经提交了{}{zh}，达到每天的上限，请明天再提交",
                    quota.limit
                ),
                format!(
                    "You have added {} {en} today, the most allowed per day; please try again tomorrow",
                    quota.limit
                ),
            ));
        }
    }
    match mutation {
        // Residents raise issues in the community they live in.
        Mutation::RaiseIssue(issue) if issue.on_behalf_of.is_none() => {
            communities_with_role(principal, Role::Resident)
                .next()
                .map(target)
                .ok_or_else(forbidden)
        }
        // Community staff raise issues for a household of their community (a resident
        // without a smartphone); it is recorded as such.
        Mutation::RaiseIssue(_) => match &facts.household {
            Some(household) if is_staff_of(principal, &household.community_id) => {
                Ok(target(&household.community_id))
            }
            Some(_) => Err(forbidden()),
            None => Err(Rejection::new(RejectCode::NotFound)),
        },
        // Community staff keep the households of their community.
        Mutation::AddHousehold(household) if is_staff_of(principal, &household.community_id) => {
            Ok(target(&household.community_id))
        }
        Mutation::AddHousehold(_) => Err(forbidden()),
        // Township staff open the communities of their township.
        Mutation::AddCommunity(community)
            if is_township_staff_of(principal, &community.township_id) =>
        {
            Ok(target(&community.id))
        }
        Mutation::AddCommunity(_) => Err(forbidden()),
        // Community staff invite people to their community; a resident's household must be
        // one of that community's.
        // Township staff invite a community's staff and its property company (the first
        // staff of a community they opened); residents, volunteers and guards are the
        // community's to invite.
        Mutation::Invite(invitation) => {
            let Some(township) = &facts.community_township else {
                return Err(Rejection::new(RejectCode::NotFound));
            };
            let township_may = matches!(invitation.role, Role::CommunityStaff | Role::Property)
                && is_township_staff_of(principal, township);
            if !is_staff_of(principal, &invitation.community_id) && !township_may {
                return Err(forbidden());
            }
            match (&invitation.household_id, &facts.household) {
                (None, _) => Ok(target(&invitation.community_id)),
                (Some(_), Some(household)) if household.community_id == invitation.community_id => {
                    Ok(target(&invitation.community_id))
                }
                (Some(_), Some(_)) => Err(forbidden()),
                (Some(_), None) => Err(Rejection::new(RejectCode::NotFound)),
            }
        }
        // Community staff of the code's community revoke it (its maker is one of them), and
        // township staff of its township (who invite a community's first staff); the mutator
        // refuses a code of another community as not found.
        Mutation::RevokeInvitation(revoke)
            if is_staff_of(principal, &revoke.community_id)
                || facts
                    .community_township
                    .as_deref()
                    .is_some_and(|t| is_township_staff_of(principal, t)) =>
        {
            Ok(target(&revoke.community_id))
        }
        Mutation::RevokeInvitation(_) => Err(forbidden()),
        // Community staff reset passwords and deactivate people who belong only to
        // communities they staff: someone who also holds a role elsewhere (another
        // community, the whole township) is not theirs alone to take over. Township staff may
        // do it for people who belong only to their township. Nobody deactivates themselves.
        Mutation::ResetPassword(ResetPassword { person_id, .. })
        | Mutation::DeactivatePerson(DeactivatePerson { person_id }) => {
            if facts.person_scopes.is_empty() {
                return Err(Rejection::new(RejectCode::NotFound));
            }
            if matches!(
                mutation,
                Mutation::DeactivatePerson(DeactivatePerson { .. })
            ) && *person_id == principal.user_id
            {
                return Err(Rejection::new(RejectCode::Conflict));
            }
            let all_staffed = facts.person_scopes.iter().all(|scope| {
                scope
                    .community_id
                    .as_deref()
                    .is_some_and(|c| is_staff_of(principal, c))
            });
            let all_in_township = facts
                .person_scopes
                .iter()
                .all(|scope| is_township_staff_of(principal, &scope.township_id));
            if !all_staffed && !all_in_township {
                return Err(
                    if facts.person_scopes.iter().any(|scope| {
                        scope
                            .community_id
                            .as_deref()
                            .is_some_and(|c| is_staff_of(principal, c))
                    }) {
                        Rejection::explained(
                        RejectCode::Forbidden,
                        "此人在其他社区或乡镇也有身份，请联系乡镇工作人员办理",
                        "This person also holds a role in another community or the township; ask township staff to do this",
                    )
                    } else {
                        forbidden()
                    },
                );
            }
            // A reset code belongs to a community: the person's first one. Someone with no
            // community at all (township staff) is reset by whoever administers the server.
            match facts
                .person_scopes
                .iter()
                .find_map(|scope| scope.community_id.as_deref())
            {
                Some(community) => Ok(target(community)),
                None if matches!(mutation, Mutation::DeactivatePerson(_)) => Ok(Target {
                    community_id: String::new(),
                }),
                None => Err(Rejection::explained(
                    RejectCode::Forbidden,
                    "乡镇工作人员的密码不能在这里重置",
                    "Township staff passwords cannot be reset here",
                )),
            }
        }
        // Residents book for their own household, in the community they live in.
        Mutation::BookService(BookService {
            for_household: None,
            ..
        }) => {
            let slot = facts.slot()?;
            match resident_household(principal, &slot.community_id) {
                Some(_) => Ok(target(&slot.community_id)),
                None => Err(forbidden()),
            }
        }
        // Community staff book for a household of their community that phoned (代预约).
        Mutation::BookService(_) => {
            let slot = facts.slot()?;
            match &facts.household {
                Some(household)
                    if household.community_id == slot.community_id
                        && is_staff_of(principal, &slot.community_id) =>
                {
                    Ok(target(&slot.community_id))
                }
                Some(_) => Err(forbidden()),
                None => Err(Rejection::new(RejectCode::NotFound)),
            }
        }
        // Only the community's staff set up its market: a slot's seats and whether it takes
        // bookings, and calling a service's day off.
        Mutation::UpdateMarketSlot(_) => {
            let slot = facts.slot()?;
            if is_staff_of(principal, &slot.community_id) {
                Ok(target(&slot.community_id))
            } else {
                Err(forbidden())
            }
        }
        // Only the community's staff add services and days to its market and shared house.
        Mutation::CreateMarketService(create) => {
            if facts.community_township.is_none() {
                return Err(Rejection::new(RejectCode::NotFound));
            }
            if is_staff_of(principal, &create.community_id) {
                Ok(target(&create.community_id))
            } else {
                Err(forbidden())
            }
        }
        Mutation::CancelMarketDay(_) | Mutation::AddMarketDay(_) => {
            let service = facts
                .service
                .as_ref()
                .ok_or_else(|| Rejection::new(RejectCode::NotFound))?;
            if is_staff_of(principal, &service.community_id) {
                Ok(target(&service.community_id))
            } else {
                Err(forbidden())
            }
        }
        // Residents wait for a full slot of the community they live in, for their household.
        Mutation::JoinWaitlist(_) => {
            let slot = facts.slot()?;
            match resident_household(principal, &slot.community_id) {
                Some(_) => Ok(target(&slot.community_id)),
                None => Err(forbidden()),
            }
        }
        // Only the household offered the seat takes it.
        Mutation::AcceptPromotion(_) => {
            let entry = facts
                .waitlist
                .as_ref()
                .ok_or(Rejection::new(RejectCode::NotFound))?;
            if resident_household(principal, &entry.community_id) == Some(entry.household_id) {
                Ok(target(&entry.community_id))
            } else {
                Err(forbidden())
            }
        }
        // The household that holds a booking gives it back, or the community's staff.
        Mutation::CancelBooking(CancelBooking { .. }) => {
            let booking = facts.booking()?;
            let own =
                resident_household(principal, &booking.community_id) == Some(booking.household_id);
            if own || is_staff_of(principal, &booking.community_id) {
                Ok(target(&booking.community_id))
            } else {
                Err(forbidden())
            }
        }
        // The service's volunteers confirm it was given (the scan) or that nobody came, and the
        // community's staff.
        Mutation::ConfirmService(_) | Mutation::MarkNoShow(_) => {
            let booking = facts.booking()?;
            if facts.volunteers_for_booking || is_staff_of(principal, &booking.community_id) {
                Ok(target(&booking.community_id))
            } else {
                Err(forbidden())
            }
        }
        // Only the community's staff set its 孝心车位 pool.
        Mutation::SetParkingPool(set) => {
            if facts.community_township.is_none() {
                return Err(Rejection::new(RejectCode::NotFound));
            }
            if is_staff_of(principal, &set.community_id) {
                Ok(target(&set.community_id))
            } else {
                Err(forbidden())
            }
        }
        // Residents register visits for their own household, in the community they live in,
        // within the household's limits; staff register for a household that phoned, and only
        // they may go beyond the limits (recorded with the visit).
        Mutation::RegisterVisit(register) => {
            if register.for_household.is_none()
                && communities_with_role(principal, Role::Resident)
                    .next()
                    .is_none()
            {
                return Err(forbidden());
            }
            let pool = facts.pool()?;
            match (&facts.household, register.for_household) {
                (_, None) if register.over_limit => Err(forbidden()),
                (_, None) => match resident_household(principal, &pool.community_id) {
                    Some(_) => Ok(target(&pool.community_id)),
                    None => Err(forbidden()),
                },
                (Some(household), Some(_))
                    if household.community_id == pool.community_id
                        && is_staff_of(principal, &pool.community_id) =>
                {
                    Ok(target(&pool.community_id))
                }
                (Some(_), Some(_)) => Err(forbidden()),
                (None, Some(_)) => Err(Rejection::new(RejectCode::NotFound)),
            }
        }
        // The household changes or cancels its own visit, and approves a walk-up visitor
        // for it; the community's staff may do all three for any household.
        Mutation::ChangeVisit(_) | Mutation::CancelVisit(_) | Mutation::ApproveWalkUp(_) => {
            let visit = facts.visit()?;
            if visit_sight(principal, visit) == VisitSight::Household
                || is_staff_of(principal, &visit.community_id)
            {
                Ok(target(&visit.community_id))
            } else {
                Err(forbidden())
            }
        }
        // The community's guards (and staff) let cars in and out and register walk-ups.
        Mutation::GateIn(_) | Mutation::GateOut(_) => {
            let visit = facts.visit()?;
            if keeps_gate(principal, &visit.community_id) {
                Ok(target(&visit.community_id))
            } else {
                Err(forbidden())
            }
        }
        Mutation::RequestWalkUp(_) => match &facts.household {
            Some(household) if keeps_gate(principal, &household.community_id) => {
                facts.pool()?;
                Ok(target(&household.community_id))
            }
            Some(_) => Err(forbidden()),
            None => Err(Rejection::new(RejectCode::NotFound)),
        },
        // Each step of the loop belongs to one role in the issue's community: staff accept,
        // merge and decline; the property company answers and rectifies.
        Mutation::AdvanceIssue(AdvanceIssue { step, .. }) => {
            let issue = facts.issue()?;
            if has_role_in(principal, step.role(), &issue.row.community_id) {
                Ok(target(&issue.row.community_id))
            } else {
                Err(forbidden())
            }
        }
        // 我也遇到: residents of the issue's community, about someone else's issue; the raiser
        // is counted already (a conflict rather than forbidden: it is their own issue).
        Mutation::JoinIssue(JoinIssue { .. }) => {
            let issue = facts.issue()?;
            if !has_role_in(principal, Role::Resident, &issue.row.community_id) {
                return Err(forbidden());
            }
            if raised(principal, &issue.row) {
                return Err(Rejection::explained(
                    RejectCode::Conflict,
                    "这是您自己提的问题",
                    "You raised this issue yourself",
                ));
            }
            Ok(target(&issue.row.community_id))
        }
        // Only the raiser and the residents who joined score.
        Mutation::ScoreIssue(ScoreIssue { .. }) => {
            let issue = facts.issue()?;
            if may_score(principal, &issue.row, &issue.joined) {
                Ok(target(&issue.row.community_id))
            } else {
                Err(Rejection::explained(
                    RejectCode::Forbidden,
                    "只有提出或加入这个问题的居民可以评分",
                    "Only residents who raised or joined this issue can score it",
                ))
            }
        }
        // Staff escalate to the township; the township's staff answer.
        Mutation::EscalateIssue(EscalateIssue { .. }) => {
            let issue = facts.issue()?;
            if is_staff_of(principal, &issue.row.community_id) {
                Ok(target(&issue.row.community_id))
            } else {
                Err(forbidden())
            }
        }
        Mutation::AnswerEscalation(AnswerEscalation { .. }) => {
            let issue = facts.issue()?;
            if is_township_staff_of(principal, &issue.township_id) {
                Ok(target(&issue.row.community_id))
            } else {
                Err(forbidden())
            }
        }
        // Staff run their community's dialogue sessions.
        Mutation::ScheduleDialogue(dialogue) if is_staff_of(principal, &dialogue.community_id) => {
            Ok(target(&dialogue.community_id))
        }
        Mutation::ScheduleDialogue(_) => Err(forbidden()),
        // Photos of an issue: the raiser (or staff raising it for a household) for the issue
        // itself; the property company for its answer and its rectification.
        Mutation::AttachPhoto(photo) => {
            let issue = facts.issue()?;
            let allowed = match photo.stage {
                domain::dialogue::PhotoStage::Issue => {
                    raised(principal, &issue.row) || is_staff_of(principal, &issue.row.community_id)
                }
                _ => has_role_in(principal, Role::Property, &issue.row.community_id),
            };
            if allowed {
                Ok(target(&issue.row.community_id))
            } else {
                Err(forbidden())
            }
        }
        // Staff build their community's agendas and set its scoring rules.
        Mutation::SetAgenda(SetAgenda { .. }) => {
            let issue = facts.issue()?;
            if is_staff_of(principal, &issue.row.community_id) {
                Ok(target(&issue.row.community_id))
            } else {
                Err(forbidden())
            }
        }
        Mutation::SetScoringRules(SetScoringRules { community_id, .. })
            if is_staff_of(principal, community_id) =>
        {
            Ok(target(community_id))
        }
        Mutation::SetScoringRules(SetScoringRules { .. }) => Err(forbidden()),
        Mutation::RecordMinutes(RecordMinutes { .. }) => match &facts.dialogue_community {
            Some(community) if is_staff_of(principal, community) => Ok(target(community)),
            Some(_) => Err(forbidden()),
            None => Err(Rejection::new(RejectCode::NotFound)),
        },
    }
}

/// Whether this person may push and pull with this installation id: only with their own
/// (claimed at its first push), so one account never reads or writes another's queue.
pub fn may_use_client(principal: &Principal, client: &ClientRow) -> bool {
    client.user_id == principal.user_id
}

/// The communities whose households, people and invitations this person keeps (staff).
pub fn staff_scope(principal: &Principal) -> Vec<String> {
    let mut communities = Vec::new();
    for community in communities_with_role(principal, Role::CommunityStaff) {
        push_unique(&mut communities, community);
    }
    communities
}

/// The communities whose households (building, unit, room; no names or phones) this person
/// keeps: their staff's, and the guards' of their gate (a walk-up visitor names the household).
pub fn household_scope(principal: &Principal) -> Vec<String> {
    let mut communities = staff_scope(principal);
    for community in communities_with_role(principal, Role::Guard) {
        push_unique(&mut communities, community);
    }
    communities
}

/// Rows only the staff of their community keep: households, people and invitations.
pub fn is_staff_entity(entity: &str) -> bool {
    use domain::wire::entity;
    [entity::HOUSEHOLD, entity::PERSON, entity::INVITATION].contains(&entity)
}

/// How much of a booking a viewer sees.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BookingSight {
    /// Its household: everything, the pass included.
    Household,
    /// The community's staff: who and where, no pass.
    Staff,
    /// A volunteer of its service: the masked name and the slot.
    Volunteer,
}

/// How much of this booking the person sees (the pull sends it only to these three).
pub fn booking_sight(principal: &Principal, booking: &BookingRow) -> BookingSight {
    if resident_household(principal, &booking.community_id) == Some(booking.household_id) {
        BookingSight::Household
    } else if is_staff_of(principal, &booking.community_id) {
        BookingSight::Staff
    } else {
        BookingSight::Volunteer
    }
}

/// Whether a volunteer of the service sees the household's address and note: only for a
/// door-to-door service (上门服务), only on the booking's day, only while it is booked or
/// served. (The household and the community's staff always see them.)
pub fn volunteer_sees_address(booking: &BookingRow, now: chrono::DateTime<chrono::Utc>) -> bool {
    use domain::market::booking::BookingState;
    booking.at_home
        && booking.day == domain::ledger::china_date(now)
        && matches!(booking.state, BookingState::Booked | BookingState::Served)
}

/// Which bookings a pull sends this person: their households', those of the communities they
/// staff, and those of the services they give (`services`, as a volunteer).
pub fn booking_scope(
    principal: &Principal,
    services: Vec<String>,
) -> crate::store::bookings::BookingScope {
    let mut households = Vec::new();
    for membership in &principal.memberships {
        if let (Role::Resident, Some(household)) = (membership.role, membership.household_id) {
            push_unique(&mut households, &household.to_string());
        }
    }
    crate::store::bookings::BookingScope {
        households,
        staffed: staff_scope(principal),
        services,
    }
}

/// Whether this person confirms the bookings of a service (scans its passes): the service's
/// volunteers (`volunteered`) and its community's staff, as `confirm_service` allows.
pub fn serves(principal: &Principal, service: &ServiceRow, volunteered: &[String]) -> bool {
    volunteered.contains(&service.id.to_string()) || is_staff_of(principal, &service.community_id)
}

/// Whether the person keeps the gate of a community: its guards and its staff.
pub fn keeps_gate(principal: &Principal, community_id: &str) -> bool {
    has_role_in(principal, Role::Guard, community_id) || is_staff_of(principal, community_id)
}

/// How much of a visit a viewer sees.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VisitSight {
    /// Its household: everything, the pass included.
    Household,
    /// The community's staff and guards: the plate and the household, no pass.
    Gate,
    /// Anyone else: nothing (the pull never sends it; the pool's spans carry no plate).
    None,
}

pub fn visit_sight(principal: &Principal, visit: &crate::store::parking::VisitRow) -> VisitSight {
    if resident_household(principal, &visit.community_id) == Some(visit.household_id) {
        VisitSight::Household
    } else if keeps_gate(principal, &visit.community_id) {
        VisitSight::Gate
    } else {
        VisitSight::None
    }
}

/// Which visits a pull sends this person: their households', and every visit of the
/// communities whose gate they keep.
pub fn visit_scope(principal: &Principal) -> crate::store::parking::VisitScope {
    let mut scope = crate::store::parking::VisitScope::default();
    for membership in &principal.memberships {
        match (
            membership.role,
            membership.household_id,
            &membership.community_id,
        ) {
            (Role::Resident, Some(household), _) => {
                push_unique(&mut scope.households, &household.to_string())
            }
            (Role::Guard | Role::CommunityStaff, _, Some(community)) => {
                push_unique(&mut scope.communities, community)
            }
            _ => {}
        }
    }
    scope
}

/// Whether the person checks passes and so pulls the public keys: anyone with a work role.
pub fn checks_passes(principal: &Principal) -> bool {
    principal
        .memberships
        .iter()
        .any(|m| m.role != Role::Resident)
}

/// What a pull may return: the communities whose shared rows this person sees, and the
/// townships they oversee (every community of those).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PullScope {
    pub communities: Vec<String>,
    pub townships: Vec<String>,
}

pub fn pull_scope(principal: &Principal) -> PullScope {
    let mut scope = PullScope::default();
    for membership in &principal.memberships {
        match (&membership.community_id, membership.role) {
            (_, Role::TownshipStaff) => push_unique(&mut scope.townships, &membership.township_id),
            (Some(community_id), _) => push_unique(&mut scope.communities, community_id),
            (None, _) => {}
        }
    }
    scope
}

fn push_unique(list: &mut Vec<String>, value: &str) {
    if !list.iter().any(|v| v == value) {
        list.push(value.to_string());
    }
}

/// How much of who raised an issue a viewer sees.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RaiserName {
    /// Their own issue: the name as written.
    Full,
    /// Someone else's: masked (王**), so neighbours are not named to each other.
    Masked,
    /// No name at all: the ledger and its export are read by nobody in particular.
    Hidden,
}

/// Who raised an issue, as this viewer may see it (`None`: nobody in particular).
pub fn raiser_name(viewer: Option<&Principal>, issue: &IssueRow) -> RaiserName {
    match viewer {
        None => RaiserName::Hidden,
        Some(principal) if raised(principal, issue) => RaiserName::Full,
        Some(_) => RaiserName::Masked,
    }
}

/// Whether the person may see the issues (and their photos) of a community.
pub fn may_see_community(principal: &Principal, community_id: &str, township_id: &str) -> bool {
    let scope = pull_scope(principal);
    scope.communities.iter().any(|c| c == community_id)
        || scope.townships.iter().any(|t| t == township_id)
}

/// Whether the person may read a ledger: members of the community (names are never in it),
/// and township staff for every community of their township.
pub fn may_read_ledger(
    principal: &Principal,
    community_id: Option<&str>,
    township_id: &str,
) -> bool {
    let township = principal
        .memberships
        .iter()
        .any(|m| m.role == Role::TownshipStaff && m.township_id == township_id);
    let member = community_id.is_some_and(|c| {
        principal
            .memberships
            .iter()
            .any(|m| m.community_id.as_deref() == Some(c))
    });
    township || member
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::people::Membership;
    use domain::NewIssue;
    use uuid::Uuid;

    fn principal(memberships: Vec<(Role, Option<&str>)>) -> Principal {
        Principal {
            user_id: Uuid::new_v4(),
            display_name: "王秀兰".into(),
            phone: "13900000001".into(),
            memberships: memberships
                .into_iter()
                .map(|(role, community)| Membership {
                    role,
                    township_id: "tangwang".into(),
                    community_id: community.map(Into::into),
                    community_name: None,
                    township_name: "汤汪乡".into(),
                    household_id: None,
                })
                .collect(),
            token_hash: String::new(),
        }
    }

    fn raise() -> Mutation {
        Mutation::RaiseIssue(NewIssue {
            id: Uuid::nil(),
            title: "t".into(),
            description: String::new(),
            category: domain::Category::Other,
            place: None,
            on_behalf_of: None,
        })
    }

    #[test]
    fn a_resident_raises_issues_in_their_own_community() {
        let resident = principal(vec![(Role::Resident, Some("shanwan"))]);
        assert_eq!(
            authorize(&resident, &raise(), &Facts::default())
                .unwrap()
                .community_id,
            "shanwan"
        );
    }

    #[test]
    fn people_without_a_resident_role_may_not_raise_issues() {
        for role in [
            Role::Guard,
            Role::Property,
            Role::Volunteer,
            Role::CommunityStaff,
        ] {
            let someone = principal(vec![(role, Some("shanwan"))]);
            assert_eq!(
                authorize(&someone, &raise(), &Facts::default())
                    .unwrap_err()
                    .code,
                RejectCode::Forbidden
            );
        }
        let township = principal(vec![(Role::TownshipStaff, None)]);
        assert!(authorize(&township, &raise(), &Facts::default()).is_err());
    }

    fn issue_raised_by(raiser: Uuid, community: &str) -> Facts {
        Facts {
            issue: Some(IssueFacts {
                row: IssueRow::example(community, Some(raiser)),
                township_id: "tangwang".into(),
                joined: Vec::new(),
            }),
            ..Facts::default()
        }
    }

    #[test]
    fn the_raiser_may_not_join_their_own_issue_and_is_told_it_is_theirs() {
        let raiser = principal(vec![(Role::Resident, Some("shanwan"))]);
        let neighbour = principal(vec![(Role::Resident, Some("shanwan"))]);
        let elsewhere = principal(vec![(Role::Resident, Some("jiulong"))]);
        let facts = issue_raised_by(raiser.user_id, "shanwan");
        let join = Mutation::JoinIssue(JoinIssue {
            issue_id: facts.issue.as_ref().unwrap().row.id,
        });
        let refused = authorize(&raiser, &join, &facts).unwrap_err();
        assert_eq!(refused.code, RejectCode::Conflict);
        assert_eq!(
            refused.detail.as_deref(),
            Some(&(
                "这是您自己提的问题".to_string(),
                "You raised this issue yourself".to_string()
            ))
        );
        assert_eq!(
            authorize(&neighbour, &join, &facts).unwrap().community_id,
            "shanwan"
        );
        assert_eq!(
            authorize(&elsewhere, &join, &facts).unwrap_err().code,
            RejectCode::Forbidden
        );
    }

    #[test]
    fn the_pull_scope_is_the_persons_communities_and_townships() {
        let volunteer_resident = principal(vec![
            (Role::Resident, Some("jiulong")),
            (Role::Volunteer, Some("jiulong")),
        ]);
        assert_eq!(pull_scope(&volunteer_resident).communities, ["jiulong"]);
        let township = principal(vec![(Role::TownshipStaff, None)]);
        assert_eq!(pull_scope(&township).townships, ["tangwang"]);
        assert!(pull_scope(&township).communities.is_empty());
    }
}
