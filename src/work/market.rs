//! 集市管理: community staff keep the market and the shared house. 新增服务 (its place or door
//! to door, hours and slot length, seats per volunteer, its volunteers, its day of every
//! month), then per service, folded under its name: 加一天 (a one-off day), each coming day's
//! slots with seats taken and seats (fewer than are taken is refused by the domain's rule,
//! here before queueing and again on the server), 暂停 / 恢复 a slot, who booked it, 代预约 for
//! a household that phoned, and calling a whole day of a service off with a reason that every
//! household booked reads on its phone.

use chrono::{NaiveDate, Timelike, Utc};
use domain::field::FieldError;
use domain::ledger::china_date;
use domain::market::booking::{
    self, BookServiceArgs, BookingState, CancelMarketDayArgs, SlotState, UpdateMarketSlotArgs,
    CAPACITY_MAX,
};
use domain::market::schedule::{self, AddMarketDayArgs, CreateMarketServiceArgs};
use domain::market::{ServiceMode, Venue};
use domain::person::Role;
use domain::time::beijing;
use domain::wire::{BookingView, MarketServiceView, MarketSlotView};
use domain::Lang;
use leptos::prelude::*;

use crate::common::act;
use crate::common::components::{field_words, FieldMessage, Icon, PageHeader, RequireSession};
use crate::common::i18n::{text, tr, use_i18n, K};
use crate::common::issue::day_text;
use crate::common::state::{use_app, AppState, Item, SyncState};

/// The services of the communities this person keeps (community staff): the market's first,
/// then the shared house's; at a place before door to door and walk-in.
fn kept_services(app: AppState) -> Vec<MarketServiceView> {
    let mut services: Vec<MarketServiceView> = app.market_services.with(|list| {
        list.iter()
            .filter(|s| {
                app.roles_in(&s.community_id)
                    .contains(&Role::CommunityStaff)
            })
            .cloned()
            .collect()
    });
    services.sort_by(|a, b| {
        let key = |s: &MarketServiceView| {
            (
                s.venue == Venue::SharedHouse.code(),
                s.mode == ServiceMode::AtHome,
                s.walk_in,
            )
        };
        key(a).cmp(&key(b)).then_with(|| a.name.cmp(&b.name))
    });
    services
}

/// A service's coming days (slots not yet ended), each with its slots, earliest first.
fn days_of(app: AppState, service_id: uuid::Uuid) -> Vec<(NaiveDate, Vec<MarketSlotView>)> {
    let now = Utc::now();
    let mut days: Vec<(NaiveDate, Vec<MarketSlotView>)> = Vec::new();
    app.market_slots.with(|slots| {
        for slot in slots
            .iter()
            .filter(|s| s.service_id == service_id && s.ends_at > now)
        {
            let day = china_date(slot.starts_at);
            match days.iter_mut().find(|(d, _)| *d == day) {
                Some((_, list)) => list.push(slot.clone()),
                None => days.push((day, vec![slot.clone()])),
            }
        }
    });
    days
}

fn clock(slot: &MarketSlotView) -> String {
    let (starts, ends) = (beijing(slot.starts_at), beijing(slot.ends_at));
    format!(
        "{:02}:{:02}–{:02}:{:02}",
        starts.hour(),
        starts.minute(),
        ends.hour(),
        ends.minute()
    )
}

fn state_of(slot: &MarketSlotView) -> SlotState {
    SlotState {
        id: slot.id,
        service_id: slot.service_id,
        starts_at: slot.starts_at,
        ends_at: slot.ends_at,
        capacity: slot.capacity,
        booked: slot.booked,
        held: slot.held,
        closed: slot.closed,
    }
}

#[component]
pub fn MarketSetup() -> impl IntoView {
    let app = use_app();
    view! {
        <RequireSession>
            <PageHeader title=K::MarketSetup back="/"/>
            <p class="hint">{tr(K::MarketSetupHint)}</p>
            <NewServiceForm/>
            <SetupWaiting/>
            <For each=move || kept_services(app) key=|s| s.id children=move |service| view! { <SetupService service/> }/>
        </RequireSession>
    }
}

