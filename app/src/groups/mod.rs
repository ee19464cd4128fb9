//! Groups: the admin's list with child counts and adding a group; the teacher's bound
//! groups; a group's children with their parents («Список детей и родителей»).

pub mod page;
#[cfg(feature = "ssr")]
pub mod repo;

pub use page::{GroupRosterPage, GroupsPage};

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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Guardian {
    pub full_name: String,
    pub relation: String,
    pub phone: Option<String>,
    pub email: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterChild {
    pub id: i64,
    pub full_name: String,
    pub birth_date: String,
    pub guardians: Vec<Guardian>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupRoster {
    pub group_id: i64,
    /// The server's date (YYYY-MM-DD): the marking link opens today.
    pub today: String,
    pub group_name: String,
    pub organisation_name: String,
    pub children: Vec<RosterChild>,
}

/// The admin's organisation with its groups.
#[server(prefix = "/api", endpoint = "list_groups")]
pub async fn list_groups() -> Result<OrganisationGroups, AppError> {
    crate::state::with_actor(
        |db, actor| async move { repo::organisation_groups(&db, &actor).await },
    )
    .await
}

#[server(prefix = "/api", endpoint = "add_group")]
pub async fn add_group(name: String) -> Result<GroupSummary, AppError> {
    crate::state::with_actor(|db, actor| async move {
        repo::managed_organisation(&actor)?;
        let name =
            crate::domain::GroupName::parse(&name).map_err(|e| AppError::invalid("name", &e))?;
        repo::add_group(&db, &actor, &name).await
    })
    .await
}

/// The groups bound to the signed-in teacher.
#[server(prefix = "/api", endpoint = "my_groups")]
pub async fn my_groups() -> Result<Vec<GroupSummary>, AppError> {
    crate::state::with_actor(|db, actor| async move { repo::bound_groups(&db, &actor).await }).await
}

#[server(prefix = "/api", endpoint = "group_roster")]
pub async fn load_group_roster(group_id: i64) -> Result<GroupRoster, AppError> {
    crate::state::with_actor(
        |db, actor| async move { repo::group_roster(&db, &actor, group_id).await },
    )
    .await
}
