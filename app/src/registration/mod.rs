//! The registration request of the seed («Заявка на регистрацию»): anyone may submit it;
//! the municipal specialist of the chosen municipality approves or rejects it. Approval
//! creates the organisation and its admin account with a one-time password.

// Server functions take one argument per form field (see `staff`).
#![allow(clippy::too_many_arguments)]

mod page;
#[cfg(feature = "ssr")]
mod repo;

pub use page::{RegisterPage, RegistrationsPage};

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::staff::NewCredentials;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Municipality {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingRequest {
    pub id: i64,
    pub full_name: String,
    pub email: String,
    pub position: String,
    pub organisation_name: String,
    pub short_name: String,
    pub inn: String,
    pub kpp: Option<String>,
}

/// One page of the specialist's pending requests, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingPage {
    pub rows: Vec<PendingRequest>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

pub const PER_PAGE: i64 = 20;

/// The municipalities a request can be sent to (public: the form needs them).
#[server(prefix = "/api", endpoint = "municipalities")]
pub async fn municipalities() -> Result<Vec<Municipality>, AppError> {
    let state = crate::state::AppState::current()?;
    repo::municipalities(&state.db)
        .await
        .map_err(AppError::with_status)
}

#[server(prefix = "/api", endpoint = "submit_registration")]
pub async fn submit_registration(
    municipality_id: i64,
    surname: String,
    given_name: String,
    patronymic: String,
    email: String,
    position: String,
    organisation_name: String,
    short_name: String,
    inn: String,
    kpp: String,
) -> Result<(), AppError> {
    let form = crate::domain::registration::RegistrationForm {
        surname,
        given_name,
        patronymic,
        email,
        position,
        organisation_name,
        short_name,
        inn,
        kpp,
    };
    let state = crate::state::AppState::current()?;
    let address = crate::auth::client_address::of_current_request().to_string();
    repo::submit(&state.db, municipality_id, form, &address)
        .await
        .map_err(AppError::with_status)
}

/// Pending requests of the specialist's municipality, a page at a time (the first when
/// `page` is left out).
#[server(prefix = "/api", endpoint = "pending_registrations")]
pub async fn pending_registrations(page: Option<i64>) -> Result<PendingPage, AppError> {
    crate::state::with_actor(|db, actor| async move {
        repo::pending(&db, &actor, page.unwrap_or(1)).await
    })
    .await
}

/// Approves (creating the organisation and its admin) or rejects a request.
/// Returns the new admin's one-time credentials on approval.
#[server(prefix = "/api", endpoint = "decide_registration")]
pub async fn decide_registration(
    request_id: i64,
    approve: bool,
) -> Result<Option<NewCredentials>, AppError> {
    crate::state::with_actor(|db, actor| async move {
        repo::decide(&db, &actor, request_id, approve).await
    })
    .await
}
