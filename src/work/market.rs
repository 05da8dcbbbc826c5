//! 集市管理: community staff keep the market's coming days. Each service's days, each slot
//! with its seats taken and its seats (fewer than are taken is refused by the domain's rule,
//! here before queueing and again on the server), 暂停 / 恢复 a slot, and calling a whole day
//! of a service off with a reason that every household booked reads on its phone.

use chrono::{NaiveDate, Timelike, Utc};
use domain::field::FieldError;
use domain::ledger::china_date;
use domain::market::booking::{
    self, CancelMarketDayArgs, SlotState, UpdateMarketSlotArgs, CAPACITY_MAX,
};
use domain::time::beijing;
use domain::wire::{MarketServiceView, MarketSlotView};
use leptos::prelude::*;

use crate::common::act;
use crate::common::components::{FieldMessage, Icon, PageHeader, RequireSession};
use crate::common::i18n::{tr, use_i18n, K};
use crate::common::issue::day_text;
use crate::common::state::{use_app, AppState};

/// The services of the communities this person keeps (community staff).
fn kept_services(app: AppState) -> Vec<MarketServiceView> {
    app.market_services.with(|list| {
        list.iter()
            .filter(|s| {
                app.roles_in(&s.community_id)
                    .contains(&domain::person::Role::CommunityStaff)
            })
            .cloned()
            .collect()
    })
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
            <For each=move || kept_services(app) key=|s| s.id children=move |service| {
                let id = service.id;
                view! {
                    <section class="card" data-testid="setup-service">
                        <h2>{service.name.clone()}</h2>
                        <Show when=move || !days_of(app, id).is_empty() fallback=move || view! { <p class="empty">{tr(K::NoComingDays)}</p> }>
                            <For each=move || days_of(app, id) key=|(day, slots)| (*day, slots.clone().into_iter().map(|s| (s.capacity, s.closed, s.booked)).collect::<Vec<_>>())
                                children=move |(day, slots)| view! { <SetupDay service_id=id day slots/> }/>
                        </Show>
                    </section>
                }
            }/>
        </RequireSession>
    }
}

/// One day of a service: its slots, and calling the day off.
#[component]
fn SetupDay(service_id: uuid::Uuid, day: NaiveDate, slots: Vec<MarketSlotView>) -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let calling_off = RwSignal::new(false);
    let reason = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let reason_error = Signal::derive(move || {
        errors.with(|e| {
            e.iter()
                .find(|e| e.field == "reason")
                .map(|e| e.message(i18n.lang()))
        })
    });
    let booked: u32 = slots.iter().map(|s| s.booked).sum();
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
                {slots.into_iter().map(|row| view! { <SetupSlot row/> }).collect_view()}
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
                        <FieldMessage field="reason" message=reason_error/>
                    </label>
                    <p class="hint">{move || format!("{} {booked}", i18n.t(K::CallOffBooked))}</p>
                    <button class="button primary big" type="submit" data-testid="confirm-call-off">{tr(K::CallOffConfirm)}</button>
                    <button class="button big" type="button" on:click=move |_| calling_off.set(false)>{tr(K::Cancel)}</button>
                </form>
            </Show>
        </div>
    }
}

/// A slot: its time, seats taken of seats, − / + and 暂停 / 恢复.
#[component]
fn SetupSlot(row: MarketSlotView) -> impl IntoView {
    let slot = row;
    let app = use_app();
    let i18n = use_i18n();
    let taken = slot.booked + slot.held;
    let state = state_of(&slot);
    let (id, capacity, closed) = (slot.id, slot.capacity, slot.closed);
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
    // The domain's rule decides what the buttons allow; the server checks it again.
    let fewer = capacity
        .checked_sub(1)
        .filter(|&c| booking::may_resize(&state, c).is_ok());
    let more = (capacity < CAPACITY_MAX).then_some(capacity + 1);
    let seats = move || {
        format!(
            "{} {taken} / {} {capacity}",
            i18n.t(K::SeatsTaken),
            i18n.t(K::Seats)
        )
    };
    view! {
        <li class="setup-slot" data-testid="setup-slot">
            <span class="grow"><strong>{clock(&slot)}</strong>" "<span data-testid="slot-seats">{seats}</span>
                {closed.then(|| view! { " · "<strong data-testid="slot-closed">{tr(K::SlotClosed)}</strong> })}
            </span>
            <span class="stepper">
                <button class="button small" data-testid="fewer-seats" disabled=fewer.is_none()
                    aria-label=move || i18n.t(K::FewerSeats)
                    on:click=move |_| if let Some(c) = fewer { set(c, closed) }>"−"</button>
                <button class="button small" data-testid="more-seats" disabled=more.is_none()
                    aria-label=move || i18n.t(K::MoreSeats)
                    on:click=move |_| if let Some(c) = more { set(c, closed) }>"+"</button>
                <button class="button small" data-testid="toggle-slot" on:click=move |_| set(capacity, !closed)>
                    {if closed { tr(K::ReopenSlot).into_any() } else { tr(K::CloseSlot).into_any() }}
                </button>
            </span>
        </li>
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
