//! The groups of an organisation with their child counts, and adding a group.

mod page;
#[cfg(feature = "ssr")]
pub mod repo;

pub use page::GroupsPage;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupSummary {
    pub id: i64,
    pub name: String,
    pub child_count: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganisationGroups {
    pub organisation_name: String,
    pub groups: Vec<GroupSummary>,
}

/// The organisation the page works on, with its groups. `None` when the database holds
/// no organisation yet.
// Until accounts exist this is the first organisation; with login it becomes the
// signed-in admin's own organisation, checked on the server.
#[server(prefix = "/api", endpoint = "list_groups")]
pub async fn list_groups() -> Result<Option<OrganisationGroups>, AppError> {
    let state = crate::state::AppState::current()?;
    repo::organisation_groups(&state.db)
        .await
        .map_err(AppError::with_status)
}

#[server(prefix = "/api", endpoint = "add_group")]
pub async fn add_group(name: String) -> Result<GroupSummary, AppError> {
    let state = crate::state::AppState::current()?;
    let name = crate::domain::GroupName::parse(&name)
        .map_err(|e| AppError::invalid("name", &e).with_status())?;
    repo::add_group(&state.db, &name)
        .await
        .map_err(AppError::with_status)
}
