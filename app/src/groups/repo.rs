use std::collections::BTreeMap;

use sqlx::Row;

use super::{GroupRoster, GroupSummary, Guardian, OrganisationGroups, RosterChild};
use crate::db::{is_unique_violation, now_millis, Db};
use crate::domain::permissions::GroupScope;
use crate::domain::{Actor, GroupName, Permission, Role};
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

fn summaries(rows: &[sqlx::any::AnyRow]) -> Result<Vec<GroupSummary>, sqlx::Error> {
    rows.iter()
        .map(|r| {
            Ok(GroupSummary {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                child_count: r.try_get("child_count")?,
            })
        })
        .collect()
}

const GROUPS_WITH_COUNTS: &str = "SELECT g.id, g.name, COUNT(c.id) AS child_count \
     FROM groups g LEFT JOIN children c ON c.group_id = g.id";

pub async fn organisation_groups(db: &Db, actor: &Actor) -> Result<OrganisationGroups, AppError> {
    let organisation_id = managed_organisation(actor)?;
    let organisation_name: String = sqlx::query("SELECT name FROM organisations WHERE id = $1")
        .bind(organisation_id)
        .fetch_one(db.pool())
        .await?
        .try_get("name")?;
    let rows = sqlx::query(&format!(
        "{GROUPS_WITH_COUNTS} WHERE g.organisation_id = $1 GROUP BY g.id, g.name, g.name_key ORDER BY g.name_key"
    ))
    .bind(organisation_id)
    .fetch_all(db.pool())
    .await?;
    Ok(OrganisationGroups {
        organisation_name,
        groups: summaries(&rows)?,
    })
}

pub async fn bound_groups(db: &Db, actor: &Actor) -> Result<Vec<GroupSummary>, AppError> {
    if actor.role != Role::Teacher {
        return Err(AppError::forbidden());
    }
    let rows = sqlx::query(&format!(
        "{GROUPS_WITH_COUNTS} JOIN teacher_groups tg ON tg.group_id = g.id \
         JOIN staff s ON s.id = tg.staff_id \
         WHERE s.person_id = $1 AND s.organisation_id = $2 AND s.archived = 0 \
         GROUP BY g.id, g.name, g.name_key ORDER BY g.name_key"
    ))
    .bind(actor.person_id)
    .bind(actor.organisation_id)
    .fetch_all(db.pool())
    .await?;
    Ok(summaries(&rows)?)
}

pub async fn add_group(db: &Db, actor: &Actor, name: &GroupName) -> Result<GroupSummary, AppError> {
    let organisation_id = managed_organisation(actor)?;
    let inserted = sqlx::query(
        "INSERT INTO groups (organisation_id, name, name_key, created_at) \
         VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(organisation_id)
    .bind(name.as_str())
    .bind(name.key())
    .bind(now_millis())
    .fetch_one(db.pool())
    .await;
    match inserted {
        Ok(row) => Ok(GroupSummary {
            id: row.try_get("id")?,
            name: name.as_str().to_owned(),
            child_count: 0,
        }),
        Err(err) if is_unique_violation(&err) => Err(AppError::conflict(
            "name",
            format!("Группа «{}» уже есть в этой организации.", name.as_str()),
            format!(
                "The group “{}” already exists in this organisation.",
                name.as_str()
            ),
        )),
        Err(err) => Err(err.into()),
    }
}

pub async fn group_roster(db: &Db, actor: &Actor, group_id: i64) -> Result<GroupRoster, AppError> {
    let scope = group_scope(db, group_id).await?;
    actor.authorize(&Permission::ViewGroup(scope))?;
    let head = sqlx::query(
        "SELECT g.name, o.short_name FROM groups g JOIN organisations o ON o.id = g.organisation_id WHERE g.id = $1",
    )
    .bind(group_id)
    .fetch_one(db.pool())
    .await?;
    let children = sqlx::query(
        "SELECT id, surname, given_name, patronymic, birth_date FROM children \
         WHERE group_id = $1 ORDER BY surname, given_name, id",
    )
    .bind(group_id)
    .fetch_all(db.pool())
    .await?;
    let guardians = sqlx::query(
        "SELECT cg.child_id, cg.relation, p.surname, p.given_name, p.patronymic, p.phone, p.email \
         FROM child_guardians cg JOIN people p ON p.id = cg.person_id \
         JOIN children c ON c.id = cg.child_id WHERE c.group_id = $1 ORDER BY p.surname",
    )
    .bind(group_id)
    .fetch_all(db.pool())
    .await?;
    let mut by_child: BTreeMap<i64, Vec<Guardian>> = BTreeMap::new();
    for g in &guardians {
        by_child
            .entry(g.try_get("child_id")?)
            .or_default()
            .push(Guardian {
                full_name: full_name(g)?,
                relation: g.try_get("relation")?,
                phone: g.try_get("phone")?,
                email: g.try_get("email")?,
            });
    }
    let children = children
        .iter()
        .map(|c| {
            let id: i64 = c.try_get("id")?;
            Ok(RosterChild {
                id,
                full_name: full_name(c)?,
                birth_date: c.try_get("birth_date")?,
                guardians: by_child.remove(&id).unwrap_or_default(),
            })
        })
        .collect::<Result<_, sqlx::Error>>()?;
    Ok(GroupRoster {
        group_id,
        today: chrono::Local::now().date_naive().to_string(),
        group_name: head.try_get("name")?,
        organisation_name: head.try_get("short_name")?,
        children,
    })
}

/// «Фамилия Имя Отчество» from a row with those three columns.
pub fn full_name(row: &sqlx::any::AnyRow) -> Result<String, sqlx::Error> {
    full_name_of(row, "")
}

/// The same, from columns named with a prefix (`author_surname`, …) when a query
/// joins several people.
pub fn full_name_of(row: &sqlx::any::AnyRow, prefix: &str) -> Result<String, sqlx::Error> {
    let parts = [
        row.try_get::<String, _>(format!("{prefix}surname").as_str())?,
        row.try_get::<String, _>(format!("{prefix}given_name").as_str())?,
        row.try_get::<String, _>(format!("{prefix}patronymic").as_str())?,
    ];
    Ok(parts
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" "))
}
