//! What can be wrong with a file, a row or a form field, and every message about
//! it in Russian and English. [`Problem`] is a problem with a value before it is
//! placed; [`RowProblems`] collects a row's and orders them by column.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::csv::{template_header, Column};
use super::rules::{MAX_AGE_YEARS, MAX_RELATION_CHARS, PHONE_CHARS};
use crate::domain::calendar::{date_en, date_ru};
use crate::domain::email::EmailError;
use crate::domain::group::GroupNameError;
use crate::domain::person_name::PersonNameError;
use crate::domain::Bilingual;

/// What kind of problem a [`RowError`] is, for code that reacts to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RowErrorKind {
    /// The row's field count differs from the header's.
    WrongFieldCount {
        expected: usize,
        found: usize,
    },
    /// A required value is blank.
    Missing,
    /// A parent's surname, given name or relation is blank while other parent
    /// fields of the row are filled.
    ParentIncomplete,
    InvalidName,
    /// Not in a recognised date format.
    InvalidDate,
    /// In the right format, but no such day (31.02.2021).
    NonexistentDate,
    BirthDateInFuture,
    TooOld,
    EnrolledBeforeBirth,
    InvalidGroupName,
    UnknownGroup,
    InvalidPhone,
    InvalidEmail,
    InvalidRelation,
    DuplicateChild {
        first_line: usize,
    },
    /// The CSV reader could not read the row.
    Unreadable,
}

/// One problem in one row.
///
/// The `ru` and `en` fields say what is wrong with the value («Дата «31.02.2021» не
/// существует.»); the [`Bilingual`] methods give the full sentence with the
/// location («Строка 7, «Дата рождения»: дата «31.02.2021» не существует.»).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowError {
    pub line: usize,
    /// The column's header as written in the file, or the template header for a
    /// column the file lacks; `None` for a problem with the whole row.
    pub column: Option<String>,
    pub kind: RowErrorKind,
    pub ru: String,
    pub en: String,
}

impl Bilingual for RowError {
    fn ru(&self) -> String {
        match &self.column {
            Some(column) => format!(
                "Строка {}, «{column}»: {}",
                self.line,
                lower_first(&self.ru)
            ),
            None => format!("Строка {}: {}", self.line, lower_first(&self.ru)),
        }
    }

    fn en(&self) -> String {
        match &self.column {
            Some(column) => format!("Line {}, “{column}”: {}", self.line, lower_first(&self.en)),
            None => format!("Line {}: {}", self.line, lower_first(&self.en)),
        }
    }
}

/// «Дата …» → «дата …» for use after a colon; a leading acronym («ИНН») or a
/// non-letter stays as it is.
fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second)) if first.is_uppercase() && second.is_lowercase() => first
            .to_lowercase()
            .chain(s[first.len_utf8()..].chars())
            .collect(),
        _ => s.to_owned(),
    }
}

/// A problem that makes the whole file unusable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportFileError {
    #[error("the file is empty")]
    Empty,
    #[error("the first line is not a header: it names no known column")]
    NoHeader,
    #[error("required columns are missing: {}", .columns.iter().map(|c| c.header()).collect::<Vec<_>>().join(", "))]
    MissingColumns { columns: Vec<Column> },
    #[error("the column {column:?} appears twice")]
    DuplicateColumn { column: String },
    #[error("the file has a header but no data rows")]
    NoRows,
    #[error("the header line cannot be read")]
    Unreadable,
}

impl Bilingual for ImportFileError {
    fn ru(&self) -> String {
        match self {
            Self::Empty => "Файл пустой.".into(),
            Self::NoHeader => format!(
                "Первая строка файла должна содержать названия столбцов, например: {}.",
                template_header()
            ),
            Self::MissingColumns { columns } => {
                let names = columns
                    .iter()
                    .map(|c| format!("«{}»", c.header()))
                    .collect::<Vec<_>>()
                    .join(", ");
                if columns.len() == 1 {
                    format!("В файле нет обязательного столбца {names}.")
                } else {
                    format!("В файле нет обязательных столбцов {names}.")
                }
            }
            Self::DuplicateColumn { column } => {
                format!("Столбец «{column}» указан в заголовке дважды.")
            }
            Self::NoRows => "В файле есть заголовок, но нет ни одной строки с детьми.".into(),
            Self::Unreadable => "Не удалось прочитать первую строку файла.".into(),
        }
    }

