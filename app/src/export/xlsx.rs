//! The timesheet as an Excel workbook, written with [`rust_xlsxwriter`] (pure Rust, no
//! default features needed, so it only brings in `zip`).
//!
//! One worksheet laid out like the PDF and the paper form: heading and codes box, the
//! grid (one narrow column per day), the footer counts, the legend and the signature
//! lines. Numbers (day numbers, totals, per-day counts) are real numbers, so the sheet
//! can be summed and checked in Excel. Page setup: A4 landscape, fitted to one page
//! wide, the grid header repeated on every printed page, and panes frozen on the names
//! and the header for work on screen.

use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet,
};

use chrono::Datelike;

use super::{
    ExportError, Printout, TimesheetHeader, COLUMN_DAYS, COLUMN_MISSED, COLUMN_NAME, COLUMN_NUMBER,
    LEGEND_TITLE, OKUD, ROW_ABSENT, ROW_PRESENT, TITLE, TOTAL_COLUMNS,
};
use crate::domain::timesheet::Timesheet;

/// Row of the first grid header line (0-based): title, period, codes and four info lines
/// come first.
pub const GRID_HEADER_ROW: u32 = 8;
/// Row of the first child (0-based), under the three grid header lines.
pub const FIRST_CHILD_ROW: u32 = GRID_HEADER_ROW + 3;
/// Column of day 1 (0-based): after «№ п/п» and the name.
pub const FIRST_DAY_COLUMN: u16 = 2;

const SHADE_HEAD: u32 = 0xF2F2F2;
const SHADE_DAY_OFF: u32 = 0xD0D0D0;
const FONT: &str = "Arial";
const GRID_SIZE: f64 = 9.0;

/// Excel's paper size code for A4.
const PAPER_A4: u8 = 9;

/// Renders the timesheet as an XLSX workbook with one worksheet named «Табель ГГГГ-ММ».
pub fn timesheet_xlsx(header: &TimesheetHeader, sheet: &Timesheet) -> Result<Vec<u8>, ExportError> {
    let printout = Printout::new(header, sheet);
    let mut workbook = Workbook::new();
    let date = header.generated_on;
    // Month and day of a `NaiveDate` are 1–12 and 1–31; the year fits Excel's range
    // because `Month` stops at 9999.
    let created = ExcelDateTime::from_ymd(
        u16::try_from(date.year()).unwrap_or(1900),
        date.month() as u8,
        date.day() as u8,
    )?;
    workbook.set_properties(
        &DocProperties::new()
            .set_title(&printout.caption)
            .set_company(&header.organisation_short)
            .set_author(&header.responsible)
            // A fixed date rather than "now": the same input gives the same bytes.
            .set_creation_datetime(&created),
    );
    let worksheet = workbook.add_worksheet();
    worksheet.set_name(format!("Табель {}", header.month))?;
    Layout::new(&printout).write(worksheet)?;
    Ok(workbook.save_to_buffer()?)
}

/// Column positions and the formats of the sheet.
struct Layout<'a> {
    p: &'a Printout,
    days: u16,
    /// First of the four total columns.
    totals: u16,
    /// The last column of the sheet.
    last: u16,
    f: Formats,
}

struct Formats {
    title: Format,
    period: Format,
    label: Format,
    value: Format,
    code_label: Format,
    code_value: Format,
    head: Format,
    head_small: Format,
    day_number: Format,
    day_number_off: Format,
    weekday: Format,
    weekday_off: Format,
    number: Format,
    name: Format,
    cell: Format,
    cell_off: Format,
    absence: Format,
    footer_label: Format,
    footer_count: Format,
    footer_count_off: Format,
    footer_total: Format,
    legend: Format,
    signature_role: Format,
    signature_line: Format,
    signature_name: Format,
    caption: Format,
    plain: Format,
}

