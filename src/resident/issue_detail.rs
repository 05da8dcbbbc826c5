//! One issue, as a resident sees it: what it says, where it stands with the server and in
//! the dialogue loop, and what a resident may do — 我也遇到, score the rectification, add a
//! photo to their own issue. Staff, property and township steps are the work app's.

use crate::common::router::use_router;
use crate::common::router::A;
use domain::dialogue::{JoinIssueArgs, PhotoStage, ScoreIssueArgs};
use domain::issue::IssueStatus;
use domain::person::Role;
use domain::wire::IssueView;
use domain::FieldError;
use leptos::prelude::*;

use crate::common::act::{submit, tap};
use crate::common::components::{
    action_title, FailureText, FieldMessage, Icon, PageHeader, RequireSession, SyncBadge,
};
use crate::common::i18n::{self, tr, use_i18n, K};
use crate::common::issue::{drafts, Drafts, IssueSummary, PhotoPicker, TextBox, Timeline};
use crate::common::state::{use_app, SyncState};
use crate::common::store::FailedEntry;

#[component]
pub fn IssueDetail() -> impl IntoView {
    let app = use_app();
    let router = use_router();
    let just_saved = move || router.query("saved").is_some();
    let id = move || router.param("id").unwrap_or_default();
    // Re-drawn only when this issue changes, not on every refresh of the list.
    let item = Memo::new(move |_| {
        let id = id();
        app.issues
            .with(|issues| issues.iter().find(|i| i.view.id.to_string() == id).cloned())
    });
    provide_context(Drafts::new());
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
                        <IssueSummary item=item/>
                        <ResidentActions issue=issue.clone()/>
                        <Timeline issue=issue/>
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

/// What a resident may do with the issue now; for someone who also works on it (staff,
/// the property company, the township), the way to the work app's page of the issue.
#[component]
fn ResidentActions(issue: IssueView) -> impl IntoView {
    let app = use_app();
    let roles = app.roles_in(&issue.community_id);
    let status = issue.status;
    let resident = roles.contains(&Role::Resident);
    let works_on_it = roles.iter().any(|r| {
        matches!(
            r,
            Role::CommunityStaff | Role::Property | Role::TownshipStaff
        )
    });
    let work_href = format!("/work/issues/{}", issue.id);
    view! {
        <div class="actions-panel">
            {(resident && !issue.mine && !issue.joined && status.is_open()).then(|| view! { <JoinButton issue=issue.clone()/> })}
            {(issue.joined && !issue.mine).then(|| view! { <p class="hint">{tr(K::Joined)}</p> })}
            {(issue.may_score && status == IssueStatus::AwaitingScore).then(|| view! { <ScoreBox issue=issue.clone()/> })}
            {(issue.mine && status.is_open()).then(|| view! { <PhotoPicker issue=issue.clone() stage=PhotoStage::Issue/> })}
            {works_on_it.then(|| view! {
                <a href=work_href rel="external" class="button big" data-testid="handle-in-work-app">
                    <Icon name="list"/><span>{tr(K::HandleInWorkApp)}</span>
                </a>
            })}
        </div>
    }
}

#[component]
fn JoinButton(issue: IssueView) -> impl IntoView {
    let app = use_app();
    let issue_id = issue.id;
    let join = move |_| tap(app, JoinIssueArgs { issue_id });
    view! { <button class="button big" data-testid="join-issue" on:click=join><Icon name="plus"/>{tr(K::JoinIssue)}</button> }
}

#[component]
fn ScoreBox(issue: IssueView) -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let draft = drafts();
    let chosen = draft.score;
    if chosen.get_untracked() == 0 {
        chosen.set(issue.my_score.unwrap_or(0));
    }
    let comment = draft.comment;
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let labels = [
        ("很不满意", "Very unhappy"),
        ("不满意", "Unhappy"),
        ("一般", "So-so"),
        ("满意", "Happy"),
        ("很满意", "Very happy"),
    ];
    let my_score = issue.my_score;
    let community = issue.community_id.clone();
    let pass = move || app.rules_of(&community).pass_average();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let args = ScoreIssueArgs {
            issue_id: issue.id,
            round: issue.round,
            value: chosen.get_untracked(),
            comment: comment.get_untracked(),
        };
        submit(app, args, errors, || ());
    };
    view! {
        <form class="card score-box" on:submit=submit novalidate=true data-testid="score-box">
            <h2>{tr(K::ScoreIt)}</h2>
            <p class="hint">{tr(K::ScoreHint)}</p>
            <p class="hint" data-testid="pass-mark">{move || i18n::with_number(i18n.lang(), K::PassMarkHint, i18n::halves(pass()))}</p>
            {my_score.map(|s| view! { <p><strong>{tr(K::YourScore)}"："{s}</strong>" "<span class="muted">{tr(K::ChangeScore)}</span></p> })}
            <div class="scores" role="radiogroup">
                {(1u8..=5).map(|value| {
                    let (zh, en) = labels[value as usize - 1];
                    view! {
                        <label class="choice score-choice">
                            <input type="radio" name="score" value=value.to_string()
                                prop:checked=move || chosen.get() == value on:change=move |_| chosen.set(value)/>
                            <span><strong>{value}</strong><small>{move || i18n.lang().pick(zh, en)}</small></span>
                        </label>
                    }
                }).collect_view()}
            </div>
            <FieldMessage field="score" message=Signal::derive(move || errors.with(|e| e.iter().find(|e| e.field == "score").map(|e| e.message(i18n.lang()))))/>
            <TextBox label=K::Comment field="comment" value=comment errors=errors/>
            <button type="submit" class="button primary big" data-testid="submit-score">{tr(K::SubmitScore)}</button>
        </form>
    }
}
