//! The real binary's JSON logs (`TABEL_LOG_FORMAT=json`), for a log collector: one
//! object a line, the request's span fields in it, and a clean stop on SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::helpers::temp_dir;

#[tokio::test]
async fn json_logs_carry_the_request_and_sigterm_stops_cleanly() {
    let dir = temp_dir("tabel_logs");
    let mut server = Command::new(env!("CARGO_BIN_EXE_tabel"))
        .arg("serve")
        .env(
            "DATABASE_URL",
            format!("sqlite://{}?mode=rwc", dir.join("tabel.db").display()),
        )
        .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
        .env("LEPTOS_SITE_ROOT", dir.join("site"))
        .env("TABEL_LOG_FORMAT", "json")
        .env("RUST_LOG", "info,tower_http=debug")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(server.stderr.take().unwrap()).lines();
    let mut read_json = move || -> Option<Value> {
        let line = lines.next()?.unwrap();
        Some(serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}")))
    };
    let address = loop {
        let line = read_json().expect("the server starts");
        let message = line["fields"]["message"].as_str().unwrap_or_default();
        if let Some(address) = message.strip_prefix("Tabel listens on ") {
            break address.to_owned();
        }
    };
    let res = reqwest::Client::new()
        .get(format!("{address}/healthz"))
        .header("x-request-id", "probe-42")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);

    let status = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let mut rest = Vec::new();
    while let Some(line) = read_json() {
        rest.push(line);
    }
    assert!(
        server.wait().unwrap().success(),
        "exit status after SIGTERM"
    );
    assert!(
        rest.iter().any(|l| l["span"]["request_id"] == "probe-42"
            && l["span"]["uri"] == "/healthz"
            && l["level"] == "DEBUG"),
        "{rest:#?}"
    );
    assert!(
        rest.iter().any(|l| l["fields"]["message"] == "stopped"),
        "{rest:#?}"
    );
}
