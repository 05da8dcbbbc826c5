//! 事项: the issues of the person's communities, with what waits for their work roles first —
//! staff accept new issues, the property company answers and rectifies, the township answers
//! escalations.

use domain::issue::IssueStatus;
use domain::person::Role;
use leptos::prelude::*;

use crate::common::components::{IssueCard, PageHeader, RequireSession};
use crate::common::i18n::{tr, K};
use crate::common::state::{use_app, AppState, IssueItem};

/// Whether the issue waits for a step that one of the person's work roles takes.
pub fn waits_for_me(app: &AppState, item: &IssueItem) -> bool {
    let issue = &item.view;
    let roles = app.roles_in(&issue.community_id);
    let status = issue.status;
    let escalation_open = issue
        .escalation
        .as_ref()
        .is_some_and(|e| e.answer.is_none());
    roles.iter().any(|role| match role {
        Role::CommunityStaff => status == IssueStatus::Raised,
        Role::Property => matches!(
            status,
            IssueStatus::Accepted | IssueStatus::Answered | IssueStatus::Rectifying
        ),
        Role::TownshipStaff => escalation_open,
        Role::Resident | Role::Volunteer | Role::Guard => false,
    })
}

/// The issues waiting for this person, newest first.
pub fn to_handle(app: AppState) -> Vec<IssueItem> {
    app.issues.with(|issues| {
        issues
            .iter()
            .filter(|item| waits_for_me(&app, item))
            .cloned()
            .collect()
    })
}

#[component]
pub fn WorkIssues() -> impl IntoView {
    let app = use_app();
    let waiting = move || to_handle(app);
    let all = move || app.issues.get();
    view! {
        <RequireSession>
            <PageHeader title=K::TabWorkIssues/>
            <h2>{tr(K::ToHandle)}</h2>
            <Show when=move || !waiting().is_empty() fallback=move || view! { <p class="empty">{tr(K::NothingToHandle)}</p> }>
                <div class="list" data-testid="to-handle">
                    <For each=waiting key=|item| (item.view.id, item.sync, item.view.updated_at) children=|item| view! { <IssueCard item=item/> }/>
                </div>
            </Show>
            <h2>{tr(K::AllIssues)}</h2>
            <Show when=move || !all().is_empty() fallback=move || view! { <p class="empty">{tr(K::NoIssues)}</p> }>
                <div class="list" data-testid="issue-list">
                    <For each=all key=|item| (item.view.id, item.sync, item.view.updated_at) children=|item| view! { <IssueCard item=item/> }/>
                </div>
            </Show>
        </RequireSession>
    }
}
