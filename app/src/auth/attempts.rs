//! The book of sign-in attempts: written before a password is verified, so that any
//! number of parallel guesses are counted at once and only the allowed few are checked.

use sqlx::Row;

use super::client_address::ClientAddress;
use super::throttle::{judge, Limits, Record, Verdict};
use crate::db::{Backend, Db};
use crate::error::AppError;

/// How long an address a login signed in from stays known.
const KNOWN_FOR_MS: i64 = 90 * 24 * 60 * 60 * 1000;

/// An attempt let through to verification; its row is in the book.
#[derive(Debug)]
pub struct Attempt {
    id: i64,
}

async fn record<'c, E>(
    executor: E,
    login: &str,
    address: &str,
    now: i64,
    limits: Limits,
) -> Result<Record, AppError>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    let row = sqlx::query(
        "SELECT \
           (SELECT COUNT(*) FROM login_attempts WHERE login = $1 AND address = $2 AND at > $3) \
             AS from_address, \
           (SELECT COUNT(*) FROM login_attempts WHERE login = $1 AND at > $3) AS for_login, \
           (SELECT COUNT(*) FROM login_known_addresses WHERE login = $1 AND address = $2 \
              AND at > $4) AS known",
    )
    .bind(login)
    .bind(address)
    .bind(now - limits.window_ms)
    .bind(now - KNOWN_FOR_MS)
    .fetch_one(executor)
    .await?;
    Ok(Record {
        from_address: row.try_get("from_address")?,
        for_login: row.try_get("for_login")?,
        known_address: row.try_get::<i64, _>("known")? > 0,
    })
}

/// Lets the attempt through to verification and books it, or says why not.
pub async fn admit(
    db: &Db,
    login: &str,
    address: ClientAddress,
    now: i64,
    limits: Limits,
) -> Result<Result<Attempt, Verdict>, AppError> {
    let address = address.to_string();
    // Most refusals in a storm are decided here, without queueing for the write lock.
    let verdict = judge(
        record(db.pool(), login, &address, now, limits).await?,
        limits,
    );
    if verdict != Verdict::Check {
        return Ok(Err(verdict));
    }
    let mut tx = db.begin_write().await?;
    if db.backend() == Backend::Postgres {
        // SQLite's write lock already serialises this; PostgreSQL's per-login lock does
        // the same for the attempts of one login only.
        sqlx::query("SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock(hashtext($1))) l")
            .bind(login)
            .fetch_one(&mut *tx)
            .await?;
    }
    let verdict = judge(
        record(&mut *tx, login, &address, now, limits).await?,
        limits,
    );
    if verdict != Verdict::Check {
        return Ok(Err(verdict));
    }
    let id: i64 = sqlx::query(
        "INSERT INTO login_attempts (login, address, at) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(login)
    .bind(&address)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?
    .try_get("id")?;
    // Attempts older than any window count for nothing; the index on `at` keeps this a
    // short range delete.
    sqlx::query("DELETE FROM login_attempts WHERE at <= $1")
        .bind(now - limits.window_ms)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Ok(Attempt { id }))
}

/// The server could not verify the attempt: it does not count against anyone.
pub async fn withdraw(db: &Db, attempt: Attempt) -> Result<(), AppError> {
    sqlx::query("DELETE FROM login_attempts WHERE id = $1")
        .bind(attempt.id)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// The password was right: this address's attempts are forgiven and it is known.
pub async fn succeeded(
    db: &Db,
    login: &str,
    address: ClientAddress,
    now: i64,
) -> Result<(), AppError> {
    let address = address.to_string();
    let mut tx = db.begin_write().await?;
    sqlx::query("DELETE FROM login_attempts WHERE login = $1 AND address = $2")
        .bind(login)
        .bind(&address)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO login_known_addresses (login, address, at) VALUES ($1, $2, $3) \
         ON CONFLICT (login, address) DO UPDATE SET at = excluded.at",
    )
    .bind(login)
    .bind(&address)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM login_known_addresses WHERE login = $1 AND at <= $2")
        .bind(login)
        .bind(now - KNOWN_FOR_MS)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// A new password from the administrator: whoever was held back may try it at once.
pub async fn forgive<'c, E>(executor: E, login: &str) -> Result<(), sqlx::Error>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    sqlx::query("DELETE FROM login_attempts WHERE login = $1")
        .bind(login)
        .execute(executor)
        .await
        .map(|_| ())
}
