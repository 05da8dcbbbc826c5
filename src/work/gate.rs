//! 今日车辆: the guard's gate (and community staff's). Today's visits of the communities whose
//! gate this person keeps — overstays first, then cars inside (since when, until when), then
//! expected arrivals, then walk-ups waiting for their household — and the check: scan the
//! pass (the market's scanner, `scan`), open it from a phone camera's link
//! (`/work/gate#<token>`), or type the plate or the pass code. A pass is checked with no
//! network against the pulled keys and visits: another community's, another day's, a
//! cancelled visit's or a forged one is refused with the reason. 入场 and 离场 queue through
//! the outbox like every action, and say when the check was made offline. A visitor with no
//! pass is registered here (walk-up) for the household to approve.

use chrono::{DateTime, Duration, Utc};
use domain::ledger::china_date;
use domain::market::pass::{self, PassClaims, PassError};
use domain::mutation::{GateInArgs, GateOutArgs};
use domain::parking::plate;
use domain::parking::visit::{self, GateArgs, RequestWalkUpArgs};
use domain::parking::VisitStatus;
use domain::time::clock_of as clock;
use domain::wire::VisitView;
use domain::{FieldError, Lang};
use leptos::prelude::*;
use uuid::Uuid;

use crate::common::act;
use crate::common::components::{field_words, FieldMessage, Icon, PageHeader, RequireSession};
use crate::common::i18n::{self, text, tr, use_i18n, K};
use crate::common::issue::TextBox;
use crate::common::plate::{new_plate, PlateInput};
use crate::common::state::{use_app, AppState, Item, SyncState};
use crate::common::sync;
use crate::work::scan;

/// Where a visit stands at the gate today, in the order the guard reads them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Lane {
    Overstay,
    Inside,
    Expected,
    Asked,
    Left,
}

fn lane(visit: &VisitView, now: DateTime<Utc>) -> Option<Lane> {
    let today = china_date(now);
    match visit.status {
        VisitStatus::Inside if visit.leaves_by < now => Some(Lane::Overstay),
        VisitStatus::Inside => Some(Lane::Inside),
        VisitStatus::Booked if china_date(visit.arrives_at) == today => Some(Lane::Expected),
        VisitStatus::Awaiting | VisitStatus::Requested if visit.walk_up => Some(Lane::Asked),
        VisitStatus::Left if visit.left_at.is_some_and(|at| china_date(at) == today) => {
            Some(Lane::Left)
        }
        _ => None,
    }
}

/// Today's visits at the gates this person keeps, overstays first.
fn todays(app: AppState, now: DateTime<Utc>) -> Vec<(Lane, Item<VisitView>)> {
    let mut list: Vec<(Lane, Item<VisitView>)> = app.visits.with(|list| {
        list.iter()
            .filter(|v| !v.view.own || app.keeps_gate())
            .filter_map(|v| lane(&v.view, now).map(|lane| (lane, v.clone())))
            .collect()
    });
    list.sort_by_key(|(lane, item)| (*lane, item.view.arrives_at));
    list
}

/// The pools of the gates this person keeps (their ids are the `service` of visit passes).
fn pool_ids(app: AppState) -> Vec<Uuid> {
    use domain::person::Role;
    app.parking_pools.with_untracked(|pools| {
        pools
            .iter()
            .filter(|p| {
                let roles = untrack(|| app.roles_in(&p.view.community_id));
                roles.contains(&Role::Guard) || roles.contains(&Role::CommunityStaff)
            })
            .map(|p| p.view.id)
            .collect()
    })
}

/// Checks a scanned pass on this phone: the signature against the pulled keys (retired ones
/// verify nothing), expiry, a cancelled visit, and that it is for this gate, today.
fn check(app: AppState, scanned: &str, now: DateTime<Utc>) -> Result<PassClaims, PassError> {
    let cancelled = |id| {
        app.visits.with_untracked(|list| {
            list.iter()
                .any(|v| v.view.id == id && v.view.status == VisitStatus::Cancelled)
        })
    };
    let claims = scan::verify(app, scanned, cancelled, now)?;
    pass::check_for(&claims, &pool_ids(app), china_date(now))?;
    Ok(claims)
}

