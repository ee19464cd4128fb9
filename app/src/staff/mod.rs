//! Staff cards («Кадры»): the admin creates an account with a one-time password and
//! binds teachers to groups («Роли и права»); a teacher sees only its bound groups.

// A server function takes one argument per form field, so `ActionForm` can post the
// plain form; the staff form simply has more fields than clippy's default allows.
#![allow(clippy::too_many_arguments)]

mod page;
#[cfg(feature = "ssr")]
pub mod repo;
pub mod search;

pub use page::{StaffCardPage, StaffPage};

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::Role;
use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffRow {
    pub staff_id: i64,
    pub full_name: String,
    pub position: String,
    pub login: String,
    pub roles: Vec<Role>,
    pub groups: Vec<String>,
    pub archived: bool,
}

/// One page of the staff list, as found by the search.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffListPage {
    pub rows: Vec<StaffRow>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

pub const PER_PAGE: i64 = 25;

/// Shown once, right after the account is created or its password reset: only the
/// hash is stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewCredentials {
    pub staff_id: i64,
    pub full_name: String,
    pub login: String,
    pub one_time_password: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupBinding {
    pub group_id: i64,
    pub name: String,
    pub bound: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffCard {
    pub staff_id: i64,
    pub full_name: String,
    pub surname: String,
    pub given_name: String,
    pub patronymic: String,
    pub email: String,
    pub phone: String,
    pub position: String,
    pub login: String,
    pub is_teacher: bool,
    pub is_admin: bool,
    pub archived: bool,
    /// The card of the admin looking at it: its admin role and archiving are locked.
    pub is_self: bool,
    /// Roles the person holds outside this organisation: then the password, name and
    /// contacts are not the admin's to change (`permissions::account_is_the_admins`).
    pub outside_roles: Vec<crate::domain::OutsideRole>,
    pub groups: Vec<GroupBinding>,
}

/// A page of the organisation's staff. `query` matches surname, name, patronymic,
/// position or login; `archived` lists the archived cards instead of the active ones.
/// Every argument may be left out (the first page of everyone active).
#[server(prefix = "/api", endpoint = "list_staff")]
pub async fn list_staff(
    #[server(default)] query: String,
    #[server(default)] page: i64,
    #[server(default)] archived: bool,
) -> Result<StaffListPage, AppError> {
    crate::state::with_actor(|db, actor| async move {
        repo::list_staff(&db, &actor, &query, page, archived).await
    })
    .await
}

/// The staff card's form, as the browser posts it: text as typed, and the role
/// checkboxes as `Some("on")` when ticked and absent otherwise. `NewStaff::parse`
/// checks it on the server.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffForm {
    pub surname: String,
    pub given_name: String,
    pub patronymic: String,
    pub email: String,
    pub phone: String,
    pub position: String,
    #[serde(default)]
    pub teacher: Option<String>,
    #[serde(default)]
    pub admin: Option<String>,
}

#[server(prefix = "/api", endpoint = "create_staff")]
pub async fn create_staff(#[server(flatten)] form: StaffForm) -> Result<NewCredentials, AppError> {
    crate::state::with_actor(|db, actor| async move {
        crate::access::managed_organisation(&actor)?;
        repo::create_staff(&db, &actor, repo::NewStaff::parse(&form)?).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "staff_card")]
pub async fn load_staff_card(staff_id: i64) -> Result<StaffCard, AppError> {
    crate::state::with_actor(
        |db, actor| async move { repo::staff_card(&db, &actor, staff_id).await },
    )
    .await
}

/// Binds (`bind = true`) or unbinds a teacher and a group; takes effect on the
/// teacher's next request.
#[server(prefix = "/api", endpoint = "set_group_binding")]
pub async fn set_group_binding(staff_id: i64, group_id: i64, bind: bool) -> Result<(), AppError> {
    crate::state::with_actor(|db, actor| async move {
        repo::set_group_binding(&db, &actor, staff_id, group_id, bind).await
    })
    .await
}

/// Saves the staff card's form. Removing the teacher role also removes the group
/// bindings; an admin cannot take away its own admin role.
#[server(prefix = "/api", endpoint = "update_staff")]
pub async fn update_staff(
    staff_id: i64,
    #[server(flatten)] form: StaffForm,
) -> Result<(), AppError> {
    crate::state::with_actor(|db, actor| async move {
        crate::access::managed_organisation(&actor)?;
        repo::update_staff(&db, &actor, staff_id, repo::NewStaff::parse(&form)?).await
    })
    .await
}

/// Archives a staff card: the person can no longer sign in for this organisation and
/// loses its groups at once. Nothing is deleted.
#[server(prefix = "/api", endpoint = "archive_staff")]
pub async fn archive_staff(staff_id: i64) -> Result<(), AppError> {
    crate::state::with_actor(|db, actor| async move {
        repo::set_archived(&db, &actor, staff_id, true).await
    })
    .await
}

/// Brings an archived card back, with its roles but without its former groups.
#[server(prefix = "/api", endpoint = "restore_staff")]
pub async fn restore_staff(staff_id: i64) -> Result<(), AppError> {
    crate::state::with_actor(|db, actor| async move {
        repo::set_archived(&db, &actor, staff_id, false).await
    })
    .await
}

/// A new one-time password for a staff member who forgot theirs: shown once, to be
/// changed at the next sign-in; every open session of the person ends.
#[server(prefix = "/api", endpoint = "reset_staff_password")]
pub async fn reset_staff_password(staff_id: i64) -> Result<NewCredentials, AppError> {
    crate::state::with_actor(|db, actor| async move {
        repo::reset_password(&db, &actor, staff_id).await
    })
    .await
}
