use std::collections::BTreeMap;

use chrono::NaiveDate;
use sqlx::Row;

use super::{MarkInput, MarkRow, MarkingSheet, ReasonOption, TimesheetView};
use crate::access::{authorized_group, child_scope, group_scope};
use crate::clock::{local_date, local_time, now_millis, today};
use crate::db::Db;
use crate::domain::calendar::{AcademicCalendar, Month};
use crate::domain::marking::{check_mark, MarkContext};
use crate::domain::permissions::GroupScope;
use crate::domain::sign_off::{check_submission, Signature};
use crate::domain::timesheet::{AbsenceReason, Mark, Timesheet, TimesheetChild, TimesheetInput};
use crate::domain::{Actor, Bilingual, Permission, Role};
use crate::enrolment::{children_ever_in_group, children_in_group, GroupChild, IN_GROUP_ON};
use crate::error::{AppError, ErrorKind};
use crate::input::{parse_date, parse_month};
use crate::marks::{self, month_closed, Origin};
use crate::notices::outbox::Delivery;
use crate::reference::repo::{calendar, reason_names_en, reasons};
use crate::rows::full_name;

async fn group_name(db: &Db, group_id: i64) -> Result<String, AppError> {
    Ok(sqlx::query("SELECT name FROM groups WHERE id = $1")
        .bind(group_id)
        .fetch_one(db.pool())
        .await?
        .try_get("name")?)
}

/// What decides whether a group's day can be marked: the organisation's calendar and
/// reason book, and whether the group's month is closed.
struct DayRules {
    calendar: AcademicCalendar,
    reasons: Vec<AbsenceReason>,
    closed: bool,
}

async fn day_rules(db: &Db, scope: GroupScope, date: NaiveDate) -> Result<DayRules, AppError> {
    let month = Month::of(date).map_err(|e| AppError::invalid("date", &e))?;
    Ok(DayRules {
        calendar: calendar(db, scope.organisation_id).await?,
        reasons: reasons(db, scope.organisation_id).await?,
        closed: month_closed(db, scope.group_id, month).await?,
    })
}

/// Announced, not cancelled absences covering `date`, by child.
async fn planned_absences_on(
    db: &Db,
    group_id: i64,
    date: NaiveDate,
) -> Result<BTreeMap<i64, String>, AppError> {
    let rows = sqlx::query(
        &format!(
            "SELECT pa.child_id, pa.reason FROM planned_absences pa JOIN enrolments e ON e.child_id = pa.child_id \
             WHERE {IN_GROUP_ON} AND pa.cancelled_at IS NULL AND pa.date_from <= $2 AND pa.date_to >= $2 \
             ORDER BY pa.created_at"
        ),
    )
    .bind(group_id)
    .bind(date.to_string())
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("child_id")?, r.try_get("reason")?)))
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

pub async fn marking_sheet(
    db: &Db,
    actor: &Actor,
    group_id: i64,
    date: &str,
) -> Result<MarkingSheet, AppError> {
    let scope = authorized_group(db, actor, group_id, false).await?;
    let date = parse_date(date)?;
    let DayRules {
        calendar,
        reasons,
        closed,
    } = day_rules(db, scope, date).await?;
    let marks = marks::of_group(db, group_id, date, date).await?;
    let children = children_in_group(db, group_id, date, date).await?;
    let planned = planned_absences_on(db, group_id, date).await?;
    // Why the day as a whole cannot be marked, checked as for a present mark of an
    // enrolled child, so the page says it once instead of on every row.
    let refusal = check_mark(
        &Mark::Present,
        &MarkContext {
            date,
            today: today(),
            calendar: &calendar,
            enrolled: true,
            month_closed: closed,
            reasons: &reasons,
        },
    )
    .err();
    Ok(MarkingSheet {
        group_id,
        group_name: group_name(db, group_id).await?,
        date: date.to_string(),
        date_title: date.format("%d.%m.%Y").to_string(),
        refusal_en: refusal.as_ref().map(|r| r.en()),
        refusal: refusal.as_ref().map(|r| r.ru()),
        // Archived reasons too: a mark made before the archive still shows its own.
        reasons: reasons.iter().map(ReasonOption::of).collect(),
        reasons_en: reason_names_en(&reasons),
        children: children
            .into_iter()
            .map(|c| MarkRow {
                mark: marks.get(&(c.id, date)).cloned(),
                planned: planned.get(&c.id).cloned(),
                child_id: c.id,
                name: c.name,
            })
            .collect(),
    })
}

