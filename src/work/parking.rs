//! 车位管理 for community staff: the day of the 孝心车位 as a timeline (how many of the spots
//! are held each hour, in numbers and bars), today's counts (expected, inside, overstaying),
//! walk-ups waiting for a household without a phone (staff answer for it), and the pool's
//! rules: spots, the longest free stay, the gate's hours, how far ahead, the household limits
//! and how long plates are kept — every field's problem at once, by the domain's own rules.

use chrono::{Duration, NaiveTime, Utc};
use domain::ledger::china_date;
use domain::parking::capacity::{self, Span};
use domain::parking::plate;
use domain::parking::visit::{ApproveWalkUpArgs, SetParkingPoolArgs};
use domain::parking::{PoolRules, VisitStatus};
use domain::time::{clock, clock_of, from_beijing};
use domain::wire::ParkingPoolView;
use domain::FieldError;
use leptos::prelude::*;

use crate::common::act;
use crate::common::components::{field_words, FieldMessage, Icon, PageHeader, RequireSession};
use crate::common::i18n::{self, tr, use_i18n, K};
use crate::common::issue::day_text;
use crate::common::state::{use_app, AppState, SyncState};
use crate::common::visit_form::{visit_badge, ForHousehold, VisitForm};

/// The pools of the communities this person keeps as staff.
fn staffed_pools(app: AppState) -> Vec<ParkingPoolView> {
    app.parking_pools.with(|pools| {
        pools
            .iter()
            .filter(|p| {
                app.roles_in(&p.view.community_id)
                    .contains(&domain::person::Role::CommunityStaff)
            })
            .map(|p| p.view.clone())
            .collect()
    })
}

#[component]
pub fn ParkingSetup() -> impl IntoView {
    let app = use_app();
    // Kept above the pools' views, which a sync re-draws (the saved rules come back).
    let saved = RwSignal::new(false);
    // The communities alone: the rules form and the 代登记 form under them keep what was typed
    // through syncs (each sync brings the pools again, with every visit's span).
    let communities = Memo::new(move |_| {
        staffed_pools(app)
            .into_iter()
            .map(|p| p.community_id)
            .collect::<Vec<_>>()
    });
    view! {
        <RequireSession>
            <PageHeader title=K::ParkingSetup back="/"/>
            {move || {
                let pools = staffed_pools(app);
                if pools.is_empty() {
                    return view! { <section class="card"><p>{tr(K::ParkingNone)}</p></section> }.into_any();
                }
                pools.into_iter().map(|pool| view! { <PoolDay pool/> }).collect_view().into_any()
            }}
            {move || communities.get().into_iter().map(|community| {
                let pool = app.parking_pools.with_untracked(|pools| {
                    pools.iter().find(|p| p.view.community_id == community).map(|p| p.view.clone())
                });
                view! {
                    {pool.map(|pool| view! { <PoolRulesForm pool saved/> })}
                    <StaffVisit community/>
                }
            }).collect_view()}
        </RequireSession>
    }
}

