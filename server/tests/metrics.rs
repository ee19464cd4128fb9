//! The Prometheus endpoint, in a test binary of its own: `metrics` has one recorder per
//! process, and the other integration tests mark and sync in parallel, which would move
//! the counters this test reads.

#[allow(dead_code)]
#[path = "api/helpers.rs"]
mod helpers;

use std::collections::BTreeMap;

use app::domain::sync::{DeviceId, MarkOp, OpId};
use app::domain::timesheet::Mark;
use chrono::NaiveDate;
use serde_json::json;
use server::demo::TEACHER;

use helpers::{spawn_app_with, Backend, TestApp, User};

/// One scrape: each sample line's `name{labels}` and its value.
async fn scrape(app: &TestApp) -> BTreeMap<String, f64> {
    let url = format!("{}/metrics", app.metrics_address.as_ref().unwrap());
    let res = reqwest::get(&url).await.unwrap();
    assert_eq!(res.status().as_u16(), 200);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    res.text()
        .await
        .unwrap()
        .lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
        .map(|line| {
            let (series, value) = line.rsplit_once(' ').unwrap();
            (series.to_owned(), value.parse().unwrap())
        })
        .collect()
}

/// How much a series moved between two scrapes (a series not yet there counts 0).
fn moved(before: &BTreeMap<String, f64>, after: &BTreeMap<String, f64>, series: &str) -> f64 {
    after.get(series).copied().unwrap_or(0.0) - before.get(series).copied().unwrap_or(0.0)
}

async fn save(user: &User, group: i64, on: &str, marks: &[(i64, &str)]) {
    let marks: Vec<_> = marks
        .iter()
        .map(|(child, status)| json!({ "child_id": child, "mark": status }))
        .collect();
    let res = user
        .client
        .post(format!("{}/api/save_marks", user.address))
        .json(&json!({ "group_id": group, "date": on, "marks": marks }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200, "{}", res.text().await.unwrap());
}

fn op(n: u8, child_id: i64, on: &str) -> MarkOp {
    let recorded_at = chrono::Utc::now().timestamp_millis() - 60_000;
    MarkOp {
        op_id: OpId::new_v7(recorded_at as u64, [n; 10]),
        child_id,
        day: NaiveDate::parse_from_str(on, "%Y-%m-%d").unwrap(),
        mark: Mark::Present,
        device: DeviceId::parse("tab-metrics").unwrap(),
        recorded_at,
    }
}

async fn sync(user: &User, ops: &[MarkOp]) {
    let res = user
        .client
        .post(format!("{}/api/sync_marks", user.address))
        .json(&json!({ "device": "tab-metrics", "ops": ops }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200, "{}", res.text().await.unwrap());
}

#[tokio::test]
async fn the_counters_follow_marking_syncing_and_signing_in() {
    let app = spawn_app_with(Backend::Sqlite, true, |settings| {
        settings.metrics_addr = Some("127.0.0.1:0".parse().unwrap());
    })
    .await
    .unwrap();
    let group = app
        .scalar("SELECT id FROM groups WHERE name = 'Солнышко'")
        .await;
    let children: Vec<i64> = {
        let mut ids = Vec::new();
        for n in 0..3 {
            ids.push(
                app.scalar(&format!(
                    "SELECT e.child_id FROM enrolments e WHERE e.group_id = {group} \
                     ORDER BY e.child_id LIMIT 1 OFFSET {n}"
                ))
                .await,
            );
        }
        ids
    };
    // A mail waiting for a minute, and one due only tomorrow: both are the backlog.
    let now = chrono::Utc::now().timestamp_millis();
    app.execute(&format!(
        "INSERT INTO outbox (dedupe_key, to_address, subject, body, created_at, next_attempt_at) \
         VALUES ('m1', 'a@example.ru', 's', 'b', {now}, {}), \
                ('m2', 'b@example.ru', 's', 'b', {now}, {})",
        now - 60_000,
        now + 86_400_000
    ))
    .await;
    let teacher = app.signed_in(TEACHER.login, TEACHER.password).await;
    let before = scrape(&app).await;

    // Three marks saved, then the same three again (nothing changes: not counted).
    let three = [
        (children[0], "Present"),
        (children[1], "Present"),
        (children[2], "Present"),
    ];
    save(&teacher, group, "2026-11-05", &three).await;
    save(&teacher, group, "2026-11-05", &three).await;
    // Two offline ops applied, then the same batch again: two duplicates.
    let ops = [
        op(1, children[0], "2026-11-06"),
        op(2, children[1], "2026-11-06"),
    ];
    sync(&teacher, &ops).await;
    sync(&teacher, &ops).await;
    // One wrong password.
    let stranger = helpers::new_client();
    let res = app
        .login_with(&stranger, TEACHER.login, "not-the-password")
        .await;
    assert_eq!(res.status().as_u16(), 401);

    let after = scrape(&app).await;
    let delta = |series: &str| moved(&before, &after, series);
    assert_eq!(delta(r#"tabel_marks_saved_total{path="web"}"#), 3.0);
    assert_eq!(delta(r#"tabel_marks_saved_total{path="sync"}"#), 2.0);
    assert_eq!(delta(r#"tabel_sync_ops_total{outcome="applied"}"#), 2.0);
    assert_eq!(delta(r#"tabel_sync_ops_total{outcome="duplicate"}"#), 2.0);
    assert_eq!(delta(r#"tabel_sync_ops_total{outcome="refused"}"#), 0.0);
    assert_eq!(
        delta(r#"tabel_sign_in_failures_total{reason="wrong_credentials"}"#),
        1.0
    );
    assert_eq!(
        delta(r#"http_requests_total{method="POST",route="/api/save_marks",status="200"}"#),
        2.0
    );
    assert_eq!(
        delta(r#"http_requests_total{method="POST",route="/api/sync_marks",status="200"}"#),
        2.0
    );
    assert_eq!(
        delta(r#"http_requests_total{method="POST",route="/api/login",status="401"}"#),
        1.0
    );
    assert_eq!(
        delta(r#"http_request_duration_seconds_count{route="/api/save_marks"}"#),
        2.0
    );
    assert_eq!(
        delta(r#"http_request_duration_seconds_bucket{route="/api/save_marks",le="+Inf"}"#),
        2.0
    );
    // A page with a path parameter is counted under its pattern, not its path.
    let res = teacher
        .client
        .get(format!("{}/groups/{group}", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let paged = scrape(&app).await;
    assert!(
        paged
            .keys()
            .any(|k| k.starts_with("http_requests_total") && k.contains(r#"route="/groups/{id}""#)),
        "{:?}",
        paged
            .keys()
            .filter(|k| k.contains("/groups"))
            .collect::<Vec<_>>()
    );
    assert!(!paged
        .keys()
        .any(|k| k.contains(&format!("/groups/{group}\""))));

    assert_eq!(after["tabel_outbox_depth"], 2.0);
    let overdue = after["tabel_outbox_oldest_due_seconds"];
    assert!((60.0..600.0).contains(&overdue), "{overdue}");
    assert_eq!(after["tabel_db_pool_max_connections"], 5.0);
    let in_use = after[r#"tabel_db_pool_connections{state="in_use"}"#];
    let idle = after[r#"tabel_db_pool_connections{state="idle"}"#];
    assert!(
        in_use + idle >= 1.0 && in_use + idle <= 5.0,
        "{in_use} {idle}"
    );

    // The public port does not serve them.
    let res = app
        .client
        .get(format!("{}/metrics", app.address))
        .send()
        .await
        .unwrap();
    assert_ne!(res.status().as_u16(), 200);
}
