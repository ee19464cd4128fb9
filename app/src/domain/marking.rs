//! When a mark may be recorded. The server checks every mark against these rules,
//! whichever path it came by (the marking page, a batch, later the offline sync).

use chrono::NaiveDate;

use super::calendar::{date_en, date_ru, AcademicCalendar, DayKind, Month};
use super::timesheet::{AbsenceReason, Mark};
use super::Bilingual;

/// Everything the rules need to know about one child-day.
pub struct MarkContext<'a> {
    pub date: NaiveDate,
    pub today: NaiveDate,
    pub calendar: &'a AcademicCalendar,
    /// Whether the child is in the group on `date` (its enrolment history decides).
    pub enrolled: bool,
    pub month_closed: bool,
    pub reasons: &'a [AbsenceReason],
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MarkRefusal {
    #[error("{date} is in the future")]
    Future { date: NaiveDate },
    #[error("{date} is not a working day")]
    NotWorkingDay { date: NaiveDate, kind: DayKind },
    #[error("the child is not enrolled on {date}")]
    NotEnrolled { date: NaiveDate },
    #[error("the month {month} is closed")]
    MonthClosed { month: Month },
    #[error("unknown absence reason {code}")]
    UnknownReason { code: String },
}

/// Checks one mark. Planned absences may lie ahead (a parent announces them), but
/// nobody can be marked present on a day that has not come.
pub fn check_mark(mark: &Mark, ctx: &MarkContext<'_>) -> Result<(), MarkRefusal> {
    let date = ctx.date;
    if ctx.month_closed {
        return Err(MarkRefusal::MonthClosed {
            month: Month::of(date).expect("a valid date has a month"),
        });
    }
    if date > ctx.today {
        return Err(MarkRefusal::Future { date });
    }
    let kind = ctx.calendar.day_kind(date);
    if !kind.is_working() {
        return Err(MarkRefusal::NotWorkingDay { date, kind });
    }
    if !ctx.enrolled {
        return Err(MarkRefusal::NotEnrolled { date });
    }
    if let Mark::Absent { reason: Some(code) } = mark {
        if AbsenceReason::find(ctx.reasons, code).is_none() {
            return Err(MarkRefusal::UnknownReason { code: code.clone() });
        }
    }
    Ok(())
}

impl Bilingual for MarkRefusal {
    fn ru(&self) -> String {
        match self {
            Self::Future { date } => format!(
                "{} ещё не наступило: отметку поставить нельзя.",
                date_ru(*date)
            ),
            Self::NotWorkingDay { date, kind } => format!(
                "{} — {}: по календарному учебному графику отметки не ставятся.",
                date_ru(*date),
                if *kind == DayKind::Holiday {
                    "праздничный день"
                } else {
                    "выходной день"
                }
            ),
            Self::NotEnrolled { date } => {
                format!("{} ребёнок не числится в группе.", date_ru(*date))
            }
            Self::MonthClosed { month } => {
                format!("Табель за {month} закрыт: изменить отметку может только администратор, открыв месяц.")
            }
            Self::UnknownReason { code } => {
                format!("Причины отсутствия «{code}» нет в справочнике.")
            }
        }
    }

