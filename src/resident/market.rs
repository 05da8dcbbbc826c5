//! 集市 for residents: the 公益集市's and 共享小屋's services of their community on the next day
//! each is given, with the seats left in every slot — from the pulled rows, so offline too —
//! and booking: tap a slot, confirm (with a note for door-to-door services), and the request
//! waits as 待同步 / 待确认 until the server gives the seat (已预约, with a pass) or refuses it
//! (未成功, with the free slots it offered instead, one tap to book). The pass page shows the
//! signed pass as a large QR code with its short code, offline.

use chrono::{DateTime, NaiveDate, Utc};
use domain::ledger::china_date;
use domain::market::booking::{
    AcceptPromotionArgs, BookServiceArgs, BookingState, CancelBookingArgs, JoinWaitlistArgs, Limits,
};
use domain::market::pass;
use domain::market::ServiceMode;
use domain::wire::{BookingView, MarketServiceView, MarketSlotView, WaitlistView};
use domain::{FieldError, Lang};
use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;

use crate::common::act;
use crate::common::actions;
use crate::common::components::{FailureText, Icon, PageHeader, QrCode, RequireSession, SyncBadge};
use crate::common::i18n::{self, text, tr, use_i18n, K};
use crate::common::issue::{day_text, TextBox};
use crate::common::router::{use_router, A};
use crate::common::state::{use_app, AppState, Item, SyncState};
use crate::common::store::FailedEntry;

use domain::time::clock_of as clock;

/// "12月3日 00:06" — when an offer ends (the day too: it may be tomorrow).
fn until_words(lang: Lang, until: DateTime<Utc>) -> String {
    format!("{} {}", day_text(lang, china_date(until)), clock(until))
}

fn times(starts_at: DateTime<Utc>, ends_at: DateTime<Utc>) -> String {
    format!("{}–{}", clock(starts_at), clock(ends_at))
}

/// A slot's seats in words (never by colour alone): 余2位, 已满, 暂停.
fn seats(lang: Lang, slot: &MarketSlotView) -> String {
    let free = slot
        .capacity
        .saturating_sub(slot.booked.saturating_add(slot.held));
    if slot.closed {
        text(lang, K::SlotClosed).to_string()
    } else if free == 0 {
        text(lang, K::SlotFull).to_string()
    } else {
        i18n::with_number(lang, K::SeatsLeft, free)
    }
}

/// Whether a slot can be asked for now: open, not started, a seat left.
fn bookable(slot: &MarketSlotView, now: DateTime<Utc>) -> bool {
    !slot.closed && now < slot.starts_at && slot.booked.saturating_add(slot.held) < slot.capacity
}

/// Each service with the next day it is given and that day's slots (a slot still running
/// counts: it has not ended): the market's first, then the shared house's; services at a
/// place before door-to-door ones.
fn next_days(
    mut services: Vec<MarketServiceView>,
    slots: &[MarketSlotView],
    now: DateTime<Utc>,
) -> Vec<(MarketServiceView, NaiveDate, Vec<MarketSlotView>)> {
    services.sort_by(|a, b| {
        let key =
            |s: &MarketServiceView| (s.venue == "shared_house", s.mode == ServiceMode::AtHome);
        key(a).cmp(&key(b)).then_with(|| a.name.cmp(&b.name))
    });
    services
        .into_iter()
        .filter_map(|service| {
            let upcoming: Vec<&MarketSlotView> = slots
                .iter()
                .filter(|s| s.service_id == service.id && s.ends_at > now)
                .collect();
            let day = china_date(upcoming.first()?.starts_at);
            let on_day = upcoming
                .into_iter()
                .filter(|s| china_date(s.starts_at) == day)
                .cloned()
                .collect();
            Some((service, day, on_day))
        })
        .collect()
}

