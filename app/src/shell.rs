use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path, SsrMode,
};

use crate::attendance::{MarkHistoryPage, MarkingPage, TimesheetPage};
use crate::auth::{ChangePasswordPage, ChooseRolePage, LoginPage, SsoErrorPage, UserBar};
use crate::components::LanguageSwitch;
use crate::contingent::{ChildCardPage, ContingentPage};
use crate::family::ChildAbsencesPage;
use crate::groups::{GroupRosterPage, GroupSettingsPage, GroupsPage};
use crate::home::HomePage;
use crate::long_absences::LongAbsencesPage;
use crate::municipal::{MunicipalAttendancePage, MunicipalReasonsPage};
use crate::notices::{DailySummaryPage, GroupNoticesPage, InboxPage};
use crate::orders::{MoveUpPage, OrderCardPage, OrdersPage};
use crate::premises::PremisesPage;
use crate::reference::{CalendarPage, ReasonsPage, StayModesPage};
use crate::registration::{RegisterPage, RegistrationsPage};
use crate::staff::{StaffCardPage, StaffPage};

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    content_security_policy();
    view! {
        <!DOCTYPE html>
        <html lang=crate::i18n::use_lang().as_str()>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                // Before the hydration script, which runs after it (both are deferred): the
                // offline queue and the service worker are there when the wasm asks.
                <script src="/offline.js" defer></script>
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

/// The page's Content-Security-Policy: scripts only from Tabel itself or inline with
/// this response's nonce (leptos_axum puts one on every script Leptos writes inline),
/// WebAssembly compiled from them, and no framing.
#[cfg(feature = "ssr")]
fn content_security_policy() {
    let (Some(nonce), Some(response)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) else {
        return;
    };
    let policy = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'; worker-src 'self'; \
         object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
    );
    if let Ok(value) = http::HeaderValue::from_str(&policy) {
        response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    crate::i18n::provide_lang();
    mark_hydrated();

    // Pages that may redirect (not signed in, wrong role) render in Async mode so the
    // server can answer with a real redirect before any HTML is sent.
    let ssr = SsrMode::Async;
    view! {
        <Stylesheet id="leptos" href="/pkg/tabel.css"/>
        <Title text=crate::i18n::t("Табель", "Tabel")/>
        <Router>
            {crate::auth::pages::provide_me()}
            {crate::i18n::reload_when_the_language_changes()}
            <header class="topbar">
                <a class="brand" href="/">{crate::i18n::t("Табель", "Tabel")}</a>
                <UserBar/>
                <LanguageSwitch/>
            </header>
            <main>
                <Routes fallback=|| view! { <p class="notice">{crate::i18n::t("Страница не найдена", "Page not found")}</p> }>
                    <Route path=path!("/") view=HomePage ssr=ssr.clone()/>
                    <Route path=path!("/login") view=LoginPage/>
                    <Route path=path!("/login/sso-error") view=SsoErrorPage/>
                    <Route path=path!("/register") view=RegisterPage/>
                    <Route path=path!("/registrations") view=RegistrationsPage ssr=ssr.clone()/>
                    <Route path=path!("/password") view=ChangePasswordPage ssr=ssr.clone()/>
                    <Route path=path!("/role") view=ChooseRolePage ssr=ssr.clone()/>
                    <Route path=path!("/admin/groups") view=GroupsPage ssr=ssr.clone()/>
                    <Route path=path!("/admin/reasons") view=ReasonsPage ssr=ssr.clone()/>
                    <Route path=path!("/admin/calendar") view=CalendarPage ssr=ssr.clone()/>
                    <Route path=path!("/admin/premises") view=PremisesPage ssr=ssr.clone()/>
                    <Route path=path!("/admin/stay-modes") view=StayModesPage ssr=ssr.clone()/>
                    <Route path=path!("/admin/groups/:id") view=GroupSettingsPage ssr=ssr.clone()/>
                    <Route path=path!("/groups/:id") view=GroupRosterPage ssr=ssr.clone()/>
                    <Route path=path!("/groups/:id/marks/:date") view=MarkingPage ssr=ssr.clone()/>
                    <Route path=path!("/groups/:id/marks/:date/history/:child") view=MarkHistoryPage ssr=ssr.clone()/>
                    <Route path=path!("/groups/:id/notices") view=GroupNoticesPage ssr=ssr.clone()/>
                    <Route path=path!("/inbox") view=InboxPage ssr=ssr.clone()/>
                    <Route path=path!("/municipal/attendance") view=MunicipalAttendancePage ssr=ssr.clone()/>
                    <Route path=path!("/municipal/reasons") view=MunicipalReasonsPage ssr=ssr.clone()/>
                    <Route path=path!("/admin/summary") view=DailySummaryPage ssr=ssr.clone()/>
                    <Route path=path!("/reports/absences") view=LongAbsencesPage ssr=ssr.clone()/>
                    <Route path=path!("/groups/:id/timesheet/:month") view=TimesheetPage ssr=ssr.clone()/>
                    <Route path=path!("/staff") view=StaffPage ssr=ssr.clone()/>
                    <Route path=path!("/children") view=ContingentPage ssr=ssr.clone()/>
                    <Route path=path!("/children/:id") view=ChildCardPage ssr=ssr.clone()/>
                    <Route path=path!("/admin/orders") view=OrdersPage ssr=ssr.clone()/>
                    <Route path=path!("/admin/orders/move-up") view=MoveUpPage ssr=ssr.clone()/>
                    <Route path=path!("/admin/orders/:id") view=OrderCardPage ssr=ssr.clone()/>
                    <Route path=path!("/family/:id") view=ChildAbsencesPage ssr=ssr.clone()/>
                    <Route path=path!("/staff/:id") view=StaffCardPage ssr=ssr/>
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
