use std::collections::BTreeMap;

use chrono::NaiveDate;
use sqlx::Row;

use super::{MarkInput, MarkRow, MarkingSheet, ReasonNameEn, ReasonOption, TimesheetView};
use crate::db::{local_time, now_millis, Db};
use crate::domain::calendar::{AcademicCalendar, Month};
use crate::domain::marking::{check_mark, MarkContext};
use crate::domain::permissions::GroupScope;
use crate::domain::timesheet::{
    AbsenceReason, Enrolment, Mark, Marks, Timesheet, TimesheetChild, TimesheetInput,
};
use crate::domain::{Actor, Bilingual, Permission, Role};
use crate::error::{AppError, ErrorKind};
use crate::groups::repo::{full_name, group_scope};
use crate::notices::outbox::Delivery;
use crate::notices::repo as notices;

pub fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

pub fn parse_date(raw: &str) -> Result<NaiveDate, AppError> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").map_err(|_| AppError {
        field: Some("date".into()),
        ..AppError::new(
            ErrorKind::Invalid,
            format!("Дата «{raw}» не распознана (нужно ГГГГ-ММ-ДД)."),
            format!("The date “{raw}” is not valid (expected YYYY-MM-DD)."),
        )
    })
}

pub fn parse_month(raw: &str) -> Result<Month, AppError> {
    Month::parse(raw).map_err(|e| AppError::invalid("month", &e))
}

/// Which device a change came from, for the audit log.
pub fn device_of_request() -> String {
    leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|p| p.headers.get(http::header::USER_AGENT).cloned())
        .and_then(|v| v.to_str().ok().map(|s| s.chars().take(200).collect()))
        .unwrap_or_default()
}

pub async fn calendar(db: &Db, organisation_id: i64) -> Result<AcademicCalendar, AppError> {
    let rows = sqlx::query("SELECT day, kind FROM calendar_days WHERE organisation_id = $1")
        .bind(organisation_id)
        .fetch_all(db.pool())
        .await?;
    let (mut holidays, mut working) = (Vec::new(), Vec::new());
    for r in &rows {
        let day = parse_date(&r.try_get::<String, _>("day")?)?;
        match r.try_get::<String, _>("kind")?.as_str() {
            "holiday" => holidays.push(day),
            _ => working.push(day),
        }
    }
    AcademicCalendar::new(holidays, working).map_err(|e| {
        tracing::error!(organisation_id, error = %e, "stored calendar is inconsistent");
        AppError::internal()
    })
}

/// The regional defaults, with the organisation's own rows overriding them by code.
pub async fn reasons(db: &Db, organisation_id: i64) -> Result<Vec<AbsenceReason>, AppError> {
    let rows = sqlx::query(
        "SELECT organisation_id, code, name_ru, name_en, excused, charged, archived FROM absence_reasons \
         WHERE organisation_id IS NULL OR organisation_id = $1 ORDER BY position, code",
    )
    .bind(organisation_id)
    .fetch_all(db.pool())
    .await?;
    let mut by_code: Vec<AbsenceReason> = Vec::new();
    for r in &rows {
        let reason = AbsenceReason {
            code: r.try_get("code")?,
            name_ru: r.try_get("name_ru")?,
            name_en: r.try_get("name_en")?,
            excused: r.try_get::<i64, _>("excused")? != 0,
            charged: r.try_get::<i64, _>("charged")? != 0,
            archived: r.try_get::<i64, _>("archived")? != 0,
        };
        let own = r.try_get::<Option<i64>, _>("organisation_id")?.is_some();
        match by_code.iter_mut().find(|x| x.code == reason.code) {
            Some(existing) if own => *existing = reason,
            Some(_) => {}
            None => by_code.push(reason),
        }
    }
    Ok(by_code)
}

/// The English names of `reasons`, for [`ReasonOption`]s made of them.
pub fn reason_names_en(reasons: &[AbsenceReason]) -> Vec<ReasonNameEn> {
    reasons
        .iter()
        .map(|r| ReasonNameEn {
            code: r.code.clone(),
            name_en: r.name_en.clone(),
        })
        .collect()
}

pub async fn month_closed(db: &Db, group_id: i64, month: Month) -> Result<bool, AppError> {
    Ok(
        sqlx::query("SELECT 1 FROM month_closures WHERE group_id = $1 AND month = $2")
            .bind(group_id)
            .bind(month.to_string())
            .fetch_optional(db.pool())
            .await?
            .is_some(),
    )
}

struct GroupChild {
    id: i64,
    name: String,
    enrolment: Enrolment,
}

async fn group_children(db: &Db, group_id: i64) -> Result<Vec<GroupChild>, AppError> {
    let rows = sqlx::query(
        "SELECT id, surname, given_name, patronymic, enrolled_on, left_on FROM children \
         WHERE group_id = $1 ORDER BY surname, given_name, id",
    )
    .bind(group_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(GroupChild {
                id: r.try_get("id")?,
                name: full_name(r)?,
                enrolment: enrolment_of(r)?,
            })
        })
        .collect()
}

