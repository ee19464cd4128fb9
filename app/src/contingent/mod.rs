//! «Контингент»: the organisation's children with their groups and parents, the CSV
//! import of children and parents with a per-row error report, and a child's card:
//! adding a child, editing it, its leaving date, its parents and their accounts.
//! Only the organisation's admin reaches any of it.

// A server function takes one argument per form field, so `ActionForm` can post the
// plain form; the parent form simply has more fields than clippy's default allows.
#![allow(clippy::too_many_arguments)]

mod page;
#[cfg(feature = "ssr")]
pub mod repo;

pub use page::{ChildCardPage, ContingentPage};

use leptos::prelude::*;
use leptos::server_fn::codec::{MultipartData, MultipartFormData};
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChildListRow {
    pub id: i64,
    pub full_name: String,
    pub birth_date: String,
    pub group_name: String,
    pub enrolled_on: String,
    pub left_on: Option<String>,
    pub guardians: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChildPage {
    pub rows: Vec<ChildListRow>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// One refused line of an import, with its place in the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportProblem {
    pub line: usize,
    pub column: Option<String>,
    pub ru: String,
    pub en: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportSummary {
    pub total_rows: usize,
    pub imported: usize,
    pub problems: Vec<ImportProblem>,
}

pub const PER_PAGE: i64 = 25;

/// A page of the organisation's children; `query` matches surname, name or group.
#[server(prefix = "/api", endpoint = "list_children")]
pub async fn list_children(query: String, page: i64) -> Result<ChildPage, AppError> {
    crate::state::with_actor(|db, actor| async move {
        repo::list_children(&db, &actor, &query, page).await
    })
    .await
}

/// Imports children (and one parent per row) from an uploaded CSV file in the field
/// `file`. Valid rows are saved in one transaction; each refused row is reported. A
/// parent already in the organisation's books (a sibling's, or an earlier row's) is
/// linked rather than created again, as on the child's card.
#[server(prefix = "/api", endpoint = "import_children", input = MultipartFormData)]
pub async fn import_children(data: MultipartData) -> Result<ImportSummary, AppError> {
    crate::state::with_actor(|db, actor| async move {
        let organisation_id = crate::access::managed_organisation(&actor)?;
        let text = repo::read_csv_upload(data).await?;
        repo::import(&db, organisation_id, actor.person_id, &text).await
    })
    .await
}

/// A child just added from the form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddedChild {
    pub id: i64,
    pub full_name: String,
}

/// A parent or legal representative as the child's card shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardGuardian {
    pub person_id: i64,
    pub full_name: String,
    pub relation: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// The login of the person's account, if it has one.
    pub login: Option<String>,
}

/// The child's card. Dates are ISO (`YYYY-MM-DD`), as stored and as date inputs take them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChildCard {
    pub id: i64,
    pub surname: String,
    pub given_name: String,
    pub patronymic: String,
    pub full_name: String,
    pub birth_date: String,
    pub group_name: String,
    pub enrolled_on: String,
    /// The last day in the group, inclusive.
    pub left_on: Option<String>,
    pub guardians: Vec<CardGuardian>,
}

/// A parent's new account: shown once, right after it is created (only the hash is
/// stored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GuardianCredentials {
    pub child_id: i64,
    pub person_id: i64,
    pub full_name: String,
    pub login: String,
    pub one_time_password: String,
}

