//! Printable exports of the monthly attendance timesheet (табель учёта посещаемости
//! детей), laid out after the official form 0504608 (Приказ Минфина России № 52н).
//!
//! Both formats ([`timesheet_xlsx`], [`timesheet_pdf`]) render the same [`Printout`], a
//! format-neutral description of what goes on the sheet, so the spreadsheet and the PDF
//! always say the same thing in the same words. Both are A4 landscape.
//!
//! What a day cell shows:
//!
//! | cell                | printed                         |
//! |---------------------|---------------------------------|
//! | attended            | blank, as on the official form  |
//! | absent, reason `Б`  | «Б»: the reason code *replaces* «Н» |
//! | absent, no reason   | «Н»                             |
//! | weekend or holiday  | «В», column shaded              |
//! | working day nobody marked yet (up to "today") | «?» |
//! | day still to come, or outside the enrolment | blank  |
//!
//! Printing the reason code alone keeps each day cell one letter wide, which is what
//! makes 31 days plus the totals fit across an A4 sheet legibly. Every letter other than
//! «В» and «?» means an absence, and the legend under the grid spells out the letters
//! that actually occur. An absence with no reason is counted as unexcused and charged,
//! exactly like the default reason «Н» (без уважительной причины), so the two print the
//! same. An unmarked day is printed «?» rather than blank so that a sheet with gaps can
//! never be mistaken for full attendance.
//!
//! Only the server renders these files (the module is compiled with the `ssr` feature).

pub mod analytics;
pub mod pdf;
pub mod xlsx;

use chrono::{Datelike, NaiveDate, Weekday};

use crate::domain::calendar::Month;
use crate::domain::sign_off::Signature;
use crate::domain::timesheet::{AbsenceReason, Cell, Timesheet};
use crate::domain::Bilingual;

pub use pdf::timesheet_pdf;
pub use xlsx::timesheet_xlsx;

/// Who and what the timesheet is about: the heading and signature lines of the form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimesheetHeader {
    /// Full name of the organisation, e.g. «Муниципальное бюджетное дошкольное …».
    pub organisation: String,
    /// Short name; used where space is scarce (continuation pages, document title).
    pub organisation_short: String,
    pub inn: String,
    pub kpp: String,
    /// Group name as shown to staff, e.g. «Солнышко (старшая)».
    pub group: String,
    pub month: Month,
    /// The teacher who keeps the timesheet (ответственный), ФИО.
    pub responsible: String,
    /// Head of the organisation (заведующий), ФИО.
    pub head: String,
    /// The teacher who submitted the month in Tabel, and when.
    pub submitted: Option<Signature>,
    /// The head who signed it off (closing the month), and when.
    pub signed: Option<Signature>,
    /// Printed as the document date; also the file's creation date, so the same input
    /// always gives the same bytes.
    pub generated_on: NaiveDate,
    /// The absence-reason reference book the timesheet was built with; the legend takes
    /// the names of the letters from it. Codes missing from it are still printed.
    pub reasons: Vec<AbsenceReason>,
}

/// Rendering failed. Not the user's fault: the input is always printable, so this means
/// a bug or a broken embedded font.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("XLSX rendering failed: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error("PDF rendering failed: {0}")]
    Pdf(String),
}

impl Bilingual for ExportError {
    fn ru(&self) -> String {
        match self {
            Self::Xlsx(_) => "Не удалось сформировать табель в формате XLSX.".into(),
            Self::Pdf(_) => "Не удалось сформировать табель в формате PDF.".into(),
        }
    }

    fn en(&self) -> String {
        match self {
            Self::Xlsx(_) => "The timesheet could not be rendered as XLSX.".into(),
            Self::Pdf(_) => "The timesheet could not be rendered as PDF.".into(),
        }
    }
}