    fn en(&self) -> String {
        match self {
            Self::Empty => "The file is empty.".into(),
            Self::NoHeader => format!(
                "The first line of the file must hold the column names, for example: {}.",
                template_header()
            ),
            Self::MissingColumns { columns } => {
                let names = columns
                    .iter()
                    .map(|c| format!("“{}” ({})", c.header(), c.en()))
                    .collect::<Vec<_>>()
                    .join(", ");
                if columns.len() == 1 {
                    format!("The file lacks the required column {names}.")
                } else {
                    format!("The file lacks the required columns {names}.")
                }
            }
            Self::DuplicateColumn { column } => {
                format!("The column “{column}” appears twice in the header.")
            }
            Self::NoRows => "The file has a header but no rows with children.".into(),
            Self::Unreadable => "The first line of the file could not be read.".into(),
        }
    }
}

/// Why a phone number was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum PhoneProblem {
    InvalidCharacter(char),
    Length(usize),
    NoDigits,
}

/// A problem with a value; becomes a [`RowError`] once placed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Problem {
    WrongFieldCount {
        expected: usize,
        found: usize,
        delimiter: char,
    },
    Missing,
    ParentIncomplete,
    Name(PersonNameError),
    DateFormat(String),
    NonexistentDate(String),
    BirthDateInFuture {
        birth_date: NaiveDate,
        today: NaiveDate,
    },
    TooOld {
        enrolled_on: NaiveDate,
        years: u32,
    },
    EnrolledBeforeBirth {
        enrolled_on: NaiveDate,
        birth_date: NaiveDate,
    },
    GroupName(GroupNameError),
    UnknownGroup(String),
    Phone {
        value: String,
        problem: PhoneProblem,
    },
    Email(EmailError),
    RelationTooLong {
        len: usize,
    },
    DuplicateChild {
        first_line: usize,
        name: String,
        birth_date: NaiveDate,
    },
    Unreadable,
}

impl Problem {
    pub(super) fn kind(&self) -> RowErrorKind {
        match self {
            Self::WrongFieldCount {
                expected, found, ..
            } => RowErrorKind::WrongFieldCount {
                expected: *expected,
                found: *found,
            },
            Self::Missing => RowErrorKind::Missing,
            Self::ParentIncomplete => RowErrorKind::ParentIncomplete,
            Self::Name(_) => RowErrorKind::InvalidName,
            Self::DateFormat(_) => RowErrorKind::InvalidDate,
            Self::NonexistentDate(_) => RowErrorKind::NonexistentDate,
            Self::BirthDateInFuture { .. } => RowErrorKind::BirthDateInFuture,
            Self::TooOld { .. } => RowErrorKind::TooOld,
            Self::EnrolledBeforeBirth { .. } => RowErrorKind::EnrolledBeforeBirth,
            Self::GroupName(_) => RowErrorKind::InvalidGroupName,
            Self::UnknownGroup(_) => RowErrorKind::UnknownGroup,
            Self::Phone { .. } => RowErrorKind::InvalidPhone,
            Self::Email(_) => RowErrorKind::InvalidEmail,
            Self::RelationTooLong { .. } => RowErrorKind::InvalidRelation,
            Self::DuplicateChild { first_line, .. } => RowErrorKind::DuplicateChild {
                first_line: *first_line,
            },
            Self::Unreadable => RowErrorKind::Unreadable,
        }
    }
}

