//! Pieces shared by the screens: the tab bar, page headers with the sync indicator, the
//! banners, state badges and issue cards. States are always words plus an icon, never a
//! colour alone.

use crate::common::router::{use_router, Redirect, A};
use domain::issue::IssueStatus;
use domain::{Category, RejectCode};
use leptos::prelude::*;

use crate::common::i18n::{self, t, tr, use_i18n, K};
use crate::common::shell::{go_to, use_app_kind, AppKind};
use crate::common::state::{use_app, IssueItem, SyncState};
use crate::common::store::FailedEntry;

/// Icons drawn inline (no icon font, no request): 24×24, stroked with the text colour.
#[component]
pub fn Icon(name: &'static str) -> impl IntoView {
    let path = match name {
        "home" => "M3 11l9-8 9 8M5 10v10h5v-6h4v6h5V10",
        "dialogue" => "M4 5h16v10H9l-5 4V5zM8 9h8M8 12h5",
        "market" => "M4 9h16l-1.5 11h-13L4 9zM8 9l4-5 4 5",
        "parking" => "M5 4h14v16H5zM10 16V8h3a2.5 2.5 0 010 5h-3",
        "me" => "M12 12a4 4 0 100-8 4 4 0 000 8zM4 21c1-4 4-6 8-6s7 2 8 6",
        "clock" => "M12 21a9 9 0 100-18 9 9 0 000 18zM12 7v5l3 2",
        "check" => "M4 12l5 5L20 6",
        "alert" => "M12 3l10 18H2L12 3zM12 10v5M12 18v.5",
        "plus" => "M12 5v14M5 12h14",
        "back" => "M15 5l-7 7 7 7",
        "sync" => "M4 12a8 8 0 0114-5l2 2M20 12a8 8 0 01-14 5l-2-2M18 4v5h-5M6 20v-5h5",
        "cloud-off" => "M3 3l18 18M7 18h10a4 4 0 001-7.9A6 6 0 008 7",
        "list" => "M8 6h12M8 12h12M8 18h12M4 6h.01M4 12h.01M4 18h.01",
        "qr" => "M4 4h6v6H4zM14 4h6v6h-6zM4 14h6v6H4zM14 14h2v2h-2zM18 18h2v2h-2zM14 18h2M18 14h2",
        _ => "M12 12h.01",
    };
    view! {
        <svg class="icon" viewBox="0 0 24 24" width="24" height="24" aria-hidden="true"
            fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">
            <path d=path/>
        </svg>
    }
}

/// Shows its children only to a signed-in person; sends everyone else to the sign-in page
/// (the resident app's: the work app has none of its own).
#[component]
pub fn RequireSession(children: ChildrenFn) -> impl IntoView {
    let app = use_app();
    let kind = use_app_kind();
    let fallback = move || match kind {
        AppKind::Resident => view! { <Redirect path="/login"/> }.into_any(),
        AppKind::Work => {
            go_to("/login");
            ().into_any()
        }
    };
    view! {
        <Show when=move || app.session.with(|s| s.is_some()) fallback=fallback>
            {children()}
        </Show>
    }
}

/// The sync indicator in every header: online or offline, and how much is waiting.
#[component]
pub fn SyncChip() -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let label = move || {
        let lang = i18n.lang();
        let status = app.sync.get();
        let pending = app.pending.with(Vec::len);
        let failed = app.failed.with(Vec::len);
        let connection = i18n::text(lang, if status.online { K::Online } else { K::Offline });
        let detail = if status.syncing {
            i18n::text(lang, K::Syncing).to_string()
        } else if pending > 0 {
            i18n::pending_count(lang, pending)
        } else if failed > 0 {
            i18n::failed_count(lang, failed)
        } else {
            i18n::text(lang, K::AllSynced).to_string()
        };
        format!("{connection} · {detail}")
    };
    let icon = move || {
        let status = app.sync.get();
        if !status.online {
            "cloud-off"
        } else if app.pending.with(|p| !p.is_empty()) {
            "clock"
        } else if app.failed.with(|f| !f.is_empty()) {
            "alert"
        } else {
            "check"
        }
    };
    view! {
        <A href="/sync" attr:class=move || {
            let status = app.sync.get();
            let waiting = app.pending.with(|p| !p.is_empty()) || app.failed.with(|f| !f.is_empty());
            format!("sync-chip {} {}", if status.online { "online" } else { "offline" }, if waiting { "waiting" } else { "" })
        } attr:data-testid="sync-chip">
            {move || view! { <Icon name=icon()/> }}
            <span>{label}</span>
        </A>
    }
}