pub async fn save_marks(
    db: &Db,
    actor: &Actor,
    group_id: i64,
    date: &str,
    marks: &[MarkInput],
    origin: Origin<'_>,
    delivery: &Delivery,
) -> Result<usize, AppError> {
    let scope = authorized_group(db, actor, group_id, true).await?;
    let date = parse_date(date)?;
    if marks.is_empty() {
        return Ok(0);
    }
    let DayRules {
        calendar,
        reasons,
        closed,
    } = day_rules(db, scope, date).await?;
    let children: BTreeMap<i64, GroupChild> = children_ever_in_group(db, group_id)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let today = today();
    for input in marks {
        let child = children.get(&input.child_id).ok_or_else(|| {
            AppError::new(
                ErrorKind::Forbidden,
                "Этого ребёнка нет в группе.",
                "This child is not in the group.",
            )
        })?;
        check_mark(
            &input.mark,
            &MarkContext {
                date,
                today,
                calendar: &calendar,
                enrolled: child.in_group_on(group_id, date),
                month_closed: closed,
                reasons: &reasons,
            },
        )
        .map_err(|refusal| AppError {
            field: None,
            ..AppError::new(
                ErrorKind::Conflict,
                format!("{}: {}", child.name, refusal.ru()),
                format!("{}: {}", child.name, refusal.en()),
            )
        })?;
    }

    // A child named twice counts once, as its last mark: the batch writes each row once.
    let mut latest: BTreeMap<i64, &Mark> = BTreeMap::new();
    for input in marks {
        latest.insert(input.child_id, &input.mark);
    }
    let marks: Vec<(i64, &Mark)> = latest.into_iter().collect();
    let mut tx = db.begin_write().await?;
    let changed = marks::record_day(
        &mut tx,
        date,
        &marks,
        actor.person_id,
        now_millis(),
        origin,
        delivery,
    )
    .await?;
    tx.commit().await?;
    crate::metrics::marks_saved(origin.path, changed);
    Ok(changed)
}

pub async fn request_month_close(
    db: &Db,
    actor: &Actor,
    group_id: i64,
    month: &str,
) -> Result<(), AppError> {
    let scope = authorized_group(db, actor, group_id, true).await?;
    let month = parse_month(month)?;
    if month_closed(db, scope.group_id, month).await? {
        return Err(AppError::new(
            ErrorKind::Conflict,
            format!("Табель за {month} уже закрыт."),
            format!("The timesheet for {month} is already closed."),
        ));
    }
    let (sheet, _) = month_sheet(db, scope, month).await?;
    check_submission(&sheet)
        .map_err(|refusal| AppError::new(ErrorKind::Conflict, refusal.ru(), refusal.en()))?;
    sqlx::query(
        "INSERT INTO month_close_requests (group_id, month, requested_by, requested_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (group_id, month) DO NOTHING",
    )
    .bind(group_id)
    .bind(month.to_string())
    .bind(actor.person_id)
    .bind(now_millis())
    .execute(db.pool())
    .await?;
    Ok(())
}

/// A group's month as the табель counts it: the rows of every child who was in the group
/// during the month, with only this group's days.
async fn month_sheet(
    db: &Db,
    scope: GroupScope,
    month: Month,
) -> Result<(Timesheet, Vec<AbsenceReason>), AppError> {
    let group_id = scope.group_id;
    let calendar = calendar(db, scope.organisation_id).await?;
    let reasons = reasons(db, scope.organisation_id).await?;
    let in_group = children_in_group(db, group_id, month.first_day(), month.last_day()).await?;
    let mut marks = marks::of_group(db, group_id, month.first_day(), month.last_day()).await?;
    // A child who moved during the month: the other group's days are that group's
    // табель, here they are blank and their marks are not counted (nor warned about).
    let histories: BTreeMap<i64, _> = in_group.iter().map(|c| (c.id, &c.history)).collect();
    marks.retain(|(child_id, day), _| {
        histories
            .get(child_id)
            .and_then(|h| h.on(*day))
            .is_none_or(|p| p.group_id == group_id)
    });
    let children: Vec<TimesheetChild> = in_group
        .iter()
        .map(|c| TimesheetChild {
            id: c.id,
            name: c.name.clone(),
            enrolments: c.history.in_group(group_id),
        })
        .collect();
    let sheet = Timesheet::build(&TimesheetInput {
        month,
        calendar: &calendar,
        children: &children,
        marks: &marks,
        reasons: &reasons,
        today: today(),
    });
    Ok((sheet, reasons))
}

