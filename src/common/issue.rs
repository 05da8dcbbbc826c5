//! What happened to an issue after it was raised (the timeline), and what the person may
//! do next, by role: staff accept, merge, decline and escalate; the property company
//! answers and rectifies; residents join and score; the township answers escalations.
//! Every action is a queued mutation with an optimistic row, like raising an issue.

use chrono::{NaiveDate, Utc};
use domain::dialogue::{
    after_step, required_text, AdvanceIssueArgs, AnswerEscalationArgs, AttachPhotoArgs,
    EscalateIssueArgs, JoinIssueArgs, PhotoStage, Score, ScoreIssueArgs, Step, PHOTOS_PER_STAGE,
    REASON_MAX, REPLY_MAX,
};
use domain::issue::IssueStatus;
use domain::ledger::{china_date, is_overdue};
use domain::mutation::MutationArgs;
use domain::person::Role;
use domain::wire::{entity, EscalationView, IssueView, PhotoRef};
use domain::FieldError;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;

use crate::actions;
use crate::components::{FieldMessage, Icon};
use crate::i18n::{self, tr, use_i18n, K};
use crate::state::{use_app, AppState};

/// What the person is typing into the issue's forms. Kept by the page, not by the forms:
/// a sync that refreshes the issue re-draws the forms, and nothing typed may be lost.
#[derive(Clone, Copy)]
pub struct Drafts {
    pub score: RwSignal<u8>,
    pub comment: RwSignal<String>,
    pub dialogue: RwSignal<String>,
    pub merge_into: RwSignal<String>,
    pub reason: RwSignal<String>,
    pub note: RwSignal<String>,
    pub reply: RwSignal<String>,
    pub plan: RwSignal<String>,
    pub promised: RwSignal<String>,
    pub report: RwSignal<String>,
    pub answer: RwSignal<String>,
    pub deadline: RwSignal<String>,
}

impl Drafts {
    pub fn new() -> Drafts {
        let today = china_date(Utc::now());
        let text = || RwSignal::new(String::new());
        Drafts {
            score: RwSignal::new(0),
            comment: text(),
            dialogue: text(),
            merge_into: text(),
            reason: text(),
            note: text(),
            reply: text(),
            plan: text(),
            promised: RwSignal::new((today + chrono::Duration::days(14)).to_string()),
            report: text(),
            answer: text(),
            deadline: RwSignal::new((today + chrono::Duration::days(30)).to_string()),
        }
    }
}

impl Default for Drafts {
    fn default() -> Self {
        Drafts::new()
    }
}

fn drafts() -> Drafts {
    use_context::<Drafts>().unwrap_or_default()
}

fn json(view: &IssueView) -> serde_json::Value {
    serde_json::to_value(view).expect("views serialise")
}

/// Queues a mutation on this issue with its optimistic row.
pub fn queue<A: MutationArgs + 'static>(app: AppState, args: A, next: IssueView) {
    spawn_local(async move {
        let overlay = [(entity::ISSUE, next.id.to_string(), json(&next))];
        let _ = actions::act(app, &args, &overlay).await;
    });
}

fn day_text(lang: domain::Lang, day: NaiveDate) -> String {
    i18n::date(
        lang,
        day.and_hms_opt(4, 0, 0).expect("a time").and_utc(),
        Utc::now(),
    )
}

/// The photos of one stage: from the server, or from the queue while they wait there.
#[component]
pub fn PhotoStrip(photos: Vec<PhotoRef>, stage: PhotoStage) -> impl IntoView {
    let shown: Vec<PhotoRef> = photos.into_iter().filter(|p| p.stage == stage).collect();
    (!shown.is_empty()).then(|| {
        view! {
            <div class="photos" data-testid=format!("photos-{}", stage.code())>
                {shown.into_iter().map(|p| {
                    let src = p.local.clone().unwrap_or_else(|| format!("/api/photos/{}", p.id));
                    view! { <img src=src alt=tr(K::Photos) loading="lazy"/> }
                }).collect_view()}
            </div>
        }
    })
}

