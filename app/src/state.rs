use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;

use crate::db::Db;
use crate::domain::Actor;
use crate::error::AppError;

/// Router state; leptos_axum also provides it as context to every server function.
#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    /// Whether an OpenID Connect provider is configured (the login page offers it).
    pub sso_enabled: bool,
    /// Whether notices also go out by mail, and the address links in mail point to.
    pub delivery: crate::notices::outbox::Delivery,
    /// The gate every sign-in's password check passes through.
    pub sign_in: std::sync::Arc<crate::auth::password::Verifier>,
    /// The session cookie and how long unused sessions last.
    pub sessions: crate::auth::policy::SessionPolicy,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

impl AppState {
    /// The state inside a server function; absent only if the router was built wrong.
    pub fn current() -> Result<Self, AppError> {
        leptos::prelude::use_context::<Self>().ok_or_else(|| {
            tracing::error!("AppState missing from server function context");
            AppError::internal()
        })
    }
}

/// Runs the body of a protected server function: the database and the actor of the
/// session, and every error answered with its HTTP status.
pub async fn with_actor<T, F, Fut>(body: F) -> Result<T, AppError>
where
    F: FnOnce(Db, Actor) -> Fut,
    Fut: std::future::Future<Output = Result<T, AppError>>,
{
    async {
        let state = AppState::current()?;
        let actor = crate::auth::session::require_actor(&state.db).await?;
        body(state.db, actor).await
    }
    .await
    .map_err(AppError::with_status)
}
