//! The monthly attendance timesheet (табель учёта посещаемости детей, форма 0504608).
//!
//! The official form has one row per child and one column per day of the month: a blank
//! cell means the child attended, «Н» an absence, «В» a weekend or holiday. On the right it
//! totals the days missed, how many of them were for a valid reason, and how many days
//! the parental fee is charged for. Whether a reason is excused and whether it is charged
//! are two independent flags that differ between municipalities, so reasons are a
//! reference book ([`AbsenceReason`]) the organisation can edit, not an enum.
//!
//! Everything here is a pure function of its input, including "today", so the same
//! input always yields the same timesheet.

use std::collections::BTreeMap;
use std::ops::AddAssign;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::calendar::{date_en, date_ru, AcademicCalendar, DayKind, Month};
use super::Bilingual;

/// One entry of the absence-reason reference book.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AbsenceReason {
    /// The letter shown in the cell next to «Н», e.g. "Б".
    pub code: String,
    pub name_ru: String,
    pub name_en: String,
    /// Counts as a valid reason (уважительная причина) in the totals.
    pub excused: bool,
    /// The parental fee is charged for the day despite the absence.
    pub charged: bool,
    /// Withdrawn by the organisation: no longer offered for new marks, still naming
    /// the days already marked with it.
    #[serde(default)]
    pub archived: bool,
}

impl AbsenceReason {
    /// The reference book a new organisation starts with.
    pub fn defaults() -> Vec<Self> {
        [
            ("Б", "Болезнь", "Illness", true, false),
            ("О", "Отпуск", "Vacation", true, false),
            ("К", "Карантин", "Quarantine", true, false),
            ("С", "Санаторий", "Sanatorium", true, false),
            (
                "П",
                "Прочие уважительные причины",
                "Other valid reason",
                true,
                true,
            ),
            (
                "Н",
                "Без уважительной причины",
                "No valid reason",
                false,
                true,
            ),
        ]
        .into_iter()
        .map(|(code, name_ru, name_en, excused, charged)| Self {
            code: code.into(),
            name_ru: name_ru.into(),
            name_en: name_en.into(),
            excused,
            charged,
            archived: false,
        })
        .collect()
    }

    /// The reasons a teacher or a parent can choose from: those not archived.
    pub fn offered(book: &[Self]) -> Vec<Self> {
        book.iter().filter(|r| !r.archived).cloned().collect()
    }

    /// The reason with exactly this code, if the reference book has one.
    pub fn find<'a>(reasons: &'a [Self], code: &str) -> Option<&'a Self> {
        reasons.iter().find(|reason| reason.code == code)
    }
}

/// What a teacher recorded for a child on a day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Mark {
    Present,
    /// `reason` is an [`AbsenceReason::code`]; `None` while parents have not said why.
    Absent {
        reason: Option<String>,
    },
}

/// The period a child belongs to the group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawEnrolment")]
pub struct Enrolment {
    enrolled_on: NaiveDate,
    /// The last day in the group, inclusive; `None` while the child still attends.
    left_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnrolmentError {
    #[error("left on {left_on}, before being enrolled on {enrolled_on}")]
    LeftBeforeEnrolled {
        enrolled_on: NaiveDate,
        left_on: NaiveDate,
    },
}

/// Deserialisation goes through [`Enrolment::new`] so the invariant holds for wire data too.
#[derive(Deserialize)]
struct RawEnrolment {
    enrolled_on: NaiveDate,
    left_on: Option<NaiveDate>,
}

impl TryFrom<RawEnrolment> for Enrolment {
    type Error = EnrolmentError;

    fn try_from(raw: RawEnrolment) -> Result<Self, Self::Error> {
        Self::new(raw.enrolled_on, raw.left_on)
    }
}

impl Enrolment {
    /// A child may leave on the day they were enrolled, but not before.
    pub fn new(enrolled_on: NaiveDate, left_on: Option<NaiveDate>) -> Result<Self, EnrolmentError> {
        match left_on {
            Some(left_on) if left_on < enrolled_on => Err(EnrolmentError::LeftBeforeEnrolled {
                enrolled_on,
                left_on,
            }),
            _ => Ok(Self {
                enrolled_on,
                left_on,
            }),
        }
    }

    /// A child who is still in the group.
    pub fn open(enrolled_on: NaiveDate) -> Self {
        Self {
            enrolled_on,
            left_on: None,
        }
    }

    pub fn enrolled_on(&self) -> NaiveDate {
        self.enrolled_on
    }

    pub fn left_on(&self) -> Option<NaiveDate> {
        self.left_on
    }

    /// Both ends inclusive.
    pub fn contains(&self, date: NaiveDate) -> bool {
        date >= self.enrolled_on && self.left_on.is_none_or(|left_on| date <= left_on)
    }

    /// The first of `closed` (months whose табель is closed) in which changing this
    /// enrolment into `changed` would add or remove a day, so the change must be
    /// refused while that month stays closed. Setting a leaving date and clearing it
    /// again are the same question with `self` and `changed` swapped.
    pub fn first_changed_month(
        &self,
        changed: &Enrolment,
        closed: impl IntoIterator<Item = Month>,
    ) -> Option<Month> {
        closed
            .into_iter()
            .filter(|month| {
                month
                    .days()
                    .any(|day| self.contains(day) != changed.contains(day))
            })
            .min()
    }
}

/// A child listed in the timesheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimesheetChild {
    pub id: i64,
    /// As printed in the row, e.g. "Иванова Мария".
    pub name: String,
    /// The child's periods in this group that touch the month: more than one when the
    /// child left and came back, or moved out and back within it.
    pub enrolments: Vec<Enrolment>,
}

impl TimesheetChild {
    /// Whether the day is one of the child's days in this group.
    pub fn in_group_on(&self, date: NaiveDate) -> bool {
        self.enrolments.iter().any(|e| e.contains(date))
    }
}

/// Marks keyed by child id and date. A `BTreeMap` so one child's month is a range lookup
/// and warnings come out in a stable order.
pub type Marks = BTreeMap<(i64, NaiveDate), Mark>;

/// Everything a timesheet is computed from.
#[derive(Debug, Clone, Copy)]
pub struct TimesheetInput<'a> {
    pub month: Month,
    pub calendar: &'a AcademicCalendar,
    /// Rows appear in this order.
    pub children: &'a [TimesheetChild],
    /// May hold marks for other months or children; those are ignored.
    pub marks: &'a Marks,
    pub reasons: &'a [AbsenceReason],
    /// Working days after this are [`Cell::Future`], not [`Cell::Unmarked`].
    pub today: NaiveDate,
}

