use std::collections::BTreeMap;

use sqlx::Row;

use super::{BuildingRow, RoomGroup, RoomRow};
use crate::access::managed_organisation;
use crate::clock::now_millis;
use crate::clock::today;
use crate::db::{is_unique_violation, Db};
use crate::domain::premises::{Address, Places, Title};
use crate::domain::Actor;
use crate::enrolment::ENROLLED_ON;
use crate::error::{AppError, ErrorKind};

fn building_not_found() -> AppError {
    AppError::not_found("Здание не найдено.", "Building not found.")
}

fn room_not_found() -> AppError {
    AppError::not_found("Кабинет не найден.", "Room not found.")
}

fn refused(ru: impl Into<String>, en: impl Into<String>) -> AppError {
    AppError::new(ErrorKind::Conflict, ru, en)
}

/// A save refused by the unique name key is the admin's to fix; anything else is ours.
fn taken_name(err: sqlx::Error, ru: String, en: String) -> AppError {
    if is_unique_violation(&err) {
        AppError::conflict("name", ru, en)
    } else {
        err.into()
    }
}

/// An id typed into a hidden field: empty means a new row.
fn optional_id(raw: &str) -> Result<Option<i64>, AppError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    raw.parse().map(Some).map_err(|_| {
        AppError::new(
            ErrorKind::Invalid,
            "Неверный идентификатор записи.",
            "Invalid record id.",
        )
    })
}

/// The building, if it is the admin's organisation's: (archived).
async fn own_building(db: &Db, organisation_id: i64, building_id: i64) -> Result<bool, AppError> {
    let row = sqlx::query("SELECT organisation_id, archived FROM buildings WHERE id = $1")
        .bind(building_id)
        .fetch_optional(db.pool())
        .await?
        .ok_or_else(building_not_found)?;
    if row.try_get::<i64, _>("organisation_id")? != organisation_id {
        return Err(AppError::forbidden());
    }
    Ok(row.try_get::<i64, _>("archived")? != 0)
}

/// The room, if it is in one of the organisation's buildings: (building id, archived,
/// building archived).
pub async fn own_room(
    db: &Db,
    organisation_id: i64,
    room_id: i64,
) -> Result<(i64, bool, bool), AppError> {
    let row = sqlx::query(
        "SELECT r.building_id, r.archived, b.organisation_id, b.archived AS building_archived \
         FROM rooms r JOIN buildings b ON b.id = r.building_id WHERE r.id = $1",
    )
    .bind(room_id)
    .fetch_optional(db.pool())
    .await?
    .ok_or_else(room_not_found)?;
    if row.try_get::<i64, _>("organisation_id")? != organisation_id {
        return Err(AppError::forbidden());
    }
    Ok((
        row.try_get("building_id")?,
        row.try_get::<i64, _>("archived")? != 0,
        row.try_get::<i64, _>("building_archived")? != 0,
    ))
}

pub async fn list_premises(db: &Db, actor: &Actor) -> Result<Vec<BuildingRow>, AppError> {
    let organisation_id = managed_organisation(actor)?;
    let today = today().to_string();
    let groups = sqlx::query(&format!(
        "SELECT g.id, g.name, g.room_id, {ENROLLED_ON} AS children \
         FROM groups g WHERE g.organisation_id = $1 AND g.room_id IS NOT NULL AND g.archived = 0 \
         ORDER BY g.name_key"
    ))
    .bind(organisation_id)
    .bind(&today)
    .fetch_all(db.pool())
    .await?;
    let mut by_room: BTreeMap<i64, Vec<RoomGroup>> = BTreeMap::new();
    for g in &groups {
        by_room
            .entry(g.try_get("room_id")?)
            .or_default()
            .push(RoomGroup {
                id: g.try_get("id")?,
                name: g.try_get("name")?,
                children: g.try_get("children")?,
            });
    }
    let rooms = sqlx::query(
        "SELECT r.id, r.building_id, r.name, r.places, r.archived FROM rooms r \
         JOIN buildings b ON b.id = r.building_id WHERE b.organisation_id = $1 \
         ORDER BY r.archived, r.name_key",
    )
    .bind(organisation_id)
    .fetch_all(db.pool())
    .await?;
    let mut by_building: BTreeMap<i64, Vec<RoomRow>> = BTreeMap::new();
    for r in &rooms {
        let id: i64 = r.try_get("id")?;
        by_building
            .entry(r.try_get("building_id")?)
            .or_default()
            .push(RoomRow {
                id,
                name: r.try_get("name")?,
                places: r.try_get("places")?,
                archived: r.try_get::<i64, _>("archived")? != 0,
                groups: by_room.remove(&id).unwrap_or_default(),
            });
    }
    let buildings = sqlx::query(
        "SELECT id, name, address, archived FROM buildings WHERE organisation_id = $1 \
         ORDER BY archived, name_key",
    )
    .bind(organisation_id)
    .fetch_all(db.pool())
    .await?;
    buildings
        .iter()
        .map(|b| {
            let id: i64 = b.try_get("id")?;
            Ok(BuildingRow {
                id,
                name: b.try_get("name")?,
                address: b.try_get("address")?,
                archived: b.try_get::<i64, _>("archived")? != 0,
                rooms: by_building.remove(&id).unwrap_or_default(),
            })
        })
        .collect()
}