/// Why a pass was refused at the gate: the scanner's words, with the gate's own for a pass
/// of another community (its pool is not this gate's).
fn refusal_words(lang: Lang, error: &PassError) -> String {
    match error {
        PassError::OtherService => text(lang, K::PassOtherGate).to_string(),
        other => scan::refusal_words(lang, other),
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Outcome {
    Visit(Uuid),
    /// A good pass for a visit this phone has not pulled.
    Unlisted(PassClaims),
    Refused(PassError),
    NotFound,
    /// 入场 queued for a visit this phone has not pulled.
    Queued,
}

fn outcome_of_pass(app: AppState, scanned: &str) -> Outcome {
    let now = Utc::now();
    match check(app, scanned, now) {
        Err(error) => Outcome::Refused(error),
        Ok(claims)
            if app
                .visits
                .with_untracked(|l| l.iter().any(|v| v.view.id == claims.booking_id)) =>
        {
            Outcome::Visit(claims.booking_id)
        }
        Ok(claims) => Outcome::Unlisted(claims),
    }
}

/// A typed plate or pass code, among the visits this phone holds: the pass code first, then
/// the plate (today's visits first).
fn outcome_of_typed(app: AppState, typed: &str) -> Outcome {
    let now = Utc::now();
    let code = pass::normalise_short_code(typed);
    let wanted = plate::normalise(typed);
    let list = todays(app, now);
    list.iter()
        .find(|(_, v)| code.as_deref() == Some(pass::short_code(v.view.id).as_str()))
        .or_else(|| {
            list.iter()
                .find(|(_, v)| !wanted.is_empty() && v.view.plate == wanted)
        })
        .map_or(Outcome::NotFound, |(_, v)| Outcome::Visit(v.view.id))
}

fn gate_args(visit_id: Uuid) -> GateArgs {
    GateArgs {
        visit_id,
        at: Utc::now(),
        offline: !sync::is_online(),
    }
}

#[component]
pub fn Gate() -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let list = move || todays(app, Utc::now());
    let typed = RwSignal::new(String::new());
    let outcome = RwSignal::new(None::<Outcome>);
    let scanning = RwSignal::new(false);
    let walk_up = RwSignal::new(false);
    scan::on_opened_pass(app, "/work/gate", move |token| {
        outcome.set(Some(outcome_of_pass(app, &token)))
    });
    let on_read = Callback::new(move |scanned: String| {
        scanning.set(false);
        outcome.set(Some(untrack(|| outcome_of_pass(app, &scanned))));
    });
    let on_close = Callback::new(move |()| scanning.set(false));
    let find = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        outcome.set(Some(outcome_of_typed(app, &typed.get_untracked())));
    };
    view! {
        <RequireSession>
            <PageHeader title=K::TodayCars back="/"/>
            <Show when=move || scanning.get() fallback=move || view! {
                <button class="button primary big scan-button" data-testid="scan-pass"
                    on:click=move |_| { outcome.set(None); scanning.set(true); }>
                    <Icon name="qr"/>{tr(K::ScanPass)}
                </button>
            }>
                <scan::Scanner on_read on_close/>
            </Show>
            {move || outcome.get().map(|found| view! { <OutcomeCard found outcome/> })}
            <form class="card" on:submit=find data-testid="find-visit-form">
                <label class="field">
                    <span class="label">{tr(K::PlateOrCode)}</span>
                    <input type="text" name="find" autocomplete="off" autocapitalize="characters"
                        prop:value=move || typed.get() on:input=move |ev| typed.set(event_target_value(&ev))/>
                </label>
                <button class="button big" type="submit">{tr(K::FindVisit)}</button>
            </form>
            <h2>{tr(K::TodayCars)}</h2>
            <Show when=move || !list().is_empty() fallback=move || view! { <p class="empty">{tr(K::NoCarsToday)}</p> }>
                <ul class="list plain" data-testid="gate-list">
                    <For each=list key=|(lane, v)| (*lane, v.view.id, v.sync, v.view.status, v.view.leaves_by) children=move |(lane, item)| {
                        view! { <GateRow lane item outcome/> }
                    }/>
                </ul>
            </Show>
            <Show when=move || walk_up.get() fallback=move || view! {
                <button class="button big" data-testid="new-walk-up" on:click=move |_| walk_up.set(true)>
                    <Icon name="plus"/><span>{tr(K::WalkUpNew)}</span>
                </button>
            }>
                <WalkUpForm open=walk_up/>
            </Show>
            <p class="muted">{move || i18n.t(K::GateOfflineNote)}</p>
        </RequireSession>
    }
}