/// One child on one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Cell {
    /// Before enrolment or after leaving; printed blank.
    NotEnrolled,
    /// A weekend or holiday within the enrolment; printed «В».
    DayOff,
    /// Printed blank: the official form marks only absences.
    Present,
    /// Printed «Н»; the reason code is shown next to it in our interface.
    Absent { reason: Option<String> },
    /// A working day up to today that nobody has marked yet.
    Unmarked,
    /// An unmarked working day after today.
    Future,
}

impl Cell {
    /// The letter the official form prints in the cell.
    pub fn symbol(&self) -> &'static str {
        match self {
            Self::DayOff => "В",
            Self::Absent { .. } => "Н",
            Self::NotEnrolled | Self::Present | Self::Unmarked | Self::Future => "",
        }
    }

    /// What Tabel's табель prints in a day cell (page and exports alike): the reason
    /// code in place of «Н» when known, «В» for a day off, «?» for a working day nobody
    /// marked, blank otherwise.
    pub fn printed(&self) -> &str {
        match self {
            Self::Absent { reason: Some(code) } => code,
            Self::Absent { reason: None } => "Н",
            Self::DayOff => "В",
            Self::Unmarked => "?",
            Self::NotEnrolled | Self::Present | Self::Future => "",
        }
    }

    /// The absence reason code, for interfaces that show more than the official form.
    pub fn reason_letter(&self) -> Option<&str> {
        match self {
            Self::Absent { reason: Some(code) } => Some(code),
            _ => None,
        }
    }
}

/// A day of the month with the number of children present and absent on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayColumn {
    pub date: NaiveDate,
    pub kind: DayKind,
    pub present: u32,
    pub absent: u32,
}

/// Per-child totals for the month.
///
/// Invariants: `working_days = attended + absent_total + unmarked + future` and
/// `absent_total = absent_excused + absent_unexcused`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChildTotals {
    /// Working days of the month within the enrolment.
    pub working_days: u32,
    /// Days attended (детодни).
    pub attended: u32,
    pub absent_total: u32,
    pub absent_excused: u32,
    /// Includes absences with no reason yet and with codes missing from the reference book.
    pub absent_unexcused: u32,
    /// Absences by the code as marked, unknown codes included; no-reason absences are
    /// counted in `absent_no_reason` instead.
    pub absent_by_reason: BTreeMap<String, u32>,
    pub absent_no_reason: u32,
    /// Days the parental fee is charged for: attended plus charged absences.
    pub charged_days: u32,
    /// Working days up to today without a mark: the timesheet is not finished.
    pub unmarked: u32,
    /// Unmarked working days after today.
    pub future: u32,
}

/// Totals for the whole group.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupTotals {
    /// Number of rows.
    pub children: u32,
    /// Every [`ChildTotals`] field summed over the rows.
    pub sum: ChildTotals,
    /// The form's bottom line: [`DayColumn::present`] summed over the days.
    pub child_days_present: u32,
    /// [`DayColumn::absent`] summed over the days.
    pub child_days_absent: u32,
}

/// One child's line of the timesheet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChildRow {
    pub child_id: i64,
    pub name: String,
    /// One cell per day of the month, aligned with [`Timesheet::days`].
    pub cells: Vec<Cell>,
    pub totals: ChildTotals,
}

/// A mark that was not counted as recorded, so the interface can ask someone to fix it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum TimesheetWarning {
    /// Ignored: the child was not in the group that day.
    MarkOutsideEnrolment {
        child_id: i64,
        child_name: String,
        date: NaiveDate,
    },
    /// Ignored: nobody attends on a weekend or holiday.
    MarkOnDayOff {
        child_id: i64,
        child_name: String,
        date: NaiveDate,
    },
    /// Ignored: attendance cannot be known in advance (a planned absence can, and counts).
    PresentInFuture {
        child_id: i64,
        child_name: String,
        date: NaiveDate,
    },
    /// Counted as an absence without a valid reason, and charged.
    UnknownReason {
        child_id: i64,
        child_name: String,
        date: NaiveDate,
        code: String,
    },
}

/// One letter of the grid and what it means, under the grid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegendEntry {
    /// The letter; empty for the blank cell of a present child.
    pub symbol: String,
    pub ru: String,
    pub en: String,
}

/// «Болезнь» → «болезнь», for use inside a sentence.
fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The computed timesheet for one group and month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timesheet {
    pub month: Month,
    pub days: Vec<DayColumn>,
    pub rows: Vec<ChildRow>,
    pub totals: GroupTotals,
    pub warnings: Vec<TimesheetWarning>,
}

impl Timesheet {
    /// The letters that occur in the grid, with their meaning: reasons in reference-book
    /// order, then codes the book does not know, then «Н» without a reason, «?» and «В».
    /// A letter that means two things (a reason coded «Н» next to absences with no
    /// reason) gets both meanings on one entry.
    pub fn legend(&self, reasons: &[AbsenceReason]) -> Vec<LegendEntry> {
        let cells = || self.rows.iter().flat_map(|row| row.cells.iter());
        let mut codes: Vec<&str> = cells().filter_map(Cell::reason_letter).collect();
        codes.sort_unstable();
        codes.dedup();
        let mut entries: Vec<LegendEntry> = Vec::new();
        let mut add = |symbol: &str, ru: String, en: String| {
            match entries.iter_mut().find(|e| e.symbol == symbol) {
                Some(existing) => {
                    existing.ru = format!("{}; {ru}", existing.ru);
                    existing.en = format!("{}; {en}", existing.en);
                }
                None => entries.push(LegendEntry {
                    symbol: symbol.to_owned(),
                    ru,
                    en,
                }),
            };
        };
        if cells().any(|cell| matches!(cell, Cell::Present)) {
            add("", "присутствие".into(), "present".into());
        }
        for reason in reasons {
            if codes.contains(&reason.code.as_str()) {
                let en = if reason.name_en.trim().is_empty() {
                    &reason.name_ru
                } else {
                    &reason.name_en
                };
                add(
                    &reason.code,
                    lowercase_first(&reason.name_ru),
                    lowercase_first(en),
                );
            }
        }
        for code in codes {
            if AbsenceReason::find(reasons, code).is_none() {
                add(
                    code,
                    "отсутствие, код не из справочника".into(),
                    "absent, a code not in the reference book".into(),
                );
            }
        }
        let printed = |cell: Cell| cell.printed().to_owned();
        if cells().any(|cell| matches!(cell, Cell::Absent { reason: None })) {
            add(
                &printed(Cell::Absent { reason: None }),
                "отсутствие, причина не указана".into(),
                "absent, no reason given".into(),
            );
        }
        if cells().any(|cell| matches!(cell, Cell::Unmarked)) {
            add(
                &printed(Cell::Unmarked),
                "отметка не внесена".into(),
                "not marked yet".into(),
            );
        }
        if cells().any(|cell| matches!(cell, Cell::DayOff)) {
            add(
                &printed(Cell::DayOff),
                "выходной или праздничный день".into(),
                "weekend or holiday".into(),
            );
        }
        entries
    }

