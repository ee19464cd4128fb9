//! Putting a notice about a child into its parents' inboxes, and queuing its mail.

use sqlx::Row;

use super::outbox::{self, Delivery};
use crate::domain::notice::{Lang, Letter};
use crate::error::AppError;
use crate::rows::full_name;

/// A child's name and group, as a letter about it names them.
pub struct ChildHead {
    pub name: String,
    pub group: String,
}

pub async fn child_head(
    conn: &mut sqlx::AnyConnection,
    child_id: i64,
) -> Result<ChildHead, AppError> {
    let row = sqlx::query(
        "SELECT c.surname, c.given_name, c.patronymic, g.name AS group_name FROM children c \
         JOIN groups g ON g.id = c.group_id WHERE c.id = $1",
    )
    .bind(child_id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| AppError::not_found("Ребёнок не найден.", "Child not found."))?;
    Ok(ChildHead {
        name: full_name(&row)?,
        group: row.try_get("group_name")?,
    })
}

/// Puts a notice into the inbox of each of the child's parents and, when mail is on,
/// queues a letter in each one's language. Returns how many parents it reached.
pub async fn deliver(
    conn: &mut sqlx::AnyConnection,
    notice_id: i64,
    child_id: i64,
    letter: impl Fn(Lang) -> Letter,
    now: i64,
    delivery: &Delivery,
) -> Result<usize, AppError> {
    let parents = sqlx::query(
        "SELECT p.id, p.email, p.lang FROM child_guardians cg JOIN people p ON p.id = cg.person_id \
         WHERE cg.child_id = $1 ORDER BY p.id",
    )
    .bind(child_id)
    .fetch_all(&mut *conn)
    .await?;
    for parent in &parents {
        let person_id: i64 = parent.try_get("id")?;
        sqlx::query(
            "INSERT INTO notice_recipients (notice_id, person_id) VALUES ($1, $2) \
             ON CONFLICT (notice_id, person_id) DO NOTHING",
        )
        .bind(notice_id)
        .bind(person_id)
        .execute(&mut *conn)
        .await?;
        let email = parent.try_get::<Option<String>, _>("email")?;
        if let Some(email) = email.filter(|e| delivery.by_mail && !e.trim().is_empty()) {
            let lang = Lang::from_stored(&parent.try_get::<String, _>("lang")?);
            outbox::enqueue(
                conn,
                &format!("notice:{notice_id}:{person_id}"),
                Some(notice_id),
                &email,
                &letter(lang),
                now,
            )
            .await?;
        }
    }
    Ok(parents.len())
}
