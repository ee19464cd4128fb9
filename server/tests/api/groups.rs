use serde_json::Value;

use crate::helpers::TestApp;

crate::on_both_backends!(
    true,
    demo_groups_are_listed_with_child_counts,
    adding_a_group_persists_it,
    blank_name_is_rejected_and_nothing_written,
    too_long_name_is_rejected_and_nothing_written,
    duplicate_name_is_rejected_case_insensitively,
    demo_load_is_idempotent,
);

crate::on_both_backends!(false, adding_without_organisation_is_a_clear_error);

async fn list(app: &TestApp) -> Value {
    let res = app.call("list_groups", &[]).await;
    assert_eq!(res.status().as_u16(), 200);
    res.json().await.unwrap()
}

fn names_and_counts(listing: &Value) -> Vec<(String, i64)> {
    listing["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["name"].as_str().unwrap().to_owned(),
                g["child_count"].as_i64().unwrap(),
            )
        })
        .collect()
}

async fn demo_groups_are_listed_with_child_counts(app: TestApp) {
    let listing = list(&app).await;
    assert_eq!(
        listing["organisation_name"].as_str().unwrap(),
        "Муниципальное автономное дошкольное образовательное учреждение «Детский сад № 1»"
    );
    // Sorted by name; counts are the demo children per group.
    assert_eq!(
        names_and_counts(&listing),
        vec![
            ("Звёздочка".to_owned(), 1),
            ("Ромашка".to_owned(), 3),
            ("Солнышко".to_owned(), 4)
        ]
    );
}

async fn adding_a_group_persists_it(app: TestApp) {
    let res = app
        .call("add_group", &[("name", "  Младшая   группа №2 ")])
        .await;
    assert_eq!(res.status().as_u16(), 200);
    let added: Value = res.json().await.unwrap();
    assert_eq!(added["name"], "Младшая группа №2");
    assert_eq!(added["child_count"], 0);

    let listing = list(&app).await;
    assert!(names_and_counts(&listing).contains(&("Младшая группа №2".to_owned(), 0)));
    assert_eq!(app.count("SELECT COUNT(*) FROM groups").await, 4);
}

async fn assert_rejected(app: &TestApp, name: &str, status: u16, kind: &str, ru_fragment: &str) {
    let before = app.count("SELECT COUNT(*) FROM groups").await;
    let res = app.call("add_group", &[("name", name)]).await;
    assert_eq!(res.status().as_u16(), status);
    let err: Value = res.json().await.unwrap();
    assert_eq!(err["kind"], kind);
    assert_eq!(err["field"], "name");
    let ru = err["ru"].as_str().unwrap();
    assert!(ru.contains(ru_fragment), "unexpected message {ru:?}");
    assert!(!err["en"].as_str().unwrap().is_empty());
    assert_eq!(
        app.count("SELECT COUNT(*) FROM groups").await,
        before,
        "nothing written"
    );
}

async fn blank_name_is_rejected_and_nothing_written(app: TestApp) {
    assert_rejected(&app, "", 400, "invalid", "Введите название группы").await;
    assert_rejected(&app, "   \t ", 400, "invalid", "Введите название группы").await;
}

async fn too_long_name_is_rejected_and_nothing_written(app: TestApp) {
    assert_rejected(&app, &"Я".repeat(61), 400, "invalid", "слишком длинное").await;
}

async fn duplicate_name_is_rejected_case_insensitively(app: TestApp) {
    assert_rejected(&app, "СОЛНЫШКО", 409, "conflict", "уже есть").await;
    assert_rejected(&app, "звездочка", 409, "conflict", "уже есть").await;
}

async fn demo_load_is_idempotent(app: TestApp) {
    let db = app::db::Db::connect(&app.database_url, 1).await.unwrap();
    server::demo::load(&db).await.unwrap();
    assert_eq!(app.count("SELECT COUNT(*) FROM organisations").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM children").await, 8);
}

async fn adding_without_organisation_is_a_clear_error(app: TestApp) {
    let res = app.call("add_group", &[("name", "Солнышко")]).await;
    assert_eq!(res.status().as_u16(), 404);
    let err: Value = res.json().await.unwrap();
    assert_eq!(err["kind"], "not_found");
    assert!(err["ru"].as_str().unwrap().contains("--demo"));
    assert_eq!(app.count("SELECT COUNT(*) FROM groups").await, 0);
    assert_eq!(list(&app).await, Value::Null);
}
