//! Import of an organisation's contingent (children and their parents) from a CSV file.
//!
//! # File format
//!
//! * UTF-8 text; a leading byte-order mark (as Excel's «CSV UTF-8» writes) is ignored.
//!   Decoding the uploaded bytes is the caller's job: this module takes `&str`.
//! * The delimiter is `;` (what Excel writes in the Russian locale) or `,`; it is
//!   guessed from the header line: `;` unless the header holds more commas than
//!   semicolons. Fields may be quoted with `"` (a quoted field may contain the
//!   delimiter, `""` for a quote, and line breaks). Line endings may be `\n` or `\r\n`.
//! * The first non-blank line is the header. Columns may come in any order; header
//!   names are compared ignoring case, surrounding and repeated spaces, and «ё»/«е»
//!   («Фамилия ребенка» is «Фамилия ребёнка»). The columns are:
//!
//!   | Column              | Required | Value                                              |
//!   |---------------------|----------|----------------------------------------------------|
//!   | `Фамилия ребёнка`   | yes      | see [`PersonName`]                                  |
//!   | `Имя ребёнка`       | yes      | see [`PersonName`]                                  |
//!   | `Отчество ребёнка`  | no       | may be blank                                        |
//!   | `Дата рождения`     | yes      | `ДД.ММ.ГГГГ` or `ГГГГ-ММ-ДД`                        |
//!   | `Группа`            | yes      | the name of an existing group of the organisation   |
//!   | `Дата зачисления`   | yes      | `ДД.ММ.ГГГГ` or `ГГГГ-ММ-ДД`                        |
//!   | `Фамилия родителя`  | no       | see [`PersonName`]                                  |
//!   | `Имя родителя`      | no       | see [`PersonName`]                                  |
//!   | `Отчество родителя` | no       | may be blank                                        |
//!   | `Кем приходится`    | no       | free text («мать», «отец», «бабушка»), ≤ 50 chars   |
//!   | `Телефон`           | no       | digits, spaces, `+`, `-`, `(`, `)`; 5–30 characters |
//!   | `Email`             | no       | see [`Email`]; `E-mail` is accepted as the header   |
//!
//!   Columns with other names are ignored and listed in
//!   [`ImportReport::ignored_columns`]; columns with an empty header are ignored
//!   silently. A column named twice, a missing required column or a header with no
//!   known column at all makes the whole file fail with [`ImportFileError`].
//! * Each following line is one child. Lines that are empty or hold only delimiters
//!   and spaces (Excel leaves such lines at the end) are skipped and not counted.
//!   Every value is trimmed. A row must have as many fields as the header up to its
//!   last named column; further fields are tolerated only when they are blank.
//!
//! # Rules for a row
//!
//! * Dates: one- or two-digit day and month, four-digit year. The birth date must
//!   not be after `today`; the enrolment date must not be before the birth date,
//!   and the child must be at most [`MAX_AGE_YEARS`] years old on it (the eighth
//!   birthday itself is still allowed). The enrolment date may be in the future.
//! * The group is looked up by [`GroupName::key`], so case, repeated spaces and
//!   «ё»/«е» do not matter.
//! * Parent columns form a set: if any of them is filled on a row, the parent's
//!   surname, given name and «Кем приходится» are required; phone and e-mail stay
//!   optional. A row with no parent fields imports the child alone.
//! * The same child (surname, given name and patronymic compared ignoring case and
//!   «ё»/«е», plus the birth date) on a second row is an error on the later row
//!   that names the earlier line, even if the earlier row has errors of its own.
//!
//! A row with any error is left out of [`ImportReport::rows`] entirely, and every
//! error found on it is reported (one per column at most). A row with the wrong
//! number of fields gets only that error, since its values cannot be trusted to be
//! in the right columns. Line numbers are physical lines of the file, 1-based (the
//! header is normally line 1); a quoted value spanning lines counts each line.

use std::collections::HashMap;

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use super::calendar::{date_en, date_ru};
use super::email::{Email, EmailError};
use super::group::GroupNameError;
use super::person_name::{NamePart, PersonName, PersonNameError};
use super::timesheet::Enrolment;
use super::{Bilingual, GroupName};

/// The oldest a child may be on the enrolment date, in full years.
pub const MAX_AGE_YEARS: u32 = 8;
/// The maximum length of «Кем приходится», in characters.
pub const MAX_RELATION_CHARS: usize = 50;
/// The allowed length of a phone number, in characters, after trimming.
pub const PHONE_CHARS: std::ops::RangeInclusive<usize> = 5..=30;

/// A column of the import file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Column {
    ChildSurname,
    ChildGivenName,
    ChildPatronymic,
    BirthDate,
    Group,
    EnrolmentDate,
    ParentSurname,
    ParentGivenName,
    ParentPatronymic,
    Relation,
    Phone,
    Email,
}

impl Column {
    /// In the documented (template) order.
    pub const ALL: [Column; 12] = [
        Self::ChildSurname,
        Self::ChildGivenName,
        Self::ChildPatronymic,
        Self::BirthDate,
        Self::Group,
        Self::EnrolmentDate,
        Self::ParentSurname,
        Self::ParentGivenName,
        Self::ParentPatronymic,
        Self::Relation,
        Self::Phone,
        Self::Email,
    ];

    const PARENT: [Column; 6] = [
        Self::ParentSurname,
        Self::ParentGivenName,
        Self::ParentPatronymic,
        Self::Relation,
        Self::Phone,
        Self::Email,
    ];

