//! 加入: opening an invitation (or a reset code) from its QR link or by typing the code.
//! The person reads the privacy notice, agrees, and joins with the role it names.

use crate::common::router::use_router;
use domain::account::{Code, JoinRequest};
use domain::privacy::NOTICE_VERSION;
use domain::wire::{InvitationInfo, WireFieldError};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::common::actions::{self, field_error, show_failure};
use crate::common::api::{self, ApiFailure};
use crate::common::components::{FieldMessage, Icon, PageHeader};
use crate::common::i18n::{tr, use_i18n, K};
use crate::common::state::use_app;
use crate::resident::privacy::Notice;

/// `/join`: type a code read out on the phone or printed on a poster.
#[component]
pub fn EnterCode() -> impl IntoView {
    let i18n = use_i18n();
    let router = use_router();
    let code = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match Code::parse(&code.get_untracked()) {
            Ok(code) => router.navigate(&format!("/join/{}", code.as_str())),
            Err(e) => error.set(Some(e.message(i18n.lang()))),
        }
    };
    view! {
        <PageHeader title=K::EnterCode back="/login"/>
        <form class="form" on:submit=submit novalidate=true>
            <label class="field">
                <span class="label">{tr(K::InvitationCode)}</span>
                <input type="text" name="code" autocomplete="off" autocapitalize="characters" placeholder="ABCDE-FGHJK"
                    prop:value=move || code.get() on:input=move |ev| code.set(event_target_value(&ev))/>
                <FieldMessage field="code" message=Signal::derive(move || error.get())/>
            </label>
            <button type="submit" class="button primary big">{tr(K::Next)}</button>
        </form>
    }
}

