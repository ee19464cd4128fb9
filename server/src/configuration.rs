use std::path::PathBuf;
use std::time::Duration;

use chrono::NaiveTime;

use leptos::prelude::LeptosOptions;

/// Everything the server needs to start, read from the environment and the command line.
#[derive(Debug, Clone)]
pub struct Settings {
    pub database_url: String,
    pub max_connections: u32,
    /// Fill the demo organisation at start-up (idempotent).
    pub demo: bool,
    pub leptos: LeptosOptions,
    /// Sign-in through an OpenID Connect provider; off unless an issuer is configured.
    pub oidc: Option<crate::sso::OidcSettings>,
    /// The address people reach Tabel at, for links in mail and the SSO callback.
    pub public_url: String,
    /// Mail for notices and daily summaries; off unless an SMTP server is configured.
    pub mail: Option<MailSettings>,
    pub workers: WorkerSettings,
    /// Reverse proxies whose `X-Forwarded-For` names the client (sign-in throttling
    /// counts per client address); empty when Tabel faces the clients itself.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    pub timeouts: crate::serve::Timeouts,
    /// The session cookie (secure when `public_url` is https) and idle limits.
    pub sessions: app::auth::policy::SessionPolicy,
    /// Where Prometheus scrapes `/metrics`; off unless `TABEL_METRICS_ADDR` is set. An
    /// address of its own, so the public port never shows the counters.
    pub metrics_addr: Option<std::net::SocketAddr>,
    /// The daily anonymisation of people who left more than this many years ago; off
    /// unless `TABEL_RETENTION_YEARS` is set.
    pub retention_years: Option<u32>,
}

#[derive(Debug, Clone)]
pub struct MailSettings {
    /// `smtp://host:port` (plain, for a relay on the same host), `smtp://…?tls=required`
    /// (STARTTLS) or `smtps://user:password@host` (TLS), as lettre reads it.
    pub smtp_url: String,
    pub from: String,
}

/// The background work of a server instance: sending the outbox, the daily summary.
#[derive(Debug, Clone)]
pub struct WorkerSettings {
    /// How often the outbox is looked at (new mail is sent within this time).
    pub poll_interval: Duration,
    /// The wait after a first failed send; it doubles with each further failure.
    pub retry_base: Duration,
    /// How long a worker may hold mail it is sending before another may take it over.
    pub lease: Duration,
    /// When (server local time) the day's summary goes to each org admin; `None` sends
    /// none on its own (tests that queue summaries themselves, at any hour of the day).
    pub daily_summary_at: Option<NaiveTime>,
    /// On stopping, how long the mail being sent may take before it is cut off.
    pub stop_wait: Duration,
}

