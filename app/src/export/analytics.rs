//! The municipal month as a file: one table per organisation and the absences by
//! reason, in CSV (for any tool) and XLSX (for people).

use rust_xlsxwriter::{Format, Workbook};

use super::ExportError;
use crate::domain::analytics::{format_rate, MonthAggregate, Tally};

/// The rows both formats write: a caption, the organisation table with its total, and
/// the absences by reason.
pub struct MonthTable {
    pub caption: String,
    pub header: [&'static str; 5],
    pub rows: Vec<(String, Tally)>,
    pub reasons: Vec<(String, u64)>,
}

impl MonthTable {
    /// `reason_names` gives a code's name («Б» → «болезнь»).
    pub fn new(
        caption: String,
        aggregate: &MonthAggregate,
        reason_name: impl Fn(&str) -> String,
    ) -> Self {
        let mut rows: Vec<(String, Tally)> = aggregate
            .organisations
            .iter()
            .map(|o| (o.name.clone(), o.tally.clone()))
            .collect();
        rows.push(("Всего".into(), aggregate.total.clone()));
        let mut reasons: Vec<(String, u64)> = aggregate
            .by_reason
            .iter()
            .map(|(code, n)| (format!("{code} — {}", reason_name(code)), *n))
            .collect();
        reasons.push(("Причина неизвестна".into(), aggregate.unexplained));
        Self {
            caption,
            header: [
                "Организация",
                "Отмечено дето-дней",
                "Присутствовали",
                "Отсутствовали",
                "Посещаемость",
            ],
            rows,
            reasons,
        }
    }
}

/// One cell. A name entered in Tabel (an organisation, a reason) that begins like a
/// formula would run as one when the file is opened in a spreadsheet, so it is kept as
/// text by a leading apostrophe; cells with a separator, a quote or a line break are
/// quoted.
fn csv_field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([';', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

/// Semicolon-separated with a byte order mark: what a spreadsheet opened by
/// double-click reads correctly in a Russian locale.
/// One row of the CSV dialect below: fields guarded by [`csv_field`], `;` between them,
/// CRLF after.
fn csv_line<S: AsRef<str>>(cells: impl IntoIterator<Item = S>) -> String {
    cells
        .into_iter()
        .map(|c| csv_field(c.as_ref()))
        .collect::<Vec<_>>()
        .join(";")
        + "\r\n"
}

pub fn month_csv(table: &MonthTable) -> String {
    let mut out = String::from("\u{feff}");
    out += &csv_line([&table.caption]);
    out += &csv_line(table.header);
    for (name, t) in &table.rows {
        out += &csv_line(vec![
            name.clone(),
            t.marked().to_string(),
            t.present.to_string(),
            t.absent.to_string(),
            format_rate(t.rate()),
        ]);
    }
    out += "\r\n";
    out += &csv_line(["Причина отсутствия", "Дето-дней"]);
    for (reason, n) in &table.reasons {
        out += &csv_line(vec![reason.clone(), n.to_string()]);
    }
    out
}

/// A plain table of text cells (a caption line, the header, the rows), in the same
/// CSV dialect as [`month_csv`]: for reports whose cells are already worded.
pub fn text_table_csv(caption: &str, header: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = String::from("\u{feff}");
    out += &csv_line([caption]);
    out += &csv_line(header);
    for row in rows {
        out += &csv_line(row);
    }
    out
}

/// [`text_table_csv`] as a workbook of one sheet named `sheet`; cells that hold a whole
/// number are written as numbers, so they add up in a spreadsheet.
pub fn text_table_xlsx(
    sheet_name: &str,
    caption: &str,
    header: &[&str],
    rows: &[Vec<String>],
) -> Result<Vec<u8>, ExportError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(sheet_name)?;
    let bold = Format::new().set_bold();
    sheet.write_string_with_format(0, 0, caption, &bold)?;
    for (col, h) in header.iter().enumerate() {
        sheet.write_string_with_format(2, col as u16, *h, &bold)?;
        sheet.set_column_width(col as u16, 24)?;
    }
    for (row, cells) in (3u32..).zip(rows) {
        for (col, cell) in cells.iter().enumerate() {
            match cell.parse::<u32>() {
                Ok(n) => sheet.write_number(row, col as u16, f64::from(n))?,
                Err(_) => sheet.write_string(row, col as u16, cell)?,
            };
        }
    }
    Ok(workbook.save_to_buffer()?)
}

pub fn month_xlsx(table: &MonthTable) -> Result<Vec<u8>, ExportError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Посещаемость")?;
    let bold = Format::new().set_bold();
    let percent = Format::new().set_num_format("0.0%");
    sheet.write_string_with_format(0, 0, &table.caption, &bold)?;
    for (col, h) in table.header.iter().enumerate() {
        sheet.write_string_with_format(2, col as u16, *h, &bold)?;
    }
    let mut row = 3;
    for (name, t) in &table.rows {
        sheet.write_string(row, 0, name)?;
        sheet.write_number(row, 1, t.marked() as f64)?;
        sheet.write_number(row, 2, t.present as f64)?;
        sheet.write_number(row, 3, t.absent as f64)?;
        if let Some(p) = t.rate() {
            sheet.write_number_with_format(row, 4, f64::from(p) / 1000.0, &percent)?;
        }
        row += 1;
    }
    row += 1;
    sheet.write_string_with_format(row, 0, "Причина отсутствия", &bold)?;
    sheet.write_string_with_format(row, 1, "Дето-дней", &bold)?;
    for (reason, n) in &table.reasons {
        row += 1;
        sheet.write_string(row, 0, reason)?;
        sheet.write_number(row, 1, *n as f64)?;
    }
    sheet.set_column_width(0, 48)?;
    for col in 1..5 {
        sheet.set_column_width(col, 18)?;
    }
    Ok(workbook.save_to_buffer()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::analytics::{aggregate_month, MarkCount};

    fn table() -> MonthTable {
        let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
        let counts = [
            MarkCount {
                organisation_id: 1,
                day,
                present: true,
                reason: None,
                count: 7,
            },
            MarkCount {
                organisation_id: 1,
                day,
                present: false,
                reason: Some("Б".into()),
                count: 1,
            },
        ];
        let aggregate = aggregate_month(&[(1, "МБДОУ; «Сад»".into())], &counts, &[]);
        MonthTable::new(
            "Посещаемость за ноябрь 2026 г.".into(),
            &aggregate,
            |_| "болезнь".into(),
        )
    }

    #[test]
    fn cells_that_look_like_formulas_stay_text() {
        assert_eq!(
            csv_field("=HYPERLINK(\"http://x\")"),
            "\"'=HYPERLINK(\"\"http://x\"\")\""
        );
        assert_eq!(csv_field("+79001234567"), "'+79001234567");
        assert_eq!(csv_field("-1+1"), "'-1+1");
        assert_eq!(csv_field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_field("\t=1"), "'\t=1");
        // A carriage return alone still breaks a row: it is quoted.
        assert_eq!(csv_field("МБДОУ\r«Сад»"), "\"МБДОУ\r«Сад»\"");
        // Ordinary names and figures are left as they are.
        assert_eq!(csv_field("МБДОУ «Сад № 5»"), "МБДОУ «Сад № 5»");
        assert_eq!(csv_field("93,4 %"), "93,4 %");
        assert_eq!(csv_field("a=b"), "a=b");
    }

    #[test]
    fn csv_has_the_organisations_the_total_and_the_reasons() {
        let csv = month_csv(&table());
        assert!(csv.starts_with('\u{feff}'));
        let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().collect();
        assert_eq!(
            lines[1],
            "Организация;Отмечено дето-дней;Присутствовали;Отсутствовали;Посещаемость"
        );
        assert_eq!(lines[2], "\"МБДОУ; «Сад»\";8;7;1;87,5 %");
        assert_eq!(lines[3], "Всего;8;7;1;87,5 %");
        assert!(lines.contains(&"Б — болезнь;1"));
        assert!(lines.contains(&"Причина неизвестна;0"));
    }

    #[test]
    fn a_text_table_keeps_its_cells_and_guards_formulas() {
        let rows = vec![vec![
            "=1+1".to_owned(),
            "Иванова; Мария".to_owned(),
            "7".to_owned(),
        ]];
        let csv = text_table_csv("Отчёт", &["А", "Б", "В"], &rows);
        let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().collect();
        assert_eq!(lines, ["Отчёт", "А;Б;В", "'=1+1;\"Иванова; Мария\";7"]);
        let bytes = text_table_xlsx("Отчёт", "Отчёт", &["А", "Б", "В"], &rows).unwrap();
        assert_eq!(&bytes[..2], b"PK");
    }

    #[test]
    fn xlsx_is_a_zip_workbook() {
        let bytes = month_xlsx(&table()).unwrap();
        assert_eq!(&bytes[..2], b"PK");
    }
}
