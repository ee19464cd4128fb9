//! Offline marking, the server end: the endpoint a tablet's queue of marks syncs through
//! (`sync_marks`), and the bundle the tablet keeps to mark without a network
//! (`offline_bundle`).
//!
//! The contract is docs/sync-protocol.md; the merge rule and the wire types are the pure
//! `crate::domain::sync`, shared with the wasm client. This module only adds what needs
//! the database.

#[cfg(feature = "ssr")]
mod bundle;
#[cfg(feature = "ssr")]
pub mod repo;

use chrono::NaiveDate;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

use crate::domain::sync::{DeviceId, SyncResponse, WireOp};
use crate::error::AppError;

/// What a tablet keeps to mark offline: only what offline.js reads, so a shared tablet's
/// storage holds no rosters, marks or parents' absences (see `bundle`). The pages the
/// service worker keeps carry their own sheet; the server judges every op itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfflineBundle {
    /// Unix milliseconds by the server clock; `server_time - Date.now()` is the offset the
    /// client adds to `recorded_at` (see the protocol, "Clock skew").
    pub server_time: i64,
    /// The server's date: the client keeps each group's marking page for this day.
    pub today: NaiveDate,
    /// The groups the user may mark: a teacher's bound groups, or all groups of an
    /// admin's organisation.
    pub groups: Vec<OfflineGroup>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfflineGroup {
    /// What offline.js reads: the group's marking page is `/groups/{id}/marks/{today}`.
    pub id: i64,
    /// Not read by offline.js (nor stored); names the group for a person or a test
    /// reading the answer. A group's name is no personal data.
    pub name: String,
}

/// Takes a batch of a tablet's queued marks; see docs/sync-protocol.md. One outcome per
/// op, in order; an error (no outcomes) leaves the whole batch queued on the tablet.
/// `author` is the person the ops were made by (see `domain::sync::check_author`).
#[server(prefix = "/api", endpoint = "sync_marks", input = Json)]
pub async fn sync_marks(
    device: DeviceId,
    author: Option<i64>,
    ops: Vec<WireOp>,
) -> Result<SyncResponse, AppError> {
    crate::state::with_actor(|db, actor| async move {
        let delivery = crate::state::AppState::current()?.delivery;
        repo::sync_marks(&db, &actor, &device, author, &ops, &delivery).await
    })
    .await
}

/// What a tablet keeps to mark offline; teachers and organisation admins only. The
/// server-function type is `LoadOfflineBundle`, as `OfflineBundle` names the data.
#[server(name = LoadOfflineBundle, prefix = "/api", endpoint = "offline_bundle")]
pub async fn offline_bundle() -> Result<OfflineBundle, AppError> {
    crate::state::with_actor(|db, actor| async move { bundle::offline_bundle(&db, &actor).await })
        .await
}
