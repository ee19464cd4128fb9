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
use crate::domain::Lang;
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
    /// «12.11–18.11.2026 (5 раб. дн.: Б, без причины)», one per streak, joined by «; ».
    pub fn streaks(&self, lang: Lang) -> String {
        self.streaks
            .iter()
            .map(|s| {
                let reasons: Vec<&str> = s
                    .reasons
                    .iter()
                    .map(|r| match r.as_str() {
                        "" => lang.pick("без причины", "no reason"),
                        code => code,
                    })
                    .collect();
                format!(
                    "{}{}{} ({} {}: {})",
                    s.from.format(lang.pick("%d.%m", "%-d %b")),
                    lang.pick("–", " – "),
                    s.to.format(lang.pick("%d.%m.%Y", "%-d %b %Y")),
                    s.working_days,
                    lang.pick("раб. дн.", "working days"),
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

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    #[test]
    fn a_streak_reads_in_both_languages() {
        let day = |d| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
        let row = LongAbsenceRow {
            organisation: "МАДОУ".into(),
            group: "Солнышко".into(),
            child_id: 1,
            child: "Иванова Мария".into(),
            streaks: vec![AbsenceStreak {
                from: day(12),
                to: day(18),
                working_days: 5,
                reasons: vec!["Б".into(), String::new()],
            }],
            unexplained: 2,
            unexplained_listed: false,
            thresholds: Thresholds::default(),
        };
        assert_eq!(
            row.streaks(Lang::Ru),
            "12.11–18.11.2026 (5 раб. дн.: Б, без причины)"
        );
        assert_eq!(
            row.streaks(Lang::En),
            "12 Nov – 18 Nov 2026 (5 working days: Б, no reason)"
        );
    }
}
