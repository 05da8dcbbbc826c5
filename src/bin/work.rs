//! The work app's entry point (the 工作端 at `/work/`): mounts its root.

fn main() {
    yiwantang::common::panic::install();
    leptos::mount::mount_to_body(yiwantang::work::WorkApp);
}
