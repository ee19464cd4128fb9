//! The month's sign-off chain: the teacher submits the group's табель once every
//! working day is marked, the head signs it off (which closes the month). Both
//! signatures go on the printed form.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::timesheet::{Cell, Timesheet};
use super::{Bilingual, Lang};

/// Who put their name to the month, and on which day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signature {
    pub by: String,
    pub on: NaiveDate,
}

impl Signature {
    /// «Васильева Ольга Николаевна, 30.11.2026»
    pub fn line(&self) -> String {
        format!("{}, {}", self.by, self.on.format("%d.%m.%Y"))
    }
}

/// A child's working days nobody has marked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnmarkedChild {
    pub name: String,
    pub days: Vec<NaiveDate>,
}

/// Why a teacher cannot submit the month yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubmissionRefusal {
    /// Some working days are still to come: a month is submitted once it has ended.
    NotOver { last_working_day: NaiveDate },
    /// Working days up to today without a mark, by child in the табель's order.
    Unmarked(Vec<UnmarkedChild>),
}

/// How many children the refusal names before it says «and N more»: a whole group of
/// 25 children with a blank week would not fit on a tablet's screen.
const NAMED_CHILDREN: usize = 5;

/// A submitted табель is complete: every working day of every enrolled child is marked.
/// Days off and days outside a child's enrolment need no mark.
pub fn check_submission(sheet: &Timesheet) -> Result<(), SubmissionRefusal> {
    let unmarked: Vec<UnmarkedChild> = sheet
        .rows
        .iter()
        .filter_map(|row| {
            let days: Vec<NaiveDate> = row
                .cells
                .iter()
                .zip(&sheet.days)
                .filter(|(cell, _)| matches!(cell, Cell::Unmarked))
                .map(|(_, day)| day.date)
                .collect();
            (!days.is_empty()).then(|| UnmarkedChild {
                name: row.name.clone(),
                days,
            })
        })
        .collect();
    if !unmarked.is_empty() {
        return Err(SubmissionRefusal::Unmarked(unmarked));
    }
    let future = sheet.rows.iter().flat_map(|row| {
        row.cells
            .iter()
            .zip(&sheet.days)
            .filter(|(cell, _)| matches!(cell, Cell::Future))
            .map(|(_, day)| day.date)
    });
    match future.max() {
        Some(last_working_day) => Err(SubmissionRefusal::NotOver { last_working_day }),
        None => Ok(()),
    }
}

impl SubmissionRefusal {
    fn listing(children: &[UnmarkedChild], more: impl Fn(usize) -> String) -> String {
        let mut parts: Vec<String> = children
            .iter()
            .take(NAMED_CHILDREN)
            .map(|child| {
                let days: Vec<String> = child
                    .days
                    .iter()
                    .map(|d| d.format("%d.%m").to_string())
                    .collect();
                format!("{} — {}", child.name, days.join(", "))
            })
            .collect();
        if children.len() > NAMED_CHILDREN {
            parts.push(more(children.len() - NAMED_CHILDREN));
        }
        parts.join("; ")
    }
}

impl Bilingual for SubmissionRefusal {
    fn ru(&self) -> String {
        match self {
            Self::NotOver { last_working_day } => format!(
                "Месяц ещё не закончился: последний рабочий день — {}. Сдать табель можно после него.",
                last_working_day.format("%d.%m.%Y")
            ),
            Self::Unmarked(children) => format!(
                "Табель нельзя сдать: не отмечены рабочие дни. {}.",
                Self::listing(children, |n| format!("и ещё детей: {n}"))
            ),
        }
    }

    fn en(&self) -> String {
        match self {
            Self::NotOver { last_working_day } => format!(
                "The month is not over: its last working day is {}. Submit the timesheet after it.",
                last_working_day.format("%-d %b %Y")
            ),
            Self::Unmarked(children) => format!(
                "The timesheet cannot be submitted: working days are unmarked. {}.",
                Self::listing(children, |n| format!("and {n} more children"))
            ),
        }
    }
}

/// How far an organisation's groups are through the month's sign-off.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignOffProgress {
    /// Groups in use (not archived).
    pub groups: u32,
    /// Of them, submitted by a teacher or already signed off.
    pub submitted: u32,
    /// Of them, signed off by the head (the month is closed).
    pub signed: u32,
}

impl SignOffProgress {
    /// Every group signed off; an organisation without groups has nothing to sign.
    pub fn is_signed_off(&self) -> bool {
        self.groups > 0 && self.signed >= self.groups
    }

