use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    lazy_route, path, Lazy, LazyRoute, SsrMode,
};

use crate::attendance::{MarkHistoryPage, MarkingPage, TimesheetPage};
use crate::auth::{ChangePasswordPage, ChooseRolePage, LoginPage, SsoErrorPage, UserBar};
use crate::components::LanguageSwitch;
use crate::contingent::{ChildCardPage, ContingentPage};
use crate::family::ChildAbsencesPage;
use crate::groups::{GroupRosterPage, GroupSettingsPage, GroupsPage};
use crate::home::HomePage;
use crate::municipal::MunicipalAttendancePage;
use crate::notices::{DailySummaryPage, GroupNoticesPage, InboxPage};
use crate::orders::{MoveUpPage, OrderCardPage, OrdersPage};
use crate::premises::PremisesPage;
use crate::reference::{CalendarPage, ReasonsPage, StayModesPage};
use crate::registration::{RegisterPage, RegistrationsPage};
use crate::staff::{StaffCardPage, StaffPage};

/// One lazily loaded route per page: `Route => Page` makes a unit type whose view (the
/// page component) goes into its own wasm chunk.
macro_rules! lazy_pages {
    ($($route:ident => $page:ident),* $(,)?) => {$(
        struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            fn view(_this: Self) -> AnyView {
                view! { <$page/> }.into_any()
            }
        }
    )*};
}

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
                    <Route path=path!("/") view={Lazy::<HomeRoute>::new()} ssr=ssr.clone()/>
                    <Route path=path!("/login") view={Lazy::<LoginRoute>::new()}/>
                    <Route path=path!("/login/sso-error") view={Lazy::<SsoErrorRoute>::new()}/>
                    <Route path=path!("/register") view={Lazy::<RegisterRoute>::new()}/>
                    <Route path=path!("/registrations") view={Lazy::<RegistrationsRoute>::new()} ssr=ssr.clone()/>
                    <Route path=path!("/password") view={Lazy::<ChangePasswordRoute>::new()} ssr=ssr.clone()/>
                    <Route path=path!("/role") view={Lazy::<ChooseRoleRoute>::new()} ssr=ssr.clone()/>
                    <Route path=path!("/admin/groups") view={Lazy::<GroupsRoute>::new()} ssr=ssr.clone()/>
                    <Route path=path!("/admin/reasons") view={Lazy::<ReasonsRoute>::new()} ssr=ssr.clone()/>
                    <Route path=path!("/admin/calendar") view={Lazy::<CalendarRoute>::new()} ssr=ssr.clone()/>
                    <Route path=path!("/admin/premises") view={Lazy::<PremisesRoute>::new()} ssr=ssr.clone()/>
                    <Route path=path!("/admin/stay-modes") view={Lazy::<StayModesRoute>::new()} ssr=ssr.clone()/>
                    <Route path=path!("/admin/groups/:id") view={Lazy::<GroupSettingsRoute>::new()} ssr=ssr.clone()/>
                    <Route path=path!("/groups/:id") view={Lazy::<GroupRosterRoute>::new()} ssr=ssr.clone()/>
                    <Route path=path!("/groups/:id/marks/:date") view=MarkingPage ssr=ssr.clone()/>
                    <Route path=path!("/groups/:id/marks/:date/history/:child") view={Lazy::<MarkHistoryRoute>::new()} ssr=ssr.clone()/>
                    <Route path=path!("/groups/:id/notices") view={Lazy::<GroupNoticesRoute>::new()} ssr=ssr.clone()/>
                    <Route path=path!("/inbox") view={Lazy::<InboxRoute>::new()} ssr=ssr.clone()/>
                    <Route path=path!("/municipal/attendance") view={Lazy::<MunicipalAttendanceRoute>::new()} ssr=ssr.clone()/>
                    <Route path=path!("/admin/summary") view={Lazy::<DailySummaryRoute>::new()} ssr=ssr.clone()/>
                    <Route path=path!("/groups/:id/timesheet/:month") view={Lazy::<TimesheetRoute>::new()} ssr=ssr.clone()/>
                    <Route path=path!("/staff") view={Lazy::<StaffRoute>::new()} ssr=ssr.clone()/>
                    <Route path=path!("/children") view={Lazy::<ContingentRoute>::new()} ssr=ssr.clone()/>
                    <Route path=path!("/children/:id") view={Lazy::<ChildCardRoute>::new()} ssr=ssr.clone()/>
                    <Route path=path!("/admin/orders") view={Lazy::<OrdersRoute>::new()} ssr=ssr.clone()/>
                    <Route path=path!("/admin/orders/move-up") view={Lazy::<MoveUpRoute>::new()} ssr=ssr.clone()/>
                    <Route path=path!("/admin/orders/:id") view={Lazy::<OrderCardRoute>::new()} ssr=ssr.clone()/>
                    <Route path=path!("/family/:id") view={Lazy::<ChildAbsencesRoute>::new()} ssr=ssr.clone()/>
                    <Route path=path!("/staff/:id") view={Lazy::<StaffCardRoute>::new()} ssr=ssr/>
                </Routes>
            </main>
        </Router>
    }
}

// Every page but marking is its own chunk of the client (`cargo leptos build --split`):
// a tablet that opens the marking page downloads the framework and that page only, and
// fetches another page's code when it goes there (the server names the chunk in a
// `modulepreload` link, so a first load of any page does not wait for it twice).
lazy_pages! {
    HomeRoute => HomePage,
    LoginRoute => LoginPage,
    SsoErrorRoute => SsoErrorPage,
    RegisterRoute => RegisterPage,
    RegistrationsRoute => RegistrationsPage,
    ChangePasswordRoute => ChangePasswordPage,
    ChooseRoleRoute => ChooseRolePage,
    GroupsRoute => GroupsPage,
    ReasonsRoute => ReasonsPage,
    CalendarRoute => CalendarPage,
    PremisesRoute => PremisesPage,
    StayModesRoute => StayModesPage,
    GroupSettingsRoute => GroupSettingsPage,
    GroupRosterRoute => GroupRosterPage,
    MarkHistoryRoute => MarkHistoryPage,
    GroupNoticesRoute => GroupNoticesPage,
    InboxRoute => InboxPage,
    MunicipalAttendanceRoute => MunicipalAttendancePage,
    DailySummaryRoute => DailySummaryPage,
    TimesheetRoute => TimesheetPage,
    StaffRoute => StaffPage,
    ContingentRoute => ContingentPage,
    ChildCardRoute => ChildCardPage,
    OrdersRoute => OrdersPage,
    MoveUpRoute => MoveUpPage,
    OrderCardRoute => OrderCardPage,
    ChildAbsencesRoute => ChildAbsencesPage,
    StaffCardRoute => StaffCardPage,
}