/// The household's own bookings that still matter: not yet over, and not cancelled (unless
/// the cancellation still waits on the phone, or the community called the day off: the
/// household must read that).
fn my_bookings(app: AppState, now: DateTime<Utc>) -> Vec<Item<BookingView>> {
    app.bookings.with(|list| {
        list.iter()
            .filter(|b| b.view.own && b.view.ends_at > now)
            .filter(|b| {
                b.view.state != BookingState::Cancelled
                    || b.sync == SyncState::Pending
                    || !b.view.cancel_reason.is_empty()
            })
            .cloned()
            .collect()
    })
}

/// The household's places on waitlists that still matter: asked for, waiting, offered, or
/// an offer that lapsed, for slots not yet over.
fn my_waits(app: AppState, now: DateTime<Utc>) -> Vec<Item<WaitlistView>> {
    app.waitlist.with(|list| {
        list.iter()
            .filter(|w| w.view.ends_at > now)
            .filter(|w| {
                matches!(
                    w.view.state.as_str(),
                    "requested" | "waiting" | "offered" | "lapsed"
                )
            })
            .cloned()
            .collect()
    })
}

/// A seat offered to the household that it can still take, for 首页.
pub fn live_offer(app: AppState, now: DateTime<Utc>) -> Option<WaitlistView> {
    my_waits(app, now)
        .into_iter()
        .map(|w| w.view)
        .find(|w| w.state == "offered" && w.offer_until.is_some_and(|until| now < until))
}

/// "理发 09:00–09:30：有空位了！请在 11:05 前确认…", for 首页.
pub fn offer_words(app: AppState, offer: &WaitlistView, lang: Lang) -> String {
    let name = service_of(app, offer.service_id)
        .map(|s| s.name)
        .unwrap_or_default();
    let until = offer
        .offer_until
        .map(|until| until_words(lang, until))
        .unwrap_or_default();
    format!(
        "{name} {}：{}",
        times(offer.starts_at, offer.ends_at),
        i18n::with_number(lang, K::SeatOffered, until)
    )
}

/// The next booking the household holds (or has asked for), for 首页.
pub fn next_booking(app: AppState, now: DateTime<Utc>) -> Option<Item<BookingView>> {
    my_bookings(app, now)
        .into_iter()
        .find(|b| matches!(b.view.state, BookingState::Booked | BookingState::Requested))
}

/// "12月9日 09:00 理发 · 新时代文明实践站": a booking in a line, for 首页.
pub fn booking_words(app: AppState, booking: &BookingView, lang: Lang) -> String {
    let service = service_of(app, booking.service_id);
    format!(
        "{} {} {} · {}",
        day_text(lang, china_date(booking.starts_at)),
        clock(booking.starts_at),
        service
            .as_ref()
            .map(|s| s.name.as_str())
            .unwrap_or_default(),
        place_text(lang, service.as_ref())
    )
}

fn service_of(app: AppState, id: Uuid) -> Option<MarketServiceView> {
    app.market_services
        .with(|list| list.iter().find(|s| s.id == id).cloned())
}

/// Where a service is given, in words: its place, or 上门服务.
fn place_text(lang: Lang, service: Option<&MarketServiceView>) -> String {
    match service {
        Some(s) if s.mode == ServiceMode::AtPlace => s.place.clone(),
        Some(_) => text(lang, K::AtYourHome).to_string(),
        None => String::new(),
    }
}

/// Where a booking stands, in words: 待同步 on the phone, 待确认 once the server has the
/// request, then the server's own state.
fn booking_state(lang: Lang, item: &Item<BookingView>) -> String {
    match (item.sync, item.view.state) {
        (SyncState::Pending, BookingState::Cancelled) => format!(
            "{} · {}",
            text(lang, K::CancelBooking),
            text(lang, K::StatePending)
        ),
        (SyncState::Pending, _) => text(lang, K::StatePending).to_string(),
        (_, state) => state.label(lang).to_string(),
    }
}

