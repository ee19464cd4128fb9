#![recursion_limit = "256"]
//! The hydrate entry point: the wasm bundle takes over the server-rendered page.

use leptos::prelude::document;

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    // Panic messages in the browser console while developing; a release client leaves
    // the hook (and its formatting) out: every byte of it is downloaded by each tablet.
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    // A server function's redirect (after signing in or out) loads the new page in full,
    // like every other move between pages (see offline.js): the router would otherwise
    // fetch the next page's chunk of the client in the middle of the session. Set before
    // the router's own hook, which only takes the place if it is still free.
    _ = leptos::server_fn::redirect::set_redirect_hook(|location: &str| {
        _ = leptos::prelude::window().location().set_href(location);
    });
    let Some(body) = document().body() else {
        return;
    };
    // Every page but marking is a chunk of its own (`cargo leptos build --split`), so the
    // page is hydrated once its chunk has loaded: asynchronously.
    wasm_bindgen_futures::spawn_local(async move {
        leptos::mount::hydrate_from_async(body.clone(), app::App)
            .await
            .forget();
        // Only now is the whole page interactive, its route included: the attribute tells
        // people, offline.js (taps kept from before) and the end-to-end tests.
        _ = body.set_attribute("data-hydrated", "true");
    });
}
