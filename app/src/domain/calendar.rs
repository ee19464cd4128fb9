//! The academic calendar: which dates are working days, and the `Month` a timesheet covers.
//!
//! Russian preschools follow the production calendar (производственный календарь):
//! Saturdays and Sundays off, public holidays off, and some weekend days made working
//! by a transfer decree. The timesheet only needs to ask "is this a working day, and if
//! not, why", so that is all an [`AcademicCalendar`] answers.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use super::Bilingual;

/// What kind of day a date is for attendance purposes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DayKind {
    /// Children are expected: a regular weekday or a transferred working day.
    Working,
    /// A weekly day off (Saturday or Sunday by default).
    Weekend,
    /// A public holiday or other non-working date set by the calendar.
    Holiday,
}

impl DayKind {
    pub fn is_working(self) -> bool {
        self == Self::Working
    }
}

/// The working-day calendar of one organisation for one school year.
///
/// Which organisation and year it belongs to is the storage layer's business; this type
/// only answers questions about dates. Construct it with [`AcademicCalendar::new`] (the
/// usual Saturday–Sunday week) or [`AcademicCalendar::with_days_off`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcademicCalendar {
    /// Indexed by [`Weekday::num_days_from_monday`]; `Weekday` has no `Ord`, so no set.
    weekly_days_off: [bool; 7],
    holidays: BTreeSet<NaiveDate>,
    transferred_working_days: BTreeSet<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("{date} is both a holiday and a transferred working day")]
    HolidayAndWorkingDay { date: NaiveDate },
    #[error("transferred working day {date} is not a weekly day off")]
    TransferredDayNotOff { date: NaiveDate },
    #[error("every day of the week is a day off")]
    NoWorkingWeekdays,
}

impl AcademicCalendar {
    /// The weekly days off of a five-day week, which is what Russian preschools use.
    pub const DEFAULT_WEEKLY_DAYS_OFF: [Weekday; 2] = [Weekday::Sat, Weekday::Sun];

    /// A calendar with Saturday and Sunday off.
    pub fn new(
        holidays: impl IntoIterator<Item = NaiveDate>,
        transferred_working_days: impl IntoIterator<Item = NaiveDate>,
    ) -> Result<Self, CalendarError> {
        Self::with_days_off(
            &Self::DEFAULT_WEEKLY_DAYS_OFF,
            holidays,
            transferred_working_days,
        )
    }

    /// A calendar with custom weekly days off (e.g. a six-day group with only Sunday off).
    ///
    /// Rejects contradictions rather than picking a winner, because each one is almost
    /// certainly a typo in the calendar the administrator entered: a date cannot be both a
    /// holiday and a working day, and transferring work onto a day that is already working
    /// means the wrong date was picked.
    pub fn with_days_off(
        weekly_days_off: &[Weekday],
        holidays: impl IntoIterator<Item = NaiveDate>,
        transferred_working_days: impl IntoIterator<Item = NaiveDate>,
    ) -> Result<Self, CalendarError> {
        let mut days_off = [false; 7];
        for day in weekly_days_off {
            days_off[weekday_index(*day)] = true;
        }
        if days_off.iter().all(|&off| off) {
            return Err(CalendarError::NoWorkingWeekdays);
        }
        let holidays: BTreeSet<NaiveDate> = holidays.into_iter().collect();
        let transferred: BTreeSet<NaiveDate> = transferred_working_days.into_iter().collect();
        if let Some(&date) = holidays.intersection(&transferred).next() {
            return Err(CalendarError::HolidayAndWorkingDay { date });
        }
        if let Some(&date) = transferred
            .iter()
            .find(|date| !days_off[weekday_index(date.weekday())])
        {
            return Err(CalendarError::TransferredDayNotOff { date });
        }
        Ok(Self {
            weekly_days_off: days_off,
            holidays,
            transferred_working_days: transferred,
        })
    }

    /// Weekly days off, Monday first.
    pub fn weekly_days_off(&self) -> Vec<Weekday> {
        WEEK.into_iter()
            .filter(|day| self.weekly_days_off[weekday_index(*day)])
            .collect()
    }

    pub fn holidays(&self) -> &BTreeSet<NaiveDate> {
        &self.holidays
    }

    pub fn transferred_working_days(&self) -> &BTreeSet<NaiveDate> {
        &self.transferred_working_days
    }

