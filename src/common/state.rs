//! The app's state: plain data in signals, provided at the root. The sync engine and the
//! storage module fill it; screens only read it and call actions.

use chrono::Datelike;
use chrono::{DateTime, Utc};
use domain::dialogue::ScoringRules;
use domain::issue::IssueStatus;
use domain::order::sort_by_number;
use domain::wire::{
    entity, BookingView, CommunityRulesView, DialogueView, HouseholdView, InvitationView,
    IssueView, MarketServiceView, MarketSlotView, ParkingPoolView, PassKeyView, PersonView,
    SessionView, VisitView, WaitlistView,
};
use leptos::prelude::*;
use serde::de::DeserializeOwned;

use crate::common::store::{FailedEntry, OutboxEntry, Snapshot};

/// Where an item stands between the phone and the server. Shown in words, never by colour alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SyncState {
    /// 待同步: saved on the phone, not yet acknowledged by the server.
    Pending,
    /// 已提交: the server has it.
    Submitted,
    /// 未成功: the server refused it for good (the reason is kept with it).
    Failed,
}

/// A row shown on a screen, with where it stands between the phone and the server.
#[derive(Clone, Debug, PartialEq)]
pub struct Item<T> {
    pub view: T,
    pub sync: SyncState,
}

pub type IssueItem = Item<IssueView>;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct SyncStatus {
    pub online: bool,
    pub syncing: bool,
    pub last_sync: Option<DateTime<Utc>>,
    /// The server said the session is gone: the queue waits for a new sign-in.
    pub needs_sign_in: bool,
    /// The last sync failed for a passing reason and will be retried.
    pub retrying: bool,
}

#[derive(Clone, Copy)]
pub struct AppState {
    /// Finished reading the phone's storage at start-up.
    pub booted: RwSignal<bool>,
    pub session: RwSignal<Option<SessionView>>,
    pub issues: RwSignal<Vec<IssueItem>>,
    /// Community staff only: the community's households, people and invitations.
    pub households: RwSignal<Vec<Item<HouseholdView>>>,
    pub people: RwSignal<Vec<Item<PersonView>>>,
    pub invitations: RwSignal<Vec<Item<InvitationView>>>,
    /// The community's dialogue sessions (双月对话) with their minutes.
    pub dialogues: RwSignal<Vec<Item<DialogueView>>>,
    /// The person's communities with their scoring rules.
    pub communities: RwSignal<Vec<Item<CommunityRulesView>>>,
    /// The 公益集市's and 共享小屋's services and slots of the person's communities.
    pub market_services: RwSignal<Vec<MarketServiceView>>,
    pub market_slots: RwSignal<Vec<MarketSlotView>>,
    /// Bookings: the household's own (with passes), and for staff and volunteers the ones
    /// they keep or serve. Earliest first.
    pub bookings: RwSignal<Vec<Item<BookingView>>>,
    /// The household's places on waitlists (候补), with any seat offered.
    pub waitlist: RwSignal<Vec<Item<WaitlistView>>>,
    /// 孝心车位 visits: the household's own (with passes), and for staff and guards every
    /// visit of their community. Earliest arrival first.
    pub visits: RwSignal<Vec<Item<VisitView>>>,
    /// The 孝心车位 pools of the person's communities (rules and held spans).
    pub parking_pools: RwSignal<Vec<Item<ParkingPoolView>>>,
    /// The public keys that sign passes (the work app only: volunteers check passes offline).
    pub pass_keys: RwSignal<Vec<PassKeyView>>,
    /// Something the server said that the person must read (why a session ended, say).
    pub notice: RwSignal<Option<String>>,
    /// Bumped when the person looks at an issue (the 议事 badge re-counts).
    pub seen_version: RwSignal<u32>,
    pub pending: RwSignal<Vec<OutboxEntry>>,
    pub failed: RwSignal<Vec<FailedEntry>>,
    pub sync: RwSignal<SyncStatus>,
    pub elder: RwSignal<bool>,
    pub update_ready: RwSignal<bool>,
    /// Whether the browser granted persistent storage (None: not asked or unsupported).
    pub persisted: RwSignal<Option<bool>>,
    /// A storage failure the person must know about.
    pub storage_error: RwSignal<bool>,
    /// Reads the staff rows of a snapshot (the work app only).
    staff_rows: Option<fn(&AppState, &Snapshot)>,
    /// An action the phone could not save (IndexedDB failed), named for the person.
    pub not_saved: RwSignal<Option<domain::mutation::Label>>,
}

