//! The plate keyboard: a text field people with their own keyboard type into, and under it
//! the keys a Chinese plate needs — the province grid first (苏 already chosen: 杉湾花园 is in
//! Jiangsu), then letters and digits (no I or O: plates never use them), the special
//! characters, and 删除. What was typed is shown back in large type, as the plate will be
//! read at the gate (苏K·12345), with its kind.

use domain::parking::plate::{self, Plate, PlateKind, PROVINCES};
use leptos::prelude::*;

use crate::common::components::{field_words, FieldMessage, Icon};
use crate::common::i18n::{tr, use_i18n, K};

const LETTERS: &str = "ABCDEFGHJKLMNPQRSTUVWXYZ";
const DIGITS: &str = "1234567890";
const SPECIAL: &str = "挂学警港澳";

/// The plate field with its keyboard; `value` holds what was typed.
#[component]
pub fn PlateInput(
    value: RwSignal<String>,
    errors: RwSignal<Vec<domain::FieldError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    // The province grid shows while no province begins the plate, or when asked for.
    let provinces_open = RwSignal::new(false);
    let typed = move || plate::normalise(&value.get());
    let province = move || typed().chars().next().filter(|c| PROVINCES.contains(*c));
    let press = move |key: char| {
        value.update(|v| {
            let mut text = plate::normalise(v);
            if PROVINCES.contains(key) {
                // A province replaces the one the plate begins with.
                if text.chars().next().is_some_and(|c| PROVINCES.contains(c)) {
                    text = text.chars().skip(1).collect();
                }
                text.insert(0, key);
            } else if text.chars().count() < plate::MAX_CHARS {
                text.push(key);
            }
            *v = text;
        });
        if PROVINCES.contains(key) {
            provinces_open.set(false);
        }
    };
    let back = move |_| {
        value.update(|v| {
            let mut text = plate::normalise(v);
            text.pop();
            *v = text;
        })
    };
    let shown = move || {
        let text = typed();
        let kind = Plate::parse(&text).ok().map(|p| p.kind());
        (plate::display(&text), kind)
    };
    let key = move |c: char, testid: &'static str| {
        view! {
            <button type="button" class="key" data-testid=testid data-key=c.to_string() on:click=move |_| press(c)>{c.to_string()}</button>
        }
    };
    view! {
        <div class="field plate-field">
            <label class="field">
                <span class="label">{tr(K::PlateNumber)}</span>
                <input type="text" name="plate" autocomplete="off" autocapitalize="characters" maxlength="14"
                    data-testid="plate-input" prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))/>
            </label>
            <p class="plate-shown" data-testid="plate-shown" aria-live="polite">
                {move || {
                    let (text, kind) = shown();
                    let hint = match kind {
                        Some(PlateKind::NewEnergySmall | PlateKind::NewEnergyLarge) => Some(K::PlateNewEnergy),
                        Some(PlateKind::Unusual) => Some(K::PlateUnusual),
                        _ => None,
                    };
                    view! {
                        <strong class="plate-big">{if text.is_empty() { "—".to_string() } else { text }}</strong>
                        {hint.map(|hint| view! { <span class="muted">{move || i18n.t(hint)}</span> })}
                    }
                }}
            </p>
            <FieldMessage field="plate" message=field_words(errors, "plate")/>
            <div class="plate-keys" role="group" aria-label=move || i18n.t(K::PlateKeyboard)>
                <Show when=move || provinces_open.get() || province().is_none() fallback=move || view! {
                    <button type="button" class="button small" data-testid="change-province" on:click=move |_| provinces_open.set(true)>
                        {tr(K::PlateProvince)}" "{move || province().map(String::from).unwrap_or_default()}
                    </button>
                }>
                    <div class="keys provinces" data-testid="provinces">
                        {PROVINCES.chars().map(|c| key(c, "province-key")).collect_view()}
                    </div>
                </Show>
                <div class="keys">
                    {LETTERS.chars().map(|c| key(c, "plate-key")).collect_view()}
                    {DIGITS.chars().map(|c| key(c, "plate-key")).collect_view()}
                    {SPECIAL.chars().map(|c| key(c, "plate-key")).collect_view()}
                    <button type="button" class="key wide" data-testid="plate-back" on:click=back>
                        <Icon name="back"/><span>{tr(K::PlateDelete)}</span>
                    </button>
                </div>
            </div>
        </div>
    }
}

/// A new plate begins with 苏 (the township is in Jiangsu).
pub fn new_plate() -> RwSignal<String> {
    RwSignal::new("苏".to_string())
}