    fn en(&self) -> String {
        match self {
            Self::Future { date } => {
                format!("{} has not come yet: it cannot be marked.", date_en(*date))
            }
            Self::NotWorkingDay { date, kind } => format!(
                "{} is a {} in the academic calendar: no marks are made.",
                date_en(*date),
                if *kind == DayKind::Holiday {
                    "holiday"
                } else {
                    "day off"
                }
            ),
            Self::NotEnrolled { date } => format!(
                "The child is not enrolled in the group on {}.",
                date_en(*date)
            ),
            Self::MonthClosed { month } => {
                format!("The timesheet for {month} is closed: only an admin can change it by reopening the month.")
            }
            Self::UnknownReason { code } => {
                format!("The absence reason “{code}” is not in the reference book.")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::timesheet::Enrolment;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    struct Fixture {
        calendar: AcademicCalendar,
        enrolment: Enrolment,
        reasons: Vec<AbsenceReason>,
    }

    fn fixture() -> Fixture {
        Fixture {
            // 4 Nov 2026 (Wed) a holiday, Sat 7 Nov worked.
            calendar: AcademicCalendar::new([d("2026-11-04")], [d("2026-11-07")]).unwrap(),
            enrolment: Enrolment::new(d("2026-11-02"), Some(d("2026-11-20"))).unwrap(),
            reasons: AbsenceReason::defaults(),
        }
    }

    fn check(f: &Fixture, date: &str, mark: Mark, closed: bool) -> Result<(), MarkRefusal> {
        check_mark(
            &mark,
            &MarkContext {
                date: d(date),
                today: d("2026-11-18"),
                calendar: &f.calendar,
                enrolled: f.enrolment.contains(d(date)),
                month_closed: closed,
                reasons: &f.reasons,
            },
        )
    }

    fn absent(code: &str) -> Mark {
        Mark::Absent {
            reason: Some(code.into()),
        }
    }

    #[test]
    fn a_working_day_within_enrolment_is_accepted() {
        let f = fixture();
        assert_eq!(check(&f, "2026-11-18", Mark::Present, false), Ok(()));
        assert_eq!(check(&f, "2026-11-05", absent("Б"), false), Ok(()));
        assert_eq!(
            check(&f, "2026-11-06", Mark::Absent { reason: None }, false),
            Ok(())
        );
        assert_eq!(
            check(&f, "2026-11-07", Mark::Present, false),
            Ok(()),
            "transferred Saturday"
        );
    }

    #[test]
    fn future_days_are_refused() {
        let f = fixture();
        assert_eq!(
            check(&f, "2026-11-19", Mark::Present, false),
            Err(MarkRefusal::Future {
                date: d("2026-11-19")
            })
        );
    }

    #[test]
    fn weekends_and_holidays_are_refused() {
        let f = fixture();
        assert_eq!(
            check(&f, "2026-11-04", Mark::Present, false),
            Err(MarkRefusal::NotWorkingDay {
                date: d("2026-11-04"),
                kind: DayKind::Holiday
            })
        );
        assert_eq!(
            check(&f, "2026-11-08", Mark::Present, false),
            Err(MarkRefusal::NotWorkingDay {
                date: d("2026-11-08"),
                kind: DayKind::Weekend
            })
        );
    }

    #[test]
    fn days_outside_enrolment_are_refused() {
        let mut f = fixture();
        f.enrolment = Enrolment::new(d("2026-11-10"), Some(d("2026-11-13"))).unwrap();
        assert_eq!(
            check(&f, "2026-11-09", Mark::Present, false),
            Err(MarkRefusal::NotEnrolled {
                date: d("2026-11-09")
            })
        );
        assert_eq!(
            check(&f, "2026-11-16", Mark::Present, false),
            Err(MarkRefusal::NotEnrolled {
                date: d("2026-11-16")
            })
        );
        assert_eq!(
            check(&f, "2026-11-13", Mark::Present, false),
            Ok(()),
            "the leaving day counts"
        );
    }

    #[test]
    fn a_closed_month_refuses_everything() {
        let f = fixture();
        assert_eq!(
            check(&f, "2026-11-18", Mark::Present, true),
            Err(MarkRefusal::MonthClosed {
                month: Month::new(2026, 11).unwrap()
            })
        );
    }

    #[test]
    fn reasons_come_from_the_reference_book() {
        let mut f = fixture();
        assert_eq!(
            check(&f, "2026-11-18", absent("Ж"), false),
            Err(MarkRefusal::UnknownReason { code: "Ж".into() })
        );
        f.reasons.retain(|r| r.code != "С");
        assert_eq!(
            check(&f, "2026-11-18", absent("С"), false),
            Err(MarkRefusal::UnknownReason { code: "С".into() })
        );
    }

    #[test]
    fn every_refusal_reads_in_both_languages() {
        let refusals = [
            MarkRefusal::Future {
                date: d("2026-11-19"),
            },
            MarkRefusal::NotWorkingDay {
                date: d("2026-11-04"),
                kind: DayKind::Holiday,
            },
            MarkRefusal::NotEnrolled {
                date: d("2026-11-09"),
            },
            MarkRefusal::MonthClosed {
                month: Month::new(2026, 11).unwrap(),
            },
            MarkRefusal::UnknownReason { code: "Ж".into() },
        ];
        for r in refusals {
            assert!(!r.ru().is_empty() && !r.en().is_empty());
        }
        assert!(MarkRefusal::NotWorkingDay {
            date: d("2026-11-04"),
            kind: DayKind::Holiday
        }
        .ru()
        .contains("04.11.2026"));
    }
}