/// How a service is given, in a line: "每月9日 · 08:30–11:30 · 每段30分钟".
fn rule_words(lang: Lang, service: &MarketServiceView) -> String {
    let when = match service.monthly_day {
        Some(day) => lang.pick(format!("每月{day}日"), format!("Every month on day {day}")),
        None => lang.pick("按单日开放".to_string(), "Single days".to_string()),
    };
    let how = match (service.mode, service.walk_in) {
        (ServiceMode::AtHome, _) => text(lang, K::AtYourHome).to_string(),
        (ServiceMode::AtPlace, true) => format!(
            "{} {}–{}",
            text(lang, K::OpenHours),
            service.opens,
            service.closes
        ),
        (ServiceMode::AtPlace, false) => format!(
            "{}–{} · {}",
            service.opens,
            service.closes,
            lang.pick(
                format!("每段{}分钟", service.slot_minutes),
                format!("{} min a slot", service.slot_minutes)
            )
        ),
    };
    format!("{when} · {how}")
}

/// One service, folded under its name and rule: 加一天, then its coming days.
#[component]
fn SetupService(service: MarketServiceView) -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let id = service.id;
    let walk_in = service.walk_in;
    let rule = StoredValue::new(service.clone());
    view! {
        <details class="card setup-service" data-testid="setup-service">
            <summary>
                <h2>{service.name.clone()}</h2>
                <span class="muted" data-testid="service-rule">{move || rule.with_value(|s| rule_words(i18n.lang(), s))}</span>
            </summary>
            <AddDay service_id=id/>
            <Show when=move || !days_of(app, id).is_empty() fallback=move || view! { <p class="empty">{tr(K::NoComingDays)}</p> }>
                <For each=move || days_of(app, id) key=|(day, slots)| (*day, slots.iter().map(|s| s.id).collect::<Vec<_>>())
                    children=move |(day, slots)| view! { <SetupDay service_id=id day slots walk_in/> }/>
            </Show>
        </details>
    }
}

/// 加一天: a one-off day of the service (the domain's rule: today or later, within a year).
#[component]
fn AddDay(service_id: uuid::Uuid) -> impl IntoView {
    let app = use_app();
    let open = RwSignal::new(false);
    let day = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let today = china_date(Utc::now());
        let checked = NaiveDate::parse_from_str(&day.get_untracked(), "%Y-%m-%d")
            .map_err(|_| FieldError::new("day", domain::field::FieldErrorKind::Required))
            .and_then(|d| schedule::may_open_day(d, today));
        match checked {
            Ok(day_chosen) => act::submit(
                app,
                AddMarketDayArgs {
                    service_id,
                    day: day_chosen,
                },
                errors,
                move || {
                    open.set(false);
                    day.set(String::new());
                },
            ),
            Err(error) => errors.set(vec![error]),
        }
    };
    view! {
        <Show when=move || open.get() fallback=move || view! {
            <button class="button big" data-testid="add-day" on:click=move |_| open.set(true)>{tr(K::AddDay)}</button>
        }>
            <form class="call-off" on:submit=add novalidate=true data-testid="add-day-form">
                <label class="field">
                    <span class="label">{tr(K::AddDay)}</span>
                    <input type="date" name="day" prop:value=move || day.get() on:input=move |ev| day.set(event_target_value(&ev))/>
                    <FieldMessage field="day" message=field_words(errors, "day")/>
                </label>
                <button class="button primary big" type="submit" data-testid="confirm-add-day">{tr(K::AddDayConfirm)}</button>
                <button class="button big" type="button" on:click=move |_| open.set(false)>{tr(K::Cancel)}</button>
            </form>
        </Show>
    }
}

