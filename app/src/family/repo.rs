use sqlx::Row;

use super::{Announcement, ChildAbsences};
use crate::access::parent_child;
use crate::clock::{now_millis, today};
use crate::db::Db;
use crate::domain::planned_absence::{can_cancel, PlannedAbsence};
use crate::domain::timesheet::AbsenceReason;
use crate::domain::{Actor, Bilingual};
use crate::error::{AppError, ErrorKind};
use crate::input::parse_date;
use crate::reference::repo::{reason_names_en, reasons};
use crate::reference::ReasonOption;
use crate::rows::{self, full_name};

pub async fn child_absences(
    db: &Db,
    actor: &Actor,
    child_id: i64,
) -> Result<ChildAbsences, AppError> {
    let scope = parent_child(db, actor, child_id).await?;
    let child_name = full_name(
        &sqlx::query("SELECT surname, given_name, patronymic FROM children WHERE id = $1")
            .bind(child_id)
            .fetch_one(db.pool())
            .await?,
    )?;
    let today = today();
    let rows = sqlx::query(
        "SELECT id, date_from, date_to, reason, comment, cancelled_at FROM planned_absences \
         WHERE child_id = $1 ORDER BY date_from DESC, id DESC",
    )
    .bind(child_id)
    .fetch_all(db.pool())
    .await?;
    let announcements = rows
        .iter()
        .map(|r| {
            let date_from: String = r.try_get("date_from")?;
            let cancelled = r.try_get::<Option<i64>, _>("cancelled_at")?.is_some();
            Ok(Announcement {
                id: r.try_get("id")?,
                can_cancel: !cancelled && can_cancel(rows::stored_date(&date_from)?, today),
                date_from,
                date_to: r.try_get("date_to")?,
                reason: r.try_get("reason")?,
                comment: r.try_get("comment")?,
                cancelled,
            })
        })
        .collect::<Result<_, AppError>>()?;
    let reasons = reasons(db, scope.group.organisation_id).await?;
    Ok(ChildAbsences {
        child_id,
        child_name,
        today: today.to_string(),
        reasons_en: reason_names_en(&reasons),
        // A parent announces a new absence: only the reasons still offered.
        reasons: AbsenceReason::offered(&reasons)
            .iter()
            .map(ReasonOption::of)
            .collect(),
        announcements,
    })
}

pub async fn announce(
    db: &Db,
    actor: &Actor,
    child_id: i64,
    date_from: &str,
    date_to: &str,
    reason: &str,
    comment: &str,
) -> Result<(), AppError> {
    let scope = parent_child(db, actor, child_id).await?;
    let field_date = |raw: &str, field: &str| {
        parse_date(raw).map_err(|e| AppError::on_field(e.kind, field, e.ru, e.en))
    };
    let absence = PlannedAbsence::parse(
        field_date(date_from, "date_from")?,
        field_date(date_to, "date_to")?,
        reason,
        comment,
        today(),
        &AbsenceReason::offered(&reasons(db, scope.group.organisation_id).await?),
    )
    .map_err(|e| AppError::on_field(ErrorKind::Invalid, e.field(), e.ru(), e.en()))?;
    sqlx::query(
        "INSERT INTO planned_absences (child_id, date_from, date_to, reason, comment, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(child_id)
    .bind(absence.from.to_string())
    .bind(absence.to.to_string())
    .bind(&absence.reason)
    .bind(&absence.comment)
    .bind(actor.person_id)
    .bind(now_millis())
    .execute(db.pool())
    .await?;
    tracing::info!(child_id, from = %absence.from, to = %absence.to, "planned absence announced");
    Ok(())
}

pub async fn cancel(db: &Db, actor: &Actor, announcement_id: i64) -> Result<(), AppError> {
    let row =
        sqlx::query("SELECT child_id, date_from, cancelled_at FROM planned_absences WHERE id = $1")
            .bind(announcement_id)
            .fetch_optional(db.pool())
            .await?
            .ok_or_else(|| {
                AppError::not_found("Сообщение не найдено.", "Announcement not found.")
            })?;
    parent_child(db, actor, row.try_get("child_id")?).await?;
    let from = rows::date(&row, "date_from")?;
    if row.try_get::<Option<i64>, _>("cancelled_at")?.is_some() || !can_cancel(from, today()) {
        return Err(AppError::new(
            ErrorKind::Conflict,
            "Отменить можно только до первого дня отсутствия; дальше отметки ставит воспитатель.",
            "It can be cancelled only before its first day; after that the teacher's marks count.",
        ));
    }
    sqlx::query("UPDATE planned_absences SET cancelled_at = $1 WHERE id = $2")
        .bind(now_millis())
        .bind(announcement_id)
        .execute(db.pool())
        .await?;
    Ok(())
}
