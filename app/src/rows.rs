//! Decoding what the database stores, on both backends. A value that does not decode
//! is the server's fault (a bad migration, a hand edit), never the user's: it is logged
//! and answered as an internal error, not as «your date is not valid».

use chrono::NaiveDate;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::domain::timesheet::{Enrolment, Mark};
use crate::error::AppError;

/// «Фамилия Имя Отчество» from a row with those three columns.
pub fn full_name(row: &AnyRow) -> Result<String, sqlx::Error> {
    full_name_of(row, "")
}

/// The same, from columns named with a prefix (`author_surname`, …) when a query
/// joins several people.
pub fn full_name_of(row: &AnyRow, prefix: &str) -> Result<String, sqlx::Error> {
    let parts = [
        row.try_get::<String, _>(format!("{prefix}surname").as_str())?,
        row.try_get::<String, _>(format!("{prefix}given_name").as_str())?,
        row.try_get::<String, _>(format!("{prefix}patronymic").as_str())?,
    ];
    Ok(join_name(parts))
}

fn join_name(parts: impl IntoIterator<Item = String>) -> String {
    parts
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A boolean expression's value: PostgreSQL answers a bool, SQLite an integer.
pub fn flag(row: &AnyRow, column: &str) -> Result<bool, sqlx::Error> {
    row.try_get::<bool, _>(column)
        .or_else(|_| row.try_get::<i64, _>(column).map(|n| n != 0))
}

/// An ISO date as stored (`YYYY-MM-DD` text on both backends).
pub fn stored_date(raw: &str) -> Result<NaiveDate, AppError> {
    NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|e| {
        tracing::error!(value = raw, error = %e, "a stored date does not decode");
        AppError::internal()
    })
}

/// The date in `column` of `row`.
pub fn date(row: &AnyRow, column: &str) -> Result<NaiveDate, AppError> {
    stored_date(&row.try_get::<String, _>(column)?)
}

/// The date in `column` of `row`, if any.
pub fn optional_date(row: &AnyRow, column: &str) -> Result<Option<NaiveDate>, AppError> {
    row.try_get::<Option<String>, _>(column)?
        .map(|d| stored_date(&d))
        .transpose()
}

/// A child's enrolment from a row with `enrolled_on` and `left_on`.
pub fn enrolment_of(row: &AnyRow) -> Result<Enrolment, AppError> {
    let enrolled_on = date(row, "enrolled_on")?;
    let left_on = optional_date(row, "left_on")?;
    Enrolment::new(enrolled_on, left_on).map_err(|e| {
        tracing::error!(error = %e, "stored enrolment is inconsistent");
        AppError::internal()
    })
}

/// The column encoding of a mark: `status` and `reason`.
pub fn mark_from_row(status: &str, reason: Option<String>) -> Mark {
    match status {
        "present" => Mark::Present,
        _ => Mark::Absent { reason },
    }
}

/// A mark as its `status` and `reason` columns.
pub fn mark_columns(mark: &Mark) -> (&'static str, Option<&str>) {
    match mark {
        Mark::Present => ("present", None),
        Mark::Absent { reason } => ("absent", reason.as_deref()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    #[test]
    fn a_name_leaves_out_empty_parts() {
        assert_eq!(
            join_name(["Иванова".into(), "Анна".into(), String::new()]),
            "Иванова Анна"
        );
    }

    #[test]
    fn a_bad_stored_date_is_an_internal_error_not_the_users() {
        let err = stored_date("16.03.2026").unwrap_err();
        assert_eq!(err.kind, ErrorKind::Internal);
        assert_eq!(err.field, None);
        assert_eq!(
            stored_date("2026-03-16").unwrap(),
            NaiveDate::from_ymd_opt(2026, 3, 16).unwrap()
        );
    }

    #[test]
    fn marks_round_trip_through_their_columns() {
        for mark in [
            Mark::Present,
            Mark::Absent { reason: None },
            Mark::Absent {
                reason: Some("Б".into()),
            },
        ] {
            let (status, reason) = mark_columns(&mark);
            assert_eq!(mark_from_row(status, reason.map(str::to_owned)), mark);
        }
    }
}
