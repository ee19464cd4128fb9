//! The rules for a row's values, shared by the import file and the forms: the
//! child's name and dates (against each other and today), the group, and the
//! parent columns with phone and e-mail. Each check records its problems in a
//! [`RowProblems`] under the column they belong to.

use std::collections::HashMap;

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use super::csv::Column;
use super::problems::{PhoneProblem, Problem, RowProblems};
use crate::domain::email::Email;
use crate::domain::person_name::{NamePart, PersonName, PersonNameError};
use crate::domain::GroupName;

/// The oldest a child may be on the enrolment date, in full years.
pub const MAX_AGE_YEARS: u32 = 8;
/// The maximum length of «Кем приходится», in characters.
pub const MAX_RELATION_CHARS: usize = 50;
/// The allowed length of a phone number, in characters, after trimming.
pub const PHONE_CHARS: std::ops::RangeInclusive<usize> = 5..=30;

/// The organisation's groups, found by [`GroupName::key`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GroupLookup {
    by_key: HashMap<String, i64>,
}

impl GroupLookup {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn insert(&mut self, id: i64, name: &GroupName) {
        self.by_key.insert(name.key(), id);
    }

    /// The id of the group with this name (ignoring case and «ё»/«е»).
    pub fn get(&self, name: &GroupName) -> Option<i64> {
        self.by_key.get(&name.key()).copied()
    }

    pub fn len(&self) -> usize {
        self.by_key.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_key.is_empty()
    }
}

impl FromIterator<(i64, GroupName)> for GroupLookup {
    fn from_iter<I: IntoIterator<Item = (i64, GroupName)>>(iter: I) -> Self {
        let mut lookup = Self::new();
        for (id, name) in iter {
            lookup.insert(id, &name);
        }
        lookup
    }
}

impl<'a> FromIterator<(i64, &'a GroupName)> for GroupLookup {
    fn from_iter<I: IntoIterator<Item = (i64, &'a GroupName)>>(iter: I) -> Self {
        let mut lookup = Self::new();
        for (id, name) in iter {
            lookup.insert(id, name);
        }
        lookup
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewParent {
    pub name: PersonName,
    /// «Кем приходится», trimmed with inner whitespace collapsed.
    pub relation: String,
    /// Trimmed with inner whitespace collapsed; otherwise as typed.
    pub phone: Option<String>,
    pub email: Option<Email>,
}

/// Whether every parent column is blank (a row that imports the child alone).
pub(super) fn no_parent_fields<'r>(cell: impl Fn(Column) -> &'r str) -> bool {
    Column::PARENT.iter().all(|&c| cell(c).is_empty())
}

pub(super) fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `ДД.ММ.ГГГГ` or `ГГГГ-ММ-ДД`, with one- or two-digit day and month.
pub(super) fn parse_date(raw: &str) -> Result<NaiveDate, Problem> {
    fn number(s: &str, digits: std::ops::RangeInclusive<usize>) -> Option<u32> {
        if digits.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()) {
            s.parse().ok()
        } else {
            None
        }
    }
    let parts: Vec<&str> = if raw.contains('.') {
        raw.split('.').collect()
    } else {
        raw.split('-').collect()
    };
    let ymd = match (raw.contains('.'), parts.as_slice()) {
        (true, [d, m, y]) => number(y, 4..=4).zip(number(m, 1..=2)).zip(number(d, 1..=2)),
        (false, [y, m, d]) => number(y, 4..=4).zip(number(m, 1..=2)).zip(number(d, 1..=2)),
        _ => None,
    };
    let ((y, m), d) = ymd.ok_or_else(|| Problem::DateFormat(raw.to_owned()))?;
    let year = i32::try_from(y).map_err(|_| Problem::DateFormat(raw.to_owned()))?;
    NaiveDate::from_ymd_opt(year, m, d).ok_or_else(|| Problem::NonexistentDate(raw.to_owned()))
}

