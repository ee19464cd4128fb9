//! Mail through a real SMTP server on loopback (aiosmtpd, `tests/support/smtp_sink.py`):
//! notices arrive once each in the recipient's language, mail waits while the server is
//! down and goes when it is back, and two instances on one PostgreSQL send each mail
//! exactly once.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use server::configuration::{MailSettings, Settings};
use server::demo::TEACHER;

use crate::helpers::{fresh_database, spawn_app_with, spawn_on, Backend, TestApp, User};

/// The aiosmtpd SMTP server, stopped when dropped.
struct SmtpSink {
    child: Child,
    dir: PathBuf,
}

fn python() -> String {
    std::env::var("TABEL_TEST_PYTHON").unwrap_or_else(|_| "python3".into())
}

/// Whether aiosmtpd can run here; the test command (scripts/test-all.sh) requires it.
fn smtp_available() -> bool {
    let ok = Command::new(python())
        .args(["-c", "import aiosmtpd"])
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        ok || std::env::var("TABEL_REQUIRE_SMTP").is_err(),
        "TABEL_REQUIRE_SMTP is set but {} cannot import aiosmtpd",
        python()
    );
    if !ok {
        eprintln!("aiosmtpd not available: mail tests not run");
    }
    ok
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl SmtpSink {
    fn start(port: u16, dir: PathBuf) -> Self {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/smtp_sink.py");
        let mut child = Command::new(python())
            .args([
                script,
                "127.0.0.1",
                &port.to_string(),
                dir.to_str().unwrap(),
            ])
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the SMTP sink");
        let mut line = String::new();
        std::io::BufRead::read_line(
            &mut std::io::BufReader::new(child.stdout.take().unwrap()),
            &mut line,
        )
        .unwrap();
        assert_eq!(line.trim(), "ready", "SMTP sink did not start");
        Self { child, dir }
    }

    fn mails(&self) -> Vec<Value> {
        let mut names: Vec<_> = std::fs::read_dir(&self.dir)
            .map(|d| {
                d.filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| {
                        p.extension().is_some_and(|x| x == "json")
                            && !p.file_name().unwrap().to_string_lossy().starts_with('.')
                    })
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
            .iter()
            .map(|p| serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap())
            .collect()
    }

    /// Waits until at least `n` mails arrived, then a little longer so that a
    /// duplicate sent late would be seen too.
    async fn wait_for(&self, n: usize, within: Duration) -> Vec<Value> {
        let deadline = Instant::now() + within;
        while self.mails().len() < n {
            assert!(
                Instant::now() < deadline,
                "expected {n} mails, got {}",
                self.mails().len()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        tokio::time::sleep(Duration::from_millis(800)).await;
        self.mails()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn temp_dir(name: &str) -> PathBuf {
    crate::helpers::temp_dir(&format!("tabel_mail_{name}"))
}

pub(crate) fn with_mail(port: u16) -> impl FnOnce(&mut Settings) {
    move |s: &mut Settings| {
        s.mail = Some(MailSettings {
            smtp_url: format!("smtp://127.0.0.1:{port}"),
            from: "Табель <tabel@sad1.example.ru>".into(),
        });
        s.workers.poll_interval = Duration::from_millis(50);
        s.workers.retry_base = Duration::from_millis(200);
        // The tests queue the summaries they expect; after 10:00 the scheduled one
        // would add today's to every count.
        s.workers.daily_summary_at = None;
    }
}

async fn ids(app: &TestApp) -> (i64, i64, i64) {
    (
        app.scalar("SELECT id FROM groups WHERE name = 'Солнышко'")
            .await,
        app.scalar("SELECT id FROM children WHERE surname = 'Иванова'")
            .await,
        app.scalar("SELECT id FROM children WHERE surname = 'Петров'")
            .await,
    )
}

async fn mark_absent(teacher: &User, group: i64, day: &str, children: &[i64]) {
    let marks: Vec<Value> = children
        .iter()
        .map(|c| json!({ "child_id": c, "mark": { "Absent": { "reason": null } } }))
        .collect();
    let res = teacher
        .client
        .post(format!("{}/api/save_marks", teacher.address))
        .json(&json!({ "group_id": group, "date": day, "marks": marks }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200, "{}", res.text().await.unwrap());
}

async fn execute(app: &TestApp, sql: &str) {
    sqlx::any::install_default_drivers();
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&app.database_url)
        .await
        .unwrap();
    sqlx::query(sql).execute(&mut conn).await.unwrap();
}

macro_rules! on_both_backends_with_smtp {
    ($($test:ident),+ $(,)?) => {
        $(
            mod $test {
                #[tokio::test]
                async fn sqlite() {
                    if super::smtp_available() {
                        super::$test(crate::helpers::Backend::Sqlite).await;
                    }
                }

                #[tokio::test]
                async fn postgres() {
                    if super::smtp_available() {
                        super::$test(crate::helpers::Backend::Postgres).await;
                    }
                }
            }
        )+
    };
}

on_both_backends_with_smtp!(
    notices_are_mailed_once_each_in_the_recipients_language,
    mail_waits_while_the_smtp_server_is_down_and_goes_when_it_is_back,
    the_daily_summary_goes_to_each_admin_once,
    the_scheduled_summary_goes_once_a_day_when_due,
);

async fn notices_are_mailed_once_each_in_the_recipients_language(backend: Backend) {
    let port = free_port();
    let sink = SmtpSink::start(port, temp_dir("once"));
    let Some(app) = spawn_app_with(backend, true, with_mail(port)).await else {
        return;
    };
    // Петров's mother reads English.
    execute(
        &app,
        "UPDATE people SET lang = 'en' WHERE email = 'petrova@example.ru'",
    )
    .await;
    let teacher = app.signed_in(TEACHER.login, TEACHER.password).await;
    let (sun, ivanova, petrov) = ids(&app).await;
    mark_absent(&teacher, sun, "2026-11-23", &[ivanova, petrov]).await;
    // Saving the same day again must not ask twice.
    mark_absent(&teacher, sun, "2026-11-23", &[ivanova, petrov]).await;

    let mails = sink.wait_for(2, Duration::from_secs(15)).await;
    assert_eq!(mails.len(), 2, "{mails:#?}");
    let to = |addr: &str| {
        mails
            .iter()
            .find(|m| m["to"] == json!([addr]))
            .unwrap_or_else(|| panic!("no mail to {addr}: {mails:#?}"))
    };
    let ru = to("ivanov@example.ru");
    assert!(ru["subject"].as_str().unwrap().contains("23.11.2026"));
    assert!(ru["subject"].as_str().unwrap().contains("укажите причину"));
    assert!(ru["body"]
        .as_str()
        .unwrap()
        .contains("http://tabel.test/inbox"));
    let en = to("petrova@example.ru");
    assert!(en["subject"].as_str().unwrap().starts_with("Tabel: "));
    assert!(en["body"].as_str().unwrap().contains("give the reason"));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE sent_at IS NOT NULL AND attempts = 1")
            .await,
        2
    );

    // A teacher's own notice goes out as well.
    let res = teacher
        .call(
            "write_notice",
            &[
                ("child_id", &ivanova.to_string()),
                ("day", "2026-11-24"),
                ("text", "Маша сегодня уехала к врачу."),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 200);
    let mails = sink.wait_for(3, Duration::from_secs(15)).await;
    assert_eq!(mails.len(), 3);
    assert!(mails.iter().any(|m| m["body"]
        .as_str()
        .unwrap()
        .contains("Маша сегодня уехала к врачу.")));
    let ids: BTreeSet<&str> = mails
        .iter()
        .map(|m| m["message_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 3, "each mail has its own Message-ID");
}

async fn mail_waits_while_the_smtp_server_is_down_and_goes_when_it_is_back(backend: Backend) {
    let port = free_port();
    let Some(app) = spawn_app_with(backend, true, with_mail(port)).await else {
        return;
    };
    let teacher = app.signed_in(TEACHER.login, TEACHER.password).await;
    let (sun, ivanova, _) = ids(&app).await;
    mark_absent(&teacher, sun, "2026-11-23", &[ivanova]).await;

    // Nothing listens on the port: the worker fails, records why, and backs off.
    let deadline = Instant::now() + Duration::from_secs(15);
    while app
        .count("SELECT COUNT(*) FROM outbox WHERE attempts >= 2 AND last_error IS NOT NULL")
        .await
        == 0
    {
        assert!(Instant::now() < deadline, "no failed attempts recorded");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND cancelled_at IS NULL")
            .await,
        1
    );

    let sink = SmtpSink::start(port, temp_dir("retry"));
    let mails = sink.wait_for(1, Duration::from_secs(20)).await;
    assert_eq!(mails.len(), 1, "{mails:#?}");
    assert_eq!(mails[0]["to"], json!(["ivanov@example.ru"]));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE sent_at IS NOT NULL AND last_error IS NULL")
            .await,
        1
    );
}

async fn the_scheduled_summary_goes_once_a_day_when_due(backend: Backend) {
    let port = free_port();
    let sink = SmtpSink::start(port, temp_dir("scheduled"));
    let mail = with_mail(port);
    // Due since midnight: the workers queue today's summaries on their first tick.
    let Some(app) = spawn_app_with(backend, true, move |s: &mut Settings| {
        mail(s);
        s.workers.daily_summary_at = chrono::NaiveTime::from_hms_opt(0, 0, 0);
    })
    .await
    else {
        return;
    };
    let today = chrono::Local::now()
        .date_naive()
        .format("%d.%m.%Y")
        .to_string();
    let mails = sink.wait_for(2, Duration::from_secs(15)).await;
    let recipients: BTreeSet<String> = mails
        .iter()
        .map(|m| {
            assert!(m["subject"].as_str().unwrap().contains(&today), "{m}");
            m["to"][0].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(
        recipients,
        BTreeSet::from([
            "admin@sad1.example.ru".into(),
            "admin@sad2.example.ru".into()
        ])
    );
    // Many more ticks (50 ms apart) queue nothing more today.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(sink.mails().len(), 2, "{:#?}", sink.mails());
    assert_eq!(app.count("SELECT COUNT(*) FROM outbox").await, 2);
}

async fn the_daily_summary_goes_to_each_admin_once(backend: Backend) {
    let port = free_port();
    let sink = SmtpSink::start(port, temp_dir("summary"));
    let Some(app) = spawn_app_with(backend, true, with_mail(port)).await else {
        return;
    };
    let teacher = app.signed_in(TEACHER.login, TEACHER.password).await;
    let (sun, ivanova, _) = ids(&app).await;
    mark_absent(&teacher, sun, "2026-11-23", &[ivanova]).await;
    let _ = sink.wait_for(1, Duration::from_secs(15)).await;

    let db = app::db::Db::connect(&app.database_url, 2).await.unwrap();
    let delivery = app::notices::outbox::Delivery {
        by_mail: true,
        public_url: "http://tabel.test".into(),
    };
    let monday = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    let queued = app::notices::repo::queue_daily_summaries(&db, monday, &delivery)
        .await
        .unwrap();
    assert_eq!(queued, 2, "one summary per organisation's admin");
    // A second instance (or a second tick) queues nothing more.
    assert_eq!(
        app::notices::repo::queue_daily_summaries(&db, monday, &delivery)
            .await
            .unwrap(),
        0
    );
    // No summary on a holiday.
    let holiday = chrono::NaiveDate::from_ymd_opt(2026, 11, 4).unwrap();
    assert_eq!(
        app::notices::repo::queue_daily_summaries(&db, holiday, &delivery)
            .await
            .unwrap(),
        0
    );

    let mails = sink.wait_for(3, Duration::from_secs(15)).await;
    assert_eq!(mails.len(), 3, "{mails:#?}");
    let summary = mails
        .iter()
        .find(|m| m["to"] == json!(["admin@sad1.example.ru"]))
        .expect("summary to the admin of sad 1");
    let body = summary["body"].as_str().unwrap();
    assert!(summary["subject"]
        .as_str()
        .unwrap()
        .contains("сводка за 23.11.2026"));
    assert!(body.contains("Солнышко: присутствуют 0 из"), "{body}");
    assert!(body.contains("причина неизвестна: 1"), "{body}");
    assert!(body.contains("Без ответа родителей (1)"), "{body}");
    assert!(mails
        .iter()
        .any(|m| m["to"] == json!(["admin@sad2.example.ru"])));
}

#[tokio::test]
async fn two_instances_on_postgres_send_each_mail_exactly_once() {
    if !smtp_available() {
        return;
    }
    let Some(database_url) = fresh_database(Backend::Postgres).await else {
        return;
    };
    let port = free_port();
    let sink = SmtpSink::start(port, temp_dir("two"));
    let first = spawn_on(&database_url, true, with_mail(port)).await;
    let _second = spawn_on(&database_url, true, with_mail(port)).await;

    // A burst of mail queued at once, so both workers find it due together.
    const BURST: i64 = 120;
    execute(
        &first,
        &format!(
            "INSERT INTO outbox (dedupe_key, to_address, subject, body, created_at, next_attempt_at) \
             SELECT 'burst:' || n, 'parent' || n || '@example.ru', 'Письмо ' || n, 'текст', 0, 0 \
             FROM generate_series(1, {BURST}) AS n"
        ),
    )
    .await;
    // And mail made through the app on the second instance's neighbour.
    let teacher = first.signed_in(TEACHER.login, TEACHER.password).await;
    let (sun, ivanova, petrov) = ids(&first).await;
    mark_absent(&teacher, sun, "2026-11-23", &[ivanova, petrov]).await;

    let expected = BURST as usize + 2;
    let mails = sink.wait_for(expected, Duration::from_secs(60)).await;
    assert_eq!(mails.len(), expected, "each mail exactly once");
    let distinct: BTreeSet<&str> = mails
        .iter()
        .map(|m| m["message_id"].as_str().unwrap())
        .collect();
    assert_eq!(distinct.len(), expected);
    assert_eq!(
        first
            .count("SELECT COUNT(*) FROM outbox WHERE sent_at IS NOT NULL AND attempts = 1")
            .await,
        expected as i64,
        "no mail was leased twice"
    );
    let workers = first
        .count("SELECT COUNT(DISTINCT leased_by) FROM outbox")
        .await;
    eprintln!("mail sent by {workers} worker(s)");
}