/// A page title with an optional back link, and the sync indicator.
#[component]
pub fn PageHeader(title: K, #[prop(optional)] back: Option<&'static str>) -> impl IntoView {
    view! {
        <header class="page-header">
            {back.map(|href| view! {
                <A href=href attr:class="back" attr:aria-label=tr(K::Back)>
                    <Icon name="back"/>
                    <span>{tr(K::Back)}</span>
                </A>
            })}
            <h1>{tr(title)}</h1>
            <SyncChip/>
        </header>
    }
}

/// Banners that concern every screen: a new version, an expired sign-in, a storage failure.
#[component]
pub fn Banners() -> impl IntoView {
    let app = use_app();
    view! {
        <Show when=move || app.update_ready.get()>
            <div class="banner info" role="status">
                <span>{tr(K::UpdateAvailable)}</span>
                <button class="button small" on:click=|_| crate::common::actions::apply_update()>
                    {tr(K::UpdateNow)}
                </button>
            </div>
        </Show>
        <Show when=move || app.sync.get().needs_sign_in && app.session.with(|s| s.is_some())>
            <div class="banner warn" role="alert" data-testid="needs-sign-in">
                <Icon name="alert"/>
                <span>{tr(K::NeedsSignIn)}</span>
                // The sign-in page is the resident app's: from the work app, a page load.
                {match use_app_kind() {
                    AppKind::Resident => view! { <A href="/login" attr:class="button small">{tr(K::SignInAgain)}</A> }.into_any(),
                    AppKind::Work => view! { <a href="/login" class="button small">{tr(K::SignInAgain)}</a> }.into_any(),
                }}
            </div>
        </Show>
        {move || app.not_saved.get().map(|label| view! {
            <div class="banner error" role="alert" data-testid="not-saved">
                <Icon name="alert"/>
                <span>{move || i18n::not_saved(use_i18n().lang(), label.pick(use_i18n().lang()))}</span>
                <button class="button small" on:click=move |_| app.not_saved.set(None)>{tr(K::Dismiss)}</button>
            </div>
        })}
        <Show when=move || app.storage_error.get()>
            <div class="banner error" role="alert">
                <Icon name="alert"/>
                <span>{tr(K::ErrorStorage)}</span>
            </div>
        </Show>
        <crate::common::host::InAppGuide/>
    }
}

/// One tab of the bottom bar: a route of this app, or (`external`) the other app.
#[derive(Clone, Copy, Debug)]
pub struct Tab {
    pub href: &'static str,
    pub icon: &'static str,
    pub label: K,
    /// A full page load to the other app instead of a route of this one.
    pub external: bool,
}

impl Tab {
    pub const fn new(href: &'static str, icon: &'static str, label: K) -> Tab {
        Tab {
            href,
            icon,
            label,
            external: false,
        }
    }

    pub const fn external(href: &'static str, icon: &'static str, label: K) -> Tab {
        Tab {
            href,
            icon,
            label,
            external: true,
        }
    }
}

