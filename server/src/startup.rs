use std::net::SocketAddr;

use app::{db::Db, shell, state::AppState, App};
use axum::{
    extract::Request,
    http::{header, Method, StatusCode},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::get,
    Router,
};
use leptos_axum::{generate_route_list, LeptosRoutes};
use tokio::net::TcpListener;
use tower_http::{
    compression::CompressionLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    trace::TraceLayer,
};

use crate::mailer::Mailer;
use crate::workers::Worker;
use crate::{configuration::Settings, demo};
use app::notices::outbox::Delivery;

pub struct Application {
    listener: TcpListener,
    router: Router,
    timeouts: crate::serve::Timeouts,
    address: SocketAddr,
    worker: Option<crate::workers::Worker>,
    /// Prometheus' own listener and its router, when `TABEL_METRICS_ADDR` is set.
    metrics: Option<(TcpListener, Router)>,
    retention: Option<crate::workers::Retention>,
}

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("database: {0}")]
    Db(#[from] app::db::DbError),
    #[error("demo data: {0}")]
    Demo(#[from] sqlx::Error),
    #[error("mail: {0}")]
    Mail(#[from] crate::mailer::MailerError),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
}

impl Application {
    /// Connects and migrates the database, loads demo data if asked, binds the port
    /// (port 0 picks a free one, as the tests do).
    pub async fn build(settings: Settings) -> Result<Self, StartupError> {
        let db = Db::connect_with(
            &settings.database_url,
            settings.max_connections,
            settings.timeouts.database,
        )
        .await?;
        db.migrate().await?;
        if settings.demo {
            demo::load(&db).await?;
        }
        let (listener, address) = bind(settings.leptos.site_addr).await?;
        let metrics = match settings.metrics_addr {
            Some(addr) => {
                crate::metrics::recorder();
                let (listener, _) = bind(addr).await?;
                Some((listener, crate::metrics::routes(db.clone())))
            }
            None => None,
        };
        let retention = settings
            .retention_years
            .map(|years| crate::workers::Retention::new(db.clone(), years));
        let delivery = Delivery {
            by_mail: settings.mail.is_some(),
            public_url: settings.public_url.clone(),
        };
        let worker = match &settings.mail {
            Some(mail) => Some(Worker::new(
                db.clone(),
                Mailer::new(mail)?,
                delivery.clone(),
                settings.workers.clone(),
            )),
            None => None,
        };
        let state = AppState {
            leptos_options: settings.leptos,
            db,
            sso_enabled: settings.oidc.is_some(),
            delivery,
            sign_in: std::sync::Arc::new(app::auth::password::Verifier::for_this_machine()),
            sessions: settings.sessions,
        };
        Ok(Self {
            listener,
            router: router(
                state,
                settings.oidc,
                settings.trusted_proxies,
                settings.timeouts,
            ),
            timeouts: settings.timeouts,
            address,
            worker,
            metrics,
            retention,
        })
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Where Prometheus scrapes, if metrics are on.
    pub fn metrics_address(&self) -> Option<SocketAddr> {
        self.metrics
            .as_ref()
            .and_then(|(listener, _)| listener.local_addr().ok())
    }

    /// Serves (and works the outbox) until SIGINT or SIGTERM; see [`Self::run_until`].
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.run_until(shutdown_signal()).await
    }

    /// Serves until `shutdown` resolves, then drains: the listener closes (a proxy
    /// sends new requests to another instance), running requests finish, the outbox
    /// worker finishes the mail it is sending and gives back the leases of the rest,
    /// so another instance sends them at once.
    pub async fn run_until(
        self,
        shutdown: impl std::future::Future<Output = ()>,
    ) -> std::io::Result<()> {
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let worker = self.worker.map(|w| w.spawn(stop_rx.clone()));
        let retention = self.retention.map(|r| r.spawn(stop_rx.clone()));
        let metrics = self.metrics.map(|(listener, router)| {
            let mut stop = stop_rx.clone();
            tokio::spawn(async move {
                let stopped = async move {
                    let _ = stop.wait_for(|stop| *stop).await;
                };
                if let Err(err) = axum::serve(listener, router)
                    .with_graceful_shutdown(stopped)
                    .await
                {
                    tracing::error!(error = %err, "the metrics listener failed");
                }
            })
        });
        let stopping = async move {
            shutdown.await;
            let _ = stop_tx.send(true);
        };
        crate::serve::serve(self.listener, self.router, self.timeouts, stopping).await;
        for task in [worker, retention, metrics].into_iter().flatten() {
            let _ = task.await;
        }
        tracing::info!("stopped");
        Ok(())
    }
}

async fn bind(addr: SocketAddr) -> Result<(TcpListener, SocketAddr), StartupError> {
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|source| StartupError::Bind { addr, source })?;
    let address = listener
        .local_addr()
        .map_err(|source| StartupError::Bind { addr, source })?;
    Ok((listener, address))
}

pub fn router(
    state: AppState,
    oidc: Option<crate::sso::OidcSettings>,
    trusted_proxies: Vec<std::net::IpAddr>,
    timeouts: crate::serve::Timeouts,
) -> Router {
    let routes = generate_route_list(App);
    let sessions = state.sessions;
    // Shared by every request's address lookup, not copied for each.
    let trusted_proxies: std::sync::Arc<[std::net::IpAddr]> = trusted_proxies.into();
    let leptos_options = state.leptos_options.clone();
    let sso = match oidc {
        Some(oidc) => crate::sso::routes(state.db.clone(), oidc),
        None => Router::new(),
    };
    let exports = crate::exports::routes(state.db.clone());
    let offline = crate::offline::routes(&state.leptos_options.site_root);
    let language = crate::language::routes(state.db.clone());
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        // The name of earlier releases, kept for the load balancers set up with it.
        .route("/health_check", get(readyz))
        .leptos_routes(&state, routes, move || shell(leptos_options.clone()))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .with_state(state)
        .merge(sso)
        .merge(exports)
        .merge(offline)
        .merge(language)
        .layer(middleware::from_fn(reject_cross_site_writes))
        .layer(middleware::from_fn(move |req, next| {
            note_client_address(trusted_proxies.clone(), req, next)
        }))
        .layer(middleware::from_fn(move |req, next| {
            crate::serve::within_timeouts(timeouts, req, next)
        }))
        .layer(middleware::from_fn(move |req, next| {
            crate::security_headers::add(sessions.secure, req, next)
        }))
        .layer(axum::Extension(sessions))
        .layer(CompressionLayer::new())
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
                let request_id = req
                    .headers()
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-");
                let uri = crate::telemetry::redacted_uri(req.uri());
                tracing::info_span!("request", method = %req.method(), %uri, request_id)
            }),
        )
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .layer(middleware::from_fn(crate::metrics::track))
}

