//! Slow clients: a request head or body that trickles in is cut off, and a request the
//! server cannot answer in time is answered 503, so nobody holds a connection for ever.

use std::time::{Duration, Instant};

use server::serve::Timeouts;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::{spawn_app_with, Backend, TestApp};

async fn app_with(timeouts: Timeouts) -> TestApp {
    spawn_app_with(Backend::Sqlite, true, |s| s.timeouts = timeouts)
        .await
        .unwrap()
}

fn short() -> Timeouts {
    Timeouts {
        header_read: Duration::from_millis(800),
        body_read: Duration::from_millis(800),
        request: Duration::from_secs(60),
        ..Timeouts::default()
    }
}

async fn connect(app: &TestApp) -> TcpStream {
    TcpStream::connect(app.address.trim_start_matches("http://"))
        .await
        .unwrap()
}

/// Reads until the server closes the connection (or 10 s pass, which fails the test).
async fn read_to_close(stream: &mut TcpStream) -> String {
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer))
        .await
        .expect("the server let go of the connection")
        .ok();
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn a_trickling_request_head_is_cut_off() {
    let app = app_with(short()).await;
    let mut stream = connect(&app).await;
    let started = Instant::now();
    // A byte every 200 ms: each arrives in time, the whole head never does.
    let head = b"GET /login HTTP/1.1\r\nHost: tabel.test\r\nX-Slow: ";
    let mut closed = false;
    for byte in head.iter().chain(std::iter::repeat_n(&b'a', 100)) {
        if stream.write_all(&[*byte]).await.is_err() {
            closed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        if started.elapsed() > Duration::from_secs(10) {
            break;
        }
    }
    if !closed {
        let answer = read_to_close(&mut stream).await;
        assert!(!answer.contains("200 OK"), "{answer}");
    }
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "the connection was held {:?}",
        started.elapsed()
    );
    // The server itself is fine.
    let res = app
        .client
        .get(format!("{}/health_check", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
}

#[tokio::test]
async fn a_trickling_body_is_answered_408() {
    let app = app_with(short()).await;
    let mut stream = connect(&app).await;
    stream
        .write_all(
            b"POST /api/login HTTP/1.1\r\nHost: tabel.test\r\n\
              Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nlogin=te",
        )
        .await
        .unwrap();
    let answer = read_to_close(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("слишком долго"), "{answer}");
    assert!(
        answer.contains(r#""kind":"transport""#),
        "a server function's error: {answer}"
    );
}

#[tokio::test]
async fn a_request_not_answered_in_time_is_answered_503() {
    // No real handler answers within a nanosecond; the database is always waited for.
    let app = app_with(Timeouts {
        request: Duration::from_nanos(1),
        ..short()
    })
    .await;
    let res = app
        .login_with(
            &app.client,
            server::demo::ADMIN.login,
            server::demo::ADMIN.password,
        )
        .await;
    assert_eq!(res.status().as_u16(), 503);
    assert_eq!(res.headers()["retry-after"], "60");
    let err: serde_json::Value = res.json().await.unwrap();
    assert_eq!(err["kind"], "unavailable");
}

#[tokio::test]
async fn an_ordinary_request_is_unaffected() {
    let app = app_with(short()).await;
    let res = app
        .login_with(
            &app.client,
            server::demo::ADMIN.login,
            server::demo::ADMIN.password,
        )
        .await;
    assert_eq!(res.status().as_u16(), 200);
}