/// The bottom tabs, shown once someone is signed in.
#[component]
pub fn TabBar(tabs: &'static [Tab]) -> impl IntoView {
    let app = use_app();
    let kind = use_app_kind();
    let router = use_router();
    let on_login = move || {
        let path = router.path();
        path == "/login" || path.starts_with("/join")
    };
    view! {
        <Show when=move || app.session.with(|s| s.is_some()) && !on_login()>
            <nav class="tabbar" aria-label=tr(K::Tabs)>
                {tabs.iter().map(|tab| {
                    let href = tab.href;
                    // Unsent refusals show on 我的 (resident) or 工作台 (work); news about
                    // one's issues on 议事.
                    let badge = move || match (kind, href, tab.external) {
                        (_, _, true) => 0,
                        (AppKind::Resident, "/me", _) | (AppKind::Work, "/", _) => app.failed.with(Vec::len),
                        (AppKind::Resident, "/issues", _) => app.changed_for_me(),
                        _ => 0,
                    };
                    let failures = kind == AppKind::Resident && href == "/me" || kind == AppKind::Work && href == "/";
                    let inner = view! {
                        <Icon name=tab.icon/>
                        <span class="tab-label">{tr(tab.label)}</span>
                        <Show when=move || { badge() > 0 }>
                            <span class="tab-badge" data-testid=format!("badge-{}", href.trim_start_matches('/'))
                                aria-label=move || {
                                    let lang = use_i18n().lang();
                                    if failures { i18n::failed_count(lang, badge()) } else { i18n::updates_count(lang, badge()) }
                                }>
                                {badge}
                            </span>
                        </Show>
                    };
                    if tab.external {
                        view! { <a href=href class="tab" rel="external" data-testid="switch-app">{inner}</a> }.into_any()
                    } else {
                        view! { <A href=href attr:class="tab" exact=href == "/">{inner}</A> }.into_any()
                    }
                }).collect_view()}
            </nav>
        </Show>
    }
}

/// The 长辈版 switch: on the home screen of both apps, as MIIT's specification asks.
#[component]
pub fn ElderSwitch() -> impl IntoView {
    let app = use_app();
    view! {
        <button
            class="switch"
            role="switch"
            aria-checked=move || if app.elder.get() { "true" } else { "false" }
            data-testid="elder-switch"
            on:click=move |_| app.elder.update(|on| *on = !*on)
        >
            <span class="switch-text">
                <strong>{tr(K::ElderMode)}</strong>
                <small>{tr(K::ElderModeHint)}</small>
            </span>
            <span class="switch-state">
                <span class="switch-track"><span class="switch-thumb"></span></span>
                <span>{move || if app.elder.get() { t(K::On) } else { t(K::Off) }}</span>
            </span>
        </button>
    }
}

/// 待同步 / 已提交 / 未成功, with an icon and a class for the colour.
#[component]
pub fn SyncBadge(state: SyncState) -> impl IntoView {
    let (icon, key, class) = match state {
        SyncState::Pending => ("clock", K::StatePending, "badge pending"),
        SyncState::Submitted => ("check", K::StateSubmitted, "badge submitted"),
        SyncState::Failed => ("alert", K::StateFailed, "badge failed"),
    };
    view! {
        <span class=class data-testid="sync-state">
            <Icon name=icon/>
            <span>{tr(key)}</span>
        </span>
    }
}

/// An issue's place in the dialogue loop (待受理, 已答复…).
#[component]
pub fn StatusBadge(status: IssueStatus) -> impl IntoView {
    let i18n = use_i18n();
    let label = move || status.label(i18n.lang());
    view! { <span class="badge status" data-testid="status">{label}</span> }
}

/// Why the server refused an action, in the person's language: the server's own message in
/// Chinese; in English, the domain's explanation of the code.
pub fn failure_reason(entry: &FailedEntry, lang: domain::Lang) -> String {
    match (lang, RejectCode::from_code(&entry.code)) {
        (domain::Lang::En, Some(code)) => code.message(domain::Lang::En).to_string(),
        _ => entry.message.clone(),
    }
}

/// The reason for a refusal and what to do about it, in the person's language.
#[component]
pub fn FailureText(entry: FailedEntry) -> impl IntoView {
    let i18n = use_i18n();
    let advice_entry = entry.clone();
    view! {
        <p class="reason" data-testid="failed-reason">{move || failure_reason(&entry, i18n.lang())}</p>
        <p class="advice">{move || failure_advice(&advice_entry, i18n.lang())}</p>
    }
}

/// The words of the domain's error for `field` among a form's `errors`, in the person's
/// language (for the `FieldMessage` under that field).
pub fn field_words(
    errors: RwSignal<Vec<domain::field::FieldError>>,
    field: &'static str,
) -> Signal<Option<String>> {
    let i18n = use_i18n();
    Signal::derive(move || {
        errors.with(|e| {
            e.iter()
                .find(|e| e.field == field)
                .map(|e| e.message(i18n.lang()))
        })
    })
}