/// The set-up this phone holds that the server has not made yet (a new service, a new day):
/// its slots come from the server, so until then it is shown here as 待同步.
#[component]
fn SetupWaiting() -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let waiting = move || {
        app.pending.with(|list| {
            list.iter()
                .filter(|e| {
                    [
                        <CreateMarketServiceArgs as domain::mutation::Definition>::NAME,
                        <AddMarketDayArgs as domain::mutation::Definition>::NAME,
                    ]
                    .contains(&e.mutation.name.as_str())
                })
                .map(|e| act::label_text(&e.label, &e.mutation, i18n.lang()))
                .collect::<Vec<_>>()
        })
    };
    view! {
        <Show when=move || !waiting().is_empty()>
            <section class="card" data-testid="setup-waiting">
                <h2>{tr(K::SetupWaiting)}</h2>
                <ul class="list plain">
                    {move || waiting().into_iter().map(|label| view! {
                        <li>{label}" · "<span class="badge status">{tr(K::StatePending)}</span></li>
                    }).collect_view()}
                </ul>
            </section>
        </Show>
    }
}

/// The people of `community` who may give a service: its volunteers and its staff.
fn givers(app: AppState, community: &str) -> Vec<(uuid::Uuid, String)> {
    app.people.with(|list| {
        list.iter()
            .filter(|p| p.view.community_id == community && !p.view.deactivated)
            .filter(|p| {
                p.view
                    .roles
                    .iter()
                    .any(|r| matches!(r, Role::Volunteer | Role::CommunityStaff))
            })
            .map(|p| (p.view.id, p.view.display_name.clone()))
            .collect()
    })
}

