//! 一碗汤: two apps on one core, compiled to WebAssembly from this one library.
//!
//! - `resident` — the 居民端 at `/`: what every resident loads, kept small for old phones.
//! - `work` — the 工作端 at `/work/`: community staff, the property company, township staff,
//!   volunteers and guards; loaded only by people who hold such a role.
//! - `common` — the core both link: IndexedDB and the outbox (`store`), the sync engine, the
//!   API client, actions, state, i18n, the shell and shared components.
//!
//! Each app is its own binary (`src/main.rs`, `src/bin/work.rs`) that mounts its root; link-time
//! optimisation drops what that root does not reach, so the resident's download never carries
//! the work app's screens. Architecture Invariant: `resident` never names `work`, and `work`
//! never names `resident` (checked by the tidy test in xtask).

pub mod common;
pub mod resident;
pub mod work;
