//! 双月对话: the sessions of the community, scheduling the next one (with a reminder when it
//! is due), the agenda built from accepted issues, and the minutes residents can read.

use chrono::{Duration, NaiveDate, Utc};
use domain::dialogue::{
    may_be_on_agenda, RecordMinutesArgs, ScheduleDialogueArgs, ScoringRulesArgs, SetAgendaArgs,
    DIALOGUE_EVERY_DAYS,
};
use domain::ledger::china_date;
use domain::person::Role;
use domain::wire::DialogueView;
use domain::{FieldError, FieldErrorKind};
use leptos::prelude::*;
use uuid::Uuid;

use crate::common::act::{submit, tap};
use crate::common::components::{
    field_words, FieldMessage, IssueCard, PageHeader, RequireSession, StatusBadge, SyncBadge,
};
use crate::common::i18n::{self, tr, use_i18n, K};
use crate::common::router::{use_router, A};
use crate::common::state::{use_app, SyncState};

fn day_text(lang: domain::Lang, day: NaiveDate) -> String {
    i18n::date(
        lang,
        day.and_hms_opt(4, 0, 0).expect("a time").and_utc(),
        Utc::now(),
    )
}

/// Whether the next dialogue is due: none upcoming, and the last one two months ago.
pub fn next_dialogue_due(dialogues: &[DialogueView], today: NaiveDate) -> bool {
    let upcoming = dialogues.iter().any(|d| d.held_on >= today);
    let last = dialogues
        .iter()
        .map(|d| d.held_on)
        .filter(|d| *d < today)
        .max();
    !upcoming
        && last.is_none_or(|last| {
            today + Duration::days(7) >= last + Duration::days(DIALOGUE_EVERY_DAYS)
        })
}

#[component]
pub fn DialogueList() -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let today = china_date(Utc::now());
    let community = app.staff_community();
    let is_staff = community.is_some();
    let due = move || {
        next_dialogue_due(
            &app.dialogues
                .with(|d| d.iter().map(|i| i.view.clone()).collect::<Vec<_>>()),
            today,
        )
    };
    let held_on = RwSignal::new((today + Duration::days(14)).to_string());
    let place = RwSignal::new("社区议事厅".to_string());
    let attendees = RwSignal::new("康乐物业、居民代表、社区工作人员".to_string());
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let error = Signal::derive(move || errors.with(|e| e.first().map(|e| e.message(i18n.lang()))));
    let schedule = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(community_id) = app.staff_community() else {
            return;
        };
        let Some(day) = domain::ledger::parse_day(&held_on.get_untracked()) else {
            errors.set(vec![FieldError::new("held_on", FieldErrorKind::Required)]);
            return;
        };
        let args = ScheduleDialogueArgs {
            id: Uuid::new_v4(),
            community_id,
            held_on: day,
            place: place.get_untracked(),
            attendees: attendees.get_untracked(),
        };
        submit(app, args, errors, || ());
    };
    view! {
        <RequireSession>
            <PageHeader title=K::Dialogues back="/issues"/>
            <Show when=move || is_staff && due()>
                <p class="card warn-card" role="status" data-testid="dialogue-due">{tr(K::NextDialogueDue)}</p>
            </Show>
            {is_staff.then(|| view! {
                <details class="card" open=due>
                    <summary class="button">{tr(K::ScheduleDialogue)}</summary>
                    <form class="form" on:submit=schedule novalidate=true data-testid="schedule-form">
                        <label class="field"><span class="label">{tr(K::HeldOn)}</span>
                            <input type="date" name="held_on" prop:value=move || held_on.get() on:input=move |ev| held_on.set(event_target_value(&ev))/></label>
                        <label class="field"><span class="label">{tr(K::PlaceOfDialogue)}</span>
                            <input type="text" name="place" prop:value=move || place.get() on:input=move |ev| place.set(event_target_value(&ev))/>
                            <FieldMessage field="place" message=Signal::derive(move || error.get())/></label>
                        <label class="field"><span class="label">{tr(K::Attendees)}</span>
                            <input type="text" name="attendees" prop:value=move || attendees.get() on:input=move |ev| attendees.set(event_target_value(&ev))/></label>
                        <button type="submit" class="button primary big">{tr(K::ScheduleDialogue)}</button>
                    </form>
                </details>
            })}
            <RulesCard/>
            <Show when=move || !app.dialogues.with(Vec::is_empty) fallback=move || view! { <p class="empty">{tr(K::NoDialogues)}</p> }>
                <ul class="list plain" data-testid="dialogue-list">
                    <For each=move || app.dialogues.get() key=|d| (d.view.id, d.sync) children=move |item| {
                        let upcoming = item.view.held_on >= today;
                        let day = item.view.held_on;
                        view! {
                            <li>
                                <A href=format!("/dialogues/{}", item.view.id) attr:class="card row-card">
                                    <span class="grow">
                                        <strong>{move || day_text(i18n.lang(), day)}</strong><br/>
                                        <span class="muted">{item.view.place.clone()}</span>
                                    </span>
                                    {(item.sync == SyncState::Pending).then(|| view! { <SyncBadge state=SyncState::Pending/> })}
                                    <span class="badge status">{move || if upcoming { i18n::text(i18n.lang(), K::Upcoming) } else { i18n::text(i18n.lang(), K::Held) }}</span>
                                </A>
                            </li>
                        }
                    }/>
                </ul>
            </Show>
        </RequireSession>
    }
}

