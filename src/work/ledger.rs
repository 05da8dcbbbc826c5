//! 台账: the dialogue ledger computed on the phone from its cached records (so it works
//! offline) with the same domain code the server uses for the API and the export.

use chrono::{Datelike, NaiveDate, Utc};
use domain::ledger::{self, china_date, Figure, Period};
use domain::person::Role;
use domain::wire::{CommunityView, DialogueView, IssueView};
use leptos::prelude::*;

use crate::common::components::{IssueCard, PageHeader, RequireSession};
use crate::common::i18n::{self, tr, use_i18n, K};
use crate::common::state::{use_app, Item, SyncState};

const ARTICLE_FROM: (i32, u32, u32) = (2018, 10, 1);
const ARTICLE_TO: (i32, u32, u32) = (2020, 3, 31);

fn ymd((y, m, d): (i32, u32, u32)) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a date")
}

#[component]
pub fn Ledger() -> impl IntoView {
    let app = use_app();
    let today = china_date(Utc::now());
    let township = app.session.with_untracked(|s| {
        s.as_ref()
            .is_some_and(|s| s.memberships.iter().any(|m| m.role == Role::TownshipStaff))
    });
    let home = app.session.with_untracked(|s| {
        s.as_ref().and_then(|s| {
            s.memberships
                .iter()
                .find(|m| m.role != Role::TownshipStaff)
                .map(|m| m.community_id.clone())
        })
    });
    // "" means the whole township.
    let scope = RwSignal::new(home.clone().unwrap_or_default());
    let from = RwSignal::new(ymd(ARTICLE_FROM).to_string());
    let to = RwSignal::new(ymd(ARTICLE_TO).to_string());
    let drill = RwSignal::new(None::<Figure>);
    let communities = LocalResource::new(move || async move {
        let response = gloo_net::http::Request::get("/api/communities")
            .send()
            .await
            .ok()?;
        crate::common::api::json::<Vec<CommunityView>>(response).await
    });
    let period = move || {
        let parse = |s: String| ledger::parse_day(&s);
        Period {
            from: parse(from.get()).unwrap_or(NaiveDate::MIN),
            to: parse(to.get()).unwrap_or(today),
        }
    };
    let issues = move || -> Vec<IssueView> {
        let scope = scope.get();
        app.issues.with(|list| {
            list.iter()
                .filter(|i| i.sync == SyncState::Submitted)
                .filter(|i| scope.is_empty() || i.view.community_id == scope)
                .map(|i| i.view.clone())
                .collect()
        })
    };
    let dialogues = move || -> Vec<DialogueView> {
        let scope = scope.get();
        app.dialogues.with(|list| {
            list.iter()
                .filter(|d| scope.is_empty() || d.view.community_id == scope)
                .map(|d| d.view.clone())
                .collect()
        })
    };
    let figures = Memo::new(move |_| ledger::figures(&issues(), &dialogues(), period(), today));
    let bars = Memo::new(move |_| ledger::per_session(&issues(), &dialogues(), period()));
    let preset = move |f: NaiveDate, t: NaiveDate| {
        from.set(f.to_string());
        to.set(t.to_string());
        drill.set(None);
    };
    let target = Signal::derive(move || match scope.get() {
        s if s.is_empty() => "township=tangwang".to_string(),
        s => format!("community={s}"),
    });
    let export = move |format: &str| {
        format!(
            "/api/ledger/export?{}&from={}&to={}&format={format}",
            target.get(),
            from.get(),
            to.get()
        )
    };
    let figure_card = move |key: K, value: Signal<String>, figure: Option<Figure>| {
        view! {
            <button class="figure" aria-pressed=move || (figure.is_some() && drill.get() == figure).to_string()
                data-testid=format!("figure-{key:?}") on:click=move |_| drill.set(figure)>
                <span class="figure-value">{value}</span>
                <span class="figure-label">{tr(key)}</span>
            </button>
        }
    };
    view! {
        <RequireSession>
            <PageHeader title=K::Ledger back="/issues"/>
            <p class="intro">{tr(K::LedgerIntro)}</p>
            {township.then(|| view! {
                <label class="field">
                    <span class="label">{tr(K::LedgerScope)}</span>
                    <select name="scope" on:change=move |ev| scope.set(event_target_value(&ev))>
                        <option value="">{tr(K::WholeTownship)}</option>
                        {move || communities.get().flatten().unwrap_or_default().into_iter().map(|c| view! {
                            <option value=c.id.clone() selected=move || scope.get() == c.id>{c.name.clone()}</option>
                        }).collect_view()}
                    </select>
                </label>
            })}
            <div class="segmented presets">
                <button class="segment" on:click=move |_| preset(ymd(ARTICLE_FROM), ymd(ARTICLE_TO))>{tr(K::ArticlePeriod)}</button>
                <button class="segment" on:click=move |_| preset(NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today), today)>{tr(K::ThisYear)}</button>
                <button class="segment" on:click=move |_| preset(NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or(today), today)>{tr(K::AllTime)}</button>
            </div>
            <div class="row dates">
                <label class="field"><span class="label">{tr(K::From)}</span>
                    <input type="date" name="from" prop:value=move || from.get() on:input=move |ev| from.set(event_target_value(&ev))/></label>
                <label class="field"><span class="label">{tr(K::To)}</span>
                    <input type="date" name="to" prop:value=move || to.get() on:input=move |ev| to.set(event_target_value(&ev))/></label>
            </div>
            <section class="figures" data-testid="figures">
                {figure_card(K::FigDialogues, Signal::derive(move || figures.get().dialogues.to_string()), None)}
                {figure_card(K::FigRaised, Signal::derive(move || figures.get().issues_raised.to_string()), Some(Figure::IssuesRaised))}
                {figure_card(K::FigProjects, Signal::derive(move || figures.get().projects.to_string()), Some(Figure::Projects))}
                {figure_card(K::FigResolved, Signal::derive(move || figures.get().resolved.to_string()), Some(Figure::Resolved))}
                {figure_card(K::FigAverage, Signal::derive(move || i18n::average(figures.get().average_score)), None)}
                {figure_card(K::FigEscalated, Signal::derive(move || figures.get().escalated.to_string()), Some(Figure::Escalated))}
                {figure_card(K::FigOverdue, Signal::derive(move || figures.get().overdue.to_string()), Some(Figure::Overdue))}
            </section>
            <section class="rates card" data-testid="rates">
                <dl>
                    <dt>{tr(K::RateResponse)}</dt><dd>{move || i18n::percent(figures.get().response_rate)}</dd>
                    <dt>{tr(K::RateClosure)}</dt><dd>{move || i18n::percent(figures.get().closure_rate)}</dd>
                    <dt>{tr(K::RateResolution)}</dt><dd>{move || i18n::percent(figures.get().resolution_rate)}</dd>
                    <dt>{tr(K::RateSatisfaction)}</dt><dd>{move || i18n::percent(figures.get().satisfaction_rate)}</dd>
                </dl>
            </section>
            <h2>{tr(K::ChartTitle)}</h2>
            {move || view! { <Chart bars=bars.get()/> }}
            <Show when=move || app.is_staff()>
                <MarketFigures scope/>
            </Show>
            <VisitFiguresCard target from to/>
            <div class="row">
                <a class="button" href=move || export("xlsx") download="">{tr(K::ExportXlsx)}</a>
                <a class="button" href=move || export("csv") download="">{tr(K::ExportCsv)}</a>
            </div>
            {move || drill.get().map(|figure| {
                let list = issues();
                let behind: Vec<Item<IssueView>> = ledger::behind(&list, period(), figure, today)
                    .into_iter()
                    .map(|view| Item { view: view.clone(), sync: SyncState::Submitted })
                    .collect();
                view! {
                    <h2>{tr(K::Behind)}" ("{behind.len()}")"</h2>
                    <div class="list" data-testid="drill-down">
                        {behind.into_iter().map(|item| view! { <IssueCard item=item/> }).collect_view()}
                    </div>
                }
            })}
        </RequireSession>
    }
}

