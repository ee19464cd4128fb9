//! The interface language of the page being rendered. It is chosen per device (a
//! cookie set by `/lang/{ru|en}`), fixed for the life of a page: switching reloads it.
//! The server reads the cookie; the browser reads what the server wrote into
//! `<html lang>`, so hydration sees the same language the HTML was rendered in.

pub use crate::domain::Lang;

/// The language of the page: the cookie on the server, `<html lang>` in the browser.
pub fn use_lang() -> Lang {
    current()
}

/// Picks the text of the page's language.
pub fn t(ru: &'static str, en: &'static str) -> &'static str {
    current().pick(ru, en)
}

/// Reads the request's cookie once and gives the language to everything rendered
/// under the app, so `t` does not look at the request headers again for each text.
pub fn provide_lang() {
    leptos::prelude::provide_context(current());
}

#[cfg(feature = "ssr")]
fn current() -> Lang {
    if let Some(lang) = leptos::prelude::use_context::<Lang>() {
        return lang;
    }
    leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|parts| {
            Lang::from_cookies(
                parts
                    .headers
                    .get_all(http::header::COOKIE)
                    .iter()
                    .filter_map(|v| v.to_str().ok()),
            )
        })
        .unwrap_or_default()
}

#[cfg(all(feature = "hydrate", not(feature = "ssr")))]
fn current() -> Lang {
    thread_local! {
        static PAGE_LANG: Lang = leptos::prelude::document()
            .document_element()
            .and_then(|html| html.get_attribute("lang"))
            .map(|lang| Lang::from_stored(&lang))
            .unwrap_or_default();
    }
    PAGE_LANG.with(|lang| *lang)
}

#[cfg(not(any(feature = "ssr", feature = "hydrate")))]
fn current() -> Lang {
    Lang::default()
}

/// A sign-in can bring the person's own language (the server sets the cookie on its
/// answer) while the page in the browser was rendered in the other one: the next
/// navigation then loads the page afresh from the server, in the new language. The
/// first run (hydration) never reloads, so a page served offline from the cache in the
/// other language cannot loop.
pub fn reload_when_the_language_changes() {
    #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
    {
        use leptos::prelude::*;
        use leptos::wasm_bindgen::JsCast;
        let location = leptos_router::hooks::use_location();
        Effect::new(move |previous: Option<()>| {
            location.pathname.track();
            if previous.is_none() {
                return;
            }
            let chosen = document()
                .dyn_into::<web_sys::HtmlDocument>()
                .ok()
                .and_then(|d| d.cookie().ok())
                .and_then(|cookies| Lang::from_cookies([cookies.as_str()]));
            if chosen.is_some_and(|lang| lang != current()) {
                let _ = window().location().reload();
            }
        });
    }
}
