use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use chrono::NaiveDate;
use sqlx::Row;

use crate::attendance::repo::{
    calendar, enrolment_of, mark_columns, mark_from_row, reasons, today,
};
use crate::db::{is_unique_violation, now_millis, Db};
use crate::domain::calendar::{AcademicCalendar, Month};
use crate::domain::marking::{check_mark, MarkContext, MarkRefusal};
use crate::domain::sync::{
    check_batch, resolve, DeviceId, MarkOp, OpOutcome, OpResult, Refusal, Resolution, Stamp,
    SyncResponse,
};
use crate::domain::timesheet::{AbsenceReason, Enrolment, Mark};
use crate::domain::{Actor, Permission, Role};
use crate::error::AppError;
use crate::notices::outbox::Delivery;
use crate::notices::repo::{close_reason_request, open_reason_request};

/// The audit path of every synced op.
const PATH: &str = "sync";

/// How often one op is judged again after the stored mark changed between reading and
/// writing it. Only a concurrent sync of the same child-day on PostgreSQL does that, and
/// each retry sees that sync committed, so a second attempt is all it ever takes.
const WRITE_ATTEMPTS: usize = 4;

/// Only roles that mark attendance sync. Anyone else is refused as a whole rather than
/// op by op: a tablet whose user switched to another role keeps its queue for later
/// instead of turning every op into a conflict.
pub(super) fn require_marking_role(actor: &Actor) -> Result<i64, AppError> {
    match (actor.role, actor.organisation_id) {
        (Role::Teacher | Role::OrgAdmin, Some(organisation_id)) => Ok(organisation_id),
        _ => Err(AppError::forbidden()),
    }
}

pub async fn sync_marks(
    db: &Db,
    actor: &Actor,
    device: &DeviceId,
    ops: &[MarkOp],
    delivery: &Delivery,
) -> Result<SyncResponse, AppError> {
    check_batch(ops).map_err(|e| AppError::invalid("ops", &e))?;
    require_marking_role(actor)?;
    let rules = BatchRules::load(db, actor, ops).await?;
    let today = today();
    let mut outcomes = Vec::with_capacity(ops.len());
    let mut tally = Tally::default();
    for op in ops {
        let result = sync_op(db, actor, device, op, &rules, today, delivery).await?;
        tally.count(&result);
        outcomes.push(OpOutcome {
            op_id: op.op_id.clone(),
            result,
        });
    }
    tracing::info!(
        device = %device,
        person = actor.person_id,
        applied = tally.applied,
        superseded = tally.superseded,
        duplicate = tally.duplicate,
        refused = tally.refused,
        "sync batch"
    );
    Ok(SyncResponse {
        outcomes,
        server_time: now_millis(),
    })
}

#[derive(Default)]
struct Tally {
    applied: usize,
    superseded: usize,
    duplicate: usize,
    refused: usize,
}

impl Tally {
    fn count(&mut self, result: &OpResult) {
        match result {
            OpResult::Applied => self.applied += 1,
            OpResult::Superseded { .. } => self.superseded += 1,
            OpResult::Duplicate => self.duplicate += 1,
            OpResult::Refused(_) => self.refused += 1,
        }
    }
}

