use sqlx::Row;

use super::{GroupSummary, OrganisationGroups};
use crate::db::{is_unique_violation, now_millis, Db};
use crate::domain::GroupName;
use crate::error::{AppError, ErrorKind};

async fn current_organisation(db: &Db) -> Result<Option<(i64, String)>, sqlx::Error> {
    let row = sqlx::query("SELECT id, name FROM organisations ORDER BY id LIMIT 1")
        .fetch_optional(db.pool())
        .await?;
    row.map(|r| Ok((r.try_get("id")?, r.try_get("name")?)))
        .transpose()
}

pub async fn organisation_groups(db: &Db) -> Result<Option<OrganisationGroups>, AppError> {
    let Some((organisation_id, organisation_name)) = current_organisation(db).await? else {
        return Ok(None);
    };
    let rows = sqlx::query(
        "SELECT g.id, g.name, COUNT(c.id) AS child_count \
         FROM groups g LEFT JOIN children c ON c.group_id = g.id \
         WHERE g.organisation_id = $1 \
         GROUP BY g.id, g.name \
         ORDER BY g.name_key",
    )
    .bind(organisation_id)
    .fetch_all(db.pool())
    .await?;
    let groups = rows
        .iter()
        .map(|r| {
            Ok(GroupSummary {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                child_count: r.try_get("child_count")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()?;
    Ok(Some(OrganisationGroups {
        organisation_name,
        groups,
    }))
}

pub async fn add_group(db: &Db, name: &GroupName) -> Result<GroupSummary, AppError> {
    let Some((organisation_id, _)) = current_organisation(db).await? else {
        return Err(AppError::new(
            ErrorKind::NotFound,
            "В базе нет ни одной организации: запустите сервер с --demo или создайте организацию.",
            "The database holds no organisation: start the server with --demo or create one.",
        ));
    };
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
