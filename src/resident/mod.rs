//! The resident app (居民端), at `/`: what residents do — 首页, 议事 (raise, list, an issue's
//! timeline with 我也遇到 and scoring), their community's 台账 figures, 集市 and 车位, 我的,
//! signing in, joining with the privacy notice, and the queue (同步 / 未成功).
//!
//! Architecture Invariant: nothing here names `crate::work`; a resident's download carries
//! none of the work app's screens.

pub mod home;
pub mod issue_detail;
pub mod issue_form;
pub mod issues;
pub mod join;
pub mod ledger;
pub mod login;
pub mod me;
pub mod privacy;
pub mod soon;

use leptos::prelude::*;
use leptos_router::components::{Route, Routes};
use leptos_router::path;

use crate::common::components::Tab;
use crate::common::i18n::K;
use crate::common::not_found::{NotFound, WorkAppOffline};
use crate::common::shell::{AppKind, Shell};
use crate::common::sync_page::SyncPage;

const TABS: &[Tab] = &[
    Tab::new("/", "home", K::TabHome),
    Tab::new("/issues", "dialogue", K::TabDialogue),
    Tab::new("/market", "market", K::TabMarket),
    Tab::new("/parking", "parking", K::TabParking),
    Tab::new("/me", "me", K::TabMe),
];

#[component]
pub fn App() -> impl IntoView {
    view! {
        <Shell kind=AppKind::Resident tabs=TABS>
            <Routes fallback=NotFound>
                <Route path=path!("/login") view=login::Login/>
                <Route path=path!("/") view=home::Home/>
                <Route path=path!("/issues") view=issues::CommunityIssues/>
                <Route path=path!("/issues/mine") view=issues::MyIssues/>
                <Route path=path!("/issues/new") view=issue_form::IssueForm/>
                <Route path=path!("/issues/:id") view=issue_detail::IssueDetail/>
                <Route path=path!("/ledger") view=ledger::LedgerFigures/>
                <Route path=path!("/market") view=soon::Market/>
                <Route path=path!("/parking") view=soon::Parking/>
                <Route path=path!("/me") view=me::Me/>
                <Route path=path!("/sync") view=SyncPage/>
                <Route path=path!("/join") view=join::EnterCode/>
                <Route path=path!("/join/:code") view=join::Join/>
                <Route path=path!("/privacy") view=privacy::Privacy/>
                // The work app's address reached this shell: it was never downloaded on this
                // phone and there is no network to fetch it.
                <Route path=path!("/work/*any") view=WorkAppOffline/>
            </Routes>
        </Shell>
    }
}