    /// Computes the timesheet. Never fails: questionable marks become warnings.
    pub fn build(input: &TimesheetInput<'_>) -> Self {
        let kinds: Vec<(NaiveDate, DayKind)> = input
            .month
            .days()
            .map(|date| (date, input.calendar.day_kind(date)))
            .collect();
        let mut rows = Vec::with_capacity(input.children.len());
        let mut warnings = Vec::new();
        for child in input.children {
            let row = child_row(input, child, &kinds);
            warnings.extend(mark_warnings(input, child, &row.cells));
            rows.push(row);
        }
        let days = day_columns(&kinds, &rows);
        let totals = GroupTotals::of(&rows, &days);
        Self {
            month: input.month,
            days,
            rows,
            totals,
            warnings,
        }
    }
}

fn child_row(
    input: &TimesheetInput<'_>,
    child: &TimesheetChild,
    kinds: &[(NaiveDate, DayKind)],
) -> ChildRow {
    let cells: Vec<Cell> = kinds
        .iter()
        .map(|&(date, kind)| {
            let mark = input.marks.get(&(child.id, date));
            cell_for(date, kind, child.in_group_on(date), mark, input.today)
        })
        .collect();
    ChildRow {
        child_id: child.id,
        name: child.name.clone(),
        totals: ChildTotals::of(&cells, input.reasons),
        cells,
    }
}

/// Enrolment and the calendar decide first, so a stray mark can never put a child in the
/// group on a day they were not in it, or make a holiday count.
fn cell_for(
    date: NaiveDate,
    kind: DayKind,
    in_group: bool,
    mark: Option<&Mark>,
    today: NaiveDate,
) -> Cell {
    if !in_group {
        return Cell::NotEnrolled;
    }
    if !kind.is_working() {
        return Cell::DayOff;
    }
    match mark {
        Some(Mark::Absent { reason }) => Cell::Absent {
            reason: normalize_reason(reason.as_deref()),
        },
        Some(Mark::Present) if date <= today => Cell::Present,
        _ if date > today => Cell::Future,
        _ => Cell::Unmarked,
    }
}

/// A blank code is what a form sends when no reason was picked: treat it as no reason
/// rather than as an unknown code "".
fn normalize_reason(code: Option<&str>) -> Option<String> {
    code.map(str::trim)
        .filter(|code| !code.is_empty())
        .map(str::to_owned)
}

fn mark_warnings(
    input: &TimesheetInput<'_>,
    child: &TimesheetChild,
    cells: &[Cell],
) -> Vec<TimesheetWarning> {
    let month = (child.id, input.month.first_day())..=(child.id, input.month.last_day());
    input
        .marks
        .range(month)
        .filter_map(|(&(_, date), mark)| {
            let cell = &cells[date.day0() as usize];
            mark_warning(child, date, mark, cell, input.reasons)
        })
        .collect()
}

/// Compares a mark with the cell it produced; any difference is worth a warning.
fn mark_warning(
    child: &TimesheetChild,
    date: NaiveDate,
    mark: &Mark,
    cell: &Cell,
    reasons: &[AbsenceReason],
) -> Option<TimesheetWarning> {
    let child_id = child.id;
    let child_name = child.name.clone();
    match (cell, mark) {
        (Cell::NotEnrolled, _) => Some(TimesheetWarning::MarkOutsideEnrolment {
            child_id,
            child_name,
            date,
        }),
        (Cell::DayOff, _) => Some(TimesheetWarning::MarkOnDayOff {
            child_id,
            child_name,
            date,
        }),
        (Cell::Future, Mark::Present) => Some(TimesheetWarning::PresentInFuture {
            child_id,
            child_name,
            date,
        }),
        (Cell::Absent { reason: Some(code) }, _)
            if AbsenceReason::find(reasons, code).is_none() =>
        {
            Some(TimesheetWarning::UnknownReason {
                child_id,
                child_name,
                date,
                code: code.clone(),
            })
        }
        _ => None,
    }
}

impl ChildTotals {
    fn of(cells: &[Cell], reasons: &[AbsenceReason]) -> Self {
        let mut totals = Self::default();
        for cell in cells {
            totals.count(cell, reasons);
        }
        totals
    }

    fn count(&mut self, cell: &Cell, reasons: &[AbsenceReason]) {
        match cell {
            Cell::NotEnrolled | Cell::DayOff => return,
            Cell::Present => {
                self.attended += 1;
                self.charged_days += 1;
            }
            Cell::Absent { reason } => self.count_absence(reason.as_deref(), reasons),
            Cell::Unmarked => self.unmarked += 1,
            Cell::Future => self.future += 1,
        }
        self.working_days += 1;
    }

    /// An absence nobody explained, or explained with a code the reference book does not
    /// know, is treated like «Н»: unexcused and charged. Guessing in the parents' favour
    /// would hide the missing reason; the warning list tells staff to fix it.
    fn count_absence(&mut self, code: Option<&str>, reasons: &[AbsenceReason]) {
        self.absent_total += 1;
        match code {
            Some(code) => *self.absent_by_reason.entry(code.to_owned()).or_default() += 1,
            None => self.absent_no_reason += 1,
        }
        let (excused, charged) = code
            .and_then(|code| AbsenceReason::find(reasons, code))
            .map_or((false, true), |reason| (reason.excused, reason.charged));
        if excused {
            self.absent_excused += 1;
        } else {
            self.absent_unexcused += 1;
        }
        if charged {
            self.charged_days += 1;
        }
    }
}

impl AddAssign<&ChildTotals> for ChildTotals {
    fn add_assign(&mut self, other: &ChildTotals) {
        self.working_days += other.working_days;
        self.attended += other.attended;
        self.absent_total += other.absent_total;
        self.absent_excused += other.absent_excused;
        self.absent_unexcused += other.absent_unexcused;
        self.absent_no_reason += other.absent_no_reason;
        self.charged_days += other.charged_days;
        self.unmarked += other.unmarked;
        self.future += other.future;
        for (code, count) in &other.absent_by_reason {
            *self.absent_by_reason.entry(code.clone()).or_default() += count;
        }
    }
}

impl GroupTotals {
    fn of(rows: &[ChildRow], days: &[DayColumn]) -> Self {
        let mut sum = ChildTotals::default();
        for row in rows {
            sum += &row.totals;
        }
        Self {
            children: count_u32(rows.len()),
            sum,
            child_days_present: days.iter().map(|day| day.present).sum(),
            child_days_absent: days.iter().map(|day| day.absent).sum(),
        }
    }
}

