//! A parent's announcement of a planned absence («ребёнок не придёт с … по …»).

use chrono::NaiveDate;

use super::calendar::{date_en, date_ru};
use super::timesheet::AbsenceReason;
use super::Bilingual;

/// Longer stays away (a summer at the dacha) are still one announcement, up to a season.
pub const MAX_DAYS: i64 = 92;
pub const MAX_COMMENT_CHARS: usize = 500;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedAbsence {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub reason: String,
    pub comment: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlannedAbsenceError {
    #[error("the period ends before it starts")]
    EndsBeforeStart,
    #[error("the period starts in the past")]
    InThePast { from: NaiveDate },
    #[error("the period is too long")]
    TooLong { days: i64 },
    #[error("unknown reason")]
    UnknownReason { code: String },
    #[error("comment too long")]
    CommentTooLong { len: usize },
}

impl PlannedAbsence {
    /// Announcements are about today or later: the past is the teacher's marking.
    pub fn parse(
        from: NaiveDate,
        to: NaiveDate,
        reason: &str,
        comment: &str,
        today: NaiveDate,
        reasons: &[AbsenceReason],
    ) -> Result<Self, PlannedAbsenceError> {
        if to < from {
            return Err(PlannedAbsenceError::EndsBeforeStart);
        }
        if from < today {
            return Err(PlannedAbsenceError::InThePast { from });
        }
        let days = (to - from).num_days() + 1;
        if days > MAX_DAYS {
            return Err(PlannedAbsenceError::TooLong { days });
        }
        let reason = reason.trim();
        if AbsenceReason::find(reasons, reason).is_none() {
            return Err(PlannedAbsenceError::UnknownReason {
                code: reason.to_owned(),
            });
        }
        let comment = comment.trim();
        let len = comment.chars().count();
        if len > MAX_COMMENT_CHARS {
            return Err(PlannedAbsenceError::CommentTooLong { len });
        }
        Ok(Self {
            from,
            to,
            reason: reason.to_owned(),
            comment: comment.to_owned(),
        })
    }
}

/// A parent may take an announcement back only before its first day; from then on the
/// teacher's marks are what counts.
pub fn can_cancel(from: NaiveDate, today: NaiveDate) -> bool {
    from > today
}

impl PlannedAbsenceError {
    /// The form field the message belongs to.
    pub fn field(&self) -> &'static str {
        match self {
            Self::EndsBeforeStart | Self::TooLong { .. } => "date_to",
            Self::InThePast { .. } => "date_from",
            Self::UnknownReason { .. } => "reason",
            Self::CommentTooLong { .. } => "comment",
        }
    }
}

impl Bilingual for PlannedAbsenceError {
    fn ru(&self) -> String {
        match self {
            Self::EndsBeforeStart => "Дата окончания раньше даты начала.".into(),
            Self::InThePast { from } => format!(
                "{} уже прошло: сообщить можно о сегодняшнем дне или о будущих.",
                date_ru(*from)
            ),
            Self::TooLong { days } => {
                format!("Период слишком длинный ({days} дн.), не более {MAX_DAYS} дней.")
            }
            Self::UnknownReason { code } => format!("Причины «{code}» нет в справочнике."),
            Self::CommentTooLong { len } => format!(
                "Комментарий слишком длинный ({len} символов), не более {MAX_COMMENT_CHARS}."
            ),
        }
    }

    fn en(&self) -> String {
        match self {
            Self::EndsBeforeStart => "The end date is before the start date.".into(),
            Self::InThePast { from } => format!(
                "{} has passed: announce today or later days.",
                date_en(*from)
            ),
            Self::TooLong { days } => {
                format!("The period is too long ({days} days); at most {MAX_DAYS}.")
            }
            Self::UnknownReason { code } => {
                format!("The reason “{code}” is not in the reference book.")
            }
            Self::CommentTooLong { len } => {
                format!("The comment is too long ({len} characters); at most {MAX_COMMENT_CHARS}.")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn parse(
        from: &str,
        to: &str,
        reason: &str,
        comment: &str,
    ) -> Result<PlannedAbsence, PlannedAbsenceError> {
        PlannedAbsence::parse(
            d(from),
            d(to),
            reason,
            comment,
            d("2026-11-20"),
            &AbsenceReason::defaults(),
        )
    }

    #[test]
    fn a_future_period_with_a_known_reason_is_accepted() {
        let p = parse("2026-11-23", "2026-11-27", " О ", "  едем к бабушке ").unwrap();
        assert_eq!(
            (p.reason.as_str(), p.comment.as_str()),
            ("О", "едем к бабушке")
        );
        assert!(
            parse("2026-11-20", "2026-11-20", "Б", "").is_ok(),
            "today counts"
        );
    }

    #[test]
    fn each_rule_has_its_error_and_field() {
        let cases = [
            (
                parse("2026-11-25", "2026-11-24", "Б", ""),
                PlannedAbsenceError::EndsBeforeStart,
                "date_to",
            ),
            (
                parse("2026-11-19", "2026-11-24", "Б", ""),
                PlannedAbsenceError::InThePast {
                    from: d("2026-11-19"),
                },
                "date_from",
            ),
            (
                parse("2026-11-23", "2027-02-23", "Б", ""),
                PlannedAbsenceError::TooLong { days: 93 },
                "date_to",
            ),
            (
                parse("2026-11-23", "2026-11-24", "Ж", ""),
                PlannedAbsenceError::UnknownReason { code: "Ж".into() },
                "reason",
            ),
            (
                parse("2026-11-23", "2026-11-24", "Б", &"я".repeat(501)),
                PlannedAbsenceError::CommentTooLong { len: 501 },
                "comment",
            ),
        ];
        for (got, want, field) in cases {
            assert_eq!(got.as_ref().unwrap_err(), &want);
            assert_eq!(want.field(), field);
            assert!(!want.ru().is_empty() && !want.en().is_empty());
        }
        assert!(
            parse("2026-11-23", "2027-02-22", "Б", "").is_ok(),
            "exactly 92 days"
        );
    }

    #[test]
    fn cancelling_is_possible_only_before_the_first_day() {
        assert!(can_cancel(d("2026-11-21"), d("2026-11-20")));
        assert!(!can_cancel(d("2026-11-20"), d("2026-11-20")));
        assert!(!can_cancel(d("2026-11-19"), d("2026-11-20")));
    }
}