/// The form's title, first line.
pub const TITLE: &str = "ТАБЕЛЬ учета посещаемости детей";
/// Code of the form in the all-Russian classifier of management documentation.
pub const OKUD: &str = "0504608";
pub const COLUMN_NUMBER: &str = "№ п/п";
pub const COLUMN_NAME: &str = "Фамилия, имя ребёнка";
pub const COLUMN_DAYS: &str = "Дни месяца";
/// Heading over the two "missed days" columns.
pub const COLUMN_MISSED: &str = "Пропущено дней";
/// The four total columns, as printed under their headings; the first two sit under
/// [`COLUMN_MISSED`].
pub const TOTAL_COLUMNS: [&str; 4] = [
    "всего",
    "в т.ч. засчитываемых",
    "Дни посещения",
    "Дни, подлежащие оплате",
];
pub const ROW_PRESENT: &str = "Присутствовало детей";
pub const ROW_ABSENT: &str = "Отсутствовало детей";
pub const LEGEND_TITLE: &str = "Условные обозначения:";

/// Russian month names in the nominative, as in «за ноябрь 2026 г.».
const MONTHS_NOMINATIVE: [&str; 12] = [
    "январь",
    "февраль",
    "март",
    "апрель",
    "май",
    "июнь",
    "июль",
    "август",
    "сентябрь",
    "октябрь",
    "ноябрь",
    "декабрь",
];

/// Russian month names in the genitive, as in «30 ноября 2026 г.».
const MONTHS_GENITIVE: [&str; 12] = [
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
];

/// «за ноябрь 2026 г.»
pub fn period_ru(month: Month) -> String {
    let name = MONTHS_NOMINATIVE[month.month() as usize - 1];
    format!("за {name} {} г.", month.year())
}

/// ««30» ноября 2026 г.», the way a date is written under a signature.
pub fn signature_date_ru(date: NaiveDate) -> String {
    let name = MONTHS_GENITIVE[date.month0() as usize];
    format!("«{:02}» {name} {} г.", date.day(), date.year())
}

fn weekday_ru(weekday: Weekday) -> &'static str {
    match weekday {
        Weekday::Mon => "пн",
        Weekday::Tue => "вт",
        Weekday::Wed => "ср",
        Weekday::Thu => "чт",
        Weekday::Fri => "пт",
        Weekday::Sat => "сб",
        Weekday::Sun => "вс",
    }
}

/// What one day cell prints; see the module docs.
pub fn cell_text(cell: &Cell) -> &str {
    cell.printed()
}

/// Everything that goes on the sheet, independent of the file format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Printout {
    /// «за ноябрь 2026 г.»
    pub period: String,
    /// Labelled lines under the title: organisation, ИНН/КПП, group, teacher.
    pub info: Vec<(&'static str, String)>,
    /// «30.11.2026», printed in the codes box next to the form code.
    pub date: String,
    pub days: Vec<DayHead>,
    pub rows: Vec<PrintRow>,
    /// Children present per day; `None` on days off and days still to come.
    pub present: Vec<Option<u32>>,
    /// Children absent per day, `None` where [`Printout::present`] is.
    pub absent: Vec<Option<u32>>,
    /// The group's sums of the four total columns.
    pub group_totals: [u32; 4],
    /// Symbol and meaning of every letter that occurs in the grid.
    pub legend: Vec<(String, String)>,
    pub responsible: String,
    pub head: String,
    /// «30» ноября 2026 г.
    pub signature_date: String,
    /// Under the date: who submitted and who signed the month off in Tabel, with dates.
    pub sign_off: Vec<String>,
    /// For the document properties and continuation pages: «Табель за ноябрь 2026 г.,
    /// группа …, ДОУ …».
    pub caption: String,
}

/// One day column's heading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayHead {
    pub day: u32,
    /// «пн» … «вс»
    pub weekday: &'static str,
    /// A weekend or holiday: the whole column is shaded.
    pub off: bool,
}

/// One child's line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrintRow {
    /// 1-based position, the «№ п/п» column.
    pub number: usize,
    pub name: String,
    /// One text per day, see [`cell_text`].
    pub cells: Vec<String>,
    /// Missed in total, missed for a valid reason, attended, charged.
    pub totals: [u32; 4],
}

