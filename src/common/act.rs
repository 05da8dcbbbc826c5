//! Queueing what a person does: a mutation defined in `domain::mutation` is validated with
//! the server's own rules, its optimistic rows computed by its definition, and it is written
//! with them to the outbox in one IndexedDB transaction; then the screens refresh and a sync
//! starts. Pages build the arguments and show the field errors; nothing else.
//!
//! A failed IndexedDB write is never dropped: the person is told the action was not saved
//! (a banner that names it), and the form keeps what they typed.

use chrono::Utc;
use domain::mutation::{Label, Listed, Local, Redo, Rows};
use domain::wire::{
    BookingView, CommunityRulesView, DialogueView, HouseholdView, IssueView, MarketServiceView,
    MarketSlotView, ParkingPoolView, PersonView, VisitView, WaitlistView,
};
use domain::FieldError;
use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;

use crate::common::state::AppState;
use crate::common::store::{self, Prepared, StoreError};
use crate::common::sync;

#[derive(Clone, Debug, PartialEq)]
pub enum ActionError {
    /// What the form says is not acceptable (the same messages the server would give).
    Invalid(Vec<FieldError>),
    NotSignedIn,
    /// The phone could not save it; the person has been told.
    Storage(StoreError),
}

/// The phone's rows, as a mutation's optimistic effect reads them.
struct AppRows(AppState);

impl Rows for AppRows {
    fn issue(&self, id: Uuid) -> Option<IssueView> {
        self.0.issues.with_untracked(|list| {
            list.iter()
                .find(|i| i.view.id == id)
                .map(|i| i.view.clone())
        })
    }

    fn dialogue(&self, id: Uuid) -> Option<DialogueView> {
        self.0.dialogues.with_untracked(|list| {
            list.iter()
                .find(|d| d.view.id == id)
                .map(|d| d.view.clone())
        })
    }

    fn household(&self, id: Uuid) -> Option<HouseholdView> {
        self.0.households.with_untracked(|list| {
            list.iter()
                .find(|h| h.view.id == id)
                .map(|h| h.view.clone())
        })
    }

    fn person(&self, id: Uuid) -> Option<PersonView> {
        self.0.people.with_untracked(|list| {
            list.iter()
                .find(|p| p.view.id == id)
                .map(|p| p.view.clone())
        })
    }

    fn community(&self, id: &str) -> Option<CommunityRulesView> {
        self.0.communities.with_untracked(|list| {
            list.iter()
                .find(|c| c.view.community_id == id)
                .map(|c| c.view.clone())
        })
    }

    fn market_slot(&self, id: Uuid) -> Option<MarketSlotView> {
        self.0
            .market_slots
            .with_untracked(|list| list.iter().find(|s| s.id == id).cloned())
    }

    fn market_service(&self, id: Uuid) -> Option<MarketServiceView> {
        self.0
            .market_services
            .with_untracked(|list| list.iter().find(|s| s.id == id).cloned())
    }

    fn booking(&self, id: Uuid) -> Option<BookingView> {
        self.0.bookings.with_untracked(|list| {
            list.iter()
                .find(|b| b.view.id == id)
                .map(|b| b.view.clone())
        })
    }

    fn waitlist(&self, id: Uuid) -> Option<WaitlistView> {
        self.0.waitlist.with_untracked(|list| {
            list.iter()
                .find(|w| w.view.id == id)
                .map(|w| w.view.clone())
        })
    }

    fn visit(&self, id: Uuid) -> Option<VisitView> {
        self.0.visits.with_untracked(|list| {
            list.iter()
                .find(|v| v.view.id == id)
                .map(|v| v.view.clone())
        })
    }

    fn parking_pool(&self, community_id: &str) -> Option<ParkingPoolView> {
        self.0.parking_pools.with_untracked(|list| {
            list.iter()
                .find(|p| p.view.community_id == community_id)
                .map(|p| p.view.clone())
        })
    }
}

