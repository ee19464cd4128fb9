//! How long computing one group's month табель takes: 25 children, a full month of
//! marks with absences of several reasons, the demo calendar.

use std::hint::black_box;

use app::domain::calendar::{AcademicCalendar, Month};
use app::domain::timesheet::{
    AbsenceReason, Enrolment, Mark, Marks, Timesheet, TimesheetChild, TimesheetInput,
};
use chrono::NaiveDate;
use criterion::{criterion_group, criterion_main, Criterion};

struct Parts {
    month: Month,
    calendar: AcademicCalendar,
    children: Vec<TimesheetChild>,
    marks: Marks,
    reasons: Vec<AbsenceReason>,
}

fn input_parts() -> Parts {
    let month = Month::new(2026, 11).unwrap();
    let calendar =
        AcademicCalendar::new([NaiveDate::from_ymd_opt(2026, 11, 4).unwrap()], []).unwrap();
    let reasons = AbsenceReason::defaults();
    let children: Vec<TimesheetChild> = (0..25)
        .map(|i| TimesheetChild {
            id: i,
            name: format!("Ребёнок {i}"),
            enrolments: vec![Enrolment::open(
                NaiveDate::from_ymd_opt(2026, 9, 1).unwrap(),
            )],
        })
        .collect();
    let mut marks = Marks::new();
    for child in &children {
        for day in calendar.working_days_in_month(month) {
            let n = child.id as usize + day.format("%d").to_string().parse::<usize>().unwrap();
            let mark = match n % 9 {
                0 => Mark::Absent {
                    reason: Some(reasons[n % reasons.len()].code.clone()),
                },
                1 => Mark::Absent { reason: None },
                _ => Mark::Present,
            };
            marks.insert((child.id, day), mark);
        }
    }
    Parts {
        month,
        calendar,
        children,
        marks,
        reasons,
    }
}

fn group_month(c: &mut Criterion) {
    let Parts {
        month,
        calendar,
        children,
        marks,
        reasons,
    } = input_parts();
    let today = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
    c.bench_function("timesheet: 25 children × November", |b| {
        b.iter(|| {
            Timesheet::build(black_box(&TimesheetInput {
                month,
                calendar: &calendar,
                children: &children,
                marks: &marks,
                reasons: &reasons,
                today,
            }))
        })
    });
}

criterion_group!(benches, group_month);
criterion_main!(benches);