    /// A transfer decree beats everything; a holiday on a weekend is still reported as a
    /// holiday, because that is the more specific reason the day is off.
    pub fn day_kind(&self, date: NaiveDate) -> DayKind {
        if self.transferred_working_days.contains(&date) {
            DayKind::Working
        } else if self.holidays.contains(&date) {
            DayKind::Holiday
        } else if self.weekly_days_off[weekday_index(date.weekday())] {
            DayKind::Weekend
        } else {
            DayKind::Working
        }
    }

    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        self.day_kind(date).is_working()
    }

    /// Every date of the month, in order.
    pub fn days_of_month(&self, month: Month) -> Vec<NaiveDate> {
        month.days().collect()
    }

    /// The working dates of the month, in order.
    pub fn working_days_in_month(&self, month: Month) -> Vec<NaiveDate> {
        month.days().filter(|d| self.is_working_day(*d)).collect()
    }
}

impl Default for AcademicCalendar {
    /// Saturday and Sunday off, no holidays, no transfers.
    fn default() -> Self {
        Self::new([], []).expect("the default week has working days and no dates")
    }
}

const WEEK: [Weekday; 7] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
    Weekday::Sat,
    Weekday::Sun,
];

fn weekday_index(day: Weekday) -> usize {
    day.num_days_from_monday() as usize
}

/// A date as Russian users write it: 04.11.2026.
pub(super) fn date_ru(date: NaiveDate) -> String {
    date.format("%d.%m.%Y").to_string()
}

/// A date as English readers parse it unambiguously: 4 Nov 2026.
pub(super) fn date_en(date: NaiveDate) -> String {
    date.format("%-d %b %Y").to_string()
}

impl Bilingual for CalendarError {
    fn ru(&self) -> String {
        match self {
            Self::HolidayAndWorkingDay { date } => format!(
                "Дата {} указана одновременно как праздничный и как перенесённый рабочий день.",
                date_ru(*date)
            ),
            Self::TransferredDayNotOff { date } => format!(
                "{} и так рабочий день: рабочим можно сделать только выходной.",
                date_ru(*date)
            ),
            Self::NoWorkingWeekdays => {
                "Все дни недели отмечены как выходные: в календаре не останется рабочих дней."
                    .into()
            }
        }
    }

    fn en(&self) -> String {
        match self {
            Self::HolidayAndWorkingDay { date } => format!(
                "{} is listed both as a holiday and as a transferred working day.",
                date_en(*date)
            ),
            Self::TransferredDayNotOff { date } => format!(
                "{} is already a working day: only a day off can be made a working day.",
                date_en(*date)
            ),
            Self::NoWorkingWeekdays => {
                "Every day of the week is marked as a day off: the calendar would have no working days."
                    .into()
            }
        }
    }
}

/// A calendar month, the period of one timesheet.
///
/// Written as `YYYY-MM`, the value of an HTML `<input type="month">`, so it round-trips
/// through URLs and forms unchanged. Serde uses the same text and validates it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Month {
    // Field order matters: the derived `Ord` is chronological.
    year: i32,
    month: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MonthError {
    #[error("{input:?} is not a month in the form YYYY-MM")]
    Malformed { input: String },
    #[error("month number {month} is not between 1 and 12")]
    MonthOutOfRange { month: u32 },
    #[error("year {year} is outside {min}..={max}")]
    YearOutOfRange { year: i32, min: i32, max: i32 },
}

impl Month {
    /// Attendance records start well after this; it only keeps typos like 0026 out.
    pub const MIN_YEAR: i32 = 1900;
    /// The last year that fits the four-digit `YYYY-MM` text form.
    pub const MAX_YEAR: i32 = 9999;

    pub fn new(year: i32, month: u32) -> Result<Self, MonthError> {
        if !(1..=12).contains(&month) {
            return Err(MonthError::MonthOutOfRange { month });
        }
        if !(Self::MIN_YEAR..=Self::MAX_YEAR).contains(&year) {
            return Err(MonthError::YearOutOfRange {
                year,
                min: Self::MIN_YEAR,
                max: Self::MAX_YEAR,
            });
        }
        Ok(Self { year, month })
    }

    /// Parses exactly `YYYY-MM` (surrounding whitespace ignored): "2026-11".
    pub fn parse(raw: &str) -> Result<Self, MonthError> {
        let malformed = || MonthError::Malformed {
            input: raw.to_owned(),
        };
        let (year, month) = raw.trim().split_once('-').ok_or_else(malformed)?;
        let year = digits(year, 4).ok_or_else(malformed)?;
        let month = digits(month, 2).ok_or_else(malformed)?;
        let year = i32::try_from(year).map_err(|_| malformed())?;
        Self::new(year, month)
    }

