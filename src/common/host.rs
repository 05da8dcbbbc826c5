//! Where the page runs (see `domain::host`): the service worker where there is one, and the
//! guide shown once inside WeChat's (or QQ's, Alipay's…) built-in browser — how to open the
//! page in the phone's own browser and put 一碗汤 on the home screen, so it opens offline.
//! Inside those apps everything else works as in a full browser: the outbox, the sync
//! engine's own triggers (start-up, `online`, the page shown again, a timer), signing in,
//! booking, scanning. Nothing is ever refused there.

use domain::host::{self, Host};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::common::components::Icon;
use crate::common::i18n::{self, tr, use_i18n, K};
use crate::common::store::guide;

/// The page's service worker container, or None where there is none: an iPhone app's
/// WKWebView, a page not served securely, a host that removed it.
pub fn service_worker() -> Option<web_sys::ServiceWorkerContainer> {
    let navigator = web_sys::window()?.navigator();
    // Missing, undefined or null: not a container, so None.
    js_sys::Reflect::get(&navigator, &"serviceWorker".into())
        .ok()?
        .dyn_into()
        .ok()
}

/// What the browser's user agent says about where the page runs.
pub fn here() -> Host {
    let agent = web_sys::window()
        .and_then(|w| w.navigator().user_agent().ok())
        .unwrap_or_default();
    host::read(&agent)
}

/// The guide, once: inside an app's browser, until dismissed on this phone. In plain words
/// and a picture of where to tap; large type in 长辈版 (the shell's `elder` class).
#[component]
pub fn InAppGuide() -> impl IntoView {
    let i18n = use_i18n();
    // Not on a pass opened by a visitor's camera (`/p`): they have nothing to install.
    let pass_page = web_sys::window()
        .and_then(|w| w.location().pathname().ok())
        .is_some_and(|path| path == "/p");
    let host = here();
    let Some(app) = host.in_app.filter(|_| !pass_page && !guide::dismissed()) else {
        return ().into_any();
    };
    let ios = host.ios;
    let open = RwSignal::new(true);
    let (open_in, add) = if ios {
        (K::GuideOpenSafari, K::GuideAddIos)
    } else {
        (K::GuideOpenBrowser, K::GuideAddAndroid)
    };
    view! {
        <Show when=move || open.get()>
            <section class="card guide" data-testid="in-app-guide" aria-labelledby="guide-title">
                <h2 id="guide-title">{move || i18n::text(i18n.lang(), K::GuideTitle).replace("{}", app.name(i18n.lang()))}</h2>
                <p>{tr(K::GuideWorks)}</p>
                <GuidePicture open_in/>
                <ol class="guide-steps">
                    <li>{tr(K::GuideMenu)}</li>
                    <li>{tr(open_in)}</li>
                    <li>{tr(add)}</li>
                </ol>
                <button class="button primary big" data-testid="in-app-guide-dismiss" on:click=move |_| {
                    guide::dismiss();
                    open.set(false);
                }>
                    <Icon name="check"/><span>{tr(K::GuideOk)}</span>
                </button>
            </section>
        </Show>
    }
    .into_any()
}

/// The top of the app's page with 「···」 circled at the right, and the menu it opens with the
/// item to choose marked: shapes and words, never colour alone.
#[component]
fn GuidePicture(open_in: K) -> impl IntoView {
    view! {
        <svg class="guide-picture" viewBox="0 0 320 150" role="img" aria-hidden="true">
            <rect x="1" y="1" width="318" height="148" rx="12" class="guide-phone"/>
            <rect x="1" y="1" width="318" height="40" rx="12" class="guide-bar"/>
            <text x="160" y="27" text-anchor="middle" class="guide-text">"一碗汤"</text>
            <rect x="252" y="8" width="58" height="26" rx="13" class="guide-dots"/>
            <circle cx="269" cy="21" r="3.5" class="guide-dot"/>
            <circle cx="281" cy="21" r="3.5" class="guide-dot"/>
            <circle cx="293" cy="21" r="3.5" class="guide-dot"/>
            <circle cx="281" cy="21" r="24" class="guide-ring"/>
            <path d="M230 60 L262 40" class="guide-arrow"/>
            <path d="M262 40 L250 42 M262 40 L258 51" class="guide-arrow"/>
            <rect x="20" y="84" width="280" height="52" rx="10" class="guide-sheet"/>
            <rect x="32" y="92" width="256" height="36" rx="8" class="guide-item"/>
            <text x="160" y="116" text-anchor="middle" class="guide-text strong">{tr(open_in)}</text>
        </svg>
    }
}