/// A field's error under it: an icon and the words, tagged `error-<field>` for tests.
#[component]
pub fn FieldMessage(
    field: &'static str,
    #[prop(into)] message: Signal<Option<String>>,
) -> impl IntoView {
    move || {
        message.get().map(|text| {
            view! {
                <span class="field-error" data-testid=format!("error-{field}")>
                    <Icon name="alert"/>
                    {text}
                </span>
            }
        })
    }
}

/// What the person can do about a refusal.
pub fn failure_advice(entry: &FailedEntry, lang: domain::Lang) -> &'static str {
    RejectCode::from_code(&entry.code)
        .map(|c| c.advice(lang))
        .unwrap_or("")
}

/// Whether writing the action again can fix it (a problem in what was written, an old app).
pub fn failure_fixable(entry: &FailedEntry) -> bool {
    matches!(
        RejectCode::from_code(&entry.code),
        Some(RejectCode::Invalid | RejectCode::UpdateRequired) | None
    )
}

/// The title a queued or refused action shows: the issue's title for `raise_issue`.
pub fn action_title(mutation: &domain::wire::MutationEnvelope) -> String {
    mutation.args["title"]
        .as_str()
        .map(str::to_string)
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| "（无标题）".to_string())
}

pub fn category_label(code: &str, lang: domain::Lang) -> String {
    Category::from_code(code)
        .map(|c| c.label(lang).to_string())
        .unwrap_or_else(|| code.to_string())
}

/// One issue in a list: title, category and place, who raised it, when, and its state.
#[component]
pub fn IssueCard(item: IssueItem) -> impl IntoView {
    let i18n = use_i18n();
    let view_data = item.view.clone();
    let href = format!("/issues/{}", view_data.id);
    let category = view_data.category.clone();
    let place = view_data.place.clone();
    let created = view_data.created_at;
    let status = view_data.status;
    let synced = item.sync;
    let overdue =
        domain::ledger::is_overdue(&item.view, domain::ledger::china_date(chrono::Utc::now()));
    let escalated = item.view.escalation.is_some();
    view! {
        <A href=href attr:class="card issue-card" attr:data-testid="issue-card">
            <div class="issue-card-top">
                <h3 class="issue-title">{view_data.title.clone()}</h3>
            </div>
            <p class="meta">
                <span class="chip">{move || category_label(&category, i18n.lang())}</span>
                {place.map(|p| view! { <span class="place">{p}</span> })}
            </p>
            <p class="meta">
                <span>{view_data.raised_by.clone()}</span>
                " · "
                <span>{move || i18n::when(i18n.lang(), created, chrono::Utc::now())}</span>
            </p>
            <div class="badges">
                <SyncBadge state=synced/>
                {(synced == SyncState::Submitted).then(|| view! { <StatusBadge status=status/> })}
                {escalated.then(|| view! { <span class="badge status">{tr(K::StepEscalated)}</span> })}
                {overdue.then(|| view! { <span class="badge failed" data-testid="overdue"><Icon name="alert"/>{tr(K::Overdue)}</span> })}
            </div>
        </A>
    }
}

/// A QR code of `text`, drawn as SVG on the phone (no request, works offline).
#[component]
pub fn QrCode(text: String, #[prop(optional)] label: Option<String>) -> impl IntoView {
    let svg = qrcode::QrCode::new(text.as_bytes())
        .map(|code| {
            code.render::<qrcode::render::svg::Color>()
                .min_dimensions(220, 220)
                .quiet_zone(true)
                .build()
        })
        .unwrap_or_default();
    view! { <div class="qr" role="img" aria-label=label.unwrap_or(text) inner_html=svg></div> }
}

/// The link a QR code of an invitation or reset code opens.
pub fn join_link(code: &str) -> String {
    let origin = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default();
    format!("{origin}/join/{}", code.replace('-', ""))
}

/// The way to the work app, for someone who holds a work role (staff, the property company,
/// the township, volunteers, guards): a full page load, served offline by the service worker
/// once the work app is on the phone.
#[component]
pub fn WorkAppLink() -> impl IntoView {
    let app = use_app();
    view! {
        <Show when=move || app.has_work_role()>
            <a href="/work/" rel="external" class="card link-card" data-testid="open-work-app">
                <Icon name="list"/>
                <span>{tr(K::OpenWorkApp)}</span>
                <span class="muted">{tr(K::OpenWorkAppHint)}</span>
            </a>
        </Show>
    }
}
