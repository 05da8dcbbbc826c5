//! The work app (工作端), at `/work/`: what community staff, the property company, township
//! staff, volunteers and guards do — 社区管理, 双月对话 sessions, the loop's staff, property
//! and township steps, and the full ledger with chart, drill-down and export. It shares the
//! core (`crate::common`): one database, one outbox, one sync engine with the resident app.
//!
//! Architecture Invariant: nothing here names `crate::resident`.

pub mod dialogues;
pub mod gate;
pub mod home;
pub mod issue;
pub mod issues;
pub mod ledger;
pub mod market;
pub mod parking;
pub mod scan;
pub mod setup;
pub mod staff;
pub mod today;
pub mod township;

use leptos::prelude::*;

use crate::common::components::Tab;
use crate::common::i18n::K;
use crate::common::issue_form::IssueForm;
use crate::common::not_found::NotFound;
use crate::common::router::Route;
use crate::common::shell::{AppKind, Shell};
use crate::common::sync_page::SyncPage;

const TABS: &[Tab] = &[
    Tab::new("/", "home", K::TabWorkHome),
    Tab::new("/issues", "dialogue", K::TabWorkIssues),
    Tab::new("/ledger", "list", K::Ledger),
    Tab::external("/", "me", K::TabResidentApp),
];

/// The routes, first match wins (paths without the `/work` base).
static ROUTES: &[Route] = &[
    Route::new("/", || view! { <home::WorkHome/> }.into_any()),
    Route::new("/issues", || view! { <issues::WorkIssues/> }.into_any()),
    Route::new("/issues/new", || view! { <IssueForm/> }.into_any()),
    Route::new("/issues/:id", || view! { <issue::WorkIssue/> }.into_any()),
    Route::new("/ledger", || view! { <ledger::Ledger/> }.into_any()),
    Route::new("/dialogues", || {
        view! { <dialogues::DialogueList/> }.into_any()
    }),
    Route::new("/dialogues/:id", || {
        view! { <dialogues::DialogueDetail/> }.into_any()
    }),
    Route::new("/staff", || view! { <staff::StaffInvitations/> }.into_any()),
    Route::new("/staff/people", || {
        view! { <staff::StaffPeople/> }.into_any()
    }),
    Route::new("/staff/households", || {
        view! { <staff::StaffHouseholds/> }.into_any()
    }),
    Route::new("/township", || {
        view! { <township::TownshipAdmin/> }.into_any()
    }),
    Route::new("/setup", || view! { <setup::Setup/> }.into_any()),
    Route::new("/today", || view! { <today::Today/> }.into_any()),
    Route::new("/gate", || view! { <gate::Gate/> }.into_any()),
    Route::new("/parking", || view! { <parking::ParkingSetup/> }.into_any()),
    Route::new("/market", || view! { <market::MarketSetup/> }.into_any()),
    Route::new("/sync", || view! { <SyncPage/> }.into_any()),
];

#[component]
pub fn WorkApp() -> impl IntoView {
    view! {
        <Shell kind=AppKind::Work tabs=TABS routes=ROUTES fallback=|| view! { <NotFound/> }.into_any()
            staff_rows=crate::common::state::show_staff_rows/>
    }
}
