//! 开通乡镇: the first township staff account of a township made by `new-township`, with the
//! one-time setup code it printed. Needs the network (the server checks the code).

use domain::account::SetupRequest;
use domain::privacy::NOTICE_VERSION;
use domain::wire::WireFieldError;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::common::actions::{self, field_error, show_failure};
use crate::common::components::{FieldMessage, Icon, PageHeader};
use crate::common::i18n::{tr, use_i18n, K};
use crate::common::state::use_app;

/// `/setup`: code, name, phone, a password of their own, and the privacy notice.
#[component]
pub fn Setup() -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let code = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let phone = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let agreed = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let fields = RwSignal::new(Vec::<WireFieldError>::new());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        let request = SetupRequest {
            code: code.get_untracked(),
            display_name: name.get_untracked(),
            phone: phone.get_untracked(),
            password: password.get_untracked(),
            consent_version: if agreed.get_untracked() {
                NOTICE_VERSION.to_string()
            } else {
                String::new()
            },
        };
        // The server's own checks and words, before anything is sent.
        if let Err(problems) = request.parse_with_code() {
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
        spawn_local(async move {
            match actions::set_up(app, &request).await {
                Ok(()) => crate::common::shell::go_to("/work/township"),
                Err(failure) => show_failure(failure, error, fields),
            }
            busy.set(false);
        });
    };
    view! {
        <PageHeader title=K::SetupTitle/>
        <p>{tr(K::SetupIntro)}</p>
        <form class="form" on:submit=submit novalidate=true data-testid="setup-form">
            <Show when=move || error.get().is_some()>
                <p class="form-error" role="alert"><Icon name="alert"/>{move || error.get().unwrap_or_default()}</p>
            </Show>
            <label class="field">
                <span class="label">{tr(K::SetupCode)}</span>
                <input type="text" name="code" autocomplete="off" autocapitalize="characters" placeholder="ABCDE-FGHJK"
                    prop:value=move || code.get() on:input=move |ev| code.set(event_target_value(&ev))/>
                <FieldMessage field="code" message=field_error(fields, "code")/>
            </label>
            <label class="field">
                <span class="label">{tr(K::DisplayName)}</span>
                <input type="text" name="display_name" autocomplete="name" placeholder=tr(K::DisplayNameHint)
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
            <a class="button" href="/privacy" target="_blank" rel="noopener">{tr(K::PrivacyNotice)}</a>
            <label class="check">
                <input type="checkbox" name="consent" prop:checked=move || agreed.get()
                    on:change=move |ev| agreed.set(event_target_checked(&ev))/>
                <span>{tr(K::SetupAgree)}</span>
            </label>
            <FieldMessage field="consent" message=field_error(fields, "consent")/>
            <button type="submit" class="button primary big" disabled=move || busy.get()>{tr(K::SetupButton)}</button>
        </form>
    }
}
