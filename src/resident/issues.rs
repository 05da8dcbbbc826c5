//! 议事: the community's issues, and 我的问题 (the person's own, with their sync state).

use crate::common::router::A;
use leptos::prelude::*;

use crate::common::components::{Icon, IssueCard, PageHeader, RequireSession};
use crate::common::i18n::{tr, K};
use crate::common::state::{use_app, IssueItem};

#[component]
pub fn CommunityIssues() -> impl IntoView {
    view! { <IssueList mine_only=false/> }
}

#[component]
pub fn MyIssues() -> impl IntoView {
    view! { <IssueList mine_only=true/> }
}

#[component]
fn IssueList(mine_only: bool) -> impl IntoView {
    let app = use_app();
    let items = move || {
        app.issues.with(|issues| {
            issues
                .iter()
                .filter(|i| !mine_only || i.view.mine || i.view.joined)
                .cloned()
                .collect::<Vec<IssueItem>>()
        })
    };
    let to_score = move || app.to_score();
    let empty = if mine_only {
        K::NoMyIssues
    } else {
        K::NoIssues
    };
    view! {
        <RequireSession>
            <PageHeader title=if mine_only { K::MyIssues } else { K::TabDialogue }/>
            <div class="segmented" role="tablist">
                <A href="/issues" attr:class="segment" exact=true attr:role="tab">{tr(K::CommunityIssues)}</A>
                <A href="/issues/mine" attr:class="segment" attr:role="tab">{tr(K::MyIssues)}</A>
            </div>
            <A href="/issues/new" attr:class="button primary big" attr:data-testid="raise-issue">
                <Icon name="plus"/>
                <span>{tr(K::RaiseIssue)}</span>
            </A>
            <A href="/ledger" attr:class="button" attr:data-testid="ledger-link">{tr(K::Ledger)}</A>
            <Show when=move || mine_only && !to_score().is_empty()>
                <h2>{tr(K::NeedsYourScore)}</h2>
                <div class="list" data-testid="needs-score">
                    <For each=to_score key=|item| (item.view.id, item.sync) children=|item| view! { <IssueCard item=item/> }/>
                </div>
            </Show>
            <Show when=move || !items().is_empty() fallback=move || view! { <p class="empty">{tr(empty)}</p> }>
                <div class="list" data-testid="issue-list">
                    <For each=items key=|item| (item.view.id, item.sync, item.view.updated_at) children=|item| view! { <IssueCard item=item/> }/>
                </div>
            </Show>
        </RequireSession>
    }
}
