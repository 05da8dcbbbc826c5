//! 今日服务: a volunteer's (or the community staff's) bookings of the day, by slot, and the
//! confirmation that a service was given. A pass is checked by the camera (扫码确认, `scan`),
//! when opened from a phone camera's link (`/work/today#<token>`), or by its short code
//! (typed, or read aloud by the resident).
//! Confirming queues `confirm_service` through the outbox: offline too, and the server keeps
//! one record however many phones confirm the same booking.

use chrono::{DateTime, NaiveTime, Timelike, Utc};
use domain::ledger::china_date;
use domain::market::booking::{BookingState, ConfirmServiceArgs, MarkNoShowArgs};
use domain::market::pass::{self, PassClaims, PassError};
use domain::wire::BookingView;
use domain::Lang;
use leptos::prelude::*;
use uuid::Uuid;

use crate::common::act;
use crate::common::components::{Icon, PageHeader, RequireSession};
use crate::common::i18n::{text, tr, use_i18n, K};
use crate::common::state::{use_app, AppState, Item, SyncState};
use crate::common::sync;
use crate::work::scan;

use domain::time::clock_of as clock;

/// Today's bookings this phone holds for its person to serve: not their own household's,
/// not cancelled, earliest first.
fn todays(app: AppState, now: DateTime<Utc>) -> Vec<Item<BookingView>> {
    let today = china_date(now);
    app.bookings.with(|list| {
        list.iter()
            .filter(|b| !b.view.own && china_date(b.view.starts_at) == today)
            .filter(|b| {
                matches!(
                    b.view.state,
                    BookingState::Booked | BookingState::Served | BookingState::NoShow
                )
            })
            .cloned()
            .collect()
    })
}

fn service_name(app: AppState, service_id: Uuid) -> String {
    app.market_services.with(|list| {
        list.iter()
            .find(|s| s.id == service_id)
            .map(|s| s.name.clone())
            .unwrap_or_default()
    })
}

/// Where a booking stands, in words: 已预约, or 已服务 with who and when (待同步 while the
/// confirmation waits on this phone).
fn state_words(lang: Lang, item: &Item<BookingView>) -> String {
    let booking = &item.view;
    let mut words = booking.state.label(lang).to_string();
    if booking.state == BookingState::Served {
        if let Some(at) = booking.served_at {
            words = format!("{words} · {} {}", booking.served_by, clock(at));
        }
    }
    if item.sync == SyncState::Pending {
        words = format!("{words} · {}", text(lang, K::StatePending));
    }
    words
}

/// What the last check found.
#[derive(Clone, Debug, PartialEq)]
enum Outcome {
    /// A typed code that names no booking of today on this phone.
    NoSuchCode,
    /// A booking of today this phone holds (by its code, or a pass that checked out).
    Booking(Uuid),
    /// A pass that checked out, for a booking this phone has not pulled yet (booked after its
    /// last sync): its signature says who and when.
    Unlisted(PassClaims),
    /// A pass refused, and why.
    Refused(PassError),
    /// 已服务 queued for a booking this phone has not pulled.
    Queued,
}

/// What a scanned (or opened) pass is on this phone, now.
fn outcome_of_pass(app: AppState, scanned: &str) -> Outcome {
    let now = Utc::now();
    match scan::check(app, scanned, now) {
        Err(error) => Outcome::Refused(error),
        Ok(claims)
            if todays(app, now)
                .iter()
                .any(|b| b.view.id == claims.booking_id) =>
        {
            Outcome::Booking(claims.booking_id)
        }
        Ok(claims) => Outcome::Unlisted(claims),
    }
}