impl Printout {
    pub fn new(header: &TimesheetHeader, sheet: &Timesheet) -> Self {
        let days = sheet
            .days
            .iter()
            .map(|day| DayHead {
                day: day.date.day(),
                weekday: weekday_ru(day.date.weekday()),
                off: !day.kind.is_working(),
            })
            .collect();
        let rows = sheet
            .rows
            .iter()
            .enumerate()
            .map(|(index, row)| PrintRow {
                number: index + 1,
                name: row.name.clone(),
                cells: row.cells.iter().map(|c| cell_text(c).to_owned()).collect(),
                totals: [
                    row.totals.absent_total,
                    row.totals.absent_excused,
                    row.totals.attended,
                    row.totals.charged_days,
                ],
            })
            .collect();
        let (present, absent) = day_counts(sheet);
        let sum = &sheet.totals.sum;
        Self {
            period: period_ru(header.month),
            info: vec![
                ("Учреждение", header.organisation.clone()),
                ("ИНН / КПП", format!("{} / {}", header.inn, header.kpp)),
                ("Группа", header.group.clone()),
                ("Ответственный", header.responsible.clone()),
            ],
            date: header.generated_on.format("%d.%m.%Y").to_string(),
            days,
            rows,
            present,
            absent,
            group_totals: [
                sum.absent_total,
                sum.absent_excused,
                sum.attended,
                sum.charged_days,
            ],
            legend: legend(sheet, &header.reasons),
            responsible: header.responsible.clone(),
            head: header.head.clone(),
            signature_date: signature_date_ru(header.generated_on),
            sign_off: sign_off_lines(header),
            caption: format!(
                "Табель {}, группа «{}», {}",
                period_ru(header.month),
                header.group,
                header.organisation_short
            ),
        }
    }
}

/// «Табель сдан: …, 30.11.2026», «Подписан: …, 01.12.2026» for what has happened.
fn sign_off_lines(header: &TimesheetHeader) -> Vec<String> {
    let submitted = header
        .submitted
        .as_ref()
        .map(|s| format!("Табель сдан в Tabel: {}", s.line()));
    let signed = header
        .signed
        .as_ref()
        .map(|s| format!("Подписан в Tabel (месяц закрыт): {}", s.line()));
    submitted.into_iter().chain(signed).collect()
}

/// The per-day footer counts. A day shows a count once it has happened for someone:
/// days off and days where every child is still [`Cell::Future`] (or not enrolled) are
/// left blank rather than printing a misleading 0.
fn day_counts(sheet: &Timesheet) -> (Vec<Option<u32>>, Vec<Option<u32>>) {
    sheet
        .days
        .iter()
        .enumerate()
        .map(|(index, day)| {
            let happened = sheet.rows.iter().any(|row| {
                matches!(
                    row.cells.get(index),
                    Some(Cell::Present | Cell::Absent { .. } | Cell::Unmarked)
                )
            });
            if day.kind.is_working() && happened {
                (Some(day.present), Some(day.absent))
            } else {
                (None, None)
            }
        })
        .unzip()
}

/// The grid's letters and their meanings as the official form prints them: Russian,
/// and «пусто» for the blank cell of a present child.
fn legend(sheet: &Timesheet, reasons: &[AbsenceReason]) -> Vec<(String, String)> {
    sheet
        .legend(reasons)
        .into_iter()
        .map(|entry| {
            let symbol = if entry.symbol.is_empty() {
                "пусто".to_owned()
            } else {
                entry.symbol
            };
            (symbol, entry.ru)
        })
        .collect()
}

#[cfg(test)]
pub(crate) mod fixture {
    //! A November 2026 timesheet shared by the format tests.

    use chrono::NaiveDate;

    use super::{Signature, TimesheetHeader};
    use crate::domain::calendar::{AcademicCalendar, Month};
    use crate::domain::timesheet::{
        AbsenceReason, Enrolment, Mark, Marks, Timesheet, TimesheetChild, TimesheetInput,
    };

