//! An unknown address, and the work app asked for where it is not on the phone.

use crate::common::router::A;
use leptos::prelude::*;

use crate::common::i18n::{tr, K};

#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <section class="card">
            <p>{tr(K::PageNotFound)}</p>
            <A href="/" attr:class="button">{tr(K::TabHome)}</A>
        </section>
    }
}

/// `/work/…` reached the resident app's shell: the work app was never downloaded on this
/// phone and there is no network to fetch it. Says so, and offers the way back.
#[component]
pub fn WorkAppOffline() -> impl IntoView {
    view! {
        <section class="card" data-testid="work-app-offline">
            <p>{tr(K::WorkAppOffline)}</p>
            <A href="/" attr:class="button">{tr(K::TabHome)}</A>
        </section>
    }
}
