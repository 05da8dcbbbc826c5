//! 我的: who I am, language, 长辈版, sync and data protection, signing out.

use domain::Lang;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

use crate::actions;
use crate::components::{Icon, PageHeader, RequireSession};
use crate::i18n::{self, t, use_i18n, K};
use crate::pages::home::ElderSwitch;
use crate::state::use_app;

#[component]
pub fn Me() -> impl IntoView {
    view! {
        <RequireSession>
            <MeContent/>
        </RequireSession>
    }
}

#[component]
fn MeContent() -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let navigate = use_navigate();
    let confirming = RwSignal::new(false);
    let session = move || app.session.get();
    let sign_out = move |_| {
        if !app.pending.with_untracked(Vec::is_empty) && !confirming.get_untracked() {
            confirming.set(true);
            return;
        }
        let navigate = navigate.clone();
        spawn_local(async move {
            actions::sign_out(app).await;
            navigate("/login", Default::default());
        });
    };
    view! {
        <PageHeader title=K::TabMe/>
        <section class="card profile">
            <Icon name="me"/>
            <div>
                <p class="name">{move || session().map(|s| s.display_name).unwrap_or_default()}</p>
                <p class="muted">{move || session().map(|s| s.phone).unwrap_or_default()}</p>
            </div>
        </section>
        <section class="card">
            <dl>
                {move || session().map(|s| s.memberships).unwrap_or_default().into_iter().map(|m| {
                    let role = m.role;
                    view! {
                        <dt>{move || t(K::MyCommunity)}</dt>
                        <dd>{m.community_name.clone()}</dd>
                        <dt>{move || t(K::Role)}</dt>
                        <dd>{move || role.label(i18n.lang())}</dd>
                    }
                }).collect_view()}
            </dl>
        </section>
        <ElderSwitch/>
        <section class="card">
            <h2>{move || t(K::Language)}</h2>
            <div class="segmented">
                {[(Lang::Zh, "中文"), (Lang::En, "English")].into_iter().map(|(lang, name)| view! {
                    <button
                        class="segment"
                        aria-pressed=move || (i18n.lang() == lang).to_string()
                        on:click=move |_| i18n.lang.set(lang)
                        lang=lang.pick("zh-CN", "en")
                    >{name}</button>
                }).collect_view()}
            </div>
        </section>
        <A href="/sync" attr:class="card link-card">
            <Icon name="sync"/>
            <span>{move || t(K::SyncStatus)}</span>
            <span class="muted">
                {move || {
                    let pending = app.pending.with(Vec::len);
                    if pending > 0 { i18n::pending_count(i18n.lang(), pending) } else { t(K::AllSynced).to_string() }
                }}
            </span>
        </A>
        <section class="card">
            <h2>{move || t(K::DataSafety)}</h2>
            <p>{move || if app.persisted.get() == Some(true) { t(K::DataSafetyOn) } else { t(K::DataSafetyOff) }}</p>
        </section>
        <Show when=move || confirming.get()>
            <p class="card warn-card" role="alert">
                <Icon name="alert"/>
                {move || i18n::sign_out_warning(i18n.lang(), app.pending.with(Vec::len))}
            </p>
        </Show>
        <div class="row">
            <button class="button big danger" on:click=sign_out data-testid="sign-out">
                {move || if confirming.get() { t(K::SignOutConfirm) } else { t(K::SignOut) }}
            </button>
            <Show when=move || confirming.get()>
                <button class="button big" on:click=move |_| confirming.set(false)>{move || t(K::Cancel)}</button>
            </Show>
        </div>
    }
}
