//! The resident app's entry point (the 居民端 at `/`): mounts its root. Everything else is in
//! the library, so browser tests can reach it.

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(yiwantang::resident::App);
}
