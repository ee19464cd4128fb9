use serde_json::Value;
use server::demo::{ADMIN, ADMIN2};

use crate::helpers::{TestApp, User};

crate::on_both_backends!(
    true,
    demo_groups_are_listed_with_child_counts,
    adding_a_group_persists_it,
    blank_name_is_rejected_and_nothing_written,
    too_long_name_is_rejected_and_nothing_written,
    duplicate_name_is_rejected_case_insensitively,
    the_same_name_is_fine_in_another_organisation,
    demo_load_is_idempotent,
);

async fn admin(app: &TestApp) -> User {
    app.signed_in(ADMIN.login, ADMIN.password).await
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
    let listing = admin(&app).await.json("list_groups", &[]).await;
    assert_eq!(
        listing["organisation_name"].as_str().unwrap(),
        "Муниципальное автономное дошкольное образовательное учреждение «Детский сад № 1»"
    );
    // Sorted by name; counts are the demo children per group; the other
    // organisation's «Радуга» is not there.
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
    let admin = admin(&app).await;
    let added = admin
        .json("add_group", &[("name", "  Младшая   группа №2 ")])
        .await;
    assert_eq!(added["name"], "Младшая группа №2");
    assert_eq!(added["child_count"], 0);

    let listing = admin.json("list_groups", &[]).await;
    assert!(names_and_counts(&listing).contains(&("Младшая группа №2".to_owned(), 0)));
    assert_eq!(app.count("SELECT COUNT(*) FROM groups").await, 5);
}

async fn assert_rejected(app: &TestApp, name: &str, status: u16, kind: &str, ru_fragment: &str) {
    let before = app.count("SELECT COUNT(*) FROM groups").await;
    let res = admin(app).await.call("add_group", &[("name", name)]).await;
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

async fn the_same_name_is_fine_in_another_organisation(app: TestApp) {
    let admin2 = app.signed_in(ADMIN2.login, ADMIN2.password).await;
    let added = admin2.json("add_group", &[("name", "Солнышко")]).await;
    assert_eq!(added["name"], "Солнышко");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM groups WHERE name = 'Солнышко'")
            .await,
        2
    );
}

async fn demo_load_is_idempotent(app: TestApp) {
    let db = app::db::Db::connect(&app.database_url, 1).await.unwrap();
    server::demo::load(&db).await.unwrap();
    assert_eq!(app.count("SELECT COUNT(*) FROM organisations").await, 2);
    assert_eq!(app.count("SELECT COUNT(*) FROM children").await, 10);
    assert_eq!(app.count("SELECT COUNT(*) FROM accounts").await, 7);
}
