//! 台账 for residents: their community's figures — dialogues held, issues raised, projects,
//! resolved, the average score and the four rates — with the next dialogue session and the
//! scoring rules. Computed on the phone from its cached records with the same domain code as
//! the server and the work app's full ledger, so it works offline. Chart, drill-down and export
//! are the work app's.

use chrono::{Datelike, NaiveDate, Utc};
use domain::ledger::{self, china_date, Period};
use domain::wire::{DialogueView, IssueView};
use leptos::prelude::*;

use crate::common::components::{PageHeader, RequireSession};
use crate::common::i18n::{self, tr, use_i18n, K};
use crate::common::issue::day_text;
use crate::common::state::{use_app, SyncState};

#[component]
pub fn LedgerFigures() -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let today = china_date(Utc::now());
    let community = StoredValue::new(app.session.with_untracked(|s| {
        s.as_ref()
            .and_then(|s| s.home_community())
            .map(|m| m.community_id.clone())
            .unwrap_or_default()
    }));
    let this_year = RwSignal::new(false);
    let period = move || Period {
        from: if this_year.get() {
            NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today)
        } else {
            NaiveDate::MIN
        },
        to: today,
    };
    let issues = move || -> Vec<IssueView> {
        let mine = community.get_value();
        app.issues.with(|list| {
            list.iter()
                .filter(|i| i.sync == SyncState::Submitted && i.view.community_id == mine)
                .map(|i| i.view.clone())
                .collect()
        })
    };
    let dialogues = move || -> Vec<DialogueView> {
        let ours = community.get_value();
        app.dialogues.with(|list| {
            list.iter()
                .filter(|d| d.view.community_id == ours)
                .map(|d| d.view.clone())
                .collect()
        })
    };
    let next = move || {
        dialogues()
            .into_iter()
            .filter(|d| d.held_on >= today)
            .min_by_key(|d| d.held_on)
    };
    let figures = Memo::new(move |_| ledger::figures(&issues(), &dialogues(), period(), today));
    let rules = move || app.rules_of(&community.get_value());
    let figure = move |key: K, value: Signal<String>| {
        view! {
            <div class="figure" data-testid=format!("figure-{key:?}")>
                <span class="figure-value">{value}</span>
                <span class="figure-label">{tr(key)}</span>
            </div>
        }
    };
    let choice = move |year: bool, key: K| {
        view! {
            <button class="segment" aria-pressed=move || (this_year.get() == year).to_string()
                on:click=move |_| this_year.set(year)>{tr(key)}</button>
        }
    };
    view! {
        <RequireSession>
            <PageHeader title=K::Ledger back="/issues"/>
            <p class="intro">{tr(K::LedgerIntro)}</p>
            <div class="segmented">
                {choice(false, K::AllTime)}
                {choice(true, K::ThisYear)}
            </div>
            <section class="figures" data-testid="figures">
                {figure(K::FigDialogues, Signal::derive(move || figures.get().dialogues.to_string()))}
                {figure(K::FigRaised, Signal::derive(move || figures.get().issues_raised.to_string()))}
                {figure(K::FigProjects, Signal::derive(move || figures.get().projects.to_string()))}
                {figure(K::FigResolved, Signal::derive(move || figures.get().resolved.to_string()))}
                {figure(K::FigAverage, Signal::derive(move || i18n::average(figures.get().average_score)))}
                {figure(K::FigEscalated, Signal::derive(move || figures.get().escalated.to_string()))}
            </section>
            <section class="rates card" data-testid="rates">
                <dl>
                    <dt>{tr(K::RateResponse)}</dt><dd>{move || i18n::percent(figures.get().response_rate)}</dd>
                    <dt>{tr(K::RateClosure)}</dt><dd>{move || i18n::percent(figures.get().closure_rate)}</dd>
                    <dt>{tr(K::RateResolution)}</dt><dd>{move || i18n::percent(figures.get().resolution_rate)}</dd>
                    <dt>{tr(K::RateSatisfaction)}</dt><dd>{move || i18n::percent(figures.get().satisfaction_rate)}</dd>
                </dl>
            </section>
            <section class="card" data-testid="next-dialogue">
                <h2>{tr(K::NextDialogue)}</h2>
                {move || match next() {
                    Some(d) => view! {
                        <p><strong>{move || day_text(i18n.lang(), d.held_on)}</strong>" · "{d.place.clone()}</p>
                    }.into_any(),
                    None => view! { <p class="muted">{tr(K::NextDialogueNotScheduled)}</p> }.into_any(),
                }}
                <p data-testid="rules-summary">
                    {move || {
                        let lang = i18n.lang();
                        let rules = rules();
                        format!(
                            "{} · {}",
                            i18n::labelled(lang, K::PassAverage, &i18n::halves(rules.pass_average())),
                            i18n::labelled(lang, K::WindowDays, &i18n::days_count(lang, rules.window_days))
                        )
                    }}
                </p>
            </section>
        </RequireSession>
    }
}
