//! A small router of our own, for two apps on one origin: each app lives under its base path
//! (`""` for the resident app, `/work` for the work app), its links and routes are written
//! without the base, and a link to the other app is a full page load.
//!
//! Why not leptos_router: it resolves absolute links without the router's base (so a work
//! app link `/issues` would leave `/work`), and it weighs about 45 KB of Wasm before our
//! routes; the apps need a route table, path parameters, the query, links that know when they
//! are current, and `navigate`. Same names as leptos_router's, so pages read the same.

use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

/// The router of the running app: where it lives and where the person is.
#[derive(Clone, Copy)]
pub struct Router {
    base: &'static str,
    /// The path within the app (`/issues/…`), without the base.
    path: RwSignal<String>,
    /// The query string without `?`.
    query: RwSignal<String>,
    /// The current route's parameters (`:id` → value).
    params: RwSignal<Vec<(&'static str, String)>>,
}

/// One route: a path pattern (`/issues/:id`, `/work/*rest`) and the page it shows.
pub struct Route {
    pub path: &'static str,
    pub view: fn() -> AnyView,
}

impl Route {
    pub const fn new(path: &'static str, view: fn() -> AnyView) -> Route {
        Route { path, view }
    }
}

fn location() -> (String, String) {
    let location = window().location();
    let path = location.pathname().unwrap_or_default();
    let query = location.search().unwrap_or_default();
    (path, query.trim_start_matches('?').to_string())
}

/// Matches `path` against a pattern; returns the parameters.
fn matches(pattern: &'static str, path: &str) -> Option<Vec<(&'static str, String)>> {
    let mut params = Vec::new();
    let mut wanted = pattern.split('/').filter(|s| !s.is_empty());
    let mut given = path.split('/').filter(|s| !s.is_empty());
    loop {
        match (wanted.next(), given.next()) {
            (None, None) => return Some(params),
            (Some(rest), _) if rest.starts_with('*') => return Some(params),
            (Some(name), Some(value)) if name.starts_with(':') => {
                params.push((&name[1..], decode(value)))
            }
            (Some(literal), Some(value)) if literal == value => {}
            _ => return None,
        }
    }
}

fn decode(value: &str) -> String {
    js_sys::decode_uri_component(value)
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_else(|| value.to_string())
}

impl Router {
    /// Sets the router up for an app living under `base`: follows the browser's back and
    /// forward, and turns clicks on links of this app into in-app navigation.
    pub fn provide(base: &'static str) -> Router {
        let (path, query) = location();
        let router = Router {
            base,
            path: RwSignal::new(strip_base(base, &path).to_string()),
            query: RwSignal::new(query),
            params: RwSignal::new(Vec::new()),
        };
        provide_context(router);
        let on_pop = Closure::<dyn Fn()>::new(move || router.follow_location());
        window().set_onpopstate(Some(on_pop.as_ref().unchecked_ref()));
        on_pop.forget();
        let on_click =
            Closure::<dyn Fn(web_sys::MouseEvent)>::new(move |ev: web_sys::MouseEvent| {
                router.intercept(ev)
            });
        let _ =
            document().add_event_listener_with_callback("click", on_click.as_ref().unchecked_ref());
        on_click.forget();
        router
    }

    fn follow_location(&self) {
        let (path, query) = location();
        self.path.set(strip_base(self.base, &path).to_string());
        self.query.set(query);
    }

    /// A click on a link of this app is navigated here, without a page load. Links with
    /// `rel="external"`, `download` or a `target`, other origins, modified clicks and
    /// addresses outside this app's base are left to the browser.
    fn intercept(&self, ev: web_sys::MouseEvent) {
        if ev.default_prevented()
            || ev.button() != 0
            || ev.meta_key()
            || ev.ctrl_key()
            || ev.shift_key()
            || ev.alt_key()
        {
            return;
        }
        let Some(anchor) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|e| e.closest("a[href]").ok().flatten())
            .and_then(|e| e.dyn_into::<web_sys::HtmlAnchorElement>().ok())
        else {
            return;
        };
        let rel = anchor.rel();
        if !anchor.target().is_empty()
            || anchor.has_attribute("download")
            || rel.split_whitespace().any(|r| r == "external")
        {
            return;
        }
        let origin = window().location().origin().unwrap_or_default();
        if anchor.origin() != origin {
            return;
        }
        let path = anchor.pathname();
        if !within(self.base, &path) {
            return;
        }
        ev.prevent_default();
        let search = anchor.search();
        self.go(&format!("{path}{search}"), false);
    }