/// Validates, computes the optimistic rows, label and form, and queues. The part that knows
/// the mutation's type is small; the rest (`queue`) is shared by every mutation.
pub async fn act<A: Listed>(app: AppState, args: A) -> Result<(), ActionError> {
    let valid = args.parse().map_err(ActionError::Invalid)?;
    let session = app
        .session
        .get_untracked()
        .ok_or(ActionError::NotSignedIn)?;
    let home = session
        .home_community()
        .map(|m| m.community_id.clone())
        .unwrap_or_default();
    let rows = AppRows(app);
    let local = Local {
        user_id: session.user_id,
        display_name: &session.display_name,
        home_community: &home,
        now: Utc::now(),
        rows: &rows,
    };
    let prepared = Prepared {
        name: A::NAME,
        version: A::VERSION,
        args: serde_json::to_value(&args).expect("mutation arguments serialise"),
        label: args.label(&local),
        redo: args.redo(),
        overlay: A::optimistic(&valid, &local)
            .into_iter()
            .map(|row| (row.entity, row.id, row.data))
            .collect(),
    };
    queue(app, session.user_id, prepared).await
}

async fn queue(app: AppState, user_id: Uuid, prepared: Prepared) -> Result<(), ActionError> {
    let label = prepared.label.clone();
    let saved = match store::app_db().await {
        Ok(db) => db.enqueue(user_id, &prepared).await.map(|_| ()),
        Err(error) => Err(error),
    };
    if let Err(error) = saved {
        web_sys::console::error_1(&error.to_string().into());
        app.not_saved.set(Some(label));
        return Err(ActionError::Storage(error));
    }
    app.not_saved.set(None);
    sync::refresh(app).await;
    sync::announce_change();
    if sync::is_online() {
        sync::request_sync(app);
    } else {
        sync::register_background_sync();
    }
    Ok(())
}

/// Queues from a form, in the background: field errors go to `errors` (cleared when it is
/// queued), a storage failure is told by the banner, and `queued` runs once it is saved.
pub fn submit<A: Listed + 'static>(
    app: AppState,
    args: A,
    errors: RwSignal<Vec<FieldError>>,
    queued: impl FnOnce() + 'static,
) {
    // Checked here first, so the form answers at once and nothing is spawned for nothing.
    if let Err(problems) = args.parse() {
        errors.set(problems);
        return;
    }
    errors.set(Vec::new());
    spawn_local(async move {
        match act(app, args).await {
            Ok(()) => queued(),
            Err(ActionError::Invalid(problems)) => errors.set(problems),
            // Told by the banner (storage) or by the sign-in page (no session).
            Err(ActionError::Storage(_) | ActionError::NotSignedIn) => {}
        }
    });
}

/// Queues an action that has no form (a button): errors are shown by the banner.
pub fn tap<A: Listed + 'static>(app: AppState, args: A) {
    submit(app, args, RwSignal::new(Vec::new()), || ());
}

/// Where "fix and resubmit" takes the person: (address, whether it is in the work app).
pub fn redo_path(redo: &Redo, key: &str) -> (String, bool) {
    match redo {
        Redo::RaiseIssue { for_household } => (
            format!(
                "{}/issues/new?from={key}",
                if *for_household { "/work" } else { "" }
            ),
            *for_household,
        ),
        Redo::Issue { id, work } => (
            format!("{}/issues/{id}", if *work { "/work" } else { "" }),
            *work,
        ),
        Redo::Dialogue { id: Some(id) } => (format!("/work/dialogues/{id}"), true),
        Redo::Dialogue { id: None } => ("/work/dialogues".into(), true),
        Redo::Households => ("/work/staff/households".into(), true),
        Redo::Invitations => ("/work/staff".into(), true),
        Redo::People => ("/work/staff/people".into(), true),
        Redo::Communities => ("/work/township".into(), true),
        Redo::Market => ("/market".into(), false),
        Redo::Today => ("/work/today".into(), true),
        Redo::MarketSetup => ("/work/market".into(), true),
        Redo::Parking => ("/parking".into(), false),
        Redo::Gate => ("/work/gate".into(), true),
        Redo::ParkingSetup => ("/work/parking".into(), true),
    }
}

/// The queue screen's name for an entry, in the person's language.
pub fn label_text(
    label: &Option<Label>,
    fallback: &domain::wire::MutationEnvelope,
    lang: domain::Lang,
) -> String {
    match label {
        Some(label) => label.pick(lang).to_string(),
        None => crate::common::components::action_title(fallback),
    }
}
