//! Stopping an instance (SIGTERM): the outbox leases it holds are given back, so
//! another instance sends that mail at once instead of after the lease runs out.

use std::time::Duration;

use crate::helpers::{spawn_stoppable, Backend, TestApp};

/// An SMTP server that takes connections and never greets: a send hangs on it.
async fn silent_smtp() -> (u16, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let task = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            held.push(stream);
        }
    });
    (port, task)
}

async fn leased(app: &TestApp) -> i64 {
    app.count(
        "SELECT COUNT(*) FROM outbox WHERE leased_by IS NOT NULL AND leased_until IS NOT NULL",
    )
    .await
}

async fn a_stopping_instance_gives_its_outbox_leases_back(backend: Backend) {
    let (port, smtp) = silent_smtp().await;
    let Some((app, stop, running)) = spawn_stoppable(backend, |settings| {
        crate::mail::with_mail(port)(settings);
        settings.workers.stop_wait = Duration::from_millis(300);
    })
    .await
    else {
        return;
    };
    let now = chrono::Utc::now().timestamp_millis();
    app.execute(&format!(
        "INSERT INTO outbox (dedupe_key, to_address, subject, body, created_at, next_attempt_at) \
         VALUES ('d1', 'a@example.ru', 's', 'b', {now}, {now}), \
                ('d2', 'b@example.ru', 's', 'b', {now}, {now}), \
                ('d3', 'c@example.ru', 's', 'b', {now}, {now})"
    ))
    .await;
    // The worker takes all three and hangs sending the first.
    for _ in 0..200 {
        if leased(&app).await == 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(leased(&app).await, 3);

    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(10), running)
        .await
        .expect("the instance stops within its stop wait")
        .unwrap()
        .unwrap();
    assert_eq!(leased(&app).await, 0, "every lease given back");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND cancelled_at IS NULL AND attempts = 0")
            .await,
        3,
        "none sent, none counted as tried"
    );
    // Another instance takes them at once.
    let db = app::db::Db::connect(&app.database_url, 1).await.unwrap();
    let taken = app::notices::outbox::lease_due(&db, "other", now + 1, 60_000, 20)
        .await
        .unwrap();
    assert_eq!(taken.len(), 3);
    smtp.abort();
}

#[tokio::test]
async fn sqlite() {
    a_stopping_instance_gives_its_outbox_leases_back(Backend::Sqlite).await;
}

#[tokio::test]
async fn postgres() {
    a_stopping_instance_gives_its_outbox_leases_back(Backend::Postgres).await;
}