/// Takes or picks a photo, compresses it on the phone, and queues it with the issue.
#[component]
fn PhotoPicker(issue: IssueView, stage: PhotoStage) -> impl IntoView {
    let app = use_app();
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let count = issue.photos.iter().filter(|p| p.stage == stage).count();
    let issue = StoredValue::new(issue);
    let picked = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|files| files.get(0)) else {
            return;
        };
        input.set_value("");
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match crate::photo::compress(file).await {
                Ok(compressed) => {
                    let mut next = issue.get_value();
                    let args = AttachPhotoArgs {
                        id: uuid::Uuid::new_v4(),
                        issue_id: next.id,
                        stage,
                        content_type: "image/jpeg".into(),
                        data: compressed.base64,
                    };
                    next.photos.push(PhotoRef {
                        id: args.id,
                        stage,
                        local: Some(compressed.data_url),
                    });
                    let overlay = [(entity::ISSUE, next.id.to_string(), json(&next))];
                    let _ = actions::act(app, &args, &overlay).await;
                }
                Err(_) => error.set(Some(i18n::t(K::PhotoTooBig).to_string())),
            }
            busy.set(false);
        });
    };
    (count < PHOTOS_PER_STAGE).then(|| {
        view! {
            <label class="button photo-picker" data-testid=format!("add-photo-{}", stage.code())>
                <Icon name="plus"/>
                <span>{move || if busy.get() { i18n::t(K::ProcessingPhoto) } else { i18n::t(K::AddPhoto) }}</span>
                <input type="file" accept="image/*" capture="environment" class="visually-hidden" on:change=picked/>
            </label>
            <FieldMessage field="photo" message=Signal::derive(move || error.get())/>
        }
    })
}

/// The steps the issue went through, oldest first.
#[component]
pub fn Timeline(issue: IssueView) -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let lang = move || i18n.lang();
    let today = china_date(Utc::now());
    let overdue = is_overdue(&issue, today);
    let dialogue_day = issue.dialogue_id.and_then(|id| {
        app.dialogues.with_untracked(|list| {
            list.iter()
                .find(|d| d.view.id == id)
                .map(|d| d.view.held_on)
        })
    });
    let accepted = issue.accepted_at;
    let answered = issue.reply.clone().map(|reply| {
        (
            reply,
            issue.plan.clone().unwrap_or_default(),
            issue.promised_by,
        )
    });
    let rounds = issue.rounds.clone();
    let last_round = issue.round;
    let photos = issue.photos.clone();
    let answer_photos = photos.clone();
    let escalation = issue.escalation.clone();
    let declined = issue.decline_reason.clone();
    let merged = issue.merged_into;
    view! {
        <section class="card timeline" data-testid="timeline">
            <h2>{tr(K::Timeline)}</h2>
            {overdue.then(|| view! { <p class="badge failed"><Icon name="alert"/>{tr(K::Overdue)}</p> })}
            <ol class="steps">
                <li><strong>{tr(K::StepRaised)}</strong>" "<span class="muted">{move || i18n::date(lang(), issue.created_at, Utc::now())}</span></li>
                {declined.map(|reason| view! {
                    <li><strong>{tr(K::StepDeclined)}</strong><p data-testid="decline-reason">{reason}</p></li>
                })}
                {merged.map(|into| view! {
                    <li><strong>{tr(K::StepMerged)}</strong>" "<A href=format!("/issues/{into}")>{tr(K::ViewLedger)}</A></li>
                })}
                {accepted.map(|at| view! {
                    <li>
                        <strong>{tr(K::StepAccepted)}</strong>" "<span class="muted">{move || i18n::date(lang(), at, Utc::now())}</span>
                        {dialogue_day.map(|d| view! { <p>{tr(K::Dialogues)}"："{move || day_text(lang(), d)}</p> })}
                    </li>
                })}
                {answered.map(|(reply, plan, promised)| view! {
                    <li data-testid="answer">
                        <strong>{tr(K::StepAnswered)}</strong>
                        <p>{reply}</p>
                        {(!plan.is_empty()).then(|| view! { <p><span class="muted">{tr(K::Plan)}"："</span>{plan.clone()}</p> })}
                        {promised.map(|d| view! { <p><span class="muted">{tr(K::PromisedBy)}"："</span>{move || day_text(lang(), d)}</p> })}
                        <PhotoStrip photos=answer_photos.clone() stage=PhotoStage::Answer/>
                    </li>
                })}
                {rounds.into_iter().map(|round| {
                    let outcome = round.outcome.clone();
                    view! {
                        <li data-testid="round">
                            <strong>{tr(K::StepRectified)}" · "{move || i18n::with_number(lang(), K::Round, round.round)}</strong>
                            <p>{round.report.clone()}</p>
                            {(round.round == last_round).then(|| view! { <PhotoStrip photos=photos.clone() stage=PhotoStage::Rectification/> })}
                            <p class="muted">
                                {tr(K::ScoresCount)}"："{round.scores}
                                {round.average.map(|a| view! { " · "{tr(K::AverageScore)}"："{format!("{a:.1}")} })}
                            </p>
                            {match outcome.as_deref() {
                                Some("closed") => view! { <p class="badge submitted"><Icon name="check"/>{tr(K::OutcomeClosed)}</p> }.into_any(),
                                Some(_) => view! { <p class="badge failed"><Icon name="alert"/>{tr(K::OutcomeReopened)}</p> }.into_any(),
                                None => view! { <p class="muted">{tr(K::ScoringOpenUntil)}"："{move || i18n::date(lang(), round.closes_at, Utc::now())}</p> }.into_any(),
                            }}
                        </li>
                    }
                }).collect_view()}
                {escalation.map(|e| view! { <EscalationStep escalation=e/> })}
            </ol>
        </section>
    }
}

