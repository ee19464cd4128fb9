//! The child-card forms: a child's own details, a parent or legal representative,
//! and a date typed into a field. They are checked by the [`rules`](super::rules)
//! of an import row and get the same messages, one per field.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::csv::Column;
use super::problems::{Problem, RowErrorKind, RowProblems};
use super::rules::{no_parent_fields, parse_date, NewParent};
use crate::domain::person_name::PersonName;
use crate::domain::Bilingual;

/// One problem with one field of a contingent form (a new child, a child's details,
/// a parent): the same checks and messages as for a row of the import file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub column: Column,
    pub kind: RowErrorKind,
    pub ru: String,
    pub en: String,
}

impl Bilingual for FieldError {
    fn ru(&self) -> String {
        self.ru.clone()
    }
    fn en(&self) -> String {
        self.en.clone()
    }
}

impl RowProblems {
    /// The form's problems in field order; none is about a whole row here.
    fn for_form(self) -> Vec<FieldError> {
        self.sorted()
            .into_iter()
            .filter_map(|(column, problem)| {
                Some(FieldError {
                    column: column?,
                    kind: problem.kind(),
                    ru: problem.ru(),
                    en: problem.en(),
                })
            })
            .collect()
    }
}

/// A child's own details as typed into a form. Dates as in the file (`ДД.ММ.ГГГГ`)
/// or as an HTML date input sends them (`ГГГГ-ММ-ДД`).
#[derive(Debug, Clone, Copy, Default)]
pub struct ChildForm<'a> {
    pub surname: &'a str,
    pub given_name: &'a str,
    pub patronymic: &'a str,
    pub birth_date: &'a str,
    pub enrolled_on: &'a str,
}

/// A child's checked details: the name, and a birth date not after today and not
/// after the enrolment date (with the child at most [`MAX_AGE_YEARS`](super::MAX_AGE_YEARS) on it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChildDetails {
    pub name: PersonName,
    pub birth_date: NaiveDate,
    pub enrolled_on: NaiveDate,
}

/// Checks a child form by the rules of an import row (the group is the caller's:
/// a form chooses it from a list). Reports every field's problem at once.
pub fn check_child_form(
    form: &ChildForm,
    today: NaiveDate,
) -> Result<ChildDetails, Vec<FieldError>> {
    let mut problems = RowProblems::default();
    let cell = |column| {
        match column {
            Column::ChildSurname => form.surname,
            Column::ChildGivenName => form.given_name,
            Column::ChildPatronymic => form.patronymic,
            Column::BirthDate => form.birth_date,
            Column::EnrolmentDate => form.enrolled_on,
            _ => "",
        }
        .trim()
    };
    match problems.child(cell, today) {
        (Some(name), Some(birth_date), Some(enrolled_on)) if problems.is_empty() => {
            Ok(ChildDetails {
                name,
                birth_date,
                enrolled_on,
            })
        }
        _ => Err(problems.for_form()),
    }
}

/// A parent or legal representative as typed into a form.
#[derive(Debug, Clone, Copy, Default)]
pub struct GuardianForm<'a> {
    pub surname: &'a str,
    pub given_name: &'a str,
    pub patronymic: &'a str,
    pub relation: &'a str,
    pub phone: &'a str,
    pub email: &'a str,
}

/// Checks a parent form by the rules of an import row's parent columns; on a form the
/// parent is the point, so surname, given name and relation are simply required.
pub fn check_guardian_form(form: &GuardianForm) -> Result<NewParent, Vec<FieldError>> {
    let mut problems = RowProblems::default();
    let cell = |column| {
        match column {
            Column::ParentSurname => form.surname,
            Column::ParentGivenName => form.given_name,
            Column::ParentPatronymic => form.patronymic,
            Column::Relation => form.relation,
            Column::Phone => form.phone,
            Column::Email => form.email,
            _ => "",
        }
        .trim()
    };
    let parent = problems.parent(cell);
    if no_parent_fields(cell) {
        for column in [
            Column::ParentSurname,
            Column::ParentGivenName,
            Column::Relation,
        ] {
            problems.push(Some(column), Problem::Missing);
        }
    }
    // «…while other parent details are given» explains a file row, not a form.
    for (_, problem) in &mut problems.found {
        if *problem == Problem::ParentIncomplete {
            *problem = Problem::Missing;
        }
    }
    match parent {
        Some(parent) if problems.is_empty() => Ok(parent),
        _ => Err(problems.for_form()),
    }
}

/// A date typed into a form field that is blank, malformed or no real day.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{en}")]
pub struct DateInputError {
    ru: String,
    en: String,
}

impl Bilingual for DateInputError {
    fn ru(&self) -> String {
        self.ru.clone()
    }
    fn en(&self) -> String {
        self.en.clone()
    }
}