impl AppState {
    /// The state of an app; the work app passes `show_staff_rows`.
    pub fn new(staff_rows: Option<fn(&AppState, &Snapshot)>) -> AppState {
        AppState {
            staff_rows,
            booted: RwSignal::new(false),
            session: RwSignal::new(None),
            issues: RwSignal::new(Vec::new()),
            households: RwSignal::new(Vec::new()),
            people: RwSignal::new(Vec::new()),
            invitations: RwSignal::new(Vec::new()),
            dialogues: RwSignal::new(Vec::new()),
            communities: RwSignal::new(Vec::new()),
            market_services: RwSignal::new(Vec::new()),
            market_slots: RwSignal::new(Vec::new()),
            bookings: RwSignal::new(Vec::new()),
            waitlist: RwSignal::new(Vec::new()),
            visits: RwSignal::new(Vec::new()),
            parking_pools: RwSignal::new(Vec::new()),
            pass_keys: RwSignal::new(Vec::new()),
            notice: RwSignal::new(None),
            seen_version: RwSignal::new(0),
            pending: RwSignal::new(Vec::new()),
            failed: RwSignal::new(Vec::new()),
            sync: RwSignal::new(SyncStatus::default()),
            elder: RwSignal::new(false),
            update_ready: RwSignal::new(false),
            persisted: RwSignal::new(None),
            storage_error: RwSignal::new(false),
            not_saved: RwSignal::new(None),
        }
    }

    /// Shows a snapshot of the phone's storage: server rows with queued changes on top. The
    /// staff rows (households, people, invitations) are read only by the work app, which passes
    /// `show_staff_rows` to its shell: the resident app carries no code for them.
    pub fn show(&self, snapshot: Snapshot) {
        if let Some(staff_rows) = self.staff_rows {
            staff_rows(self, &snapshot);
        }
        let mut issues: Vec<IssueItem> = items(&snapshot, entity::ISSUE);
        sort_by_number(&mut issues, |item| -item.view.created_at.timestamp_millis());
        let mut dialogues: Vec<Item<DialogueView>> = items(&snapshot, entity::DIALOGUE);
        sort_by_number(&mut dialogues, |item| {
            -i64::from(item.view.held_on.num_days_from_ce())
        });
        self.dialogues.set(dialogues);
        self.communities.set(items(&snapshot, entity::COMMUNITY));
        self.market_services
            .set(server_rows(&snapshot, entity::MARKET_SERVICE));
        // With the phone's own changes on top (staff setting seats, until the server answers).
        let mut slots: Vec<MarketSlotView> = items(&snapshot, entity::MARKET_SLOT)
            .into_iter()
            .map(|item: Item<MarketSlotView>| item.view)
            .collect();
        sort_by_number(&mut slots, |slot| slot.starts_at.timestamp());
        self.market_slots.set(slots);
        let mut bookings: Vec<Item<BookingView>> = items(&snapshot, entity::BOOKING);
        sort_by_number(&mut bookings, |item| item.view.starts_at.timestamp());
        self.bookings.set(bookings);
        let mut waitlist: Vec<Item<WaitlistView>> = items(&snapshot, entity::WAITLIST);
        sort_by_number(&mut waitlist, |item| item.view.starts_at.timestamp());
        self.waitlist.set(waitlist);
        let mut visits: Vec<Item<VisitView>> = items(&snapshot, entity::VISIT);
        sort_by_number(&mut visits, |item| item.view.arrives_at.timestamp());
        self.visits.set(visits);
        self.parking_pools
            .set(items(&snapshot, entity::PARKING_POOL));
        let mut pending: Vec<OutboxEntry> = snapshot
            .outbox
            .into_iter()
            .filter(|e| !e.submitted)
            .collect();
        sort_by_number(&mut pending, |e| e.seq as i64);
        self.issues.set(issues);
        self.pending.set(pending);
        self.failed.set(snapshot.failed);
    }