#[component]
pub fn DialogueDetail() -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let router = use_router();
    let id = move || router.param("id").and_then(|id| Uuid::parse_str(&id).ok());
    let dialogue = move || {
        id().and_then(|id| {
            app.dialogues.with(|list| {
                list.iter()
                    .find(|d| d.view.id == id)
                    .map(|d| d.view.clone())
            })
        })
    };
    let drafts = MinuteDrafts::new();
    view! {
        <RequireSession>
            <PageHeader title=K::Dialogues back="/dialogues"/>
            {move || dialogue().map(|d| {
                let is_staff = app.roles_in(&d.community_id).contains(&Role::CommunityStaff);
                let agenda = app.issues.with(|list| list.iter().filter(|i| i.view.dialogue_id == Some(d.id)).cloned().collect::<Vec<_>>());
                let day = d.held_on;
                // Minutes kept for issues that were carried over or taken off since.
                let earlier: Vec<(String, String)> = d
                    .notes
                    .iter()
                    .filter(|n| !agenda.iter().any(|i| i.view.id == n.issue_id))
                    .map(|n| {
                        let title = app.issues.with(|list| {
                            list.iter()
                                .find(|i| i.view.id == n.issue_id)
                                .map(|i| i.view.title.clone())
                                .unwrap_or_else(|| "—".into())
                        });
                        (title, n.notes.clone())
                    })
                    .collect();
                view! {
                    <section class="card" data-testid="dialogue">
                        <h2>{move || day_text(i18n.lang(), day)}</h2>
                        <p>{tr(K::PlaceOfDialogue)}"："{d.place.clone()}</p>
                        <p>{tr(K::Attendees)}"："{d.attendees.clone()}</p>
                        <h3>{tr(K::Minutes)}</h3>
                        <MinutesBox dialogue=d.clone() issue_id=None editable=is_staff drafts/>
                    </section>
                    <h2>{tr(K::Agenda)}" ("{agenda.len()}")"</h2>
                    <div class="list" data-testid="agenda">
                        {agenda.into_iter().map(|item| {
                            let issue_id = item.view.id;
                            let issue = item.view.clone();
                            view! {
                                <div class="agenda-item">
                                    <IssueCard item=item/>
                                    <MinutesBox dialogue=d.clone() issue_id=Some(issue_id) editable=is_staff drafts/>
                                    {is_staff.then(|| view! { <AgendaButton issue=issue dialogue_id=None/> })}
                                </div>
                            }
                        }).collect_view()}
                    </div>
                    {(!earlier.is_empty()).then(|| view! {
                        <section class="card" data-testid="earlier-minutes">
                            <h3>{tr(K::OtherMinutes)}</h3>
                            {earlier.into_iter().map(|(title, notes)| view! {
                                <p><strong>{title}</strong><br/>{notes}</p>
                            }).collect_view()}
                        </section>
                    })}
                    {is_staff.then(|| view! { <AgendaCandidates dialogue=d.clone()/> })}
                }
            })}
        </RequireSession>
    }
}

