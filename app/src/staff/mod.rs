//! Staff cards («Кадры»): the admin creates an account with a one-time password and
//! binds teachers to groups («Роли и права»); a teacher sees only its bound groups.

// A server function takes one argument per form field, so `ActionForm` can post the
// plain form; the staff form simply has more fields than clippy's default allows.
#![allow(clippy::too_many_arguments)]

mod page;
#[cfg(feature = "ssr")]
pub mod repo;

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
}

/// Shown once, right after the account is created: only the hash is stored.
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
    pub position: String,
    pub login: String,
    pub is_teacher: bool,
    pub groups: Vec<GroupBinding>,
}

#[server(prefix = "/api", endpoint = "list_staff")]
pub async fn list_staff() -> Result<Vec<StaffRow>, AppError> {
    crate::state::with_actor(|db, actor| async move { repo::list_staff(&db, &actor).await }).await
}

/// Checkbox fields arrive as `Some("on")` when ticked and are absent otherwise.
#[server(prefix = "/api", endpoint = "create_staff")]
pub async fn create_staff(
    surname: String,
    given_name: String,
    patronymic: String,
    email: String,
    phone: String,
    position: String,
    teacher: Option<String>,
    admin: Option<String>,
) -> Result<NewCredentials, AppError> {
    crate::state::with_actor(|db, actor| async move {
        repo::managed_organisation(&actor)?;
        let form = repo::NewStaff::parse(
            &surname,
            &given_name,
            &patronymic,
            &email,
            &phone,
            &position,
            teacher.is_some(),
            admin.is_some(),
        )?;
        repo::create_staff(&db, &actor, form).await
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