impl Bilingual for Problem {
    fn ru(&self) -> String {
        match self {
            Self::WrongFieldCount {
                expected,
                found,
                delimiter,
            } => format!(
                "В строке полей: {found}, а в заголовке: {expected}. Проверьте разделители \
                 («{delimiter}») и кавычки."
            ),
            Self::Missing => "Обязательное поле не заполнено.".into(),
            Self::ParentIncomplete => "Поле не заполнено, а другие сведения о родителе указаны: \
                 для родителя нужны фамилия, имя и кем он приходится ребёнку."
                .into(),
            Self::Name(e) => e.ru(),
            Self::DateFormat(value) => format!(
                "Дата «{value}» не распознана: укажите её в виде ДД.ММ.ГГГГ \
                 (например, 01.09.2024)."
            ),
            Self::NonexistentDate(value) => format!("Дата «{value}» не существует."),
            Self::BirthDateInFuture { birth_date, today } => format!(
                "Дата рождения {} ещё не наступила (сегодня {}).",
                date_ru(*birth_date),
                date_ru(*today)
            ),
            Self::TooOld { enrolled_on, years } => format!(
                "На дату зачисления {} ребёнку больше {MAX_AGE_YEARS} лет (полных лет: {years}), \
                 а в детский сад принимают детей не старше {MAX_AGE_YEARS} лет. Проверьте \
                 дату рождения.",
                date_ru(*enrolled_on)
            ),
            Self::EnrolledBeforeBirth {
                enrolled_on,
                birth_date,
            } => format!(
                "Дата зачисления {} раньше даты рождения {}.",
                date_ru(*enrolled_on),
                date_ru(*birth_date)
            ),
            Self::GroupName(e) => e.ru(),
            Self::UnknownGroup(name) => format!(
                "Группы «{name}» нет в организации: проверьте название или сначала создайте \
                 группу."
            ),
            Self::Phone { value, problem } => match problem {
                PhoneProblem::InvalidCharacter(c) => format!(
                    "Телефон «{value}» содержит недопустимый символ «{c}»: можно использовать \
                     только цифры, пробелы, +, - и скобки."
                ),
                PhoneProblem::Length(len) => format!(
                    "Телефон «{value}» должен содержать от {} до {} символов (сейчас {len}).",
                    PHONE_CHARS.start(),
                    PHONE_CHARS.end()
                ),
                PhoneProblem::NoDigits => format!("В телефоне «{value}» нет ни одной цифры."),
            },
            Self::Email(e) => e.ru(),
            Self::RelationTooLong { len } => format!(
                "Значение слишком длинное (символов: {len}), допустимо не более \
                 {MAX_RELATION_CHARS}."
            ),
            Self::DuplicateChild {
                first_line,
                name,
                birth_date,
            } => format!(
                "Этот ребёнок ({name}, {}) уже указан в строке {first_line}.",
                date_ru(*birth_date)
            ),
            Self::Unreadable => "Строку не удалось прочитать.".into(),
        }
    }

    fn en(&self) -> String {
        match self {
            Self::WrongFieldCount {
                expected,
                found,
                delimiter,
            } => format!(
                "The row has {found} fields but the header has {expected}. Check the \
                 separators (“{delimiter}”) and quotes."
            ),
            Self::Missing => "This required field is empty.".into(),
            Self::ParentIncomplete => "This field is empty although other parent details are \
                 given: a parent needs a surname, a given name and their relation to the child."
                .into(),
            Self::Name(e) => e.en(),
            Self::DateFormat(value) => format!(
                "The date “{value}” is not recognised: write it as DD.MM.YYYY \
                 (for example, 01.09.2024)."
            ),
            Self::NonexistentDate(value) => format!("The date “{value}” does not exist."),
            Self::BirthDateInFuture { birth_date, today } => format!(
                "The birth date {} is in the future (today is {}).",
                date_en(*birth_date),
                date_en(*today)
            ),
            Self::TooOld { enrolled_on, years } => format!(
                "On the enrolment date {} the child is over {MAX_AGE_YEARS} ({years} full \
                 years), but a preschool takes children up to {MAX_AGE_YEARS}. Check the birth \
                 date.",
                date_en(*enrolled_on)
            ),
            Self::EnrolledBeforeBirth {
                enrolled_on,
                birth_date,
            } => format!(
                "The enrolment date {} is before the birth date {}.",
                date_en(*enrolled_on),
                date_en(*birth_date)
            ),
            Self::GroupName(e) => e.en(),
            Self::UnknownGroup(name) => format!(
                "The organisation has no group “{name}”: check the name or create the group \
                 first."
            ),
            Self::Phone { value, problem } => match problem {
                PhoneProblem::InvalidCharacter(c) => format!(
                    "The phone “{value}” contains the character “{c}”: use only digits, \
                     spaces, +, - and parentheses."
                ),
                PhoneProblem::Length(len) => format!(
                    "The phone “{value}” must be {} to {} characters long ({len} now).",
                    PHONE_CHARS.start(),
                    PHONE_CHARS.end()
                ),
                PhoneProblem::NoDigits => format!("The phone “{value}” contains no digits."),
            },
            Self::Email(e) => e.en(),
            Self::RelationTooLong { len } => format!(
                "The value is too long: {len} characters, at most {MAX_RELATION_CHARS} allowed."
            ),
            Self::DuplicateChild {
                first_line,
                name,
                birth_date,
            } => format!(
                "This child ({name}, {}) is already listed on line {first_line}.",
                date_en(*birth_date)
            ),
            Self::Unreadable => "The row could not be read.".into(),
        }
    }
}

