//! The server's integration tests: one binary, the real app on a port of its own, a fresh
//! SQLite database per test.

mod accounts;
mod helpers;
mod http;
mod matrix;
mod session;
mod sync;
