//! What happens when the app panics: the message and stack go to the console (as
//! `console_error_panic_hook` writes them), and where it happened is kept for the tab
//! (`store::panics`), so a panic behind a screen that looks right is still found.

/// Installs the hook; both apps call it first thing.
pub fn install() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        crate::common::store::panics::remember(&info.to_string());
    }));
}
