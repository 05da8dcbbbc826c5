//! One issue in the work app: the summary and timeline, and the steps of the dialogue loop
//! that belong to the person's work roles — staff accept, merge, decline and escalate; the
//! property company answers, rectifies and adds evidence; the township answers escalations.

use crate::common::router::use_router;
use chrono::Utc;
use domain::dialogue::{
    AdvanceIssueArgs, AnswerEscalationArgs, EscalateIssueArgs, PhotoStage, Step,
};
use domain::issue::IssueStatus;
use domain::ledger::china_date;
use domain::person::Role;
use domain::wire::IssueView;
use domain::{FieldError, FieldErrorKind};
use leptos::prelude::*;

use crate::common::act::{submit, tap};
use crate::common::components::{PageHeader, RequireSession};
use crate::common::i18n::{tr, use_i18n, K};
use crate::common::issue::{
    day_text, drafts, parse_day, DateBox, Drafts, IssueSummary, PhotoPicker, TextBox, Timeline,
};
use crate::common::state::{use_app, AppState};

/// `/work/issues/:id`.
#[component]
pub fn WorkIssue() -> impl IntoView {
    let app = use_app();
    let router = use_router();
    let id = move || router.param("id").unwrap_or_default();
    let item = Memo::new(move |_| {
        let id = id();
        app.issues
            .with(|issues| issues.iter().find(|i| i.view.id.to_string() == id).cloned())
    });
    provide_context(Drafts::new());
    view! {
        <RequireSession>
            <PageHeader title=K::TabDialogue back="/issues"/>
            {move || match item.get() {
                None => view! { <p class="card">{tr(K::NotFound)}</p> }.into_any(),
                Some(item) => {
                    let issue = item.view.clone();
                    view! {
                        <IssueSummary item=item/>
                        <WorkActions issue=issue.clone()/>
                        <Timeline issue=issue/>
                    }
                    .into_any()
                }
            }}
        </RequireSession>
    }
}

/// The steps this person's work roles may take on the issue now.
#[component]
fn WorkActions(issue: IssueView) -> impl IntoView {
    let app = use_app();
    let roles = app.roles_in(&issue.community_id);
    let status = issue.status;
    let staff = roles.contains(&Role::CommunityStaff);
    let property = roles.contains(&Role::Property);
    let township = roles.contains(&Role::TownshipStaff);
    let escalation_open = issue
        .escalation
        .as_ref()
        .is_some_and(|e| e.answer.is_none());
    view! {
        <div class="actions-panel">
            {(staff && status == IssueStatus::Raised).then(|| view! { <StaffDecision issue=issue.clone()/> })}
            {(staff && status.is_open() && issue.escalation.is_none()).then(|| view! { <EscalateBox issue=issue.clone()/> })}
            {(property && status == IssueStatus::Accepted).then(|| view! { <AnswerBox issue=issue.clone()/> })}
            {(property && status == IssueStatus::Answered).then(|| {
                let issue_id = issue.id;
                view! {
                    <button class="button primary big" data-testid="start-rectifying" on:click=move |_| {
                        tap(app, AdvanceIssueArgs { issue_id, step: Step::StartRectifying })
                    }>{tr(K::StartRectifying)}</button>
                }
            })}
            {(property && status == IssueStatus::Answered).then(|| view! { <PhotoPicker issue=issue.clone() stage=PhotoStage::Answer/> })}
            {(property && matches!(status, IssueStatus::Rectifying | IssueStatus::AwaitingScore)).then(|| view! {
                <PhotoPicker issue=issue.clone() stage=PhotoStage::Rectification/>
            })}
            {(property && status == IssueStatus::Rectifying).then(|| view! { <ReportBox issue=issue.clone()/> })}
            {(township && escalation_open).then(|| view! { <TownshipAnswer issue=issue.clone()/> })}
        </div>
    }
}

/// Queues a step of the loop on the issue; the domain validates it (field errors go to
/// `errors`) and computes the optimistic row. `queued` runs once it is saved.
fn take_step(
    app: AppState,
    issue_id: uuid::Uuid,
    step: Step,
    errors: RwSignal<Vec<FieldError>>,
    queued: impl FnOnce() + 'static,
) {
    submit(app, AdvanceIssueArgs { issue_id, step }, errors, queued);
}

/// A day from a date input, or the field's error (a date must be chosen).
fn day_or_error(
    text: &str,
    field: &'static str,
    errors: RwSignal<Vec<FieldError>>,
) -> Option<chrono::NaiveDate> {
    let day = parse_day(text);
    if day.is_none() {
        errors.set(vec![FieldError::new(field, FieldErrorKind::Required)]);
    }
    day
}

