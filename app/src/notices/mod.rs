//! Notices about absences between teachers and parents, the parent's inbox, and the
//! admin's daily summary. Mail for them goes through the outbox (`outbox`).

#[cfg(feature = "ssr")]
pub mod delivery;
#[cfg(feature = "ssr")]
pub mod outbox;
mod page;
#[cfg(feature = "ssr")]
pub mod repo;

pub use page::{DailySummaryPage, GroupNoticesPage, InboxPage};

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::notice::DailySummary;
use crate::domain::Lang;
use crate::error::AppError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    /// Made by Tabel: the child was marked absent and nobody said why.
    ReasonRequest,
    /// Written by a teacher.
    Teacher,
}

impl NoticeKind {
    pub fn parse(raw: &str) -> Self {
        match raw {
            "teacher" => Self::Teacher,
            _ => Self::ReasonRequest,
        }
    }
}

/// An absence reason a notice can name, in both interface languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeReason {
    pub code: String,
    pub name_ru: String,
    /// The Russian name when the reason book has no English one.
    pub name_en: String,
}

impl NoticeReason {
    pub fn name(&self, lang: Lang) -> &str {
        lang.pick(&self.name_ru, &self.name_en)
    }
}

/// How a parent answered a request for the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    pub reason: String,
    pub reason_name: String,
    /// The reason's English name (the Russian one when the book has none).
    #[serde(default)]
    pub reason_name_en: String,
    pub comment: String,
    pub by: String,
    pub at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum NoticeStatus {
    /// A request still waiting for the parents.
    Open,
    Answered(Answer),
    /// The question no longer stands: the teacher set a reason or marked the child present.
    Closed,
    /// A teacher's notice: nothing to answer.
    Information,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxItem {
    pub id: i64,
    pub kind: NoticeKind,
    pub child_name: String,
    pub group_name: String,
    pub day: String,
    pub text: String,
    pub author: String,
    pub created_at: String,
    pub read: bool,
    pub status: NoticeStatus,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inbox {
    pub items: Vec<InboxItem>,
    pub unread: i64,
    /// Reasons a parent may give, from the organisations of its children.
    pub reasons: Vec<NoticeReason>,
}

#[server(prefix = "/api", endpoint = "inbox")]
pub async fn load_inbox() -> Result<Inbox, AppError> {
    crate::state::with_actor(|db, actor| async move { repo::inbox(&db, &actor).await }).await
}

#[server(prefix = "/api", endpoint = "mark_notice_read")]
pub async fn mark_notice_read(notice_id: i64) -> Result<(), AppError> {
    crate::state::with_actor(
        |db, actor| async move { repo::mark_read(&db, &actor, notice_id).await },
    )
    .await
}

/// A parent answers a request: the reason goes onto the child's mark of that day.
#[server(prefix = "/api", endpoint = "answer_notice")]
pub async fn answer_notice(
    notice_id: i64,
    reason: String,
    comment: String,
) -> Result<(), AppError> {
    crate::state::with_actor(|db, actor| async move {
        let device = crate::access::device_of_request();
        repo::answer(&db, &actor, notice_id, &reason, &comment, &device).await
    })
    .await
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupNotice {
    pub id: i64,
    pub kind: NoticeKind,
    pub child_name: String,
    pub day: String,
    pub text: String,
    pub author: String,
    pub created_at: String,
    pub status: NoticeStatus,
    /// Whether any of the child's parents has opened it.
    pub read: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChildOption {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupNotices {
    pub group_id: i64,
    pub group_name: String,
    pub today: String,
    pub children: Vec<ChildOption>,
    pub notices: Vec<GroupNotice>,
}

#[server(prefix = "/api", endpoint = "group_notices")]
pub async fn load_group_notices(group_id: i64) -> Result<GroupNotices, AppError> {
    crate::state::with_actor(
        |db, actor| async move { repo::group_notices(&db, &actor, group_id).await },
    )
    .await
}

/// A teacher (or the admin) writes to a child's parents about an absence.
#[server(prefix = "/api", endpoint = "write_notice")]
pub async fn write_notice(child_id: i64, day: String, text: String) -> Result<(), AppError> {
    crate::state::with_actor(|db, actor| async move {
        let delivery = crate::state::AppState::current()?.delivery;
        repo::write(&db, &actor, child_id, &day, &text, &delivery).await
    })
    .await
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DailySummaryView {
    pub summary: DailySummary,
    pub reasons: Vec<NoticeReason>,
}

/// The org admin's day: absences by group and reason, and unanswered requests.
#[server(prefix = "/api", endpoint = "daily_summary")]
pub async fn load_daily_summary(day: Option<String>) -> Result<DailySummaryView, AppError> {
    crate::state::with_actor(|db, actor| async move {
        repo::daily_summary_view(&db, &actor, day.as_deref()).await
    })
    .await
}
