//! One issue: what it says, where it stands with the server, and in the dialogue loop.

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::components::{category_label, Icon, PageHeader, RequireSession, StatusBadge, SyncBadge};
use crate::i18n::{self, t, use_i18n, K};
use crate::state::{use_app, SyncState};

#[component]
pub fn IssueDetail() -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let params = use_params_map();
    let query = use_query_map();
    let just_saved = move || query.with(|q| q.get("saved").is_some());
    let item = move || {
        let id = params.with(|p| p.get("id").unwrap_or_default());
        app.issues
            .with(|issues| issues.iter().find(|i| i.view.id.to_string() == id).cloned())
    };
    view! {
        <RequireSession>
            <PageHeader title=K::TabDialogue back="/issues"/>
            {move || match item() {
                None => view! { <p class="card">{move || t(K::NotFound)}</p> }.into_any(),
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
                                    <strong>{move || t(K::SavedOnPhone)}</strong>
                                    <p>{move || t(K::SavedOnPhoneHint)}</p>
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
                                <dt>{move || t(K::Category)}</dt>
                                <dd>{move || category_label(&category, i18n.lang())}</dd>
                                {issue.place.clone().map(|place| view! {
                                    <dt>{move || t(K::Place)}</dt>
                                    <dd>{place}</dd>
                                })}
                                <dt>{move || t(K::RaisedBy)}</dt>
                                <dd>{issue.raised_by.clone()}</dd>
                                <dt>{move || t(K::RaisedAt)}</dt>
                                <dd>{move || i18n::when(i18n.lang(), created, chrono::Utc::now())}</dd>
                            </dl>
                            {(!issue.description.is_empty()).then(|| view! {
                                <h3>{move || t(K::Description)}</h3>
                                <p class="description">{issue.description.clone()}</p>
                            })}
                        </article>
                    }
                    .into_any()
                }
            }}
        </RequireSession>
    }
}
