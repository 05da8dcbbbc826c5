//! What lives in localStorage rather than IndexedDB: display preferences (read before the
//! first paint), which issue states the person has seen (for the 议事 badge), the codes this
//! phone made (the server keeps only their hashes) and the guide's dismissal; and, in
//! sessionStorage, the tab's last panics.

/// Reads what `serde_json::to_string` stored, through the browser's JSON parser: the Wasm then
/// carries no JSON text parser of its own (see `api::read`).
fn parse<T: serde::de::DeserializeOwned>(text: &str) -> Option<T> {
    let value = js_sys::JSON::parse(text).ok()?;
    serde_wasm_bindgen::from_value(value).ok()
}

/// Invitation and reset codes made on this phone (invitation id → code). The server stores
/// only a hash of each code and never sends it back, so the person who made a code sees it
/// (and its QR code) on the phone that made it; other staff see that it exists.
pub mod codes {
    use std::collections::HashMap;

    const KEY: &str = "ywt.codes";

    fn storage() -> Option<web_sys::Storage> {
        web_sys::window()?.local_storage().ok()?
    }

    fn load() -> HashMap<String, String> {
        storage()
            .and_then(|s| s.get_item(KEY).ok().flatten())
            .and_then(|text| super::parse(&text))
            .unwrap_or_default()
    }

    pub fn remember(id: uuid::Uuid, code: &str) {
        let mut codes = load();
        codes.insert(id.to_string(), code.to_string());
        if let (Some(storage), Ok(text)) = (storage(), serde_json::to_string(&codes)) {
            let _ = storage.set_item(KEY, &text);
        }
    }

    pub fn recall(id: uuid::Uuid) -> Option<String> {
        load().remove(&id.to_string())
    }
}

/// What the person last saw of their issues (id → status), to show what changed since.
pub mod seen {
    use std::collections::HashMap;

    const KEY: &str = "ywt.seen";

    fn storage() -> Option<web_sys::Storage> {
        web_sys::window()?.local_storage().ok()?
    }

    pub fn load() -> HashMap<String, String> {
        storage()
            .and_then(|s| s.get_item(KEY).ok().flatten())
            .and_then(|text| super::parse(&text))
            .unwrap_or_default()
    }

    pub fn mark(issue_id: &str, status: &str) {
        let mut seen = load();
        if seen.get(issue_id).map(String::as_str) == Some(status) {
            return;
        }
        seen.insert(issue_id.to_string(), status.to_string());
        if let (Some(storage), Ok(text)) = (storage(), serde_json::to_string(&seen)) {
            let _ = storage.set_item(KEY, &text);
        }
    }
}

/// Display preferences, kept in localStorage so the first paint already uses them.
pub mod prefs {
    use domain::Lang;
    use serde::{Deserialize, Serialize};

    const KEY: &str = "ywt.prefs";

    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
    pub struct Prefs {
        pub lang: Lang,
        pub elder: bool,
    }

    fn storage() -> Option<web_sys::Storage> {
        web_sys::window()?.local_storage().ok()?
    }

    pub fn load() -> Prefs {
        storage()
            .and_then(|s| s.get_item(KEY).ok().flatten())
            .and_then(|text| super::parse(&text))
            .unwrap_or_default()
    }

    pub fn save(prefs: Prefs) {
        if let (Some(storage), Ok(text)) = (storage(), serde_json::to_string(&prefs)) {
            let _ = storage.set_item(KEY, &text);
        }
    }
}

/// Whether the in-app browser guide was dismissed on this phone (shown once, never again).
pub mod guide {
    const KEY: &str = "ywt.guide";

    fn storage() -> Option<web_sys::Storage> {
        web_sys::window()?.local_storage().ok()?
    }

    pub fn dismissed() -> bool {
        storage().is_some_and(|s| s.get_item(KEY).ok().flatten().is_some())
    }

    pub fn dismiss() {
        if let Some(storage) = storage() {
            let _ = storage.set_item(KEY, "1");
        }
    }
}

/// The app's last panics in this tab (sessionStorage, gone when the tab closes): where each
/// happened (never its message), the last five. A panic that leaves the screen looking right
/// is still found: the WebKit journeys, which cannot listen to the page's errors, read them.
pub mod panics {
    const KEY: &str = "ywt.panics";
    const KEEP: usize = 5;
    /// A place is far shorter; the bound holds whatever a caller passes.
    const CHARS: usize = 160;

    fn storage() -> Option<web_sys::Storage> {
        web_sys::window()?.session_storage().ok()?
    }

    /// The panics kept, oldest first.
    pub fn kept() -> Vec<String> {
        storage()
            .and_then(|s| s.get_item(KEY).ok().flatten())
            .and_then(|text| super::parse(&text))
            .unwrap_or_default()
    }

    pub fn remember(panic: &str) {
        let Some(storage) = storage() else {
            return;
        };
        let mut kept = kept();
        kept.push(panic.chars().take(CHARS).collect());
        let from = kept.len().saturating_sub(KEEP);
        if let Ok(text) = serde_json::to_string(&kept[from..]) {
            let _ = storage.set_item(KEY, &text);
        }
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use wasm_bindgen_test::*;

    wasm_bindgen_test_configure!(run_in_browser);

    #[wasm_bindgen_test]
    fn the_tab_keeps_its_last_five_panics_each_cut_short() {
        for n in 1..=7 {
            super::panics::remember(&format!(
                "panicked at src/page.rs:{n}:1: {}",
                "x".repeat(500)
            ));
        }
        let kept = super::panics::kept();
        assert_eq!(kept.len(), 5);
        assert!(kept[0].starts_with("panicked at src/page.rs:3:1"));
        assert!(kept[4].starts_with("panicked at src/page.rs:7:1"));
        assert!(kept.iter().all(|p| p.chars().count() == 160));
    }
}