impl Formats {
    fn new() -> Self {
        let base = Format::new().set_font_name(FONT).set_font_size(GRID_SIZE);
        let boxed = base
            .clone()
            .set_border(FormatBorder::Thin)
            .set_align(FormatAlign::Center)
            .set_align(FormatAlign::VerticalCenter);
        let head = boxed
            .clone()
            .set_font_size(8)
            .set_text_wrap()
            .set_background_color(Color::RGB(SHADE_HEAD));
        let off = |format: &Format| {
            format
                .clone()
                .set_background_color(Color::RGB(SHADE_DAY_OFF))
        };
        let day_number = head.clone().set_bold().set_font_size(GRID_SIZE);
        let weekday = head.clone().set_font_size(7);
        let cell = boxed.clone();
        let footer_count = boxed.clone().set_background_color(Color::RGB(SHADE_HEAD));
        Self {
            title: base
                .clone()
                .set_bold()
                .set_font_size(14)
                .set_align(FormatAlign::Center),
            period: base
                .clone()
                .set_font_size(11)
                .set_align(FormatAlign::Center),
            label: base.clone().set_align(FormatAlign::Top),
            value: base
                .clone()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Left)
                .set_align(FormatAlign::Top),
            code_label: base.clone().set_font_size(8).set_align(FormatAlign::Right),
            code_value: boxed.clone().set_bold().set_border(FormatBorder::Medium),
            head_small: head.clone().set_font_size(7),
            day_number_off: off(&day_number),
            day_number,
            weekday_off: off(&weekday),
            weekday,
            head,
            number: boxed.clone(),
            name: boxed.clone().set_align(FormatAlign::Left).set_shrink(),
            cell_off: off(&cell),
            absence: cell.clone().set_bold(),
            cell,
            footer_label: boxed
                .clone()
                .set_bold()
                .set_align(FormatAlign::Left)
                .set_background_color(Color::RGB(SHADE_HEAD)),
            footer_count_off: off(&footer_count),
            footer_count,
            footer_total: boxed
                .clone()
                .set_bold()
                .set_font_size(10)
                .set_background_color(Color::RGB(SHADE_HEAD)),
            legend: base
                .clone()
                .set_font_size(8)
                .set_text_wrap()
                .set_align(FormatAlign::Left)
                .set_align(FormatAlign::Top),
            signature_role: base.clone().set_bold(),
            signature_line: base.clone().set_border_bottom(FormatBorder::Thin),
            signature_name: base
                .clone()
                .set_border_bottom(FormatBorder::Thin)
                .set_align(FormatAlign::Center)
                .set_shrink(),
            caption: base.clone().set_font_size(6).set_align(FormatAlign::Center),
            plain: base,
        }
    }
}

type XlsxResult<T = ()> = Result<T, rust_xlsxwriter::XlsxError>;

impl<'a> Layout<'a> {
    fn new(p: &'a Printout) -> Self {
        let days = u16::try_from(p.days.len()).unwrap_or(31);
        let totals = FIRST_DAY_COLUMN + days;
        Self {
            p,
            days,
            totals,
            last: totals + 3,
            f: Formats::new(),
        }
    }

    fn write(&self, ws: &mut Worksheet) -> XlsxResult {
        self.page_setup(ws)?;
        self.heading(ws)?;
        self.grid_header(ws)?;
        let mut row = FIRST_CHILD_ROW;
        for child in &self.p.rows {
            self.child_row(ws, row, child)?;
            row += 1;
        }
        self.footer(ws, row)?;
        row += 3;
        row = self.legend(ws, row)?;
        self.signatures(ws, row + 1)?;
        Ok(())
    }

