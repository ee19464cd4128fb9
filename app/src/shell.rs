use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    StaticSegment,
};

use crate::groups::GroupsPage;

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="ru">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    mark_hydrated();

    view! {
        <Stylesheet id="leptos" href="/pkg/tabel.css"/>
        <Title text="Табель"/>
        <Router>
            <header class="topbar">
                <a class="brand" href="/">"Табель"</a>
            </header>
            <main>
                <Routes fallback=|| view! { <p class="notice">"Страница не найдена · Page not found"</p> }>
                    <Route path=StaticSegment("") view=GroupsPage/>
                </Routes>
            </main>
        </Router>
    }
}

/// Effects run only in the browser, after hydration: the attribute tells people and
/// end-to-end tests that the page is interactive, not just server-rendered HTML.
fn mark_hydrated() {
    Effect::new(move |_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
}