    /// The month a date falls in.
    pub fn of(date: NaiveDate) -> Result<Self, MonthError> {
        Self::new(date.year(), date.month())
    }

    pub fn year(self) -> i32 {
        self.year
    }

    /// 1 = January … 12 = December.
    pub fn month(self) -> u32 {
        self.month
    }

    pub fn first_day(self) -> NaiveDate {
        self.date(1)
    }

    pub fn last_day(self) -> NaiveDate {
        self.date(self.day_count())
    }

    /// Number of days in the month (28–31).
    pub fn day_count(self) -> u32 {
        match self.month {
            4 | 6 | 9 | 11 => 30,
            2 if is_leap_year(self.year) => 29,
            2 => 28,
            _ => 31,
        }
    }

    /// Every date of the month, in order.
    pub fn days(self) -> impl Iterator<Item = NaiveDate> {
        (1..=self.day_count()).map(move |day| self.date(day))
    }

    pub fn contains(self, date: NaiveDate) -> bool {
        date.year() == self.year && date.month() == self.month
    }

    /// `None` only past [`Month::MAX_YEAR`].
    pub fn next_month(self) -> Option<Self> {
        match self.month {
            12 => Self::new(self.year + 1, 1).ok(),
            month => Some(Self {
                month: month + 1,
                ..self
            }),
        }
    }

    /// `None` only before [`Month::MIN_YEAR`].
    pub fn previous_month(self) -> Option<Self> {
        match self.month {
            1 => Self::new(self.year - 1, 12).ok(),
            month => Some(Self {
                month: month - 1,
                ..self
            }),
        }
    }

    fn date(self, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, day).expect("a validated month has this day")
    }
}

/// `text` as a number if it is exactly `len` ASCII digits (no signs, no spaces).
fn digits(text: &str, len: usize) -> Option<u32> {
    let well_formed = text.len() == len && text.bytes().all(|b| b.is_ascii_digit());
    well_formed.then(|| text.parse().ok()).flatten()
}