#[component]
fn StaffDecision(issue: IssueView) -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let draft = drafts();
    let (dialogue, merge_into, reason) = (draft.dialogue, draft.merge_into, draft.reason);
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let today = china_date(Utc::now());
    let upcoming = app.dialogues.with_untracked(|list| {
        list.iter()
            .filter(|d| d.view.community_id == issue.community_id && d.view.held_on >= today)
            .map(|d| (d.view.id, d.view.held_on))
            .collect::<Vec<_>>()
    });
    let others = app.issues.with_untracked(|list| {
        list.iter()
            .filter(|i| i.view.id != issue.id && i.view.community_id == issue.community_id)
            .filter(|i| i.view.status.is_open())
            .map(|i| (i.view.id, i.view.title.clone()))
            .take(50)
            .collect::<Vec<_>>()
    });
    let issue_id = issue.id;
    let take = move |step: Step| take_step(app, issue_id, step, errors, || ());
    view! {
        <section class="card" data-testid="staff-decision">
            <label class="field">
                <span class="label">{tr(K::AcceptFor)}</span>
                <select name="dialogue" on:change=move |ev| dialogue.set(event_target_value(&ev))>
                    <option value="">{tr(K::NoDialogueYet)}</option>
                    {upcoming.into_iter().map(|(id, day)| {
                        let chosen = id.to_string();
                        view! {
                            <option value=id.to_string() prop:selected=move || dialogue.with(|d| *d == chosen)>{move || day_text(i18n.lang(), day)}</option>
                        }
                    }).collect_view()}
                </select>
            </label>
            <button class="button primary big" data-testid="accept-issue" on:click=move |_| {
                take(Step::Accept { session_id: uuid::Uuid::parse_str(&dialogue.get_untracked()).ok() })
            }>{tr(K::Accept)}</button>
            <details>
                <summary class="button">{tr(K::Merge)}</summary>
                <label class="field">
                    <span class="label">{tr(K::MergeInto)}</span>
                    <select name="merge" on:change=move |ev| merge_into.set(event_target_value(&ev))>
                        <option value="">"—"</option>
                        {others.into_iter().map(|(id, title)| {
                            let chosen = id.to_string();
                            view! { <option value=id.to_string() prop:selected=move || merge_into.with(|m| *m == chosen)>{title}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <button class="button big" on:click=move |_| {
                    if let Ok(into) = uuid::Uuid::parse_str(&merge_into.get_untracked()) {
                        take(Step::Merge { into })
                    }
                }>{tr(K::Merge)}</button>
            </details>
            <details>
                <summary class="button">{tr(K::Decline)}</summary>
                <TextBox label=K::DeclineReason field="reason" value=reason errors=errors/>
                <button class="button big danger" data-testid="decline-issue" on:click=move |_| take(Step::Decline { reason: reason.get_untracked() })>
                    {tr(K::Decline)}
                </button>
            </details>
        </section>
    }
}

#[component]
fn EscalateBox(issue: IssueView) -> impl IntoView {
    let app = use_app();
    let note = drafts().note;
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let issue_id = issue.id;
    let escalate = move |_| {
        let args = EscalateIssueArgs {
            issue_id,
            note: note.get_untracked(),
        };
        submit(app, args, errors, || ());
    };
    view! {
        <details class="card">
            <summary class="button">{tr(K::Escalate)}</summary>
            <TextBox label=K::EscalateNote field="note" value=note errors=errors/>
            <button class="button big" data-testid="escalate-issue" on:click=escalate>{tr(K::Escalate)}</button>
        </details>
    }
}

#[component]
fn AnswerBox(issue: IssueView) -> impl IntoView {
    let app = use_app();
    let draft = drafts();
    let (reply, plan, promised) = (draft.reply, draft.plan, draft.promised);
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(promised_by) = day_or_error(&promised.get_untracked(), "promised_by", errors)
        else {
            return;
        };
        let step = Step::Answer {
            reply: reply.get_untracked(),
            plan: plan.get_untracked(),
            promised_by,
        };
        take_step(app, issue.id, step, errors, || ());
    };
    view! {
        <form class="card" on:submit=submit novalidate=true data-testid="answer-box">
            <h2>{tr(K::AnswerIssue)}</h2>
            <TextBox label=K::Reply field="reply" value=reply errors=errors/>
            <TextBox label=K::Plan field="plan" value=plan errors=errors/>
            <DateBox label=K::PromisedBy field="promised_by" value=promised/>
            <button type="submit" class="button primary big">{tr(K::AnswerIssue)}</button>
        </form>
    }
}

#[component]
fn ReportBox(issue: IssueView) -> impl IntoView {
    let app = use_app();
    let report = drafts().report;
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let step = Step::ReportRectified {
            report: report.get_untracked(),
        };
        take_step(app, issue.id, step, errors, move || {
            report.set(String::new())
        });
    };
    view! {
        <form class="card" on:submit=submit novalidate=true data-testid="report-box">
            <h2>{tr(K::ReportRectified)}</h2>
            <TextBox label=K::ReportText field="report" value=report errors=errors/>
            <button type="submit" class="button primary big">{tr(K::ReportRectified)}</button>
        </form>
    }
}

#[component]
fn TownshipAnswer(issue: IssueView) -> impl IntoView {
    let app = use_app();
    let draft = drafts();
    let (answer, deadline) = (draft.answer, draft.deadline);
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(deadline) = day_or_error(&deadline.get_untracked(), "deadline", errors) else {
            return;
        };
        let args = AnswerEscalationArgs {
            issue_id: issue.id,
            answer: answer.get_untracked(),
            deadline,
        };
        submit(app, args, errors, || ());
    };
    view! {
        <form class="card" on:submit=submit novalidate=true data-testid="township-answer">
            <h2>{tr(K::AnswerEscalation)}</h2>
            <TextBox label=K::TownshipAnswer field="answer" value=answer errors=errors/>
            <DateBox label=K::Deadline field="deadline" value=deadline/>
            <button type="submit" class="button primary big">{tr(K::Send)}</button>
        </form>
    }
}