/// One car on today's list: its lane in words, the plate large, the household, the window,
/// and 入场 / 离场.
#[component]
fn GateRow(lane: Lane, item: Item<VisitView>, outcome: RwSignal<Option<Outcome>>) -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let visit = item.view.clone();
    let id = visit.id;
    let pending = item.sync == SyncState::Pending;
    let (class, key) = match lane {
        Lane::Overstay => ("badge status overstay", K::LaneOverstay),
        Lane::Inside => ("badge submitted", K::LaneInside),
        Lane::Expected => ("badge pending", K::LaneExpected),
        Lane::Asked => ("badge pending", K::LaneAsked),
        Lane::Left => ("badge status", K::LaneLeft),
    };
    let overstay = visit::overstay_minutes(visit.status, visit.leaves_by, Utc::now());
    let when = format!("{}–{}", clock(visit.arrives_at), clock(visit.leaves_by));
    let since = visit.entered_at.map(clock);
    view! {
        <li class="card row-card gate-row" data-testid="gate-visit" data-lane=format!("{lane:?}").to_lowercase()>
            <span class="grow">
                <strong class="plate-mid">{plate::display(&visit.plate)}</strong>
                {visit.unusual.then(|| view! { <span class="muted">" "{tr(K::PlateUnusual)}</span> })}
                <span class="door"><Icon name="home"/>{visit.household.clone()}</span>
                <span>{when}{since.map(|s| view! { " · "{tr(K::EnteredAt)}" "{s} })}</span>
                {overstay.map(|m| view! { <span class="camera-problem" data-testid="gate-overstay"><Icon name="alert"/>{move || i18n::with_number(i18n.lang(), K::OverMinutes, m)}</span> })}
            </span>
            <span class=class><Icon name=if lane == Lane::Overstay { "alert" } else { "clock" }/>
                {move || if pending { i18n.t(K::StatePending) } else { i18n.t(key) }}
            </span>
            // A car let in offline can be let out offline too: the outbox keeps their order.
            {matches!(lane, Lane::Expected).then(|| view! {
                <button class="button small primary" data-testid="gate-in" on:click=move |_| {
                    act::tap(app, GateInArgs(gate_args(id)));
                    outcome.set(None);
                }>{tr(K::GateIn)}</button>
            })}
            {matches!(lane, Lane::Inside | Lane::Overstay).then(|| view! {
                <button class="button small primary" data-testid="gate-out" on:click=move |_| {
                    act::tap(app, GateOutArgs(gate_args(id)));
                    outcome.set(None);
                }>{tr(K::GateOut)}</button>
            })}
        </li>
    }
}

/// What the last check found, in words and large type.
#[component]
fn OutcomeCard(found: Outcome, outcome: RwSignal<Option<Outcome>>) -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let offline = !sync::is_online();
    let offline_note = move || {
        offline.then(|| view! {
            <p class="muted" data-testid="checked-offline"><Icon name="cloud-off"/>{tr(K::GateCheckedOffline)}</p>
        })
    };
    match found {
        Outcome::NotFound => view! {
            <section class="card failed-card" data-testid="visit-not-found" role="alert">
                <p><Icon name="alert"/>{tr(K::VisitNotFound)}</p>
            </section>
        }
        .into_any(),
        Outcome::Refused(error) => {
            let code = error.code();
            view! {
                <section class="card failed-card" data-testid="pass-refused" data-code=code role="alert">
                    <p><Icon name="alert"/>{move || refusal_words(i18n.lang(), &error)}</p>
                </section>
            }
            .into_any()
        }
        Outcome::Queued => view! {
            <section class="card pass-card" data-testid="gate-queued" role="status">
                <p><Icon name="check"/>{tr(K::GateQueued)}</p>
            </section>
        }
        .into_any(),
        Outcome::Unlisted(claims) => {
            let id = claims.booking_id;
            let when = format!(
                "{}–{}",
                domain::time::clock(claims.starts),
                domain::time::clock(claims.ends)
            );
            view! {
                <section class="card pass-card" data-testid="checked-visit">
                    <p class="plate-big">{claims.masked_name.clone()}</p>
                    <p><strong>{when}</strong></p>
                    {offline_note}
                    <p>{tr(K::ComparePlate)}</p>
                    <button class="button primary big" data-testid="let-in" on:click=move |_| {
                        act::tap(app, GateInArgs(gate_args(id)));
                        outcome.set(Some(Outcome::Queued));
                    }>{tr(K::GateIn)}</button>
                </section>
            }
            .into_any()
        }
        Outcome::Visit(id) => {
            let Some(item) = app
                .visits
                .with_untracked(|l| l.iter().find(|v| v.view.id == id).cloned())
            else {
                return ().into_any();
            };
            let visit = item.view.clone();
            let when = format!("{}–{}", clock(visit.arrives_at), clock(visit.leaves_by));
            let today = china_date(Utc::now());
            // A visit found by its plate or code is checked like a scanned pass: cancelled, or
            // another day's, is refused.
            let refusal = match visit.status {
                VisitStatus::Cancelled => Some(PassError::Revoked),
                _ if china_date(visit.arrives_at) != today
                    && visit.status == VisitStatus::Booked =>
                {
                    Some(PassError::OtherDay {
                        day: china_date(visit.arrives_at),
                    })
                }
                _ => None,
            };
            if let Some(error) = refusal {
                return view! { <OutcomeCard found=Outcome::Refused(error) outcome/> }.into_any();
            }
            let status = visit.status;
            let early = visit.arrives_at - Duration::hours(1) > Utc::now();
            view! {
                <section class="card pass-card" data-testid="checked-visit">
                    <p class="plate-big" data-testid="checked-plate">{plate::display(&visit.plate)}</p>
                    <p><strong>{when}</strong>" · "{visit.household.clone()}</p>
                    {early.then(|| view! { <p class="camera-problem"><Icon name="alert"/>{tr(K::ArrivesLater)}</p> })}
                    {offline_note}
                    <p>{tr(K::ComparePlate)}</p>
                    {match status {
                        VisitStatus::Booked => view! {
                            <button class="button primary big" data-testid="let-in" on:click=move |_| {
                                act::tap(app, GateInArgs(gate_args(id)));
                                outcome.set(None);
                            }>{tr(K::GateIn)}</button>
                        }.into_any(),
                        VisitStatus::Inside => view! {
                            <button class="button primary big" data-testid="let-out" on:click=move |_| {
                                act::tap(app, GateOutArgs(gate_args(id)));
                                outcome.set(None);
                            }>{tr(K::GateOut)}</button>
                        }.into_any(),
                        other => view! { <p class="badge status">{move || other.label(i18n.lang())}</p> }.into_any(),
                    }}
                </section>
            }
            .into_any()
        }
    }
}

