//! One code base, two databases.
//!
//! Queries go through `sqlx::Any` and are written in the subset of SQL that SQLite
//! (≥ 3.35) and PostgreSQL share: `$n` placeholders, `RETURNING`, `ON CONFLICT`.
//! Values cross the boundary only as the types `Any` carries (integers, text, floats):
//! dates are ISO-8601 text, instants are Unix milliseconds, flags are 0/1 integers.
//! Only the DDL differs, so each backend has its own migrations folder with the same
//! numbered steps and the same schema.

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn from_url(url: &str) -> Option<Self> {
        if url.starts_with("sqlite:") {
            Some(Self::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Self::Postgres)
        } else {
            None
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("unsupported database URL (expected sqlite:… or postgres://…)")]
    UnsupportedUrl,
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

#[derive(Debug, Clone)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");

/// How long a request waits for a database connection by default: long enough for a
/// burst of requests to queue for the pool, short enough that a database that is down
/// (restarting, unreachable) answers «try again» while the person still waits.
pub const DEFAULT_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

impl Db {
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self, DbError> {
        Self::connect_with(url, max_connections, DEFAULT_ACQUIRE_TIMEOUT).await
    }

    /// As [`Db::connect`], waiting at most `acquire_timeout` for a connection. While the
    /// database is down, requests fail after it ([`is_outage`]) and the pool connects
    /// again on its own once the database is back: Tabel needs no restart.
    pub async fn connect_with(
        url: &str,
        max_connections: u32,
        acquire_timeout: Duration,
    ) -> Result<Self, DbError> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url).ok_or(DbError::UnsupportedUrl)?;
        let options = AnyConnectOptions::from_str(url)?;
        let pool = AnyPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(acquire_timeout)
            // A pooled connection the database dropped (a restart) is found out before a
            // request gets it, not by the request's query failing.
            .test_before_acquire(true)
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL lets the marking requests read while one writes; the busy
                        // timeout queues writers instead of failing them.
                        conn.execute(
                            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                             PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;",
                        )
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        Ok(Self { pool, backend })
    }

    pub async fn migrate(&self) -> Result<(), DbError> {
        self.migrator().run(&self.pool).await?;
        if self.backend == Backend::Sqlite {
            // Table statistics for the query planner where they are missing or stale
            // (PostgreSQL's autovacuum keeps its own).
            self.pool.execute("PRAGMA optimize = 0x10002").await?;
        }
        Ok(())
    }

    /// A transaction that will write. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`): a deferred transaction that reads first and writes later
    /// fails with "database is locked" when another writer got in between, instead of
    /// waiting its turn under the busy timeout.
    pub async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
        match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => self.pool.begin().await,
        }
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The migrations this build carries that the database has not applied: a server
    /// must not take requests on a schema older than its code (`/readyz`).
    pub async fn pending_migrations(&self) -> Result<usize, sqlx::Error> {
        let applied: Vec<i64> =
            sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success = TRUE")
                .fetch_all(&self.pool)
                .await?;
        Ok(self
            .migrator()
            .iter()
            .filter(|m| m.migration_type.is_up_migration() && !applied.contains(&m.version))
            .count())
    }

    fn migrator(&self) -> &'static sqlx::migrate::Migrator {
        match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        }
    }

    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map(|_| ())
    }
}

pub fn is_unique_violation(err: &sqlx::Error) -> bool {
    err.as_database_error()
        .is_some_and(|db| db.is_unique_violation())
}

/// Whether a database error means the database cannot be reached now (down, restarting,
/// the network to it broken, no connection free in time) rather than a fault in a query:
/// the request may simply be tried again later.
pub fn is_outage(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::WorkerCrashed => true,
        // SQLSTATE class 08 (connection exception) and 57P01–57P03 (the server is
        // shutting down or starting up).
        sqlx::Error::Database(db) => db
            .code()
            .is_some_and(|code| code.starts_with("08") || code.starts_with("57P")),
        // A new connection closed before PostgreSQL answered its TLS request (sqlx
        // asks first, as `sslmode=prefer` does): the server or a proxy in front of it
        // went away while connecting. sqlx reports it as a protocol error.
        sqlx::Error::Protocol(message) => {
            message.starts_with("unexpected response from SSLRequest")
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::is_outage;

    #[test]
    fn a_connection_cut_while_asking_for_tls_is_an_outage() {
        let cut = sqlx::Error::Protocol(
            "unexpected response from SSLRequest: 0x00 (sqlx_postgres::connection::tls:95)".into(),
        );
        assert!(is_outage(&cut));
        assert!(!is_outage(&sqlx::Error::Protocol(
            "unexpected message type".into()
        )));
        assert!(!is_outage(&sqlx::Error::RowNotFound));
        assert!(is_outage(&sqlx::Error::PoolTimedOut));
    }
}
