use std::collections::BTreeMap;

use sqlx::Row;

use super::{
    AdminGroupRow, Choice, GroupRoster, GroupSettings, GroupSummary, Guardian, OrganisationGroups,
    RosterChild,
};
use crate::access::{group_scope, managed_organisation};
use crate::clock::now_millis;
use crate::clock::today;
use crate::db::{is_unique_violation, Db};
use crate::domain::premises::AgeBand;
use crate::domain::{Actor, GroupName, Permission, Role};
use crate::enrolment::ENROLLED_ON;
use crate::error::{AppError, ErrorKind};
use crate::rows::full_name;

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
        "SELECT g.id, g.name, g.age_from, g.age_to, g.archived, {ENROLLED_ON} AS child_count, \
                m.name_ru AS mode_ru, m.name_en AS mode_en, r.name AS room, r.places, b.name AS building \
         FROM groups g LEFT JOIN stay_modes m ON m.id = g.stay_mode_id \
         LEFT JOIN rooms r ON r.id = g.room_id LEFT JOIN buildings b ON b.id = r.building_id \
         WHERE g.organisation_id = $1 ORDER BY g.name_key"
    ))
    .bind(organisation_id)
    .bind(today().to_string())
    .fetch_all(db.pool())
    .await?;
    let (mut groups, mut archived) = (Vec::new(), Vec::new());
    for r in &rows {
        let room = match (
            r.try_get::<Option<String>, _>("building")?,
            r.try_get::<Option<String>, _>("room")?,
        ) {
            (Some(building), Some(room)) => Some(format!("{building} · {room}")),
            _ => None,
        };
        let row = AdminGroupRow {
            id: r.try_get("id")?,
            name: r.try_get("name")?,
            child_count: r.try_get("child_count")?,
            age_from: r.try_get("age_from")?,
            age_to: r.try_get("age_to")?,
            stay_mode_ru: r.try_get("mode_ru")?,
            stay_mode_en: r.try_get("mode_en")?,
            room,
            places: r.try_get("places")?,
        };
        if r.try_get::<i64, _>("archived")? != 0 {
            archived.push(row);
        } else {
            groups.push(row);
        }
    }
    Ok(OrganisationGroups {
        organisation_name,
        groups,
        archived,
    })
}

pub async fn bound_groups(db: &Db, actor: &Actor) -> Result<Vec<GroupSummary>, AppError> {
    if actor.role != Role::Teacher {
        return Err(AppError::forbidden());
    }
    let rows = sqlx::query(&format!(
        "{GROUPS_WITH_COUNTS} JOIN teacher_groups tg ON tg.group_id = g.id \
         JOIN staff s ON s.id = tg.staff_id \
         WHERE s.person_id = $1 AND s.organisation_id = $2 AND s.archived = 0 AND g.archived = 0 \
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
    // Children who have left stay in the табели of their months, not in the roster.
    let children = sqlx::query(
        "SELECT DISTINCT c.id, c.surname, c.given_name, c.patronymic, c.birth_date FROM children c \
         JOIN enrolments e ON e.child_id = c.id \
         WHERE e.group_id = $1 AND (e.to_day IS NULL OR e.to_day >= $2) \
         ORDER BY c.surname, c.given_name, c.id",
    )
    .bind(group_id)
    .bind(today().to_string())
    .fetch_all(db.pool())
    .await?;
    let guardians = sqlx::query(
        "SELECT cg.child_id, cg.relation, p.surname, p.given_name, p.patronymic, p.phone, p.email \
         FROM child_guardians cg JOIN people p ON p.id = cg.person_id \
         WHERE cg.child_id IN (SELECT e.child_id FROM enrolments e WHERE e.group_id = $1 \
         AND (e.to_day IS NULL OR e.to_day >= $2)) ORDER BY p.surname",
    )
    .bind(group_id)
    .bind(today().to_string())
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
        today: today().to_string(),
        group_name: head.try_get("name")?,
        organisation_name: head.try_get("short_name")?,
        children,
    })
}

