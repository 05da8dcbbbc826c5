//! 我的: who I am, language, 长辈版, sync and data protection, signing out.

use crate::common::router::use_router;
use crate::common::router::A;
use domain::Lang;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::common::actions;
use crate::common::components::{ElderSwitch, Icon, PageHeader, RequireSession, WorkAppLink};
use crate::common::i18n::{self, t, tr, use_i18n, K};
use crate::common::state::use_app;

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
    let router = use_router();
    let confirming = RwSignal::new(false);
    let session = move || app.session.get();
    let sign_out = move |_| {
        if !app.pending.with_untracked(Vec::is_empty) && !confirming.get_untracked() {
            confirming.set(true);
            return;
        }
        spawn_local(async move {
            actions::sign_out(app).await;
            router.navigate("/login");
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
                        <dt>{tr(K::MyCommunity)}</dt>
                        <dd>{m.community_name.clone()}</dd>
                        <dt>{tr(K::Role)}</dt>
                        <dd>{move || role.label(i18n.lang())}</dd>
                    }
                }).collect_view()}
            </dl>
        </section>
        <ElderSwitch/>
        <section class="card">
            <h2>{tr(K::Language)}</h2>
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
        <WorkAppLink/>
        <A href="/sync" attr:class="card link-card">
            <Icon name="sync"/>
            <span>{tr(K::SyncStatus)}</span>
            <span class="muted">
                {move || {
                    let pending = app.pending.with(Vec::len);
                    if pending > 0 { i18n::pending_count(i18n.lang(), pending) } else { t(K::AllSynced).to_string() }
                }}
            </span>
        </A>
        <section class="card">
            <h2>{tr(K::DataSafety)}</h2>
            <p>{move || if app.persisted.get() == Some(true) { t(K::DataSafetyOn) } else { t(K::DataSafetyOff) }}</p>
            // Honest about the host: an app's browser may clear what the phone keeps, and
            // without a service worker the app cannot open offline.
            {crate::common::host::here().in_app.map(|host| view! {
                <p data-testid="data-safety-in-app">{move || t(K::DataSafetyInApp).replace("{}", host.name(i18n.lang()))}</p>
            })}
            {no_offline_here().then(|| view! {
                <p data-testid="data-safety-no-offline">{tr(K::DataSafetyNoOffline)}</p>
            })}
        </section>
        <Devices/>
        <MyData/>
        <A href="/privacy" attr:class="card link-card">
            <Icon name="list"/>
            <span>{tr(K::PrivacyNotice)}</span>
        </A>
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
                <button class="button big" on:click=move |_| confirming.set(false)>{tr(K::Cancel)}</button>
            </Show>
        </div>
    }
}

/// 登录设备: every signed-in device, each of which can be signed out from here.
#[component]
fn Devices() -> impl IntoView {
    let i18n = use_i18n();
    let version = RwSignal::new(0u32);
    let sessions = LocalResource::new(move || {
        version.track();
        async move { crate::common::api::sessions().await }
    });
    view! {
        <section class="card" data-testid="devices">
            <h2>{tr(K::Devices)}</h2>
            <Suspense fallback=move || view! { <p class="muted">{tr(K::Loading)}</p> }>
                {move || sessions.get().map(|result| match result {
                    Ok(list) => view! {
                        <ul class="list plain">
                            {list.into_iter().map(|session| {
                                let id = session.id.clone();
                                let end = move |_| {
                                    let id = id.clone();
                                    spawn_local(async move {
                                        let _ = crate::common::api::end_session(&id).await;
                                        version.update(|v| *v += 1);
                                    });
                                };
                                view! {
                                    <li class="row-card device" data-testid="device">
                                        <span class="grow">
                                            <strong>{session.device.clone()}</strong>
                                            {session.current.then(|| view! { <span class="badge submitted">{tr(K::ThisDevice)}</span> })}
                                            <br/>
                                            <span class="muted">{tr(K::LastUsed)}" "{move || i18n::when(i18n.lang(), session.last_seen_at, chrono::Utc::now())}</span>
                                        </span>
                                        {(!session.current).then(|| view! {
                                            <button class="button small" on:click=end.clone()>{tr(K::EndSession)}</button>
                                        })}
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(_) => view! { <p class="muted">{tr(K::DevicesNeedNetwork)}</p> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

/// 我的数据: download everything stored about me; delete my account.
#[component]
fn MyData() -> impl IntoView {
    let app = use_app();
    let router = use_router();
    let deleting = RwSignal::new(false);
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let delete = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        spawn_local(async move {
            match crate::common::api::delete_account(&password.get_untracked()).await {
                Ok(()) => {
                    actions::sign_out_here(app).await;
                    app.notice.set(Some(t(K::AccountDeleted).to_string()));
                    router.navigate("/login");
                }
                Err(crate::common::api::ApiFailure::Refused {
                    error: api_error, ..
                }) => {
                    error.set(Some(
                        api_error
                            .fields
                            .first()
                            .map(|f| f.message.clone())
                            .unwrap_or(api_error.message),
                    ));
                }
                Err(_) => error.set(Some(t(K::SignInNeedsNetwork).to_string())),
            }
        });
    };
    view! {
        <section class="card" data-testid="my-data">
            <h2>{tr(K::MyData)}</h2>
            <a class="button big" href="/api/me/export" download="yiwantang-my-data.json" data-testid="download-data">
                <Icon name="list"/>{tr(K::DownloadData)}
            </a>
            <button class="button big danger" on:click=move |_| deleting.update(|d| *d = !*d) data-testid="delete-account">
                {tr(K::DeleteAccount)}
            </button>
            <Show when=move || deleting.get()>
                <form class="form" on:submit=delete novalidate=true>
                    <p class="hint">{tr(K::DeleteAccountHint)}</p>
                    <label class="field">
                        <span class="label">{tr(K::Password)}</span>
                        <input type="password" name="password" autocomplete="current-password"
                            prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev))/>
                        <crate::common::components::FieldMessage field="password" message=Signal::derive(move || error.get())/>
                    </label>
                    <button type="submit" class="button big danger">{tr(K::DeleteAccountConfirm)}</button>
                </form>
            </Show>
        </section>
    }
}

/// Whether this browser cannot open the app offline: no service worker at all (an iPhone
/// app's WKWebView), or, inside an app's browser, none ever in control (the host blocks them).
fn no_offline_here() -> bool {
    match crate::common::host::service_worker() {
        None => true,
        Some(container) => {
            crate::common::host::here().in_app.is_some() && container.controller().is_none()
        }
    }
}