/// 代登记: staff register a visit for a household that phoned or came to the office (an
/// elder without a smartphone), and may let it go beyond the household's limits — which
/// the visit records. Then the coming visits of the community, with their state.
#[component]
fn StaffVisit(community: String) -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let open = RwSignal::new(false);
    let staff = ForHousehold {
        household: RwSignal::new(String::new()),
        over_limit: RwSignal::new(false),
        errors: RwSignal::new(Vec::new()),
    };
    let community = StoredValue::new(community);
    let households = move || {
        app.households.with(|list| {
            list.iter()
                .filter(|h| community.with_value(|c| h.view.community_id == *c))
                .map(|h| (h.view.id, h.view.label.clone()))
                .collect::<Vec<_>>()
        })
    };
    let coming = move || {
        let now = Utc::now();
        let mut list = app.visits.with(|list| {
            list.iter()
                .filter(|v| community.with_value(|c| v.view.community_id == *c))
                .filter(|v| v.view.leaves_by > now)
                .filter(|v| matches!(v.view.status, VisitStatus::Requested | VisitStatus::Booked))
                .cloned()
                .collect::<Vec<_>>()
        });
        list.sort_by_key(|v| v.view.arrives_at);
        list
    };
    // A household that left the list (removed by staff) is no longer the chosen one.
    Effect::new(move |_| {
        let list = households();
        let chosen = staff.household.get_untracked();
        if !chosen.is_empty() && !list.iter().any(|(id, _)| id.to_string() == chosen) {
            staff.household.set(String::new());
        }
    });
    let start = move |_| {
        staff.household.set(String::new());
        staff.over_limit.set(false);
        staff.errors.set(Vec::new());
        open.set(true);
    };
    view! {
        <Show when=move || open.get() fallback=move || view! {
            <button class="button big" data-testid="staff-visit" on:click=start>
                <Icon name="plus"/><span>{tr(K::StaffVisit)}</span>
            </button>
        }>
            <VisitForm community=community.get_value() open staff>
                <label class="field">
                    <span class="label">{tr(K::StaffVisitFor)}</span>
                    <select data-testid="staff-visit-household" on:change=move |ev| {
                        staff.household.set(event_target_value(&ev));
                        staff.errors.update(|e| e.retain(|f| f.field != "for_household"));
                    }>
                        <option value="">"—"</option>
                        // Each option says whether it is the chosen one, so a redrawn list
                        // never shows one household while the form holds another.
                        {move || households().into_iter().map(|(id, label)| {
                            let id = id.to_string();
                            let chosen = id.clone();
                            view! { <option value=id prop:selected=move || staff.household.get() == chosen>{label}</option> }
                        }).collect_view()}
                    </select>
                    <FieldMessage field="for_household" message=field_words(staff.errors, "for_household")/>
                </label>
                <label class="choice">
                    <input type="checkbox" data-testid="staff-visit-over" prop:checked=move || staff.over_limit.get()
                        on:change=move |ev| staff.over_limit.set(event_target_checked(&ev))/>
                    <span>{tr(K::OverLimit)}</span>
                </label>
            </VisitForm>
        </Show>
        <Show when=move || !coming().is_empty()>
            <h2>{tr(K::ComingVisits)}</h2>
            <ul class="list plain" data-testid="coming-visits">
                {move || coming().into_iter().map(|item| {
                    let (class, icon, words) = visit_badge(i18n.lang(), &item);
                    let visit = &item.view;
                    let when = format!("{} {}–{}", day_text(i18n.lang(), china_date(visit.arrives_at)), clock_of(visit.arrives_at), clock_of(visit.leaves_by));
                    view! {
                        <li class="card row-card" data-testid="coming-visit">
                            <span class="grow">
                                <strong class="plate-mid">{plate::display(&visit.plate)}</strong>
                                {visit.household.clone()}" · "{when}
                                {visit.over_limit.then(|| view! { " · "<span>{tr(K::OverLimitShort)}</span> })}
                            </span>
                            <span class=class><Icon name=icon/><span>{words}</span></span>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </Show>
    }
}

/// One pool's day, its waiting walk-ups and its rules.
#[component]
fn PoolDay(pool: ParkingPoolView) -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let now = Utc::now();
    let today = china_date(now);
    let (first, last) = pool
        .rules
        .hours()
        .map(|(opens, closes)| {
            use chrono::Timelike;
            (opens.hour(), closes.hour().max(opens.hour() + 1))
        })
        .unwrap_or((0, 24));
    let spots = pool.rules.spots;
    let hours: Vec<(String, u32)> = (first..last)
        .map(|hour| {
            let starts =
                from_beijing(today.and_time(NaiveTime::from_hms_opt(hour, 0, 0).expect("an hour")));
            let held = capacity::peak(&pool.held, Span::new(starts, starts + Duration::hours(1)));
            (
                clock(NaiveTime::from_hms_opt(hour, 0, 0).expect("an hour")),
                held as u32,
            )
        })
        .collect();
    let community = StoredValue::new(pool.community_id.clone());
    let counts = move || {
        app.visits.with(|list| {
            let mine = list
                .iter()
                .filter(|v| community.with_value(|c| v.view.community_id == *c));
            let (mut expected, mut inside, mut over) = (0, 0, 0);
            for visit in mine {
                match visit.view.status {
                    VisitStatus::Booked if china_date(visit.view.arrives_at) == today => {
                        expected += 1
                    }
                    VisitStatus::Inside if visit.view.leaves_by < Utc::now() => over += 1,
                    VisitStatus::Inside => inside += 1,
                    _ => {}
                }
            }
            (expected, inside, over)
        })
    };
    let asked = move || {
        app.visits.with(|list| {
            list.iter()
                .filter(|v| community.with_value(|c| v.view.community_id == *c))
                .filter(|v| v.view.status == VisitStatus::Awaiting)
                .filter(|v| v.sync == SyncState::Submitted)
                .map(|v| v.view.clone())
                .collect::<Vec<_>>()
        })
    };
    view! {
        <section class="card" data-testid="pool-day">
            <h2>{tr(K::PoolToday)}</h2>
            <p class="badges">
                {move || {
                    let (expected, inside, over) = counts();
                    view! {
                        <span class="badge pending"><Icon name="clock"/>{i18n::with_number(i18n.lang(), K::CountExpected, expected)}</span>
                        <span class="badge submitted"><Icon name="check"/>{i18n::with_number(i18n.lang(), K::CountInside, inside)}</span>
                        <span class="badge status overstay" data-testid="count-overstay"><Icon name="alert"/>{i18n::with_number(i18n.lang(), K::CountOverstay, over)}</span>
                    }
                }}
            </p>
            <ul class="timeline" data-testid="pool-timeline" aria-label=move || i18n.t(K::PoolTimeline)>
                {hours.into_iter().map(|(hour, held)| {
                    // An SVG bar: the security policy allows no inline styles.
                    let width = (held * 100 / spots.max(1)).min(100).to_string();
                    view! {
                        <li>
                            <span class="hour">{hour}</span>
                            <svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true">
                                <rect width="100" height="10" class="bar-back"/>
                                <rect width=width height="10" class="bar-held"/>
                            </svg>
                            <span class="held">{format!("{held}/{spots}")}</span>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <A href="/gate" attr:class="button big" attr:data-testid="to-gate">
                <Icon name="parking"/><span>{tr(K::TodayCars)}</span>
            </A>
        </section>
        <Show when=move || !asked().is_empty()>
            <h2>{tr(K::LaneAsked)}</h2>
            <ul class="list plain">
                {move || asked().into_iter().map(|visit| {
                    let id = visit.id;
                    view! {
                        <li class="card row-card" data-testid="staff-walk-up">
                            <span class="grow"><strong class="plate-mid">{plate::display(&visit.plate)}</strong>{visit.household.clone()}</span>
                            <button class="button small primary" data-testid="approve-for-household" on:click=move |_| {
                                act::tap(app, ApproveWalkUpArgs { visit_id: id, approve: true })
                            }>{tr(K::ApproveForHousehold)}</button>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </Show>
    }
}

use crate::common::router::A;

/// The pool's rules, every field at once, as they were when the page opened (a sync does not
/// overwrite what is being typed).
#[component]
fn PoolRulesForm(pool: ParkingPoolView, saved: RwSignal<bool>) -> impl IntoView {
    let app = use_app();
    let rules = pool.rules.clone();
    let number = |value: u32| RwSignal::new(value.to_string());
    let spots = number(rules.spots);
    let max_hours = number(rules.max_hours);
    let days_ahead = number(rules.days_ahead);
    let per_week = number(rules.per_week);
    let at_once = number(rules.at_once);
    let keep_days = number(rules.keep_days);
    let opens = RwSignal::new(rules.opens.clone().unwrap_or_default());
    let closes = RwSignal::new(rules.closes.clone().unwrap_or_default());
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let community_id = pool.community_id.clone();
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let read = |s: RwSignal<String>| s.get_untracked().trim().parse::<u32>().unwrap_or(0);
        let clock = |s: RwSignal<String>| Some(s.get_untracked()).filter(|t| !t.trim().is_empty());
        let args = SetParkingPoolArgs {
            community_id: community_id.clone(),
            rules: PoolRules {
                spots: read(spots),
                max_hours: read(max_hours),
                opens: clock(opens),
                closes: clock(closes),
                days_ahead: read(days_ahead),
                per_week: read(per_week),
                at_once: read(at_once),
                keep_days: read(keep_days),
            },
        };
        act::submit(app, args, errors, move || saved.set(true));
    };
    let field = move |label: K, name: &'static str, value: RwSignal<String>, kind: &'static str| {
        view! {
            <label class="field">
                <span class="label">{tr(label)}</span>
                <input type=kind name=name inputmode=if kind == "text" { "numeric" } else { "text" }
                    prop:value=move || value.get() on:input=move |ev| { saved.set(false); value.set(event_target_value(&ev)) }/>
                <FieldMessage field=name message=field_words(errors, name)/>
            </label>
        }
    };
    view! {
        <form class="card form" on:submit=save novalidate=true data-testid="pool-rules">
            <h2>{tr(K::PoolRules)}</h2>
            <div class="two-fields">
                {field(K::PoolSpots, "spots", spots, "text")}
                {field(K::PoolMaxHours, "max_hours", max_hours, "text")}
            </div>
            <div class="two-fields">
                {field(K::PoolOpens, "opens", opens, "time")}
                {field(K::PoolCloses, "closes", closes, "time")}
            </div>
            <p class="muted">{tr(K::PoolHoursHint)}</p>
            <div class="two-fields">
                {field(K::PoolDaysAhead, "days_ahead", days_ahead, "text")}
                {field(K::PoolPerWeek, "per_week", per_week, "text")}
            </div>
            <div class="two-fields">
                {field(K::PoolAtOnce, "at_once", at_once, "text")}
                {field(K::PoolKeepDays, "keep_days", keep_days, "text")}
            </div>
            <button class="button primary big" type="submit" data-testid="save-pool">{tr(K::Save)}</button>
            <Show when=move || saved.get()>
                <p role="status" data-testid="pool-saved"><Icon name="check"/>{tr(K::PoolSaved)}</p>
            </Show>
        </form>
    }
}

/// 车位管理 on the work home, for community staff of a community with a pool.
#[component]
pub fn ParkingSetupLink() -> impl IntoView {
    let app = use_app();
    view! {
        <Show when=move || !staffed_pools(app).is_empty()>
            <A href="/parking" attr:class="button big" attr:data-testid="parking-setup-link">
                <Icon name="parking"/>
                <span>{tr(K::ParkingSetup)}</span>
            </A>
        </Show>
    }
}