/// One op in its own transaction: a crash between two ops loses neither, and a refused
/// op leaves no trace.
async fn sync_op(
    db: &Db,
    actor: &Actor,
    device: &DeviceId,
    op: &MarkOp,
    rules: &BatchRules,
    today: NaiveDate,
    delivery: &Delivery,
) -> Result<OpResult, AppError> {
    let now = now_millis();
    let mut tx = db.begin_write().await?;
    // The id is claimed before anything else, so a replay is never judged again. On
    // PostgreSQL a concurrent copy of the op waits here until this one commits (then it
    // finds the id) or rolls back (a refusal: then it is judged itself).
    let claimed = sqlx::query(
        "INSERT INTO applied_ops (op_id, child_id, day, device, person_id, result, applied_at) \
         VALUES ($1, $2, $3, $4, $5, 'applied', $6) ON CONFLICT (op_id) DO NOTHING",
    )
    .bind(op.op_id.as_str())
    .bind(op.child_id)
    .bind(op.day.to_string())
    .bind(op.device.as_str())
    .bind(actor.person_id)
    .bind(now)
    .execute(&mut *tx)
    .await;
    match claimed {
        Ok(done) if done.rows_affected() == 0 => {
            tx.rollback().await?;
            return Ok(OpResult::Duplicate);
        }
        Ok(_) => {}
        // Dropping the transaction rolls it back.
        Err(err) if is_unique_violation(&err) => return Ok(OpResult::Duplicate),
        Err(err) => return Err(err.into()),
    }
    if let Err(refusal) = rules.judge(device, op, today) {
        tx.rollback().await?;
        return Ok(OpResult::Refused(refusal));
    }
    let result = merge(&mut tx, actor, op, &op.stamp(now), now, delivery).await?;
    if matches!(result, OpResult::Superseded { .. }) {
        sqlx::query("UPDATE applied_ops SET result = 'superseded' WHERE op_id = $1")
            .bind(op.op_id.as_str())
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(result)
}

/// A stored mark with the stamp it won by.
struct Stamped {
    mark: Mark,
    stamp: Stamp,
}

/// Writes the op if its stamp beats the stored mark's, and audits it either way.
async fn merge(
    conn: &mut sqlx::AnyConnection,
    actor: &Actor,
    op: &MarkOp,
    incoming: &Stamp,
    now: i64,
    delivery: &Delivery,
) -> Result<OpResult, AppError> {
    for _ in 0..WRITE_ATTEMPTS {
        let stored = stored_mark(conn, op.child_id, op.day).await?;
        if let Some(current) = &stored {
            if resolve(Some(&current.stamp), incoming) == Resolution::Loses {
                audit(
                    conn,
                    actor,
                    op,
                    now,
                    Some(&current.mark),
                    &current.mark,
                    "superseded",
                )
                .await?;
                return Ok(OpResult::Superseded {
                    by: current.stamp.clone(),
                });
            }
        }
        let current = stored.as_ref().map(|s| &s.stamp);
        if !write_mark(conn, actor, op, incoming, current).await? {
            // Another sync changed the mark after it was read: judge again against it.
            continue;
        }
        let old = stored.as_ref().map(|s| &s.mark);
        audit(conn, actor, op, now, old, &op.mark, "applied").await?;
        // The same step as an online save (`attendance::repo::record_mark`): the parents
        // are asked about an unexplained absence, and asked no more once it is explained
        // or the child is marked present.
        let unexplained = Mark::Absent { reason: None };
        if old != Some(&op.mark) {
            if op.mark == unexplained {
                open_reason_request(conn, op.child_id, op.day, actor.person_id, now, delivery)
                    .await?;
            } else if old == Some(&unexplained) {
                // Only an unexplained absence can have an open question to withdraw.
                close_reason_request(conn, op.child_id, op.day, now).await?;
            }
        }
        return Ok(OpResult::Applied);
    }
    tracing::error!(op_id = %op.op_id, "sync: the stored mark kept changing under the op");
    Err(AppError::internal())
}

async fn stored_mark(
    conn: &mut sqlx::AnyConnection,
    child_id: i64,
    day: NaiveDate,
) -> Result<Option<Stamped>, AppError> {
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
    Ok(Some(Stamped {
        mark: mark_from_row(&row.try_get::<String, _>("status")?, row.try_get("reason")?),
        stamp: Stamp {
            recorded_at: row.try_get("recorded_at")?,
            device: row.try_get("device")?,
            op_id: row.try_get("op_id")?,
        },
    }))
}

/// Stores the op's mark, but only over the stamp `current` it was judged against (none:
/// only if there is still no mark). Returns false when the stored mark changed since.
///
/// The comparison with the op's stamp repeats `resolve` in SQL on purpose: whatever
/// happens around it, this write never replaces a greater stamp.
async fn write_mark(
    conn: &mut sqlx::AnyConnection,
    actor: &Actor,
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
    .bind(actor.person_id)
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

async fn audit(
    conn: &mut sqlx::AnyConnection,
    actor: &Actor,
    op: &MarkOp,
    now: i64,
    old: Option<&Mark>,
    new: &Mark,
    outcome: &str,
) -> Result<(), AppError> {
    let (old_status, old_reason) = old.map(mark_columns).unzip();
    let (new_status, new_reason) = mark_columns(new);
    sqlx::query(
        "INSERT INTO mark_audit (child_id, day, old_status, old_reason, new_status, new_reason, \
         by_person, at, device, path, op_id, outcome) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(op.child_id)
    .bind(op.day.to_string())
    .bind(old_status)
    .bind(old_reason.flatten())
    .bind(new_status)
    .bind(new_reason)
    .bind(actor.person_id)
    .bind(now)
    .bind(op.device.as_str())
    .bind(PATH)
    .bind(op.op_id.as_str())
    .bind(outcome)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// What the ops of one batch are judged by, loaded once per batch: per child its group
/// and enrolment, per group whether the user may mark it and its closed months, per
/// organisation its calendar and reasons. Loading them per op would cost several
/// queries each, for the same answers.
struct BatchRules {
    children: BTreeMap<i64, ChildRules>,
    /// `None`: the user may not mark the group.
    groups: BTreeMap<i64, Option<GroupRules>>,
}

struct ChildRules {
    group_id: i64,
    enrolment: Enrolment,
}

struct GroupRules {
    closed: BTreeSet<Month>,
    organisation: Arc<OrganisationRules>,
}

struct OrganisationRules {
    calendar: AcademicCalendar,
    reasons: Vec<AbsenceReason>,
}

impl BatchRules {
    async fn load(db: &Db, actor: &Actor, ops: &[MarkOp]) -> Result<Self, AppError> {
        let ids: BTreeSet<i64> = ops.iter().map(|op| op.child_id).collect();
        let mut children = BTreeMap::new();
        if !ids.is_empty() {
            // At most MAX_BATCH ids, well within both backends' parameter limits.
            let placeholders = (1..=ids.len())
                .map(|n| format!("${n}"))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "SELECT id, group_id, enrolled_on, left_on FROM children WHERE id IN ({placeholders})"
            );
            let mut query = sqlx::query(&sql);
            for id in &ids {
                query = query.bind(*id);
            }
            for row in query.fetch_all(db.pool()).await? {
                let enrolment = enrolment_of(&row)?;
                children.insert(
                    row.try_get::<i64, _>("id")?,
                    ChildRules {
                        group_id: row.try_get("group_id")?,
                        enrolment,
                    },
                );
            }
        }

        let group_ids: BTreeSet<i64> = children.values().map(|c| c.group_id).collect();
        let mut organisations: BTreeMap<i64, Arc<OrganisationRules>> = BTreeMap::new();
        let mut groups = BTreeMap::new();
        for group_id in group_ids {
            let scope = crate::groups::repo::group_scope(db, group_id).await?;
            if !actor.may(&Permission::MarkGroup(scope)) {
                groups.insert(group_id, None);
                continue;
            }
            let organisation = match organisations.get(&scope.organisation_id) {
                Some(rules) => Arc::clone(rules),
                None => {
                    let rules = Arc::new(OrganisationRules {
                        calendar: calendar(db, scope.organisation_id).await?,
                        reasons: reasons(db, scope.organisation_id).await?,
                    });
                    organisations.insert(scope.organisation_id, Arc::clone(&rules));
                    rules
                }
            };
            groups.insert(
                group_id,
                Some(GroupRules {
                    closed: closed_months(db, group_id).await?,
                    organisation,
                }),
            );
        }
        Ok(Self { children, groups })
    }

    /// The checks of a mark saved online, and the refusal the tablet shows if one fails.
    fn judge(&self, device: &DeviceId, op: &MarkOp, today: NaiveDate) -> Result<(), Refusal> {
        if &op.device != device {
            return Err(Refusal::Invalid {
                detail: format!(
                    "the op was made on device {}, the request comes from {}",
                    op.device, device
                ),
            });
        }
        let child = self
            .children
            .get(&op.child_id)
            .ok_or(Refusal::UnknownChild)?;
        let group = self
            .groups
            .get(&child.group_id)
            .and_then(Option::as_ref)
            .ok_or(Refusal::NoRights)?;
        let month = Month::of(op.day).map_err(|e| Refusal::Invalid {
            detail: e.to_string(),
        })?;
        check_mark(
            &op.mark,
            &MarkContext {
                date: op.day,
                today,
                calendar: &group.organisation.calendar,
                enrolment: &child.enrolment,
                month_closed: group.closed.contains(&month),
                reasons: &group.organisation.reasons,
            },
        )
        .map_err(refusal_of)
    }
}

fn refusal_of(refusal: MarkRefusal) -> Refusal {
    match refusal {
        MarkRefusal::Future { .. } => Refusal::FutureDay,
        MarkRefusal::NotWorkingDay { .. } => Refusal::DayNotWorking,
        MarkRefusal::NotEnrolled { .. } => Refusal::ChildNotEnrolled,
        MarkRefusal::MonthClosed { .. } => Refusal::MonthClosed,
        MarkRefusal::UnknownReason { code } => Refusal::UnknownReason { code },
    }
}

async fn closed_months(db: &Db, group_id: i64) -> Result<BTreeSet<Month>, AppError> {
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