/// Collects the problems of a row (or of a form); [`RowProblems::sorted`] orders them
/// by column (`finish` in `csv`, `for_form` in `child_form` place them).
#[derive(Default)]
pub(super) struct RowProblems {
    pub(super) found: Vec<(Option<Column>, Problem)>,
}

impl RowProblems {
    pub(super) fn push(&mut self, column: Option<Column>, problem: Problem) {
        self.found.push((column, problem));
    }

    pub(super) fn is_empty(&self) -> bool {
        self.found.is_empty()
    }

    /// Column order of the template; whole-row problems last.
    pub(super) fn sorted(mut self) -> Vec<(Option<Column>, Problem)> {
        self.found
            .sort_by_key(|(column, _)| column.map_or(usize::MAX, Column::index));
        self.found
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;
    use crate::domain::person_name::NamePart;

    // ----- messages and helpers -----

    #[test]
    fn problem_messages_are_distinct_and_bilingual() {
        let d = date(2021, 3, 15);
        let all = [
            Problem::WrongFieldCount {
                expected: 12,
                found: 6,
                delimiter: ';',
            },
            Problem::Missing,
            Problem::ParentIncomplete,
            Problem::Name(PersonNameError::NoLetters {
                part: NamePart::Surname,
            }),
            Problem::DateFormat("15.03.21".into()),
            Problem::NonexistentDate("31.02.2021".into()),
            Problem::BirthDateInFuture {
                birth_date: d,
                today: today(),
            },
            Problem::TooOld {
                enrolled_on: d,
                years: 9,
            },
            Problem::EnrolledBeforeBirth {
                enrolled_on: d,
                birth_date: d,
            },
            Problem::GroupName(GroupNameError::Empty),
            Problem::UnknownGroup("Радуга".into()),
            Problem::Phone {
                value: "x".into(),
                problem: PhoneProblem::InvalidCharacter('x'),
            },
            Problem::Phone {
                value: "1".into(),
                problem: PhoneProblem::Length(1),
            },
            Problem::Phone {
                value: "-----".into(),
                problem: PhoneProblem::NoDigits,
            },
            Problem::Email(EmailError::MissingAt),
            Problem::RelationTooLong { len: 51 },
            Problem::DuplicateChild {
                first_line: 2,
                name: "Иванова Мария".into(),
                birth_date: d,
            },
            Problem::Unreadable,
        ];
        for (i, a) in all.iter().enumerate() {
            assert!(a.ru().ends_with('.') && a.en().ends_with('.'), "{a:?}");
            for b in &all[i + 1..] {
                assert_ne!(a.ru(), b.ru());
                assert_ne!(a.en(), b.en());
            }
        }
    }

    #[test]
    fn file_error_messages_are_distinct_and_bilingual() {
        let all = [
            ImportFileError::Empty,
            ImportFileError::NoHeader,
            ImportFileError::MissingColumns {
                columns: vec![Column::Group],
            },
            ImportFileError::DuplicateColumn {
                column: "Группа".into(),
            },
            ImportFileError::NoRows,
            ImportFileError::Unreadable,
        ];
        for (i, a) in all.iter().enumerate() {
            assert!(a.ru().ends_with('.') && a.en().ends_with('.'), "{a:?}");
            for b in &all[i + 1..] {
                assert_ne!(a.ru(), b.ru());
                assert_ne!(a.en(), b.en());
            }
        }
    }

    #[test]
    fn located_message_lowercases_only_a_capitalised_word() {
        assert_eq!(
            lower_first("Дата «1» не существует."),
            "дата «1» не существует."
        );
        assert_eq!(lower_first("ИНН неверен."), "ИНН неверен.");
        assert_eq!(lower_first("«Х» нет."), "«Х» нет.");
        assert_eq!(lower_first(""), "");
    }
}
