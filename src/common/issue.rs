//! An issue's pieces that both apps show: the summary card, the timeline of what happened
//! in the dialogue loop, photos, and the form parts (text and date boxes, drafts) that the
//! resident's and the work app's step forms are made of. Every action is a queued mutation
//! with an optimistic row, like raising an issue.

use crate::common::router::A;
use chrono::Datelike;
use chrono::{NaiveDate, Utc};
use domain::dialogue::{AttachPhotoArgs, PhotoStage, PHOTOS_PER_STAGE};
use domain::ledger::{china_date, is_overdue};
use domain::order::sort_by_number;
use domain::wire::{EscalationView, IssueView, PhotoRef, RoundDecision};
use domain::FieldError;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::common::act::{act, ActionError};
use crate::common::components::{category_label, FieldMessage, Icon, StatusBadge, SyncBadge};
use crate::common::i18n::{self, t, tr, use_i18n, K};
use crate::common::state::{use_app, IssueItem, SyncState};

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

pub fn drafts() -> Drafts {
    use_context::<Drafts>().unwrap_or_default()
}

pub fn day_text(lang: domain::Lang, day: NaiveDate) -> String {
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
pub fn PhotoPicker(issue: IssueView, stage: PhotoStage) -> impl IntoView {
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
        // Read now: after the awaits the picker may be gone (the person left, or a sync
        // redrew it), and with it what it owns.
        let issue_id = issue.with_value(|i| i.id);
        let texts = use_i18n();
        spawn_local(async move {
            match crate::common::photo::compress(file).await {
                Ok(compressed) => {
                    let args = AttachPhotoArgs {
                        id: uuid::Uuid::new_v4(),
                        issue_id,
                        stage,
                        content_type: "image/jpeg".into(),
                        data: compressed.base64,
                    };
                    if let Err(ActionError::Invalid(problems)) = act(app, args).await {
                        error.set(problems.first().map(|p| p.message(texts.lang())));
                    }
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
    // What the dialogue sessions recorded about this issue (on any session's agenda, past
    // or present): residents read it here.
    let minutes: Vec<String> = app.dialogues.with_untracked(|list| {
        let mut sessions: Vec<_> = list.iter().map(|d| &d.view).collect();
        sort_by_number(&mut sessions, |d| i64::from(d.held_on.num_days_from_ce()));
        sessions
            .into_iter()
            .flat_map(|d| d.notes.iter())
            .filter(|note| note.issue_id == issue.id)
            .map(|note| note.notes.clone())
            .collect()
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
                        {dialogue_day.map(|d| view! { <p data-testid="issue-dialogue">{tr(K::Dialogues)}"："{move || day_text(lang(), d)}</p> })}
                        {minutes.into_iter().map(|text| view! {
                            <p data-testid="issue-minutes"><span class="muted">{tr(K::Minutes)}"："</span>{text}</p>
                        }).collect_view()}
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
                    let outcome = round.outcome;
                    view! {
                        <li data-testid="round">
                            <strong>{tr(K::StepRectified)}" · "{move || i18n::with_number(lang(), K::Round, round.round)}</strong>
                            <p>{round.report.clone()}</p>
                            {(round.round == last_round).then(|| view! { <PhotoStrip photos=photos.clone() stage=PhotoStage::Rectification/> })}
                            <p class="muted">
                                {tr(K::ScoresCount)}"："{round.scores}
                                {round.average.map(|a| view! { " · "{tr(K::AverageScore)}"："{i18n::one_decimal(a)} })}
                            </p>
                            {match outcome {
                                Some(RoundDecision::Closed) => view! { <p class="badge submitted"><Icon name="check"/>{tr(K::OutcomeClosed)}</p> }.into_any(),
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
pub fn TextBox(
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
pub fn DateBox(label: K, field: &'static str, value: RwSignal<String>) -> impl IntoView {
    view! {
        <label class="field">
            <span class="label">{tr(label)}</span>
            <input type="date" name=field prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))/>
        </label>
    }
}

/// What the issue says and where it stands: title, sync and loop state, category, place,
/// who raised it and when, its description and photos.
#[component]
pub fn IssueSummary(item: IssueItem) -> impl IntoView {
    let i18n = use_i18n();
    let issue = item.view.clone();
    let pending = item.sync == SyncState::Pending;
    let category = issue.category.clone();
    let created = issue.created_at;
    view! {
        <article class="card detail" data-testid="issue-detail">
            <h2>{issue.title.clone()}</h2>
            <div class="badges">
                <SyncBadge state=item.sync/>
                {(!pending).then(|| view! { <StatusBadge status=issue.status/> })}
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
                <dd>{move || i18n::when(i18n.lang(), created, Utc::now())}</dd>
            </dl>
            {(!issue.description.is_empty()).then(|| view! {
                <h3>{tr(K::Description)}</h3>
                <p class="description">{issue.description.clone()}</p>
            })}
            <PhotoStrip photos=issue.photos.clone() stage=PhotoStage::Issue/>
            {(issue.joined_count > 0).then(|| view! {
                <p class="muted">{move || i18n::with_number(i18n.lang(), K::JoinedCount, issue.joined_count)}</p>
            })}
        </article>
    }
}

/// A day typed into a date input.
pub fn parse_day(text: &str) -> Option<NaiveDate> {
    domain::ledger::parse_day(text)
}
