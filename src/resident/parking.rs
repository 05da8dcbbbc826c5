//! 车位 for residents: the community's 孝心车位 — how many spots, for how long, when the gate
//! is open, and how many are free now and in the window being chosen (from the pulled pool,
//! so offline too) — and registering a visiting car: the plate on its keyboard, shown back in
//! large type; the day, time and stay; who is coming. The request waits as 待同步 / 待确认
//! until the server holds a spot (已预约, with a pass to show or send to the visitor) or
//! refuses it (未成功, with the free windows it offered, one tap to take one). A car inside
//! can stay longer while a spot is free; one past its time says so (您的访客车辆已超时…); a
//! visitor the guard registered at the gate waits for the household's 同意.

use chrono::{DateTime, Duration, Utc};
use domain::ledger::china_date;
use domain::market::pass;
use domain::parking::capacity::Span;
use domain::parking::plate;
use domain::parking::visit::{
    self, ApproveWalkUpArgs, CancelVisitArgs, ChangeVisitArgs, RegisterVisitArgs,
};
use domain::parking::VisitStatus;
use domain::time::clock_of as clock;
use domain::wire::{ParkingPoolView, VisitView};
use domain::Lang;
use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;

use crate::common::act;
use crate::common::actions;
use crate::common::components::{FailureText, Icon, PageHeader, QrCode, RequireSession, SyncBadge};
use crate::common::i18n::{self, text, tr, use_i18n, K};
use crate::common::issue::day_text;
use crate::common::router::{use_router, A};
use crate::common::state::{use_app, AppState, Item, SyncState};
use crate::common::store::FailedEntry;
use crate::common::visit_form::{free_over, visit_badge, VisitForm};

/// The pool of the community the person lives in.
fn home_pool(app: AppState) -> Option<ParkingPoolView> {
    let home = app.session.with(|s| {
        s.as_ref()
            .and_then(|s| s.home_community().map(|m| m.community_id.clone()))
    })?;
    app.parking_pools.with(|pools| {
        pools
            .iter()
            .find(|p| p.view.community_id == home)
            .map(|p| p.view.clone())
    })
}

fn window_words(lang: Lang, starts_at: DateTime<Utc>, ends_at: DateTime<Utc>) -> String {
    format!(
        "{} {}–{}",
        day_text(lang, china_date(starts_at)),
        clock(starts_at),
        clock(ends_at)
    )
}

/// The household's visits that still matter: not over (a car inside always matters), and
/// not cancelled unless that still waits on the phone.
fn my_visits(app: AppState, now: DateTime<Utc>) -> Vec<Item<VisitView>> {
    app.visits.with(|list| {
        list.iter()
            .filter(|v| v.view.own)
            .filter(|v| v.view.leaves_by > now || v.view.status == VisitStatus::Inside)
            .filter(|v| v.view.status != VisitStatus::Left || v.sync == SyncState::Pending)
            .filter(|v| v.view.status != VisitStatus::Cancelled || v.sync == SyncState::Pending)
            .cloned()
            .collect()
    })
}

#[component]
pub fn Parking() -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let open = RwSignal::new(false);
    let pool = move || home_pool(app);
    // Only the community: the form reads the pool's changes itself, keeping what was typed.
    let community = Memo::new(move |_| home_pool(app).map(|p| p.community_id));
    view! {
        <RequireSession>
            <PageHeader title=K::TabParking/>
            <p class="intro">{tr(K::ParkingIntro)}</p>
            {move || match pool() {
                None => view! {
                    <section class="card" data-testid="parking-none"><p>{tr(K::ParkingNone)}</p></section>
                }.into_any(),
                Some(pool) => {
                    let rules = pool.rules.clone();
                    let now = Utc::now();
                    let free_now = free_over(&pool, Span::new(now, now + Duration::minutes(1)));
                    let hours = match (&rules.opens, &rules.closes) {
                        (Some(opens), Some(closes)) => format!("{opens}–{closes}"),
                        _ => text(i18n.lang(), K::AllDay).to_string(),
                    };
                    view! {
                        <section class="card pool-card" data-testid="parking-pool">
                            <p class="pool-free"><strong data-testid="spots-free">{move || i18n::with_number(i18n.lang(), K::SpotsFreeNow, free_now)}</strong></p>
                            <p>{move || i18n::with_number(i18n.lang(), K::SpotsTotal, rules.spots)}" · "
                                {move || i18n::with_number(i18n.lang(), K::FreeHours, rules.max_hours)}</p>
                            <p>{tr(K::GateHours)}" "<strong>{hours}</strong></p>
                            <p class="muted">{move || i18n::with_number(i18n.lang(), K::HouseholdWeekLimit, rules.per_week)}</p>
                        </section>
                    }.into_any()
                }
            }}
            <MyVisits/>
            <Show when=move || pool().is_some()>
                <Show when=move || open.get() fallback=move || view! {
                    <button class="button primary big" data-testid="new-visit" on:click=move |_| open.set(true)>
                        <Icon name="plus"/><span>{tr(K::RegisterVisit)}</span>
                    </button>
                }>
                    {move || community.get().map(|community| view! { <VisitForm community open/> })}
                </Show>
            </Show>
        </RequireSession>
    }
}