fn parse_phone(raw: &str) -> Result<String, Problem> {
    let value = collapse(raw);
    let problem = if let Some(c) = value
        .chars()
        .find(|&c| !(c.is_ascii_digit() || matches!(c, ' ' | '+' | '-' | '(' | ')')))
    {
        Some(PhoneProblem::InvalidCharacter(c))
    } else if !PHONE_CHARS.contains(&value.chars().count()) {
        Some(PhoneProblem::Length(value.chars().count()))
    } else if !value.chars().any(|c| c.is_ascii_digit()) {
        Some(PhoneProblem::NoDigits)
    } else {
        None
    };
    match problem {
        Some(problem) => Err(Problem::Phone { value, problem }),
        None => Ok(value),
    }
}

impl RowProblems {
    /// Parses a name, placing each part's problem in its column; a blank required
    /// part is reported as `blank`.
    fn name(
        &mut self,
        parts: [&str; 3],
        column: fn(NamePart) -> Column,
        blank: &Problem,
    ) -> Option<PersonName> {
        match PersonName::parse_all(parts[0], parts[1], parts[2]) {
            Ok(name) => Some(name),
            Err(errors) => {
                for e in errors {
                    let part = e.part();
                    let problem = match e {
                        PersonNameError::Empty { .. } => blank.clone(),
                        e => Problem::Name(e),
                    };
                    self.push(Some(column(part)), problem);
                }
                None
            }
        }
    }

    /// A required date.
    fn date(&mut self, column: Column, raw: &str) -> Option<NaiveDate> {
        if raw.is_empty() {
            self.push(Some(column), Problem::Missing);
            return None;
        }
        parse_date(raw)
            .map_err(|problem| self.push(Some(column), problem))
            .ok()
    }

    pub(super) fn group(&mut self, raw: &str, groups: &GroupLookup) -> Option<i64> {
        if raw.is_empty() {
            self.push(Some(Column::Group), Problem::Missing);
            return None;
        }
        match GroupName::parse(raw) {
            Err(e) => {
                self.push(Some(Column::Group), Problem::GroupName(e));
                None
            }
            Ok(name) => {
                let id = groups.get(&name);
                if id.is_none() {
                    self.push(
                        Some(Column::Group),
                        Problem::UnknownGroup(name.as_str().to_owned()),
                    );
                }
                id
            }
        }
    }

