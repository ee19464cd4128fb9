//! Reference books an organisation keeps for attendance: absence reasons (with the
//! excused / charged flags its municipality's fee rules need) and the academic
//! calendar's holidays and transferred working days, and the stay modes a group can
//! have («Режим пребывания»).

mod page;
#[cfg(feature = "ssr")]
pub mod repo;

pub use page::{CalendarPage, ReasonsPage, StayModesPage};

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::Lang;
use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReasonOption {
    pub code: String,
    pub name_ru: String,
    /// Withdrawn from the reference book: shown on the marks made with it, never
    /// offered for a new one.
    #[serde(default)]
    pub archived: bool,
}

impl ReasonOption {
    pub fn of(reason: &crate::domain::timesheet::AbsenceReason) -> Self {
        Self {
            code: reason.code.clone(),
            name_ru: reason.name_ru.clone(),
            archived: reason.archived,
        }
    }

    /// Whether a picker whose current choice is `current` lists this reason.
    pub fn offered_with(&self, current: &str) -> bool {
        !self.archived || self.code == current
    }
}

/// The English name of an offered reason, by code: the English interface's side of
/// [`ReasonOption`], which other views (notices, the family and municipal pages) share
/// unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReasonNameEn {
    pub code: String,
    pub name_en: String,
}

impl ReasonOption {
    /// The reason's name in `lang`; the Russian one when no English name came with it.
    pub fn name<'a>(&'a self, lang: Lang, names_en: &'a [ReasonNameEn]) -> &'a str {
        match lang {
            Lang::Ru => &self.name_ru,
            Lang::En => names_en
                .iter()
                .find(|n| n.code == self.code)
                .map_or(self.name_ru.as_str(), |n| n.name_en.as_str()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReasonRow {
    pub code: String,
    pub name_ru: String,
    pub name_en: String,
    pub excused: bool,
    pub charged: bool,
    /// Set by this organisation rather than taken from the regional defaults.
    pub own: bool,
    /// Flags set by the municipality (and not overridden by the organisation).
    #[serde(default)]
    pub municipal: bool,
    /// No longer offered for new marks; past marks keep it.
    pub archived: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarDay {
    pub day: String,
    /// `holiday` or `working`.
    pub kind: String,
}

#[server(prefix = "/api", endpoint = "list_reasons")]
pub async fn list_reasons() -> Result<Vec<ReasonRow>, AppError> {
    crate::state::with_actor(|db, actor| async move { repo::list_reasons(&db, &actor).await }).await
}

/// Adds a local reason or overrides a default one for this organisation. Checkbox
/// fields arrive as `Some("on")` when ticked.
#[server(prefix = "/api", endpoint = "save_reason")]
pub async fn save_reason(
    code: String,
    name_ru: String,
    name_en: String,
    excused: Option<String>,
    charged: Option<String>,
) -> Result<(), AppError> {
    crate::state::with_actor(|db, actor| async move {
        repo::save_reason(
            &db,
            &actor,
            &code,
            &name_ru,
            &name_en,
            excused.is_some(),
            charged.is_some(),
        )
        .await
    })
    .await
}

/// Withdraws a reason from the marking screens (or offers it again). A regional
/// default is withdrawn for this organisation only.
#[server(prefix = "/api", endpoint = "archive_reason")]
pub async fn archive_reason(code: String, archived: bool) -> Result<(), AppError> {
    crate::state::with_actor(|db, actor| async move {
        repo::archive_reason(&db, &actor, &code, archived).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "list_calendar_days")]
pub async fn list_calendar_days(year: i32) -> Result<Vec<CalendarDay>, AppError> {
    crate::state::with_actor(|db, actor| async move {
        repo::list_calendar_days(&db, &actor, year).await
    })
    .await
}

/// Marks a date as a holiday or a (transferred) working day; `kind = "weekday"`
/// removes the exception, so the date follows the Mon–Fri week again.
#[server(prefix = "/api", endpoint = "set_calendar_day")]
pub async fn set_calendar_day(day: String, kind: String) -> Result<(), AppError> {
    crate::state::with_actor(|db, actor| async move {
        repo::set_calendar_day(&db, &actor, &day, &kind).await
    })
    .await
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StayModeRow {
    pub id: i64,
    pub name_ru: String,
    pub name_en: String,
    /// The longest stay of a day in this mode.
    pub minutes: i64,
    /// Added by this organisation rather than one of the regional defaults.
    pub own: bool,
    pub archived: bool,
}

impl StayModeRow {
    pub fn name(&self, lang: crate::domain::Lang) -> &str {
        lang.pick(&self.name_ru, &self.name_en)
    }
}

/// The regional stay modes and the organisation's own, archived ones last.
#[server(prefix = "/api", endpoint = "list_stay_modes")]
pub async fn list_stay_modes() -> Result<Vec<StayModeRow>, AppError> {
    crate::state::with_actor(|db, actor| async move { repo::list_stay_modes(&db, &actor).await })
        .await
}

/// Adds a stay mode of the organisation's own; `hours` as typed («10,5»).
#[server(prefix = "/api", endpoint = "add_stay_mode")]
pub async fn add_stay_mode(
    name_ru: String,
    name_en: String,
    hours: String,
) -> Result<i64, AppError> {
    crate::state::with_actor(|db, actor| async move {
        repo::add_stay_mode(&db, &actor, &name_ru, &name_en, &hours).await
    })
    .await
}

/// Changes one of the organisation's own stay modes: its names and hours. Groups that
/// have it follow the change.
#[server(prefix = "/api", endpoint = "save_stay_mode")]
pub async fn save_stay_mode(
    stay_mode_id: i64,
    name_ru: String,
    name_en: String,
    hours: String,
) -> Result<(), AppError> {
    crate::state::with_actor(|db, actor| async move {
        repo::save_stay_mode(&db, &actor, stay_mode_id, &name_ru, &name_en, &hours).await
    })
    .await
}

/// Archives or restores one of the organisation's own stay modes: an archived mode is
/// no longer offered for groups; groups that have it keep it.
#[server(prefix = "/api", endpoint = "archive_stay_mode")]
pub async fn archive_stay_mode(stay_mode_id: i64, archived: bool) -> Result<(), AppError> {
    crate::state::with_actor(|db, actor| async move {
        repo::archive_stay_mode(&db, &actor, stay_mode_id, archived).await
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::ReasonOption;
    use crate::domain::timesheet::AbsenceReason;

    #[test]
    fn an_archived_reason_is_listed_only_where_it_is_the_current_choice() {
        let mut book = AbsenceReason::defaults();
        book[0].archived = true;
        let options: Vec<ReasonOption> = book.iter().map(ReasonOption::of).collect();
        let listed = |current: &str| {
            options
                .iter()
                .filter(|o| o.offered_with(current))
                .map(|o| o.code.as_str())
                .collect::<Vec<_>>()
        };
        assert!(!listed("").contains(&"Б"));
        assert!(!listed("О").contains(&"Б"));
        assert_eq!(listed("Б").len(), book.len());
    }
}