#[component]
pub fn Today() -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let list = move || todays(app, Utc::now());
    let typed = RwSignal::new(String::new());
    let outcome = RwSignal::new(None::<Outcome>);
    let scanning = RwSignal::new(false);
    scan::on_opened_pass(app, "/work/today", move |token| {
        outcome.set(Some(outcome_of_pass(app, &token)))
    });
    let on_read = Callback::new(move |scanned: String| {
        scanning.set(false);
        outcome.set(Some(untrack(|| outcome_of_pass(app, &scanned))));
    });
    let on_close = Callback::new(move |()| scanning.set(false));
    let check = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let code = pass::normalise_short_code(&typed.get_untracked());
        let hit = code.and_then(|code| {
            todays(app, Utc::now())
                .into_iter()
                .find(|b| pass::short_code(b.view.id) == code)
                .map(|b| b.view.id)
        });
        outcome.set(Some(hit.map_or(Outcome::NoSuchCode, Outcome::Booking)));
    };
    view! {
        <RequireSession>
            <PageHeader title=K::TodayService back="/"/>
            <Show when=move || scanning.get() fallback=move || view! {
                <button class="button primary big scan-button" data-testid="scan-pass"
                    on:click=move |_| { outcome.set(None); scanning.set(true); }>
                    <Icon name="qr"/>{tr(K::ScanPass)}
                </button>
            }>
                <scan::Scanner on_read on_close/>
            </Show>
            {move || outcome.get().map(|found| view! { <OutcomeCard found outcome/> })}
            <form class="card" on:submit=check data-testid="pass-code-form">
                <label class="field">
                    <span class="label">{tr(K::EnterPassCode)}</span>
                    <input type="text" name="code" autocomplete="off" autocapitalize="characters" inputmode="text"
                        prop:value=move || typed.get() on:input=move |ev| typed.set(event_target_value(&ev))/>
                </label>
                <button class="button big" type="submit">{tr(K::CheckCode)}</button>
            </form>
            <h2>{tr(K::TodayService)}</h2>
            <Show when=move || !list().is_empty() fallback=move || view! { <p class="empty">{tr(K::TodayNone)}</p> }>
                <ul class="list plain" data-testid="today-bookings">
                    <For each=list key=|b| (b.view.id, b.sync, b.view.state) children=move |item| {
                        let name = service_name(app, item.view.service_id);
                        let when = format!("{}–{}", clock(item.view.starts_at), clock(item.view.ends_at));
                        // After its slot ended, a booking nobody came for can be marked 未到.
                        let ended = item.view.state == BookingState::Booked
                            && item.sync == SyncState::Submitted
                            && item.view.ends_at <= Utc::now();
                        let id = item.view.id;
                        let confirming = RwSignal::new(false);
                        let mark = move |_| {
                            if !confirming.get_untracked() {
                                confirming.set(true);
                                return;
                            }
                            act::tap(app, MarkNoShowArgs { booking_id: id });
                        };
                        let item = StoredValue::new(item);
                        view! {
                            <li class="card row-card today-row" data-testid="today-booking">
                                <span class="grow"><strong>{when}</strong>" "{name}" · "<span class="nowrap">{item.with_value(|i| i.view.who.clone())}</span>
                                    // 上门服务 on its day: where to go, and the household's note.
                                    {item.with_value(|i| (!i.view.household.is_empty()).then(|| view! {
                                        <span class="door" data-testid="door-address"><Icon name="home"/>{i.view.household.clone()}</span>
                                    }))}
                                    {item.with_value(|i| (!i.view.note.is_empty()).then(|| view! {
                                        <span class="door muted" data-testid="door-note">{i.view.note.clone()}</span>
                                    }))}
                                </span>
                                <span class="badge status">{move || item.with_value(|i| state_words(i18n.lang(), i))}</span>
                                {ended.then(|| view! {
                                    <button class="button small" data-testid="mark-no-show" on:click=mark>
                                        {move || if confirming.get() { i18n.t(K::MarkNoShowConfirm) } else { i18n.t(K::MarkNoShow) }}
                                    </button>
                                })}
                            </li>
                        }
                    }/>
                </ul>
            </Show>
        </RequireSession>
    }
}