    fn page_setup(&self, ws: &mut Worksheet) -> XlsxResult {
        // Widths are in characters of the default font. Kept narrow, so fitting the
        // sheet to the page width scales it by only about 0.85 and 9 pt prints at 7.5.
        ws.set_column_width(0, 3.5)?;
        ws.set_column_width(1, 28)?;
        for day in 0..self.days {
            ws.set_column_width(FIRST_DAY_COLUMN + day, 2.7)?;
        }
        for total in 0..4 {
            ws.set_column_width(self.totals + total, 9)?;
        }
        ws.set_landscape();
        ws.set_paper_size(PAPER_A4);
        // One page wide, as many pages tall as the group needs.
        ws.set_print_fit_to_pages(1, 0);
        ws.set_repeat_rows(GRID_HEADER_ROW, GRID_HEADER_ROW + 2)?;
        ws.set_margins(0.4, 0.4, 0.45, 0.5, 0.2, 0.25);
        ws.set_print_center_horizontally(true);
        ws.set_footer("&R&8Лист &P из &N");
        ws.set_freeze_panes(FIRST_CHILD_ROW, FIRST_DAY_COLUMN)?;
        Ok(())
    }

    fn heading(&self, ws: &mut Worksheet) -> XlsxResult {
        let f = &self.f;
        let code_label = self.last - 1;
        let wide = code_label - 1;
        ws.merge_range(0, 0, 0, wide, TITLE, &f.title)?;
        ws.merge_range(1, 0, 1, wide, &self.p.period, &f.period)?;
        ws.set_row_height(0, 20)?;
        ws.set_row_height(1, 16)?;
        ws.write_string_with_format(
            0,
            self.last,
            "Коды",
            &f.code_label.clone().set_align(FormatAlign::Center),
        )?;
        ws.write_string_with_format(1, code_label, "Форма по ОКУД", &f.code_label)?;
        ws.write_string_with_format(1, self.last, OKUD, &f.code_value)?;
        ws.write_string_with_format(2, code_label, "Дата", &f.code_label)?;
        ws.write_string_with_format(2, self.last, &self.p.date, &f.code_value)?;
        for (index, (label, value)) in self.p.info.iter().enumerate() {
            let row = 3 + index as u32;
            ws.write_string_with_format(row, 1, format!("{label}:"), &f.label)?;
            ws.merge_range(row, FIRST_DAY_COLUMN, row, wide, value, &f.value)?;
            if index == 0 {
                // The full name of the organisation may need a second line.
                ws.set_row_height(row, 24)?;
            }
        }
        ws.set_row_height(GRID_HEADER_ROW - 1, 6)?;
        Ok(())
    }

    fn grid_header(&self, ws: &mut Worksheet) -> XlsxResult {
        let f = &self.f;
        let top = GRID_HEADER_ROW;
        let bottom = top + 2;
        ws.set_row_height(top, 14)?;
        ws.set_row_height(top + 1, 15)?;
        ws.set_row_height(top + 2, 13)?;
        ws.merge_range(top, 0, bottom, 0, COLUMN_NUMBER, &f.head_small)?;
        ws.merge_range(top, 1, bottom, 1, COLUMN_NAME, &f.head)?;
        if self.days > 0 {
            let last_day = FIRST_DAY_COLUMN + self.days - 1;
            ws.merge_range(top, FIRST_DAY_COLUMN, top, last_day, COLUMN_DAYS, &f.head)?;
        }
        for (index, day) in self.p.days.iter().enumerate() {
            let column = FIRST_DAY_COLUMN + index as u16;
            let (number, weekday) = if day.off {
                (&f.day_number_off, &f.weekday_off)
            } else {
                (&f.day_number, &f.weekday)
            };
            ws.write_number_with_format(top + 1, column, day.day, number)?;
            ws.write_string_with_format(top + 2, column, day.weekday, weekday)?;
        }
        ws.merge_range(
            top,
            self.totals,
            top,
            self.totals + 1,
            COLUMN_MISSED,
            &f.head,
        )?;
        for (index, heading) in TOTAL_COLUMNS.iter().enumerate() {
            let column = self.totals + index as u16;
            if index < 2 {
                ws.merge_range(top + 1, column, bottom, column, heading, &f.head_small)?;
            } else {
                ws.merge_range(top, column, bottom, column, heading, &f.head_small)?;
            }
        }
        Ok(())
    }