#[component]
fn EscalationStep(escalation: EscalationView) -> impl IntoView {
    let i18n = use_i18n();
    let lang = move || i18n.lang();
    view! {
        <li data-testid="escalation">
            <strong>{tr(K::StepEscalated)}</strong>" "<span class="muted">{move || i18n::date(lang(), escalation.escalated_at, Utc::now())}</span>
            <p>{escalation.note.clone()}</p>
            {match (escalation.answer.clone(), escalation.deadline) {
                (Some(answer), deadline) => view! {
                    <p><span class="muted">{tr(K::TownshipAnswer)}"："</span>{answer}</p>
                    {deadline.map(|d| view! { <p><span class="muted">{tr(K::Deadline)}"："</span>{move || day_text(lang(), d)}</p> })}
                }.into_any(),
                (None, _) => view! { <p class="muted">{tr(K::AwaitingTownship)}</p> }.into_any(),
            }}
        </li>
    }
}

/// A labelled text box with the domain's error under it.
#[component]
fn TextBox(
    label: K,
    field: &'static str,
    value: RwSignal<String>,
    errors: RwSignal<Vec<FieldError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let message = Signal::derive(move || {
        errors.with(|e| {
            e.iter()
                .find(|e| e.field == field)
                .map(|e| e.message(i18n.lang()))
        })
    });
    view! {
        <label class="field">
            <span class="label">{tr(label)}</span>
            <textarea name=field rows="3" prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))></textarea>
            <FieldMessage field=field message=message/>
        </label>
    }
}

/// A date picker (the promised date, a deadline).
#[component]
fn DateBox(label: K, field: &'static str, value: RwSignal<String>) -> impl IntoView {
    view! {
        <label class="field">
            <span class="label">{tr(label)}</span>
            <input type="date" name=field prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))/>
        </label>
    }
}

/// Validates a step with the domain's rules and queues it with its optimistic row; shows
/// the field errors otherwise. Returns whether it was queued.
fn take_step(
    app: AppState,
    issue: &IssueView,
    step: Step,
    errors: RwSignal<Vec<FieldError>>,
) -> bool {
    match step.validate() {
        Err(problems) => {
            errors.set(problems);
            false
        }
        Ok(step) => {
            errors.set(Vec::new());
            match after_step(issue, &step, app.rules_of(&issue.community_id), Utc::now()) {
                Some(next) => {
                    queue(
                        app,
                        AdvanceIssueArgs {
                            issue_id: issue.id,
                            step,
                        },
                        next,
                    );
                    true
                }
                None => false,
            }
        }
    }
}

fn parse_day(text: &str) -> Option<NaiveDate> {
    domain::ledger::parse_day(text)
}

/// What this person may do with the issue now.
#[component]
pub fn IssueActions(issue: IssueView) -> impl IntoView {
    let app = use_app();
    let roles = app.roles_in(&issue.community_id);
    let status = IssueStatus::from_code(&issue.status).unwrap_or(IssueStatus::Raised);
    let staff = roles.contains(&Role::CommunityStaff);
    let property = roles.contains(&Role::Property);
    let township = roles.contains(&Role::TownshipStaff);
    let resident = roles.contains(&Role::Resident);
    let escalation_open = issue
        .escalation
        .as_ref()
        .is_some_and(|e| e.answer.is_none());
    view! {
        <div class="actions-panel">
            {(resident && !issue.mine && !issue.joined && status.is_open()).then(|| view! { <JoinButton issue=issue.clone()/> })}
            {(issue.joined && !issue.mine).then(|| view! { <p class="hint">{tr(K::Joined)}</p> })}
            {(issue.may_score && status == IssueStatus::AwaitingScore).then(|| view! { <ScoreBox issue=issue.clone()/> })}
            {(staff && status == IssueStatus::Raised).then(|| view! { <StaffDecision issue=issue.clone()/> })}
            {(staff && status.is_open() && issue.escalation.is_none()).then(|| view! { <EscalateBox issue=issue.clone()/> })}
            {(property && status == IssueStatus::Accepted).then(|| view! { <AnswerBox issue=issue.clone()/> })}
            {(property && status == IssueStatus::Answered).then(|| {
                let issue = issue.clone();
                view! {
                    <button class="button primary big" data-testid="start-rectifying" on:click=move |_| {
                        if let Some(next) = after_step(&issue, &Step::StartRectifying, app.rules_of(&issue.community_id), Utc::now()) {
                            queue(app, AdvanceIssueArgs { issue_id: issue.id, step: Step::StartRectifying }, next);
                        }
                    }>{tr(K::StartRectifying)}</button>
                }
            })}
            {(issue.mine && status.is_open()).then(|| view! { <PhotoPicker issue=issue.clone() stage=PhotoStage::Issue/> })}
            {(property && status == IssueStatus::Answered).then(|| view! { <PhotoPicker issue=issue.clone() stage=PhotoStage::Answer/> })}
            {(property && matches!(status, IssueStatus::Rectifying | IssueStatus::AwaitingScore)).then(|| view! {
                <PhotoPicker issue=issue.clone() stage=PhotoStage::Rectification/>
            })}
            {(property && status == IssueStatus::Rectifying).then(|| view! { <ReportBox issue=issue.clone()/> })}
            {(township && escalation_open).then(|| view! { <TownshipAnswer issue=issue.clone()/> })}
        </div>
    }
}

