//! 今日服务: a volunteer's (or the community staff's) bookings of the day, by slot, and the
//! confirmation that a service was given. The pass is checked by its short code here (typed,
//! or read aloud by the resident); the camera scanner comes next and feeds the same check.
//! Confirming queues `confirm_service` through the outbox: offline too, and the server keeps
//! one record however many phones confirm the same booking.

use chrono::{DateTime, Timelike, Utc};
use domain::ledger::china_date;
use domain::market::booking::{BookingState, ConfirmServiceArgs, MarkNoShowArgs};
use domain::market::pass;
use domain::time::beijing;
use domain::wire::BookingView;
use domain::Lang;
use leptos::prelude::*;

use crate::common::act;
use crate::common::components::{Icon, PageHeader, RequireSession};
use crate::common::i18n::{text, tr, use_i18n, K};
use crate::common::state::{use_app, AppState, Item, SyncState};
use crate::common::sync;

fn clock(time: DateTime<Utc>) -> String {
    let local = beijing(time);
    format!("{:02}:{:02}", local.hour(), local.minute())
}

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

fn service_name(app: AppState, booking: &BookingView) -> String {
    app.market_services.with(|list| {
        list.iter()
            .find(|s| s.id == booking.service_id)
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

#[component]
pub fn Today() -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let list = move || todays(app, Utc::now());
    let typed = RwSignal::new(String::new());
    // The booking the typed code names (or a word that it names none).
    let found = RwSignal::new(None::<Result<uuid::Uuid, ()>>);
    let check = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let code = pass::normalise_short_code(&typed.get_untracked());
        let hit = code.and_then(|code| {
            todays(app, Utc::now())
                .into_iter()
                .find(|b| pass::short_code(b.view.id) == code)
                .map(|b| b.view.id)
        });
        found.set(Some(hit.ok_or(())));
    };
    view! {
        <RequireSession>
            <PageHeader title=K::TodayService back="/"/>
            <form class="card" on:submit=check data-testid="pass-code-form">
                <label class="field">
                    <span class="label">{tr(K::EnterPassCode)}</span>
                    <input type="text" name="code" autocomplete="off" autocapitalize="characters" inputmode="text"
                        prop:value=move || typed.get() on:input=move |ev| typed.set(event_target_value(&ev))/>
                </label>
                <button class="button primary big" type="submit">{tr(K::CheckCode)}</button>
            </form>
            {move || match found.get() {
                None => None,
                Some(Err(())) => Some(view! {
                    <section class="card failed-card" data-testid="code-not-found" role="alert">
                        <p><Icon name="alert"/>{tr(K::CodeNotFound)}</p>
                    </section>
                }.into_any()),
                Some(Ok(id)) => {
                    let item = todays(app, Utc::now()).into_iter().find(|b| b.view.id == id)?;
                    Some(view! { <Checked item found/> }.into_any())
                }
            }}
            <h2>{tr(K::TodayService)}</h2>
            <Show when=move || !list().is_empty() fallback=move || view! { <p class="empty">{tr(K::TodayNone)}</p> }>
                <ul class="list plain" data-testid="today-bookings">
                    <For each=list key=|b| (b.view.id, b.sync, b.view.state) children=move |item| {
                        let name = service_name(app, &item.view);
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
                                <span class="grow"><strong>{when}</strong>" "{name}" · "{item.with_value(|i| i.view.who.clone())}</span>
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

/// A pass that checked out: who, what and when in large type, and 确认已服务 — or, when it
/// was confirmed before, by whom and when.
#[component]
fn Checked(
    item: Item<BookingView>,
    found: RwSignal<Option<Result<uuid::Uuid, ()>>>,
) -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let booking = item.view.clone();
    let name = service_name(app, &booking);
    let when = format!("{}–{}", clock(booking.starts_at), clock(booking.ends_at));
    let served = booking.state == BookingState::Served;
    let id = booking.id;
    let item = StoredValue::new(item);
    let confirm = move |_| {
        act::tap(
            app,
            ConfirmServiceArgs {
                booking_id: id,
                confirmed_at: Utc::now(),
                offline: !sync::is_online(),
            },
        );
        found.set(None);
    };
    view! {
        <section class="card pass-card" data-testid="checked-pass">
            <p class="pass-when"><strong>{booking.who.clone()}</strong></p>
            <p><strong>{name}" "{when}</strong></p>
            <p class="badges"><span class="badge status" data-testid="checked-state">{move || item.with_value(|i| state_words(i18n.lang(), i))}</span></p>
            {(!sync::is_online()).then(|| view! {
                <p class="muted" data-testid="checked-offline"><Icon name="cloud-off"/>{tr(K::CheckedOffline)}</p>
            })}
            {(!served).then(|| view! {
                <button class="button primary big" data-testid="confirm-served" on:click=confirm>
                    <Icon name="check"/>{tr(K::ConfirmServed)}
                </button>
            })}
        </section>
    }
}
