//! 提问题: the form. Validation is the domain's, so the phone says exactly what the server
//! would; a valid issue is saved on the phone first and synced when possible.

use crate::common::router::use_router;
use domain::issue::{DESCRIPTION_MAX, PLACE_MAX, TITLE_MAX};
use domain::{Category, FieldError, NewIssue, RaiseIssueArgs};
use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;

use crate::common::act::{act, ActionError};
use crate::common::actions;
use crate::common::components::{FieldMessage, Icon, PageHeader, RequireSession};
use crate::common::i18n::{self, tr, use_i18n, K};
use crate::common::state::use_app;

#[component]
pub fn IssueForm() -> impl IntoView {
    view! {
        <RequireSession>
            <FormContent/>
        </RequireSession>
    }
}

#[component]
fn FormContent() -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let router = use_router();

    // "Fix and submit again" opens the form with what the refused action said.
    let redo_key = router.query_untracked("from");
    let redo: Option<RaiseIssueArgs> = redo_key.as_ref().and_then(|key| {
        app.failed.with_untracked(|failed| {
            failed
                .iter()
                .find(|f| &f.key == key)
                .and_then(|f| serde_json::from_value(f.mutation.args.clone()).ok())
        })
    });
    let title = RwSignal::new(redo.as_ref().map(|a| a.title.clone()).unwrap_or_default());
    let description = RwSignal::new(
        redo.as_ref()
            .map(|a| a.description.clone())
            .unwrap_or_default(),
    );
    let category = RwSignal::new(
        redo.as_ref()
            .map(|a| a.category.clone())
            .unwrap_or_default(),
    );
    let place = RwSignal::new(
        redo.as_ref()
            .and_then(|a| a.place.clone())
            .unwrap_or_default(),
    );
    let tried = RwSignal::new(redo.is_some());
    // Staff raising an issue for a household (`?for=<household>`), recorded as such.
    let on_behalf_of = router
        .query_untracked("for")
        .and_then(|id| Uuid::parse_str(&id).ok())
        .or(redo.as_ref().and_then(|a| a.on_behalf_of));
    let on_behalf_label = on_behalf_of.and_then(|id| {
        app.households.with_untracked(|list| {
            list.iter()
                .find(|h| h.view.id == id)
                .map(|h| h.view.label.clone())
        })
    });
    let busy = RwSignal::new(false);
    let storage_failed = RwSignal::new(false);

    let args = move || RaiseIssueArgs {
        id: Uuid::nil(),
        title: title.get(),
        description: description.get(),
        category: category.get(),
        place: Some(place.get()),
        on_behalf_of,
    };
    let errors = move || -> Vec<FieldError> {
        if !tried.get() {
            return Vec::new();
        }
        NewIssue::parse(&args()).err().unwrap_or_default()
    };
    let error_for = move |field: &'static str| {
        errors()
            .into_iter()
            .find(|e| e.field == field)
            .map(|e| e.message(i18n.lang()))
    };
    // While typing: open issues of the community that look the same, to join instead.
    let suggestions = move || {
        let typed = title.get();
        if typed.chars().count() < 3 {
            return Vec::new();
        }
        app.issues.with(|issues| {
            let candidates: Vec<_> = issues.iter().filter(|i| !i.view.mine).collect();
            domain::issue::similar(
                &typed,
                candidates.iter().map(|i| {
                    let open = i.view.status.is_open();
                    (i.view.title.as_str(), open)
                }),
                3,
            )
            .into_iter()
            .map(|(n, _)| candidates[n].clone())
            .collect::<Vec<_>>()
        })
    };
    let left = move |text: String, max: usize| {
        i18n::chars_left(i18n.lang(), max as i64 - text.chars().count() as i64)
    };

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        tried.set(true);
        if busy.get_untracked() || !errors().is_empty() {
            return;
        }
        busy.set(true);
        let mut args = args();
        args.id = Uuid::new_v4();
        let redo_key = redo_key.clone();
        let id = args.id;
        spawn_local(async move {
            match act(app, args).await {
                Ok(()) => {
                    if let Some(key) = redo_key {
                        actions::discard_failed(app, key).await;
                    }
                    router.navigate(&format!("/issues/{id}?saved=1"));
                }
                Err(ActionError::Storage(_)) => storage_failed.set(true),
                Err(_) => {}
            }
            busy.set(false);
        });
    };

    view! {
        <PageHeader title=K::RaiseIssue back="/issues"/>
        <p class="intro">{tr(K::RaiseIssueIntro)}</p>
        {on_behalf_label.map(|label| view! {
            <p class="card warn-card" data-testid="on-behalf">{tr(K::RaiseForHousehold)}"："{label}</p>
        })}
        <form class="form" on:submit=submit novalidate=true data-testid="issue-form">
            <Show when=move || storage_failed.get()>
                <p class="form-error" role="alert"><Icon name="alert"/>{tr(K::ErrorStorage)}</p>
            </Show>
            <label class="field">
                <span class="label">{tr(K::Title)}<span class="required">" *"{tr(K::Required)}</span></span>
                <input
                    type="text"
                    name="title"
                    placeholder=tr(K::TitleHint)
                    prop:value=move || title.get()
                    on:input=move |ev| title.set(event_target_value(&ev))
                    aria-invalid=move || error_for("title").is_some().to_string()
                />
                <span class="counter">{move || left(title.get(), TITLE_MAX)}</span>
                <FieldMessage field="title" message=Signal::derive(move || error_for("title"))/>
            </label>
            <Show when=move || !suggestions().is_empty()>
                <section class="card similar" data-testid="similar">
                    <p class="hint">{tr(K::Similar)}</p>
                    {move || suggestions().into_iter().map(|item| view! { <crate::common::components::IssueCard item=item/> }).collect_view()}
                </section>
            </Show>
            <fieldset class="field">
                <legend class="label">{tr(K::Category)}<span class="required">" *"{tr(K::Required)}</span></legend>
                <div class="choices">
                    {Category::ALL.into_iter().map(|c| view! {
                        <label class="choice">
                            <input
                                type="radio"
                                name="category"
                                value=c.code()
                                prop:checked=move || category.get() == c.code()
                                on:change=move |_| category.set(c.code().to_string())
                            />
                            <span>{move || c.label(i18n.lang())}</span>
                        </label>
                    }).collect_view()}
                </div>
                <FieldMessage field="category" message=Signal::derive(move || error_for("category"))/>
            </fieldset>
            <label class="field">
                <span class="label">{tr(K::Place)}<span class="optional">" ("{tr(K::Optional)}")"</span></span>
                <input
                    type="text"
                    name="place"
                    placeholder=tr(K::PlaceHint)
                    prop:value=move || place.get()
                    on:input=move |ev| place.set(event_target_value(&ev))
                />
                <span class="counter">{move || left(place.get(), PLACE_MAX)}</span>
                <FieldMessage field="place" message=Signal::derive(move || error_for("place"))/>
            </label>
            <label class="field">
                <span class="label">{tr(K::Description)}<span class="optional">" ("{tr(K::Optional)}")"</span></span>
                <textarea
                    name="description"
                    rows="5"
                    placeholder=tr(K::DescriptionHint)
                    prop:value=move || description.get()
                    on:input=move |ev| description.set(event_target_value(&ev))
                ></textarea>
                <span class="counter">{move || left(description.get(), DESCRIPTION_MAX)}</span>
                <FieldMessage field="description" message=Signal::derive(move || error_for("description"))/>
            </label>
            <button type="submit" class="button primary big" disabled=move || busy.get() data-testid="submit-issue">
                {tr(K::Submit)}
            </button>
        </form>
    }
}
