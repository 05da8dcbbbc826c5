//! 登录: phone and password. One generic message for wrong credentials; signing in needs
//! the network, and the page says so instead of failing obscurely.

use crate::common::router::use_router;
use crate::common::router::A;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::common::actions::{self, SignInError};
use crate::common::components::{FieldMessage, Icon};
use crate::common::i18n::{t, tr, K};
use crate::common::state::use_app;

#[component]
pub fn Login() -> impl IntoView {
    let app = use_app();
    let router = use_router();
    let known_phone = app
        .session
        .get_untracked()
        .map(|s| s.phone)
        .unwrap_or_default();
    let phone = RwSignal::new(known_phone);
    let password = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let field_errors = RwSignal::new(Vec::<domain::wire::WireFieldError>::new());
    let field_error = move |field: &'static str| {
        field_errors.with(|errors| {
            errors
                .iter()
                .find(|e| e.field == field)
                .map(|e| e.message.clone())
        })
    };

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        field_errors.set(Vec::new());
        spawn_local(async move {
            let outcome =
                actions::sign_in(app, &phone.get_untracked(), &password.get_untracked()).await;
            // On success the button stays busy while the next page opens.
            if outcome.is_err() {
                busy.set(false);
            }
            match outcome {
                Ok(()) => match actions::home_path(app) {
                    "/" => router.navigate("/"),
                    work => crate::common::shell::go_to(work),
                },
                Err(SignInError::Offline) => error.set(Some(t(K::SignInNeedsNetwork).to_string())),
                Err(SignInError::Refused(message, fields)) => {
                    if fields.is_empty() {
                        error.set(Some(message));
                    }
                    field_errors.set(fields);
                }
                Err(SignInError::Server) => {
                    error.set(Some("服务器出了点问题，请稍后再试".to_string()))
                }
            }
        });
    };

    view! {
        <section class="login">
            <div class="brand">
                <img src="/icons/icon-192.png" alt="" width="72" height="72"/>
                <h1>{tr(K::SignInTitle)}</h1>
                <p>{tr(K::SignInIntro)}</p>
            </div>
            <Show when=move || app.notice.get().is_some()>
                <div class="card warn-card" role="alert" data-testid="sign-in-notice">
                    <Icon name="alert"/>
                    <div>
                        <p>{move || app.notice.get().unwrap_or_default()}</p>
                        <Show when=move || !app.pending.with(Vec::is_empty)>
                            <p>{move || crate::common::i18n::pending_count(crate::common::i18n::use_i18n().lang(), app.pending.with(Vec::len))}"："{tr(K::QueuedHere)}</p>
                        </Show>
                    </div>
                </div>
            </Show>
            <form class="form" on:submit=submit novalidate=true>
                <Show when=move || error.get().is_some()>
                    <p class="form-error" role="alert" data-testid="sign-in-error">
                        <Icon name="alert"/>
                        <span>{move || error.get().unwrap_or_default()}</span>
                    </p>
                </Show>
                <label class="field">
                    <span class="label">{tr(K::Phone)}</span>
                    <input
                        type="tel"
                        name="phone"
                        inputmode="numeric"
                        autocomplete="username"
                        placeholder=tr(K::PhonePlaceholder)
                        prop:value=move || phone.get()
                        on:input=move |ev| phone.set(event_target_value(&ev))
                        aria-invalid=move || field_error("phone").is_some().to_string()
                    />
                    <FieldMessage field="phone" message=Signal::derive(move || field_error("phone"))/>
                </label>
                <label class="field">
                    <span class="label">{tr(K::Password)}</span>
                    <input
                        type="password"
                        name="password"
                        autocomplete="current-password"
                        prop:value=move || password.get()
                        on:input=move |ev| password.set(event_target_value(&ev))
                        aria-invalid=move || field_error("password").is_some().to_string()
                    />
                    <FieldMessage field="password" message=Signal::derive(move || field_error("password"))/>
                </label>
                <button type="submit" class="button primary big" disabled=move || busy.get()>
                    {move || if busy.get() { t(K::SigningIn) } else { t(K::SignIn) }}
                </button>
            </form>
            <A href="/join" attr:class="button big" attr:data-testid="have-code">{tr(K::HaveCode)}</A>
        </section>
    }
}
