use serde_json::Value;
use server::demo::{ADMIN, TEACHER};

use crate::helpers::{TestApp, User};

crate::on_both_backends!(
    true,
    a_thousand_rows_with_ten_bad_ones_import_990,
    a_file_without_required_columns_imports_nothing,
    only_the_org_admin_may_import,
    children_are_listed_with_search_and_paging,
);

const HEADER: &str =
    "Фамилия ребёнка;Имя ребёнка;Отчество ребёнка;Дата рождения;Группа;Дата зачисления;\
Фамилия родителя;Имя родителя;Отчество родителя;Кем приходится;Телефон;Email";

/// Letters only, so generated names are valid: 0 → «а», 1 → «б», …
fn letters(mut n: usize) -> String {
    const ABC: [char; 10] = ['а', 'б', 'в', 'г', 'д', 'е', 'ж', 'з', 'и', 'к'];
    let mut s = String::new();
    loop {
        s.insert(0, ABC[n % 10]);
        n /= 10;
        if n == 0 {
            break s;
        }
    }
}

/// 1,000 data rows (file lines 2..=1001); the rows at `bad` lines are broken.
fn thousand_rows() -> (String, Vec<usize>) {
    let mut lines = vec![HEADER.to_owned()];
    let groups = ["Солнышко", "Ромашка", "Звёздочка"];
    for i in 0..1000 {
        lines.push(format!(
            "Тестов{};Иван;Петрович;{:02}.0{}.2021;{};01.09.2025;Тестова;Мария;;мать;+7 900 000-00-00;parent{i}@example.ru",
            letters(i),
            1 + i % 28,
            1 + i % 9,
            groups[i % 3]
        ));
    }
    let bad: Vec<(usize, String)> = vec![
        (
            10,
            "Плоховад;Иван;;31.02.2021;Солнышко;01.09.2025;;;;;;".into(),
        ),
        (
            50,
            "Плоховаг;Иван;;01.01.2021;Несуществующая;01.09.2025;;;;;;".into(),
        ),
        (120, ";Иван;;01.01.2021;Солнышко;01.09.2025;;;;;;".into()),
        (
            200,
            "Плоховаж;Иван;;01.01.2021;Солнышко;01.09.2025;Тестова;Мария;;мать;;не-email".into(),
        ),
        (
            333,
            "Плоховаз;Иван;;01.01.2099;Солнышко;01.09.2025;;;;;;".into(),
        ),
        (400, lines[3].clone()), // the same child as line 3
        (
            512,
            "Плохован;Иван;;01.01.2021;Солнышко;01.09.2025;Тестова;Мария;;;;".into(),
        ),
        (
            640,
            "Плоховак;Иван;;01.01.2021;Солнышко;01.09.2025;Тестова;Мария;;мать;телефон;".into(),
        ),
        (
            777,
            "Плоховва;Иван;;01.01.2010;Солнышко;01.09.2025;;;;;;".into(),
        ),
        (
            901,
            "Плоховвб;Иван;;01.01.2021;Солнышко;01.09.2020;;;;;;".into(),
        ),
    ];
    let mut bad_lines = Vec::new();
    for (line, text) in bad {
        lines[line - 1] = text;
        bad_lines.push(line);
    }
    (lines.join("\r\n"), bad_lines)
}

async fn upload(user: &User, csv: &str) -> reqwest::Response {
    let part = reqwest::multipart::Part::bytes(csv.as_bytes().to_vec())
        .file_name("children.csv")
        .mime_str("text/csv")
        .unwrap();
    user.client
        .post(format!("{}/api/import_children", user.address))
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .unwrap()
}

async fn a_thousand_rows_with_ten_bad_ones_import_990(app: TestApp) {
    let admin = app.signed_in(ADMIN.login, ADMIN.password).await;
    let before = app.count("SELECT COUNT(*) FROM children").await;
    let (csv, bad_lines) = thousand_rows();
    let res = upload(&admin, &csv).await;
    assert_eq!(res.status().as_u16(), 200);
    let summary: Value = res.json().await.unwrap();
    assert_eq!(summary["total_rows"], 1000);
    assert_eq!(summary["imported"], 990);
    let mut reported: Vec<usize> = summary["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["line"].as_u64().unwrap() as usize)
        .collect();
    reported.dedup();
    assert_eq!(
        reported, bad_lines,
        "exactly the ten bad lines are reported"
    );
    for p in summary["problems"].as_array().unwrap() {
        assert!(!p["ru"].as_str().unwrap().is_empty() && !p["en"].as_str().unwrap().is_empty());
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM children").await,
        before + 990
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM child_guardians cg JOIN people p ON p.id = cg.person_id WHERE p.surname = 'Тестова'").await,
        990,
        "every good generated row has a parent «Тестова», and only good rows are imported"
    );
    // Nothing of a bad row was written.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM children WHERE surname LIKE 'Плохов%'")
            .await,
        0
    );

    // Importing the same file again adds nobody: every good row is already enrolled.
    let again: Value = upload(&admin, &csv).await.json().await.unwrap();
    assert_eq!(again["imported"], 0);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM children").await,
        before + 990
    );
}

async fn a_file_without_required_columns_imports_nothing(app: TestApp) {
    let admin = app.signed_in(ADMIN.login, ADMIN.password).await;
    let before = app.count("SELECT COUNT(*) FROM children").await;
    let res = upload(&admin, "Фамилия ребёнка;Имя ребёнка\nИванов;Иван\n").await;
    assert_eq!(res.status().as_u16(), 400);
    let err: Value = res.json().await.unwrap();
    assert_eq!(err["field"], "file");
    assert!(
        err["ru"].as_str().unwrap().contains("Дата рождения"),
        "{err}"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM children").await, before);
}

async fn only_the_org_admin_may_import(app: TestApp) {
    let teacher = app.signed_in(TEACHER.login, TEACHER.password).await;
    let before = app.count("SELECT COUNT(*) FROM children").await;
    let (csv, _) = thousand_rows();
    assert_eq!(upload(&teacher, &csv).await.status().as_u16(), 403);
    assert_eq!(app.count("SELECT COUNT(*) FROM children").await, before);
}

async fn children_are_listed_with_search_and_paging(app: TestApp) {
    let admin = app.signed_in(ADMIN.login, ADMIN.password).await;
    let (csv, _) = thousand_rows();
    upload(&admin, &csv).await;
    let first = admin
        .json("list_children", &[("query", ""), ("page", "1")])
        .await;
    assert_eq!(
        first["total"], 998,
        "8 demo children of this organisation + 990 imported"
    );
    assert_eq!(first["rows"].as_array().unwrap().len(), 25);
    let last = admin
        .json("list_children", &[("query", ""), ("page", "40")])
        .await;
    assert_eq!(last["rows"].as_array().unwrap().len(), 998 - 39 * 25);
    let found = admin
        .json("list_children", &[("query", "иванова"), ("page", "1")])
        .await;
    assert_eq!(found["total"], 1);
    assert_eq!(found["rows"][0]["full_name"], "Иванова Мария Сергеевна");
    assert_eq!(
        found["rows"][0]["guardians"][0],
        "Иванов Сергей Петрович (отец)"
    );
    let by_group = admin
        .json("list_children", &[("query", "Ромашка"), ("page", "1")])
        .await;
    assert_eq!(
        by_group["total"],
        3 + 330,
        "3 demo + every third imported row minus bad ones"
    );
}
