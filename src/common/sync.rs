//! The sync engine: pushes the outbox and pulls changes, in that order, one run at a time.
//!
//! Triggers: start-up, the `online` event, the page becoming visible, right after a local
//! action, and a periodic pull while the page is visible. A passing failure (no network, a
//! server error, `retry`) schedules another run with exponential backoff and jitter; the
//! queue keeps its order. An expired session stops pushing until the person signs in again;
//! nothing is dropped.

use std::cell::{Cell, RefCell};

use chrono::Utc;
use domain::wire::{PullRequest, PushRequest, ResultStatus, PUSH_BATCH_MAX};
use gloo_timers::callback::{Interval, Timeout};
use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

use crate::common::api::{self, ApiFailure};
use crate::common::state::AppState;
use crate::common::store::{self, StoreError};

/// The most pull pages one sync run takes (a page holds up to 1,000 changes).
const PULL_PAGES_MAX: usize = 500;

/// How often a visible page pulls when nothing else happens.
const PULL_EVERY_MS: u32 = 30_000;
const BACKOFF_MAX_MS: f64 = 60_000.0;
/// About as much as one push carries (the server takes up to 8 MB).
const PUSH_BYTES_MAX: usize = 3 * 1024 * 1024;

thread_local! {
    static RUNNING: Cell<bool> = const { Cell::new(false) };
    static AGAIN: Cell<bool> = const { Cell::new(false) };
    static FAILURES: Cell<u32> = const { Cell::new(0) };
    static RETRY: RefCell<Option<Timeout>> = const { RefCell::new(None) };
    static CHANNEL: RefCell<Option<web_sys::BroadcastChannel>> = const { RefCell::new(None) };
}

/// Why a sync run stopped early.
#[derive(Debug)]
enum Stop {
    Offline,
    Transient,
    NeedsSignIn { code: String, message: String },
    Storage(StoreError),
    Refused(String),
}

impl From<ApiFailure> for Stop {
    fn from(failure: ApiFailure) -> Self {
        match failure {
            ApiFailure::Offline => Stop::Offline,
            ApiFailure::Server(_) => Stop::Transient,
            ApiFailure::Unauthenticated { code, message } => Stop::NeedsSignIn { code, message },
            ApiFailure::Refused { error, .. } => Stop::Refused(error.message),
        }
    }
}

impl From<StoreError> for Stop {
    fn from(error: StoreError) -> Self {
        Stop::Storage(error)
    }
}

pub fn is_online() -> bool {
    web_sys::window()
        .map(|w| w.navigator().on_line())
        .unwrap_or(true)
}

/// Reads the phone's storage into the screens.
pub async fn refresh(app: AppState) {
    let Some(user_id) = app.user_id() else {
        return;
    };
    match store::app_db().await {
        Ok(db) => {
            if let Ok(snapshot) = db.snapshot(user_id).await {
                app.show(snapshot);
            }
            // Read as text with the domain's RFC 3339 reader (chrono's would add its parser).
            if let Ok(last) = db
                .get_meta::<String>(&store::last_sync_meta_key(user_id))
                .await
            {
                let last = last.as_deref().and_then(domain::time::parse_instant);
                app.sync.update(|s| s.last_sync = last);
            }
        }
        Err(error) => {
            web_sys::console::error_1(&error.to_string().into());
            app.storage_error.set(true);
        }
    }
}

/// Tells other tabs of this app that the phone's storage changed.
pub fn announce_change() {
    CHANNEL.with(|channel| {
        if let Some(channel) = channel.borrow().as_ref() {
            let _ = channel.post_message(&"changed".into());
        }
    });
}

/// Starts a sync run now, or right after the one in progress.
pub fn request_sync(app: AppState) {
    if RUNNING.with(Cell::get) {
        AGAIN.with(|again| again.set(true));
        return;
    }
    RUNNING.with(|running| running.set(true));
    spawn_local(async move {
        loop {
            AGAIN.with(|again| again.set(false));
            let outcome = run(app).await;
            after_run(app, outcome);
            if !AGAIN.with(Cell::get) {
                break;
            }
        }
        RUNNING.with(|running| running.set(false));
    });
}