    fn go(&self, full: &str, replace: bool) {
        let history = window().history().expect("history");
        let _ = if replace {
            history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(full))
        } else {
            history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(full))
        };
        self.follow_location();
        window().scroll_to_with_x_and_y(0.0, 0.0);
    }

    /// The address of an app path (`/issues` → `/work/issues` in the work app).
    pub fn href(&self, to: &str) -> String {
        format!("{}{to}", self.base)
    }

    /// Goes to an app path (with its query, if any).
    pub fn navigate(&self, to: &str) {
        self.go(&self.href(to), false);
    }

    /// Goes to an app path, replacing the current entry of the history.
    pub fn replace(&self, to: &str) {
        self.go(&self.href(to), true);
    }

    /// The path within the app (tracked).
    pub fn path(&self) -> String {
        self.path.get()
    }

    /// A query parameter (tracked).
    pub fn query(&self, name: &str) -> Option<String> {
        self.query.with(|query| {
            query.split('&').find_map(|pair| {
                let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
                (key == name).then(|| decode(value))
            })
        })
    }

    /// A query parameter, read once.
    pub fn query_untracked(&self, name: &str) -> Option<String> {
        untrack(|| self.query(name))
    }

    /// A parameter of the current route (tracked).
    pub fn param(&self, name: &str) -> Option<String> {
        self.params.with(|params| {
            params
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.clone())
        })
    }

    /// Shows the first route whose pattern matches the path, or `fallback`. The page is drawn
    /// again when the path changes, not when only the query does.
    pub fn view(self, routes: &'static [Route], fallback: fn() -> AnyView) -> impl IntoView {
        let path = Memo::new(move |_| self.path.get());
        move || {
            let path = path.get();
            let found = routes
                .iter()
                .find_map(|route| matches(route.path, &path).map(|params| (route, params)));
            match found {
                Some((route, params)) => {
                    self.params.set(params);
                    untrack(route.view)
                }
                None => untrack(fallback),
            }
        }
    }
}

fn within(base: &str, path: &str) -> bool {
    base.is_empty() || path == base || path.starts_with(&format!("{base}/"))
}

fn strip_base<'a>(base: &str, path: &'a str) -> &'a str {
    match path.strip_prefix(base) {
        Some("") => "/",
        Some(rest) if base.is_empty() || rest.starts_with('/') => rest,
        _ => path,
    }
}

pub fn use_router() -> Router {
    expect_context::<Router>()
}

/// A link within the app: `href` is written without the app's base; `aria-current="page"`
/// marks it while the person is there (`exact`: only on that very path, else also below it).
/// Attributes given as `attr:…` land on the `<a>`.
#[component]
pub fn A(
    #[prop(into)] href: String,
    #[prop(optional)] exact: bool,
    children: Children,
) -> impl IntoView {
    let router = use_router();
    let target: std::sync::Arc<str> = href.split('?').next().unwrap_or_default().into();
    let current = move || {
        let path = router.path();
        let here = path == *target
            || (!exact && target.as_ref() != "/" && path.starts_with(&format!("{target}/")));
        here.then_some("page")
    };
    view! { <a href=router.href(&href) aria-current=current>{children()}</a> }
}

/// Goes to an app path as soon as it is drawn (replacing the history entry).
#[component]
pub fn Redirect(path: &'static str) -> impl IntoView {
    let router = use_router();
    Effect::new(move |_| router.replace(path));
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use wasm_bindgen_test::*;

    #[wasm_bindgen_test]
    fn patterns_match_literals_parameters_and_the_rest() {
        assert_eq!(matches("/", "/"), Some(vec![]));
        assert_eq!(matches("/issues/mine", "/issues/mine"), Some(vec![]));
        assert_eq!(
            matches("/issues/:id", "/issues/mine"),
            Some(vec![("id", "mine".into())])
        );
        assert_eq!(matches("/issues/:id", "/issues"), None);
        assert_eq!(matches("/work/*rest", "/work/staff/people"), Some(vec![]));
        assert_eq!(
            matches("/join/:code", "/join/ABC%20D"),
            Some(vec![("code", "ABC D".into())])
        );
    }

    #[wasm_bindgen_test]
    fn the_base_is_taken_off_and_only_its_paths_are_the_apps() {
        assert_eq!(strip_base("/work", "/work"), "/");
        assert_eq!(strip_base("/work", "/work/"), "/");
        assert_eq!(strip_base("/work", "/work/issues/1"), "/issues/1");
        assert_eq!(strip_base("", "/issues"), "/issues");
        assert!(within("/work", "/work/staff"));
        assert!(!within("/work", "/workers"));
        assert!(!within("/work", "/issues"));
        assert!(within("", "/anything"));
    }
}
