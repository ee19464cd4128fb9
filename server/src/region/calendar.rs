//! The production calendar: working days, public holidays and their transfers.

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate, NaiveTime, Weekday};

/// A marked day.
pub(super) struct WorkDay {
    pub(super) date: NaiveDate,
    pub(super) iso: String,
    /// ISO week number: the teachers' shifts swap weekly.
    pub(super) week: u32,
    /// 09:00 Moscow time, as Unix milliseconds.
    pub(super) nine_am: i64,
    /// Families take holidays in summer and next to public holidays.
    pub(super) vacation_factor: f64,
}

pub(super) struct Calendar {
    pub(super) from: NaiveDate,
    /// Non-working weekdays of the school years that contain the period: the rows
    /// stored in `calendar_days`, so the whole year's timesheet is right.
    pub(super) stored_holidays: BTreeSet<NaiveDate>,
    /// Working days in `[from, until]`: Monday–Friday minus the holidays. (The
    /// generator stores no transferred working Saturdays.)
    pub(super) working_days: Vec<WorkDay>,
}

impl Calendar {
    pub(super) fn new(from: NaiveDate, until: NaiveDate) -> Self {
        let first = school_year_start(from);
        let last = NaiveDate::from_ymd_opt(school_year_start(until).year() + 1, 8, 31)
            .expect("31 August exists");
        let stored_holidays = russian_holidays(first, last);
        let working_days = from
            .iter_days()
            .take_while(|d| *d <= until)
            .filter(|d| is_weekday(*d) && !stored_holidays.contains(d))
            .map(|date| {
                let near_holiday = stored_holidays.iter().any(|h| {
                    let gap = (*h - date).num_days().abs();
                    gap <= 4
                });
                let vacation_factor = match date.month() {
                    6..=8 => 6.0,
                    12 if date.day() >= 20 => 3.0,
                    _ if near_holiday => 3.0,
                    _ => 1.0,
                };
                WorkDay {
                    date,
                    iso: iso(&date),
                    week: date.iso_week().week(),
                    nine_am: local_millis(date, 9, 0),
                    vacation_factor,
                }
            })
            .collect();
        Self {
            from,
            stored_holidays,
            working_days,
        }
    }

    /// Birth years of the four age groups of the school year containing `from`, oldest
    /// first: for 2026/27 the preparatory group (born 2020) down to the youngest (2023).
    pub(super) fn birth_years(&self) -> [i32; 4] {
        let year = school_year_start(self.from).year();
        [year - 6, year - 5, year - 4, year - 3]
    }
}

fn school_year_start(day: NaiveDate) -> NaiveDate {
    let year = if day.month() >= 9 {
        day.year()
    } else {
        day.year() - 1
    };
    NaiveDate::from_ymd_opt(year, 9, 1).expect("1 September exists")
}

pub(super) fn is_weekday(day: NaiveDate) -> bool {
    !matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
}

/// Non-working weekdays in `[first, last]` by the Labour Code (art. 112): the public
/// holidays, and a holiday falling on a weekend moved to the next working day. The New
/// Year holidays on a weekend are moved by a yearly decree to dates that cannot be
/// computed, so they are not moved; 31 December has been a day off by decree every
/// recent year and is kept as one.
fn russian_holidays(first: NaiveDate, last: NaiveDate) -> BTreeSet<NaiveDate> {
    const FIXED: [(u32, u32); 14] = [
        (1, 1),
        (1, 2),
        (1, 3),
        (1, 4),
        (1, 5),
        (1, 6),
        (1, 7),
        (1, 8),
        (2, 23),
        (3, 8),
        (5, 1),
        (5, 9),
        (6, 12),
        (11, 4),
    ];
    let mut days = BTreeSet::new();
    for year in first.year()..=last.year() {
        let fixed: Vec<NaiveDate> = FIXED
            .iter()
            .map(|&(m, d)| NaiveDate::from_ymd_opt(year, m, d).expect("fixed dates exist"))
            .collect();
        for &day in &fixed {
            if is_weekday(day) {
                days.insert(day);
            } else if day.month() != 1 {
                let moved = day
                    .iter_days()
                    .find(|d| is_weekday(*d) && !fixed.contains(d) && !days.contains(d))
                    .expect("a weekday follows");
                days.insert(moved);
            }
        }
        let new_years_eve = NaiveDate::from_ymd_opt(year, 12, 31).expect("31 December exists");
        if is_weekday(new_years_eve) {
            days.insert(new_years_eve);
        }
    }
    days.retain(|d| (first..=last).contains(d));
    days
}

pub(super) fn iso(day: &NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

/// Kindergartens of the region are on Moscow time (UTC+3, no daylight saving).
const UTC_OFFSET_HOURS: i64 = 3;

/// `hour:minute` local time on `day` as Unix milliseconds.
pub(super) fn local_millis(day: NaiveDate, hour: u32, minute: u32) -> i64 {
    let time = NaiveTime::from_hms_opt(hour, minute, 0).expect("a valid time");
    day.and_time(time).and_utc().timestamp_millis() - UTC_OFFSET_HOURS * 3_600_000
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn holidays_of_the_2026_27_school_year() {
        let days: Vec<String> = russian_holidays(d("2026-09-01"), d("2027-08-31"))
            .iter()
            .map(iso)
            .collect();
        assert_eq!(
            days,
            [
                "2026-11-04",
                "2026-12-31",
                "2027-01-01",
                "2027-01-04",
                "2027-01-05",
                "2027-01-06",
                "2027-01-07",
                "2027-01-08",
                "2027-02-23",
                "2027-03-08",
                // 1 and 9 May 2027 are a Saturday and a Sunday: moved to the Mondays.
                "2027-05-03",
                "2027-05-10",
                // 12 June 2027 is a Saturday.
                "2027-06-14",
            ]
        );
    }
}
