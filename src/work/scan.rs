//! 扫码确认: the pass scanner. The rear camera's frames go to a Web Worker that decodes QR
//! codes in its own small Wasm (`crates/scanner`, rqrr), fetched only when the scanner first
//! opens; what it reads is checked here with no network, against the public keys and the
//! bookings this phone pulled (`domain::market::pass`).
//!
//! Dropping the running scan (the scanner leaves the screen) turns the camera off and ends
//! the worker, so the camera's light never stays on behind another screen.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use chrono::{DateTime, Utc};
use domain::ledger::china_date;
use domain::market::booking::BookingState;
use domain::market::pass::{self, PassClaims, PassError, PassKey};
use domain::Lang;
use js_sys::{Array, Object, Reflect};
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    CanvasRenderingContext2d, HtmlCanvasElement, HtmlVideoElement, MediaStream, MediaStreamTrack,
    MessageEvent, Worker,
};

use crate::common::components::Icon;
use crate::common::i18n::{text, tr, K};
use crate::common::state::AppState;

/// The decoder's worker, beside its Wasm (built by `cargo xtask` into `dist/work/scanner/`).
const WORKER: &str = "/work/scanner/worker.js";
/// Frames are scaled down so their long side is at most this before decoding: a pass held up
/// to the camera fills much of the frame, and smaller frames decode faster on old phones.
const FRAME_MAX: f64 = 800.0;
/// How often a frame goes to the decoder, when it is not busy with the last one.
const FRAME_EVERY_MS: u32 = 120;

/// Verifies what the scanner read (a pass URL or a bare token) on this phone: the signature
/// against the pulled keys (retired ones verify nothing, and say so), expiry, and `revoked`
/// (the phone's cancelled bookings or visits). The market's and the gate's checks both.
pub fn verify(
    app: AppState,
    scanned: &str,
    revoked: impl Fn(uuid::Uuid) -> bool,
    now: DateTime<Utc>,
) -> Result<PassClaims, PassError> {
    let keys: Vec<PassKey> = app.pass_keys.with_untracked(|keys| {
        keys.iter()
            .filter(|k| !k.retired)
            .filter_map(|k| PassKey::parse(k.key_id, &k.public))
            .collect()
    });
    pass::verify(pass::token_in(scanned), &keys, revoked, now).map_err(|error| match error {
        PassError::UnknownKey { key_id }
            if app
                .pass_keys
                .with_untracked(|keys| keys.iter().any(|k| k.key_id == key_id && k.retired)) =>
        {
            PassError::RetiredKey { key_id }
        }
        other => other,
    })
}

/// Checks a market pass on this phone: `verify`, then that it is for a service this person
/// confirms, today.
pub fn check(app: AppState, scanned: &str, now: DateTime<Utc>) -> Result<PassClaims, PassError> {
    let cancelled = |id| {
        app.bookings.with_untracked(|list| {
            list.iter()
                .any(|b| b.view.id == id && b.view.state == BookingState::Cancelled)
        })
    };
    let claims = verify(app, scanned, cancelled, now)?;
    let services: Vec<uuid::Uuid> = app
        .market_services
        .with_untracked(|list| list.iter().filter(|s| s.serves).map(|s| s.id).collect());
    pass::check_for(&claims, &services, china_date(now))?;
    Ok(claims)
}

/// A pass in the address (`/work/today#<token>`, `/work/gate#<token>`): a pass opened with the
/// phone's own camera app lands on `/p`, which sends people with a work role here. It is
/// checked once the phone's rows are read (keys, bookings, visits), and once only: the address
/// then drops it (back to `path`), so a later pull or a reload does not bring back an old
/// pass's card over a newer scan.
pub fn on_opened_pass(app: AppState, path: &'static str, check: impl Fn(String) + 'static) {
    let token_in_address = || {
        let hash = window().location().hash().ok()?;
        let token = hash.trim_start_matches('#');
        (!token.is_empty()).then(|| token.to_string())
    };
    let opened = RwSignal::new(token_in_address());
    let listener = window_event_listener(leptos::ev::hashchange, move |_| {
        opened.set(token_in_address())
    });
    on_cleanup(move || listener.remove());
    Effect::new(move |_| {
        if !app.booted.get() {
            return;
        }
        let Some(token) = opened.get() else {
            return;
        };
        untrack(|| check(token));
        opened.set(None);
        if let Ok(history) = window().history() {
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(path));
        }
    });
}

/// Why a pass was refused, for the volunteer: what it means and what to do.
pub fn refusal_words(lang: Lang, error: &PassError) -> String {
    let key = match error {
        PassError::Malformed => K::PassMalformed,
        PassError::UnknownKey { .. } => K::PassUnknownKey,
        PassError::RetiredKey { .. } => K::PassRetiredKey,
        PassError::Forged => K::PassForged,
        PassError::Expired => K::PassExpired,
        PassError::Revoked => K::PassRevoked,
        PassError::OtherService => K::PassOtherService,
        PassError::OtherDay { .. } => K::PassOtherDay,
    };
    match error {
        PassError::OtherDay { day } => format!(
            "{}{}",
            text(lang, key),
            crate::common::issue::day_text(lang, *day)
        ),
        _ => text(lang, key).to_string(),
    }
}