    fn child_row(&self, ws: &mut Worksheet, row: u32, child: &super::PrintRow) -> XlsxResult {
        let f = &self.f;
        ws.set_row_height(row, 15)?;
        ws.write_number_with_format(row, 0, child.number as f64, &f.number)?;
        ws.write_string_with_format(row, 1, &child.name, &f.name)?;
        for (index, (text, day)) in child.cells.iter().zip(&self.p.days).enumerate() {
            let column = FIRST_DAY_COLUMN + index as u16;
            let format = if day.off {
                &f.cell_off
            } else if !text.is_empty() && text != "?" {
                &f.absence
            } else {
                &f.cell
            };
            if text.is_empty() {
                ws.write_blank(row, column, format)?;
            } else {
                ws.write_string_with_format(row, column, text, format)?;
            }
        }
        for (index, total) in child.totals.iter().enumerate() {
            ws.write_number_with_format(row, self.totals + index as u16, *total, &f.number)?;
        }
        Ok(())
    }

    /// Present and absent counts per day; the group totals span both rows.
    fn footer(&self, ws: &mut Worksheet, row: u32) -> XlsxResult {
        let f = &self.f;
        let lines = [(ROW_PRESENT, &self.p.present), (ROW_ABSENT, &self.p.absent)];
        for (offset, (label, counts)) in lines.into_iter().enumerate() {
            let row = row + offset as u32;
            ws.set_row_height(row, 15)?;
            ws.merge_range(row, 0, row, 1, label, &f.footer_label)?;
            for (index, (count, day)) in counts.iter().zip(&self.p.days).enumerate() {
                let column = FIRST_DAY_COLUMN + index as u16;
                let format = if day.off {
                    &f.footer_count_off
                } else {
                    &f.footer_count
                };
                match count {
                    Some(count) => ws.write_number_with_format(row, column, *count, format)?,
                    None => ws.write_blank(row, column, format)?,
                };
            }
        }
        for (index, total) in self.p.group_totals.iter().enumerate() {
            let column = self.totals + index as u16;
            // merge_range takes text; write the number over its top-left cell.
            ws.merge_range(row, column, row + 1, column, "", &f.footer_total)?;
            ws.write_number_with_format(row, column, *total, &f.footer_total)?;
        }
        Ok(())
    }

    /// Returns the row after the legend.
    fn legend(&self, ws: &mut Worksheet, row: u32) -> XlsxResult<u32> {
        let entries: Vec<String> = self
            .p
            .legend
            .iter()
            .map(|(symbol, meaning)| format!("{symbol} — {meaning}"))
            .collect();
        let text = format!("{LEGEND_TITLE} {}.", entries.join("; "));
        ws.merge_range(row, 0, row, self.last, &text, &self.f.legend)?;
        // About 190 characters of 8 pt text fit on a line of the merged width.
        let lines = text.chars().count().div_ceil(190).max(1);
        ws.set_row_height(row, 12.0 * lines as f64)?;
        Ok(row + 1)
    }