    /// «подписан (групп: 3)», «подписано 1 из 3, сдано 2», «не сдан (групп: 3)».
    pub fn summary(&self, lang: Lang) -> String {
        let Self {
            groups,
            submitted,
            signed,
        } = *self;
        let ru = lang == Lang::Ru;
        if groups == 0 {
            lang.pick("групп нет", "no groups").to_owned()
        } else if self.is_signed_off() {
            if ru {
                format!("подписан (групп: {groups})")
            } else {
                format!("signed off ({groups} groups)")
            }
        } else if submitted == 0 && signed == 0 {
            if ru {
                format!("не сдан (групп: {groups})")
            } else {
                format!("not submitted ({groups} groups)")
            }
        } else if ru {
            format!("подписано {signed} из {groups}, сдано {submitted}")
        } else {
            format!("{signed} of {groups} signed off, {submitted} submitted")
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::domain::calendar::{AcademicCalendar, Month};
    use crate::domain::timesheet::{
        AbsenceReason, Enrolment, Mark, TimesheetChild, TimesheetInput,
    };

    fn nov(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, day).unwrap()
    }

    fn child(id: i64, name: &str) -> TimesheetChild {
        TimesheetChild {
            id,
            name: name.into(),
            enrolments: vec![Enrolment::open(nov(1))],
        }
    }

    /// November 2026 in the plain Mon–Fri calendar, marked by `marks`, seen on `today`.
    fn sheet(
        children: &[TimesheetChild],
        marks: &BTreeMap<(i64, NaiveDate), Mark>,
        today: NaiveDate,
    ) -> Timesheet {
        Timesheet::build(&TimesheetInput {
            month: Month::new(2026, 11).unwrap(),
            calendar: &AcademicCalendar::default(),
            children,
            marks,
            reasons: &AbsenceReason::defaults(),
            today,
        })
    }

    fn working_days_of_november() -> Vec<NaiveDate> {
        (1..=30)
            .map(nov)
            .filter(|d| chrono::Datelike::weekday(d).number_from_monday() <= 5)
            .collect()
    }

    fn all_marked(children: &[TimesheetChild]) -> BTreeMap<(i64, NaiveDate), Mark> {
        children
            .iter()
            .flat_map(|c| {
                working_days_of_november()
                    .into_iter()
                    .map(move |d| ((c.id, d), Mark::Present))
            })
            .collect()
    }

    #[test]
    fn an_organisation_is_signed_off_when_every_group_is() {
        let progress = |groups, submitted, signed| SignOffProgress {
            groups,
            submitted,
            signed,
        };
        assert!(progress(3, 3, 3).is_signed_off());
        assert!(!progress(3, 3, 2).is_signed_off());
        assert!(
            !progress(0, 0, 0).is_signed_off(),
            "nothing to sign is not signed"
        );
        assert_eq!(progress(3, 3, 3).summary(Lang::Ru), "подписан (групп: 3)");
        assert_eq!(
            progress(3, 2, 1).summary(Lang::Ru),
            "подписано 1 из 3, сдано 2"
        );
        assert_eq!(progress(3, 0, 0).summary(Lang::Ru), "не сдан (групп: 3)");
        assert_eq!(
            progress(3, 2, 1).summary(Lang::En),
            "1 of 3 signed off, 2 submitted"
        );
    }

    #[test]
    fn a_fully_marked_past_month_can_be_submitted() {
        let children = [child(1, "Иванова Мария"), child(2, "Петров Артём")];
        let marks = all_marked(&children);
        assert_eq!(
            check_submission(&sheet(&children, &marks, nov(30) + chrono::Days::new(3))),
            Ok(())
        );
    }

    #[test]
    fn unmarked_working_days_are_listed_by_child_and_weekends_are_not() {
        let children = [child(1, "Иванова Мария"), child(2, "Петров Артём")];
        let mut marks = all_marked(&children);
        marks.remove(&(2, nov(3)));
        marks.remove(&(2, nov(17)));
        let refusal = check_submission(&sheet(
            &children,
            &marks,
            NaiveDate::from_ymd_opt(2026, 12, 4).unwrap(),
        ))
        .unwrap_err();
        assert_eq!(
            refusal,
            SubmissionRefusal::Unmarked(vec![UnmarkedChild {
                name: "Петров Артём".into(),
                days: vec![nov(3), nov(17)],
            }])
        );
        assert_eq!(
            refusal.ru(),
            "Табель нельзя сдать: не отмечены рабочие дни. Петров Артём — 03.11, 17.11."
        );
        assert!(
            refusal.en().contains("Петров Артём — 03.11, 17.11"),
            "{}",
            refusal.en()
        );
    }

    #[test]
    fn days_outside_the_enrolment_need_no_mark() {
        let mut late = child(3, "Смирнова Алиса");
        late.enrolments = vec![Enrolment::open(nov(16))];
        let children = [late];
        let marks: BTreeMap<_, _> = working_days_of_november()
            .into_iter()
            .filter(|d| *d >= nov(16))
            .map(|d| {
                (
                    (3, d),
                    Mark::Absent {
                        reason: Some("Б".into()),
                    },
                )
            })
            .collect();
        assert_eq!(
            check_submission(&sheet(
                &children,
                &marks,
                NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()
            )),
            Ok(())
        );
    }

    #[test]
    fn a_month_still_running_is_refused_with_its_last_working_day() {
        let children = [child(1, "Иванова Мария")];
        let marks: BTreeMap<_, _> = working_days_of_november()
            .into_iter()
            .filter(|d| *d <= nov(20))
            .map(|d| ((1, d), Mark::Present))
            .collect();
        let refusal = check_submission(&sheet(&children, &marks, nov(20))).unwrap_err();
        assert_eq!(
            refusal,
            SubmissionRefusal::NotOver {
                last_working_day: nov(30)
            }
        );
        assert!(refusal.ru().contains("30.11.2026"));
    }

    #[test]
    fn a_long_list_names_five_children_and_counts_the_rest() {
        let children: Vec<TimesheetChild> =
            (1..=8).map(|i| child(i, &format!("Ребёнок {i}"))).collect();
        let refusal = check_submission(&sheet(&children, &BTreeMap::new(), nov(4))).unwrap_err();
        let text = refusal.ru();
        assert!(text.contains("Ребёнок 5 — 02.11, 03.11, 04.11"), "{text}");
        assert!(!text.contains("Ребёнок 6"), "{text}");
        assert!(text.ends_with("и ещё детей: 3."), "{text}");
    }
}
