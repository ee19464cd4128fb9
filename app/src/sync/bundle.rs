//! The offline bundle, the server end: what a tablet keeps to work without a network.
//!
//! offline.js reads three things from it: the server clock (to correct `recorded_at`),
//! the server's date and the ids of the groups the user may mark (to have each group's
//! marking page for today kept by the service worker). That is all it holds, so a shared
//! tablet's IndexedDB keeps no rosters, marks or parents' absences; the pages the worker
//! keeps carry their own sheet, and the server judges every op anyway.

use sqlx::Row;

use super::repo::require_marking_role;
use super::{OfflineBundle, OfflineGroup};
use crate::clock::{now_millis, today};
use crate::db::Db;
use crate::domain::permissions::GroupScope;
use crate::domain::{Actor, Permission};
use crate::error::AppError;

pub async fn offline_bundle(db: &Db, actor: &Actor) -> Result<OfflineBundle, AppError> {
    let organisation_id = require_marking_role(actor)?;
    let rows = sqlx::query(
        "SELECT g.id, g.name, g.organisation_id, o.municipality_id FROM groups g \
         JOIN organisations o ON o.id = g.organisation_id WHERE g.organisation_id = $1 \
         ORDER BY g.name_key, g.id",
    )
    .bind(organisation_id)
    .fetch_all(db.pool())
    .await?;
    let mut groups = Vec::new();
    for row in &rows {
        let scope = GroupScope {
            group_id: row.try_get("id")?,
            organisation_id: row.try_get("organisation_id")?,
            municipality_id: row.try_get("municipality_id")?,
        };
        // The same permission the sync checks, so the bundle holds exactly the groups
        // whose marks will be taken.
        if !actor.may(&Permission::MarkGroup(scope)) {
            continue;
        }
        groups.push(OfflineGroup {
            id: scope.group_id,
            name: row.try_get("name")?,
        });
    }
    Ok(OfflineBundle {
        server_time: now_millis(),
        today: today(),
        groups,
    })
}
