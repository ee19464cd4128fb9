//! Parsing what people send to server functions. A value read back from the database
//! is not input: see `rows` for that, where a bad value is the server's fault.

use chrono::NaiveDate;

use crate::domain::calendar::Month;
use crate::error::{AppError, ErrorKind};

/// A date typed or picked by a person (`ГГГГ-ММ-ДД`); a bad one is the person's error.
pub fn parse_date(raw: &str) -> Result<NaiveDate, AppError> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").map_err(|_| {
        AppError::on_field(
            ErrorKind::Invalid,
            "date",
            format!("Дата «{raw}» не распознана (нужно ГГГГ-ММ-ДД)."),
            format!("The date “{raw}” is not valid (expected YYYY-MM-DD)."),
        )
    })
}

/// A month (`ГГГГ-ММ`) sent by a person.
pub fn parse_month(raw: &str) -> Result<Month, AppError> {
    Month::parse(raw).map_err(|e| AppError::invalid("month", &e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_is_read_with_surrounding_space() {
        assert_eq!(
            parse_date(" 2026-03-16 ").unwrap(),
            NaiveDate::from_ymd_opt(2026, 3, 16).unwrap()
        );
    }

    #[test]
    fn a_bad_date_is_the_senders_error_on_the_date_field() {
        let err = parse_date("16.03.2026").unwrap_err();
        assert_eq!(err.kind, ErrorKind::Invalid);
        assert_eq!(err.field.as_deref(), Some("date"));
        assert!(err.ru.contains("16.03.2026") && err.en.contains("YYYY-MM-DD"));
    }

    #[test]
    fn a_month_is_parsed_or_refused_on_its_field() {
        assert_eq!(parse_month("2026-03").unwrap().to_string(), "2026-03");
        assert_eq!(
            parse_month("2026-13").unwrap_err().field.as_deref(),
            Some("month")
        );
    }
}
