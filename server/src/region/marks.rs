//! Stage 4: a school term of attendance marks and the reason requests still open.

use std::ops::Range;

use chrono::Datelike;
use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::calendar::{Calendar, WorkDay};
use super::children::ChildPlan;
use super::structure::Region;
use super::writer::{MarkRow, NoticeRecipientRow, NoticeRow, Writer};
use super::{take_id, weighted_choice, NextIds, Stage};

/// One child-day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DayMark {
    Present,
    /// An absence with its reason code, `None` while the reason is not known yet.
    Absent(Option<&'static str>),
}

pub(super) const ILLNESS: &str = "Б";
pub(super) const VACATION: &str = "О";
pub(super) const QUARANTINE: &str = "К";
pub(super) const SANATORIUM: &str = "С";
pub(super) const OTHER_EXCUSED: &str = "П";
pub(super) const NO_VALID_REASON: &str = "Н";

/// Daily chances of an absence starting, for an average child in an average month.
/// Tuned so that about 80 % of child-days are present in the autumn.
const ILLNESS_PER_DAY: f64 = 0.021;
const VACATION_PER_DAY: f64 = 0.0025;
const SANATORIUM_PER_DAY: f64 = 0.0003;
const OTHER_EXCUSED_PER_DAY: f64 = 0.006;
const NO_VALID_REASON_PER_DAY: f64 = 0.003;
/// A group-wide quarantine starting on a given day (times the illness season).
const QUARANTINE_PER_DAY: f64 = 0.0025;
/// Share of a quarantined group kept at home.
const QUARANTINE_HOME: f64 = 0.5;
/// On the last working days teachers do not know every reason yet.
pub(super) const UNEXPLAINED_TAIL_DAYS: usize = 3;
const UNEXPLAINED_SHARE: f64 = 0.6;

/// Illness episodes in working days: mostly 5–7, from 3 to 10.
const ILLNESS_DAYS: [(u32, u32); 8] = [
    (3, 1),
    (4, 2),
    (5, 3),
    (6, 3),
    (7, 3),
    (8, 2),
    (9, 1),
    (10, 1),
];

/// An absence marked without a reason: the app asks the parents about each.
pub(super) struct Unexplained<'a> {
    child: &'a ChildPlan,
    day: usize,
    recorded_at: i64,
    recorded_by: i64,
}

/// Writes the marks; returns their number and the absences without a reason.
pub(super) async fn write_marks<'a>(
    w: &mut Writer<'_>,
    rng: &mut ChaCha8Rng,
    seed: u64,
    region: &Region,
    children: &'a [ChildPlan],
    calendar: &Calendar,
    progress: &dyn Fn(Stage, u64, u64),
) -> Result<(u64, Vec<Unexplained<'a>>), sqlx::Error> {
    let total: u64 = children.iter().map(|c| c.days.len() as u64).sum();
    progress(Stage::Marks, 0, total);
    let days = &calendar.working_days;
    let batch_size = w.rows_per_statement::<MarkRow>();
    let mut batch: Vec<MarkRow<'_>> = Vec::with_capacity(batch_size);
    let mut written = 0u64;
    let mut unexplained = Vec::new();
    let mut child_marks = Vec::with_capacity(days.len());

    // Children are ordered by group, so a group's quarantines and recording times are
    // planned once and its children follow; the marks go in (child_id, day) order,
    // which appends to the primary key index instead of scattering over it.
    let mut current_group = usize::MAX;
    let mut quarantines = Vec::new();
    let mut recorded: Vec<(i64, i64)> = Vec::new();
    let mut position_in_group = 0i64;
    for child in children {
        if child.group != current_group {
            current_group = child.group;
            position_in_group = 0;
            let group = &region.groups[child.group];
            quarantines = plan_quarantines(rng, days);
            recorded = days
                .iter()
                .enumerate()
                .map(|(i, day)| {
                    // The morning-shift teacher marks; shifts swap weekly. The time
                    // varies by group and day around 09:00.
                    let teacher = group.teachers[day.week as usize % group.teachers.len()];
                    let jitter = mix(seed, group.id as u64, i as u64) % (90 * 60_000);
                    (day.nine_am + jitter as i64 - 30 * 60_000, teacher)
                })
                .collect();
        }
        simulate_child(rng, child, days, &quarantines, &mut child_marks);
        for (i, mark) in child.days.clone().zip(&child_marks) {
            let (status, reason) = match *mark {
                DayMark::Present => ("present", None),
                DayMark::Absent(reason) => ("absent", reason),
            };
            let (at, by) = recorded[i];
            // A few seconds per child: the teacher goes down the list.
            let recorded_at = at + position_in_group * 4_000;
            if *mark == DayMark::Absent(None) {
                unexplained.push(Unexplained {
                    child,
                    day: i,
                    recorded_at,
                    recorded_by: by,
                });
            }
            batch.push(MarkRow {
                child_id: child.id,
                day: &days[i].iso,
                status,
                reason,
                recorded_at,
                recorded_by: by,
            });
            if batch.len() == batch_size {
                w.insert(&batch).await?;
                written += batch.len() as u64;
                batch.clear();
                progress(Stage::Marks, written, total);
            }
        }
        position_in_group += 1;
    }
    w.insert(&batch).await?;
    written += batch.len() as u64;
    progress(Stage::Marks, written, total);
    Ok((written, unexplained))
}