/// 新增服务: a service of the market or the shared house, checked by the domain's own rules
/// before it is queued (every field's problem at once).
#[component]
fn NewServiceForm() -> impl IntoView {
    let app = use_app();
    let Some(community) = app.staff_community() else {
        return ().into_any();
    };
    let open = RwSignal::new(false);
    let venue = RwSignal::new(Venue::Market);
    let name = RwSignal::new(String::new());
    let at_home = RwSignal::new(false);
    let place = RwSignal::new(String::new());
    let walk_in = RwSignal::new(false);
    let opens = RwSignal::new("08:30".to_string());
    let closes = RwSignal::new("11:30".to_string());
    let minutes = RwSignal::new("30".to_string());
    let per_volunteer = RwSignal::new("1".to_string());
    let monthly = RwSignal::new(String::new());
    let chosen = RwSignal::new(Vec::<uuid::Uuid>::new());
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let community = StoredValue::new(community);
    let number = |field: &'static str, text: String| -> Result<u32, FieldError> {
        text.trim()
            .parse::<u32>()
            .map_err(|_| FieldError::new(field, domain::field::FieldErrorKind::Invalid))
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let monthly_text = monthly.get_untracked();
        let mut problems = Vec::new();
        let per = number("per_volunteer", per_volunteer.get_untracked())
            .map_err(|e| problems.push(e))
            .unwrap_or(0);
        let monthly_day = if monthly_text.trim().is_empty() {
            None
        } else {
            number("monthly_day", monthly_text)
                .map_err(|e| problems.push(e))
                .ok()
        };
        let args = CreateMarketServiceArgs {
            id: uuid::Uuid::new_v4(),
            community_id: community.get_value(),
            venue: venue.get_untracked(),
            name: name.get_untracked(),
            mode: if at_home.get_untracked() {
                ServiceMode::AtHome
            } else {
                ServiceMode::AtPlace
            },
            place: place.get_untracked(),
            walk_in: walk_in.get_untracked() && !at_home.get_untracked(),
            opens: opens.get_untracked(),
            closes: closes.get_untracked(),
            slot_minutes: minutes.get_untracked().parse().unwrap_or(0),
            per_volunteer: if walk_in.get_untracked() { 0 } else { per },
            monthly_day,
            volunteers: chosen.get_untracked(),
        };
        if !problems.is_empty() {
            // The domain's own messages for the rest, with the numbers that did not read.
            let mut all = args.validate().err().unwrap_or_default();
            all.retain(|e| !problems.iter().any(|p| p.field == e.field));
            problems.extend(all);
            errors.set(problems);
            return;
        }
        act::submit(app, args, errors, move || {
            open.set(false);
            name.set(String::new());
            place.set(String::new());
            chosen.set(Vec::new());
        });
    };
    let radio = move |checked: Signal<bool>, label: K, pick: Callback<()>, testid: &'static str| {
        view! {
            <label class="choice">
                <input type="radio" data-testid=testid prop:checked=move || checked.get() on:change=move |_| pick.run(())/>
                <span>{tr(label)}</span>
            </label>
        }
    };
    view! {
        <Show when=move || open.get() fallback=move || view! {
            <button class="button big" data-testid="new-service" on:click=move |_| open.set(true)>
                <Icon name="plus"/><span>{tr(K::NewService)}</span>
            </button>
        }>
            <form class="card form" on:submit=save novalidate=true data-testid="new-service-form">
                <h2>{tr(K::NewService)}</h2>
                <fieldset class="field">
                    <legend class="label">{tr(K::ServiceWhere)}</legend>
                    <div class="choices">
                        {radio(Signal::derive(move || venue.get() == Venue::Market), K::MarketVenue, Callback::new(move |_| venue.set(Venue::Market)), "venue-market")}
                        {radio(Signal::derive(move || venue.get() == Venue::SharedHouse), K::SharedHouseVenue, Callback::new(move |_| venue.set(Venue::SharedHouse)), "venue-house")}
                    </div>
                </fieldset>
                <label class="field">
                    <span class="label">{tr(K::ServiceName)}</span>
                    <input type="text" name="name" maxlength=schedule::NAME_MAX prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
                    <FieldMessage field="name" message=field_words(errors, "name")/>
                </label>
                <fieldset class="field">
                    <legend class="label">{tr(K::ServiceHow)}</legend>
                    <div class="choices">
                        {radio(Signal::derive(move || !at_home.get()), K::ModeAtPlace, Callback::new(move |_| at_home.set(false)), "mode-at-place")}
                        {radio(Signal::derive(move || at_home.get()), K::ModeAtHome, Callback::new(move |_| at_home.set(true)), "mode-at-home")}
                    </div>
                </fieldset>
                <Show when=move || !at_home.get()>
                    <label class="field">
                        <span class="label">{tr(K::ServicePlace)}</span>
                        <input type="text" name="place" maxlength=schedule::PLACE_MAX prop:value=move || place.get() on:input=move |ev| place.set(event_target_value(&ev))/>
                        <FieldMessage field="place" message=field_words(errors, "place")/>
                    </label>
                    <label class="choice wide">
                        <input type="checkbox" name="walk_in" data-testid="walk-in" prop:checked=move || walk_in.get() on:change=move |ev| walk_in.set(event_target_checked(&ev))/>
                        <span>{tr(K::WalkInOnly)}</span>
                    </label>
                    <div class="two-fields">
                        <label class="field">
                            <span class="label">{tr(K::Opens)}</span>
                            <input type="time" name="opens" prop:value=move || opens.get() on:input=move |ev| opens.set(event_target_value(&ev))/>
                            <FieldMessage field="opens" message=field_words(errors, "opens")/>
                        </label>
                        <label class="field">
                            <span class="label">{tr(K::Closes)}</span>
                            <input type="time" name="closes" prop:value=move || closes.get() on:input=move |ev| closes.set(event_target_value(&ev))/>
                            <FieldMessage field="closes" message=field_words(errors, "closes")/>
                        </label>
                    </div>
                    <Show when=move || !walk_in.get()>
                        <label class="field">
                            <span class="label">{tr(K::SlotMinutes)}</span>
                            <select name="slot_minutes" prop:value=move || minutes.get() on:change=move |ev| minutes.set(event_target_value(&ev))>
                                {[10, 15, 20, 30, 45, 60, 90, 120].into_iter().map(|m| view! { <option value=m.to_string()>{m}</option> }).collect_view()}
                            </select>
                            <FieldMessage field="slot_minutes" message=field_words(errors, "slot_minutes")/>
                        </label>
                    </Show>
                </Show>
                <Show when=move || !walk_in.get() || at_home.get()>
                    <label class="field">
                        <span class="label">{tr(K::PerVolunteer)}</span>
                        <input type="number" inputmode="numeric" min="1" max=schedule::PER_VOLUNTEER_MAX name="per_volunteer"
                            prop:value=move || per_volunteer.get() on:input=move |ev| per_volunteer.set(event_target_value(&ev))/>
                        <FieldMessage field="per_volunteer" message=field_words(errors, "per_volunteer")/>
                    </label>
                </Show>
                <label class="field">
                    <span class="label">{tr(K::MonthlyDay)}</span>
                    <input type="number" inputmode="numeric" min="1" max="31" name="monthly_day"
                        prop:value=move || monthly.get() on:input=move |ev| monthly.set(event_target_value(&ev))/>
                    <FieldMessage field="monthly_day" message=field_words(errors, "monthly_day")/>
                </label>
                <fieldset class="field" data-testid="service-volunteers">
                    <legend class="label">{tr(K::ServiceVolunteers)}</legend>
                    {move || {
                        let people = givers(app, &community.get_value());
                        if people.is_empty() {
                            return view! { <p class="hint">{tr(K::NoVolunteersYet)}</p> }.into_any();
                        }
                        view! { <div class="choices">{people.into_iter().map(|(id, who)| view! {
                            <label class="choice">
                                <input type="checkbox" prop:checked=move || chosen.with(|c| c.contains(&id))
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        chosen.update(|c| { c.retain(|x| *x != id); if on { c.push(id) } });
                                    }/>
                                <span>{who}</span>
                            </label>
                        }).collect_view()}</div> }.into_any()
                    }}
                    <FieldMessage field="volunteers" message=field_words(errors, "volunteers")/>
                </fieldset>
                <FieldMessage field="walk_in" message=field_words(errors, "walk_in")/>
                <button class="button primary big" type="submit" data-testid="save-service">{tr(K::SaveService)}</button>
                <button class="button big" type="button" on:click=move |_| open.set(false)>{tr(K::Cancel)}</button>
            </form>
        </Show>
    }
    .into_any()
}

