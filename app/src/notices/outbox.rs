//! The durable outbox: mail is written in the same transaction as what it is about,
//! and a worker (in the server) sends it later.
//!
//! A worker leases a batch of due rows, sends each, then marks it sent. The lease is
//! taken in one statement, and on PostgreSQL the candidate rows are picked with
//! `FOR UPDATE SKIP LOCKED`, so two server instances never lease the same row; SQLite
//! serialises writers, which gives the same. A worker that dies leaves its lease to run
//! out, and the row becomes due again. Each mail carries a Message-ID made from its
//! row, so in the one window left (the mail server accepted it and the worker died
//! before recording that) a resend is recognisable as the same message.

use sqlx::Row;

use crate::db::{Backend, Db};
use crate::domain::notice::{retry_delay_ms, Letter, MAX_SEND_ATTEMPTS};
use crate::error::AppError;

/// Whether notices also go out by mail, and the public address links in mail point to.
#[derive(Debug, Clone, Default)]
pub struct Delivery {
    pub by_mail: bool,
    pub public_url: String,
}

impl Delivery {
    pub fn link(&self, path: &str) -> String {
        format!("{}{path}", self.public_url.trim_end_matches('/'))
    }
}

/// Queues a mail unless one with the same `dedupe_key` was queued before.
pub async fn enqueue(
    conn: &mut sqlx::AnyConnection,
    dedupe_key: &str,
    notice_id: Option<i64>,
    to_address: &str,
    letter: &Letter,
    now: i64,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO outbox (dedupe_key, notice_id, to_address, subject, body, created_at, next_attempt_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT (dedupe_key) DO NOTHING",
    )
    .bind(dedupe_key)
    .bind(notice_id)
    .bind(to_address)
    .bind(&letter.subject)
    .bind(&letter.body)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Withdraws the unsent mail of a notice whose question no longer stands.
pub async fn cancel_for_notice(
    conn: &mut sqlx::AnyConnection,
    notice_id: i64,
    now: i64,
) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE outbox SET cancelled_at = $2 WHERE notice_id = $1 AND sent_at IS NULL \
         AND cancelled_at IS NULL AND (leased_until IS NULL OR leased_until < $2)",
    )
    .bind(notice_id)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedMail {
    pub id: i64,
    pub to_address: String,
    pub subject: String,
    pub body: String,
    /// Attempts including the one this lease is for.
    pub attempts: u32,
}

/// Leases up to `limit` due mails to `worker` for `lease_ms`.
pub async fn lease_due(
    db: &Db,
    worker: &str,
    now: i64,
    lease_ms: i64,
    limit: i64,
) -> Result<Vec<QueuedMail>, sqlx::Error> {
    // The outer WHERE repeats the conditions: on PostgreSQL an UPDATE that waited for a
    // row lock re-checks them against the row as the other transaction left it.
    let skip_locked = match db.backend() {
        Backend::Postgres => "FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    };
    let due = "sent_at IS NULL AND cancelled_at IS NULL AND next_attempt_at <= $1 \
               AND (leased_until IS NULL OR leased_until < $1)";
    let sql = format!(
        "UPDATE outbox SET leased_until = $2, leased_by = $3, attempts = attempts + 1 \
         WHERE {due} AND id IN (SELECT id FROM outbox WHERE {due} ORDER BY id LIMIT $4 {skip_locked}) \
         RETURNING id, to_address, subject, body, attempts"
    );
    let rows = sqlx::query(&sql)
        .bind(now)
        .bind(now + lease_ms)
        .bind(worker)
        .bind(limit)
        .fetch_all(db.pool())
        .await?;
    let mut mails = rows
        .iter()
        .map(|r| {
            Ok(QueuedMail {
                id: r.try_get("id")?,
                to_address: r.try_get("to_address")?,
                subject: r.try_get("subject")?,
                body: r.try_get("body")?,
                attempts: u32::try_from(r.try_get::<i64, _>("attempts")?).unwrap_or(u32::MAX),
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    mails.sort_by_key(|m| m.id);
    Ok(mails)
}

/// Records a sent mail; only the lease holder may, so a worker whose lease ran out and
/// was taken over does not overwrite the new holder's record.
pub async fn mark_sent(db: &Db, id: i64, worker: &str, now: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE outbox SET sent_at = $3, leased_until = NULL, last_error = NULL \
         WHERE id = $1 AND leased_by = $2 AND sent_at IS NULL",
    )
    .bind(id)
    .bind(worker)
    .bind(now)
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records a failed attempt: due again after a growing delay, or given up.
pub async fn mark_failed(
    db: &Db,
    mail: &QueuedMail,
    worker: &str,
    error: &str,
    now: i64,
    retry_base_ms: i64,
) -> Result<(), sqlx::Error> {
    let give_up = mail.attempts >= MAX_SEND_ATTEMPTS;
    sqlx::query(
        "UPDATE outbox SET leased_until = NULL, last_error = $3, next_attempt_at = $4, \
         cancelled_at = $5 WHERE id = $1 AND leased_by = $2 AND sent_at IS NULL",
    )
    .bind(mail.id)
    .bind(worker)
    .bind(error.chars().take(500).collect::<String>())
    .bind(now + retry_delay_ms(mail.attempts, retry_base_ms))
    .bind(give_up.then_some(now))
    .execute(db.pool())
    .await?;
    Ok(())
}

/// The mail waiting to be sent (not sent, not given up) and when the longest-waiting
/// of it fell due, for the operators' metrics: a growing backlog or an old due time
/// means the mail server is refusing or no instance is working the outbox.
pub async fn backlog(db: &Db) -> Result<Backlog, sqlx::Error> {
    let (waiting, oldest_due): (i64, Option<i64>) = sqlx::query_as(
        "SELECT COUNT(*), MIN(next_attempt_at) FROM outbox \
         WHERE sent_at IS NULL AND cancelled_at IS NULL",
    )
    .fetch_one(db.pool())
    .await?;
    Ok(Backlog {
        waiting,
        oldest_due,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backlog {
    pub waiting: i64,
    /// Milliseconds since the epoch; `None` when nothing waits.
    pub oldest_due: Option<i64>,
}

/// Gives back the leases `worker` holds on mail it has not sent, so another instance
/// may send it at once rather than after the lease runs out (a stopping instance).
/// The attempt the lease counted is taken back too: the mail was not tried.
pub async fn release_leases(db: &Db, worker: &str) -> Result<u64, sqlx::Error> {
    let released = sqlx::query(
        "UPDATE outbox SET leased_until = NULL, leased_by = NULL, attempts = attempts - 1 \
         WHERE leased_by = $1 AND leased_until IS NOT NULL AND sent_at IS NULL",
    )
    .bind(worker)
    .execute(db.pool())
    .await?;
    Ok(released.rows_affected())
}
