//! The screens, one module each.

pub mod dialogues;
pub mod home;
pub mod issue_detail;
pub mod issue_form;
pub mod issue_loop;
pub mod issues;
pub mod join;
pub mod ledger;
pub mod login;
pub mod me;
pub mod not_found;
pub mod privacy;
pub mod soon;
pub mod staff;
pub mod sync_page;