/// Why the camera did not open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CameraProblem {
    /// The person (or the browser's settings) refused the camera.
    Denied,
    /// No camera on this device.
    Missing,
    /// The camera is busy or broke; or this browser has no camera access at all.
    Failed,
}

impl CameraProblem {
    fn key(self) -> K {
        match self {
            CameraProblem::Denied => K::CameraDenied,
            CameraProblem::Missing => K::CameraMissing,
            CameraProblem::Failed => K::CameraFailed,
        }
    }

    fn of(error: &JsValue) -> CameraProblem {
        let name = Reflect::get(error, &"name".into())
            .ok()
            .and_then(|n| n.as_string())
            .unwrap_or_default();
        match name.as_str() {
            "NotAllowedError" | "SecurityError" => CameraProblem::Denied,
            "NotFoundError" | "OverconstrainedError" => CameraProblem::Missing,
            _ => CameraProblem::Failed,
        }
    }
}

/// The camera's stream: dropping it turns the camera off (its light goes out).
struct Camera(MediaStream);

impl Drop for Camera {
    fn drop(&mut self) {
        stop(&self.0);
    }
}

/// A scan under way: the camera, the decoder and the frame timer. Dropping it stops them all.
struct Running {
    _camera: Camera,
    worker: Worker,
    _timer: gloo_timers::callback::Interval,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.worker.set_onmessage(None);
        self.worker.set_onerror(None);
        self.worker.terminate();
    }
}

fn stop(stream: &MediaStream) {
    for track in stream.get_tracks().iter() {
        track.unchecked_into::<MediaStreamTrack>().stop();
    }
}

fn set(target: &JsValue, key: &str, value: &JsValue) {
    let _ = Reflect::set(target, &key.into(), value);
}

/// The rear camera, as large as it comes up to 720p (a front camera where there is no rear).
async fn open_camera() -> Result<MediaStream, CameraProblem> {
    let navigator = window().navigator();
    let devices = Reflect::get(&navigator, &"mediaDevices".into()).unwrap_or(JsValue::UNDEFINED);
    if devices.is_undefined() {
        return Err(CameraProblem::Failed);
    }
    let devices: web_sys::MediaDevices = devices.unchecked_into();
    let ideal = |value: JsValue| {
        let object = Object::new();
        set(&object, "ideal", &value);
        object
    };
    let video = Object::new();
    set(&video, "facingMode", &ideal("environment".into()));
    set(&video, "width", &ideal(1280.into()));
    set(&video, "height", &ideal(720.into()));
    let constraints = web_sys::MediaStreamConstraints::new();
    constraints.set_video(&video);
    constraints.set_audio(&JsValue::FALSE);
    let promise = devices
        .get_user_media_with_constraints(&constraints)
        .map_err(|e| CameraProblem::of(&e))?;
    JsFuture::from(promise)
        .await
        .map(JsCast::unchecked_into)
        .map_err(|e| CameraProblem::of(&e))
}

/// Sends the video's current frame to the decoder (scaled, as RGBA bytes, transferred).
fn send_frame(
    video: &HtmlVideoElement,
    canvas: &HtmlCanvasElement,
    context: &CanvasRenderingContext2d,
    worker: &Worker,
) -> Result<(), JsValue> {
    let (width, height) = (video.video_width(), video.video_height());
    if width == 0 || height == 0 {
        return Err(JsValue::NULL);
    }
    let scale = (FRAME_MAX / f64::from(width.max(height))).min(1.0);
    let (w, h) = (
        (f64::from(width) * scale).round(),
        (f64::from(height) * scale).round(),
    );
    if canvas.width() != w as u32 || canvas.height() != h as u32 {
        canvas.set_width(w as u32);
        canvas.set_height(h as u32);
    }
    context.draw_image_with_html_video_element_and_dw_and_dh(video, 0.0, 0.0, w, h)?;
    let image = context.get_image_data(0.0, 0.0, w, h)?;
    let pixels: js_sys::Uint8ClampedArray = Reflect::get(&image, &"data".into())?.unchecked_into();
    let buffer = pixels.buffer();
    let message = Object::new();
    set(&message, "pixels", &buffer);
    set(&message, "width", &w.into());
    set(&message, "height", &h.into());
    worker.post_message_with_transfer(&message, &Array::of1(&buffer))
}