pub async fn save_building(
    db: &Db,
    actor: &Actor,
    building_id: &str,
    name: &str,
    address: &str,
) -> Result<i64, AppError> {
    let organisation_id = managed_organisation(actor)?;
    let building_id = optional_id(building_id)?;
    let name = Title::parse(name).map_err(|e| AppError::invalid("name", &e))?;
    let address = Address::parse(address).map_err(|e| AppError::invalid("address", &e))?;
    if let Some(id) = building_id {
        own_building(db, organisation_id, id).await?;
    }
    let saved = match building_id {
        None => sqlx::query(
            "INSERT INTO buildings (organisation_id, name, name_key, address, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(organisation_id)
        .bind(name.as_str())
        .bind(name.key())
        .bind(address.as_str())
        .bind(now_millis())
        .fetch_one(db.pool())
        .await
        .and_then(|row| row.try_get::<i64, _>("id")),
        Some(id) => {
            sqlx::query("UPDATE buildings SET name = $1, name_key = $2, address = $3 WHERE id = $4")
                .bind(name.as_str())
                .bind(name.key())
                .bind(address.as_str())
                .bind(id)
                .execute(db.pool())
                .await
                .map(|_| id)
        }
    };
    saved.map_err(|err| {
        taken_name(
            err,
            format!("Здание «{}» уже есть в организации.", name.as_str()),
            format!(
                "The building “{}” already exists in the organisation.",
                name.as_str()
            ),
        )
    })
}

pub async fn archive_building(
    db: &Db,
    actor: &Actor,
    building_id: i64,
    archived: bool,
) -> Result<(), AppError> {
    let organisation_id = managed_organisation(actor)?;
    own_building(db, organisation_id, building_id).await?;
    let mut tx = db.begin_write().await?;
    if archived {
        let rooms: Vec<String> = sqlx::query(
            "SELECT name FROM rooms WHERE building_id = $1 AND archived = 0 ORDER BY name_key",
        )
        .bind(building_id)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|r| r.try_get("name"))
        .collect::<Result<_, _>>()?;
        if !rooms.is_empty() {
            let list = rooms.join(", ");
            return Err(refused(
                format!(
                    "В здании есть действующие кабинеты ({list}). Сначала переведите их в архив."
                ),
                format!("The building still has rooms in use ({list}). Archive them first."),
            ));
        }
    }
    sqlx::query("UPDATE buildings SET archived = $1 WHERE id = $2")
        .bind(i64::from(archived))
        .bind(building_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn save_room(
    db: &Db,
    actor: &Actor,
    room_id: &str,
    building_id: i64,
    name: &str,
    places: &str,
) -> Result<i64, AppError> {
    let organisation_id = managed_organisation(actor)?;
    let room_id = optional_id(room_id)?;
    let name = Title::parse(name).map_err(|e| AppError::invalid("name", &e))?;
    let places = Places::parse(places).map_err(|e| AppError::invalid("places", &e))?;
    if own_building(db, organisation_id, building_id).await? {
        return Err(refused(
            "Здание в архиве: сначала верните его из архива.",
            "The building is archived: restore it first.",
        ));
    }
    if let Some(id) = room_id {
        let (in_building, _, _) = own_room(db, organisation_id, id).await?;
        if in_building != building_id {
            return Err(room_not_found());
        }
    }
    let saved = match room_id {
        None => sqlx::query(
            "INSERT INTO rooms (building_id, name, name_key, places, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(building_id)
        .bind(name.as_str())
        .bind(name.key())
        .bind(places.get())
        .bind(now_millis())
        .fetch_one(db.pool())
        .await
        .and_then(|row| row.try_get::<i64, _>("id")),
        Some(id) => {
            sqlx::query("UPDATE rooms SET name = $1, name_key = $2, places = $3 WHERE id = $4")
                .bind(name.as_str())
                .bind(name.key())
                .bind(places.get())
                .bind(id)
                .execute(db.pool())
                .await
                .map(|_| id)
        }
    };
    saved.map_err(|err| {
        taken_name(
            err,
            format!("Кабинет «{}» уже есть в этом здании.", name.as_str()),
            format!(
                "The room “{}” already exists in this building.",
                name.as_str()
            ),
        )
    })
}

pub async fn archive_room(
    db: &Db,
    actor: &Actor,
    room_id: i64,
    archived: bool,
) -> Result<(), AppError> {
    let organisation_id = managed_organisation(actor)?;
    let (_, _, building_archived) = own_room(db, organisation_id, room_id).await?;
    let mut tx = db.begin_write().await?;
    if archived {
        let groups: Vec<String> = sqlx::query(
            "SELECT name FROM groups WHERE room_id = $1 AND archived = 0 ORDER BY name_key",
        )
        .bind(room_id)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|r| r.try_get("name"))
        .collect::<Result<_, _>>()?;
        if !groups.is_empty() {
            let list = groups.join(", ");
            return Err(refused(
                format!(
                    "В кабинете занимаются группы: {list}. Сначала переведите их в другой кабинет."
                ),
                format!("Groups live in this room: {list}. Move them to another room first."),
            ));
        }
    } else if building_archived {
        return Err(refused(
            "Здание в архиве: сначала верните из архива здание.",
            "The building is archived: restore the building first.",
        ));
    }
    sqlx::query("UPDATE rooms SET archived = $1 WHERE id = $2")
        .bind(i64::from(archived))
        .bind(room_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}
