//! 工作台: the work app's home — who I am here, the 长辈版 switch, what waits for me, and the
//! way to each task of my roles (社区管理, 双月对话, 台账).

use crate::common::router::A;
use leptos::prelude::*;

use crate::common::components::{ElderSwitch, Icon, IssueCard, PageHeader, RequireSession};
use crate::common::i18n::{self, tr, use_i18n, K};
use crate::common::state::use_app;
use crate::work::dialogues::next_dialogue_due;
use crate::work::issues::to_handle;

#[component]
pub fn WorkHome() -> impl IntoView {
    view! {
        <RequireSession>
            <WorkHomeContent/>
        </RequireSession>
    }
}

#[component]
fn WorkHomeContent() -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let name = move || {
        app.session.with(|s| {
            s.as_ref()
                .map(|s| s.display_name.clone())
                .unwrap_or_default()
        })
    };
    let roles = move || {
        let lang = i18n.lang();
        app.session.with(|s| {
            s.as_ref()
                .map(|s| {
                    s.memberships
                        .iter()
                        .filter(|m| m.role.works())
                        .map(|m| format!("{} · {}", m.community_name, m.role.label(lang)))
                        .collect::<Vec<_>>()
                        .join("、")
                })
                .unwrap_or_default()
        })
    };
    let dialogue_due = move || {
        let dialogues: Vec<_> = app
            .dialogues
            .with(|d| d.iter().map(|i| i.view.clone()).collect());
        next_dialogue_due(&dialogues, domain::ledger::china_date(chrono::Utc::now()))
    };
    let waiting = move || to_handle(app);
    view! {
        <PageHeader title=K::TabWorkHome/>
        <section class="greeting">
            <p class="hello">{tr(K::Hello)}{name}</p>
            <p class="community">{roles}</p>
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
            <Show when=move || app.is_staff()>
                <A href="/staff" attr:class="button big" attr:data-testid="community-admin">
                    <Icon name="me"/>
                    <span>{tr(K::Community)}</span>
                </A>
            </Show>
            <Show when=move || app.township().is_some()>
                <A href="/township" attr:class="button big" attr:data-testid="township-admin">
                    <Icon name="me"/>
                    <span>{tr(K::TownshipAdmin)}</span>
                </A>
            </Show>
            <crate::work::gate::GateLink/>
            <crate::work::market::MarketSetupLink/>
            <crate::work::parking::ParkingSetupLink/>
            <Show when=move || app.serves()>
                <A href="/today" attr:class="button big primary" attr:data-testid="today-link">
                    <Icon name="market"/>
                    <span>{tr(K::TodayService)}</span>
                </A>
            </Show>
            <A href="/dialogues" attr:class="button big" attr:data-testid="dialogues-link">
                <Icon name="dialogue"/>
                <span>{tr(K::Dialogues)}</span>
            </A>
            <A href="/ledger" attr:class="button big" attr:data-testid="ledger-link">
                <Icon name="list"/>
                <span>{tr(K::Ledger)}</span>
            </A>
        </nav>
        <h2>{tr(K::ToHandle)}</h2>
        <Show when=move || !waiting().is_empty() fallback=move || view! { <p class="empty">{tr(K::NothingToHandle)}</p> }>
            <div class="list" data-testid="to-handle">
                <For each=waiting key=|item| (item.view.id, item.sync, item.view.updated_at) children=|item| view! { <IssueCard item=item/> }/>
            </div>
        </Show>
    }
}
