//! Who may reach which rows: the scope of a group or a child as stored, and the checks
//! every server function makes before it reads or writes. The rules themselves are pure
//! (`domain::permissions`); this module only loads what they are judged on.

use sqlx::Row;

use crate::db::Db;
use crate::domain::permissions::{ChildScope, GroupScope};
use crate::domain::{Actor, Bilingual, Permission, Role};
use crate::error::AppError;

/// The organisation an org admin manages; anyone else is refused.
pub fn managed_organisation(actor: &Actor) -> Result<i64, AppError> {
    let organisation_id = actor
        .organisation_id
        .filter(|_| actor.role == Role::OrgAdmin)
        .ok_or_else(AppError::forbidden)?;
    actor.authorize(&Permission::ManageOrganisation { organisation_id })?;
    Ok(organisation_id)
}

/// Where a group belongs: its organisation and municipality. 404 if there is none.
pub async fn group_scope(db: &Db, group_id: i64) -> Result<GroupScope, AppError> {
    let row = sqlx::query(
        "SELECT g.organisation_id, o.municipality_id FROM groups g \
         JOIN organisations o ON o.id = g.organisation_id WHERE g.id = $1",
    )
    .bind(group_id)
    .fetch_optional(db.pool())
    .await?
    .ok_or_else(|| AppError::not_found("Группа не найдена.", "Group not found."))?;
    Ok(GroupScope {
        group_id,
        organisation_id: row.try_get("organisation_id")?,
        municipality_id: row.try_get("municipality_id")?,
    })
}

fn child_not_found() -> AppError {
    AppError::not_found("Ребёнок не найден.", "Child not found.")
}

/// Where a child belongs: its group, organisation and municipality. 404 if there is none.
pub async fn child_scope(db: &Db, child_id: i64) -> Result<ChildScope, AppError> {
    let group_id: i64 = sqlx::query("SELECT group_id FROM children WHERE id = $1")
        .bind(child_id)
        .fetch_optional(db.pool())
        .await?
        .ok_or_else(child_not_found)?
        .try_get("group_id")?;
    Ok(ChildScope {
        child_id,
        group: group_scope(db, group_id).await?,
    })
}

/// Where a child belonged on `day`: the group of the enrolment period holding it. What
/// happened on a day (a mark, a teacher's notice) is that group's, whatever group the
/// child is in now. 404 for an unknown child; 409 when no period holds the day.
pub async fn child_scope_on(
    db: &Db,
    child_id: i64,
    day: chrono::NaiveDate,
) -> Result<ChildScope, AppError> {
    let history = crate::enrolment::history(&mut *db.pool().acquire().await?, child_id).await?;
    match history.on(day) {
        Some(period) => Ok(ChildScope {
            child_id,
            group: group_scope(db, period.group_id).await?,
        }),
        None => {
            // An unknown child stays a 404, as everywhere else.
            child_scope(db, child_id).await?;
            let refusal = crate::domain::marking::MarkRefusal::NotEnrolled { date: day };
            Err(AppError::conflict("day", refusal.ru(), refusal.en()))
        }
    }
}

/// A child the actor may speak for as its parent (announce, cancel, answer).
pub async fn parent_child(db: &Db, actor: &Actor, child_id: i64) -> Result<ChildScope, AppError> {
    let scope = child_scope(db, child_id).await?;
    actor.authorize(&Permission::ActForChild(scope))?;
    Ok(scope)
}

/// A child of the organisation the actor administers. A non-admin is refused before
/// the child is looked up; a child of another organisation is refused (403).
pub async fn managed_child(db: &Db, actor: &Actor, child_id: i64) -> Result<ChildScope, AppError> {
    let organisation_id = managed_organisation(actor)?;
    let scope = child_scope(db, child_id).await?;
    if scope.group.organisation_id != organisation_id {
        return Err(AppError::forbidden());
    }
    Ok(scope)
}

/// A group the actor may see (`mark == false`) or mark (`mark == true`).
pub async fn authorized_group(
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

/// Which device a change came from, for the audit log: the request's User-Agent.
pub fn device_of_request() -> String {
    leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|p| p.headers.get(http::header::USER_AGENT).cloned())
        .and_then(|v| v.to_str().ok().map(|s| s.chars().take(200).collect()))
        .unwrap_or_default()
}
