//! 集市 for residents: the 公益集市's and 共享小屋's services of their community on the next day
//! each is given, with the seats left in every slot — from the pulled rows, so offline too.
//! Booking on the phone comes next; until then the page says how to book (call the community).

use chrono::{DateTime, Duration, NaiveDate, Timelike, Utc};
use domain::ledger::china_date;
use domain::market::ServiceMode;
use domain::wire::{MarketServiceView, MarketSlotView};
use domain::Lang;
use leptos::prelude::*;

use crate::common::components::{PageHeader, RequireSession};
use crate::common::i18n::{self, text, tr, use_i18n, K};
use crate::common::issue::day_text;
use crate::common::state::use_app;

/// Beijing time of day, `08:30`.
fn clock(time: DateTime<Utc>) -> String {
    let local = time + Duration::hours(8);
    format!("{:02}:{:02}", local.hour(), local.minute())
}

/// A slot's seats in words (never by colour alone): 余2位, 已满, 暂停.
fn seats(lang: Lang, slot: &MarketSlotView) -> String {
    let free = slot.capacity.saturating_sub(slot.booked);
    if slot.closed {
        text(lang, K::SlotClosed).to_string()
    } else if free == 0 {
        text(lang, K::SlotFull).to_string()
    } else {
        i18n::with_number(lang, K::SeatsLeft, free)
    }
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

#[component]
pub fn Market() -> impl IntoView {
    let app = use_app();
    let offered = move || {
        app.market_slots
            .with(|slots| next_days(app.market_services.get(), slots, Utc::now()))
    };
    view! {
        <RequireSession>
            <PageHeader title=K::TabMarket/>
            <p class="intro">{tr(K::MarketIntro)}</p>
            {move || {
                let offered = offered();
                if offered.is_empty() {
                    return view! {
                        <section class="card" data-testid="market-none"><p>{tr(K::MarketNone)}</p></section>
                    }
                    .into_any();
                }
                offered
                    .into_iter()
                    .map(|(service, day, slots)| view! { <ServiceCard service day slots/> })
                    .collect_view()
                    .into_any()
            }}
            <p class="muted" data-testid="market-booking-soon">{tr(K::MarketBookingSoon)}</p>
        </RequireSession>
    }
}

#[component]
fn ServiceCard(
    service: MarketServiceView,
    day: NaiveDate,
    slots: Vec<MarketSlotView>,
) -> impl IntoView {
    let i18n = use_i18n();
    let venue = if service.venue == "shared_house" {
        K::SharedHouseVenue
    } else {
        K::MarketVenue
    };
    let place = StoredValue::new(match service.mode {
        ServiceMode::AtPlace => Some(service.place.clone()),
        ServiceMode::AtHome => None,
    });
    let place_text = move || {
        place
            .get_value()
            .unwrap_or_else(|| i18n.t(K::AtYourHome).to_string())
    };
    view! {
        <section class="card market-service" data-testid="market-service">
            <h2>{service.name.clone()}</h2>
            <p class="muted">{tr(venue)}" · "{place_text}</p>
            <p>{tr(K::MarketNextDay)}" "<strong>{move || day_text(i18n.lang(), day)}</strong></p>
            <ul class="slots">
                {slots
                    .into_iter()
                    .map(|slot| {
                        let times = format!("{}–{}", clock(slot.starts_at), clock(slot.ends_at));
                        view! {
                            <li class="slot" data-testid="market-slot">
                                <span class="slot-time">{times}</span>
                                <span class="slot-seats">{move || seats(i18n.lang(), &slot)}</span>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
    }
}