/// One day of a service: its slots, and calling the day off.
#[component]
fn SetupDay(
    service_id: uuid::Uuid,
    day: NaiveDate,
    slots: Vec<MarketSlotView>,
    walk_in: bool,
) -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let calling_off = RwSignal::new(false);
    let reason = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<FieldError>::new());

    // Kept by its slots' ids: a booking or a change of seats re-draws the numbers, not the
    // day (a reason being typed stays).
    let ids = StoredValue::new(slots.iter().map(|s| s.id).collect::<Vec<_>>());
    let booked = move || {
        app.market_slots.with(|all| {
            all.iter()
                .filter(|s| ids.with_value(|ids| ids.contains(&s.id)))
                .map(|s| s.booked)
                .sum::<u32>()
        })
    };
    let call_off = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let args = CancelMarketDayArgs {
            service_id,
            day,
            reason: reason.get_untracked(),
        };
        act::submit(app, args, errors, move || calling_off.set(false));
    };
    view! {
        <div class="setup-day" data-testid="setup-day">
            <h3>{move || day_text(i18n.lang(), day)}</h3>
            <ul class="list plain">
                {slots.into_iter().map(|row| if walk_in {
                    view! { <li class="setup-slot" data-testid="walk-in-hours"><strong>{clock(&row)}</strong>" · "{tr(K::NoBookingNeeded)}</li> }.into_any()
                } else {
                    view! { <SetupSlot row/> }.into_any()
                }).collect_view()}
            </ul>
            <Show when=move || calling_off.get() fallback=move || view! {
                <button class="button big" data-testid="call-off-day" on:click=move |_| calling_off.set(true)>
                    {tr(K::CallOffDay)}
                </button>
            }>
                <form class="call-off" on:submit=call_off>
                    <label class="field">
                        <span class="label">{tr(K::CallOffReason)}</span>
                        <input type="text" name="reason" maxlength=booking::REASON_MAX
                            prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev))/>
                        <FieldMessage field="reason" message=field_words(errors, "reason")/>
                    </label>
                    <p class="hint">{move || format!("{} {}", i18n.t(K::CallOffBooked), booked())}</p>
                    <button class="button primary big" type="submit" data-testid="confirm-call-off">{tr(K::CallOffConfirm)}</button>
                    <button class="button big" type="button" on:click=move |_| calling_off.set(false)>{tr(K::Cancel)}</button>
                </form>
            </Show>
        </div>
    }
}

