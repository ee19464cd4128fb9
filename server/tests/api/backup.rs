//! `tabel backup` and `tabel restore`, run as the operator runs them (the real binary),
//! on a SQLite database that is being written to.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use serde_json::json;
use server::demo::TEACHER;
use sqlx::Connection;

use crate::helpers::{spawn_app, temp_dir, Backend, User};

/// Runs `tabel` with `DATABASE_URL`; returns whether it succeeded and what it printed.
async fn tabel(database_url: &str, args: &[&str]) -> (bool, String) {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_tabel"))
        .args(args)
        .env("DATABASE_URL", database_url)
        .env("RUST_LOG", "warn")
        .output()
        .await
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// The working days of the autumn the demo children are enrolled for.
fn working_days() -> Vec<String> {
    let mut day = chrono::NaiveDate::from_ymd_opt(2026, 9, 1).unwrap();
    let mut days = Vec::new();
    while day <= chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap() {
        use chrono::Datelike;
        if day.weekday().num_days_from_monday() < 5 && day.to_string() != "2026-11-04" {
            days.push(day.to_string());
        }
        day = day.succ_opt().unwrap();
    }
    days
}

async fn save(user: &User, group: i64, day: &str, child: i64, status: &str) -> bool {
    let mark = match status {
        "present" => json!("Present"),
        _ => json!({ "Absent": { "reason": "Б" } }),
    };
    let res = user
        .client
        .post(format!("{}/api/save_marks", user.address))
        .json(&json!({ "group_id": group, "date": day, "marks": [{ "child_id": child, "mark": mark }] }))
        .send()
        .await
        .unwrap();
    res.status().as_u16() == 200
}

/// A mark the server acknowledged: child, day, status, and when the answer came.
type Ack = (i64, String, String, Instant);

async fn marks_in(path: &Path) -> (String, Vec<(i64, String, String)>) {
    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}?mode=ro", path.display()))
        .await
        .unwrap();
    let check: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    let marks = sqlx::query_as("SELECT child_id, day, status FROM marks")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    (check, marks)
}

#[tokio::test]
async fn a_backup_taken_while_marks_are_written_holds_every_acknowledged_mark() {
    let app = spawn_app(Backend::Sqlite, true).await.unwrap();
    let teacher = app.signed_in(TEACHER.login, TEACHER.password).await;
    let group = app
        .scalar("SELECT id FROM groups WHERE name = 'Солнышко'")
        .await;
    let children = {
        let mut conn = sqlx::AnyConnection::connect(&app.database_url)
            .await
            .unwrap();
        sqlx::query_scalar::<_, i64>(
            "SELECT child_id FROM enrolments WHERE group_id = $1 ORDER BY child_id",
        )
        .bind(group)
        .fetch_all(&mut conn)
        .await
        .unwrap()
    };
    // Each write is a child-day of its own, so a mark in the copy is the one written.
    let slots: Vec<(i64, String)> = working_days()
        .into_iter()
        .flat_map(|day| children.iter().map(move |c| (*c, day.clone())))
        .collect();
    assert!(slots.len() > 200, "{}", slots.len());

    let acknowledged: Arc<Mutex<Vec<Ack>>> = Default::default();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let (teacher, acknowledged, stop) = (teacher.clone(), acknowledged.clone(), stop.clone());
        tokio::spawn(async move {
            for (n, (child, day)) in slots.into_iter().enumerate() {
                if stop.load(std::sync::atomic::Ordering::Relaxed) {
                    break;
                }
                let status = if n % 3 == 0 { "absent" } else { "present" };
                if save(&teacher, group, &day, child, status).await {
                    acknowledged
                        .lock()
                        .unwrap()
                        .push((child, day, status.into(), Instant::now()));
                }
            }
        })
    };
    while acknowledged.lock().unwrap().len() < 40 {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }

    let dir = temp_dir("tabel_backup");
    let copy = dir.join("copy.db");
    let started = Instant::now();
    let (ok, said) = tabel(
        &app.database_url,
        &["backup", "--to", copy.to_str().unwrap()],
    )
    .await;
    assert!(ok, "{said}");
    assert!(said.contains("integrity ok"), "{said}");
    // Writing went on during the backup, and goes on a little after it.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    writer.await.unwrap();
    let acknowledged = acknowledged.lock().unwrap().clone();
    let before: Vec<_> = acknowledged.iter().filter(|a| a.3 < started).collect();
    let during = acknowledged.len() - before.len();
    assert!(during > 0, "no mark was written during or after the backup");

    // A backup never overwrites a file.
    let (ok, said) = tabel(
        &app.database_url,
        &["backup", "--to", copy.to_str().unwrap()],
    )
    .await;
    assert!(!ok && said.contains("already exists"), "{said}");

    // Restored where no database is yet, as on a new server.
    let target_dir = temp_dir("tabel_restore");
    let target = target_dir.join("tabel.db");
    let target_url = format!("sqlite://{}?mode=rwc", target.display());
    let (ok, said) = tabel(&target_url, &["restore", "--from", copy.to_str().unwrap()]).await;
    assert!(ok, "{said}");
    let (check, restored) = marks_in(&target).await;
    assert_eq!(check, "ok");
    for (child, day, status, _) in &before {
        assert!(
            restored.contains(&(*child, day.clone(), status.clone())),
            "the mark of {child} on {day}, acknowledged before the backup, is missing"
        );
    }
    // Nothing that was never acknowledged (every mark in the copy was written here).
    let written: Vec<(i64, String, String)> = acknowledged
        .iter()
        .map(|(c, d, s, _)| (*c, d.clone(), s.clone()))
        .collect();
    assert!(restored.iter().all(|m| written.contains(m)));

    // Restoring over a database keeps the one it replaces.
    let (ok, said) = tabel(&target_url, &["restore", "--from", copy.to_str().unwrap()]).await;
    assert!(ok, "{said}");
    let kept: Vec<_> = std::fs::read_dir(&target_dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".before-restore-"))
        .collect();
    assert_eq!(kept.len(), 1, "{said}");

    // A file that is not a database is refused, and the live one is left alone.
    let junk = dir.join("junk.db");
    std::fs::write(&junk, b"not a database at all, just text").unwrap();
    let (ok, said) = tabel(&target_url, &["restore", "--from", junk.to_str().unwrap()]).await;
    assert!(!ok, "{said}");
    assert_eq!(marks_in(&target).await.0, "ok");
    let (ok, said) = tabel(&target_url, &["restore", "--from", "/nonexistent/x.db"]).await;
    assert!(!ok && said.contains("does not exist"), "{said}");

    // PostgreSQL has its own tools, and the command says which.
    let (ok, said) = tabel(
        "postgres://tabel@127.0.0.1:1/none",
        &["backup", "--to", dir.join("pg.db").to_str().unwrap()],
    )
    .await;
    assert!(!ok && said.contains("pg_dump"), "{said}");
}

