use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use chrono::NaiveDate;
use sqlx::Row;

use crate::access::group_scope;
use crate::clock::{now_millis, today};
use crate::db::{is_unique_violation, Db};
use crate::domain::calendar::{AcademicCalendar, Month};
use crate::domain::enrolment::History;
use crate::domain::marking::{check_mark, MarkContext, MarkRefusal};
use crate::domain::sync::{
    check_author, check_batch, DeviceId, MarkOp, OpOutcome, OpResult, Refusal, SyncResponse, WireOp,
};
use crate::domain::timesheet::AbsenceReason;
use crate::domain::{Actor, Bilingual, Permission, Role};
use crate::enrolment::histories;
use crate::error::AppError;
use crate::marks::{self, closed_months};
use crate::notices::outbox::Delivery;
use crate::reference::repo::{calendar, reasons};

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
    author: Option<i64>,
    ops: &[WireOp],
    delivery: &Delivery,
) -> Result<SyncResponse, AppError> {
    check_batch(ops).map_err(|e| AppError::invalid("ops", &e))?;
    require_marking_role(actor)?;
    if let Err(wrong) = check_author(author, actor.person_id) {
        tracing::warn!(%device, %wrong, "batch refused: another person's ops");
        return Err(AppError::conflict("author", wrong.ru(), wrong.en()));
    }
    let readable: Vec<MarkOp> = ops
        .iter()
        .filter_map(|op| match op {
            WireOp::Read(op) => Some(op.clone()),
            WireOp::Damaged { .. } => None,
        })
        .collect();
    let rules = BatchRules::load(db, actor, &readable).await?;
    let today = today();
    let mut outcomes = Vec::with_capacity(ops.len());
    let mut tally = Tally::default();
    for op in ops {
        let (op_id, result) = match op {
            WireOp::Read(op) => (
                op.op_id.as_str().to_owned(),
                sync_op(db, actor, device, op, &rules, today, delivery).await?,
            ),
            WireOp::Damaged { op_id, detail } => {
                tracing::warn!(%device, %op_id, %detail, "damaged op refused");
                (
                    op_id.clone(),
                    OpResult::Refused(Refusal::Invalid {
                        detail: detail.clone(),
                    }),
                )
            }
        };
        tally.count(&result);
        outcomes.push(OpOutcome { op_id, result });
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
    tally.record();
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

    /// Every op was committed (or refused) on its own before this is called.
    fn record(&self) {
        use crate::metrics;
        metrics::sync_ops("applied", self.applied);
        metrics::sync_ops("superseded", self.superseded);
        metrics::sync_ops("duplicate", self.duplicate);
        metrics::sync_ops("refused", self.refused);
        metrics::marks_saved(crate::marks::SYNC_PATH, self.applied);
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

/// What the ops of one batch are judged by, loaded once per batch: per child its
/// enrolment history, per group its name, whether the user may mark it and its closed
/// months, per organisation its calendar and reasons. Loading them per op would cost
/// several queries each, for the same answers.
struct BatchRules {
    children: BTreeMap<i64, History>,
    groups: BTreeMap<i64, GroupRules>,
}

struct GroupRules {
    name: String,
    /// `None`: the user may not mark the group.
    marking: Option<MarkingRules>,
}

struct MarkingRules {
    closed: BTreeSet<Month>,
    organisation: Arc<OrganisationRules>,
}

struct OrganisationRules {
    calendar: AcademicCalendar,
    reasons: Vec<AbsenceReason>,
}

impl BatchRules {
    async fn load(db: &Db, actor: &Actor, ops: &[MarkOp]) -> Result<Self, AppError> {
        let ids: Vec<i64> = ops
            .iter()
            .map(|op| op.child_id)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let mut conn = db.pool().acquire().await?;
        let children = histories(&mut conn, &ids).await?;
        drop(conn);

        let group_ids: BTreeSet<i64> = children
            .values()
            .flat_map(|h| h.periods().iter().map(|p| p.group_id))
            .collect();
        let mut organisations: BTreeMap<i64, Arc<OrganisationRules>> = BTreeMap::new();
        let mut groups = BTreeMap::new();
        for group_id in group_ids {
            let scope = group_scope(db, group_id).await?;
            let name: String = sqlx::query("SELECT name FROM groups WHERE id = $1")
                .bind(group_id)
                .fetch_one(db.pool())
                .await?
                .try_get("name")?;
            if !actor.may(&Permission::MarkGroup(scope)) {
                groups.insert(
                    group_id,
                    GroupRules {
                        name,
                        marking: None,
                    },
                );
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
                GroupRules {
                    name,
                    marking: Some(MarkingRules {
                        closed: closed_months(db, group_id).await?,
                        organisation,
                    }),
                },
            );
        }
        Ok(Self { children, groups })
    }

    /// The checks of a mark saved online, and the refusal the tablet shows if one fails.
    /// The op is judged in the group the child was in on its day, whatever group the
    /// tablet showed it in.
    fn judge(&self, device: &DeviceId, op: &MarkOp, today: NaiveDate) -> Result<(), Refusal> {
        if &op.device != device {
            return Err(Refusal::Invalid {
                detail: format!(
                    "the op was made on device {}, the request comes from {}",
                    op.device, device
                ),
            });
        }
        let history = self
            .children
            .get(&op.child_id)
            .filter(|h| !h.periods().is_empty())
            .ok_or(Refusal::UnknownChild)?;
        let may_mark = |group_id: i64| self.groups.get(&group_id).and_then(|g| g.marking.as_ref());
        let Some(period) = history.on(op.day) else {
            // Not in any group that day: only someone who may mark one of its groups
            // learns that much.
            return Err(
                if history
                    .periods()
                    .iter()
                    .any(|p| may_mark(p.group_id).is_some())
                {
                    Refusal::ChildNotEnrolled
                } else {
                    Refusal::NoRights
                },
            );
        };
        let Some(group) = may_mark(period.group_id) else {
            let marks_another = history
                .periods()
                .iter()
                .any(|p| p.group_id != period.group_id && may_mark(p.group_id).is_some());
            return Err(match self.groups.get(&period.group_id) {
                Some(g) if marks_another => Refusal::ChildInOtherGroup {
                    group: g.name.clone(),
                },
                _ => Refusal::NoRights,
            });
        };
        let month = Month::of(op.day).map_err(|e| Refusal::Invalid {
            detail: e.to_string(),
        })?;
        check_mark(
            &op.mark,
            &MarkContext {
                date: op.day,
                today,
                calendar: &group.organisation.calendar,
                enrolled: true,
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
