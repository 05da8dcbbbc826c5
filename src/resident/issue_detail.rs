//! One issue: what it says, where it stands with the server, and in the dialogue loop.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::components::{
    action_title, category_label, FailureText, Icon, PageHeader, RequireSession, StatusBadge,
    SyncBadge,
};
use crate::i18n::{self, t, tr, use_i18n, K};
use crate::state::{use_app, SyncState};
use crate::store::FailedEntry;

#[component]
pub fn IssueDetail() -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let params = use_params_map();
    let query = use_query_map();
    let just_saved = move || query.with(|q| q.get("saved").is_some());
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    // Re-drawn only when this issue changes, not on every refresh of the list.
    let item = Memo::new(move |_| {
        let id = id();
        app.issues
            .with(|issues| issues.iter().find(|i| i.view.id.to_string() == id).cloned())
    });
    provide_context(crate::pages::issue_loop::Drafts::new());
    // Looking at one's own (or joined) issue clears it from the 议事 badge.
    Effect::new(move |_| {
        if let Some(item) = item.get() {
            if item.view.mine || item.view.joined {
                app.mark_seen(&item.view);
            }
        }
    });
    // An issue the server refused is no longer in the lists, but its page still says what
    // happened and why.
    let refused = move || {
        let id = id();
        app.failed.with(|failed| {
            failed
                .iter()
                .find(|f| f.mutation.args["id"].as_str() == Some(id.as_str()))
                .cloned()
        })
    };
    view! {
        <RequireSession>
            <PageHeader title=K::TabDialogue back="/issues"/>
            {move || match item.get() {
                None => match refused() {
                    Some(entry) => view! { <RefusedIssue entry=entry/> }.into_any(),
                    None => view! { <p class="card">{tr(K::NotFound)}</p> }.into_any(),
                },
                Some(item) => {
                    let issue = item.view.clone();
                    let pending = item.sync == SyncState::Pending;
                    let category = issue.category.clone();
                    let created = issue.created_at;
                    view! {
                        <Show when=move || just_saved() && pending>
                            <div class="card saved-note" role="status" data-testid="saved-note">
                                <Icon name="check"/>
                                <div>
                                    <strong>{tr(K::SavedOnPhone)}</strong>
                                    <p>{tr(K::SavedOnPhoneHint)}</p>
                                </div>
                            </div>
                        </Show>
                        <article class="card detail" data-testid="issue-detail">
                            <h2>{issue.title.clone()}</h2>
                            <div class="badges">
                                <SyncBadge state=item.sync/>
                                {(!pending).then(|| view! { <StatusBadge status=issue.status.clone()/> })}
                            </div>
                            <p class="state-hint">
                                {move || if pending { t(K::StatePendingHint) } else { t(K::StateSubmittedHint) }}
                            </p>
                            <dl>
                                <dt>{tr(K::Category)}</dt>
                                <dd>{move || category_label(&category, i18n.lang())}</dd>
                                {issue.place.clone().map(|place| view! {
                                    <dt>{tr(K::Place)}</dt>
                                    <dd>{place}</dd>
                                })}
                                <dt>{tr(K::RaisedBy)}</dt>
                                <dd>{issue.raised_by.clone()}</dd>
                                <dt>{tr(K::RaisedAt)}</dt>
                                <dd>{move || i18n::when(i18n.lang(), created, chrono::Utc::now())}</dd>
                            </dl>
                            {(!issue.description.is_empty()).then(|| view! {
                                <h3>{tr(K::Description)}</h3>
                                <p class="description">{issue.description.clone()}</p>
                            })}
                            <crate::pages::issue_loop::PhotoStrip photos=issue.photos.clone() stage=domain::dialogue::PhotoStage::Issue/>
                            {(issue.joined_count > 0).then(|| view! {
                                <p class="muted">{move || i18n::with_number(i18n.lang(), K::JoinedCount, issue.joined_count)}</p>
                            })}
                        </article>
                        <crate::pages::issue_loop::IssueActions issue=issue.clone()/>
                        <crate::pages::issue_loop::Timeline issue=issue.clone()/>
                    }
                    .into_any()
                }
            }}
        </RequireSession>
    }
}

/// A raised issue the server refused: what was written, the reason, what to do.
#[component]
fn RefusedIssue(entry: FailedEntry) -> impl IntoView {
    let title = action_title(&entry.mutation);
    view! {
        <article class="card detail failed-card" data-testid="issue-detail">
            <h2>{title}</h2>
            <div class="badges"><SyncBadge state=SyncState::Failed/></div>
            <FailureText entry=entry/>
            <A href="/sync" attr:class="button">{tr(K::SyncStatus)}</A>
        </article>
    }
}
