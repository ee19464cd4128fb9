//! Fixtures shared by the tests of the import: a header, a good row, a few groups
//! and helpers that parse a file and pick out its errors.

use chrono::NaiveDate;

use super::*;
use crate::domain::email::Email;
use crate::domain::person_name::PersonName;
use crate::domain::timesheet::Enrolment;
use crate::domain::GroupName;

pub(super) const HEADER: &str =
    "Фамилия ребёнка;Имя ребёнка;Отчество ребёнка;Дата рождения;Группа;\
     Дата зачисления;Фамилия родителя;Имя родителя;Отчество родителя;Кем приходится;\
     Телефон;Email";
pub(super) const GOOD: &str =
    "Иванова;Мария;Сергеевна;15.03.2021;Солнышко;01.09.2024;Иванова;Елена;\
     Петровна;мать;+7 (912) 345-67-89;elena@mail.ru";
pub(super) const NO_PARENT: &str = "Петров;Пётр;;02.11.2020;Ёлочка;01.09.2023;;;;;;";

pub(super) fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

pub(super) fn today() -> NaiveDate {
    date(2026, 2, 1)
}

pub(super) fn groups() -> GroupLookup {
    [(1, "Солнышко"), (2, "Ёлочка"), (3, "Младшая группа №2")]
        .into_iter()
        .map(|(id, name)| (id, GroupName::parse(name).unwrap()))
        .collect()
}

pub(super) fn name(s: &str, g: &str, p: &str) -> PersonName {
    PersonName::parse(s, g, p).unwrap()
}

pub(super) fn file(rows: &[&str]) -> String {
    let mut out = format!("{HEADER}\n");
    for row in rows {
        out.push_str(row);
        out.push('\n');
    }
    out
}

pub(super) fn parse(input: &str) -> ImportReport {
    parse_contingent_csv(input, &groups(), today()).unwrap()
}

pub(super) fn parse_err(input: &str) -> ImportFileError {
    parse_contingent_csv(input, &groups(), today()).unwrap_err()
}

/// `GOOD` with the given fields (by template index) replaced.
pub(super) fn good_with(changes: &[(Column, &str)]) -> String {
    let mut fields: Vec<String> = GOOD.split(';').map(str::to_owned).collect();
    for (column, value) in changes {
        fields[column.index()] = (*value).to_owned();
    }
    fields.join(";")
}

/// A one-row file whose row must fail with exactly one error.
pub(super) fn single_error(row: &str) -> RowError {
    let report = parse(&file(&[row]));
    assert!(report.rows.is_empty(), "row was imported: {row}");
    assert_eq!(report.total_rows, 1);
    assert_eq!(report.errors.len(), 1, "{:#?}", report.errors);
    report.errors[0].clone()
}

pub(super) fn assert_error(
    error: &RowError,
    line: usize,
    column: Option<&str>,
    kind: RowErrorKind,
) {
    assert_eq!(error.line, line, "{error:#?}");
    assert_eq!(error.column.as_deref(), column, "{error:#?}");
    assert_eq!(error.kind, kind, "{error:#?}");
    assert!(!error.ru.is_empty() && !error.en.is_empty());
}

pub(super) fn check_single(
    changes: &[(Column, &str)],
    column: Column,
    kind: RowErrorKind,
) -> RowError {
    let error = single_error(&good_with(changes));
    assert_error(&error, 2, Some(column.header()), kind);
    error
}

pub(super) fn expected_good_row(line: usize) -> ImportRow {
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

pub(super) fn expected_no_parent_row(line: usize) -> ImportRow {
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
