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
//! * The group is looked up by [`GroupName::key`](super::GroupName::key), so case, repeated spaces and
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
//!
//! # Where things live
//!
//! * `csv` — reading the file: the [`Column`]s and their headers, the delimiter,
//!   physical line numbers, the header's layout and [`parse_contingent_csv`],
//!   which checks each row and spots duplicate children.
//! * `rules` — the rules for a row's values, shared by the file and the forms:
//!   names, dates and the child's age, the group, the parent columns, phone.
//! * `problems` — what can be wrong ([`RowErrorKind`], [`RowError`],
//!   [`ImportFileError`]) and every message in Russian and English.
//! * `child_form` — the child-card forms (a child's details, a parent, a date
//!   field), checked by the same rules with the same messages.
//!
//! [`PersonName`]: super::person_name::PersonName
//! [`Email`]: super::email::Email

mod child_form;
mod csv;
mod problems;
mod rules;
#[cfg(test)]
mod test_support;

pub use child_form::{
    check_child_form, check_guardian_form, parse_form_date, ChildDetails, ChildForm,
    DateInputError, FieldError, GuardianForm,
};
pub use csv::{parse_contingent_csv, template_header, Column, ImportReport, ImportRow, NewChild};
pub use problems::{ImportFileError, RowError, RowErrorKind};
pub use rules::{GroupLookup, NewParent, MAX_AGE_YEARS, MAX_RELATION_CHARS, PHONE_CHARS};
