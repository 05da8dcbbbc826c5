//! The frame both apps share: the person's language and 长辈版, the app state, booting from
//! the phone's storage, the service worker, the banners, the routed content and the tab bar.
//! Each app gives its routes and its tabs.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::common::components::{Banners, Tab, TabBar};
use crate::common::i18n::{self, I18n};
use crate::common::router::{Route, Router};
use crate::common::state::AppState;
use crate::common::store::prefs;
use crate::common::{actions, i18n::K};

/// Which of the two apps is running.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AppKind {
    /// The 居民端 at `/`.
    Resident,
    /// The 工作端 at `/work/`.
    Work,
}

impl AppKind {
    /// The path the app's router lives under.
    pub fn base(self) -> &'static str {
        match self {
            AppKind::Resident => "",
            AppKind::Work => "/work",
        }
    }
}

pub fn use_app_kind() -> AppKind {
    use_context::<AppKind>().unwrap_or(AppKind::Resident)
}

/// Sends the browser to another address outside this app's router (the other app, or the
/// sign-in page from the work app): a full page load, served by the service worker offline.
pub fn go_to(href: &str) {
    if let Some(window) = web_sys::window() {
        let _ = window.location().assign(href);
    }
}

/// Provides the state, boots from the phone's storage, and frames the routed content.
#[component]
pub fn Shell(
    kind: AppKind,
    tabs: &'static [Tab],
    routes: &'static [Route],
    fallback: fn() -> AnyView,
    /// How the app reads the staff rows (the work app's only: never in the resident's code).
    #[prop(optional)]
    staff_rows: Option<fn(&AppState, &crate::common::store::Snapshot)>,
) -> impl IntoView {
    let saved = prefs::load();
    let i18n = I18n {
        lang: RwSignal::new(saved.lang),
    };
    let app = AppState::new(staff_rows);
    app.elder.set(saved.elder);
    provide_context(i18n);
    provide_context(app);
    provide_context(kind);

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
        let title = match kind {
            AppKind::Resident => K::AppName,
            AppKind::Work => K::WorkAppName,
        };
        document().set_title(i18n::text(lang, title));
    });

    spawn_local(actions::boot(app));
    actions::register_service_worker(app);
    let router = Router::provide(kind.base());

    view! {
        <div class="shell">
            <Banners/>
            <main class="content">
                <Show
                    when=move || app.booted.get()
                    fallback=|| view! { <p class="loading">{move || i18n::t(K::Loading)}</p> }
                >
                    {router.view(routes, fallback)}
                </Show>
            </main>
            <TabBar tabs=tabs/>
        </div>
    }
}