/// `/join/:code`: what the code offers, then the join (or reset) form.
#[component]
pub fn Join() -> impl IntoView {
    let router = use_router();
    // The page's code, kept while the page is left: the route moving on must not ask the
    // server about an empty code (and redraw a page that is going away).
    let code = Memo::new(move |kept: Option<&String>| {
        router
            .param("code")
            .or_else(|| kept.cloned())
            .unwrap_or_default()
    });
    let code = move || code.get();
    let info = LocalResource::new(move || {
        let code = code();
        async move { api::invitation(&code).await }
    });
    view! {
        <PageHeader title=K::JoinTitle/>
        <Suspense fallback=move || view! { <p class="loading">{tr(K::Loading)}</p> }>
            {move || info.get().map(|result| match result {
                Ok(info) if info.kind == "reset" => view! { <ResetForm code=code()/> }.into_any(),
                Ok(info) => view! { <JoinForm code=code() info=info/> }.into_any(),
                Err(ApiFailure::Refused { error, .. }) => view! {
                    <p class="form-error" role="alert" data-testid="code-error"><Icon name="alert"/>{error.message}</p>
                }.into_any(),
                Err(_) => view! {
                    <p class="form-error" role="alert"><Icon name="alert"/>{tr(K::CodeNeedsNetwork)}</p>
                }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
fn JoinForm(code: String, info: InvitationInfo) -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let router = use_router();
    let name = RwSignal::new(String::new());
    let phone = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let agreed = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let fields = RwSignal::new(Vec::<WireFieldError>::new());
    let role = info.role;
    // Signed in, the invitation's role joins the person's own account: only the notice is asked.
    let signed_in_as = app
        .session
        .with_untracked(|s| s.as_ref().map(|s| s.display_name.clone()));
    let signed_in = signed_in_as.is_some();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        let request = JoinRequest {
            code: String::new(),
            display_name: name.get_untracked(),
            phone: phone.get_untracked(),
            password: password.get_untracked(),
            consent_version: if agreed.get_untracked() {
                NOTICE_VERSION.to_string()
            } else {
                String::new()
            },
        };
        // The same checks as the server, with the same words, before anything is sent.
        let checked = if signed_in {
            match request.consent_version.is_empty() {
                true => Err(vec![domain::FieldError::new(
                    "consent",
                    domain::FieldErrorKind::Required,
                )]),
                false => Ok(()),
            }
        } else {
            request.parse().map(|_| ())
        };
        if let Err(problems) = checked {
            fields.set(
                problems
                    .iter()
                    .map(|p| WireFieldError {
                        field: p.field.to_string(),
                        code: p.code().to_string(),
                        message: p.message(i18n.lang()),
                    })
                    .collect(),
            );
            return;
        }
        fields.set(Vec::new());
        busy.set(true);
        let code = code.clone();
        spawn_local(async move {
            let joined = actions::join(app, &code, &request).await;
            match joined {
                // The button stays busy while the next page opens: the code is used up.
                Ok(()) => match actions::home_path(app) {
                    "/" => router.navigate("/"),
                    work => crate::common::shell::go_to(work),
                },
                Err(failure) => {
                    busy.set(false);
                    show_failure(failure, error, fields);
                }
            }
        });
    };
    view! {
        <section class="card invitation-summary" data-testid="invitation-summary">
            <p>{tr(K::JoinInvited)}</p>
            <p class="big-line"><strong>{info.community_name.clone()}</strong></p>
            <p>{tr(K::JoinAs)}"："<strong>{move || role.map(|r| r.label(i18n.lang())).unwrap_or_default()}</strong></p>
            {info.household_label.clone().map(|label| view! { <p>{tr(K::Households)}"："<strong>{label}</strong></p> })}
        </section>
        <h2>{tr(K::PrivacyNotice)}</h2>
        <Notice/>
        <form class="form" on:submit=submit novalidate=true data-testid="join-form">
            <Show when=move || error.get().is_some()>
                <p class="form-error" role="alert"><Icon name="alert"/>{move || error.get().unwrap_or_default()}</p>
            </Show>
            {signed_in_as.map(|name| view! { <p class="big-line" data-testid="join-as-me">{tr(K::JoinWithMyAccount)}<strong>{name}</strong></p> })}
            <Show when=move || !signed_in>
            <label class="field">
                <span class="label">{tr(K::DisplayName)}</span>
                <input type="text" name="display_name" autocomplete="nickname" placeholder=tr(K::DisplayNameHint)
                    prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
                <FieldMessage field="display_name" message=field_error(fields, "display_name")/>
            </label>
            <label class="field">
                <span class="label">{tr(K::Phone)}</span>
                <input type="tel" name="phone" inputmode="numeric" autocomplete="username" placeholder=tr(K::PhonePlaceholder)
                    prop:value=move || phone.get() on:input=move |ev| phone.set(event_target_value(&ev))/>
                <FieldMessage field="phone" message=field_error(fields, "phone")/>
            </label>
            <label class="field">
                <span class="label">{tr(K::NewPassword)}</span>
                <input type="password" name="new-password" autocomplete="new-password" placeholder=tr(K::PasswordHint)
                    prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev))/>
                <FieldMessage field="password" message=field_error(fields, "password")/>
            </label>
            </Show>
            <label class="check">
                <input type="checkbox" name="consent" prop:checked=move || agreed.get()
                    on:change=move |ev| agreed.set(event_target_checked(&ev))/>
                <span>{tr(K::PrivacyAgree)}</span>
            </label>
            <FieldMessage field="consent" message=field_error(fields, "consent")/>
            <button type="submit" class="button primary big" disabled=move || busy.get()>{tr(K::JoinButton)}</button>
        </form>
    }
}

#[component]
fn ResetForm(code: String) -> impl IntoView {
    let app = use_app();
    let router = use_router();
    let password = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let fields = RwSignal::new(Vec::<WireFieldError>::new());
    let i18n = use_i18n();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        if let Err(problem) = domain::account::check_password(&password.get_untracked()) {
            fields.set(vec![WireFieldError {
                field: "password".into(),
                code: problem.code().into(),
                message: problem.message(i18n.lang()),
            }]);
            return;
        }
        fields.set(Vec::new());
        busy.set(true);
        let code = code.clone();
        spawn_local(async move {
            let reset = actions::reset_password(app, &code, &password.get_untracked()).await;
            match reset {
                // The button stays busy while the next page opens: the code is used up.
                Ok(()) => match actions::home_path(app) {
                    "/" => router.navigate("/"),
                    work => crate::common::shell::go_to(work),
                },
                Err(failure) => {
                    busy.set(false);
                    show_failure(failure, error, fields);
                }
            }
        });
    };
    view! {
        <h2>{tr(K::ResetTitle)}</h2>
        <form class="form" on:submit=submit novalidate=true data-testid="reset-form">
            <Show when=move || error.get().is_some()>
                <p class="form-error" role="alert"><Icon name="alert"/>{move || error.get().unwrap_or_default()}</p>
            </Show>
            <label class="field">
                <span class="label">{tr(K::NewPassword)}</span>
                <input type="password" name="new-password" autocomplete="new-password" placeholder=tr(K::PasswordHint)
                    prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev))/>
                <FieldMessage field="password" message=field_error(fields, "password")/>
            </label>
            <button type="submit" class="button primary big" disabled=move || busy.get()>{tr(K::ResetButton)}</button>
        </form>
    }
}