    /// Forgets every row shown (after signing out). Unsent actions stay listed.
    pub fn clear_rows(&self) {
        self.issues.set(Vec::new());
        self.households.set(Vec::new());
        self.people.set(Vec::new());
        self.invitations.set(Vec::new());
        self.dialogues.set(Vec::new());
        self.communities.set(Vec::new());
        self.market_services.set(Vec::new());
        self.market_slots.set(Vec::new());
        self.pass_keys.set(Vec::new());
        self.failed.set(Vec::new());
    }

    /// The person's roles in a community (township staff hold theirs everywhere in the township).
    pub fn roles_in(&self, community_id: &str) -> Vec<domain::person::Role> {
        self.session.with(|s| {
            s.as_ref()
                .map(|s| {
                    s.memberships
                        .iter()
                        .filter(|m| {
                            m.community_id == community_id
                                || m.role == domain::person::Role::TownshipStaff
                        })
                        .map(|m| m.role)
                        .collect()
                })
                .unwrap_or_default()
        })
    }

    /// The person's own and joined issues that moved on since they last looked (answered,
    /// being fixed, waiting for their score…).
    pub fn changed_for_me(&self) -> usize {
        let seen = crate::common::store::seen::load();
        self.seen_version.track();
        self.issues.with(|issues| {
            issues
                .iter()
                .filter(|i| (i.view.mine || i.view.joined) && i.view.status != IssueStatus::Raised)
                .filter(|i| {
                    seen.get(&i.view.id.to_string()).map(String::as_str)
                        != Some(i.view.status.code())
                })
                .count()
        })
    }

    /// Remembers that the person has seen the issue as it is now.
    pub fn mark_seen(&self, issue: &IssueView) {
        crate::common::store::seen::mark(&issue.id.to_string(), issue.status.code());
        self.seen_version.update(|v| *v += 1);
    }

    /// How scores decide the community's rounds (the defaults until the server has sent them).
    pub fn rules_of(&self, community_id: &str) -> ScoringRules {
        self.communities.with(|list| {
            list.iter()
                .find(|c| c.view.community_id == community_id)
                .map(|c| c.view.rules())
                .unwrap_or_default()
        })
    }

    /// The community this person keeps as community staff, if any.
    pub fn staff_community(&self) -> Option<String> {
        self.session.with_untracked(|s| {
            s.as_ref()?
                .memberships
                .iter()
                .find(|m| m.role == domain::person::Role::CommunityStaff)
                .map(|m| m.community_id.clone())
        })
    }

    /// The township this person works for as township staff, if any.
    pub fn township(&self) -> Option<String> {
        self.session.with(|s| {
            s.as_ref()?
                .memberships
                .iter()
                .find(|m| m.role == domain::person::Role::TownshipStaff)
                .map(|m| m.community_id.clone())
        })
    }

    /// Issues the person raised or joined that wait for their score.
    pub fn to_score(&self) -> Vec<IssueItem> {
        self.issues.with(|issues| {
            issues
                .iter()
                .filter(|i| {
                    i.view.may_score
                        && i.view.status == IssueStatus::AwaitingScore
                        && i.view.my_score.is_none()
                })
                .cloned()
                .collect()
        })
    }

    /// Whether the person holds a role of the work app (staff, property, township, volunteer,
    /// guard) anywhere.
    pub fn has_work_role(&self) -> bool {
        self.session.with(|s| {
            s.as_ref()
                .is_some_and(|s| s.memberships.iter().any(|m| m.role.works()))
        })
    }

