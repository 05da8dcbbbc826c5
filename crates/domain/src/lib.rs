//! The pure core of 一碗汤, shared by the phone (optimistic) and the server (authoritative).
//!
//! Architecture Invariant: this crate does no IO and depends on neither leptos nor axum.
//! Everything a queued mutation needs to mean the same thing on both sides lives here:
//! the wire format, validation with its messages, and the mutation definitions.

pub mod account;
pub mod dialogue;
pub mod field;
pub mod host;
pub mod issue;
pub mod lang;
pub mod ledger;
pub mod market;
pub mod mutation;
pub mod order;
pub mod parking;
pub mod person;
pub mod privacy;
pub mod time;
pub mod wire;

pub use field::{FieldError, FieldErrorKind};
pub use issue::{Category, IssueStatus, NewIssue, RaiseIssueArgs};
pub use lang::Lang;
pub use mutation::{Mutation, RejectCode, Rejection};
