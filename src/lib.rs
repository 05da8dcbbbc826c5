//! 一碗汤, the resident app: a Leptos CSR app that keeps every action on the phone first
//! (IndexedDB) and syncs it when online.
//!
//! `App` provides the state, boots from the phone's storage, and routes. Screens live in
//! `pages`, shared pieces in `components`; `store` owns IndexedDB, `sync` the protocol,
//! `actions` what a person does, `i18n` every text.

pub mod actions;
pub mod api;
pub mod components;
pub mod i18n;
pub mod pages;
pub mod photo;
pub mod state;
pub mod store;
pub mod sync;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use crate::components::{Banners, TabBar};
use crate::i18n::I18n;
use crate::state::AppState;
use crate::store::prefs;

#[component]
pub fn App() -> impl IntoView {
    let saved = prefs::load();
    let i18n = I18n {
        lang: RwSignal::new(saved.lang),
    };
    let app = AppState::new();
    app.elder.set(saved.elder);
    provide_context(i18n);
    provide_context(app);

    // Preferences follow the person: saved, and reflected on <html> for the CSS and for
    // screen readers.
    Effect::new(move |_| {
        let lang = i18n.lang.get();
        let elder = app.elder.get();
        prefs::save(prefs::Prefs { lang, elder });
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("lang", lang.pick("zh-CN", "en"));
            let _ = root.class_list().toggle_with_force("elder", elder);
        }
        document().set_title(i18n::text(lang, i18n::K::AppName));
    });

    spawn_local(actions::boot(app));
    actions::register_service_worker(app);

    view! {
        <Router>
            <div class="shell">
                <Banners/>
                <main class="content">
                    <Show
                        when=move || app.booted.get()
                        fallback=|| view! { <p class="loading">{move || i18n::t(i18n::K::Loading)}</p> }
                    >
                        <Routes fallback=pages::not_found::NotFound>
                            <Route path=path!("/login") view=pages::login::Login/>
                            <Route path=path!("/") view=pages::home::Home/>
                            <Route path=path!("/issues") view=pages::issues::CommunityIssues/>
                            <Route path=path!("/issues/mine") view=pages::issues::MyIssues/>
                            <Route path=path!("/issues/new") view=pages::issue_form::IssueForm/>
                            <Route path=path!("/issues/:id") view=pages::issue_detail::IssueDetail/>
                            <Route path=path!("/market") view=pages::soon::Market/>
                            <Route path=path!("/parking") view=pages::soon::Parking/>
                            <Route path=path!("/me") view=pages::me::Me/>
                            <Route path=path!("/sync") view=pages::sync_page::SyncPage/>
                            <Route path=path!("/join") view=pages::join::EnterCode/>
                            <Route path=path!("/join/:code") view=pages::join::Join/>
                            <Route path=path!("/privacy") view=pages::privacy::Privacy/>
                            <Route path=path!("/ledger") view=pages::ledger::Ledger/>
                            <Route path=path!("/dialogues") view=pages::dialogues::DialogueList/>
                            <Route path=path!("/dialogues/:id") view=pages::dialogues::DialogueDetail/>
                            <Route path=path!("/staff") view=pages::staff::StaffInvitations/>
                            <Route path=path!("/staff/people") view=pages::staff::StaffPeople/>
                            <Route path=path!("/staff/households") view=pages::staff::StaffHouseholds/>
                        </Routes>
                    </Show>
                </main>
                <TabBar/>
            </div>
        </Router>
    }
}
