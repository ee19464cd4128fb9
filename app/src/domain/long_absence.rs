//! Children who stop coming: long runs of absence and months with many days missed
//! without a valid reason. The list «мониторинг и профилактика детского и семейного
//! неблагополучия» starts from.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::calendar::Month;
use super::timesheet::{AbsenceReason, Mark};

/// When a child appears on the report; set per organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Thresholds {
    /// Absent this many working days in a row, whatever the reasons.
    pub run_days: u32,
    /// This many working days of the month absent without a valid reason (none given,
    /// or a reason that does not excuse).
    pub unexplained_days: u32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            run_days: 5,
            unexplained_days: 3,
        }
    }
}

/// Consecutive absent working days; weekends and holidays neither break nor count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AbsenceStreak {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub working_days: u32,
    /// The reason codes that occur in it, in order of first occurrence; «» for none.
    pub reasons: Vec<String>,
}

/// What the report says of one child for a month.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChildFindings {
    /// Streaks of at least `run_days` that reach into the month.
    pub streaks: Vec<AbsenceStreak>,
    /// Absent days of the month without a valid reason.
    pub unexplained: u32,
}

impl ChildFindings {
    pub fn is_empty(&self, thresholds: Thresholds) -> bool {
        self.streaks.is_empty() && self.unexplained < thresholds.unexplained_days
    }
}

/// `days`: the child's working days while enrolled, in order, from some weeks before the
/// month (so a streak that began earlier is counted whole) to the month's end, each with
/// its mark if any. A working day without a mark ends a streak: nobody knows.
pub fn findings(
    days: &[(NaiveDate, Option<&Mark>)],
    month: Month,
    reasons: &[AbsenceReason],
    thresholds: Thresholds,
) -> ChildFindings {
    let mut streaks: Vec<AbsenceStreak> = Vec::new();
    let mut open: Option<AbsenceStreak> = None;
    let mut unexplained = 0;
    for (date, mark) in days {
        match mark {
            Some(Mark::Absent { reason }) => {
                let code = reason.clone().unwrap_or_default();
                let excused = reason
                    .as_deref()
                    .and_then(|c| AbsenceReason::find(reasons, c))
                    .is_some_and(|r| r.excused);
                if month.contains(*date) && !excused {
                    unexplained += 1;
                }
                let streak = open.get_or_insert_with(|| AbsenceStreak {
                    from: *date,
                    to: *date,
                    working_days: 0,
                    reasons: Vec::new(),
                });
                streak.to = *date;
                streak.working_days += 1;
                if !streak.reasons.contains(&code) {
                    streak.reasons.push(code);
                }
            }
            _ => streaks.extend(open.take()),
        }
    }
    streaks.extend(open);
    streaks.retain(|s| s.working_days >= thresholds.run_days && s.to >= month.first_day());
    ChildFindings {
        streaks,
        unexplained,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::calendar::AcademicCalendar;

    fn d(month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, month, day).unwrap()
    }

    fn absent(code: Option<&str>) -> Mark {
        Mark::Absent {
            reason: code.map(Into::into),
        }
    }

    /// Working days (Mon–Fri) from `from` to `to` with the mark `mark_of` gives each.
    fn days<'a>(
        from: NaiveDate,
        to: NaiveDate,
        mark_of: impl Fn(NaiveDate) -> Option<&'a Mark>,
    ) -> Vec<(NaiveDate, Option<&'a Mark>)> {
        let calendar = AcademicCalendar::default();
        from.iter_days()
            .take_while(|day| *day <= to)
            .filter(|day| calendar.is_working_day(*day))
            .map(|day| (day, mark_of(day)))
            .collect()
    }

    fn november() -> Month {
        Month::new(2026, 11).unwrap()
    }

    #[test]
    fn a_streak_over_a_weekend_counts_working_days_and_keeps_its_reasons() {
        let ill = absent(Some("Б"));
        let none = absent(None);
        let present = Mark::Present;
        // Thu 12 – Wed 18 Nov absent (5 working days), the last two without a reason.
        let marks = days(d(11, 2), d(11, 30), |day| {
            if (d(11, 12)..=d(11, 16)).contains(&day) {
                Some(&ill)
            } else if (d(11, 17)..=d(11, 18)).contains(&day) {
                Some(&none)
            } else if day < d(11, 25) {
                Some(&present)
            } else {
                None
            }
        });
        let found = findings(
            &marks,
            november(),
            &AbsenceReason::defaults(),
            Thresholds::default(),
        );
        assert_eq!(
            found.streaks,
            vec![AbsenceStreak {
                from: d(11, 12),
                to: d(11, 18),
                working_days: 5,
                reasons: vec!["Б".into(), "".into()],
            }]
        );
        assert_eq!(found.unexplained, 2);
        let stricter = Thresholds {
            run_days: 6,
            unexplained_days: 3,
        };
        let found = findings(&marks, november(), &AbsenceReason::defaults(), stricter);
        assert!(found.streaks.is_empty());
        assert!(found.is_empty(stricter), "2 unexplained days are under 3");
    }

    #[test]
    fn a_streak_begun_last_month_is_counted_whole_and_an_old_one_not_at_all() {
        let ill = absent(Some("Б"));
        // 26 Oct – 3 Nov absent: 7 working days, 2 of them in November.
        let marks = days(d(10, 1), d(11, 30), |day| {
            if (d(10, 5)..=d(10, 12)).contains(&day) || (d(10, 26)..=d(11, 3)).contains(&day) {
                Some(&ill)
            } else {
                Some(&Mark::Present)
            }
        });
        let found = findings(
            &marks,
            november(),
            &AbsenceReason::defaults(),
            Thresholds::default(),
        );
        assert_eq!(found.streaks.len(), 1, "{found:?}");
        assert_eq!(
            (found.streaks[0].from, found.streaks[0].working_days),
            (d(10, 26), 7)
        );
        assert_eq!(found.unexplained, 0, "illness is excused");
    }

    #[test]
    fn an_unmarked_day_breaks_a_streak_and_unexcused_reasons_count_as_unexplained() {
        let unexcused = absent(Some("Н"));
        let unknown_code = absent(Some("Ы"));
        let marks = days(d(11, 2), d(11, 13), |day| match day {
            day if day == d(11, 5) => None,
            day if day < d(11, 5) => Some(&unexcused),
            _ => Some(&unknown_code),
        });
        let found = findings(
            &marks,
            november(),
            &AbsenceReason::defaults(),
            Thresholds::default(),
        );
        // 2–4 Nov (3 days), then 6–13 Nov (6 days): only the second is long.
        assert_eq!(found.streaks.len(), 1);
        assert_eq!(
            (found.streaks[0].from, found.streaks[0].working_days),
            (d(11, 6), 6)
        );
        assert_eq!(
            found.unexplained, 9,
            "«Н» and a code the book lacks do not excuse"
        );
        assert!(!found.is_empty(Thresholds::default()));
    }
}
