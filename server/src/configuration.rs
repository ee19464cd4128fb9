use std::path::PathBuf;

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
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("unknown argument {0:?}; usage: tabel [--demo]")]
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

        let database_url = match std::env::var("DATABASE_URL") {
            Ok(url) if !url.trim().is_empty() => url,
            _ => default_sqlite_url()?,
        };
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
        let oidc = oidc_from_env(&leptos)?;
        Ok(Self {
            database_url,
            max_connections,
            demo,
            leptos,
            oidc,
        })
    }
}

fn non_empty_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn oidc_from_env(leptos: &LeptosOptions) -> Result<Option<crate::sso::OidcSettings>, ConfigError> {
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
        public_url: non_empty_env("TABEL_PUBLIC_URL")
            .unwrap_or_else(|| format!("http://{}", leptos.site_addr)),
    }))
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
