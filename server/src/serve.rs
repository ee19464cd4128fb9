//! The accept loop and the three timeouts that keep slow clients from holding the
//! server: reading the request head, reading its body, and the whole request.
//!
//! This is axum's `serve` (connection info, graceful shutdown) plus hyper's
//! header-read timeout, which needs a timer that `axum::serve` does not give it: without
//! one, a client that sends its headers a byte a minute holds a connection for ever.

use std::future::Future;
use std::pin::pin;
use std::time::Duration;

use app::error::{AppError, ErrorKind};
use axum::{
    body::Body,
    extract::{ConnectInfo, Request},
    http::{header, HeaderValue, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
    Router,
};
use hyper::body::Incoming;
use hyper_util::{
    rt::{TokioExecutor, TokioIo, TokioTimer},
    server::conn::auto::Builder,
    service::TowerToHyperService,
};
use tokio::{net::TcpListener, sync::watch};
use tower::ServiceExt;

/// How long a client may take; see `TABEL_*_TIMEOUT_MS` in the README.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// From the connection's first byte (or the previous response) to the end of the
    /// request head; past it the connection is closed.
    pub header_read: Duration,
    /// Reading the request body; past it the answer is 408.
    pub body_read: Duration,
    /// The whole request, body and handling; past it the answer is 503.
    pub request: Duration,
    /// Waiting for a database connection; past it the request fails with 503 (the
    /// database is down or restarting, or every connection is busy).
    pub database: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            header_read: Duration::from_secs(10),
            body_read: Duration::from_secs(30),
            request: Duration::from_secs(60),
            database: app::db::DEFAULT_ACQUIRE_TIMEOUT,
        }
    }
}

/// How long, once stopping, a kept-alive connection is still served: longer than the
/// keep-alive timeout a proxy holds idle connections to Tabel for (nginx's example in
/// packaging/nginx/tabel.conf: 5 s), so the proxy closes them itself rather than
/// sending a request on one as it closes.
const KEEP_ALIVE_GRACE: Duration = Duration::from_secs(6);

/// The largest request body read (an import of the contingent is the largest).
const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// Serves `router` until `shutdown` resolves, then lets open requests finish.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    timeouts: Timeouts,
    shutdown: impl Future<Output = ()>,
) {
    let (stop_tx, stop_rx) = watch::channel(());
    let (open_tx, open_rx) = watch::channel(());
    let mut shutdown = pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    // Out of file descriptors and the like: wait rather than spin.
                    tracing::error!(error = %err, "accept failed");
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let draining = stop_rx.clone();
        let service = router
            .clone()
            .map_request(move |mut req: Request<Incoming>| {
                req.extensions_mut().insert(ConnectInfo(peer));
                req.map(Body::new)
            })
            .map_response(move |mut res: Response| {
                // While draining, every answer tells the client (a proxy's kept-alive
                // connection) to send its next request elsewhere.
                if draining.has_changed().unwrap_or(true) {
                    res.headers_mut()
                        .insert(header::CONNECTION, HeaderValue::from_static("close"));
                }
                res
            });
        let mut stop = stop_rx.clone();
        let open = open_rx.clone();
        tokio::spawn(async move {
            let mut builder = Builder::new(TokioExecutor::new());
            builder
                .http1()
                .timer(TokioTimer::new())
                .header_read_timeout(timeouts.header_read);
            let conn = builder.serve_connection_with_upgrades(
                TokioIo::new(stream),
                TowerToHyperService::new(service),
            );
            let mut conn = pin!(conn);
            // Once stopping, a proxy may have just written a request on this
            // kept-alive connection; closing it at once would fail that request (and a
            // proxy does not resend a POST). It is served for a grace period, answered
            // with `Connection: close`, unless it ends first.
            let grace_over = async {
                let _ = stop.changed().await;
                tokio::time::sleep(KEEP_ALIVE_GRACE).await;
            };
            tokio::select! {
                result = conn.as_mut() => {
                    if let Err(err) = result {
                        tracing::debug!(error = %err, %peer, "connection ended");
                    }
                }
                () = grace_over => {
                    conn.as_mut().graceful_shutdown();
                    let _ = conn.await;
                }
            }
            drop(open);
        });
    }
    // Closed first: a connection the kernel would still accept could never be served,
    // and a proxy that is refused sends the request to another instance.
    drop(listener);
    drop(stop_rx);
    let _ = stop_tx.send(());
    drop(open_rx);
    open_tx.closed().await;
}

/// Reads the body within `body_read`, then runs the request within `request`.
pub async fn within_timeouts(timeouts: Timeouts, req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    let api = parts.uri.path().starts_with("/api/");
    let body = match tokio::time::timeout(
        timeouts.body_read,
        axum::body::to_bytes(body, MAX_BODY_BYTES),
    )
    .await
    {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(err)) => {
            tracing::warn!(error = %err, "request body unreadable or too large");
            return refusal(
                api,
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorKind::Invalid,
                "Запрос слишком большой или оборван.",
                "The request is too large or was cut off.",
            );
        }
        Err(_) => {
            tracing::warn!("request body not received in time");
            return refusal(
                api,
                StatusCode::REQUEST_TIMEOUT,
                ErrorKind::Transport,
                "Запрос передавался слишком долго. Проверьте связь и попробуйте ещё раз.",
                "The request took too long to arrive. Check the connection and try again.",
            );
        }
    };
    let req = Request::from_parts(parts, Body::from(body));
    match tokio::time::timeout(timeouts.request, next.run(req)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::error!("request not answered in time");
            let mut res = refusal(
                api,
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorKind::Unavailable,
                "Сервер не успел ответить. Попробуйте ещё раз через минуту.",
                "The server did not answer in time. Try again in a minute.",
            );
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
            res
        }
    }
}

/// A server function's caller gets the error it can read (an `AppError`), others text.
fn refusal(api: bool, status: StatusCode, kind: ErrorKind, ru: &str, en: &str) -> Response {
    if api {
        (status, axum::Json(AppError::new(kind, ru, en))).into_response()
    } else {
        (status, format!("{ru} · {en}")).into_response()
    }
}