/// Starts the camera into `video` and the decoder; `on_read` gets the first text read. The
/// scan stops when `holder` is dropped (or was dropped before the camera came up), and on any
/// failure (the camera is turned off before the problem is shown).
async fn start(
    video: HtmlVideoElement,
    holder: Weak<RefCell<Option<Running>>>,
    on_read: Callback<String>,
    problem: RwSignal<Option<CameraProblem>>,
) -> Result<(), CameraProblem> {
    let camera = Camera(open_camera().await?);
    if holder.upgrade().is_none() {
        return Ok(());
    }
    video.set_muted(true);
    let _ = video.set_attribute("playsinline", "");
    video.set_src_object(Some(&camera.0));
    if let Ok(playing) = video.play() {
        let _ = JsFuture::from(playing).await;
    }
    let Some(holder) = holder.upgrade() else {
        return Ok(());
    };
    let weak = Rc::downgrade(&holder);
    // The decoder failed (its files did not load, or it broke on a frame): the scan ends, the
    // camera goes off, and the person reads why (the short code still works).
    let fail = move || {
        let weak = weak.clone();
        leptos::task::spawn_local(async move {
            if let Some(holder) = weak.upgrade() {
                holder.borrow_mut().take();
            }
            problem.set(Some(CameraProblem::Failed));
        });
    };
    let worker = Worker::new(WORKER).map_err(|_| CameraProblem::Failed)?;
    let busy = Rc::new(Cell::new(false));
    let done = Rc::new(Cell::new(false));
    let on_message = {
        let (busy, done, fail) = (busy.clone(), done.clone(), fail.clone());
        Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            busy.set(false);
            let data = event.data();
            if Reflect::get(&data, &"error".into()).is_ok_and(|e| !e.is_undefined()) {
                done.set(true);
                fail();
                return;
            }
            let text = Reflect::get(&data, &"text".into())
                .ok()
                .and_then(|t| t.as_string());
            if let Some(text) = text.filter(|_| !done.get()) {
                done.set(true);
                // Later, not inside this handler: reading ends the scan, which drops it.
                leptos::task::spawn_local(async move { on_read.run(text) });
            }
        })
    };
    let on_error = {
        let done = done.clone();
        Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
            done.set(true);
            fail();
        })
    };
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    let document = window().document().ok_or(CameraProblem::Failed)?;
    let canvas: HtmlCanvasElement = document
        .create_element("canvas")
        .map_err(|_| CameraProblem::Failed)?
        .unchecked_into();
    let options = Object::new();
    set(&options, "willReadFrequently", &JsValue::TRUE);
    let context: CanvasRenderingContext2d = canvas
        .get_context_with_context_options("2d", &options)
        .ok()
        .flatten()
        .ok_or(CameraProblem::Failed)?
        .unchecked_into();
    let timer = {
        let worker = worker.clone();
        gloo_timers::callback::Interval::new(FRAME_EVERY_MS, move || {
            if busy.get() || done.get() || video.ready_state() < 2 {
                return;
            }
            if send_frame(&video, &canvas, &context, &worker).is_ok() {
                busy.set(true);
            }
        })
    };
    *holder.borrow_mut() = Some(Running {
        _camera: camera,
        worker,
        _timer: timer,
        _on_message: on_message,
        _on_error: on_error,
    });
    Ok(())
}

/// The camera view with its aiming frame: reads one pass and hands its text to `on_read`.
/// `on_close` takes it away (the camera goes off).
#[component]
pub fn Scanner(on_read: Callback<String>, on_close: Callback<()>) -> impl IntoView {
    let video = NodeRef::<leptos::html::Video>::new();
    let problem = RwSignal::new(None::<CameraProblem>);
    let holder: Rc<RefCell<Option<Running>>> = Rc::new(RefCell::new(None));
    let weak = Rc::downgrade(&holder);
    // Kept by this component: when it leaves the screen, the scan is dropped and stops.
    let kept = StoredValue::new_local(holder);
    on_cleanup(move || {
        kept.try_update_value(|holder| holder.borrow_mut().take());
    });
    video.on_load(move |element| {
        let element: HtmlVideoElement = (*element).clone().unchecked_into();
        leptos::task::spawn_local(async move {
            if let Err(reason) = start(element, weak, on_read, problem).await {
                problem.set(Some(reason));
            }
        });
    });
    view! {
        <section class="card scanner" data-testid="scanner">
            // The camera's picture goes when it cannot open: only the words stay.
            <div class="scanner-view" class:hidden=move || problem.get().is_some()>
                <video node_ref=video class="scanner-video" aria-hidden="true"></video>
                <div class="scanner-aim" aria-hidden="true"></div>
            </div>
            {move || match problem.get() {
                Some(reason) => view! {
                    <p class="camera-problem" role="alert" data-testid="camera-problem"><Icon name="alert"/>{tr(reason.key())}</p>
                }.into_any(),
                None => view! { <p class="hint" data-testid="scanner-hint">{tr(K::ScanAim)}</p> }.into_any(),
            }}
            <button class="button big" data-testid="close-scanner" on:click=move |_| on_close.run(())>
                {tr(K::CloseCamera)}
            </button>
        </section>
    }
}
