//! The resident app's entry point (the 居民端 at `/`): mounts its root. Everything else is in
//! the library, so browser tests can reach it.

fn main() {
    yiwantang::common::panic::install();
    leptos::mount::mount_to_body(yiwantang::resident::App);
}