/// Which client a request is from (behind a trusted proxy: the one it names), for
/// sign-in throttling.
async fn note_client_address(
    trusted_proxies: std::sync::Arc<[std::net::IpAddr]>,
    mut req: Request,
    next: Next,
) -> Response {
    use app::auth::client_address::ClientAddress;
    let peer = req
        .extensions()
        .get::<axum::extract::ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip());
    if let Some(peer) = peer {
        let forwarded = req
            .headers()
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok());
        let client = ClientAddress::of_request(peer, forwarded, &trusted_proxies);
        req.extensions_mut().insert(client);
    }
    next.run(req).await
}

/// CSRF defence for server functions (which have none built in): the session cookie is
/// SameSite=Lax, and any state-changing request whose `Origin` is another site is refused.
async fn reject_cross_site_writes(req: Request, next: Next) -> Response {
    if !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        let header_str = |name| {
            req.headers()
                .get(name)
                .and_then(|v: &header::HeaderValue| v.to_str().ok())
        };
        let cross_site =
            header_str(header::HeaderName::from_static("sec-fetch-site")) == Some("cross-site");
        let foreign_origin = match (header_str(header::ORIGIN), header_str(header::HOST)) {
            (Some(origin), Some(host)) => {
                origin.split_once("://").map(|(_, authority)| authority) != Some(host)
            }
            (Some(_), None) => true,
            (None, _) => false,
        };
        if cross_site || foreign_origin {
            let uri = crate::telemetry::redacted_uri(req.uri());
            tracing::warn!(%uri, "cross-site write refused");
            return (
                StatusCode::FORBIDDEN,
                "Запрос с другого сайта отклонён. · Cross-site request refused.",
            )
                .into_response();
        }
    }
    next.run(req).await
}

/// The process is up and answering; says nothing of the database.
async fn healthz() -> &'static str {
    "ok"
}

/// Ready for requests: the database answers and has every migration this build
/// carries. A proxy or orchestrator sends requests only to a ready instance.
async fn readyz(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> (StatusCode, &'static str) {
    match state.db.pending_migrations().await {
        Ok(0) => (StatusCode::OK, "ok"),
        Ok(pending) => {
            tracing::error!(pending, "not ready: migrations not applied (tabel migrate)");
            (StatusCode::SERVICE_UNAVAILABLE, "migrations not applied")
        }
        Err(err) => {
            tracing::error!(error = %err, "not ready: database unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable")
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut sig) => {
                sig.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing running requests");
}
