//! The person's session on this phone: start the app from storage, sign in (or join, or reset
//! a password) and out, deal with a refusal, keep the work app for work roles, and the
//! service worker's updates. Queueing an action is `act`'s.

use domain::wire::{SessionView, WireFieldError};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use crate::common::api::{self, ApiFailure};
use crate::common::host;
use crate::common::i18n::{t, K};
use crate::common::state::AppState;
use crate::common::store;
use crate::common::sync;

const SESSION_KEY: &str = "session";

/// Reads the phone's storage, shows what it has, and starts syncing. Works offline.
pub async fn boot(app: AppState) {
    store::let_go_before_freezing();
    match store::app_db().await {
        Ok(db) => {
            if let Ok(Some(session)) = db.get_meta::<SessionView>(SESSION_KEY).await {
                app.session.set(Some(session));
                keep_work_app(app);
                sync::refresh(app).await;
            }
        }
        Err(error) => {
            web_sys::console::error_1(&error.to_string().into());
            app.storage_error.set(true);
        }
    }
    app.booted.set(true);
    request_persistent_storage(app);
    sync::start(app);
}

/// Asks the browser not to evict this app's storage (it holds unsent actions).
fn request_persistent_storage(app: AppState) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let storage = window.navigator().storage();
    let Ok(promise) = storage.persist() else {
        return;
    };
    spawn_local(async move {
        let granted = wasm_bindgen_futures::JsFuture::from(promise)
            .await
            .ok()
            .and_then(|v| v.as_bool());
        app.persisted.set(granted);
    });
}

#[derive(Clone, Debug, PartialEq)]
pub enum SignInError {
    Offline,
    /// The server's message (wrong credentials, invalid phone…), already in Chinese.
    Refused(String, Vec<domain::wire::WireFieldError>),
    Server,
}

impl From<ApiFailure> for SignInError {
    fn from(failure: ApiFailure) -> Self {
        match failure {
            ApiFailure::Offline => SignInError::Offline,
            ApiFailure::Refused { error, .. } => SignInError::Refused(error.message, error.fields),
            ApiFailure::Unauthenticated { message, .. } if !message.is_empty() => {
                SignInError::Refused(message, Vec::new())
            }
            ApiFailure::Unauthenticated { .. } => {
                SignInError::Refused("手机号或密码不对，请再试一次".into(), Vec::new())
            }
            ApiFailure::Server(_) => SignInError::Server,
        }
    }
}

pub async fn sign_in(app: AppState, phone: &str, password: &str) -> Result<(), SignInError> {
    let session = api::sign_in(phone, password).await?;
    signed_in(app, session).await;
    Ok(())
}

/// Joins with an invitation (the person agreed to the privacy notice) and signs in.
pub async fn join(
    app: AppState,
    code: &str,
    request: &domain::account::JoinRequest,
) -> Result<(), SignInError> {
    let session = api::accept_invitation(code, request).await?;
    signed_in(app, session).await;
    Ok(())
}

/// Sets up a new township's first staff account with its setup code, and signs in.
pub async fn set_up(
    app: AppState,
    request: &domain::account::SetupRequest,
) -> Result<(), SignInError> {
    let session = api::set_up(request).await?;
    signed_in(app, session).await;
    Ok(())
}

/// Sets a new password with a reset code and signs in.
pub async fn reset_password(app: AppState, code: &str, password: &str) -> Result<(), SignInError> {
    let request = domain::account::ResetRequest {
        code: code.to_string(),
        password: password.to_string(),
    };
    let session = api::reset_password(&request).await?;
    signed_in(app, session).await;
    Ok(())
}

/// Keeps a new session on the phone and shows the person's data.
pub async fn signed_in(app: AppState, session: SessionView) {
    // Someone else signing in after an expired session: the photos kept were not theirs.
    if app
        .user_id()
        .is_some_and(|previous| previous != session.user_id)
    {
        forget_photos().await;
    }
    if let Ok(db) = store::app_db().await {
        let _ = db.set_meta(SESSION_KEY, &session).await;
    }
    app.session.set(Some(session));
    app.notice.set(None);
    app.sync.update(|s| s.needs_sign_in = false);
    keep_work_app(app);
    sync::refresh(app).await;
    sync::request_sync(app);
}

/// Where a person lands after signing in or joining: the resident app for residents, the work
/// app for someone who holds only work roles.
pub fn home_path(app: AppState) -> &'static str {
    if !app.is_resident() && app.has_work_role() {
        "/work/"
    } else {
        "/"
    }
}

/// Asks the service worker to keep the work app on this phone when the person holds a work
/// role (so it opens offline too), and to forget it otherwise. A resident never downloads it.
pub fn keep_work_app(app: AppState) {
    let message = if app.has_work_role() {
        "cache-work"
    } else {
        "forget-work"
    };
    tell_service_worker(message);
}

/// Posts a message to the active service worker, once there is one.
fn tell_service_worker(message: &'static str) {
    let Some(container) = host::service_worker() else {
        return;
    };
    let Ok(ready) = container.ready() else {
        return;
    };
    spawn_local(async move {
        let Ok(registration) = wasm_bindgen_futures::JsFuture::from(ready).await else {
            return;
        };
        // A host that blocks service workers may answer with nothing at all.
        let Ok(registration) = registration.dyn_into::<web_sys::ServiceWorkerRegistration>() else {
            return;
        };
        if let Some(worker) = registration.active() {
            let _ = worker.post_message(&message.into());
        }
    });
}

