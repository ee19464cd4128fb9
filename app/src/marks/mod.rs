//! The marks store: the one module that reads and writes a child's day marks.
//!
//! Every path that changes a mark — the marking page, an offline op synced later, a
//! parent's answer to a reason request — goes through here, so each write carries its
//! stamp (`domain::sync`), leaves an audit row (who, when, device, path, old and new),
//! and keeps the parents' question in step: an absence nobody explained asks them, any
//! other mark withdraws the question (`question`).

mod question;

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use sqlx::Row;

use crate::db::Db;
use crate::domain::calendar::Month;
use crate::domain::sync::{resolve, MarkOp, OpResult, Resolution, Stamp};
use crate::domain::timesheet::{Mark, Marks};
use crate::error::AppError;
use crate::notices::outbox::Delivery;
use crate::rows::{mark_columns, mark_from_row, stored_date};

pub use question::request_key;

/// Where a change came from, for the audit log: the device (User-Agent) and the path
/// through the app ("web", "notice-answer", "sync").
#[derive(Debug, Clone, Copy)]
pub struct Origin<'a> {
    pub device: &'a str,
    pub path: &'a str,
}

/// A stored mark with the stamp it won by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub mark: Mark,
    pub stamp: Stamp,
}

/// The mark stored for a child's day, read inside the caller's transaction.
pub async fn stored(
    conn: &mut sqlx::AnyConnection,
    child_id: i64,
    day: NaiveDate,
) -> Result<Option<Stored>, AppError> {
    let row = sqlx::query(
        "SELECT status, reason, recorded_at, device, op_id FROM marks WHERE child_id = $1 AND day = $2",
    )
    .bind(child_id)
    .bind(day.to_string())
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    Ok(Some(Stored {
        mark: mark_from_row(&row.try_get::<String, _>("status")?, row.try_get("reason")?),
        stamp: Stamp {
            recorded_at: row.try_get("recorded_at")?,
            device: row.try_get("device")?,
            op_id: row.try_get("op_id")?,
        },
    }))
}

/// The marks between two days (both included) of the children with a period in the
/// group then. A child who moved keeps its other group's marks here: the caller counts
/// only the days the child was in this group.
pub async fn of_group(
    db: &Db,
    group_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Marks, AppError> {
    let rows = sqlx::query(
        "SELECT m.child_id, m.day, m.status, m.reason FROM marks m \
         WHERE m.day >= $2 AND m.day <= $3 AND m.child_id IN (SELECT e.child_id FROM enrolments e \
         WHERE e.group_id = $1 AND e.from_day <= $3 AND (e.to_day IS NULL OR e.to_day >= $2))",
    )
    .bind(group_id)
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(db.pool())
    .await?;
    let mut marks = BTreeMap::new();
    for r in &rows {
        let day = stored_date(&r.try_get::<String, _>("day")?)?;
        let mark = mark_from_row(&r.try_get::<String, _>("status")?, r.try_get("reason")?);
        marks.insert((r.try_get::<i64, _>("child_id")?, day), mark);
    }
    Ok(marks)
}

/// Whether the group's табель for `month` is closed: then its marks no longer change.
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

/// Every closed month of the group.
pub async fn closed_months(db: &Db, group_id: i64) -> Result<BTreeSet<Month>, AppError> {
    sqlx::query("SELECT month FROM month_closures WHERE group_id = $1")
        .bind(group_id)
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|row| {
            let raw: String = row.try_get("month")?;
            Month::parse(&raw).map_err(|e| {
                tracing::error!(group_id, error = %e, "stored closed month is malformed");
                AppError::internal()
            })
        })
        .collect()
}