    /// «Ответственный ____ ФИО» left, «Руководитель ____ ФИО» right, captions under
    /// the lines, then the date.
    fn signatures(&self, ws: &mut Worksheet, row: u32) -> XlsxResult {
        let f = &self.f;
        let d = FIRST_DAY_COLUMN;
        // Left block under the name column and the first half of the days; right block
        // under the second half of the days and the totals.
        // A column is left out between each signature line and its name line.
        let left = (1, (d, d + 5), (d + 7, d + 15));
        let right = (
            (d + 16, d + 19),
            (d + 20, self.totals - 2),
            (self.totals, self.last),
        );
        ws.set_row_height(row, 18)?;
        ws.write_string_with_format(row, left.0, "Ответственный", &f.signature_role)?;
        ws.merge_range(
            row,
            right.0 .0,
            row,
            right.0 .1,
            "Руководитель",
            &f.signature_role,
        )?;
        let blocks = [
            (left.1, left.2, &self.p.responsible),
            (right.1, right.2, &self.p.head),
        ];
        for ((sign_from, sign_to), (name_from, name_to), name) in blocks {
            ws.merge_range(row, sign_from, row, sign_to, "", &f.signature_line)?;
            ws.merge_range(row, name_from, row, name_to, name, &f.signature_name)?;
            ws.merge_range(
                row + 1,
                sign_from,
                row + 1,
                sign_to,
                "(подпись)",
                &f.caption,
            )?;
            ws.merge_range(
                row + 1,
                name_from,
                row + 1,
                name_to,
                "(расшифровка подписи)",
                &f.caption,
            )?;
        }
        ws.write_string_with_format(row + 3, 1, &self.p.signature_date, &f.plain)?;
        for (line, text) in (row + 4..).zip(&self.p.sign_off) {
            ws.write_string_with_format(line, 1, text, &f.plain)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use calamine::{open_workbook_from_rs, Data, Range, Reader, Xlsx};

    use super::*;
    use crate::domain::calendar::Month;
    use crate::export::fixture;

    fn read(bytes: Vec<u8>, name: &str) -> Range<Data> {
        let mut workbook: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).unwrap();
        assert_eq!(workbook.sheet_names(), [name]);
        workbook.worksheet_range(name).unwrap()
    }

    fn november() -> Range<Data> {
        let (header, sheet) = fixture::sheet();
        read(timesheet_xlsx(&header, &sheet).unwrap(), "Табель 2026-11")
    }

    fn text(range: &Range<Data>, row: u32, column: u16) -> String {
        match range.get_value((row, u32::from(column))) {
            Some(Data::String(text)) => text.clone(),
            Some(Data::Empty) | None => String::new(),
            Some(other) => panic!("({row}, {column}) is {other:?}, not text"),
        }
    }

    fn number(range: &Range<Data>, row: u32, column: u16) -> f64 {
        match range.get_value((row, u32::from(column))) {
            Some(Data::Float(value)) => *value,
            Some(Data::Int(value)) => *value as f64,
            other => panic!("({row}, {column}) is {other:?}, not a number"),
        }
    }

    /// The column of day `day` of the month.
    fn day(day: u16) -> u16 {
        FIRST_DAY_COLUMN + day - 1
    }

    const TOTALS: u16 = FIRST_DAY_COLUMN + 30;

    #[test]
    fn heading_and_grid_header() {
        let range = november();
        assert_eq!(text(&range, 0, 0), "ТАБЕЛЬ учета посещаемости детей");
        assert_eq!(text(&range, 1, 0), "за ноябрь 2026 г.");
        assert_eq!(text(&range, 3, 1), "Учреждение:");
        assert!(text(&range, 3, 2).starts_with("Муниципальное бюджетное"));
        assert_eq!(text(&range, 4, 2), "5036012345 / 503601001");
        assert_eq!(text(&range, 5, 2), "Ромашка (старшая)");
        assert_eq!(text(&range, 6, 2), "Кузнецова Ольга Викторовна");
        assert_eq!(text(&range, 1, TOTALS + 3), "0504608");
        assert_eq!(text(&range, 2, TOTALS + 3), "30.11.2026");
        let head = GRID_HEADER_ROW;
        assert_eq!(text(&range, head, 0), "№ п/п");
        assert_eq!(text(&range, head, 1), "Фамилия, имя ребёнка");
        assert_eq!(text(&range, head, TOTALS), "Пропущено дней");
        assert_eq!(text(&range, head + 1, TOTALS), "всего");
        assert_eq!(text(&range, head + 1, TOTALS + 1), "в т.ч. засчитываемых");
        assert_eq!(text(&range, head, TOTALS + 2), "Дни посещения");
        assert_eq!(text(&range, head, TOTALS + 3), "Дни, подлежащие оплате");
        assert_eq!(number(&range, head + 1, day(1)), 1.0);
        assert_eq!(number(&range, head + 1, day(30)), 30.0);
        assert_eq!(text(&range, head + 2, day(1)), "вс");
        assert_eq!(text(&range, head + 2, day(2)), "пн");
        // No 31st in November: the totals follow the 30th directly.
        assert_eq!(day(31), TOTALS);
    }

    #[test]
    fn child_rows_show_reasons_days_off_and_totals() {
        let range = november();
        let ivanova = FIRST_CHILD_ROW;
        let petrov = FIRST_CHILD_ROW + 1;
        let sidorov = FIRST_CHILD_ROW + 2;
        assert_eq!(number(&range, ivanova, 0), 1.0);
        assert_eq!(text(&range, ivanova, 1), "Иванова Мария");
        assert_eq!(text(&range, petrov, 1), "Петров Алексей");
        assert_eq!(text(&range, sidorov, 1), "Сидоров Константин");
        assert_eq!(text(&range, ivanova, day(1)), "В"); // Sunday
        assert_eq!(text(&range, ivanova, day(4)), "В"); // holiday
        assert_eq!(text(&range, ivanova, day(2)), ""); // present
        assert_eq!(text(&range, ivanova, day(9)), "Б");
        assert_eq!(text(&range, ivanova, day(17)), "Н");
        assert_eq!(text(&range, ivanova, day(25)), "?");
        assert_eq!(text(&range, petrov, day(23)), "О");
        assert_eq!(text(&range, sidorov, day(1)), ""); // not enrolled yet
        assert_eq!(text(&range, sidorov, day(18)), "Х");
        let totals =
            |row| -> Vec<f64> { (0..4).map(|i| number(&range, row, TOTALS + i)).collect() };
        assert_eq!(totals(ivanova), [4.0, 3.0, 15.0, 16.0]);
        assert_eq!(totals(petrov), [5.0, 5.0, 15.0, 15.0]);
        assert_eq!(totals(sidorov), [1.0, 0.0, 10.0, 11.0]);
    }

    #[test]
    fn footer_counts_group_totals_legend_and_signatures() {
        let range = november();
        let present = FIRST_CHILD_ROW + 3;
        let absent = present + 1;
        assert_eq!(text(&range, present, 0), "Присутствовало детей");
        assert_eq!(text(&range, absent, 0), "Отсутствовало детей");
        assert_eq!(text(&range, present, day(1)), ""); // Sunday
        assert_eq!(number(&range, present, day(2)), 2.0);
        assert_eq!(number(&range, present, day(9)), 1.0);
        assert_eq!(number(&range, absent, day(9)), 1.0);
        assert_eq!(number(&range, present, day(30)), 3.0);
        let counted: f64 = (1..=30)
            .filter_map(|d| match range.get_value((present, u32::from(day(d)))) {
                Some(Data::Float(value)) => Some(*value),
                _ => None,
            })
            .sum();
        assert_eq!(counted, 40.0, "present counts add up to the days attended");
        let group: Vec<f64> = (0..4)
            .map(|i| number(&range, present, TOTALS + i))
            .collect();
        assert_eq!(group, [10.0, 8.0, 40.0, 42.0]);
        let legend = text(&range, absent + 2, 0);
        assert!(legend.starts_with("Условные обозначения:"), "{legend}");
        assert!(legend.contains("Б — болезнь"), "{legend}");
        assert!(
            legend.contains("В — выходной или праздничный день"),
            "{legend}"
        );
        let signatures = absent + 4;
        assert_eq!(text(&range, signatures, 1), "Ответственный");
        assert_eq!(
            text(&range, signatures, day(8)),
            "Кузнецова Ольга Викторовна"
        );
        assert_eq!(text(&range, signatures, day(17)), "Руководитель");
        assert_eq!(text(&range, signatures, TOTALS), "Смирнова Елена Павловна");
        assert_eq!(text(&range, signatures + 3, 1), "«30» ноября 2026 г.");
        assert_eq!(
            text(&range, signatures + 4, 1),
            "",
            "not submitted: no line"
        );
    }

    #[test]
    fn who_submitted_and_who_signed_off_follow_the_date() {
        let (mut header, sheet) = fixture::sheet();
        header.submitted = Some(fixture::signature("Кузнецова Ольга Викторовна", 30));
        header.signed = Some(fixture::signature("Смирнова Елена Павловна", 30));
        let range = read(timesheet_xlsx(&header, &sheet).unwrap(), "Табель 2026-11");
        let date_row = FIRST_CHILD_ROW + 4 + 4 + 3;
        assert_eq!(text(&range, date_row, 1), "«30» ноября 2026 г.");
        assert_eq!(
            text(&range, date_row + 1, 1),
            "Табель сдан в Tabel: Кузнецова Ольга Викторовна, 30.11.2026"
        );
        assert_eq!(
            text(&range, date_row + 2, 1),
            "Подписан в Tabel (месяц закрыт): Смирнова Елена Павловна, 30.11.2026"
        );
    }

    #[test]
    fn page_setup_is_a4_landscape_one_page_wide() {
        let (header, sheet) = fixture::sheet();
        let bytes = timesheet_xlsx(&header, &sheet).unwrap();
        let mut archive = zip_entry(&bytes, "xl/worksheets/sheet1.xml");
        archive.retain(|c| c != '\n');
        assert!(archive.contains(r#"paperSize="9""#), "{archive}");
        assert!(archive.contains(r#"orientation="landscape""#));
        assert!(archive.contains(r#"fitToHeight="0""#));
        assert!(archive.contains(r#"<pageSetUpPr fitToPage="1"/>"#));
        let workbook = zip_entry(&bytes, "xl/workbook.xml");
        assert!(
            workbook.contains("_xlnm.Print_Titles") && workbook.contains("$9:$11"),
            "grid header rows repeat on every page: {workbook}"
        );
    }

    #[test]
    fn an_empty_group_still_renders_the_form() {
        let (header, mut sheet) = fixture::sheet();
        sheet.rows.clear();
        let range = read(timesheet_xlsx(&header, &sheet).unwrap(), "Табель 2026-11");
        assert_eq!(text(&range, FIRST_CHILD_ROW, 0), "Присутствовало детей");
    }

    #[test]
    fn output_is_deterministic() {
        let (header, sheet) = fixture::sheet();
        assert_eq!(
            timesheet_xlsx(&header, &sheet).unwrap(),
            timesheet_xlsx(&header, &sheet).unwrap()
        );
    }

    #[test]
    fn a_31_day_month_has_31_day_columns() {
        let (header, sheet) = fixture::large_sheet(Month::new(2026, 12).unwrap(), 25);
        let range = read(timesheet_xlsx(&header, &sheet).unwrap(), "Табель 2026-12");
        assert_eq!(text(&range, 1, 0), "за декабрь 2026 г.");
        assert_eq!(number(&range, GRID_HEADER_ROW + 1, day(31)), 31.0);
        assert_eq!(text(&range, GRID_HEADER_ROW + 1, day(32)), "всего");
        assert_eq!(number(&range, FIRST_CHILD_ROW + 24, 0), 25.0);
        assert_eq!(
            text(&range, FIRST_CHILD_ROW + 25, 0),
            "Присутствовало детей"
        );
    }

    /// The text of one part of the XLSX package (a zip archive); calamine does not read
    /// page setup, so these tests look at the XML.
    fn zip_entry(bytes: &[u8], name: &str) -> String {
        use std::io::Read;
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut file = archive.by_name(name).unwrap();
        let mut text = String::new();
        file.read_to_string(&mut text).unwrap();
        text
    }

    /// With `TABEL_WRITE_SAMPLES` set, writes `sample.xlsx` (the November fixture) and
    /// `sample-large.xlsx` (40 children, 31 days) into the crate directory.
    #[test]
    fn write_samples() {
        let (header, sheet) = fixture::sheet();
        let small = timesheet_xlsx(&header, &sheet).unwrap();
        let (header, sheet) = fixture::large_sheet(Month::new(2026, 12).unwrap(), 40);
        let large = timesheet_xlsx(&header, &sheet).unwrap();
        if std::env::var_os("TABEL_WRITE_SAMPLES").is_some() {
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
            std::fs::write(dir.join("sample.xlsx"), small).unwrap();
            std::fs::write(dir.join("sample-large.xlsx"), large).unwrap();
        }
    }
}