fn day_columns(kinds: &[(NaiveDate, DayKind)], rows: &[ChildRow]) -> Vec<DayColumn> {
    kinds
        .iter()
        .enumerate()
        .map(|(index, &(date, kind))| {
            let count = |wanted: fn(&Cell) -> bool| {
                count_u32(rows.iter().filter(|row| wanted(&row.cells[index])).count())
            };
            DayColumn {
                date,
                kind,
                present: count(|cell| matches!(cell, Cell::Present)),
                absent: count(|cell| matches!(cell, Cell::Absent { .. })),
            }
        })
        .collect()
}

/// Row and day counts are bounded by group sizes; saturate rather than wrap if not.
fn count_u32(count: usize) -> u32 {
    u32::try_from(count).unwrap_or(u32::MAX)
}

/// An unbroken stretch of absence with one reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AbsenceRun {
    /// First absent working day.
    pub from: NaiveDate,
    /// Last absent working day (not a weekend that follows it).
    pub to: NaiveDate,
    /// Absent working days in the run; days off inside it are not counted.
    pub working_days: u32,
    pub reason: Option<String>,
}

/// Runs of absence over consecutive working days, e.g. to ask for a doctor's note after a
/// long illness.
///
/// Weekends and holidays inside a run neither extend nor break it, because absence length
/// is counted in working days. A change of reason starts a new run, as does anything else
/// on a working day (attendance, a missing mark, the end of enrolment). Runs are cut at
/// the month's edges: one may continue in the neighbouring month's timesheet.
pub fn consecutive_absences(row: &ChildRow, days: &[DayColumn]) -> Vec<AbsenceRun> {
    let mut runs: Vec<AbsenceRun> = Vec::new();
    let mut run_is_open = false;
    for (cell, day) in row.cells.iter().zip(days) {
        match cell {
            Cell::Absent { reason } => match runs.last_mut() {
                Some(run) if run_is_open && run.reason == *reason => {
                    run.to = day.date;
                    run.working_days += 1;
                }
                _ => {
                    runs.push(AbsenceRun {
                        from: day.date,
                        to: day.date,
                        working_days: 1,
                        reason: reason.clone(),
                    });
                    run_is_open = true;
                }
            },
            _ if !day.kind.is_working() => {}
            _ => run_is_open = false,
        }
    }
    runs
}

impl TimesheetWarning {
    pub fn child_id(&self) -> i64 {
        match self {
            Self::MarkOutsideEnrolment { child_id, .. }
            | Self::MarkOnDayOff { child_id, .. }
            | Self::PresentInFuture { child_id, .. }
            | Self::UnknownReason { child_id, .. } => *child_id,
        }
    }

    pub fn date(&self) -> NaiveDate {
        match self {
            Self::MarkOutsideEnrolment { date, .. }
            | Self::MarkOnDayOff { date, .. }
            | Self::PresentInFuture { date, .. }
            | Self::UnknownReason { date, .. } => *date,
        }
    }

    fn child_name(&self) -> &str {
        match self {
            Self::MarkOutsideEnrolment { child_name, .. }
            | Self::MarkOnDayOff { child_name, .. }
            | Self::PresentInFuture { child_name, .. }
            | Self::UnknownReason { child_name, .. } => child_name,
        }
    }
}

impl Bilingual for TimesheetWarning {
    fn ru(&self) -> String {
        let (name, date) = (self.child_name(), date_ru(self.date()));
        match self {
            Self::MarkOutsideEnrolment { .. } => format!(
                "{name}: отметка за {date} вне периода зачисления в группу, она не учтена."
            ),
            Self::MarkOnDayOff { .. } => format!(
                "{name}: отметка за {date} приходится на выходной или праздничный день, она не учтена."
            ),
            Self::PresentInFuture { .. } => format!(
                "{name}: присутствие отмечено заранее, на {date}, и пока не учтено."
            ),
            Self::UnknownReason { code, .. } => format!(
                "{name}: причины с кодом «{code}» ({date}) нет в справочнике; день учтён как пропуск без уважительной причины."
            ),
        }
    }

    fn en(&self) -> String {
        let (name, date) = (self.child_name(), date_en(self.date()));
        match self {
            Self::MarkOutsideEnrolment { .. } => format!(
                "{name}: the mark for {date} is outside the enrolment period and was not counted."
            ),
            Self::MarkOnDayOff { .. } => format!(
                "{name}: the mark for {date} falls on a weekend or holiday and was not counted."
            ),
            Self::PresentInFuture { .. } => format!(
                "{name}: attendance is marked in advance for {date} and is not counted yet."
            ),
            Self::UnknownReason { code, .. } => format!(
                "{name}: absence reason code “{code}” ({date}) is not in the reference book; the day is counted as an absence without a valid reason."
            ),
        }
    }
}

impl Bilingual for EnrolmentError {
    fn ru(&self) -> String {
        match self {
            Self::LeftBeforeEnrolled {
                enrolled_on,
                left_on,
            } => format!(
                "Дата выбытия {} раньше даты зачисления {}.",
                date_ru(*left_on),
                date_ru(*enrolled_on)
            ),
        }
    }