#[component]
pub fn Market() -> impl IntoView {
    let app = use_app();
    // The slot the person tapped, waiting for 确认预约, with what they typed: kept here, above
    // the service cards, which are drawn afresh whenever a sync brings the slots again.
    let chosen = Choosing {
        slot: RwSignal::new(None),
        note: RwSignal::new(String::new()),
        errors: RwSignal::new(Vec::new()),
    };
    // A Memo: a sync that brings the same slots again leaves the cards (and the note being
    // typed, with its focus) as they are.
    let offered = Memo::new(move |_| {
        app.market_slots
            .with(|slots| next_days(app.market_services.get(), slots, Utc::now()))
    });
    view! {
        <RequireSession>
            <PageHeader title=K::TabMarket/>
            <p class="intro">{tr(K::MarketHowTo)}</p>
            <MyBookings/>
            {move || {
                let offered = offered.get();
                if offered.is_empty() {
                    return view! {
                        <section class="card" data-testid="market-none"><p>{tr(K::MarketNone)}</p></section>
                    }
                    .into_any();
                }
                offered
                    .into_iter()
                    .map(|(service, day, slots)| view! { <ServiceCard service day slots chosen/> })
                    .collect_view()
                    .into_any()
            }}
        </RequireSession>
    }
}

/// The slot being booked and the words typed for it, outliving the cards that show them.
#[derive(Clone, Copy)]
struct Choosing {
    slot: RwSignal<Option<Uuid>>,
    note: RwSignal<String>,
    errors: RwSignal<Vec<FieldError>>,
}

impl Choosing {
    fn pick(self, slot: Uuid) {
        if self.slot.get_untracked() != Some(slot) {
            self.errors.set(Vec::new());
        }
        self.slot.set(Some(slot));
    }

    fn done(self) {
        self.slot.set(None);
        self.note.set(String::new());
        self.errors.set(Vec::new());
    }
}