/// A child's enrolment from a row with `enrolled_on` and `left_on`.
pub(crate) fn enrolment_of(row: &sqlx::any::AnyRow) -> Result<Enrolment, AppError> {
    let enrolled_on = parse_date(&row.try_get::<String, _>("enrolled_on")?)?;
    let left_on = row
        .try_get::<Option<String>, _>("left_on")?
        .map(|d| parse_date(&d))
        .transpose()?;
    Enrolment::new(enrolled_on, left_on).map_err(|e| {
        tracing::error!(error = %e, "stored enrolment is inconsistent");
        AppError::internal()
    })
}

/// The column encoding of a mark: `status` and `reason`.
pub(crate) fn mark_from_row(status: &str, reason: Option<String>) -> Mark {
    match status {
        "present" => Mark::Present,
        _ => Mark::Absent { reason },
    }
}

pub(crate) fn mark_columns(mark: &Mark) -> (&'static str, Option<&str>) {
    match mark {
        Mark::Present => ("present", None),
        Mark::Absent { reason } => ("absent", reason.as_deref()),
    }
}

async fn marks_between(
    db: &Db,
    group_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Marks, AppError> {
    let rows = sqlx::query(
        "SELECT m.child_id, m.day, m.status, m.reason FROM marks m JOIN children c ON c.id = m.child_id \
         WHERE c.group_id = $1 AND m.day >= $2 AND m.day <= $3",
    )
    .bind(group_id)
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(db.pool())
    .await?;
    let mut marks = BTreeMap::new();
    for r in &rows {
        let day = parse_date(&r.try_get::<String, _>("day")?)?;
        let mark = mark_from_row(&r.try_get::<String, _>("status")?, r.try_get("reason")?);
        marks.insert((r.try_get::<i64, _>("child_id")?, day), mark);
    }
    Ok(marks)
}

async fn authorized_group(
    db: &Db,
    actor: &Actor,
    group_id: i64,
    mark: bool,
) -> Result<GroupScope, AppError> {
    let scope = group_scope(db, group_id).await?;
    let permission = if mark {
        Permission::MarkGroup(scope)
    } else {
        Permission::ViewGroup(scope)
    };
    actor.authorize(&permission)?;
    Ok(scope)
}

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
        "SELECT pa.child_id, pa.reason FROM planned_absences pa JOIN children c ON c.id = pa.child_id \
         WHERE c.group_id = $1 AND pa.cancelled_at IS NULL AND pa.date_from <= $2 AND pa.date_to >= $2 \
         ORDER BY pa.created_at",
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
    let marks = marks_between(db, group_id, date, date).await?;
    let children: Vec<GroupChild> = group_children(db, group_id)
        .await?
        .into_iter()
        .filter(|c| c.enrolment.contains(date))
        .collect();
    let planned = planned_absences_on(db, group_id, date).await?;
    // Why the day as a whole cannot be marked, checked as for a present mark of an
    // enrolled child, so the page says it once instead of on every row.
    let open = Enrolment::open(date);
    let refusal = check_mark(
        &Mark::Present,
        &MarkContext {
            date,
            today: today(),
            calendar: &calendar,
            enrolment: &open,
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
    let children: BTreeMap<i64, GroupChild> = group_children(db, group_id)
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
                enrolment: &child.enrolment,
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
    let changed = record_day(
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
    Ok(changed)
}

/// `$first, $first+1, …` for `count` values.
fn placeholders(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A group's day written at once, with the same effect as [`record_mark`] for each
/// child (stamp, audit, the question to the parents) in a handful of statements rather
/// than a few per child: on SQLite, where one writer at a time holds the lock, this is
/// what bounds the marks a server saves per second. `marks` names each child once.
pub async fn record_day(
    conn: &mut sqlx::AnyConnection,
    day: NaiveDate,
    marks: &[(i64, &Mark)],
    by: i64,
    at: i64,
    origin: Origin<'_>,
    delivery: &Delivery,
) -> Result<usize, AppError> {
    if marks.is_empty() {
        return Ok(0);
    }
    let iso = day.to_string();
    let children = placeholders(2, marks.len());
    let sql = format!(
        "SELECT child_id, status, reason FROM marks WHERE day = $1 AND child_id IN ({children})"
    );
    let mut query = sqlx::query_as::<_, (i64, String, Option<String>)>(&sql).bind(&iso);
    for (child, _) in marks {
        query = query.bind(*child);
    }
    let old: BTreeMap<i64, Mark> = query
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|(child, status, reason)| (child, mark_from_row(&status, reason)))
        .collect();
    let (same, changed): (Vec<_>, Vec<_>) = marks
        .iter()
        .partition(|(child, mark)| old.get(child) == Some(*mark));

    if !same.is_empty() {
        // The teacher has just confirmed these: an older offline op for the day, synced
        // later, must not undo them.
        let sql = format!(
            "UPDATE marks SET recorded_at = $2, device = '', op_id = '' WHERE day = $1 AND child_id IN ({})",
            placeholders(3, same.len())
        );
        let mut q = sqlx::query(&sql).bind(&iso).bind(at);
        for (child, _) in &same {
            q = q.bind(*child);
        }
        q.execute(&mut *conn).await?;
    }
    if changed.is_empty() {
        return Ok(0);
    }

    let rows = (0..changed.len())
        .map(|i| format!("({}, '', '')", placeholders(i * 6 + 1, 6)))
        .collect::<Vec<_>>()
        .join(", ");
    // Unconditional, unlike a synced op's write: online saves reach the server in the
    // order they are made, so the latest one is the one the teacher means.
    let sql = format!(
        "INSERT INTO marks (child_id, day, status, reason, recorded_at, recorded_by, device, op_id) \
         VALUES {rows} ON CONFLICT (child_id, day) DO UPDATE SET status = excluded.status, \
         reason = excluded.reason, recorded_at = excluded.recorded_at, \
         recorded_by = excluded.recorded_by, device = excluded.device, op_id = excluded.op_id"
    );
    let mut q = sqlx::query(&sql);
    for (child, mark) in &changed {
        let (status, reason) = mark_columns(mark);
        q = q
            .bind(*child)
            .bind(&iso)
            .bind(status)
            .bind(reason)
            .bind(at)
            .bind(by);
    }
    q.execute(&mut *conn).await?;

    let rows = (0..changed.len())
        .map(|i| format!("({})", placeholders(i * 10 + 1, 10)))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "INSERT INTO mark_audit (child_id, day, old_status, old_reason, new_status, new_reason, \
         by_person, at, device, path) VALUES {rows}"
    );
    let mut q = sqlx::query(&sql);
    for (child, mark) in &changed {
        let (status, reason) = mark_columns(mark);
        let (old_status, old_reason) = old.get(child).map(mark_columns).unzip();
        q = q
            .bind(*child)
            .bind(&iso)
            .bind(old_status)
            .bind(old_reason.flatten())
            .bind(status)
            .bind(reason)
            .bind(by)
            .bind(at)
            .bind(origin.device)
            .bind(origin.path);
    }
    q.execute(&mut *conn).await?;

    let unexplained = Mark::Absent { reason: None };
    for (child, mark) in &changed {
        if **mark == unexplained {
            notices::open_reason_request(conn, *child, day, by, at, delivery).await?;
        } else if old.get(child) == Some(&unexplained) {
            // Only an unexplained absence can have an open question to withdraw.
            notices::close_reason_request(conn, *child, day, at).await?;
        }
    }
    Ok(changed.len())
}

/// Where a change came from, for the audit log: the device (User-Agent) and the path
/// through the app ("web", "notice-answer", "sync").
#[derive(Debug, Clone, Copy)]
pub struct Origin<'a> {
    pub device: &'a str,
    pub path: &'a str,
}

/// One change of one child's mark, as the audit log records it.
pub struct MarkWrite<'a> {
    pub child_id: i64,
    pub day: NaiveDate,
    pub mark: &'a Mark,
    pub by: i64,
    pub at: i64,
    pub device: &'a str,
    pub path: &'a str,
}