    /// `None` when no parent field is filled or when the parent has a problem.
    pub(super) fn parent<'r>(&mut self, cell: impl Fn(Column) -> &'r str) -> Option<NewParent> {
        if no_parent_fields(&cell) {
            return None;
        }
        let name = self.name(
            [
                cell(Column::ParentSurname),
                cell(Column::ParentGivenName),
                cell(Column::ParentPatronymic),
            ],
            Column::parent_name,
            &Problem::ParentIncomplete,
        );
        let relation = collapse(cell(Column::Relation));
        let len = relation.chars().count();
        let relation = if relation.is_empty() {
            self.push(Some(Column::Relation), Problem::ParentIncomplete);
            None
        } else if len > MAX_RELATION_CHARS {
            self.push(Some(Column::Relation), Problem::RelationTooLong { len });
            None
        } else {
            Some(relation)
        };
        let phone = match cell(Column::Phone) {
            "" => Some(None),
            raw => parse_phone(raw)
                .map_err(|problem| self.push(Some(Column::Phone), problem))
                .ok()
                .map(Some),
        };
        let email = match cell(Column::Email) {
            "" => Some(None),
            raw => Email::parse(raw)
                .map_err(|e| self.push(Some(Column::Email), Problem::Email(e)))
                .ok()
                .map(Some),
        };
        Some(NewParent {
            name: name?,
            relation: relation?,
            phone: phone?,
            email: email?,
        })
    }

    /// The child's name, birth date and enrolment date, each checked on its own and
    /// then against each other and `today`.
    pub(super) fn child<'r>(
        &mut self,
        cell: impl Fn(Column) -> &'r str,
        today: NaiveDate,
    ) -> (Option<PersonName>, Option<NaiveDate>, Option<NaiveDate>) {
        let problems = self;
        let name = problems.name(
            [
                cell(Column::ChildSurname),
                cell(Column::ChildGivenName),
                cell(Column::ChildPatronymic),
            ],
            Column::child_name,
            &Problem::Missing,
        );
        let birth_date = problems.date(Column::BirthDate, cell(Column::BirthDate));
        let enrolled_on = problems.date(Column::EnrolmentDate, cell(Column::EnrolmentDate));
        if let Some(birth_date) = birth_date {
            if birth_date > today {
                problems.push(
                    Some(Column::BirthDate),
                    Problem::BirthDateInFuture { birth_date, today },
                );
            } else if let Some(enrolled_on) = enrolled_on {
                let oldest = birth_date.checked_add_months(Months::new(12 * MAX_AGE_YEARS));
                if enrolled_on < birth_date {
                    problems.push(
                        Some(Column::EnrolmentDate),
                        Problem::EnrolledBeforeBirth {
                            enrolled_on,
                            birth_date,
                        },
                    );
                } else if oldest.is_some_and(|oldest| enrolled_on > oldest) {
                    problems.push(
                        Some(Column::BirthDate),
                        Problem::TooOld {
                            enrolled_on,
                            years: enrolled_on.years_since(birth_date).unwrap_or(0),
                        },
                    );
                }
            }
        }
        (name, birth_date, enrolled_on)
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::super::*;
    use super::*;
    use crate::domain::email::EmailError;
    use crate::domain::Bilingual;

    // ----- one error kind at a time -----

    #[test]
    fn blank_required_child_fields() {
        for column in [
            Column::ChildSurname,
            Column::ChildGivenName,
            Column::BirthDate,
            Column::Group,
            Column::EnrolmentDate,
        ] {
            check_single(&[(column, "  ")], column, RowErrorKind::Missing);
        }
        // The child's patronymic may be blank.
        let row = good_with(&[(Column::ChildPatronymic, "")]);
        assert!(parse(&file(&[&row])).errors.is_empty());
    }

    #[test]
    fn invalid_child_name_parts_name_their_column() {
        let e = check_single(
            &[(Column::ChildSurname, "Иванова2")],
            Column::ChildSurname,
            RowErrorKind::InvalidName,
        );
        assert!(e.ru.contains("«2»"), "{}", e.ru);
        check_single(
            &[(Column::ChildGivenName, "---")],
            Column::ChildGivenName,
            RowErrorKind::InvalidName,
        );
        check_single(
            &[(Column::ChildPatronymic, &"Я".repeat(101))],
            Column::ChildPatronymic,
            RowErrorKind::InvalidName,
        );
    }

    #[test]
    fn unrecognised_dates() {
        for raw in [
            "15.03.21",
            "2021/03/15",
            "15-03-2021",
            "15.03.2021 0:00:00",
            "вчера",
            "15.03.2021.",
            "+15.03.2021",
            "١٥.٠٣.٢٠٢١",
        ] {
            let e = check_single(
                &[(Column::BirthDate, raw)],
                Column::BirthDate,
                RowErrorKind::InvalidDate,
            );
            assert!(e.ru.contains(raw) && e.en.contains(raw));
        }
        check_single(
            &[(Column::EnrolmentDate, "сентябрь")],
            Column::EnrolmentDate,
            RowErrorKind::InvalidDate,
        );
    }

    #[test]
    fn nonexistent_dates() {
        let e = check_single(
            &[(Column::BirthDate, "31.02.2021")],
            Column::BirthDate,
            RowErrorKind::NonexistentDate,
        );
        assert_eq!(e.ru, "Дата «31.02.2021» не существует.");
        assert_eq!(
            e.ru(),
            "Строка 2, «Дата рождения»: дата «31.02.2021» не существует."
        );
        assert_eq!(
            e.en(),
            "Line 2, “Дата рождения”: the date “31.02.2021” does not exist."
        );
        for raw in ["29.02.2023", "2023-02-29", "00.01.2021", "15.13.2021"] {
            check_single(
                &[(Column::BirthDate, raw)],
                Column::BirthDate,
                RowErrorKind::NonexistentDate,
            );
        }
        let leap = good_with(&[(Column::BirthDate, "29.02.2020")]);
        assert!(parse(&file(&[&leap])).errors.is_empty());
    }

    #[test]
    fn birth_date_in_the_future() {
        let e = check_single(
            &[
                (Column::BirthDate, "02.02.2026"),
                (Column::EnrolmentDate, "01.09.2026"),
            ],
            Column::BirthDate,
            RowErrorKind::BirthDateInFuture,
        );
        assert!(e.ru.contains("02.02.2026") && e.ru.contains("01.02.2026"));
        // Born today, enrolled later: fine.
        let row = good_with(&[
            (Column::BirthDate, "01.02.2026"),
            (Column::EnrolmentDate, "01.09.2026"),
        ]);
        assert!(parse(&file(&[&row])).errors.is_empty());
        // Enrolment before a future birth date is not reported on top.
        check_single(
            &[(Column::BirthDate, "01.01.2027")],
            Column::BirthDate,
            RowErrorKind::BirthDateInFuture,
        );
    }

    #[test]
    fn child_older_than_eight_on_enrolment() {
        let ok = good_with(&[
            (Column::BirthDate, "01.09.2016"),
            (Column::EnrolmentDate, "01.09.2024"),
        ]);
        assert!(parse(&file(&[&ok])).errors.is_empty());
        let e = check_single(
            &[
                (Column::BirthDate, "01.09.2016"),
                (Column::EnrolmentDate, "02.09.2024"),
            ],
            Column::BirthDate,
            RowErrorKind::TooOld,
        );
        assert!(e.ru.contains("полных лет: 8") && e.ru.contains("02.09.2024"));
        let e = check_single(
            &[(Column::BirthDate, "15.03.2010")],
            Column::BirthDate,
            RowErrorKind::TooOld,
        );
        assert!(e.en.contains("14 full years"), "{}", e.en);
        // Born on 29 February: the eighth birthday is 28 February or 29 February.
        let ok = good_with(&[
            (Column::BirthDate, "29.02.2016"),
            (Column::EnrolmentDate, "29.02.2024"),
        ]);
        assert!(parse(&file(&[&ok])).errors.is_empty());
    }

    #[test]
    fn enrolment_before_birth() {
        let e = check_single(
            &[(Column::EnrolmentDate, "14.03.2021")],
            Column::EnrolmentDate,
            RowErrorKind::EnrolledBeforeBirth,
        );
        assert!(e.ru.contains("14.03.2021") && e.ru.contains("15.03.2021"));
        let same_day = good_with(&[(Column::EnrolmentDate, "15.03.2021")]);
        assert!(parse(&file(&[&same_day])).errors.is_empty());
    }

    #[test]
    fn unknown_group() {
        let e = check_single(
            &[(Column::Group, "  Радуга ")],
            Column::Group,
            RowErrorKind::UnknownGroup,
        );
        assert!(e.ru.contains("«Радуга»") && e.en.contains("“Радуга”"));
        let report = parse_contingent_csv(&file(&[GOOD]), &GroupLookup::new(), today()).unwrap();
        assert_eq!(report.errors[0].kind, RowErrorKind::UnknownGroup);
    }

    #[test]
    fn invalid_group_name() {
        let long = "Я".repeat(61);
        check_single(
            &[(Column::Group, &long)],
            Column::Group,
            RowErrorKind::InvalidGroupName,
        );
    }

    #[test]
    fn parent_without_relation() {
        let e = check_single(
            &[(Column::Relation, "")],
            Column::Relation,
            RowErrorKind::ParentIncomplete,
        );
        assert!(e.ru.contains("родител"));
    }

    #[test]
    fn parent_details_without_a_name() {
        let row = "Петров;Пётр;;02.11.2020;Ёлочка;01.09.2023;;;;;8 912 345-67-89;";
        let report = parse(&file(&[row]));
        assert!(report.rows.is_empty());
        let located: Vec<_> = report
            .errors
            .iter()
            .map(|e| (e.line, e.column.as_deref().unwrap(), e.kind))
            .collect();
        assert_eq!(
            located,
            vec![
                (2, "Фамилия родителя", RowErrorKind::ParentIncomplete),
                (2, "Имя родителя", RowErrorKind::ParentIncomplete),
                (2, "Кем приходится", RowErrorKind::ParentIncomplete),
            ]
        );
    }

    #[test]
    fn parent_columns_missing_from_the_file_are_named_by_the_template() {
        let input = "Фамилия ребенка;Имя ребенка;Дата рождения;Группа;Дата зачисления;Email\n\
             Петров;Пётр;02.11.2020;Ёлочка;01.09.2023;petrova@mail.ru\n";
        let report = parse(input);
        let columns: Vec<_> = report
            .errors
            .iter()
            .map(|e| e.column.as_deref().unwrap())
            .collect();
        assert_eq!(
            columns,
            vec!["Фамилия родителя", "Имя родителя", "Кем приходится"]
        );
    }

    #[test]
    fn invalid_parent_name() {
        check_single(
            &[(Column::ParentGivenName, "Елена!")],
            Column::ParentGivenName,
            RowErrorKind::InvalidName,
        );
        check_single(
            &[(Column::ParentSurname, "")],
            Column::ParentSurname,
            RowErrorKind::ParentIncomplete,
        );
    }

    #[test]
    fn invalid_phones() {
        for raw in ["8-912-ABC-45", "+7 912 345 67 89 доб. 2", "89123456789,"] {
            let e = check_single(
                &[(Column::Phone, raw)],
                Column::Phone,
                RowErrorKind::InvalidPhone,
            );
            assert!(e.ru.contains("недопустимый символ"), "{}", e.ru);
        }
        for raw in ["1234", &"1".repeat(31)] {
            let e = check_single(
                &[(Column::Phone, raw)],
                Column::Phone,
                RowErrorKind::InvalidPhone,
            );
            assert!(e.ru.contains("от 5 до 30"), "{}", e.ru);
        }
        let e = check_single(
            &[(Column::Phone, "(---)")],
            Column::Phone,
            RowErrorKind::InvalidPhone,
        );
        assert!(e.en.contains("no digits"));
        for raw in ["12345", &"1".repeat(30), "+7(912)3456789"] {
            let row = good_with(&[(Column::Phone, raw)]);
            let report = parse(&file(&[&row]));
            assert!(report.errors.is_empty(), "{raw}: {:#?}", report.errors);
            assert_eq!(
                report.rows[0].parent.as_ref().unwrap().phone.as_deref(),
                Some(raw)
            );
        }
        let row = good_with(&[(Column::Phone, " +7  912\t345 ")]);
        let parent = parse(&file(&[&row])).rows[0].parent.clone().unwrap();
        assert_eq!(parent.phone.as_deref(), Some("+7 912 345"));
    }

    #[test]
    fn invalid_email() {
        let e = check_single(
            &[(Column::Email, "elena@@mail.ru")],
            Column::Email,
            RowErrorKind::InvalidEmail,
        );
        assert_eq!(e.ru, EmailError::MultipleAt.ru());
        let row = good_with(&[(Column::Email, "Elena@MAIL.RU")]);
        let parent = parse(&file(&[&row])).rows[0].parent.clone().unwrap();
        assert_eq!(parent.email.unwrap().as_str(), "Elena@mail.ru");
    }

    #[test]
    fn relation_too_long() {
        let long = "б".repeat(51);
        check_single(
            &[(Column::Relation, &long)],
            Column::Relation,
            RowErrorKind::InvalidRelation,
        );
        let ok = good_with(&[(Column::Relation, &"б".repeat(50))]);
        assert!(parse(&file(&[&ok])).errors.is_empty());
    }

    #[test]
    fn group_lookup_uses_the_key() {
        let sun = GroupName::parse("Солнышко").unwrap();
        let tree = GroupName::parse("Ёлочка").unwrap();
        let lookup: GroupLookup = [(7, &sun), (8, &tree)].into_iter().collect();
        assert_eq!(lookup.len(), 2);
        assert!(!lookup.is_empty());
        assert_eq!(lookup.get(&GroupName::parse(" ЕЛОЧКА ").unwrap()), Some(8));
        assert_eq!(lookup.get(&GroupName::parse("Радуга").unwrap()), None);
        assert!(GroupLookup::new().is_empty());
    }
}
