//! `tabel backup --to FILE` and `tabel restore --from FILE` for the SQLite database.
//!
//! The copy is SQLite's `VACUUM INTO`: it reads the database in one read transaction,
//! so it is consistent while marks are being written (WAL lets the writers go on), and
//! every mark committed before it started is in it. PostgreSQL has its own tools
//! (`pg_dump`/`pg_restore`, docs/deployment.md).

use std::path::{Path, PathBuf};

use app::db::{Backend, Db};
use sqlx::Connection;

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(
        "Резервная копия PostgreSQL делается pg_dump, восстановление — pg_restore \
         (docs/deployment.md). · PostgreSQL is backed up with pg_dump and restored with \
         pg_restore (docs/deployment.md)."
    )]
    Postgres,
    #[error("DATABASE_URL is not a SQLite file: {0}")]
    NotAFile(String),
    #[error("{0} already exists; choose a new file name (a backup never overwrites one)")]
    Exists(PathBuf),
    #[error("{0} does not exist")]
    Missing(PathBuf),
    #[error("{path} is not a Tabel database: {reason}")]
    NotTabel { path: PathBuf, reason: String },
    #[error("the copy {path} failed SQLite's integrity check: {report}")]
    Damaged { path: PathBuf, report: String },
    #[error("database: {0}")]
    Db(#[from] app::db::DbError),
    #[error("database: {0}")]
    Sql(#[from] sqlx::Error),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// What a backup wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copy {
    pub path: PathBuf,
    pub bytes: u64,
    pub marks: i64,
}

/// The file a `sqlite:` URL names (`sqlite://data/tabel.db?mode=rwc`).
pub fn sqlite_path(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
}

fn live_file(database_url: &str) -> Result<PathBuf, BackupError> {
    match Backend::from_url(database_url) {
        Some(Backend::Postgres) => Err(BackupError::Postgres),
        _ => sqlite_path(database_url).ok_or_else(|| BackupError::NotAFile(database_url.into())),
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> BackupError + '_ {
    move |source| BackupError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Copies the live database to `to` (a new file), checks the copy and returns it.
pub async fn backup(database_url: &str, to: &Path) -> Result<Copy, BackupError> {
    let live = live_file(database_url)?;
    if !live.exists() {
        return Err(BackupError::Missing(live));
    }
    if to.exists() {
        return Err(BackupError::Exists(to.to_owned()));
    }
    // Written beside the target and renamed when checked: a half-written file never
    // carries the backup's name.
    let partial = with_suffix(to, ".partial");
    let _ = std::fs::remove_file(&partial);
    let db = Db::connect(database_url, 1).await?;
    sqlx::query("VACUUM INTO $1")
        .bind(partial.to_string_lossy().into_owned())
        .execute(db.pool())
        .await?;
    db.pool().close().await;
    let marks = check(&partial).await?;
    std::fs::rename(&partial, to).map_err(io(to))?;
    let bytes = std::fs::metadata(to).map_err(io(to))?.len();
    Ok(Copy {
        path: to.to_owned(),
        bytes,
        marks,
    })
}

/// Puts the copy `from` in place of the live database, keeping the live one beside it
/// (`….before-restore-<time>`). The server must be stopped: a running one would go on
/// with the file it has open.
pub async fn restore(
    database_url: &str,
    from: &Path,
    stamp: &str,
) -> Result<Restored, BackupError> {
    let live = live_file(database_url)?;
    if !from.exists() {
        return Err(BackupError::Missing(from.to_owned()));
    }
    let marks = check(from).await?;
    let kept = if live.exists() {
        // Whatever the last run left in the write-ahead log goes into the file first,
        // so the kept copy is whole.
        let mut conn =
            sqlx::SqliteConnection::connect(&format!("sqlite://{}", live.display())).await?;
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&mut conn)
            .await?;
        conn.close().await?;
        let kept = with_suffix(&live, &format!(".before-restore-{stamp}"));
        std::fs::rename(&live, &kept).map_err(io(&live))?;
        Some(kept)
    } else {
        None
    };
    for side in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(with_suffix(&live, side));
    }
    let partial = with_suffix(&live, ".partial");
    std::fs::copy(from, &partial).map_err(io(&partial))?;
    std::fs::File::open(&partial)
        .and_then(|f| f.sync_all())
        .map_err(io(&partial))?;
    std::fs::rename(&partial, &live).map_err(io(&live))?;
    Ok(Restored { live, kept, marks })
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restored {
    pub live: PathBuf,
    /// The database that was there before, if any.
    pub kept: Option<PathBuf>,
    pub marks: i64,
}

/// SQLite's integrity check on a copy, and that it is Tabel's; returns its marks count.
async fn check(path: &Path) -> Result<i64, BackupError> {
    let mut conn =
        sqlx::SqliteConnection::connect(&format!("sqlite://{}?mode=ro", path.display())).await?;
    let report: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_all(&mut conn)
        .await?;
    if report != ["ok"] {
        return Err(BackupError::Damaged {
            path: path.to_owned(),
            report: report.join("; "),
        });
    }
    let marks = sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM marks WHERE EXISTS (SELECT 1 FROM _sqlx_migrations)",
    )
    .fetch_one(&mut conn)
    .await
    .map_err(|e| BackupError::NotTabel {
        path: path.to_owned(),
        reason: e.to_string(),
    })?;
    conn.close().await?;
    Ok(marks)
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_of_a_sqlite_url() {
        assert_eq!(
            sqlite_path("sqlite://data/tabel.db?mode=rwc"),
            Some(PathBuf::from("data/tabel.db"))
        );
        assert_eq!(
            sqlite_path("sqlite:///var/lib/tabel/tabel.db"),
            Some(PathBuf::from("/var/lib/tabel/tabel.db"))
        );
        assert_eq!(sqlite_path("sqlite::memory:"), None);
        assert_eq!(sqlite_path("postgres://u@h/db"), None);
    }

    #[test]
    fn postgres_is_sent_to_its_own_tools() {
        assert!(matches!(
            live_file("postgres://tabel@127.0.0.1/tabel"),
            Err(BackupError::Postgres)
        ));
    }
}