/// Staff build the agenda: projects of the community not settled yet and not on this
/// session's agenda (accepted before any session was scheduled, or carried over).
#[component]
fn AgendaCandidates(dialogue: DialogueView) -> impl IntoView {
    let app = use_app();
    let id = dialogue.id;
    let community = dialogue.community_id.clone();
    let candidates = Memo::new(move |_| {
        app.issues.with(|list| {
            list.iter()
                .filter(|i| i.view.community_id == community && i.view.dialogue_id != Some(id))
                .filter(|i| i.view.status.is_open() && may_be_on_agenda(i.view.status))
                .map(|i| i.view.clone())
                .collect::<Vec<_>>()
        })
    });
    view! {
        <section class="card" data-testid="agenda-candidates">
            <h2>{tr(K::ProjectsToAdd)}</h2>
            <Show when=move || !candidates.with(Vec::is_empty) fallback=move || view! { <p class="muted">{tr(K::NoProjectsToAdd)}</p> }>
                <ul class="list plain">
                    {move || candidates.get().into_iter().map(|issue| {
                        let status = issue.status;
                        let title = issue.title.clone();
                        view! {
                            <li class="row-card candidate">
                                <span class="grow">
                                    <strong>{title}</strong><br/>
                                    <StatusBadge status=status/>
                                </span>
                                <AgendaButton issue=issue dialogue_id=Some(id)/>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </Show>
        </section>
    }
}

/// Puts an issue on a session's agenda (`Some`) or takes it off (`None`), through the queue.
#[component]
fn AgendaButton(issue: domain::wire::IssueView, dialogue_id: Option<Uuid>) -> impl IntoView {
    let app = use_app();
    let (label, class) = match dialogue_id {
        Some(_) => (K::AddToAgenda, "button primary"),
        None => (K::RemoveFromAgenda, "button"),
    };
    let issue_id = issue.id;
    let put = move |_| {
        tap(
            app,
            SetAgendaArgs {
                issue_id,
                dialogue_id,
            },
        )
    };
    view! {
        <button class=class data-testid=if dialogue_id.is_some() { "add-to-agenda" } else { "remove-from-agenda" } on:click=put>
            {tr(label)}
        </button>
    }
}

/// How residents' scores decide the community's rectifications: everyone sees the rules;
/// staff change them (through the queue, 待同步 until the server has them).
#[component]
fn RulesCard() -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    // Township staff oversee many communities and keep none: no card for them.
    let community = app.session.with_untracked(|s| {
        s.as_ref().and_then(|s| {
            s.memberships
                .iter()
                .find(|m| m.role != Role::TownshipStaff)
                .map(|m| m.community_id.clone())
        })
    });
    let staff_of = app.staff_community();
    let Some(community) = staff_of.clone().or(community) else {
        return ().into_any();
    };
    let rules = {
        let community = community.clone();
        move || app.rules_of(&community)
    };
    let pending = {
        let community = community.clone();
        move || {
            app.communities.with(|list| {
                list.iter()
                    .find(|c| c.view.community_id == community)
                    .is_some_and(|c| c.sync == SyncState::Pending)
            })
        }
    };
    let pass = RwSignal::new(String::new());
    let days = RwSignal::new(String::new());
    // The form starts from the community's rules and follows them when a sync changes them
    // (another staff member's change, or the first pull), so saving never restores old values.
    // Only a change of the rules themselves resets it: a sync that brings the same rules (every
    // pull refreshes the list) never throws away what the person is choosing.
    let shown = StoredValue::new(None::<domain::dialogue::ScoringRules>);
    Effect::new({
        let rules = rules.clone();
        move |_| {
            let current = rules();
            if shown.get_value() != Some(current) {
                shown.set_value(Some(current));
                pass.set(i18n::halves(current.pass_average()));
                days.set(current.window_days.to_string());
            }
        }
    });
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let save = {
        let community = community.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let args = ScoringRulesArgs {
                community_id: community.clone(),
                pass_average: pass.get_untracked().parse().unwrap_or(f64::NAN),
                window_days: days.get_untracked().parse().unwrap_or(0),
            };
            submit(app, args, errors, || ());
        }
    };
    let summary = move || {
        let lang = i18n.lang();
        let rules = rules();
        format!(
            "{} · {}",
            i18n::labelled(lang, K::PassAverage, &i18n::halves(rules.pass_average())),
            i18n::labelled(
                lang,
                K::WindowDays,
                &i18n::days_count(lang, rules.window_days)
            )
        )
    };
    view! {
        <details class="card" data-testid="scoring-rules">
            <summary class="button">
                {tr(K::ScoringRules)}
                <Show when=pending><SyncBadge state=SyncState::Pending/></Show>
            </summary>
            <p data-testid="rules-summary">{summary}</p>
            <p class="hint">{tr(K::RulesHint)}</p>
            {staff_of.is_some().then(|| view! {
                <form class="form" on:submit=save novalidate=true data-testid="rules-form">
                    <label class="field"><span class="label">{tr(K::PassAverage)}</span>
                        <select name="pass_average" on:change=move |ev| pass.set(event_target_value(&ev))>
                            {["1", "1.5", "2", "2.5", "3", "3.5", "4", "4.5", "5"].into_iter().map(|v| view! {
                                <option value=v selected=move || pass.get() == v>{v}</option>
                            }).collect_view()}
                        </select>
                        <FieldMessage field="pass_average" message=field_words(errors, "pass_average")/></label>
                    <label class="field"><span class="label">{tr(K::WindowDays)}</span>
                        <input type="number" name="window_days" min="1" max="60" inputmode="numeric"
                            prop:value=move || days.get() on:input=move |ev| days.set(event_target_value(&ev))/>
                        <FieldMessage field="window_days" message=field_words(errors, "window_days")/></label>
                    <button type="submit" class="button primary big">{tr(K::SaveRules)}</button>
                </form>
            })}
        </details>
    }
    .into_any()
}

/// The minutes being written on this page, by box (the session's is `None`), and each box's
/// field errors. Kept by the page, not by the boxes: every sync re-draws the session, and a
/// meeting's minutes take longer to type than a sync takes to come.
#[derive(Clone, Copy)]
struct MinuteDrafts {
    text: RwSignal<ByBox<String>>,
    errors: RwSignal<ByBox<Vec<FieldError>>>,
}

impl MinuteDrafts {
    fn new() -> MinuteDrafts {
        MinuteDrafts {
            text: RwSignal::new(ByBox(Vec::new())),
            errors: RwSignal::new(ByBox(Vec::new())),
        }
    }
}

/// A value per minutes box: a handful, so a list (no hash map's code in the Wasm).
struct ByBox<T>(Vec<(Option<Uuid>, T)>);

impl<T: Clone> ByBox<T> {
    fn get(&self, key: Option<Uuid>) -> Option<T> {
        self.0
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.clone())
    }

    fn set(&mut self, key: Option<Uuid>, value: T) {
        self.remove(key);
        self.0.push((key, value));
    }

    fn remove(&mut self, key: Option<Uuid>) {
        self.0.retain(|(k, _)| *k != key);
    }
}

/// The minutes of the session (issue_id None) or of one agenda issue; staff can write them.
/// What is typed stays a draft of the page until it is saved; until then the box shows the
/// stored minutes.
#[component]
fn MinutesBox(
    dialogue: DialogueView,
    issue_id: Option<Uuid>,
    editable: bool,
    drafts: MinuteDrafts,
) -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let current = match issue_id {
        None => dialogue.minutes.clone(),
        Some(id) => dialogue
            .notes
            .iter()
            .find(|n| n.issue_id == id)
            .map(|n| n.notes.clone()),
    };
    let stored = StoredValue::new(current.clone().unwrap_or_default());
    let text = move || {
        drafts
            .text
            .with(|d| d.get(issue_id))
            .unwrap_or_else(|| stored.get_value())
    };
    // `submit` answers through a signal of this box's own; its errors are kept by the page.
    let errors = RwSignal::new(
        drafts
            .errors
            .with_untracked(|e| e.get(issue_id))
            .unwrap_or_default(),
    );
    Effect::new(move |_| {
        let now = errors.get();
        drafts.errors.update(|e| {
            e.set(issue_id, now);
        });
    });
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let args = RecordMinutesArgs {
            dialogue_id: dialogue.id,
            issue_id,
            notes: text(),
        };
        submit(app, args, errors, move || {
            drafts.text.update(|d| {
                d.remove(issue_id);
            });
        });
    };
    let message =
        Signal::derive(move || errors.with(|e| e.first().map(|e| e.message(i18n.lang()))));
    if editable {
        view! {
            <form class="form minutes" on:submit=save novalidate=true>
                <label class="field">
                    <span class="label">{tr(K::Minutes)}</span>
                    <textarea name="notes" rows="3" prop:value=text on:input=move |ev| drafts.text.update(|d| d.set(issue_id, event_target_value(&ev)))></textarea>
                </label>
                <FieldMessage field="notes" message=message/>
                <button type="submit" class="button">{tr(K::RecordMinutes)}</button>
            </form>
        }
        .into_any()
    } else {
        view! { <p class="minutes-text">{current.unwrap_or_else(|| "—".into())}</p> }.into_any()
    }
}
