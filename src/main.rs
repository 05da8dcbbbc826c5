//! The entry point: mounts the app. Everything else is in the library, so browser tests
//! can reach it.

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(yiwantang::App);
}
