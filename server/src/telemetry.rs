use tracing_subscriber::{fmt, EnvFilter};

/// Logs to stderr; `RUST_LOG` overrides the default level (info for Tabel, warn for the
/// rest). `TABEL_LOG_FORMAT=json` writes one JSON object a line, with the request's span
/// fields (method, uri, request_id) in it, for a log collector.
pub fn init() {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("warn,server=info,app=info,tower_http=info"));
    // stderr, so a command's own output on stdout (`tabel backup`) stays clean.
    let builder = fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_writer(std::io::stderr);
    let _ = match LogFormat::from_env() {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
    };
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

impl LogFormat {
    /// An unknown value falls back to text, and says so: logs must not be lost for a
    /// typo in the environment file.
    fn from_env() -> Self {
        match std::env::var("TABEL_LOG_FORMAT") {
            Ok(raw) => Self::parse(&raw).unwrap_or_else(|| {
                eprintln!("TABEL_LOG_FORMAT={raw:?} is not text or json; logging as text");
                Self::Text
            }),
            Err(_) => Self::Text,
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "" | "text" => Some(Self::Text),
            "json" => Some(Self::Json),
            _ => None,
        }
    }
}

/// Query parameters whose values are secrets for a while (the OpenID Connect `code` and
/// `state`, any token): a log line must not let its reader finish somebody's sign-in.
const SECRET_PARAMS: [&str; 6] = [
    "code",
    "state",
    "session_state",
    "id_token",
    "access_token",
    "token",
];

/// The request's path and query for the log, with the values of secret parameters
/// replaced.
pub fn redacted_uri(uri: &axum::http::Uri) -> String {
    let Some(query) = uri.query() else {
        return uri.path().to_owned();
    };
    let query: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, _)) if SECRET_PARAMS.contains(&name.to_ascii_lowercase().as_str()) => {
                format!("{name}=[redacted]")
            }
            _ => pair.to_owned(),
        })
        .collect();
    format!("{}?{}", uri.path(), query.join("&"))
}

#[cfg(test)]
mod tests {
    use super::redacted_uri;

    fn redact(uri: &str) -> String {
        redacted_uri(&uri.parse().unwrap())
    }

    #[test]
    fn the_sign_in_code_and_state_are_not_logged() {
        assert_eq!(
            redact("/auth/callback?code=SplxlOBeZQQYbYS6WxSbIA&state=af0ifjsldkj"),
            "/auth/callback?code=[redacted]&state=[redacted]"
        );
        assert_eq!(
            redact("/auth/callback?State=x&iss=http%3A%2F%2Fidp&Code=y"),
            "/auth/callback?State=[redacted]&iss=http%3A%2F%2Fidp&Code=[redacted]"
        );
    }

    #[test]
    fn other_queries_are_logged_as_they_are() {
        assert_eq!(
            redact("/groups/3?date=2026-11-02"),
            "/groups/3?date=2026-11-02"
        );
        assert_eq!(redact("/timesheet"), "/timesheet");
        assert_eq!(redact("/x?flag&codes=1"), "/x?flag&codes=1");
    }
}
