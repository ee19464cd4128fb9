use crate::helpers::TestApp;

crate::on_both_backends!(
    false,
    health_check_answers_ok,
    readiness_needs_the_database_and_every_migration
);

async fn get(app: &TestApp, path: &str) -> (u16, String) {
    let res = app
        .client
        .get(format!("{}{path}", app.address))
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

async fn health_check_answers_ok(app: TestApp) {
    assert_eq!(get(&app, "/health_check").await, (200, "ok".into()));
    assert_eq!(get(&app, "/healthz").await, (200, "ok".into()));
    assert_eq!(get(&app, "/readyz").await, (200, "ok".into()));
    assert!(
        app.count("SELECT COUNT(*) FROM organisations").await == 0,
        "without --demo the database starts empty"
    );
}

async fn readiness_needs_the_database_and_every_migration(app: TestApp) {
    // As if an older release's schema were left: the newest migration is not applied.
    let newest = app
        .scalar("SELECT MAX(version) FROM _sqlx_migrations")
        .await;
    app.execute(&format!(
        "UPDATE _sqlx_migrations SET success = FALSE WHERE version = {newest}"
    ))
    .await;
    assert_eq!(
        get(&app, "/readyz").await,
        (503, "migrations not applied".into())
    );
    assert_eq!(get(&app, "/health_check").await.0, 503);
    // The process itself is up.
    assert_eq!(get(&app, "/healthz").await, (200, "ok".into()));

    app.execute(&format!(
        "UPDATE _sqlx_migrations SET success = TRUE WHERE version = {newest}"
    ))
    .await;
    assert_eq!(get(&app, "/readyz").await, (200, "ok".into()));
}

/// A region's database is usually on another host: `sslmode=require` in DATABASE_URL
/// must give an encrypted connection (Debian's PostgreSQL has TLS on by default).
#[tokio::test]
async fn postgres_connections_can_be_encrypted() {
    let Some(url) = crate::helpers::fresh_database(crate::helpers::Backend::Postgres).await else {
        return;
    };
    let db = app::db::Db::connect(&format!("{url}?sslmode=require"), 1)
        .await
        .expect("a TLS connection to PostgreSQL");
    let encrypted: bool =
        sqlx::query_scalar("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
            .fetch_one(db.pool())
            .await
            .unwrap();
    assert!(encrypted);
}