    pub fn nov(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, day).unwrap()
    }

    pub fn november() -> Month {
        Month::new(2026, 11).unwrap()
    }

    /// Three children, 4 Nov (Wednesday) a public holiday, "today" the 30th.
    ///
    /// - Иванова Мария: ill (Б) 9–11 Nov, absent without a reason (Н) 17 Nov, unmarked
    ///   on 25 Nov, present on the other 15 of the month's 20 working days.
    /// - Петров Алексей: on vacation (О) 23–27 Nov, present on the other 15 working days.
    /// - Сидоров Константин: enrolled on 16 Nov, absent for an unknown code «Х» on 18
    ///   Nov, present on his other 10 working days.
    pub fn sheet() -> (TimesheetHeader, Timesheet) {
        let calendar = AcademicCalendar::new([nov(4)], []).unwrap();
        let children = vec![
            child(1, "Иванова Мария", Enrolment::open(nov(1))),
            child(
                2,
                "Петров Алексей",
                Enrolment::open(NaiveDate::from_ymd_opt(2025, 9, 1).unwrap()),
            ),
            child(3, "Сидоров Константин", Enrolment::open(nov(16))),
        ];
        let reasons = AbsenceReason::defaults();
        let mut marks = Marks::new();
        let working = calendar.working_days_in_month(november());
        for &date in &working {
            for id in [1, 2, 3] {
                marks.insert((id, date), Mark::Present);
            }
        }
        let absent = |code: Option<&str>| Mark::Absent {
            reason: code.map(str::to_owned),
        };
        for day in [9, 10, 11] {
            marks.insert((1, nov(day)), absent(Some("Б")));
        }
        marks.insert((1, nov(17)), absent(None));
        marks.remove(&(1, nov(25)));
        for day in 23..=27 {
            marks.insert((2, nov(day)), absent(Some("О")));
        }
        marks.insert((3, nov(18)), absent(Some("Х")));
        let sheet = Timesheet::build(&TimesheetInput {
            month: november(),
            calendar: &calendar,
            children: &children,
            marks: &marks,
            reasons: &reasons,
            today: nov(30),
        });
        let header = TimesheetHeader {
            organisation: "Муниципальное бюджетное дошкольное образовательное учреждение \
                           «Детский сад № 17 „Солнышко“» городского округа Подольск"
                .into(),
            organisation_short: "МБДОУ д/с № 17".into(),
            inn: "5036012345".into(),
            kpp: "503601001".into(),
            group: "Ромашка (старшая)".into(),
            month: november(),
            responsible: "Кузнецова Ольга Викторовна".into(),
            head: "Смирнова Елена Павловна".into(),
            submitted: None,
            signed: None,
            generated_on: nov(30),
            reasons,
        };
        (header, sheet)
    }

    pub fn signature(by: &str, november_day: u32) -> Signature {
        Signature {
            by: by.into(),
            on: nov(november_day),
        }
    }

    /// `count` children over a whole `month` of a Saturday–Sunday week, with a
    /// sprinkling of absences, long names among them; "today" is the month's last day.
    pub fn large_sheet(month: Month, count: usize) -> (TimesheetHeader, Timesheet) {
        let calendar = AcademicCalendar::default();
        let names = [
            "Александрова-Константинопольская Анастасия",
            "Ким Ли",
            "Абдурахмангаджиев Магомед-Расул",
            "Смирнова Варвара",
        ];
        let children: Vec<TimesheetChild> = (0..count)
            .map(|index| {
                let id = i64::try_from(index).unwrap() + 1;
                let name = format!("{} {:02}", names[index % names.len()], index + 1);
                child(id, &name, Enrolment::open(month.first_day()))
            })
            .collect();
        let codes = ["Б", "О", "К", "С", "П", "Н"];
        let mut marks = Marks::new();
        for (day_index, date) in calendar
            .working_days_in_month(month)
            .into_iter()
            .enumerate()
        {
            for child in &children {
                let roll = (child.id as usize * 7 + day_index * 3) % 17;
                let mark = match roll {
                    0 | 1 => Mark::Absent {
                        reason: Some(codes[child.id as usize % codes.len()].to_owned()),
                    },
                    2 => Mark::Absent { reason: None },
                    _ => Mark::Present,
                };
                marks.insert((child.id, date), mark);
            }
        }
        let reasons = AbsenceReason::defaults();
        let sheet = Timesheet::build(&TimesheetInput {
            month,
            calendar: &calendar,
            children: &children,
            marks: &marks,
            reasons: &reasons,
            today: month.last_day(),
        });
        let (mut header, _) = self::sheet();
        header.month = month;
        header.generated_on = month.last_day();
        (header, sheet)
    }

    fn child(id: i64, name: &str, enrolment: Enrolment) -> TimesheetChild {
        TimesheetChild {
            id,
            name: name.into(),
            enrolments: vec![enrolment],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixture_totals_are_as_described() {
        let (_, sheet) = fixture::sheet();
        let totals: Vec<[u32; 4]> = Printout::new(&fixture::sheet().0, &sheet)
            .rows
            .iter()
            .map(|row| row.totals)
            .collect();
        // Иванова: 3 Б (excused, not charged) + 1 Н (charged), 1 unmarked; 15 attended.
        // Петров: 5 О (excused); 15 attended. Сидоров: 1 unknown «Х» (charged); 10 attended.
        assert_eq!(totals, vec![[4, 3, 15, 16], [5, 5, 15, 15], [1, 0, 10, 11]]);
    }

    #[test]
    fn period_and_signature_date_are_russian() {
        assert_eq!(period_ru(fixture::november()), "за ноябрь 2026 г.");
        assert_eq!(signature_date_ru(fixture::nov(3)), "«03» ноября 2026 г.");
    }

    #[test]
    fn cells_print_the_reason_code_instead_of_n() {
        let (header, sheet) = fixture::sheet();
        let printout = Printout::new(&header, &sheet);
        let ivanova = &printout.rows[0].cells;
        assert_eq!(ivanova[0], "В"); // Sunday 1 Nov
        assert_eq!(ivanova[3], "В"); // the 4 Nov holiday
        assert_eq!(ivanova[1], ""); // present
        assert_eq!(ivanova[8], "Б");
        assert_eq!(ivanova[16], "Н");
        assert_eq!(ivanova[24], "?");
        let sidorov = &printout.rows[2].cells;
        assert_eq!(sidorov[0], ""); // not enrolled yet, even on a Sunday
        assert_eq!(sidorov[17], "Х");
        assert!(printout.days[0].off && !printout.days[1].off && printout.days[3].off);
        assert_eq!((printout.days[0].day, printout.days[0].weekday), (1, "вс"));
    }

    #[test]
    fn footer_counts_skip_days_off() {
        let (header, sheet) = fixture::sheet();
        let printout = Printout::new(&header, &sheet);
        assert_eq!(printout.present[0], None); // Sunday
        assert_eq!(printout.present[1], Some(2)); // Mon 2 Nov: Сидоров not enrolled yet
        assert_eq!(printout.present[8], Some(1)); // 9 Nov: Иванова ill
        assert_eq!(printout.absent[8], Some(1));
        assert_eq!(printout.present[24], Some(1)); // 25 Nov: one unmarked, one on leave
        assert_eq!(printout.group_totals, [10, 8, 40, 42]);
    }

    #[test]
    fn legend_lists_only_letters_in_use() {
        let (header, sheet) = fixture::sheet();
        let legend = Printout::new(&header, &sheet).legend;
        let symbols: Vec<&str> = legend.iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(symbols, ["пусто", "Б", "О", "Х", "Н", "?", "В"]);
        assert_eq!(legend[1].1, "болезнь");
        assert_eq!(legend[3].1, "отсутствие, код не из справочника");
    }

    #[test]
    fn a_reason_coded_n_shares_its_legend_entry_with_missing_reasons() {
        let (header, mut sheet) = fixture::sheet();
        sheet.rows[1].cells[1] = Cell::Absent {
            reason: Some("Н".into()),
        };
        let legend = Printout::new(&header, &sheet).legend;
        let n: Vec<&(String, String)> = legend.iter().filter(|(s, _)| s == "Н").collect();
        assert_eq!(n.len(), 1);
        assert_eq!(
            n[0].1,
            "без уважительной причины; отсутствие, причина не указана"
        );
    }
}
