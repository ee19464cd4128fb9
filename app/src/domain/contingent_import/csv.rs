//! Reading the file: its columns, delimiter, lines and header, then each row
//! checked by the [`rules`](super::rules) and turned into an [`ImportRow`] or
//! [`RowError`]s. The format is described in the [module documentation](super).

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::problems::{ImportFileError, Problem, RowError, RowProblems};
use super::rules::{collapse, GroupLookup, NewParent};
use crate::domain::person_name::{NamePart, PersonName};
use crate::domain::timesheet::Enrolment;
use crate::domain::Bilingual;

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

    pub(super) const PARENT: [Column; 6] = [
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

    pub(super) fn child_name(part: NamePart) -> Self {
        match part {
            NamePart::Surname => Self::ChildSurname,
            NamePart::GivenName => Self::ChildGivenName,
            NamePart::Patronymic => Self::ChildPatronymic,
        }
    }

    pub(super) fn parent_name(part: NamePart) -> Self {
        match part {
            NamePart::Surname => Self::ParentSurname,
            NamePart::GivenName => Self::ParentGivenName,
            NamePart::Patronymic => Self::ParentPatronymic,
        }
    }

    pub(super) fn index(self) -> usize {
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
    collapse(raw).to_lowercase().replace('ё', "е")
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

/// The same child: the name as [`PersonName::matches`] compares it, and the birth date.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct ChildKey {
    name: (String, String, Option<String>),
    birth_date: NaiveDate,
}

impl ChildKey {
    fn new(name: &PersonName, birth_date: NaiveDate) -> Self {
        Self {
            name: name.match_key(),
            birth_date,
        }
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

impl RowProblems {
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

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::super::*;
    use super::*;
    use std::collections::BTreeSet;

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

    #[test]
    fn delimiter_is_sniffed_from_the_header() {
        assert_eq!(sniff_delimiter("a;b;c\n1,2,3,4,5"), b';');
        assert_eq!(sniff_delimiter("\n\na,b,c\n1;2;3;4"), b',');
        assert_eq!(sniff_delimiter("\"Фамилия, ребёнка\";b;c"), b';');
        assert_eq!(sniff_delimiter("abc"), b';');
    }
}