/// 我的预约: the household's bookings with their state, the pass one tap away, and the
/// bookings the server refused, with the free slots it offered.
#[component]
fn MyBookings() -> impl IntoView {
    let app = use_app();
    let bookings = move || my_bookings(app, Utc::now());
    let refused = move || {
        app.failed.with(|list| {
            list.iter()
                .filter(|f| f.mutation.name == "book_service")
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    let waits = move || my_waits(app, Utc::now());
    view! {
        <Show when=move || !bookings().is_empty() || !refused().is_empty() || !waits().is_empty()>
            <h2>{tr(K::MyBookings)}</h2>
            <ul class="list plain" data-testid="my-bookings">
                <For each=waits key=|w| (w.view.id, w.sync, w.view.state.clone()) children=|item| view! { <WaitCard item/> }/>
                <For each=bookings key=|b| (b.view.id, b.sync, b.view.state) children=|item| view! { <BookingCard item/> }/>
                <For each=refused key=|f| f.key.clone() children=|entry| view! { <RefusedBooking entry/> }/>
            </ul>
        </Show>
    }
}

#[component]
fn BookingCard(item: Item<BookingView>) -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let booking = item.view.clone();
    let service = service_of(app, booking.service_id);
    let name = service.as_ref().map(|s| s.name.clone()).unwrap_or_default();
    let day = china_date(booking.starts_at);
    let when = times(booking.starts_at, booking.ends_at);
    let place = StoredValue::new(service);
    let state = StoredValue::new(item.clone());
    let confirming = RwSignal::new(false);
    let id = booking.id;
    let booked = item.sync == SyncState::Submitted && booking.state == BookingState::Booked;
    // In words and an icon, never colour alone: 待同步 (clock), 待确认 (clock), 已预约 (check).
    let (badge_class, badge_icon) = match (item.sync, booking.state) {
        (SyncState::Pending, _) | (_, BookingState::Requested) => ("badge pending", "clock"),
        (_, BookingState::Booked | BookingState::Served) => ("badge submitted", "check"),
        _ => ("badge status", "alert"),
    };
    let has_pass = booked && booking.pass.is_some();
    let may_cancel = booked
        && domain::market::booking::may_cancel(booking.starts_at, &Limits::default(), Utc::now())
            .is_ok();
    let cancel = move |_| {
        if !confirming.get_untracked() {
            confirming.set(true);
            return;
        }
        act::tap(app, CancelBookingArgs { booking_id: id });
    };
    view! {
        <li class="card booking-card" data-testid="booking">
            <p class="booking-title"><strong>{name}</strong></p>
            <p>
                <strong>{move || day_text(i18n.lang(), day)}" "{when.clone()}</strong>
                " · "{move || place.with_value(|s| place_text(i18n.lang(), s.as_ref()))}
            </p>
            <p class="badges">
                <span class=badge_class data-testid="booking-state">
                    <Icon name=badge_icon/>
                    {move || state.with_value(|s| booking_state(i18n.lang(), s))}
                </span>
            </p>
            {(!booking.note.is_empty()).then(|| view! { <p class="muted">{booking.note.clone()}</p> })}
            {(!booking.cancel_reason.is_empty()).then(|| view! {
                <p class="camera-problem" role="status" data-testid="called-off">
                    <Icon name="alert"/>{tr(K::DayCalledOff)}"："{booking.cancel_reason.clone()}
                </p>
            })}
            <div class="row">
                {has_pass.then(|| view! {
                    <A href=format!("/market/pass/{id}") attr:class="button primary big" attr:data-testid="show-pass">
                        <Icon name="check"/>{tr(K::ShowPass)}
                    </A>
                })}
                {may_cancel.then(|| view! {
                    <button class="button" data-testid="cancel-booking" on:click=cancel>
                        {move || if confirming.get() { i18n.t(K::CancelBookingConfirm) } else { i18n.t(K::CancelBooking) }}
                    </button>
                })}
            </div>
        </li>
    }
}

/// A place on a waitlist: 候补中, or a seat offered with the time to take it by and the
/// button, or an offer that lapsed.
#[component]
fn WaitCard(item: Item<WaitlistView>) -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let wait = item.view.clone();
    let service = service_of(app, wait.service_id);
    let name = service.as_ref().map(|s| s.name.clone()).unwrap_or_default();
    let place = StoredValue::new(service);
    let day = china_date(wait.starts_at);
    let when = times(wait.starts_at, wait.ends_at);
    let pending = item.sync == SyncState::Pending;
    let offered_until = (wait.state == "offered")
        .then_some(wait.offer_until)
        .flatten()
        .filter(|until| Utc::now() < *until);
    let lapsed = wait.state == "lapsed" || (wait.state == "offered" && offered_until.is_none());
    let id = wait.id;
    let take = move |_| {
        act::tap(
            app,
            AcceptPromotionArgs {
                waitlist_id: id,
                booking_id: Uuid::new_v4(),
            },
        );
    };
    view! {
        <li class=if offered_until.is_some() { "card booking-card offer-card" } else { "card booking-card" } data-testid="waitlist">
            <p class="booking-title"><strong>{name}</strong></p>
            <p>
                <strong>{move || day_text(i18n.lang(), day)}" "{when.clone()}</strong>
                " · "{move || place.with_value(|s| place_text(i18n.lang(), s.as_ref()))}
            </p>
            {if pending {
                view! { <p class="badges"><SyncBadge state=SyncState::Pending/></p> }.into_any()
            } else if let Some(until) = offered_until {
                view! {
                    <p class="offer" data-testid="seat-offered" role="status"><Icon name="alert"/>
                        {move || i18n::with_number(i18n.lang(), K::SeatOffered, until_words(i18n.lang(), until))}
                    </p>
                    <button class="button primary big" data-testid="take-seat" on:click=take>
                        <Icon name="check"/>{tr(K::TakeSeat)}
                    </button>
                }
                .into_any()
            } else if lapsed {
                view! { <p class="muted" data-testid="offer-lapsed">{tr(K::OfferLapsed)}</p> }.into_any()
            } else {
                view! { <p class="badges"><span class="badge pending" data-testid="waiting"><Icon name="clock"/>{tr(K::OnWaitlist)}</span></p> }.into_any()
            }}
        </li>
    }
}

/// A booking the server refused: why, and (for a full slot) the free slots it offered.
#[component]
fn RefusedBooking(entry: FailedEntry) -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let key = entry.key.clone();
    let note = entry.mutation.args["note"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let now = Utc::now();
    let instead: Vec<MarketSlotView> = app.market_slots.with(|slots| {
        entry
            .alternatives
            .iter()
            .filter_map(|id| slots.iter().find(|s| s.id == *id))
            .filter(|s| bookable(s, now))
            .cloned()
            .collect()
    });
    let title = {
        let entry = entry.clone();
        move || act::label_text(&entry.label, &entry.mutation, i18n.lang())
    };
    let discard = {
        let key = key.clone();
        move |_| spawn_local(actions::discard_failed(app, key.clone()))
    };
    // A full slot can be waited for (候补), with the same note.
    let full_slot = (entry.code == "full")
        .then(|| {
            entry.mutation.args["slot_id"]
                .as_str()
                .and_then(|id| Uuid::parse_str(id).ok())
        })
        .flatten();
    let join = {
        let key = key.clone();
        let note = note.clone();
        move |_| {
            let Some(slot_id) = full_slot else { return };
            let key = key.clone();
            let args = JoinWaitlistArgs {
                id: Uuid::new_v4(),
                slot_id,
                note: note.clone(),
            };
            act::submit(app, args, RwSignal::new(Vec::new()), move || {
                spawn_local(actions::discard_failed(app, key));
            });
        }
    };
    view! {
        <li class="card failed-card" data-testid="refused-booking">
            <p class="failed-title"><Icon name="alert"/><strong>{title}</strong></p>
            <SyncBadge state=SyncState::Failed/>
            <FailureText entry=entry.clone()/>
            {(!instead.is_empty()).then(|| view! {
                <p>{tr(K::BookInstead)}</p>
                <ul class="slots">
                    {instead.into_iter().map(|slot| {
                        let key = key.clone();
                        let note = note.clone();
                        let label = format!("{} {}", day_text(i18n.lang(), china_date(slot.starts_at)), times(slot.starts_at, slot.ends_at));
                        let book = move |_| {
                            let args = BookServiceArgs {
                                id: Uuid::new_v4(),
                                slot_id: slot.id,
                                note: note.clone(),
                                for_household: None,
                            };
                            let key = key.clone();
                            act::submit(app, args, RwSignal::new(Vec::new()), move || {
                                spawn_local(actions::discard_failed(app, key));
                            });
                        };
                        view! {
                            <li><button class="slot" data-testid="book-instead" on:click=book>
                                <span class="slot-time">{label}</span>
                            </button></li>
                        }
                    }).collect_view()}
                </ul>
            })}
            <div class="row">
                {full_slot.is_some().then(|| view! {
                    <button class="button primary" data-testid="join-waitlist" on:click=join.clone()>{tr(K::JoinWaitlist)}</button>
                })}
                <button class="button" on:click=discard>{tr(K::Discard)}</button>
            </div>
        </li>
    }
}

#[component]
fn ServiceCard(
    service: MarketServiceView,
    day: NaiveDate,
    slots: Vec<MarketSlotView>,
    chosen: Choosing,
) -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let venue = if service.venue == "shared_house" {
        K::SharedHouseVenue
    } else {
        K::MarketVenue
    };
    let at_home = service.mode == ServiceMode::AtHome;
    let walk_in = service.walk_in;
    let service_id = service.id;
    let service = StoredValue::new(service);
    let now = Utc::now();
    // The household's booking of this service on this day, if any (one per day), and whether
    // the server has given it (已约) or it is only asked for (已申请).
    let held = move || {
        app.bookings.with(|list| {
            list.iter()
                .filter(|b| b.view.own && b.view.service_id == service_id)
                .filter(|b| china_date(b.view.starts_at) == day)
                .find(|b| b.view.state != BookingState::Cancelled)
                .map(|b| {
                    (
                        b.view.slot_id,
                        b.view.state == BookingState::Booked && b.sync == SyncState::Submitted,
                    )
                })
        })
    };
    let slot_views = StoredValue::new(slots.clone());
    let mine = move |id: Uuid| {
        held()
            .filter(|(slot, _)| *slot == id)
            .map(|(_, given)| given)
    };
    view! {
        <section class="card market-service" data-testid="market-service">
            <h2>{service.with_value(|s| s.name.clone())}</h2>
            <p class="muted">{tr(venue)}" · "{move || service.with_value(|s| place_text(i18n.lang(), Some(s)))}</p>
            <p>{tr(K::MarketNextDay)}" "<strong>{move || day_text(i18n.lang(), day)}</strong></p>
            {walk_in.then(|| view! {
                <p class="walk-in" data-testid="walk-in-hours">
                    {tr(K::OpenHours)}" "<strong>{slots.first().map(|s| times(s.starts_at, s.ends_at))}</strong>
                    <br/>{tr(K::NoBookingNeeded)}
                </p>
            })}
            {(!walk_in).then(|| view! {
            <ul class="slots">
                {slots
                    .into_iter()
                    .map(|slot| {
                        let id = slot.id;
                        let open = bookable(&slot, now);
                        let when = times(slot.starts_at, slot.ends_at);
                        let slot = StoredValue::new(slot);
                        view! {
                            <li>
                                <button
                                    class="slot"
                                    data-testid="market-slot"
                                    aria-pressed=move || if chosen.slot.get() == Some(id) { "true" } else { "false" }
                                    disabled=move || !open || held().is_some()
                                    on:click=move |_| chosen.pick(id)
                                >
                                    <span class="slot-time">{when}</span>
                                    <span class="slot-seats">{move || match mine(id) {
                                        Some(true) => text(i18n.lang(), K::YouBookedThis).to_string(),
                                        Some(false) => text(i18n.lang(), K::YouAskedThis).to_string(),
                                        None => slot.with_value(|s| seats(i18n.lang(), s)),
                                    }}</span>
                                </button>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            })}
            {move || {
                let slot = chosen
                    .slot
                    .get()
                    .and_then(|id| slot_views.with_value(|slots| slots.iter().find(|s| s.id == id).cloned()))?;
                Some(view! { <ConfirmBooking offer=slot at_home chosen place=service.with_value(|s| place_text(i18n.lang(), Some(s)))/> })
            }}
        </section>
    }
}

/// 确认预约: what is being booked, the note for a door-to-door service, and the button.
#[component]
fn ConfirmBooking(
    offer: MarketSlotView,
    at_home: bool,
    chosen: Choosing,
    place: String,
) -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let Choosing { note, errors, .. } = chosen;
    let day = china_date(offer.starts_at);
    let when = times(offer.starts_at, offer.ends_at);
    let slot_id = offer.id;
    let confirm = move |_| {
        let args = BookServiceArgs {
            id: Uuid::new_v4(),
            slot_id,
            note: note.get_untracked(),
            for_household: None,
        };
        act::submit(app, args, errors, move || chosen.done());
    };
    view! {
        <div class="confirm-booking" data-testid="confirm-booking">
            <p><strong>{move || day_text(i18n.lang(), day)}" "{when.clone()}</strong>" · "{place}</p>
            {at_home.then(|| view! {
                <TextBox label=K::HomeNote field="note" value=note errors/>
                <p class="muted">{tr(K::HomeNoteHint)}</p>
            })}
            <div class="row">
                <button class="button primary big" data-testid="confirm-booking-button" on:click=confirm>
                    {tr(K::ConfirmBooking)}
                </button>
                <button class="button" on:click=move |_| chosen.done()>{tr(K::Cancel)}</button>
            </div>
        </div>
    }
}

/// The pass of one of the household's bookings, large, from the phone's own rows: offline.
#[component]
pub fn PassPage() -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let router = use_router();
    let booking = move || {
        let id = router
            .param("id")
            .and_then(|id| Uuid::parse_str(&id).ok())?;
        app.bookings.with(|list| {
            list.iter()
                .find(|b| b.view.id == id && b.view.pass.is_some())
                .map(|b| b.view.clone())
        })
    };
    view! {
        <RequireSession>
            <PageHeader title=K::PassTitle back="/market"/>
            {move || match booking() {
                None => view! { <section class="card"><p>{tr(K::PassNotOnPhone)}</p></section> }.into_any(),
                Some(booking) => {
                    let token = booking.pass.clone().unwrap_or_default();
                    let origin = web_sys::window()
                        .and_then(|w| w.location().origin().ok())
                        .unwrap_or_default();
                    let service = service_of(app, booking.service_id);
                    let name = service.as_ref().map(|s| s.name.clone()).unwrap_or_default();
                    let place = StoredValue::new(service);
                    let day = china_date(booking.starts_at);
                    let when = times(booking.starts_at, booking.ends_at);
                    let code = pass::short_code(booking.id);
                    view! {
                        <section class="card pass-card" data-testid="pass">
                            <h2>{name}</h2>
                            <p class="pass-when"><strong>{move || day_text(i18n.lang(), day)}" "{when.clone()}</strong></p>
                            <p>{move || place.with_value(|s| place_text(i18n.lang(), s.as_ref()))}" · "{booking.who.clone()}</p>
                            <QrCode text=pass::url(&origin, &token) label=i18n.t(K::PassTitle).to_string()/>
                            <p class="pass-code">{tr(K::PassCode)}" "<strong data-testid="pass-code">{code}</strong></p>
                            <p class="muted">{tr(K::PassOffline)}</p>
                        </section>
                    }
                    .into_any()
                }
            }}
        </RequireSession>
    }
}

/// `/p#<token>`: what any phone's camera opens. It shows what the pass says (not checked
/// here: the volunteer's scanner checks the signature) and how it is used.
#[component]
pub fn OpenedPass() -> impl IntoView {
    let i18n = use_i18n();
    let hash = web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default();
    let token = pass::token_in(&format!("/p{hash}")).to_string();
    let claims = pass::read(&token).ok();
    let claims_code = claims.as_ref().map(|c| pass::short_code(c.booking_id));
    let app = use_app();
    // A volunteer's or guard's own phone camera opened the pass: their work app checks it
    // (offline too). A visitor's phone shows the code to hold up at the gate.
    let check_link = format!("/work/today#{token}");
    let gate_link = format!("/work/gate#{token}");
    let origin = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default();
    let qr = (claims.is_some()).then(|| pass::url(&origin, &token));
    view! {
        <PageHeader title=K::PassTitle back="/"/>
        <section class="card pass-card" data-testid="opened-pass">
            {claims.map(|c| {
                let when = format!("{}–{}", domain::time::clock(c.starts), domain::time::clock(c.ends));
                view! {
                    <p class="pass-when"><strong data-testid="opened-window">{move || day_text(i18n.lang(), c.day)}" "{when.clone()}</strong></p>
                    <p class="plate-big">{c.masked_name.clone()}</p>
                }
            })}
            {qr.map(|url| view! { <QrCode text=url label=i18n.t(K::PassTitle).to_string()/> })}
            {claims_code.map(|code| view! { <p class="pass-code">{tr(K::PassCode)}" "<strong>{code}</strong></p> })}
            <p>{tr(K::PassForVolunteer)}</p>
            <Show when=move || app.serves()>
                <a class="button primary big" rel="external" href=check_link.clone() data-testid="check-in-work-app">
                    {tr(K::CheckInWorkApp)}
                </a>
            </Show>
            <Show when=move || app.keeps_gate()>
                <a class="button primary big" rel="external" href=gate_link.clone() data-testid="check-at-gate">
                    {tr(K::CheckAtGate)}
                </a>
            </Show>
        </section>
    }
}
