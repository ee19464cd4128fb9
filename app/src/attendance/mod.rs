//! Daily marking of a group and the month's табель посещаемости.

mod page;
#[cfg(feature = "ssr")]
pub mod repo;

pub use page::{MarkHistoryPage, MarkingPage, TimesheetPage};
// The reason book's options, shown by the marking page and the табель.
pub use crate::reference::{ReasonNameEn, ReasonOption};

use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

use crate::domain::sign_off::Signature;
use crate::domain::timesheet::{Mark, Timesheet};
use crate::error::AppError;

/// `2026-10` → `October 2026`: the English counterpart of the Russian month title.
pub(crate) fn month_title_en(month: &str) -> Option<String> {
    chrono::NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d")
        .ok()
        .map(|first| first.format("%B %Y").to_string())
}

/// `2026-10-20` → `20 Oct 2026`, a date English readers cannot misread.
pub(crate) fn date_en(day: &str) -> Option<String> {
    chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d")
        .ok()
        .map(|d| d.format("%-d %b %Y").to_string())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarkRow {
    pub child_id: i64,
    pub name: String,
    pub mark: Option<Mark>,
    /// The reason a parent announced for an absence covering this day.
    pub planned: Option<String>,
}

/// A group on a day, ready to mark: who is enrolled, what is already marked, and —
/// when the day cannot be marked — why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarkingSheet {
    pub group_id: i64,
    pub group_name: String,
    pub date: String,
    pub date_title: String,
    pub refusal: Option<String>,
    #[serde(default)]
    pub refusal_en: Option<String>,
    pub reasons: Vec<ReasonOption>,
    #[serde(default)]
    pub reasons_en: Vec<ReasonNameEn>,
    pub children: Vec<MarkRow>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarkInput {
    pub child_id: i64,
    pub mark: Mark,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimesheetView {
    pub organisation: String,
    pub group_id: i64,
    pub group: String,
    pub month: String,
    pub month_title: String,
    pub responsible: String,
    pub closed: bool,
    pub can_close: bool,
    /// A teacher may ask the admin to close the month.
    pub can_request_close: bool,
    /// Who asked for the month to be closed, while it is still open.
    pub close_requested_by: Option<String>,
    /// The teacher who submitted the month, kept once it is signed off.
    #[serde(default)]
    pub submitted: Option<Signature>,
    /// The head who signed the month off, which closed it.
    #[serde(default)]
    pub signed: Option<Signature>,
    pub sheet: Timesheet,
    /// The grid's letters explained, in both languages.
    pub legend: Vec<crate::domain::timesheet::LegendEntry>,
}

#[server(prefix = "/api", endpoint = "marking_sheet")]
pub async fn load_marking_sheet(group_id: i64, date: String) -> Result<MarkingSheet, AppError> {
    crate::state::with_actor(|db, actor| async move {
        repo::marking_sheet(&db, &actor, group_id, &date).await
    })
    .await
}

/// Saves marks of one group and day in one transaction: all of them, or none with the
/// reason. Every change is audited.
#[server(prefix = "/api", endpoint = "save_marks", input = Json)]
pub async fn save_marks(
    group_id: i64,
    date: String,
    marks: Vec<MarkInput>,
) -> Result<usize, AppError> {
    crate::state::with_actor(|db, actor| async move {
        let device = crate::access::device_of_request();
        let delivery = crate::state::AppState::current()?.delivery;
        let origin = crate::marks::Origin {
            device: &device,
            path: "web",
        };
        repo::save_marks(&db, &actor, group_id, &date, &marks, origin, &delivery).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "timesheet")]
pub async fn load_timesheet(group_id: i64, month: String) -> Result<TimesheetView, AppError> {
    crate::state::with_actor(|db, actor| async move {
        repo::timesheet_view(&db, &actor, group_id, &month).await
    })
    .await
}

/// Closes (locks) or reopens a group's month; org admin only. Reopening needs a
/// reason; both are logged.
#[server(prefix = "/api", endpoint = "set_month_closed")]
pub async fn set_month_closed(
    group_id: i64,
    month: String,
    closed: bool,
    reason: Option<String>,
) -> Result<(), AppError> {
    crate::state::with_actor(|db, actor| async move {
        repo::set_month_closed(
            &db,
            &actor,
            group_id,
            &month,
            closed,
            reason.as_deref().unwrap_or(""),
        )
        .await
    })
    .await
}

/// One audited change of a mark.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarkChange {
    pub at: String,
    pub by: String,
    pub old: String,
    pub new: String,
    pub device: String,
    pub path: String,
    /// `at`, `old`, `new` and `path` as the English interface shows them.
    #[serde(default)]
    pub at_en: String,
    #[serde(default)]
    pub old_en: String,
    #[serde(default)]
    pub new_en: String,
    #[serde(default)]
    pub path_en: String,
}

#[server(prefix = "/api", endpoint = "mark_history")]
pub async fn load_mark_history(child_id: i64, date: String) -> Result<Vec<MarkChange>, AppError> {
    crate::state::with_actor(|db, actor| async move {
        repo::mark_history(&db, &actor, child_id, &date).await
    })
    .await
}

/// A teacher of the group asks the admin to close the month.
#[server(prefix = "/api", endpoint = "request_month_close")]
pub async fn request_month_close(group_id: i64, month: String) -> Result<(), AppError> {
    crate::state::with_actor(|db, actor| async move {
        repo::request_month_close(&db, &actor, group_id, &month).await
    })
    .await
}