/// Adds a child to a group of the admin's organisation. `group_id` is the text of the
/// form's select, so a missing choice is a field error rather than a decoding one.
#[server(prefix = "/api", endpoint = "add_child")]
pub async fn add_child(
    surname: String,
    given_name: String,
    patronymic: String,
    birth_date: String,
    group_id: String,
    enrolled_on: String,
) -> Result<AddedChild, AppError> {
    crate::state::with_actor(|db, actor| async move {
        let form = crate::domain::contingent_import::ChildForm {
            surname: &surname,
            given_name: &given_name,
            patronymic: &patronymic,
            birth_date: &birth_date,
            enrolled_on: &enrolled_on,
        };
        repo::add_child(&db, &actor, &form, &group_id).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "child_card")]
pub async fn load_child_card(child_id: i64) -> Result<ChildCard, AppError> {
    crate::state::with_actor(
        |db, actor| async move { repo::child_card(&db, &actor, child_id).await },
    )
    .await
}

/// Corrects the child's name and birth date; the enrolment stays.
#[server(prefix = "/api", endpoint = "edit_child")]
pub async fn edit_child(
    child_id: i64,
    surname: String,
    given_name: String,
    patronymic: String,
    birth_date: String,
) -> Result<(), AppError> {
    crate::state::with_actor(|db, actor| async move {
        repo::edit_child(
            &db,
            &actor,
            child_id,
            [&surname, &given_name, &patronymic],
            &birth_date,
        )
        .await
    })
    .await
}

/// Sets the child's last day in the group. The child stays in the табели and the
/// history up to that day and is no longer marked after it; nothing is deleted.
#[server(prefix = "/api", endpoint = "leave_child")]
pub async fn leave_child(child_id: i64, left_on: String) -> Result<(), AppError> {
    crate::state::with_actor(|db, actor| async move {
        repo::leave_child(&db, &actor, child_id, &left_on).await
    })
    .await
}

/// Clears the child's leaving date: back in the group as if it had not left (a date
/// entered by mistake, or a child who came back). Refused when a closed табель would
/// change.
#[server(prefix = "/api", endpoint = "return_child")]
pub async fn return_child(child_id: i64) -> Result<(), AppError> {
    crate::state::with_actor(
        |db, actor| async move { repo::return_child(&db, &actor, child_id).await },
    )
    .await
}

/// Adds a parent or legal representative to the child: a new person, or the sibling's
/// parent it already is (same surname, given name and e-mail), linked.
#[server(prefix = "/api", endpoint = "add_guardian")]
pub async fn add_guardian(
    child_id: i64,
    guardian_surname: String,
    guardian_given_name: String,
    guardian_patronymic: String,
    relation: String,
    phone: String,
    email: String,
) -> Result<i64, AppError> {
    crate::state::with_actor(|db, actor| async move {
        let form = crate::domain::contingent_import::GuardianForm {
            surname: &guardian_surname,
            given_name: &guardian_given_name,
            patronymic: &guardian_patronymic,
            relation: &relation,
            phone: &phone,
            email: &email,
        };
        repo::add_guardian(&db, &actor, child_id, &form).await
    })
    .await
}

/// Changes a parent's relation to the child and contacts.
#[server(prefix = "/api", endpoint = "edit_guardian")]
pub async fn edit_guardian(
    child_id: i64,
    person_id: i64,
    relation: String,
    phone: String,
    email: String,
) -> Result<(), AppError> {
    crate::state::with_actor(|db, actor| async move {
        repo::edit_guardian(
            &db,
            &actor,
            child_id,
            person_id,
            [&relation, &phone, &email],
        )
        .await
    })
    .await
}

/// Removes the link between the child and a parent; the person (and its account)
/// stays, as other children or the history may refer to it.
#[server(prefix = "/api", endpoint = "remove_guardian")]
pub async fn remove_guardian(child_id: i64, person_id: i64) -> Result<(), AppError> {
    crate::state::with_actor(|db, actor| async move {
        repo::remove_guardian(&db, &actor, child_id, person_id).await
    })
    .await
}

/// Creates the account of a parent who has none: a login, a one-time password to be
/// changed at first login, and the parent role.
#[server(prefix = "/api", endpoint = "create_guardian_account")]
pub async fn create_guardian_account(
    child_id: i64,
    person_id: i64,
) -> Result<GuardianCredentials, AppError> {
    crate::state::with_actor(|db, actor| async move {
        repo::create_guardian_account(&db, &actor, child_id, person_id).await
    })
    .await
}