    /// The header as written in the template («Фамилия ребёнка»).
    pub fn header(self) -> &'static str {
        match self {
            Self::ChildSurname => "Фамилия ребёнка",
            Self::ChildGivenName => "Имя ребёнка",
            Self::ChildPatronymic => "Отчество ребёнка",
            Self::BirthDate => "Дата рождения",
            Self::Group => "Группа",
            Self::EnrolmentDate => "Дата зачисления",
            Self::ParentSurname => "Фамилия родителя",
            Self::ParentGivenName => "Имя родителя",
            Self::ParentPatronymic => "Отчество родителя",
            Self::Relation => "Кем приходится",
            Self::Phone => "Телефон",
            Self::Email => "Email",
        }
    }

    /// What the column holds, in English, for messages to English-speaking users.
    pub fn en(self) -> &'static str {
        match self {
            Self::ChildSurname => "child's surname",
            Self::ChildGivenName => "child's given name",
            Self::ChildPatronymic => "child's patronymic",
            Self::BirthDate => "birth date",
            Self::Group => "group",
            Self::EnrolmentDate => "enrolment date",
            Self::ParentSurname => "parent's surname",
            Self::ParentGivenName => "parent's given name",
            Self::ParentPatronymic => "parent's patronymic",
            Self::Relation => "relation to the child",
            Self::Phone => "phone",
            Self::Email => "e-mail",
        }
    }

    pub fn is_required(self) -> bool {
        matches!(
            self,
            Self::ChildSurname
                | Self::ChildGivenName
                | Self::BirthDate
                | Self::Group
                | Self::EnrolmentDate
        )
    }

    /// The column a header cell names, if any.
    pub fn from_header(raw: &str) -> Option<Self> {
        let wanted = normalize_header(raw);
        if wanted == "e-mail" {
            return Some(Self::Email);
        }
        Self::ALL
            .into_iter()
            .find(|c| normalize_header(c.header()) == wanted)
    }

    fn child_name(part: NamePart) -> Self {
        match part {
            NamePart::Surname => Self::ChildSurname,
            NamePart::GivenName => Self::ChildGivenName,
            NamePart::Patronymic => Self::ChildPatronymic,
        }
    }

    fn parent_name(part: NamePart) -> Self {
        match part {
            NamePart::Surname => Self::ParentSurname,
            NamePart::GivenName => Self::ParentGivenName,
            NamePart::Patronymic => Self::ParentPatronymic,
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// The header line of an empty template: all columns in order, separated by `;`.
pub fn template_header() -> String {
    Column::ALL
        .iter()
        .map(|c| c.header())
        .collect::<Vec<_>>()
        .join(";")
}

/// Lower-cased, «ё» folded to «е», whitespace trimmed and collapsed.
fn normalize_header(raw: &str) -> String {
    raw.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
        .replace('ё', "е")
}

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

/// The outcome of reading a file whose header is usable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    /// Rows without any error, in file order.
    pub rows: Vec<ImportRow>,
    /// Every problem found, ordered by line and then by column.
    pub errors: Vec<RowError>,
    /// Data rows read (blank lines not counted); `rows.len()` of them are valid.
    pub total_rows: usize,
    /// Header cells that name no known column (as written, trimmed).
    pub ignored_columns: Vec<String>,
}

impl ImportReport {
    /// The number of rows with at least one error.
    pub fn rejected_rows(&self) -> usize {
        self.total_rows - self.rows.len()
    }
}

/// One valid row, ready to be stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportRow {
    /// The physical line the row starts on (the header is normally line 1).
    pub line: usize,
    pub child: NewChild,
    pub parent: Option<NewParent>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewChild {
    pub name: PersonName,
    pub birth_date: NaiveDate,
    pub group_id: i64,
    /// Open (no leaving date) from the «Дата зачисления».
    pub enrolment: Enrolment,
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
enum PhoneProblem {
    InvalidCharacter(char),
    Length(usize),
    NoDigits,
}

/// A problem with a value; becomes a [`RowError`] once placed.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Problem {
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
    fn kind(&self) -> RowErrorKind {
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

/// `;` unless the header line has more commas than semicolons.
fn sniff_delimiter(input: &str) -> u8 {
    let header = input
        .lines()
        .find(|line| !line.trim().is_empty())
        .unwrap_or("");
    let semicolons = header.matches(';').count();
    let commas = header.matches(',').count();
    if commas > semicolons {
        b','
    } else {
        b';'
    }
}

fn is_blank(record: &csv::StringRecord) -> bool {
    record.iter().all(|field| field.trim().is_empty())
}

/// Physical line numbers of records, counted incrementally so the whole file is
/// scanned once.
///
/// The reader reports where it *started* reading a record: just after the previous
/// record's terminator. Empty lines it skips, and with `\r\n` endings the `\n` it
/// left behind, come before the record's first byte, so they are skipped here too.
struct LineCounter<'a> {
    input: &'a [u8],
    byte: usize,
    line: usize,
}

impl<'a> LineCounter<'a> {
    fn new(input: &'a str) -> Self {
        Self {
            input: input.as_bytes(),
            byte: 0,
            line: 1,
        }
    }

    fn line_of(&mut self, position: Option<&csv::Position>) -> usize {
        let Some(position) = position else {
            return self.line;
        };
        let from = usize::try_from(position.byte())
            .unwrap_or(usize::MAX)
            .clamp(self.byte, self.input.len());
        let skipped = self.input[from..]
            .iter()
            .take_while(|&&b| b == b'\r' || b == b'\n')
            .count();
        let start = from + skipped;
        self.line += self.input[self.byte..start]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        self.byte = start;
        self.line
    }
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Case- and «ё»-insensitive form, as [`PersonName::matches`] compares.
fn fold(s: &str) -> String {
    s.to_lowercase().replace('ё', "е")
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct ChildKey {
    surname: String,
    given_name: String,
    patronymic: Option<String>,
    birth_date: NaiveDate,
}

impl ChildKey {
    fn new(name: &PersonName, birth_date: NaiveDate) -> Self {
        Self {
            surname: fold(name.surname()),
            given_name: fold(name.given_name()),
            patronymic: name.patronymic().map(fold),
            birth_date,
        }
    }
}

/// `ДД.ММ.ГГГГ` or `ГГГГ-ММ-ДД`, with one- or two-digit day and month.
fn parse_date(raw: &str) -> Result<NaiveDate, Problem> {
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

/// Where each known column sits in the file.
struct Layout {
    index: [Option<usize>; 12],
    headers: [Option<String>; 12],
    width: usize,
    delimiter: char,
}

impl Layout {
    fn read(
        header: &csv::StringRecord,
        delimiter: u8,
    ) -> Result<(Self, Vec<String>), ImportFileError> {
        let mut layout = Layout {
            index: [None; 12],
            headers: Default::default(),
            // Trailing cells with no header name (a stray `;` at the end of the
            // header line) do not have to be present in the rows.
            width: header
                .iter()
                .enumerate()
                .filter(|(_, cell)| !cell.trim().is_empty())
                .last()
                .map_or(0, |(last, _)| last + 1),
            delimiter: char::from(delimiter),
        };
        let mut ignored = Vec::new();
        for (i, cell) in header.iter().enumerate() {
            let written = collapse(cell);
            if written.is_empty() {
                continue;
            }
            match Column::from_header(&written) {
                Some(column) if layout.index[column.index()].is_some() => {
                    return Err(ImportFileError::DuplicateColumn { column: written });
                }
                Some(column) => {
                    layout.index[column.index()] = Some(i);
                    layout.headers[column.index()] = Some(written);
                }
                None => ignored.push(written),
            }
        }
        if layout.index.iter().all(Option::is_none) {
            return Err(ImportFileError::NoHeader);
        }
        let missing: Vec<Column> = Column::ALL
            .into_iter()
            .filter(|c| c.is_required() && layout.index[c.index()].is_none())
            .collect();
        if !missing.is_empty() {
            return Err(ImportFileError::MissingColumns { columns: missing });
        }
        Ok((layout, ignored))
    }

    fn cell<'r>(&self, record: &'r csv::StringRecord, column: Column) -> &'r str {
        self.index[column.index()]
            .and_then(|i| record.get(i))
            .map_or("", str::trim)
    }

    fn header(&self, column: Column) -> String {
        self.headers[column.index()]
            .clone()
            .unwrap_or_else(|| column.header().to_owned())
    }
}

/// Collects the problems of a row (or of a form); [`RowProblems::finish`] orders them
/// by column.
#[derive(Default)]
struct RowProblems {
    found: Vec<(Option<Column>, Problem)>,
}

impl RowProblems {
    fn push(&mut self, column: Option<Column>, problem: Problem) {
        self.found.push((column, problem));
    }

    fn is_empty(&self) -> bool {
        self.found.is_empty()
    }

    /// Column order of the template; whole-row problems last.
    fn sorted(mut self) -> Vec<(Option<Column>, Problem)> {
        self.found
            .sort_by_key(|(column, _)| column.map_or(usize::MAX, Column::index));
        self.found
    }

    /// The problems of the row on `line`, named by the file's headers.
    fn finish(self, layout: &Layout, line: usize) -> Vec<RowError> {
        self.sorted()
            .into_iter()
            .map(|(column, problem)| RowError {
                line,
                column: column.map(|c| layout.header(c)),
                kind: problem.kind(),
                ru: problem.ru(),
                en: problem.en(),
            })
            .collect()
    }

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

    fn group(&mut self, raw: &str, groups: &GroupLookup) -> Option<i64> {
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
    fn parent<'r>(&mut self, cell: impl Fn(Column) -> &'r str) -> Option<NewParent> {
        if Column::PARENT.iter().all(|&c| cell(c).is_empty()) {
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
}

/// Reads and checks a contingent file (format in the module documentation).
///
/// `today` is the date birth dates are checked against. File-level problems (no
/// content, unusable header, no data rows) are an `Err`; problems in rows are in
/// [`ImportReport::errors`]. Runs in time linear in the file size.
pub fn parse_contingent_csv(
    input: &str,
    groups: &GroupLookup,
    today: NaiveDate,
) -> Result<ImportReport, ImportFileError> {
    let input = input.strip_prefix('\u{feff}').unwrap_or(input);
    if input.trim().is_empty() {
        return Err(ImportFileError::Empty);
    }
    let delimiter = sniff_delimiter(input);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(input.as_bytes());
    let mut records = reader.records();
    let header = loop {
        match records.next() {
            None => return Err(ImportFileError::Empty),
            Some(Err(_)) => return Err(ImportFileError::Unreadable),
            Some(Ok(record)) if is_blank(&record) => continue,
            Some(Ok(record)) => break record,
        }
    };
    let (layout, ignored_columns) = Layout::read(&header, delimiter)?;
    let mut report = ImportReport {
        rows: Vec::new(),
        errors: Vec::new(),
        total_rows: 0,
        ignored_columns,
    };
    let mut seen = HashMap::new();
    let mut lines = LineCounter::new(input);
    for record in records {
        match record {
            Err(e) => {
                report.total_rows += 1;
                let line = lines.line_of(e.position());
                let mut problems = RowProblems::default();
                problems.push(None, Problem::Unreadable);
                report.errors.extend(problems.finish(&layout, line));
            }
            Ok(record) if is_blank(&record) => {}
            Ok(record) => {
                report.total_rows += 1;
                let line = lines.line_of(record.position());
                match check_row(&layout, &record, line, groups, today, &mut seen) {
                    Ok(row) => report.rows.push(row),
                    Err(errors) => report.errors.extend(errors),
                }
            }
        }
    }
    if report.total_rows == 0 {
        return Err(ImportFileError::NoRows);
    }
    Ok(report)
}

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
/// after the enrolment date (with the child at most [`MAX_AGE_YEARS`] on it).
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
    if Column::PARENT.iter().all(|&c| cell(c).is_empty()) {
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

fn check_row(
    layout: &Layout,
    record: &csv::StringRecord,
    line: usize,
    groups: &GroupLookup,
    today: NaiveDate,
    seen: &mut HashMap<ChildKey, usize>,
) -> Result<ImportRow, Vec<RowError>> {
    let mut problems = RowProblems::default();
    let found = record.len();
    if found < layout.width
        || record
            .iter()
            .skip(layout.width)
            .any(|f| !f.trim().is_empty())
    {
        problems.push(
            None,
            Problem::WrongFieldCount {
                expected: layout.width,
                found,
                delimiter: layout.delimiter,
            },
        );
        return Err(problems.finish(layout, line));
    }
    let cell = |column| layout.cell(record, column);

    let group_id = problems.group(cell(Column::Group), groups);
    let (name, birth_date, enrolled_on) = problems.child(cell, today);
    let parent = problems.parent(cell);

    if let (Some(name), Some(birth_date)) = (&name, birth_date) {
        match seen.entry(ChildKey::new(name, birth_date)) {
            std::collections::hash_map::Entry::Occupied(first) => problems.push(
                None,
                Problem::DuplicateChild {
                    first_line: *first.get(),
                    name: name.full(),
                    birth_date,
                },
            ),
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(line);
            }
        }
    }

    match (problems.is_empty(), name, birth_date, group_id, enrolled_on) {
        (true, Some(name), Some(birth_date), Some(group_id), Some(enrolled_on)) => Ok(ImportRow {
            line,
            child: NewChild {
                name,
                birth_date,
                group_id,
                enrolment: Enrolment::open(enrolled_on),
            },
            parent,
        }),
        _ => Err(problems.finish(layout, line)),
    }
}

impl RowProblems {
    /// The child's name, birth date and enrolment date, each checked on its own and
    /// then against each other and `today`.
    fn child<'r>(
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
    use super::*;
    use std::collections::BTreeSet;

    const HEADER: &str = "Фамилия ребёнка;Имя ребёнка;Отчество ребёнка;Дата рождения;Группа;\
         Дата зачисления;Фамилия родителя;Имя родителя;Отчество родителя;Кем приходится;\
         Телефон;Email";
    const GOOD: &str = "Иванова;Мария;Сергеевна;15.03.2021;Солнышко;01.09.2024;Иванова;Елена;\
         Петровна;мать;+7 (912) 345-67-89;elena@mail.ru";
    const NO_PARENT: &str = "Петров;Пётр;;02.11.2020;Ёлочка;01.09.2023;;;;;;";

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn today() -> NaiveDate {
        date(2026, 2, 1)
    }

    fn groups() -> GroupLookup {
        [(1, "Солнышко"), (2, "Ёлочка"), (3, "Младшая группа №2")]
            .into_iter()
            .map(|(id, name)| (id, GroupName::parse(name).unwrap()))
            .collect()
    }

    fn name(s: &str, g: &str, p: &str) -> PersonName {
        PersonName::parse(s, g, p).unwrap()
    }

    fn file(rows: &[&str]) -> String {
        let mut out = format!("{HEADER}\n");
        for row in rows {
            out.push_str(row);
            out.push('\n');
        }
        out
    }

    fn parse(input: &str) -> ImportReport {
        parse_contingent_csv(input, &groups(), today()).unwrap()
    }

    fn parse_err(input: &str) -> ImportFileError {
        parse_contingent_csv(input, &groups(), today()).unwrap_err()
    }

    /// `GOOD` with the given fields (by template index) replaced.
    fn good_with(changes: &[(Column, &str)]) -> String {
        let mut fields: Vec<String> = GOOD.split(';').map(str::to_owned).collect();
        for (column, value) in changes {
            fields[column.index()] = (*value).to_owned();
        }
        fields.join(";")
    }

    /// A one-row file whose row must fail with exactly one error.
    fn single_error(row: &str) -> RowError {
        let report = parse(&file(&[row]));
        assert!(report.rows.is_empty(), "row was imported: {row}");
        assert_eq!(report.total_rows, 1);
        assert_eq!(report.errors.len(), 1, "{:#?}", report.errors);
        report.errors[0].clone()
    }

    fn assert_error(error: &RowError, line: usize, column: Option<&str>, kind: RowErrorKind) {
        assert_eq!(error.line, line, "{error:#?}");
        assert_eq!(error.column.as_deref(), column, "{error:#?}");
        assert_eq!(error.kind, kind, "{error:#?}");
        assert!(!error.ru.is_empty() && !error.en.is_empty());
    }

    fn check_single(changes: &[(Column, &str)], column: Column, kind: RowErrorKind) -> RowError {
        let error = single_error(&good_with(changes));
        assert_error(&error, 2, Some(column.header()), kind);
        error
    }

    fn expected_good_row(line: usize) -> ImportRow {
        ImportRow {
            line,
            child: NewChild {
                name: name("Иванова", "Мария", "Сергеевна"),
                birth_date: date(2021, 3, 15),
                group_id: 1,
                enrolment: Enrolment::open(date(2024, 9, 1)),
            },
            parent: Some(NewParent {
                name: name("Иванова", "Елена", "Петровна"),
                relation: "мать".into(),
                phone: Some("+7 (912) 345-67-89".into()),
                email: Some(Email::parse("elena@mail.ru").unwrap()),
            }),
        }
    }

    fn expected_no_parent_row(line: usize) -> ImportRow {
        ImportRow {
            line,
            child: NewChild {
                name: name("Петров", "Пётр", ""),
                birth_date: date(2020, 11, 2),
                group_id: 2,
                enrolment: Enrolment::open(date(2023, 9, 1)),
            },
            parent: None,
        }
    }

    // ----- valid files -----

    #[test]
    fn valid_semicolon_file() {
        let report = parse(&file(&[GOOD, NO_PARENT]));
        assert_eq!(
            report,
            ImportReport {
                rows: vec![expected_good_row(2), expected_no_parent_row(3)],
                errors: vec![],
                total_rows: 2,
                ignored_columns: vec![],
            }
        );
        assert_eq!(report.rejected_rows(), 0);
    }

    #[test]
    fn valid_comma_file_with_quoted_fields() {
        let input = "Фамилия ребёнка,Имя ребёнка,Отчество ребёнка,Дата рождения,Группа,\
             Дата зачисления,Фамилия родителя,Имя родителя,Отчество родителя,Кем приходится,\
             Телефон,Email\n\
             Иванова,Мария,Сергеевна,15.03.2021,Солнышко,01.09.2024,Иванова,Елена,Петровна,\
             \"мать, опекун\",+7 (912) 345-67-89,elena@mail.ru\n\
             \"Петров\",\"Пётр\",\"\",02.11.2020,Ёлочка,01.09.2023,,,,,,\n";
        let report = parse(input);
        assert!(report.errors.is_empty(), "{:#?}", report.errors);
        let mut expected = expected_good_row(2);
        expected.parent.as_mut().unwrap().relation = "мать, опекун".into();
        assert_eq!(report.rows, vec![expected, expected_no_parent_row(3)]);
    }

    #[test]
    fn semicolon_file_may_contain_commas_in_values() {
        let row = good_with(&[(Column::Relation, "мать, опекун")]);
        let report = parse(&file(&[&row]));
        assert!(report.errors.is_empty(), "{:#?}", report.errors);
        assert_eq!(
            report.rows[0].parent.as_ref().unwrap().relation,
            "мать, опекун"
        );
    }

    #[test]
    fn byte_order_mark_is_ignored() {
        let input = format!("\u{feff}{}", file(&[GOOD]));
        let report = parse(&input);
        assert_eq!(report.rows, vec![expected_good_row(2)]);
        assert!(report.ignored_columns.is_empty());
    }

    #[test]
    fn iso_and_short_dates_are_accepted() {
        let iso = good_with(&[
            (Column::BirthDate, "2021-03-15"),
            (Column::EnrolmentDate, "2024-09-01"),
        ]);
        let short = good_with(&[
            (Column::BirthDate, "15.3.2021"),
            (Column::EnrolmentDate, "1.9.2024"),
        ]);
        let report = parse(&file(&[&iso]));
        assert_eq!(report.rows, vec![expected_good_row(2)]);
        let report = parse(&file(&[&short]));
        assert_eq!(report.rows, vec![expected_good_row(2)]);
    }

    #[test]
    fn columns_may_come_in_any_order() {
        let input = "Email;Группа;Кем приходится;Имя ребёнка;Телефон;Дата зачисления;\
             Фамилия родителя;Отчество ребёнка;Имя родителя;Дата рождения;Отчество родителя;\
             Фамилия ребёнка\n\
             elena@mail.ru;Солнышко;мать;Мария;+7 (912) 345-67-89;01.09.2024;Иванова;\
             Сергеевна;Елена;15.03.2021;Петровна;Иванова\n";
        assert_eq!(parse(input).rows, vec![expected_good_row(2)]);
    }

    #[test]
    fn header_names_ignore_case_spaces_and_yo() {
        let input = " ФАМИЛИЯ РЕБЕНКА ;имя  ребенка;Отчество ребенка;дата рождения;ГРУППА;\
             Дата Зачисления;фамилия родителя;Имя родителя;отчество родителя;кем  приходится;\
             телефон;E-mail\n"
            .to_owned()
            + GOOD
            + "\n";
        let report = parse(&input);
        assert_eq!(report.rows, vec![expected_good_row(2)]);
        // Errors name the column as the file writes it.
        let bad = input.replace("15.03.2021", "15.03.20");
        let report = parse(&bad);
        assert_eq!(report.errors[0].column.as_deref(), Some("дата рождения"));
    }

    #[test]
    fn only_required_columns_are_enough() {
        let input = "Фамилия ребёнка;Имя ребёнка;Дата рождения;Группа;Дата зачисления\n\
             Петров;Пётр;02.11.2020;ёлочка;01.09.2023\n";
        assert_eq!(parse(input).rows, vec![expected_no_parent_row(2)]);
    }

    #[test]
    fn values_are_trimmed_and_groups_matched_by_key() {
        let row = "  Петров ;  Пётр ; ; 02.11.2020 ;  ЕЛОЧКА  ; 01.09.2023 ;;;;;;";
        assert_eq!(parse(&file(&[row])).rows, vec![expected_no_parent_row(2)]);
        let row = good_with(&[(Column::Group, "младшая   ГРУППА №2")]);
        assert_eq!(parse(&file(&[&row])).rows[0].child.group_id, 3);
    }

    #[test]
    fn parent_patronymic_phone_and_email_are_optional() {
        let row = good_with(&[
            (Column::ParentPatronymic, ""),
            (Column::Phone, ""),
            (Column::Email, ""),
        ]);
        let report = parse(&file(&[&row]));
        assert!(report.errors.is_empty(), "{:#?}", report.errors);
        let parent = report.rows[0].parent.clone().unwrap();
        assert_eq!(parent.name, name("Иванова", "Елена", ""));
        assert_eq!((parent.phone, parent.email), (None, None));
    }

    #[test]
    fn blank_lines_are_skipped_and_lines_stay_physical() {
        let input = format!(
            "\u{feff}\r\n{HEADER}\r\n\r\n{GOOD}\r\n;;;;;;;;;;;\r\n   \r\n{NO_PARENT}\r\n;;;;;;;;;;;\r\n"
        );
        let report = parse(&input);
        assert!(report.errors.is_empty(), "{:#?}", report.errors);
        assert_eq!(report.total_rows, 2);
        assert_eq!(
            report.rows,
            vec![expected_good_row(4), expected_no_parent_row(7)]
        );
    }

    #[test]
    fn quoted_value_spanning_lines_counts_every_line() {
        let multi = good_with(&[(Column::Relation, "\"мать\nопекун\"")]);
        let bad = NO_PARENT.replace("Ёлочка", "Радуга");
        let report = parse(&file(&[&multi, &bad]));
        assert_eq!(report.rows.len(), 1);
        assert_eq!(report.rows[0].line, 2);
        assert_eq!(
            report.rows[0].parent.as_ref().unwrap().relation,
            "мать опекун"
        );
        assert_eq!(report.errors.len(), 1);
        assert_eq!(report.errors[0].line, 4);
        let crlf = file(&[&multi, &bad]).replace('\n', "\r\n");
        let report = parse(&crlf);
        assert_eq!(report.rows[0].line, 2);
        assert_eq!(report.errors[0].line, 4);
    }

    #[test]
    fn unknown_columns_are_ignored_and_listed() {
        let input = format!("№;{HEADER};Примечание;\n1;{GOOD};аллергия на мёд;\n");
        let report = parse(&input);
        assert_eq!(report.rows, vec![expected_good_row(2)]);
        assert_eq!(report.ignored_columns, vec!["№", "Примечание"]);
    }

    #[test]
    fn template_header_is_a_valid_header() {
        assert_eq!(template_header(), HEADER);
        let input = format!("{}\n{GOOD}\n", template_header());
        assert_eq!(parse(&input).rows.len(), 1);
        for column in Column::ALL {
            assert_eq!(Column::from_header(column.header()), Some(column));
        }
        assert_eq!(Column::from_header("Дата рожденья"), None);
    }

    #[test]
    fn names_are_normalised() {
        let row = good_with(&[
            (Column::ChildSurname, "Сере\u{308}гина"),
            (Column::ChildGivenName, "Анна  Мария"),
        ]);
        let child = parse(&file(&[&row])).rows[0].child.clone();
        assert_eq!(child.name.full(), "Серёгина Анна Мария Сергеевна");
    }

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
    fn duplicate_child_refers_to_the_first_line() {
        let again = "ИВАНОВА;мария;СЕРГЕЕВНА;2021-03-15;Ёлочка;01.09.2025;;;;;;";
        let report = parse(&file(&[GOOD, NO_PARENT, again]));
        assert_eq!(
            report.rows,
            vec![expected_good_row(2), expected_no_parent_row(3)]
        );
        assert_eq!(report.errors.len(), 1);
        let e = &report.errors[0];
        assert_error(e, 4, None, RowErrorKind::DuplicateChild { first_line: 2 });
        assert_eq!(
            e.ru(),
            "Строка 4: этот ребёнок (ИВАНОВА мария СЕРГЕЕВНА, 15.03.2021) уже указан в строке 2."
        );
        assert_eq!(
            e.en(),
            "Line 4: this child (ИВАНОВА мария СЕРГЕЕВНА, 15 Mar 2021) is already listed on line 2."
        );
    }

    #[test]
    fn duplicate_detection_folds_yo_and_needs_every_part() {
        let first = "Семёнова;Алёна;;01.06.2021;Солнышко;01.09.2024;;;;;;";
        let same = "Семенова;Алена;;01.06.2021;Солнышко;01.09.2024;;;;;;";
        let other_date = "Семёнова;Алёна;;02.06.2021;Солнышко;01.09.2024;;;;;;";
        let with_patronymic = "Семёнова;Алёна;Ивановна;01.06.2021;Солнышко;01.09.2024;;;;;;";
        let report = parse(&file(&[first, other_date, with_patronymic, same, same]));
        assert_eq!(report.rows.len(), 3);
        let dups: Vec<_> = report.errors.iter().map(|e| (e.line, e.kind)).collect();
        assert_eq!(
            dups,
            vec![
                (5, RowErrorKind::DuplicateChild { first_line: 2 }),
                (6, RowErrorKind::DuplicateChild { first_line: 2 }),
            ]
        );
    }

    #[test]
    fn duplicate_of_a_rejected_row_is_still_reported() {
        let first = good_with(&[(Column::Group, "Радуга")]);
        let report = parse(&file(&[&first, GOOD]));
        assert!(report.rows.is_empty());
        let kinds: Vec<_> = report.errors.iter().map(|e| (e.line, e.kind)).collect();
        assert_eq!(
            kinds,
            vec![
                (2, RowErrorKind::UnknownGroup),
                (3, RowErrorKind::DuplicateChild { first_line: 2 }),
            ]
        );
    }

    #[test]
    fn wrong_number_of_fields() {
        let short = "Иванова;Мария;Сергеевна;15.03.2021;Солнышко;01.09.2024";
        let e = single_error(short);
        assert_error(
            &e,
            2,
            None,
            RowErrorKind::WrongFieldCount {
                expected: 12,
                found: 6,
            },
        );
        assert!(e.ru.contains("«;»"));
        let long = format!("{GOOD};лишнее");
        let e = single_error(&long);
        assert_eq!(
            e.kind,
            RowErrorKind::WrongFieldCount {
                expected: 12,
                found: 13,
            }
        );
        // Blank trailing fields are tolerated.
        let trailing = format!("{GOOD};; ;");
        assert_eq!(parse(&file(&[&trailing])).rows, vec![expected_good_row(2)]);
        // So is a header with stray trailing delimiters over rows without them.
        let input = format!("{HEADER};;\n{GOOD}\n{GOOD};\n{GOOD};;\n");
        let report = parse(&input);
        assert_eq!(report.rows.len(), 1);
        let kinds: Vec<_> = report.errors.iter().map(|e| e.kind).collect();
        assert_eq!(
            kinds,
            vec![
                RowErrorKind::DuplicateChild { first_line: 2 },
                RowErrorKind::DuplicateChild { first_line: 2 },
            ]
        );
    }

    #[test]
    fn wrong_field_count_hides_other_problems() {
        let e = single_error("Иванова2;Мария;31.02.2021");
        assert!(matches!(
            e.kind,
            RowErrorKind::WrongFieldCount { found: 3, .. }
        ));
    }

    #[test]
    fn every_problem_of_a_row_is_reported_in_column_order() {
        let row = good_with(&[
            (Column::Email, "нет"),
            (Column::Group, "Радуга"),
            (Column::BirthDate, "31.02.2021"),
            (Column::ChildSurname, "Иванова2"),
            (Column::ChildGivenName, ""),
            (Column::Relation, ""),
            (Column::Phone, "abc"),
        ]);
        let report = parse(&file(&[GOOD, &row, NO_PARENT]));
        assert_eq!(report.total_rows, 3);
        assert_eq!(
            report.rows,
            vec![expected_good_row(2), expected_no_parent_row(4)]
        );
        let located: Vec<_> = report
            .errors
            .iter()
            .map(|e| (e.line, e.column.as_deref().unwrap(), e.kind))
            .collect();
        assert_eq!(
            located,
            vec![
                (3, "Фамилия ребёнка", RowErrorKind::InvalidName),
                (3, "Имя ребёнка", RowErrorKind::Missing),
                (3, "Дата рождения", RowErrorKind::NonexistentDate),
                (3, "Группа", RowErrorKind::UnknownGroup),
                (3, "Кем приходится", RowErrorKind::ParentIncomplete),
                (3, "Телефон", RowErrorKind::InvalidPhone),
                (3, "Email", RowErrorKind::InvalidEmail),
            ]
        );
        assert_eq!(report.rejected_rows(), 1);
    }

    // ----- the whole file -----

    /// 1,000 distinct children; rows at the keys of the returned map are broken.
    fn big_file() -> (String, Vec<(usize, RowErrorKind)>) {
        const SURNAMES: [&str; 10] = [
            "Иванов",
            "Петров",
            "Сидоров",
            "Смирнов",
            "Кузнецов",
            "Попов",
            "Васильев",
            "Соколов",
            "Михайлов",
            "Новиков",
        ];
        const NAMES: [&str; 10] = [
            "Артём",
            "Михаил",
            "Максим",
            "Лев",
            "Марк",
            "Иван",
            "Матвей",
            "Тимофей",
            "Роман",
            "Егор",
        ];
        let groups = ["Солнышко", "Ёлочка", "Младшая группа №2"];
        let first_birth = date(2019, 1, 1);
        let mut lines = vec![HEADER.to_owned()];
        let mut bad = Vec::new();
        for i in 0..1000usize {
            let line = i + 2;
            let birth = first_birth + chrono::Days::new(i as u64);
            let mut f: Vec<String> = vec![
                SURNAMES[i % 10].into(),
                NAMES[(i / 10) % 10].into(),
                if i % 3 == 0 {
                    String::new()
                } else {
                    "Андреевич".into()
                },
                birth.format("%d.%m.%Y").to_string(),
                groups[i % 3].into(),
                "01.09.2024".into(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ];
            if i % 2 == 0 {
                f[6] = format!("{}а", SURNAMES[i % 10]);
                f[7] = "Ольга".into();
                f[9] = "мать".into();
                f[10] = format!("+7 900 {:03}-{:02}-{:02}", i, i % 100, i % 7);
                f[11] = format!("parent{i}@mail.ru");
            }
            let kind = match i {
                17 => {
                    f[3] = "2020/01/01".into();
                    Some(RowErrorKind::InvalidDate)
                }
                101 => {
                    f[4] = "Радуга".into();
                    Some(RowErrorKind::UnknownGroup)
                }
                202 => {
                    f[0] = " ".into();
                    Some(RowErrorKind::Missing)
                }
                303 => {
                    f[6] = "Попова".into();
                    f[7] = "Ольга".into();
                    f[9] = "мать".into();
                    f[11] = "olga@@mail.ru".into();
                    Some(RowErrorKind::InvalidEmail)
                }
                404 => {
                    f[3] = "01.01.2027".into();
                    Some(RowErrorKind::BirthDateInFuture)
                }
                505 => {
                    // The same child as on line 7 (i = 5), typed differently.
                    f[0] = SURNAMES[5].to_uppercase();
                    f[1] = NAMES[0].to_lowercase();
                    f[2] = "Андреевич".into();
                    f[3] = (first_birth + chrono::Days::new(5))
                        .format("%Y-%m-%d")
                        .to_string();
                    Some(RowErrorKind::DuplicateChild { first_line: 7 })
                }
                606 => {
                    f[9] = String::new();
                    Some(RowErrorKind::ParentIncomplete)
                }
                707 => {
                    f[6] = "Новикова".into();
                    f[7] = "Ольга".into();
                    f[9] = "мать".into();
                    f[10] = "8 (900) 12-34-5x".into();
                    Some(RowErrorKind::InvalidPhone)
                }
                808 => {
                    f[3] = "01.01.2010".into();
                    Some(RowErrorKind::TooOld)
                }
                909 => {
                    f[5] = "31.12.2018".into();
                    Some(RowErrorKind::EnrolledBeforeBirth)
                }
                _ => None,
            };
            if let Some(kind) = kind {
                bad.push((line, kind));
            }
            lines.push(f.join(";"));
        }
        (lines.join("\r\n") + "\r\n", bad)
    }

    #[test]
    fn thousand_rows_with_ten_bad_ones() {
        let (input, bad) = big_file();
        assert_eq!(bad.len(), 10);
        let report = parse(&input);
        assert_eq!(report.total_rows, 1000);
        assert_eq!(report.rows.len(), 990);
        let found: Vec<_> = report.errors.iter().map(|e| (e.line, e.kind)).collect();
        assert_eq!(found, bad, "{:#?}", report.errors);
        let bad_lines: BTreeSet<_> = bad.iter().map(|(line, _)| *line).collect();
        let good_lines: Vec<_> = report.rows.iter().map(|r| r.line).collect();
        let expected_good: Vec<_> = (2..=1001).filter(|l| !bad_lines.contains(l)).collect();
        assert_eq!(good_lines, expected_good);
        assert_eq!(
            report.rows.iter().filter(|r| r.parent.is_some()).count(),
            496
        );
    }

    #[test]
    fn missing_required_column_is_named() {
        let input = HEADER.replace(";Дата зачисления", "") + "\n" + GOOD + "\n";
        let e = parse_err(&input);
        assert_eq!(
            e,
            ImportFileError::MissingColumns {
                columns: vec![Column::EnrolmentDate]
            }
        );
        assert_eq!(
            e.ru(),
            "В файле нет обязательного столбца «Дата зачисления»."
        );
        assert!(e.en().contains("“Дата зачисления” (enrolment date)"));
        assert!(e.to_string().contains("Дата зачисления"));
    }

    #[test]
    fn all_missing_required_columns_are_named() {
        let input = "Фамилия ребенка;Дата рождения;Телефон\nИванова;15.03.2021;\n";
        let e = parse_err(input);
        assert_eq!(
            e,
            ImportFileError::MissingColumns {
                columns: vec![Column::ChildGivenName, Column::Group, Column::EnrolmentDate]
            }
        );
        assert!(e
            .ru()
            .contains("«Имя ребёнка», «Группа», «Дата зачисления»"));
    }

    #[test]
    fn empty_input_is_an_error() {
        for input in ["", "\u{feff}", "  \r\n\n\t", ";;;;\n;;\n"] {
            assert_eq!(parse_err(input), ImportFileError::Empty, "{input:?}");
        }
    }

    #[test]
    fn header_without_rows_is_an_error() {
        assert_eq!(parse_err(HEADER), ImportFileError::NoRows);
        assert_eq!(
            parse_err(&format!("{HEADER}\n\n;;;;;;;;;;;\n")),
            ImportFileError::NoRows
        );
    }

    #[test]
    fn data_in_the_first_line_is_not_a_header() {
        let input = format!("{GOOD}\n{NO_PARENT}\n");
        assert_eq!(parse_err(&input), ImportFileError::NoHeader);
        assert!(ImportFileError::NoHeader.ru().contains(HEADER));
    }

    #[test]
    fn a_column_named_twice_is_an_error() {
        let input = format!("{HEADER};Имя ребенка\n{GOOD};Мария\n");
        assert_eq!(
            parse_err(&input),
            ImportFileError::DuplicateColumn {
                column: "Имя ребенка".into()
            }
        );
    }

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

    #[test]
    fn delimiter_is_sniffed_from_the_header() {
        assert_eq!(sniff_delimiter("a;b;c\n1,2,3,4,5"), b';');
        assert_eq!(sniff_delimiter("\n\na,b,c\n1;2;3;4"), b',');
        assert_eq!(sniff_delimiter("\"Фамилия, ребёнка\";b;c"), b';');
        assert_eq!(sniff_delimiter("abc"), b';');
    }

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
