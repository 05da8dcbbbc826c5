//! The resident app (居民端), at `/`: what residents do — 首页, 议事 (raise, list, an issue's
//! timeline with 我也遇到 and scoring), their community's 台账 figures, 集市 and 车位, 我的,
//! signing in, joining with the privacy notice, and the queue (同步 / 未成功).
//!
//! Architecture Invariant: nothing here names `crate::work`; a resident's download carries
//! none of the work app's screens.

pub mod home;
pub mod issue_detail;
pub mod issues;
pub mod join;
pub mod ledger;
pub mod login;
pub mod market;
pub mod me;
pub mod parking;
pub mod privacy;

use leptos::prelude::*;

use crate::common::components::Tab;
use crate::common::i18n::K;
use crate::common::issue_form::IssueForm;
use crate::common::not_found::{NotFound, WorkAppOffline};
use crate::common::router::Route;
use crate::common::shell::{AppKind, Shell};
use crate::common::sync_page::SyncPage;

const TABS: &[Tab] = &[
    Tab::new("/", "home", K::TabHome),
    Tab::new("/issues", "dialogue", K::TabDialogue),
    Tab::new("/market", "market", K::TabMarket),
    Tab::new("/parking", "parking", K::TabParking),
    Tab::new("/me", "me", K::TabMe),
];

/// The routes, first match wins.
static ROUTES: &[Route] = &[
    Route::new("/login", || view! { <login::Login/> }.into_any()),
    Route::new("/", || view! { <home::Home/> }.into_any()),
    Route::new("/issues", || {
        view! { <issues::CommunityIssues/> }.into_any()
    }),
    Route::new("/issues/mine", || view! { <issues::MyIssues/> }.into_any()),
    Route::new("/issues/new", || view! { <IssueForm/> }.into_any()),
    Route::new("/issues/:id", || {
        view! { <issue_detail::IssueDetail/> }.into_any()
    }),
    Route::new("/ledger", || view! { <ledger::LedgerFigures/> }.into_any()),
    Route::new("/market", || view! { <market::Market/> }.into_any()),
    Route::new("/market/pass/:id", || {
        view! { <market::PassPage/> }.into_any()
    }),
    Route::new("/p", || view! { <market::OpenedPass/> }.into_any()),
    Route::new("/parking", || view! { <parking::Parking/> }.into_any()),
    Route::new("/parking/pass/:id", || {
        view! { <parking::VisitPassPage/> }.into_any()
    }),
    Route::new("/me", || view! { <me::Me/> }.into_any()),
    Route::new("/sync", || view! { <SyncPage/> }.into_any()),
    Route::new("/join", || view! { <join::EnterCode/> }.into_any()),
    Route::new("/join/:code", || view! { <join::Join/> }.into_any()),
    Route::new("/privacy", || view! { <privacy::Privacy/> }.into_any()),
    // The work app's address reached this shell: it was never downloaded on this phone and
    // there is no network to fetch it.
    Route::new("/work/*rest", || view! { <WorkAppOffline/> }.into_any()),
];

#[component]
pub fn App() -> impl IntoView {
    view! { <Shell kind=AppKind::Resident tabs=TABS routes=ROUTES fallback=|| view! { <NotFound/> }.into_any()/> }
}