    fn en(&self) -> String {
        match self {
            Self::LeftBeforeEnrolled {
                enrolled_on,
                left_on,
            } => format!(
                "The leaving date {} is before the enrolment date {}.",
                date_en(*left_on),
                date_en(*enrolled_on)
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).unwrap()
    }

    fn nov(day: u32) -> NaiveDate {
        date(2026, 11, day)
    }

    /// November 2026: 1 Nov is a Sunday, Wed 4 Nov a holiday, Sat 7 Nov (pretend) worked.
    /// Working days (21): 2 3 5 6 7 | 9–13 | 16–20 | 23–27 | 30.
    const NOVEMBER_WORKING: [u32; 21] = [
        2, 3, 5, 6, 7, 9, 10, 11, 12, 13, 16, 17, 18, 19, 20, 23, 24, 25, 26, 27, 30,
    ];

    /// The timesheet closed after the month: no `Future` cells.
    fn after_november() -> NaiveDate {
        date(2026, 12, 1)
    }

    fn november_calendar() -> AcademicCalendar {
        AcademicCalendar::new([nov(4)], [nov(7)]).unwrap()
    }

    fn child(id: i64, name: &str, enrolment: Enrolment) -> TimesheetChild {
        TimesheetChild {
            id,
            name: name.into(),
            enrolments: vec![enrolment],
        }
    }

    /// Enrolled at the start of the school year, still in the group.
    fn whole_month(id: i64, name: &str) -> TimesheetChild {
        child(id, name, Enrolment::open(date(2026, 9, 1)))
    }

    fn absent(code: &str) -> Mark {
        Mark::Absent {
            reason: Some(code.into()),
        }
    }

    fn absent_no_reason() -> Mark {
        Mark::Absent { reason: None }
    }

    fn mark_days(marks: &mut Marks, child_id: i64, days: &[u32], mark: &Mark) {
        for &day in days {
            marks.insert((child_id, nov(day)), mark.clone());
        }
    }

    fn build_with(
        children: &[TimesheetChild],
        marks: &Marks,
        reasons: &[AbsenceReason],
        today: NaiveDate,
    ) -> Timesheet {
        let calendar = november_calendar();
        Timesheet::build(&TimesheetInput {
            month: Month::new(2026, 11).unwrap(),
            calendar: &calendar,
            children,
            marks,
            reasons,
            today,
        })
    }

    fn build(children: &[TimesheetChild], marks: &Marks, today: NaiveDate) -> Timesheet {
        build_with(children, marks, &AbsenceReason::defaults(), today)
    }

    fn assert_invariants(totals: &ChildTotals) {
        assert_eq!(
            totals.working_days,
            totals.attended + totals.absent_total + totals.unmarked + totals.future
        );
        assert_eq!(
            totals.absent_total,
            totals.absent_excused + totals.absent_unexcused
        );
        let by_reason: u32 = totals.absent_by_reason.values().sum();
        assert_eq!(totals.absent_total, by_reason + totals.absent_no_reason);
    }

    #[test]
    fn default_reasons_have_the_agreed_flags() {
        let flags: Vec<(String, bool, bool)> = AbsenceReason::defaults()
            .into_iter()
            .inspect(|r| assert!(!r.name_ru.is_empty() && !r.name_en.is_empty()))
            .map(|r| (r.code, r.excused, r.charged))
            .collect();
        let expected: Vec<(String, bool, bool)> = [
            ("Б", true, false),
            ("О", true, false),
            ("К", true, false),
            ("С", true, false),
            ("П", true, true),
            ("Н", false, true),
        ]
        .into_iter()
        .map(|(code, excused, charged)| (code.to_owned(), excused, charged))
        .collect();
        assert_eq!(flags, expected);
    }

    #[test]
    fn enrolment_contains_both_ends() {
        let enrolment = Enrolment::new(nov(16), Some(nov(20))).unwrap();
        assert!(!enrolment.contains(nov(15)));
        assert!(enrolment.contains(nov(16)));
        assert!(enrolment.contains(nov(20)));
        assert!(!enrolment.contains(nov(21)));
        let open = Enrolment::open(nov(16));
        assert!(open.contains(date(2030, 1, 1)));
        assert_eq!(open.left_on(), None);
        assert_eq!(open.enrolled_on(), nov(16));
        assert!(Enrolment::new(nov(16), Some(nov(16)))
            .unwrap()
            .contains(nov(16)));
    }

    #[test]
    fn a_closed_month_is_changed_only_by_a_day_it_holds() {
        let month = |m: u32| Month::new(2026, m).unwrap();
        let september = date(2026, 9, 1);
        let open = Enrolment::open(september);
        let left = Enrolment::new(september, Some(nov(12))).unwrap();
        let closed = [month(9), month(10), month(11), month(12)];
        // Leaving on 12 November changes November and every month after it.
        assert_eq!(open.first_changed_month(&left, closed), Some(month(11)));
        // Returning is the same question the other way round.
        assert_eq!(left.first_changed_month(&open, closed), Some(month(11)));
        assert_eq!(
            left.first_changed_month(&open, [month(12), month(10)]),
            Some(month(12)),
            "the earliest changed month, whatever the order given"
        );
        // Months that end by the leaving day are not touched.
        assert_eq!(left.first_changed_month(&open, [month(9), month(10)]), None);
        assert_eq!(left.first_changed_month(&open, []), None);
        // Leaving on the last day of a month leaves that month as it was.
        let end_of_october = Enrolment::new(september, Some(date(2026, 10, 31))).unwrap();
        assert_eq!(end_of_october.first_changed_month(&open, [month(10)]), None);
        assert_eq!(
            end_of_october.first_changed_month(&open, [month(10), month(11)]),
            Some(month(11))
        );
        // Moving the leaving date within November changes November only.
        let later = Enrolment::new(september, Some(nov(20))).unwrap();
        assert_eq!(
            left.first_changed_month(&later, [month(10), month(12)]),
            None
        );
        assert_eq!(left.first_changed_month(&later, closed), Some(month(11)));
        // No change, no month.
        assert_eq!(left.first_changed_month(&left, closed), None);
    }

    #[test]
    fn enrolment_cannot_end_before_it_starts() {
        assert_eq!(
            Enrolment::new(nov(16), Some(nov(13))),
            Err(EnrolmentError::LeftBeforeEnrolled {
                enrolled_on: nov(16),
                left_on: nov(13),
            })
        );
    }

    #[test]
    fn children_joining_and_leaving_mid_month() {
        // Anya joins on Mon 16 Nov; working days 16–20 (5), 23–27 (5), 30 (1) = 11.
        // She is ill (Б) on 18, nobody marked 19, present on the other 9.
        // Boris leaves on Fri 13 Nov (inclusive); working days 2 3 5 6 7 (5) + 9–13 (5) = 10.
        // He is absent without a valid reason (Н) on 5 and present on the other 9.
        let anya = child(1, "Анна", Enrolment::open(nov(16)));
        let boris = child(
            2,
            "Борис",
            Enrolment::new(date(2026, 9, 1), Some(nov(13))).unwrap(),
        );
        let mut marks = Marks::new();
        mark_days(
            &mut marks,
            1,
            &[16, 17, 20, 23, 24, 25, 26, 27, 30],
            &Mark::Present,
        );
        marks.insert((1, nov(18)), absent("Б"));
        marks.insert((1, nov(13)), Mark::Present); // before she joined: ignored
        mark_days(
            &mut marks,
            2,
            &[2, 3, 6, 7, 9, 10, 11, 12, 13],
            &Mark::Present,
        );
        marks.insert((2, nov(5)), absent("Н"));
        marks.insert((2, nov(16)), Mark::Present); // after he left: ignored

        let sheet = build(&[anya, boris], &marks, after_november());
        let (a, b) = (&sheet.rows[0], &sheet.rows[1]);

        assert_eq!(a.totals.working_days, 11);
        assert_eq!(a.totals.attended, 9);
        assert_eq!(a.totals.absent_total, 1);
        assert_eq!(a.totals.absent_excused, 1);
        assert_eq!(a.totals.absent_unexcused, 0);
        assert_eq!(a.totals.unmarked, 1);
        assert_eq!(a.totals.future, 0);
        // Illness is not charged: only the 9 attended days.
        assert_eq!(a.totals.charged_days, 9);
        assert_eq!(a.totals.absent_by_reason, BTreeMap::from([("Б".into(), 1)]));

        assert_eq!(b.totals.working_days, 10);
        assert_eq!(b.totals.attended, 9);
        assert_eq!(b.totals.absent_total, 1);
        assert_eq!(b.totals.absent_excused, 0);
        assert_eq!(b.totals.absent_unexcused, 1);
        assert_eq!(b.totals.unmarked, 0);
        // «Н» is charged: 9 attended + 1 = 10.
        assert_eq!(b.totals.charged_days, 10);

        // Cells are indexed by day - 1.
        assert_eq!(a.cells[14], Cell::NotEnrolled); // 15 Nov, Sunday before joining
        assert_eq!(a.cells[12], Cell::NotEnrolled); // 13 Nov, stray mark ignored
        assert_eq!(a.cells[15], Cell::Present); // 16 Nov
        assert_eq!(a.cells[18], Cell::Unmarked); // 19 Nov
        assert_eq!(b.cells[0], Cell::DayOff); // Sunday 1 Nov, enrolled
        assert_eq!(b.cells[3], Cell::DayOff); // holiday 4 Nov
        assert_eq!(b.cells[12], Cell::Present); // 13 Nov, last day
        assert_eq!(b.cells[13], Cell::NotEnrolled); // 14 Nov, after leaving
        assert_eq!(b.cells[15], Cell::NotEnrolled); // 16 Nov, stray mark ignored

        // Two children: 11 + 10 = 21 working days, 18 attended, 2 absent, 9 + 10 charged.
        assert_eq!(sheet.totals.children, 2);
        assert_eq!(sheet.totals.sum.working_days, 21);
        assert_eq!(sheet.totals.sum.attended, 18);
        assert_eq!(sheet.totals.sum.absent_total, 2);
        assert_eq!(sheet.totals.sum.charged_days, 19);
        assert_eq!(sheet.totals.sum.unmarked, 1);

        assert_eq!(
            sheet.warnings,
            vec![
                TimesheetWarning::MarkOutsideEnrolment {
                    child_id: 1,
                    child_name: "Анна".into(),
                    date: nov(13),
                },
                TimesheetWarning::MarkOutsideEnrolment {
                    child_id: 2,
                    child_name: "Борис".into(),
                    date: nov(16),
                },
            ]
        );
        assert_invariants(&a.totals);
        assert_invariants(&b.totals);
    }

    #[test]
    fn every_default_reason_once_plus_no_reason_and_unknown_code() {
        // Absences: Б 2, О 3, К 5, С 6, П 7, Н 9, no reason 10, unknown "Х" 11 = 8 days.
        // Present on the other 21 - 8 = 13 working days.
        // Excused: Б О К С П = 5. Unexcused: Н, no reason, Х = 3.
        // Charged absences: П, Н, no reason, Х = 4; charged days = 13 + 4 = 17.
        let mut marks = Marks::new();
        for (day, code) in [
            (2, "Б"),
            (3, "О"),
            (5, "К"),
            (6, "С"),
            (7, "П"),
            (9, "Н"),
            (11, "Х"),
        ] {
            marks.insert((1, nov(day)), absent(code));
        }
        marks.insert((1, nov(10)), absent_no_reason());
        let present: Vec<u32> = NOVEMBER_WORKING
            .into_iter()
            .filter(|day| !(2..=11).contains(day))
            .collect();
        assert_eq!(present.len(), 13);
        mark_days(&mut marks, 1, &present, &Mark::Present);

        let sheet = build(&[whole_month(1, "Вера")], &marks, after_november());
        let totals = &sheet.rows[0].totals;

        assert_eq!(totals.working_days, 21);
        assert_eq!(totals.attended, 13);
        assert_eq!(totals.absent_total, 8);
        assert_eq!(totals.absent_excused, 5);
        assert_eq!(totals.absent_unexcused, 3);
        assert_eq!(totals.absent_no_reason, 1);
        assert_eq!(totals.charged_days, 17);
        assert_eq!(totals.unmarked, 0);
        assert_eq!(
            totals.absent_by_reason,
            ["Б", "О", "К", "С", "П", "Н", "Х"]
                .into_iter()
                .map(|code| (code.to_owned(), 1))
                .collect::<BTreeMap<_, _>>()
        );
        assert_eq!(
            sheet.warnings,
            vec![TimesheetWarning::UnknownReason {
                child_id: 1,
                child_name: "Вера".into(),
                date: nov(11),
                code: "Х".into(),
            }]
        );
        assert_invariants(totals);
    }

    #[test]
    fn reason_flags_come_from_the_reference_book() {
        // A municipality that charges for illness and does not know «Н».
        let reasons = vec![AbsenceReason {
            code: "Б".into(),
            name_ru: "Болезнь".into(),
            name_en: "Illness".into(),
            excused: true,
            charged: true,
            archived: false,
        }];
        let mut marks = Marks::new();
        marks.insert((1, nov(2)), absent("Б"));
        marks.insert((1, nov(3)), absent("Н"));
        let sheet = build_with(
            &[whole_month(1, "Вера")],
            &marks,
            &reasons,
            after_november(),
        );
        let totals = &sheet.rows[0].totals;
        // Б: excused, charged. Н: unknown here, so unexcused and charged. 2 charged days.
        assert_eq!(totals.absent_excused, 1);
        assert_eq!(totals.absent_unexcused, 1);
        assert_eq!(totals.charged_days, 2);
        // 21 working days - 2 absences = 19 unmarked.
        assert_eq!(totals.unmarked, 19);
        assert_eq!(sheet.warnings.len(), 1);
    }

    #[test]
    fn blank_reason_code_means_no_reason() {
        let mut marks = Marks::new();
        marks.insert((1, nov(2)), absent(" "));
        let sheet = build(&[whole_month(1, "Вера")], &marks, after_november());
        assert_eq!(sheet.rows[0].cells[1], Cell::Absent { reason: None });
        assert_eq!(sheet.rows[0].totals.absent_no_reason, 1);
        assert!(sheet.rows[0].totals.absent_by_reason.is_empty());
        assert!(sheet.warnings.is_empty());
    }

    #[test]
    fn three_children_per_day_counts_and_group_totals() {
        // Today is Fri 6 Nov. Working days up to today: 2 3 5 6 (4); after it: 17.
        //            Mon 2  Tue 3  (Wed 4 hol)  Thu 5  Fri 6   Sat 7 (future)
        // child 1:   P      P      [P ignored]  P      P       —       (+ P on 9: ignored)
        // child 2:   P      A(—)                P      unmarked —
        // child 3:   A(Б)   A(Б)                P      A(О)    A(О) planned
        // present:   2      1      0            3      1       0
        // absent:    1      2      0            0      1       1
        let mut marks = Marks::new();
        mark_days(&mut marks, 1, &[2, 3, 4, 5, 6, 9], &Mark::Present);
        mark_days(&mut marks, 2, &[2, 5], &Mark::Present);
        marks.insert((2, nov(3)), absent_no_reason());
        mark_days(&mut marks, 3, &[2, 3], &absent("Б"));
        marks.insert((3, nov(5)), Mark::Present);
        mark_days(&mut marks, 3, &[6, 7], &absent("О"));
        let children = [
            whole_month(1, "Алёна"),
            whole_month(2, "Глеб"),
            whole_month(3, "Дина"),
        ];
        let sheet = build(&children, &marks, nov(6));

        let counts: Vec<(u32, u32)> = sheet.days.iter().map(|d| (d.present, d.absent)).collect();
        let mut expected = vec![(0, 0), (2, 1), (1, 2), (0, 0), (3, 0), (1, 1), (0, 1)];
        expected.extend([(0, 0); 23]);
        assert_eq!(counts, expected);
        assert_eq!(sheet.days[3].kind, DayKind::Holiday);
        assert_eq!(sheet.days[6].kind, DayKind::Working);

        // Child 1: attended 2 3 5 6 = 4, future 17. Charged 4.
        let c1 = &sheet.rows[0].totals;
        assert_eq!((c1.working_days, c1.attended, c1.absent_total), (21, 4, 0));
        assert_eq!((c1.unmarked, c1.future, c1.charged_days), (0, 17, 4));
        // Child 2: attended 2 5 = 2, absent 3 (no reason, charged), unmarked 6, future 17.
        let c2 = &sheet.rows[1].totals;
        assert_eq!((c2.working_days, c2.attended, c2.absent_total), (21, 2, 1));
        assert_eq!((c2.unmarked, c2.future, c2.charged_days), (1, 17, 3));
        assert_eq!((c2.absent_unexcused, c2.absent_no_reason), (1, 1));
        // Child 3: attended 5 = 1, absent 2 3 (Б) 6 7 (О) = 4 excused, future 17 - 1 = 16.
        let c3 = &sheet.rows[2].totals;
        assert_eq!((c3.working_days, c3.attended, c3.absent_total), (21, 1, 4));
        assert_eq!((c3.unmarked, c3.future, c3.charged_days), (0, 16, 1));
        assert_eq!(c3.absent_excused, 4);

        let group = &sheet.totals;
        assert_eq!(group.children, 3);
        assert_eq!(group.sum.working_days, 63); // 3 × 21
        assert_eq!(group.sum.attended, 7); // 4 + 2 + 1
        assert_eq!(group.sum.absent_total, 5); // 0 + 1 + 4
        assert_eq!(group.sum.absent_excused, 4);
        assert_eq!(group.sum.absent_unexcused, 1);
        assert_eq!(group.sum.absent_no_reason, 1);
        assert_eq!(group.sum.unmarked, 1);
        assert_eq!(group.sum.future, 50); // 17 + 17 + 16
        assert_eq!(group.sum.charged_days, 8); // 4 + 3 + 1
        assert_eq!(
            group.sum.absent_by_reason,
            BTreeMap::from([("Б".into(), 2), ("О".into(), 2)])
        );
        // Column sums: present 2+1+3+1 = 7, absent 1+2+1+1 = 5, matching the rows.
        assert_eq!(group.child_days_present, 7);
        assert_eq!(group.child_days_absent, 5);

        assert_eq!(sheet.rows[0].cells[3], Cell::DayOff);
        assert_eq!(sheet.rows[0].cells[8], Cell::Future);
        assert_eq!(
            sheet.warnings,
            vec![
                TimesheetWarning::MarkOnDayOff {
                    child_id: 1,
                    child_name: "Алёна".into(),
                    date: nov(4),
                },
                TimesheetWarning::PresentInFuture {
                    child_id: 1,
                    child_name: "Алёна".into(),
                    date: nov(9),
                },
            ]
        );
        for row in &sheet.rows {
            assert_invariants(&row.totals);
        }
    }

    #[test]
    fn future_and_unmarked_relative_to_today() {
        // Today is Tue 10 Nov and nothing is marked.
        // Unmarked (working, ≤ today): 2 3 5 6 7 9 10 = 7. Future: 21 - 7 = 14.
        let sheet = build(&[whole_month(1, "Ева")], &Marks::new(), nov(10));
        let cells = &sheet.rows[0].cells;
        assert_eq!(cells[0], Cell::DayOff); // Sun 1
        assert_eq!(cells[1], Cell::Unmarked); // Mon 2
        assert_eq!(cells[3], Cell::DayOff); // Wed 4, holiday
        assert_eq!(cells[6], Cell::Unmarked); // Sat 7, transferred working day
        assert_eq!(cells[9], Cell::Unmarked); // Tue 10, today
        assert_eq!(cells[10], Cell::Future); // Wed 11
        assert_eq!(cells[13], Cell::DayOff); // Sat 14: days off stay days off
        assert_eq!(cells[29], Cell::Future); // Mon 30
        let totals = &sheet.rows[0].totals;
        assert_eq!((totals.unmarked, totals.future), (7, 14));

        // Before the month: every working day is future.
        let early = build(&[whole_month(1, "Ева")], &Marks::new(), date(2026, 10, 15));
        assert_eq!(
            (early.rows[0].totals.unmarked, early.rows[0].totals.future),
            (0, 21)
        );
        // After it: every working day is unmarked.
        let late = build(&[whole_month(1, "Ева")], &Marks::new(), after_november());
        assert_eq!(
            (late.rows[0].totals.unmarked, late.rows[0].totals.future),
            (21, 0)
        );
    }

    #[test]
    fn runs_cross_weekends_and_holidays_and_split_on_reason() {
        // Present 2, absent Н on Tue 3 and Thu 5 around the Wed 4 holiday: one run of 2.
        // Present 6. Б on Thu 12, Fri 13, (Sat 14, Sun 15), Mon 16, Tue 17: one run of 4.
        // О on Wed 18, Thu 19: a new run of 2, because the reason changed. Present 20.
        // No reason on 23, unmarked 24, no reason on 25: two runs of 1.
        // Б on Mon 30: a run of 1 at the month's end.
        let mut marks = Marks::new();
        mark_days(&mut marks, 1, &[2, 6, 20], &Mark::Present);
        mark_days(&mut marks, 1, &[3, 5], &absent("Н"));
        mark_days(&mut marks, 1, &[12, 13, 16, 17, 30], &absent("Б"));
        mark_days(&mut marks, 1, &[18, 19], &absent("О"));
        mark_days(&mut marks, 1, &[23, 25], &absent_no_reason());
        let sheet = build(&[whole_month(1, "Женя")], &marks, after_november());

        let run = |from: u32, to: u32, working_days: u32, reason: Option<&str>| AbsenceRun {
            from: nov(from),
            to: nov(to),
            working_days,
            reason: reason.map(str::to_owned),
        };
        assert_eq!(
            consecutive_absences(&sheet.rows[0], &sheet.days),
            vec![
                run(3, 5, 2, Some("Н")),
                run(12, 17, 4, Some("Б")),
                run(18, 19, 2, Some("О")),
                run(23, 23, 1, None),
                run(25, 25, 1, None),
                run(30, 30, 1, Some("Б")),
            ]
        );
    }

    #[test]
    fn run_is_broken_by_leaving_the_group() {
        // Leaves Wed 18 after being ill 16–18; the run ends with the enrolment.
        let kid = child(
            1,
            "Зоя",
            Enrolment::new(date(2026, 9, 1), Some(nov(18))).unwrap(),
        );
        let mut marks = Marks::new();
        mark_days(&mut marks, 1, &[16, 17, 18], &absent("Б"));
        let sheet = build(&[kid], &marks, after_november());
        let runs = consecutive_absences(&sheet.rows[0], &sheet.days);
        assert_eq!(runs.len(), 1);
        assert_eq!(
            (runs[0].from, runs[0].to, runs[0].working_days),
            (nov(16), nov(18), 3)
        );
    }

    #[test]
    fn cell_symbols_follow_the_official_form() {
        assert_eq!(Cell::DayOff.symbol(), "В");
        assert_eq!(Cell::Absent { reason: None }.symbol(), "Н");
        assert_eq!(
            Cell::Absent {
                reason: Some("Б".into())
            }
            .symbol(),
            "Н"
        );
        for blank in [
            Cell::NotEnrolled,
            Cell::Present,
            Cell::Unmarked,
            Cell::Future,
        ] {
            assert_eq!(blank.symbol(), "");
            assert_eq!(blank.reason_letter(), None);
        }
        assert_eq!(
            Cell::Absent {
                reason: Some("Б".into())
            }
            .reason_letter(),
            Some("Б")
        );
        assert_eq!(Cell::Absent { reason: None }.reason_letter(), None);
    }

    #[test]
    fn empty_group_has_zero_totals() {
        let sheet = build(&[], &Marks::new(), after_november());
        assert!(sheet.rows.is_empty());
        assert_eq!(sheet.days.len(), 30);
        assert_eq!(sheet.totals, GroupTotals::default());
    }

    #[test]
    fn marks_of_other_months_and_children_are_ignored_silently() {
        let mut marks = Marks::new();
        marks.insert((1, date(2026, 10, 30)), Mark::Present);
        marks.insert((1, date(2026, 12, 1)), Mark::Present);
        marks.insert((99, nov(2)), Mark::Present);
        marks.insert((1, nov(2)), Mark::Present);
        let sheet = build(&[whole_month(1, "Ира")], &marks, after_november());
        assert_eq!(sheet.rows[0].totals.attended, 1);
        assert_eq!(sheet.days[1].present, 1);
        assert!(sheet.warnings.is_empty());
    }

    #[test]
    fn messages_exist_in_both_languages() {
        let name = || "Анна".to_owned();
        let messages: Vec<Box<dyn Bilingual>> = vec![
            Box::new(TimesheetWarning::MarkOutsideEnrolment {
                child_id: 1,
                child_name: name(),
                date: nov(13),
            }),
            Box::new(TimesheetWarning::MarkOnDayOff {
                child_id: 1,
                child_name: name(),
                date: nov(4),
            }),
            Box::new(TimesheetWarning::PresentInFuture {
                child_id: 1,
                child_name: name(),
                date: nov(9),
            }),
            Box::new(TimesheetWarning::UnknownReason {
                child_id: 1,
                child_name: name(),
                date: nov(11),
                code: "Х".into(),
            }),
            Box::new(EnrolmentError::LeftBeforeEnrolled {
                enrolled_on: nov(16),
                left_on: nov(13),
            }),
        ];
        for message in &messages {
            assert!(!message.ru().trim().is_empty());
            assert!(!message.en().trim().is_empty());
            assert_ne!(message.ru(), message.en());
        }
        let unknown = &messages[3];
        assert!(unknown.ru().contains("Анна") && unknown.ru().contains("«Х»"));
        assert!(unknown.ru().contains("11.11.2026"), "{}", unknown.ru());
        assert!(unknown.en().contains("11 Nov 2026"), "{}", unknown.en());
        let enrolment = &messages[4];
        assert!(enrolment.ru().contains("13.11.2026") && enrolment.ru().contains("16.11.2026"));
    }

    #[test]
    fn archived_reasons_are_not_offered_but_still_count_in_the_timesheet() {
        let mut book = AbsenceReason::defaults();
        book.iter_mut().find(|r| r.code == "С").unwrap().archived = true;
        let offered = AbsenceReason::offered(&book);
        assert_eq!(offered.len(), book.len() - 1);
        assert!(AbsenceReason::find(&offered, "С").is_none());
        // Days marked before the archive keep their reason and its flags.
        let mut marks = Marks::new();
        marks.insert((1, nov(2)), absent("С"));
        let sheet = build_with(&[whole_month(1, "Вера")], &marks, &book, after_november());
        let totals = &sheet.rows[0].totals;
        assert_eq!(totals.absent_excused, 1);
        assert_eq!(totals.charged_days, 0);
        assert!(sheet.warnings.is_empty());
    }

    #[test]
    fn the_legend_names_each_letter_in_use_in_both_languages() {
        let mut marks = Marks::new();
        marks.insert((1, nov(2)), absent("Б"));
        marks.insert((1, nov(3)), absent("Х"));
        marks.insert((1, nov(5)), Mark::Present);
        marks.insert((2, nov(2)), Mark::Absent { reason: None });
        let sheet = build(
            &[whole_month(1, "Вера"), whole_month(2, "Ира")],
            &marks,
            after_november(),
        );
        let legend = sheet.legend(&AbsenceReason::defaults());
        let entries: Vec<(&str, &str)> = legend
            .iter()
            .map(|e| (e.symbol.as_str(), e.en.as_str()))
            .collect();
        assert_eq!(
            entries,
            [
                ("", "present"),
                ("Б", "illness"),
                ("Х", "absent, a code not in the reference book"),
                ("Н", "absent, no reason given"),
                ("?", "not marked yet"),
                ("В", "weekend or holiday"),
            ]
        );
        assert_eq!(legend[1].ru, "болезнь");
    }
}