/// 我的访客车辆: the household's visits, and the registrations the server refused.
#[component]
fn MyVisits() -> impl IntoView {
    let app = use_app();
    let visits = move || my_visits(app, Utc::now());
    let refused = move || {
        app.failed.with(|list| {
            list.iter()
                .filter(|f| f.mutation.name == "register_visit")
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    view! {
        <Show when=move || !visits().is_empty() || !refused().is_empty()>
            <h2>{tr(K::MyVisits)}</h2>
            <ul class="list plain" data-testid="my-visits">
                <For each=visits key=|v| (v.view.id, v.sync, v.view.status, v.view.leaves_by) children=|item| view! { <VisitCard item/> }/>
                <For each=refused key=|f| f.key.clone() children=|entry| view! { <RefusedVisit entry/> }/>
            </ul>
        </Show>
    }
}

#[component]
fn VisitCard(item: Item<VisitView>) -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let visit = item.view.clone();
    let id = visit.id;
    let now = Utc::now();
    let settled = item.sync == SyncState::Submitted;
    let (badge_class, badge_icon, _) = visit_badge(Lang::Zh, &item);
    let stored = StoredValue::new(item.clone());
    let when = window_words(Lang::Zh, visit.arrives_at, visit.leaves_by);
    let when_en = window_words(Lang::En, visit.arrives_at, visit.leaves_by);
    let overstay = visit::overstay_minutes(visit.status, visit.leaves_by, now);
    let has_pass = settled
        && matches!(visit.status, VisitStatus::Booked | VisitStatus::Inside)
        && visit.pass.is_some();
    let may_cancel = settled && visit.status == VisitStatus::Booked;
    let may_extend = settled && visit.status == VisitStatus::Inside;
    let asks = settled && visit.status == VisitStatus::Awaiting;
    let confirming = RwSignal::new(false);
    let cancel = move |_| {
        if !confirming.get_untracked() {
            confirming.set(true);
            return;
        }
        act::tap(app, CancelVisitArgs { visit_id: id });
    };
    let hours_now = ((visit.leaves_by - visit.arrives_at).num_minutes() / 60) as u32;
    let arrives_at = visit.arrives_at;
    let extend = move |_| {
        act::tap(
            app,
            ChangeVisitArgs {
                visit_id: id,
                arrives_at,
                hours: hours_now + 1,
            },
        )
    };
    let answer = move |approve: bool| {
        act::tap(
            app,
            ApproveWalkUpArgs {
                visit_id: id,
                approve,
            },
        )
    };
    let max_hours = home_pool(app).map(|p| p.rules.max_hours).unwrap_or(0);
    let changing = RwSignal::new(false);
    let before_arrival = may_cancel && now < visit.arrives_at;
    let editing = StoredValue::new(visit.clone());
    view! {
        <li class="card visit-card" data-testid="visit">
            <p class="plate-big" data-testid="visit-plate">{plate::display(&visit.plate)}</p>
            <p><strong>{move || if i18n.lang() == Lang::Zh { when.clone() } else { when_en.clone() }}</strong>
                {(!visit.relation.is_empty()).then(|| view! { " · "{move || visit::relation_words(&visit.relation, i18n.lang())} })}
            </p>
            <p class="badges">
                <span class=badge_class data-testid="visit-state">
                    <Icon name=badge_icon/>{move || stored.with_value(|i| visit_badge(i18n.lang(), i).2)}
                </span>
                {visit.entered_at.map(|at| view! { <span class="muted">{tr(K::EnteredAt)}" "{clock(at)}</span> })}
            </p>
            {overstay.map(|minutes| view! {
                <p class="camera-problem" role="alert" data-testid="overstay">
                    <Icon name="alert"/>{move || visit::overstay_words(minutes, i18n.lang())}
                </p>
            })}
            {asks.then(|| view! {
                <p data-testid="walk-up-ask">{tr(K::WalkUpExplain)}</p>
                <div class="row">
                    <button class="button primary big" data-testid="approve-walk-up" on:click=move |_| answer(true)>
                        <Icon name="check"/>{tr(K::WalkUpApprove)}
                    </button>
                    <button class="button" data-testid="decline-walk-up" on:click=move |_| answer(false)>{tr(K::WalkUpDecline)}</button>
                </div>
            })}
            <div class="row">
                {has_pass.then(|| view! {
                    <A href=format!("/parking/pass/{id}") attr:class="button primary big" attr:data-testid="show-visit-pass">
                        <Icon name="qr"/>{tr(K::ShowVisitPass)}
                    </A>
                })}
                {(may_extend && hours_now < max_hours).then(|| view! {
                    <button class="button" data-testid="extend-visit" on:click=extend>{tr(K::ExtendHour)}</button>
                })}
                {before_arrival.then(|| view! {
                    <button class="button" data-testid="change-visit" on:click=move |_| changing.update(|c| *c = !*c)>{tr(K::ChangeVisitTime)}</button>
                })}
                {may_cancel.then(|| view! {
                    <button class="button" data-testid="cancel-visit" on:click=cancel>
                        {move || if confirming.get() { i18n.t(K::CancelVisitConfirm) } else { i18n.t(K::CancelVisit) }}
                    </button>
                })}
            </div>
            <Show when=move || changing.get()>
                {move || {
                    let visit = editing.get_value();
                    view! { <VisitForm community=visit.community_id.clone() open=changing editing=visit/> }
                }}
            </Show>
        </li>
    }
}

/// A registration the server refused: why, and (for a full window) the free windows it
/// offered, each one tap to register for.
#[component]
fn RefusedVisit(entry: FailedEntry) -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let key = entry.key.clone();
    let args: Option<RegisterVisitArgs> = serde_json::from_value(entry.mutation.args.clone()).ok();
    let title = {
        let entry = entry.clone();
        move || act::label_text(&entry.label, &entry.mutation, i18n.lang())
    };
    let discard = {
        let key = key.clone();
        move |_| spawn_local(actions::discard_failed(app, key.clone()))
    };
    let windows = entry.windows.clone();
    view! {
        <li class="card failed-card" data-testid="refused-visit">
            <p class="failed-title"><Icon name="alert"/><strong>{title}</strong></p>
            <SyncBadge state=SyncState::Failed/>
            <FailureText entry=entry.clone()/>
            {(!windows.is_empty()).then(|| view! {
                <p>{tr(K::VisitInstead)}</p>
                <ul class="slots">
                    {windows.into_iter().map(|window| {
                        let key = key.clone();
                        let args = args.clone();
                        let label = move || window_words(i18n.lang(), window.starts_at, window.ends_at);
                        let take = move |_| {
                            let Some(mut again) = args.clone() else { return };
                            again.id = Uuid::new_v4();
                            again.arrives_at = window.starts_at;
                            let key = key.clone();
                            act::submit(app, again, RwSignal::new(Vec::new()), move || {
                                spawn_local(actions::discard_failed(app, key));
                            });
                        };
                        view! {
                            <li><button class="slot" data-testid="visit-instead" on:click=take>
                                <span class="slot-time">{label}</span>
                            </button></li>
                        }
                    }).collect_view()}
                </ul>
            })}
            <div class="row">
                <button class="button" on:click=discard>{tr(K::Discard)}</button>
            </div>
        </li>
    }
}

/// Sends the pass to the visitor: the phone's share sheet where there is one, else the link
/// copied. The link opens in any browser, without an account, and says nothing else about
/// the household.
fn share_pass(url: &str, title: &str, done: RwSignal<bool>) {
    use wasm_bindgen::JsCast;
    let Some(window) = web_sys::window() else {
        return;
    };
    let navigator = window.navigator();
    let share = js_sys::Reflect::get(&navigator, &"share".into()).ok();
    if let Some(share) = share.and_then(|s| s.dyn_into::<js_sys::Function>().ok()) {
        let data = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&data, &"title".into(), &title.into());
        let _ = js_sys::Reflect::set(&data, &"url".into(), &url.into());
        // A dismissed share sheet is not an error worth telling.
        let _ = share.call1(&navigator, &data);
        return;
    }
    let clipboard = js_sys::Reflect::get(&navigator, &"clipboard".into()).ok();
    let write = clipboard
        .as_ref()
        .and_then(|c| js_sys::Reflect::get(c, &"writeText".into()).ok())
        .and_then(|w| w.dyn_into::<js_sys::Function>().ok());
    if let (Some(clipboard), Some(write)) = (clipboard, write) {
        if let Ok(promise) = write.call1(&clipboard, &url.into()) {
            if let Ok(promise) = promise.dyn_into::<js_sys::Promise>() {
                spawn_local(async move {
                    if wasm_bindgen_futures::JsFuture::from(promise).await.is_ok() {
                        done.set(true);
                    }
                });
            }
        }
    }
}

