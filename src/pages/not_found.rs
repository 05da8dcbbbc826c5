//! An unknown address.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::i18n::{t, K};

#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <section class="card">
            <p>{move || t(K::NotFound)}</p>
            <A href="/" attr:class="button">{move || t(K::TabHome)}</A>
        </section>
    }
}
