//! The work app's entry point (the 工作端 at `/work/`): mounts its root.

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(yiwantang::work::WorkApp);
}