/// Signs out: ends the session on the server when online, forgets the server's rows on
/// this phone. Unsent actions stay, to be sent at the next sign-in.
pub async fn sign_out(app: AppState) {
    let _ = api::sign_out().await;
    app.notice.set(None);
    sign_out_here(app).await;
}

/// Signs out on this phone only (the server already ended the session).
pub async fn sign_out_here(app: AppState) {
    if let (Some(user_id), Ok(db)) = (app.user_id(), store::app_db().await) {
        let _ = db.forget_rows(user_id).await;
        let _ = db.delete_meta(SESSION_KEY).await;
    }
    forget_photos().await;
    app.session.set(None);
    keep_work_app(app);
    app.clear_rows();
    sync::announce_change();
}

/// Deletes the service worker's cache of issue photos (see `public/sw.js`).
async fn forget_photos() {
    let Some(window) = web_sys::window() else {
        return;
    };
    // No `caches` at all on a page not served securely, and in some hosts' browsers.
    let Ok(caches) = js_sys::Reflect::get(&window, &"caches".into()) else {
        return;
    };
    let Ok(caches) = caches.dyn_into::<web_sys::CacheStorage>() else {
        return;
    };
    let _ = wasm_bindgen_futures::JsFuture::from(caches.delete("ywt-photos")).await;
}

/// Forgets a refused action.
pub async fn discard_failed(app: AppState, key: String) {
    if let Ok(db) = store::app_db().await {
        let _ = db.discard_failed(&key).await;
    }
    sync::refresh(app).await;
    sync::announce_change();
}

/// Registers the service worker and shows the update prompt when a new version waits.
/// The new version takes over only when the person says so, then the page reloads.
pub fn register_service_worker(app: AppState) {
    // None inside an iPhone app's browser (WKWebView), or where the host turned them off:
    // everything works, only opening offline does not.
    let Some(container) = host::service_worker() else {
        return;
    };
    let promise = container.register("/sw.js");
    spawn_local(async move {
        let Ok(registration) = wasm_bindgen_futures::JsFuture::from(promise).await else {
            return;
        };
        // A host that blocks service workers may answer with nothing at all.
        let Ok(registration) = registration.dyn_into::<web_sys::ServiceWorkerRegistration>() else {
            return;
        };
        if registration.waiting().is_some() && registration.active().is_some() {
            app.update_ready.set(true);
        }
        let watched = registration.clone();
        let on_update = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(move || {
            if let Some(installing) = watched.installing() {
                let waiting_registration = watched.clone();
                let on_state = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(move || {
                    let has_controller =
                        host::service_worker().is_some_and(|c| c.controller().is_some());
                    if waiting_registration.waiting().is_some() && has_controller {
                        app.update_ready.set(true);
                    }
                });
                installing.set_onstatechange(Some(on_state.as_ref().unchecked_ref()));
                on_state.forget();
            }
        });
        registration.set_onupdatefound(Some(on_update.as_ref().unchecked_ref()));
        on_update.forget();
    });
    let on_controller = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(move || {
        if app.update_ready.get_untracked() {
            if let Some(window) = web_sys::window() {
                let _ = window.location().reload();
            }
        }
    });
    container.set_oncontrollerchange(Some(on_controller.as_ref().unchecked_ref()));
    on_controller.forget();
}

/// The person accepted the update: the waiting service worker takes over (the page reloads
/// on `controllerchange`).
pub fn apply_update() {
    let Some(container) = host::service_worker() else {
        return;
    };
    spawn_local(async move {
        let Ok(registration) =
            wasm_bindgen_futures::JsFuture::from(container.get_registration()).await
        else {
            return;
        };
        if let Ok(registration) = registration.dyn_into::<web_sys::ServiceWorkerRegistration>() {
            if let Some(waiting) = registration.waiting() {
                let _ = waiting.post_message(&"skip-waiting".into());
            }
        }
    });
}

/// The message of one field's error, for a form's `FieldMessage`.
pub fn field_error(
    errors: RwSignal<Vec<WireFieldError>>,
    field: &'static str,
) -> Signal<Option<String>> {
    Signal::derive(move || {
        errors.with(|e| {
            e.iter()
                .find(|e| e.field == field)
                .map(|e| e.message.clone())
        })
    })
}

/// Shows why joining, a reset or a setup failed: on the form, or at the field it names.
pub fn show_failure(
    failure: SignInError,
    error: RwSignal<Option<String>>,
    fields: RwSignal<Vec<WireFieldError>>,
) {
    match failure {
        SignInError::Offline => error.set(Some(t(K::CodeNeedsNetwork).to_string())),
        SignInError::Refused(message, field_errors) if field_errors.is_empty() => {
            error.set(Some(message))
        }
        SignInError::Refused(_, field_errors) => fields.set(field_errors),
        SignInError::Server => error.set(Some(t(K::ServerTrouble).to_string())),
    }
}
