//! The core both apps link: one IndexedDB database, one outbox, one client id and one sync
//! engine per origin, so an action queued in either app is pushed exactly once by either.
//!
//! `store` is the only module that touches IndexedDB; `sync` pushes and pulls; `api` is the
//! HTTP client; `actions` is what a person does; `state` holds what screens show; `i18n` every
//! text; `shell` the frame both apps share (contexts, boot, banners, tab bar, service worker).

pub mod act;
pub mod actions;
pub mod api;
pub mod components;
pub mod host;
pub mod i18n;
pub mod issue;
pub mod issue_form;
pub mod not_found;
pub mod panic;
pub mod photo;
pub mod plate;
pub mod router;
pub mod shell;
pub mod state;
pub mod store;
pub mod sync;
pub mod sync_page;
pub mod visit_form;