#[component]
fn JoinButton(issue: IssueView) -> impl IntoView {
    let app = use_app();
    let join = move |_| {
        let mut next = issue.clone();
        next.joined = true;
        next.may_score = true;
        next.joined_count += 1;
        queue(app, JoinIssueArgs { issue_id: issue.id }, next);
    };
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
        match Score::parse(chosen.get_untracked(), &comment.get_untracked()) {
            Err(problems) => errors.set(problems),
            Ok(score) => {
                errors.set(Vec::new());
                let mut next = issue.clone();
                next.my_score = Some(score.value);
                let args = ScoreIssueArgs {
                    issue_id: issue.id,
                    round: issue.round,
                    value: score.value,
                    comment: score.comment,
                };
                queue(app, args, next);
            }
        }
    };
    view! {
        <form class="card score-box" on:submit=submit novalidate=true data-testid="score-box">
            <h2>{tr(K::ScoreIt)}</h2>
            <p class="hint">{tr(K::ScoreHint)}</p>
            <p class="hint" data-testid="pass-mark">{move || i18n::with_number(i18n.lang(), K::PassMarkHint, pass())}</p>
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
            .filter(|i| IssueStatus::from_code(&i.view.status).is_some_and(|s| s.is_open()))
            .map(|i| (i.view.id, i.view.title.clone()))
            .take(50)
            .collect::<Vec<_>>()
    });
    let stored = StoredValue::new(issue);
    let take = move |step: Step| {
        let issue = stored.get_value();
        take_step(app, &issue, step, errors);
    };
    view! {
        <section class="card" data-testid="staff-decision">
            <label class="field">
                <span class="label">{tr(K::AcceptFor)}</span>
                <select name="dialogue" on:change=move |ev| dialogue.set(event_target_value(&ev))>
                    <option value="">{tr(K::NoDialogueYet)}</option>
                    {upcoming.into_iter().map(|(id, day)| view! {
                        <option value=id.to_string()>{move || day_text(i18n.lang(), day)}</option>
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
                        {others.into_iter().map(|(id, title)| view! { <option value=id.to_string()>{title}</option> }).collect_view()}
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
    let escalate = move |_| match required_text("note", &note.get_untracked(), REASON_MAX) {
        Err(problem) => errors.set(vec![problem]),
        Ok(text) => {
            let mut next = issue.clone();
            next.escalation = Some(EscalationView {
                note: text.clone(),
                escalated_at: Utc::now(),
                answer: None,
                deadline: None,
                answered_at: None,
            });
            queue(
                app,
                EscalateIssueArgs {
                    issue_id: issue.id,
                    note: text,
                },
                next,
            );
        }
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
        let Some(promised_by) = parse_day(&promised.get_untracked()) else {
            return;
        };
        let step = Step::Answer {
            reply: reply.get_untracked(),
            plan: plan.get_untracked(),
            promised_by,
        };
        take_step(app, &issue, step, errors);
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
        if take_step(app, &issue, step, errors) {
            report.set(String::new());
        }
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
        let Some(day) = parse_day(&deadline.get_untracked()) else {
            return;
        };
        match required_text("answer", &answer.get_untracked(), REPLY_MAX) {
            Err(problem) => errors.set(vec![problem]),
            Ok(text) => {
                let mut next = issue.clone();
                if let Some(e) = next.escalation.as_mut() {
                    e.answer = Some(text.clone());
                    e.deadline = Some(day);
                    e.answered_at = Some(Utc::now());
                }
                queue(
                    app,
                    AnswerEscalationArgs {
                        issue_id: issue.id,
                        answer: text,
                        deadline: day,
                    },
                    next,
                );
            }
        }
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