/// Parses a required date typed into a form field, with the import's formats and
/// messages.
pub fn parse_form_date(raw: &str) -> Result<NaiveDate, DateInputError> {
    let raw = raw.trim();
    let problem = if raw.is_empty() {
        Problem::Missing
    } else {
        match parse_date(raw) {
            Ok(date) => return Ok(date),
            Err(problem) => problem,
        }
    };
    Err(DateInputError {
        ru: problem.ru(),
        en: problem.en(),
    })
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;

    fn form_today() -> NaiveDate {
        date(2026, 11, 26)
    }

    #[test]
    fn a_child_form_is_checked_like_an_import_row() {
        let ok = check_child_form(
            &ChildForm {
                surname: " Смирнова ",
                given_name: "Ева",
                patronymic: "",
                birth_date: "2022-03-04",
                enrolled_on: "01.09.2026",
            },
            today(),
        )
        .unwrap();
        assert_eq!(ok.name.full(), "Смирнова Ева");
        assert_eq!(ok.birth_date, NaiveDate::from_ymd_opt(2022, 3, 4).unwrap());
        assert_eq!(ok.enrolled_on, NaiveDate::from_ymd_opt(2026, 9, 1).unwrap());

        let errors = check_child_form(
            &ChildForm {
                surname: "",
                given_name: "Ева1",
                patronymic: "",
                birth_date: "31.02.2022",
                enrolled_on: "",
            },
            today(),
        )
        .unwrap_err();
        let columns: Vec<Column> = errors.iter().map(|e| e.column).collect();
        assert_eq!(
            columns,
            [
                Column::ChildSurname,
                Column::ChildGivenName,
                Column::BirthDate,
                Column::EnrolmentDate
            ]
        );
        assert_eq!(errors[0].kind, RowErrorKind::Missing);
        assert_eq!(errors[2].kind, RowErrorKind::NonexistentDate);
        assert!(errors.iter().all(|e| !e.ru.is_empty() && !e.en.is_empty()));
    }

    #[test]
    fn a_child_form_refuses_a_future_birth_and_an_enrolment_before_it() {
        let form = |birth_date, enrolled_on| ChildForm {
            surname: "Смирнова",
            given_name: "Ева",
            patronymic: "",
            birth_date,
            enrolled_on,
        };
        let future = check_child_form(&form("2026-11-27", "2026-12-01"), form_today()).unwrap_err();
        assert_eq!(future.len(), 1);
        assert_eq!(future[0].column, Column::BirthDate);
        assert_eq!(future[0].kind, RowErrorKind::BirthDateInFuture);
        assert!(
            future[0].ru.contains("ещё не наступила"),
            "{}",
            future[0].ru
        );

        let before = check_child_form(&form("2022-03-04", "2022-03-03"), form_today()).unwrap_err();
        assert_eq!(before[0].column, Column::EnrolmentDate);
        assert_eq!(before[0].kind, RowErrorKind::EnrolledBeforeBirth);
        // Born and enrolled on the same day is allowed, as in the import.
        assert!(check_child_form(&form("2022-03-04", "2022-03-04"), form_today()).is_ok());
        assert!(check_child_form(&form("2026-11-26", "2026-11-26"), form_today()).is_ok());
    }

    #[test]
    fn a_guardian_form_requires_name_and_relation_and_checks_contacts() {
        let ok = check_guardian_form(&GuardianForm {
            surname: "Смирнова",
            given_name: "Анна",
            patronymic: "Петровна",
            relation: " мать ",
            phone: "+7 900  123-45-67",
            email: "Anna@Example.ru",
        })
        .unwrap();
        assert_eq!(ok.name.full(), "Смирнова Анна Петровна");
        assert_eq!(ok.relation, "мать");
        assert_eq!(ok.phone.as_deref(), Some("+7 900 123-45-67"));
        assert!(ok.email.is_some());

        let blank = check_guardian_form(&GuardianForm::default()).unwrap_err();
        let columns: Vec<Column> = blank.iter().map(|e| e.column).collect();
        assert_eq!(
            columns,
            [
                Column::ParentSurname,
                Column::ParentGivenName,
                Column::Relation
            ]
        );
        assert!(blank.iter().all(|e| e.kind == RowErrorKind::Missing));

        let bad = check_guardian_form(&GuardianForm {
            surname: "Смирнова",
            given_name: "Анна",
            patronymic: "",
            relation: "",
            phone: "телефон",
            email: "не-email",
        })
        .unwrap_err();
        let kinds: Vec<RowErrorKind> = bad.iter().map(|e| e.kind).collect();
        assert_eq!(
            kinds,
            [
                RowErrorKind::Missing,
                RowErrorKind::InvalidPhone,
                RowErrorKind::InvalidEmail
            ]
        );
        assert_eq!(bad[0].ru, "Обязательное поле не заполнено.");
    }

    #[test]
    fn a_form_date_is_required_and_real() {
        assert_eq!(
            parse_form_date(" 2027-05-31 "),
            Ok(NaiveDate::from_ymd_opt(2027, 5, 31).unwrap())
        );
        assert_eq!(
            parse_form_date("31.05.2027"),
            Ok(NaiveDate::from_ymd_opt(2027, 5, 31).unwrap())
        );
        assert_eq!(
            parse_form_date("").unwrap_err().ru(),
            "Обязательное поле не заполнено."
        );
        assert!(parse_form_date("2027-02-30")
            .unwrap_err()
            .en()
            .contains("does not exist"));
        assert!(parse_form_date("завтра")
            .unwrap_err()
            .ru()
            .contains("не распознана"));
    }
}