/// The settings form of a group, checked before anything is stored.
pub struct GroupForm {
    name: GroupName,
    ages: Option<AgeBand>,
    stay_mode_id: Option<i64>,
    room_id: Option<i64>,
}

impl GroupForm {
    pub fn parse(
        name: &str,
        age_from: &str,
        age_to: &str,
        stay_mode_id: &str,
        room_id: &str,
    ) -> Result<Self, AppError> {
        let choice = |field: &str, raw: &str| -> Result<Option<i64>, AppError> {
            match raw.trim() {
                "" => Ok(None),
                raw => raw.parse().map(Some).map_err(|_| {
                    AppError::on_field(
                        ErrorKind::Invalid,
                        field,
                        "Выберите значение из списка.",
                        "Choose a value from the list.",
                    )
                }),
            }
        };
        Ok(Self {
            name: GroupName::parse(name).map_err(|e| AppError::invalid("name", &e))?,
            ages: AgeBand::parse(age_from, age_to)
                .map_err(|e| AppError::invalid("age_from", &e))?,
            stay_mode_id: choice("stay_mode_id", stay_mode_id)?,
            room_id: choice("room_id", room_id)?,
        })
    }
}

/// The organisation of an existing group the admin manages, and whether it is archived.
async fn managed_group(db: &Db, actor: &Actor, group_id: i64) -> Result<(i64, bool), AppError> {
    let organisation_id = managed_organisation(actor)?;
    let row = sqlx::query("SELECT organisation_id, archived FROM groups WHERE id = $1")
        .bind(group_id)
        .fetch_optional(db.pool())
        .await?
        .ok_or_else(|| AppError::not_found("Группа не найдена.", "Group not found."))?;
    if row.try_get::<i64, _>("organisation_id")? != organisation_id {
        return Err(AppError::forbidden());
    }
    Ok((organisation_id, row.try_get::<i64, _>("archived")? != 0))
}

pub async fn group_settings(
    db: &Db,
    actor: &Actor,
    group_id: i64,
) -> Result<GroupSettings, AppError> {
    let (organisation_id, archived) = managed_group(db, actor, group_id).await?;
    let row = sqlx::query(&format!(
        "SELECT g.name, g.age_from, g.age_to, g.stay_mode_id, g.room_id, {ENROLLED_ON} AS child_count \
         FROM groups g WHERE g.id = $1"
    ))
    .bind(group_id)
    .bind(today().to_string())
    .fetch_one(db.pool())
    .await?;
    let stay_mode_id: Option<i64> = row.try_get("stay_mode_id")?;
    let room_id: Option<i64> = row.try_get("room_id")?;
    // Archived choices stay offered only to the group that already has them.
    let stay_modes = crate::reference::repo::stay_modes(db, organisation_id)
        .await?
        .into_iter()
        .filter(|m| !m.archived || Some(m.id) == stay_mode_id)
        .map(|m| Choice {
            id: m.id,
            label_ru: m.name_ru,
            label_en: m.name_en,
        })
        .collect();
    let rooms = sqlx::query(
        "SELECT r.id, r.name, r.places, b.name AS building FROM rooms r \
         JOIN buildings b ON b.id = r.building_id \
         WHERE b.organisation_id = $1 AND ((r.archived = 0 AND b.archived = 0) OR r.id = $2) \
         ORDER BY b.name_key, r.name_key",
    )
    .bind(organisation_id)
    .bind(room_id.unwrap_or(0))
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| {
        let (building, room, places) = (
            r.try_get::<String, _>("building")?,
            r.try_get::<String, _>("name")?,
            r.try_get::<i64, _>("places")?,
        );
        Ok(Choice {
            id: r.try_get("id")?,
            label_ru: format!("{building} · {room} ({places} мест)"),
            label_en: format!("{building} · {room} ({places} places)"),
        })
    })
    .collect::<Result<_, sqlx::Error>>()?;
    Ok(GroupSettings {
        id: group_id,
        name: row.try_get("name")?,
        age_from: row.try_get("age_from")?,
        age_to: row.try_get("age_to")?,
        stay_mode_id,
        room_id,
        archived,
        child_count: row.try_get("child_count")?,
        stay_modes,
        rooms,
    })
}