/// Who submitted the month and who signed it off (closed it), as far as either happened.
async fn signatures(
    db: &Db,
    group_id: i64,
    month: Month,
) -> Result<(Option<Signature>, Option<Signature>), AppError> {
    let signature =
        |row: Option<sqlx::any::AnyRow>, at: &str| -> Result<Option<Signature>, AppError> {
            row.map(|r| {
                let millis: i64 = r.try_get(at)?;
                Ok(Signature {
                    by: full_name(&r)?,
                    on: local_date(millis),
                })
            })
            .transpose()
        };
    let submitted = sqlx::query(
        "SELECT p.surname, p.given_name, p.patronymic, r.requested_at FROM month_close_requests r \
         JOIN people p ON p.id = r.requested_by WHERE r.group_id = $1 AND r.month = $2",
    )
    .bind(group_id)
    .bind(month.to_string())
    .fetch_optional(db.pool())
    .await?;
    let signed = sqlx::query(
        "SELECT p.surname, p.given_name, p.patronymic, c.closed_at FROM month_closures c \
         JOIN people p ON p.id = c.closed_by WHERE c.group_id = $1 AND c.month = $2",
    )
    .bind(group_id)
    .bind(month.to_string())
    .fetch_optional(db.pool())
    .await?;
    Ok((
        signature(submitted, "requested_at")?,
        signature(signed, "closed_at")?,
    ))
}

/// The табель with its header, for the page and the exports.
pub async fn timesheet_view(
    db: &Db,
    actor: &Actor,
    group_id: i64,
    month: &str,
) -> Result<TimesheetView, AppError> {
    let scope = authorized_group(db, actor, group_id, false).await?;
    let month = parse_month(month)?;
    let (sheet, reasons) = month_sheet(db, scope, month).await?;
    let (submitted, signed) = signatures(db, group_id, month).await?;
    // The month is closed exactly when it has a closure row, which is its signature.
    let closed = signed.is_some();
    let head = sqlx::query("SELECT o.name FROM organisations o WHERE o.id = $1")
        .bind(scope.organisation_id)
        .fetch_one(db.pool())
        .await?;
    let teachers = sqlx::query(
        "SELECT p.surname, p.given_name, p.patronymic FROM teacher_groups tg JOIN staff s ON s.id = tg.staff_id \
         JOIN people p ON p.id = s.person_id WHERE tg.group_id = $1 AND s.archived = 0 ORDER BY p.surname",
    )
    .bind(group_id)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(full_name)
    .collect::<Result<Vec<_>, _>>()?;
    Ok(TimesheetView {
        organisation: head.try_get("name")?,
        group_id,
        group: group_name(db, group_id).await?,
        month: month.to_string(),
        month_title: crate::export::period_ru(month),
        responsible: teachers.join(", "),
        closed,
        can_close: actor.role == Role::OrgAdmin,
        can_request_close: actor.role == Role::Teacher && !closed,
        close_requested_by: submitted.as_ref().filter(|_| !closed).map(|s| s.by.clone()),
        submitted,
        signed,
        legend: sheet.legend(&reasons),
        sheet,
    })
}