/// The mark stored for a child's day, read inside the caller's transaction.
pub async fn stored_mark(
    conn: &mut sqlx::AnyConnection,
    child_id: i64,
    day: NaiveDate,
) -> Result<Option<Mark>, AppError> {
    sqlx::query("SELECT status, reason FROM marks WHERE child_id = $1 AND day = $2")
        .bind(child_id)
        .bind(day.to_string())
        .fetch_optional(&mut *conn)
        .await?
        .map(|r| {
            Ok::<_, sqlx::Error>(mark_from_row(
                &r.try_get::<String, _>("status")?,
                r.try_get("reason")?,
            ))
        })
        .transpose()
        .map_err(Into::into)
}

/// Writes a checked mark with its audit row, and keeps the question to the parents in
/// step: an absence nobody explained asks them, any other mark withdraws the question.
/// Returns whether anything changed.
///
/// The mark gets the online stamp `(change.at, "", "")` (see `domain::sync`): made now on
/// the server, it must beat any offline op recorded earlier that has not synced yet.
pub async fn record_mark(
    conn: &mut sqlx::AnyConnection,
    change: &MarkWrite<'_>,
    delivery: &Delivery,
) -> Result<bool, AppError> {
    let old = stored_mark(conn, change.child_id, change.day).await?;
    let day = change.day.to_string();
    if old.as_ref() == Some(change.mark) {
        // Nothing to audit, but the teacher has just confirmed the mark: an older offline
        // op for the day, synced later, must not undo it.
        sqlx::query(
            "UPDATE marks SET recorded_at = $3, device = '', op_id = '' WHERE child_id = $1 AND day = $2",
        )
        .bind(change.child_id)
        .bind(&day)
        .bind(change.at)
        .execute(&mut *conn)
        .await?;
        return Ok(false);
    }
    let (status, reason) = mark_columns(change.mark);
    // Unconditional, unlike a synced op's write: online saves reach the server in the
    // order they are made, so the latest one is the one the teacher means.
    sqlx::query(
        "INSERT INTO marks (child_id, day, status, reason, recorded_at, recorded_by, device, op_id) \
         VALUES ($1, $2, $3, $4, $5, $6, '', '') \
         ON CONFLICT (child_id, day) DO UPDATE SET status = excluded.status, reason = excluded.reason, \
         recorded_at = excluded.recorded_at, recorded_by = excluded.recorded_by, \
         device = excluded.device, op_id = excluded.op_id",
    )
    .bind(change.child_id)
    .bind(&day)
    .bind(status)
    .bind(reason)
    .bind(change.at)
    .bind(change.by)
    .execute(&mut *conn)
    .await?;
    let (old_status, old_reason) = old.as_ref().map(mark_columns).unzip();
    sqlx::query(
        "INSERT INTO mark_audit (child_id, day, old_status, old_reason, new_status, new_reason, by_person, at, device, path) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(change.child_id)
    .bind(&day)
    .bind(old_status)
    .bind(old_reason.flatten())
    .bind(status)
    .bind(reason)
    .bind(change.by)
    .bind(change.at)
    .bind(change.device)
    .bind(change.path)
    .execute(&mut *conn)
    .await?;
    match change.mark {
        Mark::Absent { reason: None } => {
            notices::open_reason_request(
                conn,
                change.child_id,
                change.day,
                change.by,
                change.at,
                delivery,
            )
            .await?
        }
        // Only an unexplained absence can have an open question to withdraw.
        _ if old == Some(Mark::Absent { reason: None }) => {
            notices::close_reason_request(conn, change.child_id, change.day, change.at).await?
        }
        _ => {}
    }
    Ok(true)
}

async fn close_requester(db: &Db, group_id: i64, month: Month) -> Result<Option<String>, AppError> {
    sqlx::query(
        "SELECT p.surname, p.given_name, p.patronymic FROM month_close_requests r \
         JOIN people p ON p.id = r.requested_by WHERE r.group_id = $1 AND r.month = $2",
    )
    .bind(group_id)
    .bind(month.to_string())
    .fetch_optional(db.pool())
    .await?
    .map(|r| full_name(&r))
    .transpose()
    .map_err(Into::into)
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

/// The табель with its header, for the page and the exports.
pub async fn timesheet_view(
    db: &Db,
    actor: &Actor,
    group_id: i64,
    month: &str,
) -> Result<TimesheetView, AppError> {
    let scope = authorized_group(db, actor, group_id, false).await?;
    let month = parse_month(month)?;
    let calendar = calendar(db, scope.organisation_id).await?;
    let reasons = reasons(db, scope.organisation_id).await?;
    let children: Vec<TimesheetChild> = group_children(db, group_id)
        .await?
        .into_iter()
        .filter(|c| month.days().any(|d| c.enrolment.contains(d)))
        .map(|c| TimesheetChild {
            id: c.id,
            name: c.name,
            enrolment: c.enrolment,
        })
        .collect();
    let marks = marks_between(db, group_id, month.first_day(), month.last_day()).await?;
    let sheet = Timesheet::build(&TimesheetInput {
        month,
        calendar: &calendar,
        children: &children,
        marks: &marks,
        reasons: &reasons,
        today: today(),
    });
    let closed = month_closed(db, group_id, month).await?;
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
        close_requested_by: if closed {
            None
        } else {
            close_requester(db, group_id, month).await?
        },
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
        return Err(AppError {
            field: Some("reason".into()),
            ..AppError::new(
                ErrorKind::Invalid,
                "Укажите причину, по которой месяц открывается снова.",
                "Give the reason for reopening the month.",
            )
        });
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
    if closed {
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
    let group_id: i64 = sqlx::query("SELECT group_id FROM children WHERE id = $1")
        .bind(child_id)
        .fetch_optional(db.pool())
        .await?
        .ok_or_else(|| AppError::not_found("Ребёнок не найден.", "Child not found."))?
        .try_get("group_id")?;
    let group = group_scope(db, group_id).await?;
    actor.authorize(&Permission::ViewChild(
        crate::domain::permissions::ChildScope { child_id, group },
    ))?;
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
                device: r.try_get("device")?,
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
