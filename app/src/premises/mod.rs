//! «Здания, кабинеты, места»: the organisation's buildings and the rooms in them with
//! their places, and which groups live in each room. Kept by the org admin; nothing is
//! deleted, only archived, so a group's history keeps its room.

mod page;
#[cfg(feature = "ssr")]
pub mod repo;

pub use page::PremisesPage;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomGroup {
    pub id: i64,
    pub name: String,
    /// Children enrolled today.
    pub children: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomRow {
    pub id: i64,
    pub name: String,
    pub places: i64,
    pub archived: bool,
    pub groups: Vec<RoomGroup>,
}

impl RoomRow {
    pub fn children(&self) -> i64 {
        self.groups.iter().map(|g| g.children).sum()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuildingRow {
    pub id: i64,
    pub name: String,
    pub address: String,
    pub archived: bool,
    pub rooms: Vec<RoomRow>,
}

/// The organisation's buildings (archived ones last) with their rooms.
#[server(prefix = "/api", endpoint = "list_premises")]
pub async fn list_premises() -> Result<Vec<BuildingRow>, AppError> {
    crate::state::with_actor(|db, actor| async move { repo::list_premises(&db, &actor).await })
        .await
}

/// Adds a building (`building_id` empty) or renames / re-addresses one.
#[server(prefix = "/api", endpoint = "save_building")]
pub async fn save_building(
    building_id: String,
    name: String,
    address: String,
) -> Result<i64, AppError> {
    crate::state::with_actor(|db, actor| async move {
        repo::save_building(&db, &actor, &building_id, &name, &address).await
    })
    .await
}

/// Archives (`archived = true`) or restores a building; a building with rooms in use
/// cannot be archived.
#[server(prefix = "/api", endpoint = "archive_building")]
pub async fn archive_building(building_id: i64, archived: bool) -> Result<(), AppError> {
    crate::state::with_actor(|db, actor| async move {
        repo::archive_building(&db, &actor, building_id, archived).await
    })
    .await
}

/// Adds a room to a building (`room_id` empty) or changes its name and places.
#[server(prefix = "/api", endpoint = "save_room")]
pub async fn save_room(
    room_id: String,
    building_id: i64,
    name: String,
    places: String,
) -> Result<i64, AppError> {
    crate::state::with_actor(|db, actor| async move {
        repo::save_room(&db, &actor, &room_id, building_id, &name, &places).await
    })
    .await
}

/// Archives or restores a room; a room a group lives in cannot be archived.
#[server(prefix = "/api", endpoint = "archive_room")]
pub async fn archive_room(room_id: i64, archived: bool) -> Result<(), AppError> {
    crate::state::with_actor(|db, actor| async move {
        repo::archive_room(&db, &actor, room_id, archived).await
    })
    .await
}
