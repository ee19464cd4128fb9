//! Headers every answer carries: no MIME sniffing, no framing, no referrer to other
//! sites, and no caching of anything personal (pages, server functions, exports) by
//! the browser or a proxy. The service worker keeps its own copies for offline use; the
//! Cache API does not read these headers.
//!
//! Pages get their Content-Security-Policy, with the response's script nonce, from the
//! shell (`app::shell`); every other answer gets a policy that allows nothing to run.

use axum::{
    extract::Request,
    http::{header, HeaderValue},
    middleware::Next,
    response::Response,
};

/// Files that are the same for everybody; their caching is set where they are served.
fn is_public_file(path: &str) -> bool {
    path.starts_with("/pkg/") || matches!(path, "/favicon.svg" | "/offline.js" | "/sw.js")
}

/// `https`: Tabel is served over TLS, so browsers are told to use nothing else (HSTS).
pub async fn add(https: bool, req: Request, next: Next) -> Response {
    let personal = !is_public_file(req.uri().path());
    let mut res = next.run(req).await;
    let headers = res.headers_mut();
    for (name, value) in [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "same-origin"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'; base-uri 'none'"),
        );
    }
    if https {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    if personal {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

#[cfg(test)]
mod tests {
    use super::is_public_file;

    #[test]
    fn only_the_shared_files_may_be_cached() {
        assert!(is_public_file("/pkg/tabel.wasm"));
        assert!(is_public_file("/sw.js"));
        for personal in [
            "/",
            "/groups/1/marks",
            "/api/whoami",
            "/export/timesheet.csv",
            "/pkgx",
        ] {
            assert!(!is_public_file(personal), "{personal}");
        }
    }
}
