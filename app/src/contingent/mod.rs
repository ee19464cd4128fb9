//! «Контингент»: the organisation's children with their groups and parents, and the
//! CSV import of children and parents with a per-row error report.

mod page;
#[cfg(feature = "ssr")]
pub mod repo;

pub use page::ContingentPage;

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
/// `file`. Valid rows are saved in one transaction; each refused row is reported.
#[server(prefix = "/api", endpoint = "import_children", input = MultipartFormData)]
pub async fn import_children(data: MultipartData) -> Result<ImportSummary, AppError> {
    crate::state::with_actor(|db, actor| async move {
        let organisation_id = crate::groups::repo::managed_organisation(&actor)?;
        let text = repo::read_csv_upload(data).await?;
        repo::import(&db, organisation_id, &text).await
    })
    .await
}
