//! 首页: greeting, the 长辈版 switch, the main actions, and what needs attention.

use crate::common::router::A;
use leptos::prelude::*;

use crate::common::components::{
    ElderSwitch, Icon, IssueCard, PageHeader, RequireSession, WorkAppLink,
};
use crate::common::i18n::{self, tr, use_i18n, K};
use crate::common::state::use_app;

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
        <WorkAppLink/>
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
        </nav>
        <Show when=move || !recent().is_empty()>
            <h2>{tr(K::MyIssues)}</h2>
            <div class="list">
                <For each=recent key=|item| (item.view.id, item.sync) children=|item| view! { <IssueCard item=item/> }/>
            </div>
        </Show>
        {move || crate::resident::market::live_offer(app, chrono::Utc::now()).map(|offer| view! {
            <A href="/market" attr:class="card warn-card" attr:data-testid="offer-alert">
                <Icon name="alert"/>
                <span>{crate::resident::market::offer_words(app, &offer, i18n.lang())}</span>
            </A>
        })}
        <section class="soon-cards">
            {move || match crate::resident::market::next_booking(app, chrono::Utc::now()) {
                Some(next) => {
                    let href = if next.view.pass.is_some() {
                        format!("/market/pass/{}", next.view.id)
                    } else {
                        "/market".to_string()
                    };
                    let words = crate::resident::market::booking_words(app, &next.view, i18n.lang());
                    view! {
                        <A href=href attr:class="card soon-card next-booking" attr:data-testid="next-booking">
                            <Icon name="market"/>
                            <span>{tr(K::NextBooking)}</span>
                            <strong>{words}</strong>
                            {next.view.pass.is_some().then(|| view! { <span class="more">{tr(K::ShowPass)}" ›"</span> })}
                        </A>
                    }
                    .into_any()
                }
                None => view! {
                    <A href="/market" attr:class="card soon-card">
                        <Icon name="market"/>
                        <span>{tr(K::TabMarket)}</span>
                    </A>
                }
                .into_any(),
            }}
            {move || match crate::resident::parking::next_visit(app) {
                Some(words) => view! {
                    <A href="/parking" attr:class="card soon-card next-booking" attr:data-testid="next-visit">
                        <Icon name="parking"/>
                        <span>{tr(K::MyVisits)}</span>
                        <strong>{words}</strong>
                    </A>
                }
                .into_any(),
                None => view! {
                    <A href="/parking" attr:class="card soon-card">
                        <Icon name="parking"/>
                        <span>{tr(K::TabParking)}</span>
                        <span class="muted">{tr(K::RegisterVisit)}</span>
                    </A>
                }
                .into_any(),
            }}
        </section>
    }
}
