//! 首页: greeting, the 长辈版 switch, the main actions, and what needs attention.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::{Icon, IssueCard, PageHeader, RequireSession};
use crate::i18n::{self, t, tr, use_i18n, K};
use crate::state::use_app;

#[component]
pub fn Home() -> impl IntoView {
    view! {
        <RequireSession>
            <HomeContent/>
        </RequireSession>
    }
}

#[component]
fn HomeContent() -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let name = move || {
        app.session.with(|s| {
            s.as_ref()
                .map(|s| s.display_name.clone())
                .unwrap_or_default()
        })
    };
    let community = move || {
        app.session.with(|s| {
            s.as_ref()
                .and_then(|s| s.home_community())
                .map(|m| m.community_name.clone())
                .unwrap_or_default()
        })
    };
    let dialogue_due = move || {
        let dialogues: Vec<_> = app
            .dialogues
            .with(|d| d.iter().map(|i| i.view.clone()).collect());
        crate::pages::dialogues::next_dialogue_due(
            &dialogues,
            domain::ledger::china_date(chrono::Utc::now()),
        )
    };
    let recent = move || {
        app.issues.with(|issues| {
            issues
                .iter()
                .filter(|i| i.view.mine)
                .take(2)
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    view! {
        <PageHeader title=K::AppName/>
        <section class="greeting">
            <p class="hello">{tr(K::Hello)}{name}</p>
            <p class="community">{community}</p>
        </section>
        <ElderSwitch/>
        <Show when=move || app.is_staff() && dialogue_due()>
            <A href="/dialogues" attr:class="card warn-card" attr:data-testid="dialogue-due">{tr(K::NextDialogueDue)}</A>
        </Show>
        <Show when=move || app.failed.with(|f| !f.is_empty())>
            <A href="/sync" attr:class="card alert-card" attr:data-testid="failed-alert">
                <Icon name="alert"/>
                <span>{move || i18n::failed_count(i18n.lang(), app.failed.with(Vec::len))}</span>
                <span class="more">{tr(K::WhatToDo)}" ›"</span>
            </A>
        </Show>
        <nav class="actions">
            <A href="/issues/new" attr:class="button primary big" attr:data-testid="raise-issue">
                <Icon name="plus"/>
                <span>{tr(K::RaiseIssue)}</span>
            </A>
            <A href="/issues/mine" attr:class="button big">
                <Icon name="list"/>
                <span>{tr(K::MyIssues)}</span>
            </A>
            <A href="/issues" attr:class="button big">
                <Icon name="dialogue"/>
                <span>{tr(K::CommunityIssues)}</span>
            </A>
            <Show when=move || app.is_staff()>
                <A href="/staff" attr:class="button big" attr:data-testid="community-admin">
                    <Icon name="me"/>
                    <span>{tr(K::Community)}</span>
                </A>
            </Show>
        </nav>
        <Show when=move || !recent().is_empty()>
            <h2>{tr(K::MyIssues)}</h2>
            <div class="list">
                <For each=recent key=|item| (item.view.id, item.sync) children=|item| view! { <IssueCard item=item/> }/>
            </div>
        </Show>
        <section class="soon-cards">
            <A href="/market" attr:class="card soon-card">
                <Icon name="market"/>
                <span>{tr(K::TabMarket)}</span>
                <span class="muted">{tr(K::ComingSoon)}</span>
            </A>
            <A href="/parking" attr:class="card soon-card">
                <Icon name="parking"/>
                <span>{tr(K::TabParking)}</span>
                <span class="muted">{tr(K::ComingSoon)}</span>
            </A>
        </section>
    }
}

/// The 长辈版 switch: on the home screen, as MIIT's specification asks.
#[component]
pub fn ElderSwitch() -> impl IntoView {
    let app = use_app();
    view! {
        <button
            class="switch"
            role="switch"
            aria-checked=move || if app.elder.get() { "true" } else { "false" }
            data-testid="elder-switch"
            on:click=move |_| app.elder.update(|on| *on = !*on)
        >
            <span class="switch-text">
                <strong>{tr(K::ElderMode)}</strong>
                <small>{tr(K::ElderModeHint)}</small>
            </span>
            <span class="switch-state">
                <span class="switch-track"><span class="switch-thumb"></span></span>
                <span>{move || if app.elder.get() { t(K::On) } else { t(K::Off) }}</span>
            </span>
        </button>
    }
}
