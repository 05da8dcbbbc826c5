//! 社区管理 (community staff): invitations with QR codes, people (reset a password,
//! deactivate), households. Every change is a queued mutation like any other: it can be
//! made offline and shows 待同步 until the server has it.

use chrono::{Duration, Utc};
use domain::account::{
    AddHouseholdArgs, Code, DeactivatePersonArgs, InviteArgs, ResetPasswordArgs,
    RevokeInvitationArgs, CODE_LEN,
};
use domain::person::Role;
use domain::wire::{InvitationView, PersonView};
use leptos::prelude::*;
use uuid::Uuid;

use crate::common::act::{submit, tap};
use crate::common::components::{
    join_link, FieldMessage, Icon, PageHeader, QrCode, RequireSession, SyncBadge,
};
use crate::common::i18n::{self, t, tr, use_i18n, K};
use crate::common::router::A;
use crate::common::state::{use_app, Item, SyncState};

/// A fresh single-use code from the browser's cryptographic random source.
pub(crate) fn new_code() -> Code {
    let random = Uuid::new_v4();
    let mut bytes = [0u8; CODE_LEN];
    bytes.copy_from_slice(&random.as_bytes()[..CODE_LEN]);
    Code::from_random(&bytes)
}

#[component]
fn StaffTabs() -> impl IntoView {
    view! {
        <PageHeader title=K::Community back="/"/>
        <div class="segmented" role="tablist">
            <A href="/staff" attr:class="segment" exact=true attr:role="tab">{tr(K::Invitations)}</A>
            <A href="/staff/people" attr:class="segment" attr:role="tab">{tr(K::People)}</A>
            <A href="/staff/households" attr:class="segment" attr:role="tab">{tr(K::Households)}</A>
        </div>
    }
}

/// One invitation or reset code: its state, and its QR code when opened.
#[component]
pub(crate) fn InvitationCard(
    item: Item<InvitationView>,
    #[prop(optional)] open: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let shown = RwSignal::new(open);
    let view_data = item.view.clone();
    let is_reset = view_data.kind == "reset";
    let expired = view_data.expires_at <= Utc::now();
    let status = move || {
        let lang = i18n.lang();
        if view_data.used {
            i18n::text(lang, K::CodeUsed).to_string()
        } else if expired {
            i18n::text(lang, K::CodeExpired).to_string()
        } else {
            format!(
                "{} {}",
                i18n::text(lang, K::CodeValidUntil),
                i18n::when(
                    lang,
                    view_data.expires_at,
                    view_data.expires_at + Duration::days(400)
                )
            )
        }
    };
    let who = match (&item.view.role, &item.view.person_name) {
        (_, Some(name)) => name.clone(),
        (Some(role), None) => role.label(i18n.lang()).to_string(),
        _ => String::new(),
    };
    // The server never sends the code back; the phone that made it remembers it.
    let known = Some(item.view.code.clone())
        .filter(|c| !c.is_empty())
        .or_else(|| crate::common::store::codes::recall(item.view.id));
    let link = join_link(known.as_deref().unwrap_or(""));
    let code = known.clone().unwrap_or_else(|| "•••••-•••••".to_string());
    let household = item.view.household_label.clone();
    let usable = !item.view.used && !expired && known.is_some();
    let revocable = !item.view.used && !expired && item.sync != SyncState::Pending;
    let app = use_app();
    let revoke_args = RevokeInvitationArgs {
        invitation_id: item.view.id,
        community_id: item.view.community_id.clone(),
    };
    let revoke = move |_| tap(app, revoke_args.clone());
    view! {
        <article class="card invitation-card" data-testid="invitation-card">
            <button class="invitation-head" on:click=move |_| shown.update(|s| *s = !*s) aria-expanded=move || shown.get().to_string()>
                <span class="code" data-testid="invitation-code">{code.clone()}</span>
                <span class="muted">{move || if is_reset { t(K::ResetPassword) } else { t(K::InvitationCode) }}" · "{who.clone()}</span>
            </button>
            {household.map(|h| view! { <p class="meta">{h}</p> })}
            <div class="badges">
                <SyncBadge state=item.sync/>
                <span class="badge status">{status}</span>
            </div>
            <Show when=move || item.sync == SyncState::Pending>
                <p class="hint">{tr(K::CodePendingHint)}</p>
            </Show>
            <Show when=move || shown.get() && usable>
                <QrCode text=link.clone() label=code.clone()/>
                <p class="hint">{move || if is_reset { t(K::ScanToReset) } else { t(K::ScanToJoin) }}</p>
                <button class="button" on:click=|_| { let _ = web_sys::window().map(|w| w.print()); }>{tr(K::Print)}</button>
            </Show>
            <Show when=move || shown.get() && revocable>
                <button class="button secondary" data-testid="revoke-code" on:click=revoke.clone()>"撤销"</button>
            </Show>
        </article>
    }
}

