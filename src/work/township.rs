//! 乡镇管理 (township staff): the township's communities, opening a new one, and inviting
//! each community's first staff with a QR code. Like every change, both are queued
//! mutations: they can be made offline and show 待同步 until the server has them.

use domain::account::{AddCommunityArgs, InviteArgs};
use domain::person::Role;
use leptos::prelude::*;
use uuid::Uuid;

use crate::common::act::submit;
use crate::common::components::{FieldMessage, PageHeader, RequireSession, SyncBadge};
use crate::common::i18n::{tr, use_i18n, K};
use crate::common::state::use_app;
use crate::work::staff::{new_code, InvitationCard};

/// `/township`: the communities of the township, and their first staff's invitations.
#[component]
pub fn TownshipAdmin() -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let name = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<domain::FieldError>::new());
    let error = Signal::derive(move || errors.with(|e| e.first().map(|e| e.message(i18n.lang()))));
    let invited = RwSignal::new(None::<Uuid>);
    let open = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(township_id) = app.township() else {
            return;
        };
        let args = AddCommunityArgs {
            id: Uuid::new_v4(),
            township_id,
            name: name.get_untracked(),
        };
        submit(app, args, errors, move || name.set(String::new()));
    };
    let invite = move |community_id: String| {
        let args = InviteArgs {
            id: Uuid::new_v4(),
            community_id,
            role: Role::CommunityStaff,
            household_id: None,
            code: new_code().display(),
        };
        let id = args.id;
        // The server keeps only the code's hash: this phone remembers it to show its QR code.
        crate::common::store::codes::remember(id, &args.code);
        submit(app, args, RwSignal::new(Vec::new()), move || {
            invited.set(Some(id))
        });
    };
    view! {
        <RequireSession>
            <PageHeader title=K::TownshipAdmin back="/"/>
            <h2>{tr(K::AddCommunity)}</h2>
            <form class="form" on:submit=open novalidate=true data-testid="community-form">
                <label class="field">
                    <span class="label">{tr(K::CommunityName)}</span>
                    <input type="text" name="community_name" autocomplete="off"
                        prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
                    <FieldMessage field="name" message=error/>
                </label>
                <button type="submit" class="button primary big" data-testid="add-community">{tr(K::AddCommunity)}</button>
            </form>
            {move || invited.get().and_then(|id| app.invitations.with(|list| list.iter().find(|i| i.view.id == id).cloned()))
                .map(|item| view! { <div data-testid="new-invitation"><InvitationCard item=item open=true/></div> })}
            <h2>{tr(K::Communities)}</h2>
            <Show when=move || !app.communities.with(Vec::is_empty)
                fallback=move || view! { <p class="empty">{tr(K::NoCommunities)}</p> }>
                <div class="list" data-testid="communities">
                    <For each=move || app.communities.get() key=|c| (c.view.community_id.clone(), c.sync)
                        children=move |item| {
                            let id = item.view.community_id.clone();
                            view! {
                                <article class="card" data-testid="community-card">
                                    <p class="big-line"><strong>{item.view.name.clone()}</strong></p>
                                    <SyncBadge state=item.sync/>
                                    <button type="button" class="button big" data-testid="invite-community-staff"
                                        on:click=move |_| invite(id.clone())>{tr(K::InviteCommunityStaff)}</button>
                                </article>
                            }
                        }/>
                </div>
            </Show>
            <h2>{tr(K::Invitations)}</h2>
            <div class="list">
                <For each=move || app.invitations.get() key=|i| (i.view.id, i.sync, i.view.used)
                    children=|item| view! { <InvitationCard item=item/> }/>
            </div>
        </RequireSession>
    }
}
