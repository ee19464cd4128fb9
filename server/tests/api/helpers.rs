use std::sync::atomic::{AtomicU32, Ordering};

use server::{configuration::Settings, startup::Application};
use sqlx::{Connection, Executor};

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub database_url: String,
    /// Where `/metrics` is served, when the test turned metrics on (tests/metrics.rs).
    #[allow(dead_code)]
    pub metrics_address: Option<String>,
}

#[derive(Debug, Clone, Copy)]
pub enum Backend {
    Sqlite,
    Postgres,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

fn unique_name(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!(
        "{prefix}_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        nanos % 1_000_000_000
    )
}

/// A new, empty directory of its own under the system's temporary directory.
pub fn temp_dir(prefix: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(unique_name(prefix));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A fresh, empty database for one test. `None` when PostgreSQL is not configured
/// and not required (the test command always requires it).
pub async fn fresh_database(backend: Backend) -> Option<String> {
    match backend {
        Backend::Sqlite => {
            let dir = temp_dir("tabel_test");
            Some(format!(
                "sqlite://{}?mode=rwc",
                dir.join("tabel.db").display()
            ))
        }
        Backend::Postgres => {
            let Ok(admin_url) = std::env::var("TABEL_TEST_POSTGRES_URL") else {
                assert!(
                    std::env::var("TABEL_REQUIRE_POSTGRES").is_err(),
                    "TABEL_REQUIRE_POSTGRES is set but TABEL_TEST_POSTGRES_URL is not"
                );
                eprintln!("TABEL_TEST_POSTGRES_URL not set: PostgreSQL variant not run");
                return None;
            };
            let name = unique_name("tabel_test");
            let mut conn = sqlx::PgConnection::connect(&admin_url)
                .await
                .expect("connect to the PostgreSQL of TABEL_TEST_POSTGRES_URL");
            conn.execute(format!(r#"CREATE DATABASE "{name}""#).as_str())
                .await
                .unwrap();
            let base = admin_url
                .rsplit_once('/')
                .map(|(base, _)| base)
                .expect("TABEL_TEST_POSTGRES_URL ends with /database");
            Some(format!("{base}/{name}"))
        }
    }
}

pub async fn spawn_app(backend: Backend, demo: bool) -> Option<TestApp> {
    spawn_app_with(backend, demo, |_| {}).await
}

/// A fresh database and the app on it, with the settings adjusted by `tweak`.
pub async fn spawn_app_with(
    backend: Backend,
    demo: bool,
    tweak: impl FnOnce(&mut Settings),
) -> Option<TestApp> {
    let database_url = fresh_database(backend).await?;
    Some(spawn_on(&database_url, demo, tweak).await)
}

/// Another instance of the app on an existing database, as a second server would be.
pub async fn spawn_on(
    database_url: &str,
    demo: bool,
    tweak: impl FnOnce(&mut Settings),
) -> TestApp {
    let database_url = database_url.to_owned();
    let mut settings = test_settings(&database_url, demo);
    tweak(&mut settings);
    let app = Application::build(settings)
        .await
        .expect("application starts");
    let address = format!("http://{}", app.address());
    let metrics_address = app.metrics_address().map(|a| format!("http://{a}"));
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address,
        client: new_client(),
        database_url,
        metrics_address,
    }
}

/// The settings of an app under test: a free loopback port, no mail, no SSO.
fn test_settings(database_url: &str, demo: bool) -> Settings {
    let mut leptos = leptos::config::LeptosOptions::builder()
        .output_name("tabel")
        .build();
    leptos.site_addr = "127.0.0.1:0".parse().unwrap();
    Settings {
        database_url: database_url.to_owned(),
        max_connections: 5,
        demo,
        leptos,
        oidc: None,
        public_url: "http://tabel.test".into(),
        mail: None,
        workers: Default::default(),
        trusted_proxies: Vec::new(),
        timeouts: Default::default(),
        sessions: Default::default(),
        metrics_addr: None,
        retention_years: None,
    }
}

/// An app the test stops itself, as SIGTERM would: send on the sender, then await the
/// handle to see it drain.
pub async fn spawn_stoppable(
    backend: Backend,
    tweak: impl FnOnce(&mut Settings),
) -> Option<(
    TestApp,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<std::io::Result<()>>,
)> {
    let database_url = fresh_database(backend).await?;
    let mut settings = test_settings(&database_url, false);
    tweak(&mut settings);
    let app = Application::build(settings)
        .await
        .expect("application starts");
    let address = format!("http://{}", app.address());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(app.run_until(async move {
        let _ = stopped.await;
    }));
    Some((
        TestApp {
            address,
            client: new_client(),
            database_url,
            metrics_address: None,
        },
        stop,
        running,
    ))
}

/// A browser-like client: its own cookie jar, redirects left for the test to see.
pub fn new_client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        // A hung request fails the test instead of hanging the run.
        .timeout(std::time::Duration::from_secs(60))
        // The server closes a connection idle for its header-read timeout (10 s); a
        // client that lets go first never sends on a connection being closed.
        .pool_idle_timeout(std::time::Duration::from_secs(5))
        .build()
        .unwrap()
}

/// A valid 10-digit INN (its check digit computed) from nine digits.
pub fn inn_from(nine: u64) -> String {
    let digits: Vec<u64> = format!("{nine:09}")
        .bytes()
        .map(|b| u64::from(b - b'0'))
        .collect();
    let weights = [2, 4, 10, 3, 5, 9, 4, 6, 8];
    let check = digits.iter().zip(weights).map(|(d, w)| d * w).sum::<u64>() % 11 % 10;
    format!("{nine:09}{check}")
}

/// A browser on another loopback address: to the server, another device.
pub fn client_from(address: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .local_address(address.parse::<std::net::IpAddr>().unwrap())
        .timeout(std::time::Duration::from_secs(60))
        // The server closes a connection idle for its header-read timeout (10 s); a
        // client that lets go first never sends on a connection being closed.
        .pool_idle_timeout(std::time::Duration::from_secs(5))
        .build()
        .unwrap()
}

impl TestApp {
    /// Signs `client` in with a login and password and returns the server's answer.
    pub async fn login_with(
        &self,
        client: &reqwest::Client,
        login: &str,
        password: &str,
    ) -> reqwest::Response {
        client
            .post(format!("{}/api/login", self.address))
            .form(&[("login", login), ("password", password)])
            .send()
            .await
            .expect("request sent")
    }

    /// A new client signed in as the account, acting in its only role.
    pub async fn signed_in(&self, login: &str, password: &str) -> User {
        let client = new_client();
        let res = self.login_with(&client, login, password).await;
        assert_eq!(res.status().as_u16(), 200, "login of {login} failed");
        User {
            client,
            address: self.address.clone(),
        }
    }

    /// A direct SQL count, independent of the code under test.
    pub async fn count(&self, sql: &str) -> i64 {
        self.scalar(sql).await
    }

    /// A direct SQL statement, to set up what no screen of the test's concern does.
    pub async fn execute(&self, sql: &str) {
        sqlx::any::install_default_drivers();
        let mut conn = sqlx::AnyConnection::connect(&self.database_url)
            .await
            .unwrap();
        sqlx::query(sql).execute(&mut conn).await.unwrap();
    }

    /// One integer from a direct SQL query (ids, counts).
    pub async fn scalar(&self, sql: &str) -> i64 {
        sqlx::any::install_default_drivers();
        let mut conn = sqlx::AnyConnection::connect(&self.database_url)
            .await
            .unwrap();
        let row: (i64,) = sqlx::query_as(sql).fetch_one(&mut conn).await.unwrap();
        row.0
    }
}

/// A signed-in user of the app under test.
#[derive(Clone)]
pub struct User {
    pub client: reqwest::Client,
    pub address: String,
}

impl User {
    /// Calls a server function the way the hydrated client does: a form-encoded POST.
    pub async fn call(&self, endpoint: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(format!("{}/api/{endpoint}", self.address))
            .form(form)
            .send()
            .await
            .expect("request sent")
    }

    pub async fn json(&self, endpoint: &str, form: &[(&str, &str)]) -> serde_json::Value {
        let res = self.call(endpoint, form).await;
        let status = res.status().as_u16();
        let body = res.text().await.unwrap();
        assert_eq!(status, 200, "{endpoint} answered {status}: {body}");
        serde_json::from_str(&body).unwrap()
    }
}

/// Runs an `async fn(TestApp)` once on SQLite and once on PostgreSQL, as separate tests.
#[macro_export]
macro_rules! on_both_backends {
    ($demo:expr, $($test:ident),+ $(,)?) => {
        $(
            mod $test {
                use $crate::helpers::{spawn_app, Backend};

                #[tokio::test]
                async fn sqlite() {
                    let app = spawn_app(Backend::Sqlite, $demo).await.unwrap();
                    super::$test(app).await;
                }

                #[tokio::test]
                async fn postgres() {
                    if let Some(app) = spawn_app(Backend::Postgres, $demo).await {
                        super::$test(app).await;
                    }
                }
            }
        )+
    };
}