impl Default for WorkerSettings {
    fn default() -> Self {
        Self {
            poll_interval: Duration::from_secs(2),
            retry_base: Duration::from_secs(30),
            lease: Duration::from_secs(120),
            daily_summary_at: NaiveTime::from_hms_opt(10, 0, 0),
            stop_wait: Duration::from_secs(10),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("unknown argument {0:?}; usage: tabel serve [--demo]")]
    UnknownArgument(String),
    #[error("{name} is not valid: {reason}")]
    InvalidValue { name: &'static str, reason: String },
    #[error("cannot create the data directory {path}: {source}")]
    DataDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Leptos(#[from] leptos::config::errors::LeptosConfigError),
}

impl Settings {
    pub fn from_env_and_args(args: impl IntoIterator<Item = String>) -> Result<Self, ConfigError> {
        let mut demo = env_flag("TABEL_DEMO");
        for arg in args {
            match arg.as_str() {
                "--demo" => demo = true,
                _ => return Err(ConfigError::UnknownArgument(arg)),
            }
        }

        let database_url = database_url()?;
        let max_connections =
            match std::env::var("TABEL_DB_MAX_CONNECTIONS") {
                Ok(raw) => raw.parse().ok().filter(|n| *n > 0).ok_or_else(|| {
                    ConfigError::InvalidValue {
                        name: "TABEL_DB_MAX_CONNECTIONS",
                        reason: format!("{raw:?} is not a positive integer"),
                    }
                })?,
                Err(_) => 10,
            };

        let leptos = leptos::config::get_configuration(None)?.leptos_options;
        let public_url = non_empty_env("TABEL_PUBLIC_URL")
            .unwrap_or_else(|| format!("http://{}", leptos.site_addr));
        let oidc = oidc_from_env(&public_url)?;
        let mail = non_empty_env("TABEL_SMTP_URL").map(|smtp_url| MailSettings {
            smtp_url,
            from: non_empty_env("TABEL_MAIL_FROM")
                .unwrap_or_else(|| "Табель <tabel@localhost>".into()),
        });
        let defaults = WorkerSettings::default();
        let workers = WorkerSettings {
            poll_interval: millis_env("TABEL_WORKER_POLL_MS")?.unwrap_or(defaults.poll_interval),
            retry_base: millis_env("TABEL_MAIL_RETRY_BASE_MS")?.unwrap_or(defaults.retry_base),
            lease: defaults.lease,
            stop_wait: defaults.stop_wait,
            daily_summary_at: match non_empty_env("TABEL_DAILY_SUMMARY_AT") {
                Some(raw) => {
                    Some(NaiveTime::parse_from_str(raw.trim(), "%H:%M").map_err(|_| {
                        ConfigError::InvalidValue {
                            name: "TABEL_DAILY_SUMMARY_AT",
                            reason: format!("{raw:?} is not a time of day like 10:00"),
                        }
                    })?)
                }
                None => defaults.daily_summary_at,
            },
        };
        let sessions = {
            let defaults = app::auth::policy::SessionPolicy::default();
            let idle = |name| -> Result<Option<i64>, ConfigError> {
                Ok(millis_env(name)?.map(|d| d.as_millis() as i64))
            };
            app::auth::policy::SessionPolicy {
                secure: public_url.starts_with("https://"),
                idle_staff_ms: idle("TABEL_SESSION_IDLE_STAFF_MS")?
                    .unwrap_or(defaults.idle_staff_ms),
                idle_parent_ms: idle("TABEL_SESSION_IDLE_PARENT_MS")?
                    .unwrap_or(defaults.idle_parent_ms),
            }
        };
        Ok(Self {
            database_url,
            max_connections,
            demo,
            leptos,
            oidc,
            public_url,
            mail,
            workers,
            trusted_proxies: trusted_proxies()?,
            sessions,
            metrics_addr: non_empty_env("TABEL_METRICS_ADDR")
                .map(|raw| {
                    raw.trim().parse().map_err(|_| ConfigError::InvalidValue {
                        name: "TABEL_METRICS_ADDR",
                        reason: format!("{raw:?} is not an address like 127.0.0.1:9187"),
                    })
                })
                .transpose()?,
            retention_years: retention_years()?,
            timeouts: {
                let defaults = crate::serve::Timeouts::default();
                crate::serve::Timeouts {
                    header_read: millis_env("TABEL_HEADER_TIMEOUT_MS")?
                        .unwrap_or(defaults.header_read),
                    body_read: millis_env("TABEL_BODY_TIMEOUT_MS")?.unwrap_or(defaults.body_read),
                    request: millis_env("TABEL_REQUEST_TIMEOUT_MS")?.unwrap_or(defaults.request),
                    database: millis_env("TABEL_DB_ACQUIRE_TIMEOUT_MS")?
                        .unwrap_or(defaults.database),
                }
            },
        })
    }
}

/// `TABEL_RETENTION_YEARS`: a whole number of years, at least one (a child who left
/// last month must still be in this year's табели).
pub fn retention_years() -> Result<Option<u32>, ConfigError> {
    non_empty_env("TABEL_RETENTION_YEARS")
        .map(|raw| parse_retention_years(&raw))
        .transpose()
}

pub fn parse_retention_years(raw: &str) -> Result<u32, ConfigError> {
    raw.trim()
        .parse::<u32>()
        .ok()
        .filter(|years| (1..=100).contains(years))
        .ok_or_else(|| ConfigError::InvalidValue {
            name: "TABEL_RETENTION_YEARS",
            reason: format!("{raw:?} is not a number of years from 1 to 100"),
        })
}

/// `TABEL_TRUSTED_PROXIES`: addresses separated by commas or spaces.
fn trusted_proxies() -> Result<Vec<std::net::IpAddr>, ConfigError> {
    non_empty_env("TABEL_TRUSTED_PROXIES")
        .unwrap_or_default()
        .split([',', ' '])
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse().map_err(|_| ConfigError::InvalidValue {
                name: "TABEL_TRUSTED_PROXIES",
                reason: format!("{s:?} is not an IP address"),
            })
        })
        .collect()
}

fn non_empty_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn millis_env(name: &'static str) -> Result<Option<Duration>, ConfigError> {
    non_empty_env(name)
        .map(|raw| {
            raw.trim()
                .parse::<u64>()
                .ok()
                .filter(|ms| *ms > 0)
                .map(Duration::from_millis)
                .ok_or(ConfigError::InvalidValue {
                    name,
                    reason: format!("{raw:?} is not a positive number of milliseconds"),
                })
        })
        .transpose()
}

fn oidc_from_env(public_url: &str) -> Result<Option<crate::sso::OidcSettings>, ConfigError> {
    let Some(issuer) = non_empty_env("TABEL_OIDC_ISSUER") else {
        return Ok(None);
    };
    let client_id = non_empty_env("TABEL_OIDC_CLIENT_ID").ok_or(ConfigError::InvalidValue {
        name: "TABEL_OIDC_CLIENT_ID",
        reason: "required when TABEL_OIDC_ISSUER is set".into(),
    })?;
    Ok(Some(crate::sso::OidcSettings {
        issuer,
        client_id,
        client_secret: non_empty_env("TABEL_OIDC_CLIENT_SECRET"),
        public_url: public_url.to_owned(),
        trust_unverified_email: env_flag("TABEL_OIDC_TRUST_UNVERIFIED_EMAIL"),
    }))
}

/// `DATABASE_URL`, or SQLite in the data directory.
pub fn database_url() -> Result<String, ConfigError> {
    match std::env::var("DATABASE_URL") {
        Ok(url) if !url.trim().is_empty() => Ok(url),
        _ => default_sqlite_url(),
    }
}

/// SQLite in `TABEL_DATA_DIR` (default `./data`), created on first start.
fn default_sqlite_url() -> Result<String, ConfigError> {
    let dir = PathBuf::from(std::env::var("TABEL_DATA_DIR").unwrap_or_else(|_| "data".into()));
    std::fs::create_dir_all(&dir).map_err(|source| ConfigError::DataDir {
        path: dir.clone(),
        source,
    })?;
    Ok(format!(
        "sqlite://{}?mode=rwc",
        dir.join("tabel.db").display()
    ))
}

fn env_flag(name: &str) -> bool {
    std::env::var(name).is_ok_and(|v| matches!(v.as_str(), "1" | "true" | "yes"))
}
