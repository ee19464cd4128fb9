use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;

use crate::db::Db;

/// Router state; leptos_axum also provides it as context to every server function.
#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

impl AppState {
    /// The state inside a server function; absent only if the router was built wrong.
    pub fn current() -> Result<Self, crate::error::AppError> {
        leptos::prelude::use_context::<Self>().ok_or_else(|| {
            tracing::error!("AppState missing from server function context");
            crate::error::AppError::internal()
        })
    }
}
