//! The municipal specialist's view of its municipality: the month's attendance per
//! organisation and per day, absences by reason, organisations that have not marked
//! today; with CSV and XLSX downloads (`server::exports`).

mod page;
pub mod reasons;
#[cfg(feature = "ssr")]
pub mod repo;

pub use page::MunicipalAttendancePage;
pub use reasons::MunicipalReasonsPage;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::attendance::{ReasonNameEn, ReasonOption};
use crate::domain::analytics::MonthAggregate;
use crate::domain::sign_off::SignOffProgress;
use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MunicipalMonth {
    pub municipality: String,
    pub month: String,
    pub month_title: String,
    pub previous: Option<String>,
    pub next: Option<String>,
    pub today: String,
    pub aggregate: MonthAggregate,
    /// Organisations for which today is a working day and that have no mark yet.
    pub not_marked_today: Vec<String>,
    pub reasons: Vec<ReasonOption>,
    #[serde(default)]
    pub reasons_en: Vec<ReasonNameEn>,
    /// How far each organisation is through signing off the month's табели.
    #[serde(default)]
    pub sign_offs: Vec<OrganisationSignOff>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganisationSignOff {
    pub id: i64,
    pub name: String,
    pub progress: SignOffProgress,
}

/// `month` as YYYY-MM; the current month when empty.
#[server(prefix = "/api", endpoint = "municipal_month")]
pub async fn load_municipal_month(month: Option<String>) -> Result<MunicipalMonth, AppError> {
    crate::state::with_actor(|db, actor| async move {
        repo::municipal_month(&db, &actor, month.as_deref()).await
    })
    .await
}
