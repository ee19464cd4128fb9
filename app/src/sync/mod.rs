//! Offline marking, the server end: the endpoint a tablet's queue of marks syncs through
//! (`sync_marks`), and the bundle the tablet keeps to mark without a network
//! (`offline_bundle`).
//!
//! The contract is docs/sync-protocol.md; the merge rule and the wire types are the pure
//! `crate::domain::sync`, shared with the wasm client. This module only adds what needs
//! the database.

#[cfg(feature = "ssr")]
pub mod repo;

use chrono::NaiveDate;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

use crate::attendance::ReasonOption;
use crate::domain::calendar::Month;
use crate::domain::sync::{DeviceId, MarkOp, SyncResponse};
use crate::domain::timesheet::{Enrolment, Mark};
use crate::error::AppError;

/// Everything the marking page needs to work offline for the previous and the current
/// month: what to show, and what the server would refuse, so the tablet can say so at
/// once instead of after the next sync. The server still judges every op itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfflineBundle {
    /// Unix milliseconds by the server clock; `server_time - Date.now()` is the offset the
    /// client adds to `recorded_at` (see the protocol, "Clock skew").
    pub server_time: i64,
    /// The server's date: a later day is refused as `future_day`.
    pub today: NaiveDate,
    /// The first day of the previous month.
    pub from: NaiveDate,
    /// The last day of the current month.
    pub to: NaiveDate,
    /// The organisation's absence reasons; any other code is refused as `unknown_reason`.
    pub reasons: Vec<ReasonOption>,
    /// The working days in `from..=to`, transferred weekend days included. Any other day
    /// is refused as `day_not_working`.
    pub working_days: Vec<NaiveDate>,
    /// The public holidays in `from..=to`, to tell them from ordinary weekends.
    pub holidays: Vec<NaiveDate>,
    /// The groups the user may mark: a teacher's bound groups, or all groups of an
    /// admin's organisation.
    pub groups: Vec<OfflineGroup>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfflineGroup {
    pub id: i64,
    pub name: String,
    /// Months in `from..=to` whose табель is closed: marks there are refused as
    /// `month_closed`.
    pub closed_months: Vec<Month>,
    /// Children enrolled on at least one day of `from..=to`, in the order of the page.
    pub children: Vec<OfflineChild>,
    /// Marks stored for `from..=to`.
    pub marks: Vec<OfflineMark>,
    /// Absences parents announced that overlap `from..=to` (not cancelled).
    pub planned: Vec<OfflinePlanned>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfflineChild {
    pub id: i64,
    /// «Фамилия Имя Отчество».
    pub name: String,
    /// A day outside it is refused as `child_not_enrolled`.
    pub enrolment: Enrolment,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfflineMark {
    pub child_id: i64,
    pub day: NaiveDate,
    pub mark: Mark,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfflinePlanned {
    pub child_id: i64,
    pub from: NaiveDate,
    /// Inclusive.
    pub to: NaiveDate,
    pub reason: String,
}

/// Takes a batch of a tablet's queued marks; see docs/sync-protocol.md. One outcome per
/// op, in order; an error (no outcomes) leaves the whole batch queued on the tablet.
#[server(prefix = "/api", endpoint = "sync_marks", input = Json)]
pub async fn sync_marks(device: DeviceId, ops: Vec<MarkOp>) -> Result<SyncResponse, AppError> {
    crate::state::with_actor(|db, actor| async move {
        let delivery = crate::state::AppState::current()?.delivery;
        repo::sync_marks(&db, &actor, &device, &ops, &delivery).await
    })
    .await
}

/// What a tablet caches to mark offline; teachers and organisation admins only. The
/// server-function type is `LoadOfflineBundle`, as `OfflineBundle` names the data.
#[server(name = LoadOfflineBundle, prefix = "/api", endpoint = "offline_bundle")]
pub async fn offline_bundle() -> Result<OfflineBundle, AppError> {
    crate::state::with_actor(|db, actor| async move { repo::offline_bundle(&db, &actor).await })
        .await
}
