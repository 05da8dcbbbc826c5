//! 登记访客车辆, one form for both apps: a resident registering for their household (车位),
//! changing a booked visit's time (改时间), and community staff registering for a household
//! that phoned (车位管理, 代登记 — the household chosen above the plate, and the limits
//! overridden only when staff say so, which the visit records). The plate on its keyboard,
//! the day, the stay and the start time with the free spots of that window (from the pulled
//! pool, so offline too), who is coming and a note.
//!
//! The form reads its pool from the app's state by community, so a sync that brings other
//! households' visits updates the free spots under the person's hands without redrawing
//! what they typed.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use domain::ledger::china_date;
use domain::parking::capacity::{self, Span};
use domain::parking::plate;
use domain::parking::visit::{self, ChangeVisitArgs, RegisterVisitArgs, RELATIONS};
use domain::parking::VisitStatus;
use domain::time::{clock_of as clock, from_beijing};
use domain::wire::{ParkingPoolView, VisitView};
use domain::{FieldError, Lang};
use leptos::prelude::*;
use uuid::Uuid;

use crate::common::act;
use crate::common::components::{field_words, FieldMessage};
use crate::common::i18n::{self, text, tr, use_i18n, K};
use crate::common::issue::{day_text, TextBox};
use crate::common::plate::{new_plate, PlateInput};
use crate::common::state::{use_app, Item, SyncState};

/// Staff registering for a household (代登记): the household picked and whether the
/// household's limits are overridden, with the form's errors so the caller's fields show
/// theirs. The caller draws those fields as the form's children.
#[derive(Clone, Copy)]
pub struct ForHousehold {
    pub household: RwSignal<String>,
    pub over_limit: RwSignal<bool>,
    pub errors: RwSignal<Vec<FieldError>>,
}

/// A visit's state in words and an icon, never colour alone.
pub fn visit_badge(
    lang: Lang,
    item: &Item<VisitView>,
) -> (&'static str, &'static str, &'static str) {
    let (class, icon) = match (item.sync, item.view.status) {
        (SyncState::Pending, _) | (_, VisitStatus::Requested) => ("badge pending", "clock"),
        (_, VisitStatus::Awaiting) => ("badge pending", "alert"),
        (_, VisitStatus::Booked | VisitStatus::Inside) => ("badge submitted", "check"),
        _ => ("badge status", "alert"),
    };
    let words = match (item.sync, item.view.status) {
        (SyncState::Pending, _) => text(lang, K::StatePending),
        (_, VisitStatus::Awaiting) => text(lang, K::WalkUpAsk),
        (_, status) => status.label(lang),
    };
    (class, icon, words)
}

/// Spots free over `window`, as the pulled pool knows them.
pub fn free_over(pool: &ParkingPoolView, window: Span) -> u32 {
    pool.rules
        .spots
        .saturating_sub(capacity::peak(&pool.held, window) as u32)
}

/// The half hours a visit may start at on `day`: within the gate's hours (the stay must end
/// by closing), not in the past.
fn start_times(
    pool: &ParkingPoolView,
    day: NaiveDate,
    hours: u32,
    now: DateTime<Utc>,
) -> Vec<DateTime<Utc>> {
    let hours_open = pool.rules.hours();
    (0..48)
        .filter_map(|half| NaiveTime::from_hms_opt(half / 2, (half % 2) * 30, 0))
        .map(|time| from_beijing(day.and_time(time)))
        .filter(|start| *start + Duration::minutes(30) > now)
        .filter(|start| capacity::within_hours(visit::window(*start, hours), hours_open))
        .collect()
}

