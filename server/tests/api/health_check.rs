use crate::helpers::TestApp;

crate::on_both_backends!(false, health_check_answers_ok);

async fn health_check_answers_ok(app: TestApp) {
    let res = app
        .client
        .get(format!("{}/health_check", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(res.text().await.unwrap(), "ok");
    assert!(
        app.count("SELECT COUNT(*) FROM organisations").await == 0,
        "without --demo the database starts empty"
    );
}