/// `/staff`: invite someone, and the invitations so far.
#[component]
pub fn StaffInvitations() -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let role = RwSignal::new(Role::Resident);
    let household = RwSignal::new(String::new());
    let created = RwSignal::new(None::<Uuid>);
    let errors = RwSignal::new(Vec::<domain::FieldError>::new());
    let error = Signal::derive(move || errors.with(|e| e.first().map(|e| e.message(i18n.lang()))));
    let households = move || app.households.get();
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(community_id) = app.staff_community() else {
            return;
        };
        let household_id = Uuid::parse_str(&household.get_untracked())
            .ok()
            .filter(|_| role.get_untracked() == Role::Resident);
        let args = InviteArgs {
            id: Uuid::new_v4(),
            community_id: community_id.clone(),
            role: role.get_untracked(),
            household_id,
            code: new_code().display(),
        };
        let id = args.id;
        crate::common::store::codes::remember(id, &args.code);
        submit(app, args, errors, move || created.set(Some(id)));
    };
    let roles = [
        Role::Resident,
        Role::Volunteer,
        Role::Guard,
        Role::Property,
        Role::CommunityStaff,
    ];
    view! {
        <RequireSession>
            <StaffTabs/>
            <h2>{tr(K::InviteSomeone)}</h2>
            <form class="form" on:submit=create novalidate=true data-testid="invite-form">
                <fieldset class="field">
                    <legend class="label">{tr(K::InviteAs)}</legend>
                    <div class="choices">
                        {roles.into_iter().map(|r| view! {
                            <label class="choice">
                                <input type="radio" name="role" value=r.code()
                                    prop:checked=move || role.get() == r on:change=move |_| role.set(r)/>
                                <span>{move || r.label(i18n.lang())}</span>
                            </label>
                        }).collect_view()}
                    </div>
                </fieldset>
                <Show when=move || role.get() == Role::Resident>
                    <label class="field">
                        <span class="label">{tr(K::Households)}</span>
                        <select name="household" on:change=move |ev| household.set(event_target_value(&ev))>
                            <option value="">{tr(K::ChooseHousehold)}</option>
                            {move || households().into_iter().map(|h| view! {
                                <option value=h.view.id.to_string() selected=move || household.get() == h.view.id.to_string()>{h.view.label.clone()}</option>
                            }).collect_view()}
                        </select>
                    </label>
                </Show>
                <FieldMessage field="household_id" message=error/>
                <button type="submit" class="button primary big" data-testid="create-invitation">{tr(K::CreateInvitation)}</button>
            </form>
            {move || created.get().and_then(|id| app.invitations.with(|list| list.iter().find(|i| i.view.id == id).cloned()))
                .map(|item| view! { <div data-testid="new-invitation"><InvitationCard item=item open=true/></div> })}
            <h2>{tr(K::Invitations)}</h2>
            <Show when=move || !app.invitations.with(Vec::is_empty) fallback=move || view! { <p class="empty">{tr(K::NoInvitations)}</p> }>
                <div class="list">
                    <For each=move || app.invitations.get() key=|i| (i.view.id, i.sync, i.view.used) children=|item| view! { <InvitationCard item=item/> }/>
                </div>
            </Show>
        </RequireSession>
    }
}

/// `/staff/people`: the community's people; reset a password, deactivate.
#[component]
pub fn StaffPeople() -> impl IntoView {
    let app = use_app();
    view! {
        <RequireSession>
            <StaffTabs/>
            <Show when=move || !app.people.with(Vec::is_empty) fallback=move || view! { <p class="empty">{tr(K::NoPeople)}</p> }>
                <div class="list">
                    <For each=move || app.people.get() key=|p| (p.view.id, p.sync, p.view.deactivated) children=|item| view! { <PersonCard item=item/> }/>
                </div>
            </Show>
        </RequireSession>
    }
}