/// What the last check found, in words and large type.
#[component]
fn OutcomeCard(found: Outcome, outcome: RwSignal<Option<Outcome>>) -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    match found {
        Outcome::NoSuchCode => view! {
            <section class="card failed-card" data-testid="code-not-found" role="alert">
                <p><Icon name="alert"/>{tr(K::CodeNotFound)}</p>
            </section>
        }
        .into_any(),
        Outcome::Refused(error) => {
            let code = error.code();
            view! {
            <section class="card failed-card" data-testid="pass-refused" data-code=code role="alert">
                <p><Icon name="alert"/>{move || scan::refusal_words(i18n.lang(), &error)}</p>
            </section>
            }
            .into_any()
        }
        Outcome::Queued => view! {
            <section class="card pass-card" data-testid="confirmed-unlisted" role="status">
                <p><Icon name="check"/>{tr(K::ConfirmedUnlisted)}</p>
            </section>
        }
        .into_any(),
        Outcome::Booking(id) => todays(app, Utc::now())
            .into_iter()
            .find(|b| b.view.id == id)
            .map(|item| view! { <Checked item outcome/> }.into_any())
            .unwrap_or_else(|| ().into_any()),
        Outcome::Unlisted(claims) => view! { <UnlistedPass claims outcome/> }.into_any(),
    }
}

/// Queues 已服务 for a booking, as confirmed now, saying whether the phone was offline.
fn confirm_served(app: AppState, booking_id: Uuid) {
    act::tap(
        app,
        ConfirmServiceArgs {
            booking_id,
            confirmed_at: Utc::now(),
            offline: !sync::is_online(),
        },
    );
}

/// A pass that checked out: who, what and when in large type, and 确认已服务 — or, when it
/// was confirmed before, by whom and when.
#[component]
fn Checked(item: Item<BookingView>, outcome: RwSignal<Option<Outcome>>) -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let booking = item.view.clone();
    let name = service_name(app, booking.service_id);
    let when = format!("{}–{}", clock(booking.starts_at), clock(booking.ends_at));
    let served = booking.state == BookingState::Served;
    // Only a booked booking can be confirmed (not one marked 未到).
    let confirmable = booking.state == BookingState::Booked;
    let id = booking.id;
    let item = StoredValue::new(item);
    let confirm = move |_| {
        confirm_served(app, id);
        outcome.set(None);
    };
    view! {
        <section class="card pass-card" data-testid="checked-pass">
            {served.then(|| view! {
                <p class="failed-card" role="alert" data-testid="pass-used"><Icon name="alert"/>{tr(K::PassUsed)}</p>
            })}
            <p class="pass-when"><strong>{booking.who.clone()}</strong></p>
            <p><strong>{name}" "{when}</strong></p>
            <p class="badges"><span class="badge status" data-testid="checked-state">{move || item.with_value(|i| state_words(i18n.lang(), i))}</span></p>
            {(!sync::is_online()).then(|| view! {
                <p class="muted" data-testid="checked-offline"><Icon name="cloud-off"/>{tr(K::CheckedOffline)}</p>
            })}
            {confirmable.then(|| view! {
                <button class="button primary big" data-testid="confirm-served" on:click=confirm>
                    <Icon name="check"/>{tr(K::ConfirmServed)}
                </button>
            })}
        </section>
    }
}

/// A pass that checked out for a booking this phone has not pulled: what its signature says,
/// and 确认已服务 (the server checks it again).
#[component]
fn UnlistedPass(claims: PassClaims, outcome: RwSignal<Option<Outcome>>) -> impl IntoView {
    let app = use_app();
    let name = service_name(app, claims.service_id);
    let hm = |t: NaiveTime| format!("{:02}:{:02}", t.hour(), t.minute());
    let when = format!("{}–{}", hm(claims.starts), hm(claims.ends));
    let id = claims.booking_id;
    let confirm = move |_| {
        confirm_served(app, id);
        outcome.set(Some(Outcome::Queued));
    };
    view! {
        <section class="card pass-card" data-testid="checked-unlisted">
            <p class="pass-when"><strong>{claims.masked_name.clone()}</strong></p>
            <p><strong>{name}" "{when}</strong></p>
            {(!sync::is_online()).then(|| view! {
                <p class="muted" data-testid="checked-offline"><Icon name="cloud-off"/>{tr(K::CheckedOffline)}</p>
            })}
            <button class="button primary big" data-testid="confirm-served" on:click=confirm>
                <Icon name="check"/>{tr(K::ConfirmServed)}
            </button>
        </section>
    }
}