/// 临时访客: a car at the gate with no pass. The plate, the household it visits, the stay;
/// the household approves on its phone (or staff do).
#[component]
fn WalkUpForm(open: RwSignal<bool>) -> impl IntoView {
    let app = use_app();
    let plate = new_plate();
    let household = RwSignal::new(String::new());
    let hours = RwSignal::new(2u32);
    let note = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let households = move || {
        app.households.with(|list| {
            list.iter()
                .map(|h| (h.view.id, h.view.label.clone()))
                .collect::<Vec<_>>()
        })
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Ok(household_id) = Uuid::parse_str(&household.get_untracked()) else {
            errors.set(vec![FieldError::new(
                "household_id",
                domain::FieldErrorKind::Required,
            )]);
            return;
        };
        let args = RequestWalkUpArgs {
            id: Uuid::new_v4(),
            plate: plate.get_untracked(),
            household_id,
            hours: hours.get_untracked(),
            at: Utc::now(),
            note: note.get_untracked(),
        };
        act::submit(app, args, errors, move || open.set(false));
    };
    view! {
        <form class="card form" on:submit=save novalidate=true data-testid="walk-up-form">
            <h2>{tr(K::WalkUpNew)}</h2>
            <PlateInput value=plate errors/>
            <label class="field">
                <span class="label">{tr(K::WalkUpHousehold)}</span>
                <select data-testid="walk-up-household" on:change=move |ev| household.set(event_target_value(&ev))>
                    <option value="">"—"</option>
                    {move || households().into_iter().map(|(id, label)| {
                        let value = id.to_string();
                        let chosen = value.clone();
                        // Re-drawn by a sync: the option shown is the one the form sends.
                        view! { <option value=value prop:selected=move || household.with(|h| *h == chosen)>{label}</option> }
                    }).collect_view()}
                </select>
                <FieldMessage field="household_id" message=field_words(errors, "household_id")/>
            </label>
            <label class="field">
                <span class="label">{tr(K::VisitHours)}</span>
                <select data-testid="walk-up-hours" on:change=move |ev| hours.set(event_target_value(&ev).parse().unwrap_or(2))>
                    {(1..=visit::HOURS_MAX).map(|h| view! { <option value=h.to_string() selected=h == 2>{h}</option> }).collect_view()}
                </select>
                <FieldMessage field="hours" message=field_words(errors, "hours")/>
            </label>
            <TextBox label=K::VisitNote field="note" value=note errors/>
            <div class="row">
                <button class="button primary big" type="submit" data-testid="save-walk-up">{tr(K::WalkUpSend)}</button>
                <button class="button" type="button" on:click=move |_| open.set(false)>{tr(K::Cancel)}</button>
            </div>
        </form>
    }
}

/// 今日车辆 on the work home, for guards and staff.
#[component]
pub fn GateLink() -> impl IntoView {
    let app = use_app();
    view! {
        <Show when=move || app.keeps_gate()>
            <crate::common::router::A href="/gate" attr:class="button big primary" attr:data-testid="gate-link">
                <Icon name="parking"/>
                <span>{tr(K::TodayCars)}</span>
            </crate::common::router::A>
        </Show>
    }
}