pub async fn set_month_closed(
    db: &Db,
    actor: &Actor,
    group_id: i64,
    month: &str,
    closed: bool,
    reason: &str,
) -> Result<(), AppError> {
    let scope = group_scope(db, group_id).await?;
    actor.authorize(&Permission::ManageOrganisation {
        organisation_id: scope.organisation_id,
    })?;
    let month = parse_month(month)?;
    let reason = reason.split_whitespace().collect::<Vec<_>>().join(" ");
    if !closed && reason.is_empty() {
        return Err(AppError::on_field(
            ErrorKind::Invalid,
            "reason",
            "Укажите причину, по которой месяц открывается снова.",
            "Give the reason for reopening the month.",
        ));
    }
    let mut tx = db.begin_write().await?;
    let changed = if closed {
        sqlx::query(
            "INSERT INTO month_closures (group_id, month, closed_at, closed_by) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (group_id, month) DO NOTHING",
        )
        .bind(group_id)
        .bind(month.to_string())
        .bind(now_millis())
        .bind(actor.person_id)
        .execute(&mut *tx)
        .await?
    } else {
        sqlx::query("DELETE FROM month_closures WHERE group_id = $1 AND month = $2")
            .bind(group_id)
            .bind(month.to_string())
            .execute(&mut *tx)
            .await?
    }
    .rows_affected();
    // The submission stays beside the signature it led to; a reopened month has to be
    // submitted again, since its marks may change.
    if !closed && changed > 0 {
        sqlx::query("DELETE FROM month_close_requests WHERE group_id = $1 AND month = $2")
            .bind(group_id)
            .bind(month.to_string())
            .execute(&mut *tx)
            .await?;
    }
    if changed > 0 {
        sqlx::query(
            "INSERT INTO month_closure_log (group_id, month, action, reason, by_person, at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(group_id)
        .bind(month.to_string())
        .bind(if closed { "closed" } else { "reopened" })
        .bind(&reason)
        .bind(actor.person_id)
        .bind(now_millis())
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    tracing::info!(group_id, month = %month, closed, by = actor.person_id, "month closure changed");
    Ok(())
}

/// Every recorded change of one child's mark on one day, oldest first.
pub async fn mark_history(
    db: &Db,
    actor: &Actor,
    child_id: i64,
    date: &str,
) -> Result<Vec<super::MarkChange>, AppError> {
    actor.authorize(&Permission::ViewChild(child_scope(db, child_id).await?))?;
    let date = parse_date(date)?;
    let rows = sqlx::query(
        "SELECT a.at, a.old_status, a.old_reason, a.new_status, a.new_reason, a.device, a.path, \
         a.outcome, p.surname, p.given_name, p.patronymic FROM mark_audit a JOIN people p ON p.id = a.by_person \
         WHERE a.child_id = $1 AND a.day = $2 ORDER BY a.at, a.id",
    )
    .bind(child_id)
    .bind(date.to_string())
    .fetch_all(db.pool())
    .await?;
    let describe = |status: Option<String>, reason: Option<String>| match status.as_deref() {
        None => "не отмечен".to_owned(),
        Some("present") => "присутствовал".to_owned(),
        _ => match reason {
            Some(code) => format!("отсутствовал ({code})"),
            None => "отсутствовал, причина не известна".to_owned(),
        },
    };
    let describe_en = |status: Option<String>, reason: Option<String>| match status.as_deref() {
        None => "not marked".to_owned(),
        Some("present") => "present".to_owned(),
        _ => match reason {
            Some(code) => format!("absent ({code})"),
            None => "absent, reason unknown".to_owned(),
        },
    };
    rows.iter()
        .map(|r| {
            let at: i64 = r.try_get("at")?;
            let (old_status, old_reason): (Option<String>, Option<String>) =
                (r.try_get("old_status")?, r.try_get("old_reason")?);
            let (new_status, new_reason): (Option<String>, Option<String>) =
                (r.try_get("new_status")?, r.try_get("new_reason")?);
            let path: String = r.try_get("path")?;
            // A synced op that lost to a later mark changed nothing; the row says so
            // rather than looking like a change to the same value.
            let superseded =
                r.try_get::<Option<String>, _>("outcome")?.as_deref() == Some("superseded");
            Ok(super::MarkChange {
                at: local_time(at, "%d.%m.%Y %H:%M:%S"),
                at_en: local_time(at, "%-d %b %Y %H:%M:%S"),
                by: full_name(r)?,
                old: describe(old_status.clone(), old_reason.clone()),
                old_en: describe_en(old_status, old_reason),
                new: describe(new_status.clone(), new_reason.clone()),
                new_en: describe_en(new_status, new_reason),
                // Which tablet or browser made a change is the organisation's business.
                device: if actor.role == Role::Parent {
                    String::new()
                } else {
                    r.try_get("device")?
                },
                path: if superseded {
                    format!("{path} (не применена: в силе более поздняя отметка)")
                } else {
                    path.clone()
                },
                path_en: if superseded {
                    format!("{path} (not applied: a later mark prevails)")
                } else {
                    path
                },
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}
