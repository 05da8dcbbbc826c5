//! The server's integration tests: one binary, the real app on a port of its own, a fresh
//! SQLite database per test.

mod accounts;
mod csv_formulas;
mod dialogue;
mod hardening;
mod headers;
mod helpers;
mod http;
mod ledger;
mod market;
mod matrix;
mod parking;
mod passes;
mod security;
mod session;
mod store;
mod sync;
mod takeover;
mod township;