/// The README's PostgreSQL commands: `pg_dump -Fc`, then `pg_restore --no-owner` into an
/// empty database, which a new instance serves with every mark.
#[tokio::test]
async fn a_postgres_dump_restores_into_a_working_database() {
    let Some(app) = spawn_app(Backend::Postgres, true).await else {
        return;
    };
    let teacher = app.signed_in(TEACHER.login, TEACHER.password).await;
    let group = app
        .scalar("SELECT id FROM groups WHERE name = 'Солнышко'")
        .await;
    let child = app
        .scalar(&format!(
            "SELECT MIN(child_id) FROM enrolments WHERE group_id = {group}"
        ))
        .await;
    assert!(save(&teacher, group, "2026-11-05", child, "absent").await);
    let marks = app.count("SELECT COUNT(*) FROM marks").await;

    let dump = temp_dir("tabel_pg_dump").join("tabel.dump");
    let run = |program: &str, args: Vec<String>| {
        let out = std::process::Command::new(program)
            .args(&args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{program} {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(
        "pg_dump",
        vec![
            "-Fc".into(),
            "-f".into(),
            dump.display().to_string(),
            app.database_url.clone(),
        ],
    );
    let empty = crate::helpers::fresh_database(Backend::Postgres)
        .await
        .unwrap();
    run(
        "pg_restore",
        vec![
            "--no-owner".into(),
            "-d".into(),
            empty.clone(),
            dump.display().to_string(),
        ],
    );

    let restored = crate::helpers::spawn_on(&empty, false, |_| {}).await;
    assert_eq!(restored.count("SELECT COUNT(*) FROM marks").await, marks);
    let teacher = restored.signed_in(TEACHER.login, TEACHER.password).await;
    let sheet = teacher
        .json(
            "timesheet",
            &[("group_id", &group.to_string()), ("month", "2026-11")],
        )
        .await;
    let row = sheet["sheet"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["child_id"] == child)
        .unwrap()
        .clone();
    assert_eq!(row["cells"][4]["Absent"]["reason"], "Б", "{row}");
}
