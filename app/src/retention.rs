//! The retention job (`tabel retention`, `TABEL_RETENTION_YEARS`): anonymises the
//! children and parents who left more than the configured years ago. Who is due is
//! `domain::retention`; this reads the stays and writes the placeholders, in one
//! transaction, so a crash leaves nobody half-anonymised.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use sqlx::Row;

use crate::db::Db;
use crate::domain::retention::{
    child_due, cutoff, kept_birth_date, parent_due, placeholder_name, Guardian, Stays,
};
use crate::error::AppError;

/// The people a run anonymised (or, in a dry run, would).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anonymised {
    pub cutoff: NaiveDate,
    pub children: Vec<i64>,
    pub parents: Vec<i64>,
}

/// Who is due on `today`, changing nothing.
pub async fn due(db: &Db, today: NaiveDate, years: u32) -> Result<Anonymised, AppError> {
    let mut conn = db.pool().acquire().await?;
    due_on(&mut conn, cutoff(today, years)).await
}

async fn due_on(conn: &mut sqlx::AnyConnection, cutoff: NaiveDate) -> Result<Anonymised, AppError> {
    let stays = sqlx::query(
        "SELECT e.child_id, MAX(CASE WHEN e.to_day IS NULL THEN 1 ELSE 0 END) AS open, \
         MAX(e.to_day) AS last_day FROM enrolments e JOIN children c ON c.id = e.child_id \
         WHERE c.anonymised_at IS NULL GROUP BY e.child_id ORDER BY e.child_id",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut children = Vec::new();
    for row in &stays {
        let last_day: Option<String> = row.try_get("last_day")?;
        let stays = Stays {
            open: row.try_get::<i64, _>("open")? != 0,
            last_day: last_day.and_then(|d| d.parse().ok()),
        };
        if child_due(stays, cutoff) {
            children.push(row.try_get::<i64, _>("child_id")?);
        }
    }
    let leaving: BTreeSet<i64> = children.iter().copied().collect();

    let links = sqlx::query(
        "SELECT cg.person_id, cg.child_id, c.anonymised_at IS NOT NULL AS gone, \
         EXISTS (SELECT 1 FROM role_grants g WHERE g.person_id = cg.person_id \
                 AND g.role <> 'parent') AS other_roles \
         FROM child_guardians cg JOIN children c ON c.id = cg.child_id \
         JOIN people p ON p.id = cg.person_id WHERE p.anonymised_at IS NULL",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut guardians: BTreeMap<i64, Guardian> = BTreeMap::new();
    for row in &links {
        let child: i64 = row.try_get("child_id")?;
        let gone = truthy(row, "gone")? || leaving.contains(&child);
        let guardian = guardians
            .entry(row.try_get("person_id")?)
            .or_insert(Guardian {
                named_children: 0,
                other_roles: false,
            });
        guardian.named_children += usize::from(!gone);
        guardian.other_roles |= truthy(row, "other_roles")?;
    }
    let parents = guardians
        .into_iter()
        .filter(|(_, g)| parent_due(*g))
        .map(|(id, _)| id)
        .collect();
    Ok(Anonymised {
        cutoff,
        children,
        parents,
    })
}

/// A boolean expression's column: an integer on SQLite, a boolean on PostgreSQL.
fn truthy(row: &sqlx::any::AnyRow, column: &str) -> Result<bool, sqlx::Error> {
    row.try_get::<bool, _>(column)
        .or_else(|_| row.try_get::<i64, _>(column).map(|v| v != 0))
}

/// Anonymises everyone due on `today`. Names, birth dates (all but the year), contacts,
/// comments and the texts of notices and mail go; the rows, their links and the marks
/// stay, so past табели add up as before.
pub async fn anonymise(
    db: &Db,
    today: NaiveDate,
    years: u32,
    now: i64,
) -> Result<Anonymised, AppError> {
    let mut tx = db.begin_write().await?;
    let due = due_on(&mut tx, cutoff(today, years)).await?;
    for &child in &due.children {
        let birth: String = sqlx::query_scalar("SELECT birth_date FROM children WHERE id = $1")
            .bind(child)
            .fetch_one(&mut *tx)
            .await?;
        let birth = birth
            .parse()
            .map(|d| kept_birth_date(d).to_string())
            .unwrap_or(birth);
        let (surname, given) = placeholder_name(child);
        sqlx::query(
            "UPDATE children SET surname = $2, given_name = $3, patronymic = '', \
             birth_date = $4, anonymised_at = $5 WHERE id = $1",
        )
        .bind(child)
        .bind(surname)
        .bind(given)
        .bind(birth)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE planned_absences SET comment = '' WHERE child_id = $1")
            .bind(child)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "UPDATE outbox SET to_address = '', subject = '', body = '' \
             WHERE notice_id IN (SELECT id FROM notices WHERE child_id = $1)",
        )
        .bind(child)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE notices SET body = '', answer_comment = '' WHERE child_id = $1")
            .bind(child)
            .execute(&mut *tx)
            .await?;
    }
    for &person in &due.parents {
        let email: Option<String> = sqlx::query_scalar("SELECT email FROM people WHERE id = $1")
            .bind(person)
            .fetch_one(&mut *tx)
            .await?;
        if let Some(email) = email.filter(|e| !e.is_empty()) {
            sqlx::query(
                "UPDATE outbox SET to_address = '', subject = '', body = '' WHERE to_address = $1",
            )
            .bind(email)
            .execute(&mut *tx)
            .await?;
        }
        let (surname, given) = placeholder_name(person);
        sqlx::query(
            "UPDATE people SET surname = $2, given_name = $3, patronymic = '', email = NULL, \
             phone = NULL, anonymised_at = $4 WHERE id = $1",
        )
        .bind(person)
        .bind(surname)
        .bind(given)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        // The login was a contact too (often the e-mail address), and nobody may sign
        // in as a placeholder.
        sqlx::query(
            "UPDATE accounts SET login = $2, password_hash = '!', archived = 1 \
             WHERE person_id = $1",
        )
        .bind(person)
        .bind(format!("anonymised-{person}"))
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM sessions WHERE person_id = $1")
            .bind(person)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(due)
}
