//! The work app (工作端), at `/work/`: what community staff, the property company, township
//! staff, volunteers and guards do — 社区管理, 双月对话 sessions, the loop's staff, property
//! and township steps, and the full ledger with chart, drill-down and export. It shares the
//! core (`crate::common`): one database, one outbox, one sync engine with the resident app.
//!
//! Architecture Invariant: nothing here names `crate::resident`.

pub mod dialogues;
pub mod home;
pub mod issue;
pub mod issues;
pub mod ledger;
pub mod staff;

use leptos::prelude::*;
use leptos_router::components::{Route, Routes};
use leptos_router::path;

use crate::common::components::Tab;
use crate::common::i18n::K;
use crate::common::not_found::NotFound;
use crate::common::shell::{AppKind, Shell};
use crate::common::sync_page::SyncPage;

const TABS: &[Tab] = &[
    Tab::new("/", "home", K::TabWorkHome),
    Tab::new("/issues", "dialogue", K::TabWorkIssues),
    Tab::new("/ledger", "list", K::Ledger),
    Tab::external("/", "me", K::TabResidentApp),
];

#[component]
pub fn WorkApp() -> impl IntoView {
    view! {
        <Shell kind=AppKind::Work tabs=TABS>
            <Routes fallback=NotFound>
                <Route path=path!("/") view=home::WorkHome/>
                <Route path=path!("/issues") view=issues::WorkIssues/>
                <Route path=path!("/issues/:id") view=issue::WorkIssue/>
                <Route path=path!("/ledger") view=ledger::Ledger/>
                <Route path=path!("/dialogues") view=dialogues::DialogueList/>
                <Route path=path!("/dialogues/:id") view=dialogues::DialogueDetail/>
                <Route path=path!("/staff") view=staff::StaffInvitations/>
                <Route path=path!("/staff/people") view=staff::StaffPeople/>
                <Route path=path!("/staff/households") view=staff::StaffHouseholds/>
                <Route path=path!("/sync") view=SyncPage/>
            </Routes>
        </Shell>
    }
}
