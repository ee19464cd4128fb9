//! Groups: the admin's list with child counts, adding a group and its settings (age
//! band, stay mode, room; archive); the teacher's bound groups; a group's children with
//! their parents («Список детей и родителей»).

pub mod page;
#[cfg(feature = "ssr")]
pub mod repo;

pub use page::{GroupRosterPage, GroupSettingsPage, GroupsPage};

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupSummary {
    pub id: i64,
    pub name: String,
    pub child_count: i64,
}

/// A group in the admin's list: what it is and where it lives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminGroupRow {
    pub id: i64,
    pub name: String,
    /// Children enrolled today.
    pub child_count: i64,
    pub age_from: Option<i64>,
    pub age_to: Option<i64>,
    pub stay_mode_ru: Option<String>,
    pub stay_mode_en: Option<String>,
    /// «Корпус 1 · 12»
    pub room: Option<String>,
    pub places: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganisationGroups {
    pub organisation_name: String,
    /// The groups in use; archived ones are listed apart.
    pub groups: Vec<AdminGroupRow>,
    pub archived: Vec<AdminGroupRow>,
}

/// One option of a select: a stay mode or a room.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub id: i64,
    pub label_ru: String,
    pub label_en: String,
}

/// A group's settings form with what can be chosen in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupSettings {
    pub id: i64,
    pub name: String,
    pub age_from: Option<i64>,
    pub age_to: Option<i64>,
    pub stay_mode_id: Option<i64>,
    pub room_id: Option<i64>,
    pub archived: bool,
    pub child_count: i64,
    pub stay_modes: Vec<Choice>,
    pub rooms: Vec<Choice>,
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
        crate::access::managed_organisation(&actor)?;
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

#[server(prefix = "/api", endpoint = "group_settings")]
pub async fn load_group_settings(group_id: i64) -> Result<GroupSettings, AppError> {
    crate::state::with_actor(|db, actor| async move {
        repo::group_settings(&db, &actor, group_id).await
    })
    .await
}

/// Saves a group's name, age band (both ages or neither), stay mode and room; an
/// empty `stay_mode_id` or `room_id` leaves it unset.
#[server(prefix = "/api", endpoint = "save_group")]
pub async fn save_group(
    group_id: i64,
    name: String,
    age_from: String,
    age_to: String,
    stay_mode_id: String,
    room_id: String,
) -> Result<(), AppError> {
    crate::state::with_actor(|db, actor| async move {
        let form = repo::GroupForm::parse(&name, &age_from, &age_to, &stay_mode_id, &room_id)?;
        repo::save_group(&db, &actor, group_id, form).await
    })
    .await
}

/// Archives (no child enrolled any more) or restores a group.
#[server(prefix = "/api", endpoint = "archive_group")]
pub async fn archive_group(group_id: i64, archived: bool) -> Result<(), AppError> {
    crate::state::with_actor(|db, actor| async move {
        repo::archive_group(&db, &actor, group_id, archived).await
    })
    .await
}