/// The pass of one of the household's visits, large, from the phone's own rows: offline.
#[component]
pub fn VisitPassPage() -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let router = use_router();
    let copied = RwSignal::new(false);
    let visit = move || {
        let id = router
            .param("id")
            .and_then(|id| Uuid::parse_str(&id).ok())?;
        app.visits.with(|list| {
            list.iter()
                .find(|v| v.view.id == id && v.view.pass.is_some())
                .map(|v| v.view.clone())
        })
    };
    view! {
        <RequireSession>
            <PageHeader title=K::VisitPassTitle back="/parking"/>
            {move || match visit() {
                None => view! { <section class="card"><p>{tr(K::PassNotOnPhone)}</p></section> }.into_any(),
                Some(visit) => {
                    let token = visit.pass.clone().unwrap_or_default();
                    let origin = web_sys::window()
                        .and_then(|w| w.location().origin().ok())
                        .unwrap_or_default();
                    let url = pass::url(&origin, &token);
                    let share_url = url.clone();
                    let when = move || window_words(i18n.lang(), visit.arrives_at, visit.leaves_by);
                    let code = pass::short_code(visit.id);
                    let share = move |_| share_pass(&share_url, i18n.t(K::VisitPassTitle), copied);
                    view! {
                        <section class="card pass-card" data-testid="visit-pass">
                            <p class="plate-big">{plate::display(&visit.plate)}</p>
                            <p class="pass-when"><strong>{when}</strong></p>
                            <QrCode text=url label=i18n.t(K::VisitPassTitle).to_string()/>
                            <p class="pass-code">{tr(K::PassCode)}" "<strong data-testid="pass-code">{code}</strong></p>
                            <p class="muted">{tr(K::VisitPassHow)}</p>
                            <button class="button big" data-testid="share-pass" on:click=share>{tr(K::SendToVisitor)}</button>
                            <Show when=move || copied.get()>
                                <p role="status" data-testid="link-copied"><Icon name="check"/>{tr(K::LinkCopied)}</p>
                            </Show>
                        </section>
                    }
                    .into_any()
                }
            }}
        </RequireSession>
    }
}

/// For 首页: the household's car overstaying (您的访客车辆已超时…), else its next visit
/// (苏K·12345 12月8日 09:00), if any.
pub fn next_visit(app: AppState) -> Option<String> {
    let now = Utc::now();
    let lang = crate::common::i18n::use_i18n().lang();
    let visits = my_visits(app, now);
    if let Some(minutes) = visits
        .iter()
        .find_map(|v| visit::overstay_minutes(v.view.status, v.view.leaves_by, now))
    {
        return Some(visit::overstay_words(minutes, lang));
    }
    visits
        .iter()
        .find(|v| {
            matches!(
                v.view.status,
                VisitStatus::Booked | VisitStatus::Inside | VisitStatus::Awaiting
            )
        })
        .map(|v| {
            format!(
                "{} {} {}",
                plate::display(&v.view.plate),
                day_text(lang, china_date(v.view.arrives_at)),
                clock(v.view.arrives_at)
            )
        })
}
