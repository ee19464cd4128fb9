//! The parents' question: when a child is absent and nobody said why, the parents are
//! asked, once per child and day; when the day is explained or the child is marked
//! present, the question is withdrawn with its unsent mail.

use chrono::NaiveDate;
use sqlx::Row;

use crate::domain::notice::reason_request_letter;
use crate::domain::timesheet::Mark;
use crate::error::AppError;
use crate::notices::delivery::{child_head, deliver};
use crate::notices::outbox::{self, Delivery};

/// The key of the one reason request a child's day can have.
pub fn request_key(child_id: i64, day: NaiveDate) -> String {
    format!("{child_id}:{day}")
}

/// Keeps the question in step with a change of the mark from `old` to `new`.
#[allow(clippy::too_many_arguments)]
pub(super) async fn follow(
    conn: &mut sqlx::AnyConnection,
    child_id: i64,
    day: NaiveDate,
    old: Option<&Mark>,
    new: &Mark,
    by: i64,
    at: i64,
    delivery: &Delivery,
) -> Result<(), AppError> {
    let unexplained = Mark::Absent { reason: None };
    if old == Some(new) {
        return Ok(());
    }
    if *new == unexplained {
        open(conn, child_id, day, by, at, delivery).await
    } else if old == Some(&unexplained) {
        // Only an unexplained absence can have an open question to withdraw.
        close(conn, child_id, day, at).await
    } else {
        Ok(())
    }
}

/// Asks the parents. A request that was withdrawn and is needed again comes back to
/// the inbox without a second letter.
async fn open(
    conn: &mut sqlx::AnyConnection,
    child_id: i64,
    day: NaiveDate,
    by: i64,
    now: i64,
    delivery: &Delivery,
) -> Result<(), AppError> {
    let key = request_key(child_id, day);
    let created = sqlx::query(
        "INSERT INTO notices (child_id, day, kind, request_key, created_by, created_at) \
         VALUES ($1, $2, 'reason_request', $3, $4, $5) ON CONFLICT (request_key) DO NOTHING RETURNING id",
    )
    .bind(child_id)
    .bind(day.to_string())
    .bind(&key)
    .bind(by)
    .bind(now)
    .fetch_optional(&mut *conn)
    .await?;
    match created {
        Some(row) => {
            let notice_id: i64 = row.try_get("id")?;
            let child = child_head(conn, child_id).await?;
            let link = delivery.link("/inbox");
            let day = day.to_string();
            deliver(
                conn,
                notice_id,
                child_id,
                |lang| reason_request_letter(lang, &child.name, &child.group, &day, &link),
                now,
                delivery,
            )
            .await?;
        }
        None => {
            sqlx::query(
                "UPDATE notices SET closed_at = NULL WHERE request_key = $1 AND answered_at IS NULL",
            )
            .bind(&key)
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}

/// Withdraws an open request and its unsent mail.
async fn close(
    conn: &mut sqlx::AnyConnection,
    child_id: i64,
    day: NaiveDate,
    now: i64,
) -> Result<(), AppError> {
    let closed = sqlx::query(
        "UPDATE notices SET closed_at = $2 WHERE request_key = $1 AND closed_at IS NULL \
         AND answered_at IS NULL RETURNING id",
    )
    .bind(request_key(child_id, day))
    .bind(now)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(row) = closed {
        outbox::cancel_for_notice(conn, row.try_get("id")?, now).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_request_key_per_child_and_day() {
        let day = NaiveDate::from_ymd_opt(2026, 3, 16).unwrap();
        assert_eq!(request_key(7, day), "7:2026-03-16");
        assert_ne!(request_key(7, day), request_key(7, day.succ_opt().unwrap()));
    }
}
