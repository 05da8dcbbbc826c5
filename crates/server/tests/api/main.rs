//! The server's integration tests: one binary, the real app on a port of its own, a fresh
//! SQLite database per test.

mod helpers;
mod http;
mod session;
mod sync;