fn after_run(app: AppState, outcome: Result<(), Stop>) {
    app.sync.update(|s| s.syncing = false);
    match outcome {
        Ok(()) => {
            FAILURES.with(|f| f.set(0));
            app.sync.update(|s| {
                s.retrying = false;
                s.needs_sign_in = false;
            });
        }
        Err(Stop::NeedsSignIn { code, message }) if code == "deactivated" => {
            // Signed out here too; the queue stays on the phone and the sign-in page says why.
            app.sync.update(|s| s.needs_sign_in = true);
            app.notice.set(Some(message));
            spawn_local(crate::common::actions::sign_out_here(app));
        }
        Err(Stop::NeedsSignIn { message, .. }) => {
            app.sync.update(|s| s.needs_sign_in = true);
            if !message.is_empty() {
                app.notice.set(Some(message));
            }
        }
        Err(Stop::Offline) if !is_online() => {
            // The `online` event starts the next run.
            app.sync.update(|s| s.online = false);
        }
        Err(stop) => {
            if let Stop::Storage(error) = &stop {
                web_sys::console::error_1(&error.to_string().into());
            }
            if let Stop::Refused(message) = &stop {
                web_sys::console::warn_1(&message.into());
            }
            app.sync.update(|s| s.retrying = true);
            schedule_retry(app);
        }
    }
}

/// Exponential backoff with jitter: 1 s, 2 s, 4 s … up to a minute, each ×0.5–1.5.
fn schedule_retry(app: AppState) {
    let failures = FAILURES.with(|f| {
        f.set(f.get().saturating_add(1));
        f.get()
    });
    let base = (1000.0 * 2f64.powi(failures.min(16) as i32 - 1)).min(BACKOFF_MAX_MS);
    let delay = base * (0.5 + js_sys::Math::random());
    let timeout = Timeout::new(delay as u32, move || request_sync(app));
    RETRY.with(|retry| *retry.borrow_mut() = Some(timeout));
}

async fn run(app: AppState) -> Result<(), Stop> {
    let Some(user_id) = app.user_id() else {
        return Ok(());
    };
    if !is_online() {
        return Err(Stop::Offline);
    }
    app.sync.update(|s| {
        s.syncing = true;
        s.online = true;
    });
    let db = store::app_db().await?;
    push_all(app, &db, user_id).await?;
    pull(app, &db, user_id).await?;
    Ok(())
}

async fn push_all(app: AppState, db: &store::Db, user_id: Uuid) -> Result<(), Stop> {
    // Bounded: a queue of 5,000 goes out in 50 batches; more waits for the next run.
    for _ in 0..50 {
        let pending = db.pending(user_id).await?;
        // At most 100 mutations, and about 3 MB (photos travel in the queue too).
        let mut bytes = 0;
        let batch: Vec<_> = pending
            .iter()
            .filter(|e| !e.submitted)
            .take(PUSH_BATCH_MAX)
            .take_while(|e| {
                let first = bytes == 0;
                bytes += e.mutation.args.to_string().len();
                first || bytes <= PUSH_BYTES_MAX
            })
            .collect();
        let Some(first) = batch.first() else {
            return Ok(());
        };
        let client_id = first.client_id;
        let request = PushRequest {
            client_id,
            mutations: batch.iter().map(|e| e.mutation.clone()).collect(),
        };
        let response = api::push(&request).await?;
        db.apply_push_results(user_id, client_id, &response.results)
            .await?;
        refresh(app).await;
        announce_change();
        if let Some(result) = response
            .results
            .iter()
            .find(|r| r.status == ResultStatus::OutOfOrder)
        {
            // The server expects another seq (it never got ours, or lost them): number the
            // unsent queue from there and push again.
            let expected = result.expected_seq.unwrap_or(1).max(1);
            db.renumber(user_id, client_id, expected).await?;
            continue;
        }
        if response.results.len() < batch.len()
            || response
                .results
                .iter()
                .any(|r| r.status == ResultStatus::Retry)
        {
            return Err(Stop::Transient);
        }
    }
    Ok(())
}

