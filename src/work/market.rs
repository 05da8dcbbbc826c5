//! 集市管理: community staff keep the market's coming days. Each service's days, each slot
//! with its seats taken and its seats (fewer than are taken is refused by the domain's rule,
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
use domain::time::beijing;
use domain::wire::{BookingView, MarketServiceView, MarketSlotView};
use domain::Lang;
use leptos::prelude::*;

use crate::common::act;
use crate::common::components::{field_words, FieldMessage, Icon, PageHeader, RequireSession};
use crate::common::i18n::{text, tr, use_i18n, K};
use crate::common::issue::day_text;
use crate::common::state::{use_app, AppState, Item, SyncState};

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
                        <FieldMessage field="reason" message=field_words(errors, "reason")/>
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
    let community = slot.community_id.clone();
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
