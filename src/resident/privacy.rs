//! 隐私说明: what is collected, why, who sees it, how long it is kept, the person's rights.

use domain::privacy::{notice, NOTICE_VERSION};
use leptos::prelude::*;

use crate::common::components::PageHeader;
use crate::common::i18n::{use_i18n, K};

/// The notice itself, shown here and on the join page before agreeing.
#[component]
pub fn Notice() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="card notice" data-testid="privacy-notice">
            {move || notice(i18n.lang()).into_iter().map(|(heading, text)| view! {
                <h3>{heading}</h3>
                <p>{text}</p>
            }).collect_view()}
            <p class="muted">{move || i18n.lang().pick("版本 ", "Version ")}{NOTICE_VERSION}</p>
        </section>
    }
}

#[component]
pub fn Privacy() -> impl IntoView {
    view! {
        <PageHeader title=K::PrivacyNotice back="/me"/>
        <Notice/>
    }
}