#[component]
fn PersonCard(item: Item<PersonView>) -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let confirming = RwSignal::new(false);
    let reset_id = RwSignal::new(None::<Uuid>);
    let errors = RwSignal::new(Vec::<domain::FieldError>::new());
    let person = item.view.clone();
    let me = app.user_id() == Some(person.id);
    let roles = person.roles.clone();
    let person_id = person.id;
    let reset = move |_| {
        let args = ResetPasswordArgs {
            id: Uuid::new_v4(),
            person_id,
            code: new_code().display(),
        };
        let id = args.id;
        crate::common::store::codes::remember(id, &args.code);
        submit(app, args, errors, move || reset_id.set(Some(id)));
    };
    let deactivate = move |_| {
        if !confirming.get_untracked() {
            confirming.set(true);
            return;
        }
        tap(app, DeactivatePersonArgs { person_id });
    };
    view! {
        <article class="card person-card" data-testid="person-card">
            <p class="name"><strong>{person.display_name.clone()}</strong>" "<span class="muted">{person.phone.clone()}</span></p>
            <p class="meta">
                {move || roles.iter().map(|r| r.label(i18n.lang())).collect::<Vec<_>>().join("、")}
                {person.household_label.clone().map(|h| format!(" · {h}"))}
            </p>
            <div class="badges">
                {(item.sync == SyncState::Pending).then(|| view! { <SyncBadge state=SyncState::Pending/> })}
                {person.deactivated.then(|| view! { <span class="badge failed"><Icon name="alert"/>{tr(K::Deactivated)}</span> })}
            </div>
            {(!person.deactivated && !me).then(|| view! {
                <div class="row">
                    <button class="button" on:click=reset>{tr(K::ResetPassword)}</button>
                    <button class="button danger" on:click=deactivate>
                        {move || if confirming.get() { t(K::DeactivateConfirm) } else { t(K::Deactivate) }}
                    </button>
                </div>
                <Show when=move || confirming.get()><p class="hint">{tr(K::DeactivateHint)}</p></Show>
            })}
            {move || reset_id.get().and_then(|id| app.invitations.with(|list| list.iter().find(|i| i.view.id == id).cloned()))
                .map(|item| view! { <InvitationCard item=item open=true/> })}
        </article>
    }
}

/// `/staff/households`: add a household; the list, each with 代居民提问题.
#[component]
pub fn StaffHouseholds() -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let point = RwSignal::new(String::new());
    let building = RwSignal::new(String::new());
    let unit = RwSignal::new(String::new());
    let room = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<domain::FieldError>::new());
    let error_for = move |field: &'static str| {
        Signal::derive(move || {
            errors.with(|e| {
                e.iter()
                    .find(|e| e.field == field)
                    .map(|e| e.message(i18n.lang()))
            })
        })
    };
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(community_id) = app.staff_community() else {
            return;
        };
        let optional =
            |s: RwSignal<String>| Some(s.get_untracked()).filter(|v| !v.trim().is_empty());
        let args = AddHouseholdArgs {
            id: Uuid::new_v4(),
            community_id,
            point: optional(point),
            building: building.get_untracked(),
            unit: optional(unit),
            room: optional(room),
        };
        // The form empties once the household is queued; the list shows it as 待同步.
        submit(app, args, errors, move || {
            for field in [point, building, unit, room] {
                field.set(String::new());
            }
        });
    };
    let text_field = move |label: K, name: &'static str, value: RwSignal<String>| {
        view! {
            <label class="field">
                <span class="label">{tr(label)}</span>
                <input type="text" name=name prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))/>
                <FieldMessage field=name message=error_for(name)/>
            </label>
        }
    };
    view! {
        <RequireSession>
            <StaffTabs/>
            <h2>{tr(K::AddHousehold)}</h2>
            <form class="form" on:submit=add novalidate=true data-testid="household-form">
                {text_field(K::Building, "building", building)}
                {text_field(K::Unit, "unit", unit)}
                {text_field(K::Room, "room", room)}
                {text_field(K::Point, "point", point)}
                <button type="submit" class="button primary big">{tr(K::Save)}</button>
            </form>
            <h2>{tr(K::Households)}</h2>
            <Show when=move || !app.households.with(Vec::is_empty) fallback=move || view! { <p class="empty">{tr(K::NoHouseholds)}</p> }>
                <ul class="list plain">
                    <For each=move || app.households.get() key=|h| (h.view.id, h.sync) children=|item| {
                        let href = format!("/issues/new?for={}", item.view.id);
                        view! {
                            <li class="card row-card" data-testid="household-row">
                                <span class="grow">{item.view.label.clone()}</span>
                                {(item.sync == SyncState::Pending).then(|| view! { <SyncBadge state=SyncState::Pending/> })}
                                <A href=href attr:class="button small">{tr(K::RaiseForHousehold)}</A>
                            </li>
                        }
                    }/>
                </ul>
            </Show>
        </RequireSession>
    }
}
