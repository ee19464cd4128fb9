//! Prometheus metrics for the operators, served on an address of their own
//! (`TABEL_METRICS_ADDR`), never on the public one: route names and counts say how the
//! region works. The counters live in `metrics`' global recorder; the database gauges
//! (outbox, pool) are read when Prometheus scrapes.

use std::sync::OnceLock;
use std::time::Instant;

use app::db::Db;
use axum::{
    extract::{MatchedPath, Request, State},
    http::header,
    middleware::Next,
    response::{IntoResponse, Response},
    routing::get,
    Router,
};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

pub const HTTP_REQUESTS: &str = "http_requests_total";
pub const HTTP_DURATION: &str = "http_request_duration_seconds";
pub const OUTBOX_DEPTH: &str = "tabel_outbox_depth";
pub const OUTBOX_OLDEST_DUE: &str = "tabel_outbox_oldest_due_seconds";
pub const POOL_CONNECTIONS: &str = "tabel_db_pool_connections";
pub const POOL_MAX: &str = "tabel_db_pool_max_connections";

/// Upper bounds of the latency buckets: a marking tap should answer within 100 ms, a
/// табель export may take seconds.
const LATENCY_BUCKETS: [f64; 12] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// The process's recorder, installed on first use. One per process: `metrics` has one
/// global recorder, and the tests start several apps in one process.
pub fn recorder() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full(HTTP_DURATION.into()), &LATENCY_BUCKETS)
            .expect("the bucket list is not empty")
            .build_recorder();
        let handle = recorder.handle();
        if let Err(err) = metrics::set_global_recorder(recorder) {
            tracing::error!(error = %err, "another metrics recorder is installed");
        }
        handle
    })
}

/// Counts every request by route and status, with its latency. The route is the
/// pattern it matched (`/groups/{id}`), so the label set stays bounded whatever paths
/// clients send.
pub async fn track(req: Request, next: Next) -> Response {
    let route = route_label(&req);
    let method = req.method().as_str().to_owned();
    let started = Instant::now();
    let response = next.run(req).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!(HTTP_REQUESTS, "method" => method, "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!(HTTP_DURATION, "route" => route).record(started.elapsed().as_secs_f64());
    response
}

fn route_label(req: &Request) -> String {
    if let Some(matched) = req.extensions().get::<MatchedPath>() {
        return matched.as_str().to_owned();
    }
    // Files and the 404 page: the fallback serves every other path.
    match req.uri().path() {
        p if p.starts_with("/pkg/") => "/pkg/{file}".into(),
        _ => "fallback".into(),
    }
}

/// The metrics endpoint's own router.
pub fn routes(db: Db) -> Router {
    Router::new().route("/metrics", get(render)).with_state(db)
}

async fn render(State(db): State<Db>) -> Response {
    let handle = recorder();
    let pool = db.pool();
    let idle = pool.num_idle() as f64;
    metrics::gauge!(POOL_CONNECTIONS, "state" => "idle").set(idle);
    metrics::gauge!(POOL_CONNECTIONS, "state" => "in_use").set(f64::from(pool.size()) - idle);
    metrics::gauge!(POOL_MAX).set(f64::from(pool.options().get_max_connections()));
    match app::notices::outbox::backlog(&db).await {
        Ok(backlog) => {
            metrics::gauge!(OUTBOX_DEPTH).set(backlog.waiting as f64);
            let overdue_ms = backlog
                .oldest_due
                .map_or(0, |due| (app::clock::now_millis() - due).max(0));
            metrics::gauge!(OUTBOX_OLDEST_DUE).set(overdue_ms as f64 / 1000.0);
        }
        // The database gauges keep their last values; the scrape still answers.
        Err(err) => tracing::warn!(error = %err, "metrics: outbox not readable"),
    }
    handle.run_upkeep();
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        handle.render(),
    )
        .into_response()
}