fn is_leap_year(year: i32) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl FromStr for Month {
    type Err = MonthError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for Month {
    type Error = MonthError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Month> for String {
    fn from(month: Month) -> Self {
        month.to_string()
    }
}

impl Bilingual for MonthError {
    fn ru(&self) -> String {
        match self {
            Self::Malformed { input } => format!(
                "Месяц «{input}» не распознан: укажите его в виде ГГГГ-ММ, например 2026-11."
            ),
            Self::MonthOutOfRange { month } => {
                format!("Номер месяца должен быть от 1 до 12, указано {month}.")
            }
            Self::YearOutOfRange { year, min, max } => {
                format!("Год {year} вне допустимого диапазона {min}–{max}.")
            }
        }
    }

    fn en(&self) -> String {
        match self {
            Self::Malformed { input } => format!(
                "The month “{input}” is not recognised: enter it as YYYY-MM, for example 2026-11."
            ),
            Self::MonthOutOfRange { month } => {
                format!("The month number must be between 1 and 12, got {month}.")
            }
            Self::YearOutOfRange { year, min, max } => {
                format!("The year {year} is outside the allowed range {min}–{max}.")
            }
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

    fn november() -> Month {
        Month::new(2026, 11).unwrap()
    }

    /// 4 Nov 2026 (Wednesday, Day of National Unity) is a holiday; for the test we also
    /// pretend Saturday 7 Nov 2026 is worked by a transfer decree.
    fn november_calendar() -> AcademicCalendar {
        AcademicCalendar::new([nov(4)], [nov(7)]).unwrap()
    }

    #[test]
    fn november_2026_working_days_counted_by_hand() {
        // 1 Nov 2026 is a Sunday. Weekdays Mon–Fri: 2–6, 9–13, 16–20, 23–27 (4 × 5) and
        // Mon 30 = 21. Minus Wed 4 (holiday) = 20. Plus Sat 7 (transferred) = 21.
        let working = november_calendar().working_days_in_month(november());
        let expected: Vec<NaiveDate> = [
            2, 3, 5, 6, 7, 9, 10, 11, 12, 13, 16, 17, 18, 19, 20, 23, 24, 25, 26, 27, 30,
        ]
        .into_iter()
        .map(nov)
        .collect();
        assert_eq!(working.len(), 21);
        assert_eq!(working, expected);
        assert!(working.contains(&nov(7)));
        assert!(!working.contains(&nov(4)));
        assert!(!working.contains(&nov(1)));
        assert!(!working.contains(&nov(14)));
        assert_eq!(working.first(), Some(&nov(2)));
        assert_eq!(working.last(), Some(&nov(30)));
    }

    #[test]
    fn november_2026_day_kinds() {
        let calendar = november_calendar();
        assert_eq!(nov(1).weekday(), Weekday::Sun);
        assert_eq!(nov(4).weekday(), Weekday::Wed);
        assert_eq!(calendar.day_kind(nov(1)), DayKind::Weekend);
        assert_eq!(calendar.day_kind(nov(2)), DayKind::Working);
        assert_eq!(calendar.day_kind(nov(4)), DayKind::Holiday);
        assert_eq!(calendar.day_kind(nov(7)), DayKind::Working);
        assert_eq!(calendar.day_kind(nov(8)), DayKind::Weekend);
        assert_eq!(calendar.day_kind(nov(14)), DayKind::Weekend);
        assert!(!calendar.is_working_day(nov(4)));
        assert!(calendar.is_working_day(nov(7)));
        // 30 days: 21 working + 1 holiday + 8 weekend days (Sundays 1, 8, 15, 22, 29 and
        // Saturdays 14, 21, 28).
        let kinds: Vec<DayKind> = calendar
            .days_of_month(november())
            .into_iter()
            .map(|d| calendar.day_kind(d))
            .collect();
        assert_eq!(kinds.len(), 30);
        let count = |kind| kinds.iter().filter(|k| **k == kind).count();
        assert_eq!(count(DayKind::Working), 21);
        assert_eq!(count(DayKind::Holiday), 1);
        assert_eq!(count(DayKind::Weekend), 8);
    }

    #[test]
    fn holiday_on_a_weekend_is_reported_as_holiday() {
        // 4 Nov 2023 was a Saturday.
        let calendar = AcademicCalendar::new([date(2023, 11, 4)], []).unwrap();
        assert_eq!(date(2023, 11, 4).weekday(), Weekday::Sat);
        assert_eq!(calendar.day_kind(date(2023, 11, 4)), DayKind::Holiday);
        assert!(!calendar.is_working_day(date(2023, 11, 4)));
    }

    #[test]
    fn default_calendar_is_a_plain_five_day_week() {
        let calendar = AcademicCalendar::default();
        assert_eq!(calendar.weekly_days_off(), vec![Weekday::Sat, Weekday::Sun]);
        assert!(calendar.holidays().is_empty());
        assert!(calendar.transferred_working_days().is_empty());
        // November 2026 without the holiday and the transfer: 21 weekdays.
        assert_eq!(calendar.working_days_in_month(november()).len(), 21);
        assert_eq!(calendar.day_kind(nov(4)), DayKind::Working);
        assert_eq!(calendar.day_kind(nov(7)), DayKind::Weekend);
    }

    #[test]
    fn six_day_week_works_saturdays() {
        let calendar = AcademicCalendar::with_days_off(&[Weekday::Sun], [nov(4)], []).unwrap();
        assert_eq!(calendar.weekly_days_off(), vec![Weekday::Sun]);
        // 30 days minus 5 Sundays (1, 8, 15, 22, 29) minus the 4 Nov holiday = 24.
        assert_eq!(calendar.working_days_in_month(november()).len(), 24);
        assert_eq!(calendar.day_kind(nov(14)), DayKind::Working);
    }

    #[test]
    fn days_of_month_lists_every_date() {
        let days = AcademicCalendar::default().days_of_month(november());
        assert_eq!(days.len(), 30);
        assert_eq!(days[0], nov(1));
        assert_eq!(days[29], nov(30));
    }

    #[test]
    fn date_both_holiday_and_working_day_is_rejected() {
        assert_eq!(
            AcademicCalendar::new([nov(4), nov(7)], [nov(7)]),
            Err(CalendarError::HolidayAndWorkingDay { date: nov(7) })
        );
    }

    #[test]
    fn transferring_work_onto_a_weekday_is_rejected() {
        assert_eq!(
            AcademicCalendar::new([], [nov(5)]),
            Err(CalendarError::TransferredDayNotOff { date: nov(5) })
        );
    }

    #[test]
    fn a_week_without_working_days_is_rejected() {
        assert_eq!(
            AcademicCalendar::with_days_off(&WEEK, [], []),
            Err(CalendarError::NoWorkingWeekdays)
        );
    }

    #[test]
    fn month_parses_and_displays_yyyy_mm() {
        let month = Month::parse("2026-11").unwrap();
        assert_eq!((month.year(), month.month()), (2026, 11));
        assert_eq!(month.to_string(), "2026-11");
        assert_eq!(Month::parse(" 2027-01 ").unwrap().to_string(), "2027-01");
        assert_eq!("2026-11".parse::<Month>(), Ok(month));
        assert_eq!(Month::try_from("2026-11".to_owned()), Ok(month));
        assert_eq!(String::from(month), "2026-11");
    }

    #[test]
    fn month_parse_rejects_malformed_text() {
        for input in [
            "",
            "2026",
            "2026-1",
            "26-11",
            "2026/11",
            "2026-11-01",
            "20x6-11",
            "+026-11",
            "2026-+1",
            "2026 -11",
            "２０２６-11",
        ] {
            assert_eq!(
                Month::parse(input),
                Err(MonthError::Malformed {
                    input: input.to_owned()
                }),
                "{input:?}"
            );
        }
    }

    #[test]
    fn month_parse_rejects_out_of_range_numbers() {
        assert_eq!(
            Month::parse("2026-13"),
            Err(MonthError::MonthOutOfRange { month: 13 })
        );
        assert_eq!(
            Month::parse("2026-00"),
            Err(MonthError::MonthOutOfRange { month: 0 })
        );
        assert_eq!(
            Month::parse("0026-11"),
            Err(MonthError::YearOutOfRange {
                year: 26,
                min: 1900,
                max: 9999
            })
        );
        assert_eq!(
            Month::new(10_000, 1),
            Err(MonthError::YearOutOfRange {
                year: 10_000,
                min: 1900,
                max: 9999
            })
        );
    }

    #[test]
    fn month_first_and_last_days() {
        assert_eq!(november().first_day(), nov(1));
        assert_eq!(november().last_day(), nov(30));
        assert_eq!(Month::new(2026, 12).unwrap().last_day(), date(2026, 12, 31));
        // 2026 is not a leap year, 2028 is, 1900 is not (divisible by 100), 2000 is (by 400).
        assert_eq!(Month::new(2026, 2).unwrap().last_day(), date(2026, 2, 28));
        assert_eq!(Month::new(2028, 2).unwrap().last_day(), date(2028, 2, 29));
        assert_eq!(Month::new(1900, 2).unwrap().day_count(), 28);
        assert_eq!(Month::new(2000, 2).unwrap().day_count(), 29);
    }

    #[test]
    fn month_days_are_consecutive_dates() {
        let days: Vec<NaiveDate> = Month::new(2028, 2).unwrap().days().collect();
        assert_eq!(days.len(), 29);
        assert_eq!(days[0], date(2028, 2, 1));
        assert_eq!(days[28], date(2028, 2, 29));
        assert!(days.windows(2).all(|w| w[0].succ_opt() == Some(w[1])));
    }

    #[test]
    fn month_navigation_and_order() {
        let december = Month::new(2026, 12).unwrap();
        let january = Month::new(2027, 1).unwrap();
        assert_eq!(december.next_month(), Some(january));
        assert_eq!(january.previous_month(), Some(december));
        assert_eq!(november().next_month(), Some(december));
        assert!(november() < december && december < january);
        assert_eq!(Month::new(9999, 12).unwrap().next_month(), None);
        assert_eq!(Month::new(1900, 1).unwrap().previous_month(), None);
    }

    #[test]
    fn month_of_a_date_and_containment() {
        assert_eq!(Month::of(nov(15)), Ok(november()));
        assert!(november().contains(nov(30)));
        assert!(!november().contains(date(2026, 12, 1)));
        assert!(!november().contains(date(2025, 11, 15)));
    }

    #[test]
    fn messages_exist_in_both_languages() {
        let errors: Vec<Box<dyn Bilingual>> = vec![
            Box::new(CalendarError::HolidayAndWorkingDay { date: nov(7) }),
            Box::new(CalendarError::TransferredDayNotOff { date: nov(5) }),
            Box::new(CalendarError::NoWorkingWeekdays),
            Box::new(MonthError::Malformed {
                input: "ноябрь".into(),
            }),
            Box::new(MonthError::MonthOutOfRange { month: 13 }),
            Box::new(MonthError::YearOutOfRange {
                year: 26,
                min: 1900,
                max: 9999,
            }),
        ];
        for error in &errors {
            assert!(!error.ru().trim().is_empty());
            assert!(!error.en().trim().is_empty());
            assert_ne!(error.ru(), error.en());
        }
        let both = CalendarError::HolidayAndWorkingDay { date: nov(7) };
        assert!(both.ru().contains("07.11.2026"), "{}", both.ru());
        assert!(both.en().contains("7 Nov 2026"), "{}", both.en());
        let month = MonthError::MonthOutOfRange { month: 13 };
        assert!(month.ru().contains("13") && month.en().contains("13"));
    }
}
