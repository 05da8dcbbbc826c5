//! What happens when the app panics: the message and stack go to the console (as
//! `console_error_panic_hook` writes them), and where it happened (the file, line and
//! column, never the message, which may quote a value) is kept for the tab
//! (`store::panics`), so a panic behind a screen that looks right is still found.

/// Installs the hook; both apps call it first thing.
pub fn install() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        let place = info
            .location()
            .map(|at| format!("panicked at {at}"))
            .unwrap_or_else(|| "panicked".to_string());
        crate::common::store::panics::remember(&place);
    }));
}