/// 登记访客车辆: the plate, the day and time, the stay, who is coming and a note; the free
/// spots of the chosen window shown before sending.
#[component]
pub fn VisitForm(
    /// The community whose pool the visit takes a spot of.
    community: String,
    open: RwSignal<bool>,
    /// A booked visit whose time is being changed (改时间): its plate is kept, and its own
    /// window no longer counts against the free spots.
    #[prop(optional)]
    editing: Option<VisitView>,
    /// Staff registering for a household (代登记); its fields are the children.
    #[prop(optional)]
    staff: Option<ForHousehold>,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let plate = new_plate();
    let own = editing
        .as_ref()
        .map(|v| Span::new(v.arrives_at, v.leaves_by));
    // The pool as the phone knows it now, less the visit being changed.
    let pool = Memo::new(move |_| {
        app.parking_pools.with(|pools| {
            let mut pool = pools
                .iter()
                .find(|p| p.view.community_id == community)?
                .view
                .clone();
            if let Some(at) = own.and_then(|own| pool.held.iter().position(|s| *s == own)) {
                pool.held.remove(at);
            }
            Some(pool)
        })
    });
    let note = RwSignal::new(String::new());
    let relation = RwSignal::new("child".to_string());
    let errors = staff
        .map(|s| s.errors)
        .unwrap_or_else(|| RwSignal::new(Vec::new()));
    let rules = pool
        .with_untracked(|p| p.as_ref().map(|p| p.rules.clone()))
        .unwrap_or_default();
    let today = china_date(Utc::now());
    let days: Vec<NaiveDate> = (0..=i64::from(rules.days_ahead).min(6))
        .map(|n| today + Duration::days(n))
        .collect();
    let editing_id = editing.as_ref().map(|v| v.id);
    let editing_plate = editing.as_ref().map(|v| plate::display(&v.plate));
    let (first_day, first_hours, first_start) = match &editing {
        Some(v) => (
            china_date(v.arrives_at),
            ((v.leaves_by - v.arrives_at).num_minutes() / 60).clamp(1, 12) as u32,
            Some(v.arrives_at),
        ),
        None => (today, rules.max_hours.min(4), None),
    };
    let day = RwSignal::new(first_day);
    let hours = RwSignal::new(first_hours.min(rules.max_hours));
    let starts = move || {
        pool.with(|p| {
            p.as_ref()
                .map(|p| start_times(p, day.get(), hours.get(), Utc::now()))
                .unwrap_or_default()
        })
    };
    let start = RwSignal::new(first_start);
    // The chosen start, or the first one that day.
    let chosen = move || {
        let options = starts();
        start
            .get()
            .filter(|s| options.contains(s))
            .or_else(|| options.first().copied())
    };
    let free = move || {
        let window = visit::window(chosen()?, hours.get());
        pool.with(|p| p.as_ref().map(|p| free_over(p, window)))
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(arrives_at) = chosen() else {
            errors.set(vec![FieldError::new(
                "arrives_at",
                domain::FieldErrorKind::Required,
            )]);
            return;
        };
        if let Some(visit_id) = editing_id {
            let args = ChangeVisitArgs {
                visit_id,
                arrives_at,
                hours: hours.get_untracked(),
            };
            act::submit(app, args, errors, move || open.set(false));
            return;
        }
        // Staff name the household; a resident's is their own.
        let for_household = match staff {
            None => None,
            Some(staff) => match Uuid::parse_str(&staff.household.get_untracked()) {
                Ok(id) => Some(id),
                Err(_) => {
                    errors.set(vec![FieldError::new(
                        "for_household",
                        domain::FieldErrorKind::Required,
                    )]);
                    return;
                }
            },
        };
        let args = RegisterVisitArgs {
            id: Uuid::new_v4(),
            plate: plate.get_untracked(),
            arrives_at,
            hours: hours.get_untracked(),
            relation: relation.get_untracked(),
            note: note.get_untracked(),
            for_household,
            over_limit: staff.is_some_and(|s| s.over_limit.get_untracked()),
        };
        act::submit(app, args, errors, move || open.set(false));
    };
    let chip = move |label: String,
                     checked: Signal<bool>,
                     pick: Callback<()>,
                     testid: &'static str| {
        view! {
            <label class="choice">
                <input type="radio" data-testid=testid prop:checked=move || checked.get() on:change=move |_| pick.run(())/>
                <span>{label}</span>
            </label>
        }
    };
    view! {
        <form class="card form" on:submit=save novalidate=true data-testid="visit-form">
            {match editing_plate.clone() {
                None => view! {
                    <h2>{tr(if staff.is_some() { K::StaffVisit } else { K::RegisterVisit })}</h2>
                    {children.map(|fields| fields())}
                    <PlateInput value=plate errors/>
                }.into_any(),
                Some(shown) => view! {
                    <h2>{tr(K::ChangeVisitTime)}</h2>
                    <p class="plate-big">{shown}</p>
                }.into_any(),
            }}
            <fieldset class="field">
                <legend class="label">{tr(K::VisitDay)}</legend>
                <div class="choices">
                    {days.into_iter().map(|d| {
                        // 今天 and 明天 as people say them, then the dates.
                        let words = match (d - today).num_days() {
                            0 => text(i18n.lang(), K::Today).to_string(),
                            1 => text(i18n.lang(), K::Tomorrow).to_string(),
                            _ => day_text(i18n.lang(), d),
                        };
                        chip(words, Signal::derive(move || day.get() == d), Callback::new(move |_| day.set(d)), "visit-day")
                    }).collect_view()}
                </div>
            </fieldset>
            <fieldset class="field">
                <legend class="label">{tr(K::VisitHours)}</legend>
                <div class="choices">
                    {(1..=rules.max_hours).map(|h| {
                        chip(i18n::with_number(i18n.lang(), K::HoursN, h), Signal::derive(move || hours.get() == h), Callback::new(move |_| hours.set(h)), "visit-hours")
                    }).collect_view()}
                </div>
                <FieldMessage field="hours" message=field_words(errors, "hours")/>
            </fieldset>
            <label class="field">
                <span class="label">{tr(K::VisitArrives)}</span>
                <select data-testid="visit-time" on:change=move |ev| {
                    let picked = event_target_value(&ev).parse::<i64>().ok().and_then(|t| DateTime::from_timestamp(t, 0));
                    start.set(picked);
                }>
                    {move || {
                        let current = chosen();
                        starts().into_iter().map(|s| view! {
                            <option value=s.timestamp().to_string() selected=current == Some(s)>{clock(s)}</option>
                        }).collect_view()
                    }}
                </select>
                <FieldMessage field="arrives_at" message=field_words(errors, "arrives_at")/>
            </label>
            <p class="window-free" data-testid="window-free" aria-live="polite">
                {move || match (chosen(), free()) {
                    (Some(s), Some(free)) => {
                        let until = clock(visit::window(s, hours.get()).ends_at);
                        let words = if free == 0 {
                            text(i18n.lang(), K::WindowFull).to_string()
                        } else {
                            i18n::with_number(i18n.lang(), K::WindowFree, free)
                        };
                        format!("{}–{until} · {words}", clock(s))
                    }
                    _ => text(i18n.lang(), K::NoTimeLeft).to_string(),
                }}
            </p>
            <Show when=move || editing_id.is_none()>
            <fieldset class="field">
                <legend class="label">{tr(K::VisitRelation)}</legend>
                <div class="choices">
                    {RELATIONS.iter().map(|&(code, _, _)| {
                        chip(
                            visit::relation_words(code, i18n.lang()).to_string(),
                            Signal::derive(move || relation.get() == code),
                            Callback::new(move |_| relation.set(code.to_string())),
                            "visit-relation",
                        )
                    }).collect_view()}
                </div>
            </fieldset>
            <TextBox label=K::VisitNote field="note" value=note errors/>
            </Show>
            <div class="row">
                <button class="button primary big" type="submit" data-testid="save-visit">
                    {move || if editing_id.is_some() { i18n.t(K::Save) } else { i18n.t(K::RegisterVisitSend) }}
                </button>
                <button class="button" type="button" on:click=move |_| open.set(false)>{tr(K::Cancel)}</button>
            </div>
        </form>
    }
}