/// 集市 in the ledger (community staff, who hold every booking of their community): per
/// service and month, seats taken, services given, households that did not come, cancelled.
#[component]
fn MarketFigures(scope: RwSignal<String>) -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let months = move || {
        let scope = scope.get();
        let bookings: Vec<domain::wire::BookingView> = app.bookings.with(|list| {
            list.iter()
                .filter(|b| b.sync == SyncState::Submitted)
                .filter(|b| scope.is_empty() || b.view.community_id == scope)
                .map(|b| b.view.clone())
                .collect()
        });
        ledger::market_months(&bookings)
    };
    let name = move |id: uuid::Uuid| {
        app.market_services.with(|list| {
            list.iter()
                .find(|s| s.id == id)
                .map(|s| s.name.clone())
                .unwrap_or_default()
        })
    };
    view! {
        <Show when=move || !months().is_empty()>
            <h2>{tr(K::MarketLedger)}</h2>
            <div class="card table-card" tabindex="0" role="region" aria-label=move || i18n.t(K::MarketLedger)>
                <table class="market-figures" data-testid="market-figures">
                    <thead><tr>
                        <th scope="col">{tr(K::Service)}</th>
                        <th scope="col">{tr(K::Month)}</th>
                        <th scope="col">{tr(K::SeatsTaken)}</th>
                        <th scope="col">{tr(K::Served)}</th>
                        <th scope="col">{tr(K::NoShowCount)}</th>
                        <th scope="col">{tr(K::CancelledCount)}</th>
                    </tr></thead>
                    <tbody>
                        {move || months().into_iter().map(|m| view! {
                            <tr data-testid="market-month">
                                <th scope="row">{name(m.service_id)}</th>
                                <td>{move || i18n::month(i18n.lang(), m.month)}</td>
                                <td>{m.booked}</td>
                                <td>{m.served}</td>
                                <td>{m.no_show}</td>
                                <td>{m.cancelled}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </Show>
    }
}

#[derive(serde::Deserialize)]
struct VisitsOnly {
    visits: ledger::VisitFigures,
}

/// 孝心车位 in the ledger: counted by the server from every visit of the period, those
/// whose plates were deleted too (a phone keeps only recent visits), so read from the API;
/// offline it says the figures come with the network. Counts only: never a plate.
#[component]
fn VisitFiguresCard(
    target: Signal<String>,
    from: RwSignal<String>,
    to: RwSignal<String>,
) -> impl IntoView {
    let figures = LocalResource::new(move || {
        let url = format!(
            "/api/ledger?{}&from={}&to={}",
            target.get(),
            from.get(),
            to.get()
        );
        // Err: no answer (offline); Ok(None): refused (not this person's scope), shown as
        // nothing rather than as "offline".
        async move {
            let response = gloo_net::http::Request::get(&url)
                .send()
                .await
                .map_err(|_| ())?;
            if !response.ok() {
                return Ok::<_, ()>(None);
            }
            Ok(crate::common::api::json::<VisitsOnly>(response)
                .await
                .map(|v| v.visits))
        }
    });
    let refused = move || matches!(figures.get(), Some(Ok(None)));
    view! {
        <Show when=move || !refused()>
        <h2>{tr(K::VisitLedger)}</h2>
        <section class="rates card" data-testid="visit-figures">
            {move || match figures.get().and_then(Result::ok).flatten() {
                Some(f) => view! {
                    <dl>
                        <dt>{tr(K::VisitRegistered)}</dt><dd data-testid="visits-registered">{f.registered}</dd>
                        <dt>{tr(K::VisitCame)}</dt><dd data-testid="visits-came">{f.came}</dd>
                        <dt>{tr(K::VisitOverstayed)}</dt><dd data-testid="visits-overstayed">{f.overstayed}</dd>
                        <dt>{tr(K::VisitWalkUps)}</dt><dd>{f.walk_ups}</dd>
                        <dt>{tr(K::CancelledCount)}</dt><dd>{f.cancelled}</dd>
                    </dl>
                }.into_any(),
                None => view! { <p class="muted">{tr(K::VisitLedgerOffline)}</p> }.into_any(),
            }}
        </section>
        </Show>
    }
}

/// Raised and resolved per dialogue, as horizontal bars drawn in SVG: one row per session,
/// so labels keep their size however many sessions there are (numbers printed at the bars,
/// two textures, a legend: never colour alone). Text is 14 px, 18 px in 长辈版.
#[component]
fn Chart(bars: Vec<ledger::SessionBar>) -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let top = bars
        .iter()
        .map(|b| b.raised.max(b.resolved))
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let draw = move || {
        let font = if app.elder.get() { 18.0 } else { 14.0 };
        let lang = i18n.lang();
        let width = 340.0;
        let thick = font + 4.0;
        let row = font + 2.0 * (thick + 4.0) + 14.0;
        let height = (row * bars.len() as f64).max(row);
        // Room on the right for the number printed after the longest bar.
        let span = width - 4.0 * font;
        let length = move |v: u32| (v as f64 / top * span).max(2.0);
        let rows = bars
            .iter()
            .enumerate()
            .map(|(n, b)| {
                let y = n as f64 * row;
                let label = match lang {
                    domain::Lang::Zh => format!("{}年{}月", b.held_on.year(), b.held_on.month()),
                    domain::Lang::En => format!("{} {}", i18n::MONTHS[b.held_on.month0() as usize], b.held_on.year()),
                };
                let first = y + font + 6.0;
                let second = first + thick + 4.0;
                let (r, s) = (length(b.raised), length(b.resolved));
                view! {
                    <g>
                        <text x="0" y={y + font} font-size=font fill="#1f1a17" font-weight="600">{label}</text>
                        <rect x="0" y=first width=r height=thick fill="#a63d12"/>
                        <text x={r + 6.0} y={first + font} font-size=font fill="#1f1a17">{b.raised}</text>
                        <rect x="0" y=second width=s height=thick fill="url(#hatch)" stroke="#1f5a2a"/>
                        <text x={s + 6.0} y={second + font} font-size=font fill="#1f1a17">{b.resolved}</text>
                    </g>
                }
            })
            .collect_view();
        view! {
            <svg viewBox=format!("0 0 {width} {height}") role="img"
                aria-label=move || i18n::text(i18n.lang(), K::ChartTitle)>
                <defs>
                    <pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
                        <rect width="6" height="6" fill="#e3f4e6"/>
                        <line x1="0" y1="0" x2="0" y2="6" stroke="#1f5a2a" stroke-width="3"/>
                    </pattern>
                </defs>
                {rows}
            </svg>
        }
    };
    view! {
        <figure class="chart card" data-testid="chart">
            {draw}
            <figcaption class="legend">
                <span><span class="swatch raised"></span>{tr(K::FigRaised)}</span>
                <span><span class="swatch resolved"></span>{tr(K::FigResolved)}</span>
            </figcaption>
        </figure>
    }
}
