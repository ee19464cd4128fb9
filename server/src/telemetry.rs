use tracing_subscriber::{fmt, EnvFilter};

/// Logs to stderr; `RUST_LOG` overrides the default level (info for Tabel, warn for the rest).
pub fn init() {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("warn,server=info,app=info,tower_http=info"));
    let _ = fmt().with_env_filter(filter).with_target(false).try_init();
}