/// What the app does when a teacher saves an absence without a reason: a
/// `reason_request` notice to the child's parents, in their inbox. No mail is queued
/// in `outbox` — the addresses are made up, and a demo must not send thousands of
/// letters the moment the server starts.
pub(super) async fn write_reason_requests(
    w: &mut Writer<'_>,
    unexplained: &[Unexplained<'_>],
    calendar: &Calendar,
    ids: &mut NextIds,
) -> Result<u64, sqlx::Error> {
    let mut notices = Vec::with_capacity(unexplained.len());
    let mut recipients = Vec::new();
    for absence in unexplained {
        let id = take_id(&mut ids.notice);
        let work_day = &calendar.working_days[absence.day];
        notices.push(NoticeRow {
            id,
            child_id: absence.child.id,
            day: &work_day.iso,
            // The app's key: at most one request per child and day.
            request_key: app::marks::request_key(absence.child.id, work_day.date),
            created_by: absence.recorded_by,
            created_at: absence.recorded_at,
        });
        for person_id in absence.child.guardians.iter().flatten() {
            recipients.push(NoticeRecipientRow {
                notice_id: id,
                person_id: *person_id,
            });
        }
    }
    w.insert(&notices).await?;
    w.insert(&recipients).await?;
    Ok(notices.len() as u64)
}

/// Group-wide quarantines of 7–10 working days, at most one a month or so.
fn plan_quarantines(rng: &mut impl Rng, days: &[WorkDay]) -> Vec<Range<usize>> {
    let mut quarantines = Vec::new();
    let mut i = 0;
    while i < days.len() {
        if rng.gen_bool((QUARANTINE_PER_DAY * illness_season(days[i].date.month())).min(1.0)) {
            let len = rng.gen_range(7..=10);
            quarantines.push(i..(i + len).min(days.len()));
            i += len + 20;
        } else {
            i += 1;
        }
    }
    quarantines
}

/// The child's marks on its working days `child.days`, into `out`.
///
/// Each child has its own frailty and its family's taste for holidays; on each day
/// without an ongoing absence one draw decides whether an absence starts.
fn simulate_child(
    rng: &mut impl Rng,
    child: &ChildPlan,
    days: &[WorkDay],
    quarantines: &[Range<usize>],
    out: &mut Vec<DayMark>,
) {
    out.clear();
    let frailty = *[0.4, 0.8, 0.8, 1.1, 1.1, 1.4, 2.2]
        .choose(rng)
        .expect("not empty");
    let travels = *[0.3, 1.0, 1.0, 2.0].choose(rng).expect("not empty");
    let home_in_quarantine: Vec<bool> = quarantines
        .iter()
        .map(|_| rng.gen_bool(QUARANTINE_HOME))
        .collect();
    let unexplained_from = days.len().saturating_sub(UNEXPLAINED_TAIL_DAYS);

    // The ongoing absence: its reason and the working days still to go after today.
    let mut ongoing: Option<(Option<&'static str>, u32)> = None;
    for i in child.days.clone() {
        if let Some((reason, left)) = ongoing {
            out.push(DayMark::Absent(reason));
            ongoing = (left > 1).then_some((reason, left - 1));
            continue;
        }
        let quarantined = quarantines
            .iter()
            .zip(&home_in_quarantine)
            .any(|(q, &home)| home && q.contains(&i));
        if quarantined {
            out.push(DayMark::Absent(Some(QUARANTINE)));
            continue;
        }
        let day = &days[i];
        let season = illness_season(day.date.month());
        let chances = [
            (
                ILLNESS,
                ILLNESS_PER_DAY * season * frailty * child.age_factor,
            ),
            (VACATION, VACATION_PER_DAY * day.vacation_factor * travels),
            (SANATORIUM, SANATORIUM_PER_DAY),
            (OTHER_EXCUSED, OTHER_EXCUSED_PER_DAY),
            (NO_VALID_REASON, NO_VALID_REASON_PER_DAY),
        ];
        let mut draw: f64 = rng.gen();
        let started = chances.iter().find_map(|&(reason, chance)| {
            if draw < chance {
                Some(reason)
            } else {
                draw -= chance;
                None
            }
        });
        let Some(reason) = started else {
            out.push(DayMark::Present);
            continue;
        };
        let len = match reason {
            ILLNESS => weighted_choice(rng, &ILLNESS_DAYS),
            VACATION => rng.gen_range(5..=10),
            SANATORIUM => rng.gen_range(10..=15),
            OTHER_EXCUSED => rng.gen_range(1..=2),
            _ => 1,
        };
        // A vacation or sanatorium is announced; an illness or a missed day may not be
        // explained yet at the end of the period.
        let unexplained = i >= unexplained_from
            && matches!(reason, ILLNESS | OTHER_EXCUSED | NO_VALID_REASON)
            && rng.gen_bool(UNEXPLAINED_SHARE);
        let reason = (!unexplained).then_some(reason);
        out.push(DayMark::Absent(reason));
        ongoing = (len > 1).then_some((reason, len - 1));
    }
}

/// Relative chance of falling ill by month: the autumn and winter waves of colds and flu.
fn illness_season(month: u32) -> f64 {
    match month {
        9 => 0.8,
        10 => 1.2,
        11 => 1.35,
        12 => 1.0,
        1 => 1.2,
        2 => 1.4,
        3 => 1.0,
        4 => 0.8,
        5 => 0.6,
        _ => 0.45,
    }
}

/// A small deterministic hash for per-(group, day) values that must not consume the
/// random stream (SplitMix64 finaliser).
fn mix(seed: u64, a: u64, b: u64) -> u64 {
    let mut z =
        seed ^ a.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ b.wrapping_mul(0xC2B2_AE3D_27D4_EB4F);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}
