//! 同步状态: online or not, what waits on the phone, when the last sync was, and every
//! action the server refused, with the reason and what to do about it.

use crate::common::router::A;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::common::act::{label_text, redo_path};
use crate::common::actions;
use crate::common::components::SyncBadge;
use crate::common::components::{failure_fixable, FailureText, Icon, PageHeader, RequireSession};
use crate::common::i18n::{self, t, tr, use_i18n, K};
use crate::common::shell::{use_app_kind, AppKind};
use crate::common::state::{use_app, SyncState};
use crate::common::store::FailedEntry;
use crate::common::sync;
use domain::mutation::Redo;

#[component]
pub fn SyncPage() -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let status = move || app.sync.get();
    view! {
        <RequireSession>
            <PageHeader title=K::SyncStatus back=match use_app_kind() { AppKind::Resident => "/me", AppKind::Work => "/" }/>
            <section class="card status-card" data-testid="sync-status">
                <p class="status-line">
                    {move || view! { <Icon name=if status().online { "check" } else { "cloud-off" }/> }}
                    <strong>{move || if status().online { t(K::Online) } else { t(K::Offline) }}</strong>
                </p>
                <p>
                    {tr(K::LastSync)}"："
                    {move || status().last_sync.map(|time| i18n::when(i18n.lang(), time, chrono::Utc::now())).unwrap_or_else(|| t(K::NeverSynced).to_string())}
                </p>
                <button class="button big" on:click=move |_| sync::request_sync(app) disabled=move || status().syncing>
                    <Icon name="sync"/>
                    {move || if status().syncing { t(K::Syncing) } else { t(K::SyncNow) }}
                </button>
            </section>
            <h2>{tr(K::PendingActions)}</h2>
            <Show when=move || !app.pending.with(Vec::is_empty) fallback=move || view! { <p class="empty">{tr(K::NoPending)}</p> }>
                <ul class="list plain" data-testid="pending-list">
                    <For each=move || app.pending.get() key=|e| e.key.clone() children=move |entry| {
                        let queued = entry.queued_at;
                        let label = move || label_text(&entry.label, &entry.mutation, i18n.lang());
                        view! {
                            <li class="card row-card" data-testid="pending-item">
                                <Icon name="clock"/>
                                <span class="grow">{label}</span>
                                <span class="muted">{move || i18n::when(i18n.lang(), queued, chrono::Utc::now())}</span>
                            </li>
                        }
                    }/>
                </ul>
            </Show>
            <h2>{tr(K::FailedActions)}</h2>
            <Show when=move || !app.failed.with(Vec::is_empty) fallback=move || view! { <p class="empty">{tr(K::NoFailed)}</p> }>
                <ul class="list plain" data-testid="failed-list">
                    <For each=move || app.failed.get() key=|f| f.key.clone() children=move |entry| view! { <FailedItem entry=entry/> }/>
                </ul>
            </Show>
        </RequireSession>
    }
}

#[component]
fn FailedItem(entry: FailedEntry) -> impl IntoView {
    let app = use_app();
    let confirming = RwSignal::new(false);
    let i18n = use_i18n();
    let fixable = failure_fixable(&entry);
    let key = entry.key.clone();
    // Back to the form that made it: in this app a route, in the other app a page load. An
    // entry from an older version without its form is a raised issue.
    let redo = entry.redo.clone().unwrap_or(Redo::RaiseIssue {
        for_household: false,
    });
    let (redo_href, in_work_app) = redo_path(&redo, &entry.key);
    let here = use_app_kind()
        == if in_work_app {
            AppKind::Work
        } else {
            AppKind::Resident
        };
    let redo_href = if here && in_work_app {
        redo_href.trim_start_matches("/work").to_string()
    } else {
        redo_href
    };
    let title = {
        let entry = entry.clone();
        move || label_text(&entry.label, &entry.mutation, i18n.lang())
    };
    let discard = move |_| {
        if !confirming.get_untracked() {
            confirming.set(true);
            return;
        }
        spawn_local(actions::discard_failed(app, key.clone()));
    };
    view! {
        <li class="card failed-card" data-testid="failed-item">
            <p class="failed-title"><Icon name="alert"/><strong>{title}</strong></p>
            <SyncBadge state=SyncState::Failed/>
            <FailureText entry=entry.clone()/>
            <div class="row">
                {fixable.then(|| if here {
                    view! { <A href=redo_href.clone() attr:class="button primary" attr:data-testid="fix-and-resubmit">{tr(K::FixAndResubmit)}</A> }.into_any()
                } else {
                    view! { <a href=redo_href.clone() class="button primary" rel="external" data-testid="fix-and-resubmit">{tr(K::FixAndResubmit)}</a> }.into_any()
                })}
                <button class="button" on:click=discard>
                    {move || if confirming.get() { t(K::DiscardConfirm) } else { t(K::Discard) }}
                </button>
            </div>
        </li>
    }
}
