use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use chrono::NaiveDate;
use sqlx::Row;

use crate::access::group_scope;
use crate::clock::{now_millis, today};
use crate::db::{is_unique_violation, Db};
use crate::domain::calendar::{AcademicCalendar, Month};
use crate::domain::marking::{check_mark, MarkContext, MarkRefusal};
use crate::domain::sync::{
    check_batch, DeviceId, MarkOp, OpOutcome, OpResult, Refusal, SyncResponse,
};
use crate::domain::timesheet::{AbsenceReason, Enrolment};
use crate::domain::{Actor, Permission, Role};
use crate::error::AppError;
use crate::marks::{self, closed_months};
use crate::notices::outbox::Delivery;
use crate::reference::repo::{calendar, reasons};
use crate::rows::enrolment_of;

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
    let result =
        marks::merge_op(&mut tx, actor.person_id, op, &op.stamp(now), now, delivery).await?;
    if matches!(result, OpResult::Superseded { .. }) {
        sqlx::query("UPDATE applied_ops SET result = 'superseded' WHERE op_id = $1")
            .bind(op.op_id.as_str())
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(result)
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
            let scope = group_scope(db, group_id).await?;
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
