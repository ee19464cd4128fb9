//! The long-absence report: children absent many working days in a row, and those with
//! many days missed without a valid reason in a month, for the admin (its organisation)
//! and the municipal specialist (its municipality); with CSV and XLSX
//! (`server::exports`).

mod page;
#[cfg(feature = "ssr")]
pub mod repo;

pub use page::LongAbsencesPage;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::long_absence::{AbsenceStreak, Thresholds};
use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LongAbsenceRow {
    pub organisation: String,
    pub group: String,
    pub child_id: i64,
    pub child: String,
    pub streaks: Vec<AbsenceStreak>,
    pub unexplained: u32,
    /// The unexplained days reach the organisation's threshold.
    pub unexplained_listed: bool,
    pub thresholds: Thresholds,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LongAbsenceReport {
    pub month: String,
    pub month_title: String,
    pub previous: Option<String>,
    pub next: Option<String>,
    /// The report spans organisations: the table names each row's.
    pub several_organisations: bool,
    pub rows: Vec<LongAbsenceRow>,
}

impl LongAbsenceRow {
    /// «12.11–18.11.2026 (5 раб. дн.: Б, без причины)», one per streak.
    pub fn streaks_ru(&self) -> String {
        self.streaks
            .iter()
            .map(|s| {
                let reasons: Vec<&str> = s
                    .reasons
                    .iter()
                    .map(|r| {
                        if r.is_empty() {
                            "без причины"
                        } else {
                            r.as_str()
                        }
                    })
                    .collect();
                format!(
                    "{}–{} ({} раб. дн.: {})",
                    s.from.format("%d.%m"),
                    s.to.format("%d.%m.%Y"),
                    s.working_days,
                    reasons.join(", ")
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub fn streaks_en(&self) -> String {
        self.streaks
            .iter()
            .map(|s| {
                let reasons: Vec<&str> = s
                    .reasons
                    .iter()
                    .map(|r| {
                        if r.is_empty() {
                            "no reason"
                        } else {
                            r.as_str()
                        }
                    })
                    .collect();
                format!(
                    "{} – {} ({} working days: {})",
                    s.from.format("%-d %b"),
                    s.to.format("%-d %b %Y"),
                    s.working_days,
                    reasons.join(", ")
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// `month` as YYYY-MM; the current month when empty.
#[server(prefix = "/api", endpoint = "long_absences")]
pub async fn load_long_absences(month: Option<String>) -> Result<LongAbsenceReport, AppError> {
    crate::state::with_actor(|db, actor| async move {
        repo::long_absences(&db, &actor, month.as_deref()).await
    })
    .await
}