/// `$first, $first+1, …` for `count` values.
fn placeholders(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Writes checked marks of one day, made online now (`at`) by `by`. `marks` names each
/// child once. Returns how many marks changed.
///
/// The marks get the online stamp `(at, "", "")` (see `domain::sync`): made now on the
/// server, they must beat any offline op recorded earlier that has not synced yet. The
/// write is unconditional, unlike a synced op's: online saves reach the server in the
/// order they are made, so the latest one is the one the teacher means. A whole day
/// goes in a handful of statements rather than a few per child: on SQLite, where one
/// writer at a time holds the lock, this bounds the marks a server saves per second.
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
    let sql = format!(
        "SELECT child_id, status, reason FROM marks WHERE day = $1 AND child_id IN ({})",
        placeholders(2, marks.len())
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
        // Nothing to audit, but the teacher has just confirmed these: an older offline
        // op for the day, synced later, must not undo them.
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

    let audit_rows: Vec<AuditRow> = changed
        .iter()
        .map(|(child, mark)| AuditRow {
            child_id: *child,
            day,
            old: old.get(child),
            new: mark,
            by,
            at,
            origin,
            op: None,
        })
        .collect();
    audit(conn, &audit_rows).await?;

    for (child, mark) in &changed {
        question::follow(conn, *child, day, old.get(child), mark, by, at, delivery).await?;
    }
    Ok(changed.len())
}

/// How often one op is judged again after the stored mark changed between reading and
/// writing it. Only a concurrent sync of the same child-day on PostgreSQL does that, and
/// each retry sees that sync committed, so a second attempt is all it ever takes.
const WRITE_ATTEMPTS: usize = 4;

/// The audit path of every synced op.
pub const SYNC_PATH: &str = "sync";

/// Writes a checked offline op by `by` if its stamp beats the stored mark's, and audits
/// it either way (a losing op as `superseded`, so the history shows it was not applied).
pub async fn merge_op(
    conn: &mut sqlx::AnyConnection,
    by: i64,
    op: &MarkOp,
    incoming: &Stamp,
    now: i64,
    delivery: &Delivery,
) -> Result<OpResult, AppError> {
    let origin = Origin {
        device: op.device.as_str(),
        path: SYNC_PATH,
    };
    for _ in 0..WRITE_ATTEMPTS {
        let current = stored(conn, op.child_id, op.day).await?;
        if let Some(current) = &current {
            if resolve(Some(&current.stamp), incoming) == Resolution::Loses {
                let row = AuditRow {
                    child_id: op.child_id,
                    day: op.day,
                    old: Some(&current.mark),
                    new: &current.mark,
                    by,
                    at: now,
                    origin,
                    op: Some((op.op_id.as_str(), "superseded")),
                };
                audit(conn, &[row]).await?;
                return Ok(OpResult::Superseded {
                    by: current.stamp.clone(),
                });
            }
        }
        if !write_op(conn, by, op, incoming, current.as_ref().map(|s| &s.stamp)).await? {
            // Another sync changed the mark after it was read: judge again against it.
            continue;
        }
        let old = current.as_ref().map(|s| &s.mark);
        let row = AuditRow {
            child_id: op.child_id,
            day: op.day,
            old,
            new: &op.mark,
            by,
            at: now,
            origin,
            op: Some((op.op_id.as_str(), "applied")),
        };
        audit(conn, &[row]).await?;
        question::follow(conn, op.child_id, op.day, old, &op.mark, by, now, delivery).await?;
        return Ok(OpResult::Applied);
    }
    tracing::error!(op_id = %op.op_id, "sync: the stored mark kept changing under the op");
    Err(AppError::internal())
}

/// Stores the op's mark, but only over the stamp `current` it was judged against (none:
/// only if there is still no mark). Returns false when the stored mark changed since.
///
/// The comparison with the op's stamp repeats `resolve` in SQL on purpose: whatever
/// happens around it, this write never replaces a greater stamp.
async fn write_op(
    conn: &mut sqlx::AnyConnection,
    by: i64,
    op: &MarkOp,
    incoming: &Stamp,
    current: Option<&Stamp>,
) -> Result<bool, AppError> {
    let (status, reason) = mark_columns(&op.mark);
    let written = sqlx::query(
        "INSERT INTO marks (child_id, day, status, reason, recorded_at, recorded_by, device, op_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (child_id, day) DO UPDATE SET status = excluded.status, reason = excluded.reason, \
         recorded_at = excluded.recorded_at, recorded_by = excluded.recorded_by, \
         device = excluded.device, op_id = excluded.op_id \
         WHERE (marks.recorded_at, marks.device, marks.op_id) < (excluded.recorded_at, excluded.device, excluded.op_id) \
         AND (marks.recorded_at, marks.device, marks.op_id) = ($9, $10, $11)",
    )
    .bind(op.child_id)
    .bind(op.day.to_string())
    .bind(status)
    .bind(reason)
    .bind(incoming.recorded_at)
    .bind(by)
    .bind(&incoming.device)
    .bind(&incoming.op_id)
    // NULLs when there was no mark: then an existing row is never updated.
    .bind(current.map(|s| s.recorded_at))
    .bind(current.map(|s| s.device.as_str()))
    .bind(current.map(|s| s.op_id.as_str()))
    .execute(&mut *conn)
    .await?;
    Ok(written.rows_affected() == 1)
}

/// One row of the audit log: a change of one child's day mark.
struct AuditRow<'a> {
    child_id: i64,
    day: NaiveDate,
    old: Option<&'a Mark>,
    new: &'a Mark,
    by: i64,
    at: i64,
    origin: Origin<'a>,
    /// A synced op's id and outcome (`applied`, `superseded`); none for online saves.
    op: Option<(&'a str, &'static str)>,
}

async fn audit(conn: &mut sqlx::AnyConnection, rows: &[AuditRow<'_>]) -> Result<(), AppError> {
    if rows.is_empty() {
        return Ok(());
    }
    const COLUMNS: usize = 12;
    let values = (0..rows.len())
        .map(|i| format!("({})", placeholders(i * COLUMNS + 1, COLUMNS)))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "INSERT INTO mark_audit (child_id, day, old_status, old_reason, new_status, new_reason, \
         by_person, at, device, path, op_id, outcome) VALUES {values}"
    );
    let mut q = sqlx::query(&sql);
    for row in rows {
        let (old_status, old_reason) = row.old.map(mark_columns).unzip();
        let (new_status, new_reason) = mark_columns(row.new);
        q = q
            .bind(row.child_id)
            .bind(row.day.to_string())
            .bind(old_status)
            .bind(old_reason.flatten())
            .bind(new_status)
            .bind(new_reason)
            .bind(row.by)
            .bind(row.at)
            .bind(row.origin.device)
            .bind(row.origin.path)
            .bind(row.op.map(|(id, _)| id))
            .bind(row.op.map(|(_, outcome)| outcome));
    }
    q.execute(&mut *conn).await?;
    Ok(())
}
