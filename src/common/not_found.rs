//! An unknown address.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::i18n::{tr, K};

#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <section class="card">
            <p>{tr(K::PageNotFound)}</p>
            <A href="/" attr:class="button">{tr(K::TabHome)}</A>
        </section>
    }
}
