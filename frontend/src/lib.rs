#![recursion_limit = "256"]
//! The hydrate entry point: the wasm bundle takes over the server-rendered page.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    // Panic messages in the browser console while developing; a release client leaves
    // the hook (and its formatting) out: every byte of it is downloaded by each tablet.
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