async fn pull(app: AppState, db: &store::Db, user_id: Uuid) -> Result<(), Stop> {
    let client = db.ensure_client(user_id).await?;
    // Page by page, each applied in its own IndexedDB transaction with its cursor: a pull cut
    // off halfway resumes from the last page kept. Bounded; what remains waits for the next run.
    for _ in 0..PULL_PAGES_MAX {
        let cursor: Option<u64> = db.get_meta(&store::cursor_meta_key(user_id)).await?;
        let epoch: Option<String> = db.get_meta(&store::epoch_meta_key(user_id)).await?;
        let response = api::pull(&PullRequest {
            client_id: client.client_id,
            cursor,
            epoch,
        })
        .await?;
        db.apply_pull(user_id, client.client_id, &response).await?;
        if !response.has_more {
            break;
        }
    }
    app.sync.update(|s| s.last_sync = Some(Utc::now()));
    refresh(app).await;
    announce_change();
    Ok(())
}

/// Asks the service worker to push the queue once the network is back, even if the tab is
/// closed by then (Background Sync; Chromium only, elsewhere the next start-up pushes).
pub fn register_background_sync() {
    // Only with a worker in control: where the host blocks workers, `ready` never settles.
    let Some(container) =
        crate::common::host::service_worker().filter(|c| c.controller().is_some())
    else {
        return;
    };
    let ready = match container.ready() {
        Ok(ready) => ready,
        Err(_) => return,
    };
    spawn_local(async move {
        let Ok(registration) = wasm_bindgen_futures::JsFuture::from(ready).await else {
            return;
        };
        let sync = js_sys::Reflect::get(&registration, &"sync".into()).ok();
        let Some(sync) = sync.filter(|s| !s.is_undefined()) else {
            return;
        };
        let register = js_sys::Reflect::get(&sync, &"register".into())
            .ok()
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
        if let Some(register) = register {
            if let Ok(promise) = register.call1(&sync, &"ywt-push".into()) {
                if let Ok(promise) = promise.dyn_into::<js_sys::Promise>() {
                    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
                }
            }
        }
    });
}

/// Installs the triggers. Called once at start-up.
pub fn start(app: AppState) {
    app.sync.update(|s| s.online = is_online());
    let Some(window) = web_sys::window() else {
        return;
    };
    let on_online = Closure::<dyn FnMut()>::new(move || {
        app.sync.update(|s| s.online = true);
        request_sync(app);
    });
    let on_offline = Closure::<dyn FnMut()>::new(move || {
        app.sync.update(|s| s.online = false);
    });
    let _ = window.add_event_listener_with_callback("online", on_online.as_ref().unchecked_ref());
    let _ = window.add_event_listener_with_callback("offline", on_offline.as_ref().unchecked_ref());
    on_online.forget();
    on_offline.forget();
    if let Some(document) = window.document() {
        let visible_document = document.clone();
        let on_visible = Closure::<dyn FnMut()>::new(move || {
            if visible_document.visibility_state() == web_sys::VisibilityState::Visible {
                request_sync(app);
            }
        });
        let _ = document.add_event_listener_with_callback(
            "visibilitychange",
            on_visible.as_ref().unchecked_ref(),
        );
        on_visible.forget();
        let interval_document = document.clone();
        Interval::new(PULL_EVERY_MS, move || {
            if interval_document.visibility_state() == web_sys::VisibilityState::Visible
                && is_online()
            {
                request_sync(app);
            }
        })
        .forget();
    }
    if let Ok(channel) = web_sys::BroadcastChannel::new("yiwantang") {
        let on_message = Closure::<dyn FnMut()>::new(move || {
            spawn_local(refresh(app));
        });
        channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        on_message.forget();
        CHANNEL.with(|c| *c.borrow_mut() = Some(channel));
    }
    request_sync(app);
}