    /// Whether the person holds a resident role anywhere.
    pub fn is_resident(&self) -> bool {
        self.session.with(|s| {
            s.as_ref().is_some_and(|s| {
                s.memberships
                    .iter()
                    .any(|m| m.role == domain::person::Role::Resident)
            })
        })
    }

    /// Whether the person serves at the market (a volunteer) or runs it (community staff).
    pub fn serves(&self) -> bool {
        self.session.with(|s| {
            s.as_ref().is_some_and(|s| {
                s.memberships.iter().any(|m| {
                    matches!(
                        m.role,
                        domain::person::Role::Volunteer | domain::person::Role::CommunityStaff
                    )
                })
            })
        })
    }

    /// Whether the person keeps a gate (a guard, or community staff): 今日车辆.
    pub fn keeps_gate(&self) -> bool {
        self.session.with(|s| {
            s.as_ref().is_some_and(|s| {
                s.memberships.iter().any(|m| {
                    matches!(
                        m.role,
                        domain::person::Role::Guard | domain::person::Role::CommunityStaff
                    )
                })
            })
        })
    }

    /// Whether the person keeps a community (community staff).
    pub fn is_staff(&self) -> bool {
        self.session.with(|s| {
            s.as_ref().is_some_and(|s| {
                s.memberships
                    .iter()
                    .any(|m| m.role == domain::person::Role::CommunityStaff)
            })
        })
    }

    pub fn user_id(&self) -> Option<uuid::Uuid> {
        self.session
            .with_untracked(|s| s.as_ref().map(|s| s.user_id))
    }
}

/// The rows of one entity: the server's, with queued changes on top (待同步 until the
/// server has answered, 已提交 after).
fn items<T: DeserializeOwned>(snapshot: &Snapshot, entity: &str) -> Vec<Item<T>> {
    let submitted = |key: &str| snapshot.outbox.iter().any(|e| e.key == key && e.submitted);
    let mut items: Vec<Item<T>> = snapshot
        .base
        .iter()
        .filter(|row| row.entity == entity)
        .filter(|row| !snapshot.overlay.iter().any(|o| o.key == row.key))
        .filter_map(|row| serde_json::from_value(row.data.clone()).ok())
        .map(|view| Item {
            view,
            sync: SyncState::Submitted,
        })
        .collect();
    for row in snapshot.overlay.iter().filter(|r| r.entity == entity) {
        if let Ok(view) = serde_json::from_value::<T>(row.data.clone()) {
            let acknowledged = row.mutation_key.as_deref().map(submitted).unwrap_or(false);
            items.push(Item {
                view,
                sync: if acknowledged {
                    SyncState::Submitted
                } else {
                    SyncState::Pending
                },
            });
        }
    }
    items
}

/// The server's rows of an entity that no action of the phone changes (nothing queued on top).
fn server_rows<T: DeserializeOwned>(snapshot: &Snapshot, entity: &str) -> Vec<T> {
    snapshot
        .base
        .iter()
        .filter(|row| row.entity == entity)
        .filter_map(|row| serde_json::from_value(row.data.clone()).ok())
        .collect()
}

/// The work app's reading of the staff rows: the community's households, people and
/// invitations (community staff receive them; nobody else does), and the pass keys (people
/// with a work role receive them).
pub fn show_staff_rows(app: &AppState, snapshot: &Snapshot) {
    let mut households: Vec<Item<HouseholdView>> = items(snapshot, entity::HOUSEHOLD);
    households.sort_by(|a, b| a.view.label.cmp(&b.view.label));
    let mut people: Vec<Item<PersonView>> = items(snapshot, entity::PERSON);
    people.sort_by(|a, b| a.view.display_name.cmp(&b.view.display_name));
    let mut invitations: Vec<Item<InvitationView>> = items(snapshot, entity::INVITATION);
    sort_by_number(&mut invitations, |item| {
        -item.view.expires_at.timestamp_millis()
    });
    app.households.set(households);
    app.people.set(people);
    app.invitations.set(invitations);
    app.pass_keys.set(server_rows(snapshot, entity::PASS_KEY));
}

pub fn use_app() -> AppState {
    expect_context::<AppState>()
}