/// One seat fewer, if the domain's rule allows it (the server checks it again).
fn fewer_seats(slot: &MarketSlotView) -> Option<u32> {
    slot.capacity
        .checked_sub(1)
        .filter(|&c| booking::may_resize(&state_of(slot), c).is_ok())
}

fn more_seats(slot: &MarketSlotView) -> Option<u32> {
    (slot.capacity < CAPACITY_MAX).then_some(slot.capacity + 1)
}

/// A slot: its time, seats taken of seats, − / + and 暂停 / 恢复. It follows its own row, so
/// a booking or a change of seats never re-draws the 代预约 form under it.
#[component]
fn SetupSlot(row: MarketSlotView) -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let id = row.id;
    let first = row.clone();
    let slot = Memo::new(move |_| {
        app.market_slots
            .with(|all| all.iter().find(|s| s.id == id).cloned())
            .unwrap_or_else(|| first.clone())
    });
    let set = move |capacity: u32, closed: bool| {
        act::tap(
            app,
            UpdateMarketSlotArgs {
                slot_id: id,
                capacity,
                closed,
            },
        )
    };
    let seats = move || {
        slot.with(|s| {
            format!(
                "{} {} / {} {}",
                i18n.t(K::SeatsTaken),
                s.booked + s.held,
                i18n.t(K::Seats),
                s.capacity
            )
        })
    };
    let closed = move || slot.with(|s| s.closed);
    let community = row.community_id.clone();
    let bookings = move || {
        app.bookings.with(|list| {
            list.iter()
                .filter(|b| b.view.slot_id == id && b.view.state != BookingState::Cancelled)
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    view! {
        <li class="setup-slot" data-testid="setup-slot">
            <span class="grow"><strong>{clock(&row)}</strong>" "<span data-testid="slot-seats">{seats}</span>
                {move || closed().then(|| view! { " · "<strong data-testid="slot-closed">{tr(K::SlotClosed)}</strong> })}
            </span>
            <span class="stepper">
                <button class="button small" data-testid="fewer-seats" disabled=move || slot.with(fewer_seats).is_none()
                    aria-label=move || i18n.t(K::FewerSeats)
                    on:click=move |_| { let s = slot.get_untracked(); if let Some(c) = fewer_seats(&s) { set(c, s.closed) } }>"−"</button>
                <button class="button small" data-testid="more-seats" disabled=move || slot.with(more_seats).is_none()
                    aria-label=move || i18n.t(K::MoreSeats)
                    on:click=move |_| { let s = slot.get_untracked(); if let Some(c) = more_seats(&s) { set(c, s.closed) } }>"+"</button>
                <button class="button small" data-testid="toggle-slot" on:click=move |_| { let s = slot.get_untracked(); set(s.capacity, !s.closed) }>
                    {move || if closed() { i18n.t(K::ReopenSlot) } else { i18n.t(K::CloseSlot) }}
                </button>
            </span>
            <ul class="slot-bookings">
                {move || bookings().into_iter().map(|item| view! {
                    <li data-testid="slot-booking">
                        {booking_who(i18n.lang(), &item.view)}" · "
                        <span class="badge status">{booking_state(i18n.lang(), &item)}</span>
                    </li>
                }).collect_view()}
            </ul>
            <OnBehalf slot_id=id community/>
        </li>
    }
}

/// Who a booking is for, as staff see it: the name and the household, or 代预约 and the
/// household.
fn booking_who(lang: Lang, booking: &BookingView) -> String {
    if booking.on_behalf {
        format!("{} {}", text(lang, K::OnBehalf), booking.household)
    } else {
        format!("{} {}", booking.who, booking.household)
    }
    .trim()
    .to_string()
}

/// 待同步 on the phone, then the server's word (待确认 → 已预约, 已服务…).
fn booking_state(lang: Lang, item: &Item<BookingView>) -> String {
    match item.sync {
        SyncState::Pending => text(lang, K::StatePending).to_string(),
        _ => item.view.state.label(lang).to_string(),
    }
}

/// 代预约: staff book a seat for a household that phoned (孙大爷 rang the community), chosen
/// from the community's list, with a note for the volunteer (上午10点后在家).
#[component]
fn OnBehalf(slot_id: uuid::Uuid, community: String) -> impl IntoView {
    let app = use_app();
    let open = RwSignal::new(false);
    let household = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let households = move || {
        app.households.with(|list| {
            list.iter()
                .filter(|h| h.view.community_id == community)
                .map(|h| (h.view.id, h.view.label.clone()))
                .collect::<Vec<_>>()
        })
    };
    let book = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Ok(for_household) = uuid::Uuid::parse_str(&household.get_untracked()) else {
            errors.set(vec![FieldError::new(
                "household_id",
                domain::field::FieldErrorKind::Required,
            )]);
            return;
        };
        let args = BookServiceArgs {
            id: uuid::Uuid::new_v4(),
            slot_id,
            note: note.get_untracked(),
            for_household: Some(for_household),
        };
        act::submit(app, args, errors, move || {
            open.set(false);
            household.set(String::new());
            note.set(String::new());
        });
    };
    view! {
        <Show when=move || open.get() fallback=move || view! {
            <button class="button small" data-testid="book-on-behalf" on:click=move |_| open.set(true)>{tr(K::OnBehalf)}</button>
        }>
            <form class="call-off" on:submit=book data-testid="on-behalf-form">
                <label class="field">
                    <span class="label">{tr(K::OnBehalfHousehold)}</span>
                    <select name="household_id" prop:value=move || household.get() on:change=move |ev| household.set(event_target_value(&ev))>
                        <option value="">{tr(K::ChooseHousehold)}</option>
                        {households().into_iter().map(|(id, label)| view! { <option value=id.to_string()>{label}</option> }).collect_view()}
                    </select>
                    <FieldMessage field="household_id" message=field_words(errors, "household_id")/>
                </label>
                <label class="field">
                    <span class="label">{tr(K::HomeNote)}</span>
                    <input type="text" name="note" maxlength=booking::NOTE_MAX
                        prop:value=move || note.get() on:input=move |ev| note.set(event_target_value(&ev))/>
                    <FieldMessage field="note" message=field_words(errors, "note")/>
                </label>
                <button class="button primary big" type="submit" data-testid="confirm-on-behalf">{tr(K::OnBehalfConfirm)}</button>
                <button class="button big" type="button" on:click=move |_| open.set(false)>{tr(K::Cancel)}</button>
            </form>
        </Show>
    }
}

/// The link on 工作台, for community staff.
#[component]
pub fn MarketSetupLink() -> impl IntoView {
    view! {
        <leptos::prelude::Show when=move || use_app().is_staff()>
            <crate::common::router::A href="/market" attr:class="button big" attr:data-testid="market-setup-link">
                <Icon name="market"/>
                <span>{tr(K::MarketSetup)}</span>
            </crate::common::router::A>
        </leptos::prelude::Show>
    }
}
