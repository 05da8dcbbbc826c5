//! The tabs of features still to come say so plainly (车位, until parking lands).

use leptos::prelude::*;

use crate::common::components::{Icon, PageHeader, RequireSession};
use crate::common::i18n::{tr, K};

#[component]
fn Soon(title: K, icon: &'static str, text: K) -> impl IntoView {
    view! {
        <RequireSession>
            <PageHeader title=title/>
            <section class="card soon">
                <Icon name=icon/>
                <h2>{tr(K::ComingSoon)}</h2>
                <p>{tr(text)}</p>
            </section>
        </RequireSession>
    }
}

#[component]
pub fn Parking() -> impl IntoView {
    view! { <Soon title=K::TabParking icon="parking" text=K::ComingSoonParking/> }
}