pub async fn save_group(
    db: &Db,
    actor: &Actor,
    group_id: i64,
    form: GroupForm,
) -> Result<(), AppError> {
    let (organisation_id, _) = managed_group(db, actor, group_id).await?;
    let current: (Option<i64>, Option<i64>) = {
        let row = sqlx::query("SELECT stay_mode_id, room_id FROM groups WHERE id = $1")
            .bind(group_id)
            .fetch_one(db.pool())
            .await?;
        (row.try_get("stay_mode_id")?, row.try_get("room_id")?)
    };
    if let Some(mode) = form.stay_mode_id {
        let ok = crate::reference::repo::stay_modes(db, organisation_id)
            .await?
            .iter()
            .any(|m| m.id == mode && (!m.archived || Some(mode) == current.0));
        if !ok {
            return Err(AppError::conflict(
                "stay_mode_id",
                "Такого режима пребывания нет в справочнике организации.",
                "There is no such stay mode in the organisation's reference book.",
            ));
        }
    }
    if let Some(room) = form.room_id {
        let usable = match crate::premises::repo::own_room(db, organisation_id, room).await {
            Ok((_, archived, building_archived)) => {
                !(archived || building_archived) || Some(room) == current.1
            }
            Err(e) if e.kind == ErrorKind::Internal => return Err(e),
            Err(_) => false,
        };
        if !usable {
            return Err(AppError::conflict(
                "room_id",
                "Такого кабинета нет среди действующих кабинетов организации.",
                "There is no such room among the organisation's rooms in use.",
            ));
        }
    }
    let saved = sqlx::query(
        "UPDATE groups SET name = $1, name_key = $2, age_from = $3, age_to = $4, \
         stay_mode_id = $5, room_id = $6 WHERE id = $7",
    )
    .bind(form.name.as_str())
    .bind(form.name.key())
    .bind(form.ages.map(AgeBand::from))
    .bind(form.ages.map(AgeBand::to))
    .bind(form.stay_mode_id)
    .bind(form.room_id)
    .bind(group_id)
    .execute(db.pool())
    .await;
    match saved {
        Ok(_) => {
            tracing::info!(group_id, "group settings saved");
            Ok(())
        }
        Err(err) if is_unique_violation(&err) => Err(AppError::conflict(
            "name",
            format!(
                "Группа «{}» уже есть в этой организации.",
                form.name.as_str()
            ),
            format!(
                "The group “{}” already exists in this organisation.",
                form.name.as_str()
            ),
        )),
        Err(err) => Err(err.into()),
    }
}

pub async fn archive_group(
    db: &Db,
    actor: &Actor,
    group_id: i64,
    archived: bool,
) -> Result<(), AppError> {
    managed_group(db, actor, group_id).await?;
    let mut tx = db.begin_write().await?;
    if archived {
        // Children enrolled today or later still need the group's табель.
        let enrolled: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM enrolments WHERE group_id = $1 \
             AND (to_day IS NULL OR to_day >= $2)",
        )
        .bind(group_id)
        .bind(today().to_string())
        .fetch_one(&mut *tx)
        .await?
        .try_get("n")?;
        if enrolled > 0 {
            return Err(AppError::new(
                ErrorKind::Conflict,
                format!("В группе числятся дети ({enrolled}): сначала оформите их выбытие или перевод."),
                format!("{enrolled} children are still enrolled in the group: record their leaving or transfer first."),
            ));
        }
    }
    sqlx::query("UPDATE groups SET archived = $1 WHERE id = $2")
        .bind(i64::from(archived))
        .bind(group_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    tracing::info!(group_id, archived, "group archive state set");
    Ok(())
}
