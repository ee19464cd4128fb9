//! The parent's side: announcing a child's planned absence, seeing and cancelling it.

mod page;
#[cfg(feature = "ssr")]
pub(crate) mod repo;

pub use page::ChildAbsencesPage;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::attendance::{ReasonNameEn, ReasonOption};
use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Announcement {
    pub id: i64,
    pub date_from: String,
    pub date_to: String,
    pub reason: String,
    pub comment: String,
    pub cancelled: bool,
    pub can_cancel: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChildAbsences {
    pub child_id: i64,
    pub child_name: String,
    pub today: String,
    pub reasons: Vec<ReasonOption>,
    #[serde(default)]
    pub reasons_en: Vec<ReasonNameEn>,
    pub announcements: Vec<Announcement>,
}

#[server(prefix = "/api", endpoint = "child_absences")]
pub async fn load_child_absences(child_id: i64) -> Result<ChildAbsences, AppError> {
    crate::state::with_actor(|db, actor| async move {
        repo::child_absences(&db, &actor, child_id).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "announce_absence")]
pub async fn announce_absence(
    child_id: i64,
    date_from: String,
    date_to: String,
    reason: String,
    comment: String,
) -> Result<(), AppError> {
    crate::state::with_actor(|db, actor| async move {
        repo::announce(
            &db, &actor, child_id, &date_from, &date_to, &reason, &comment,
        )
        .await
    })
    .await
}

#[server(prefix = "/api", endpoint = "cancel_absence")]
pub async fn cancel_absence(announcement_id: i64) -> Result<(), AppError> {
    crate::state::with_actor(
        |db, actor| async move { repo::cancel(&db, &actor, announcement_id).await },
    )
    .await
}
