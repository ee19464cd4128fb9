use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};
use sqlx::Row;

use super::{LongAbsenceReport, LongAbsenceRow};
use crate::clock::today;
use crate::db::Db;
use crate::domain::calendar::Month;
use crate::domain::long_absence::{findings, Thresholds};
use crate::domain::timesheet::Mark;
use crate::domain::{Actor, Permission, Role};
use crate::error::AppError;
use crate::input::parse_month;
use crate::reference::repo::{calendar, reasons};
use crate::rows::{full_name, mark_from_row, stored_date};

/// How far before the month a streak is followed back, so one that began last month is
/// counted whole. Longer streaks show from this day on.
const LOOK_BACK_DAYS: u64 = 62;

/// The organisations the actor's report covers: an admin's own, a municipal
/// specialist's municipality; anyone else is refused.
async fn organisations(db: &Db, actor: &Actor) -> Result<Vec<(i64, String, Thresholds)>, AppError> {
    let (sql, id) = match (actor.role, actor.organisation_id, actor.municipality_id) {
        (Role::OrgAdmin, Some(org), _) => ("o.id = $1", org),
        (Role::Municipal, _, Some(municipality)) => ("o.municipality_id = $1", municipality),
        _ => return Err(AppError::forbidden()),
    };
    let rows = sqlx::query(&format!(
        "SELECT o.id, o.short_name, o.municipality_id, o.long_absence_days, o.unexplained_days \
         FROM organisations o WHERE {sql} ORDER BY o.short_name, o.id"
    ))
    .bind(id)
    .fetch_all(db.pool())
    .await?;
    let mut organisations = Vec::new();
    for r in &rows {
        let organisation_id: i64 = r.try_get("id")?;
        actor.authorize(&Permission::ViewOrganisation {
            organisation_id,
            municipality_id: r.try_get("municipality_id")?,
        })?;
        let threshold = |column: &str| -> Result<u32, sqlx::Error> {
            Ok(u32::try_from(r.try_get::<i64, _>(column)?).unwrap_or(u32::MAX))
        };
        organisations.push((
            organisation_id,
            r.try_get("short_name")?,
            Thresholds {
                run_days: threshold("long_absence_days")?,
                unexplained_days: threshold("unexplained_days")?,
            },
        ));
    }
    Ok(organisations)
}

/// A child's stays in the organisation's groups over the report's window, and the group
/// of the last one.
struct ChildStays {
    child_id: i64,
    name: String,
    group: String,
    stays: Vec<(NaiveDate, Option<NaiveDate>)>,
}

/// One organisation's children with findings for the month.
async fn organisation_rows(
    db: &Db,
    (organisation_id, organisation, thresholds): &(i64, String, Thresholds),
    month: Month,
) -> Result<Vec<LongAbsenceRow>, AppError> {
    let from = month.first_day() - Days::new(LOOK_BACK_DAYS);
    let to = month.last_day();
    let calendar = calendar(db, *organisation_id).await?;
    let reasons = reasons(db, *organisation_id).await?;
    // Each child's stays in the organisation's groups over the window; the report names
    // the group of the last one.
    let stays = sqlx::query(
        "SELECT e.child_id, e.from_day, e.to_day, g.name AS group_name, c.surname, c.given_name, c.patronymic \
         FROM enrolments e JOIN groups g ON g.id = e.group_id JOIN children c ON c.id = e.child_id \
         WHERE g.organisation_id = $1 AND e.from_day <= $3 AND (e.to_day IS NULL OR e.to_day >= $2) \
         ORDER BY c.surname, c.given_name, c.patronymic, e.child_id, e.from_day",
    )
    .bind(organisation_id)
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(db.pool())
    .await?;
    let marks = sqlx::query(
        "SELECT m.child_id, m.day, m.status, m.reason FROM marks m \
         WHERE m.day >= $2 AND m.day <= $3 AND m.child_id IN (SELECT e.child_id FROM enrolments e \
         JOIN groups g ON g.id = e.group_id WHERE g.organisation_id = $1 AND e.from_day <= $3 \
         AND (e.to_day IS NULL OR e.to_day >= $2))",
    )
    .bind(organisation_id)
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(db.pool())
    .await?;
    let mut marks_by_day: BTreeMap<(i64, NaiveDate), Mark> = BTreeMap::new();
    for r in &marks {
        let day = stored_date(&r.try_get::<String, _>("day")?)?;
        let mark = mark_from_row(&r.try_get::<String, _>("status")?, r.try_get("reason")?);
        marks_by_day.insert((r.try_get("child_id")?, day), mark);
    }

    let mut children: Vec<ChildStays> = Vec::new();
    for r in &stays {
        let child_id: i64 = r.try_get("child_id")?;
        let stay = (
            stored_date(&r.try_get::<String, _>("from_day")?)?,
            r.try_get::<Option<String>, _>("to_day")?
                .map(|d| stored_date(&d))
                .transpose()?,
        );
        let group: String = r.try_get("group_name")?;
        match children.last_mut() {
            Some(last) if last.child_id == child_id => {
                last.group = group;
                last.stays.push(stay);
            }
            _ => children.push(ChildStays {
                child_id,
                name: full_name(r)?,
                group,
                stays: vec![stay],
            }),
        }
    }
    let today = today();
    let mut rows = Vec::new();
    for ChildStays {
        child_id,
        name,
        group,
        stays,
    } in children
    {
        let days: Vec<(NaiveDate, Option<&Mark>)> = from
            .iter_days()
            .take_while(|day| *day <= to && *day <= today)
            .filter(|day| calendar.is_working_day(*day))
            .filter(|day| {
                stays
                    .iter()
                    .any(|(f, t)| f <= day && t.is_none_or(|t| *day <= t))
            })
            .map(|day| (day, marks_by_day.get(&(child_id, day))))
            .collect();
        let found = findings(&days, month, &reasons, *thresholds);
        if !found.is_empty(*thresholds) {
            rows.push(LongAbsenceRow {
                organisation: organisation.clone(),
                group,
                child_id,
                child: name,
                streaks: found.streaks,
                unexplained: found.unexplained,
                unexplained_listed: found.unexplained >= thresholds.unexplained_days,
                thresholds: *thresholds,
            });
        }
    }
    Ok(rows)
}

pub async fn long_absences(
    db: &Db,
    actor: &Actor,
    month: Option<&str>,
) -> Result<LongAbsenceReport, AppError> {
    let organisations = organisations(db, actor).await?;
    let month = match month.map(str::trim).filter(|m| !m.is_empty()) {
        Some(raw) => parse_month(raw)?,
        None => Month::of(today()).map_err(|e| AppError::invalid("month", &e))?,
    };
    let mut rows = Vec::new();
    for organisation in &organisations {
        rows.extend(organisation_rows(db, organisation, month).await?);
    }
    Ok(LongAbsenceReport {
        month: month.to_string(),
        month_title: crate::export::period_ru(month),
        previous: month.previous_month().map(|m| m.to_string()),
        next: month.next_month().map(|m| m.to_string()),
        several_organisations: organisations.len() > 1 || actor.role == Role::Municipal,
        rows,
    })
}
