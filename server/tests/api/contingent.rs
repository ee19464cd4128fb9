use serde_json::{json, Value};
use server::demo::{ADMIN, ADMIN2, PARENT, TEACHER};

use crate::helpers::{new_client, TestApp, User};

crate::on_both_backends!(
    true,
    a_thousand_rows_with_ten_bad_ones_import_990,
    a_file_without_required_columns_imports_nothing,
    only_the_org_admin_may_import,
    children_are_listed_with_search_and_paging,
    a_child_is_added_from_the_form_with_every_field_checked,
    a_childs_names_and_birth_date_are_edited_on_its_card,
    a_child_who_left_is_not_marked_after_the_day_but_stays_in_the_months_timesheet,
    a_child_who_left_returns_to_the_group_unless_a_closed_month_would_change,
    a_parent_added_on_the_card_gets_an_account_and_sees_the_child,
    a_siblings_parent_is_linked_not_created_again,
    an_import_links_a_siblings_parent_and_one_parent_on_several_rows,
    another_organisation_and_other_roles_cannot_touch_the_card,
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

async fn sun(app: &TestApp) -> String {
    app.scalar("SELECT id FROM groups WHERE name = 'Солнышко'")
        .await
        .to_string()
}

/// Adds a child to «Солнышко» through the form and returns its id.
async fn add(admin: &User, app: &TestApp, surname: &str) -> String {
    let group = sun(app).await;
    let added = admin
        .json(
            "add_child",
            &[
                ("surname", surname),
                ("given_name", "Вера"),
                ("patronymic", "Игоревна"),
                ("birth_date", "2021-05-05"),
                ("group_id", &group),
                ("enrolled_on", "2026-09-01"),
            ],
        )
        .await;
    added["id"].as_i64().unwrap().to_string()
}

/// The fields named in a refused form's details.
fn fields(err: &Value) -> Vec<&str> {
    err["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect()
}

async fn a_child_is_added_from_the_form_with_every_field_checked(app: TestApp) {
    let admin = app.signed_in(ADMIN.login, ADMIN.password).await;
    let before = app.count("SELECT COUNT(*) FROM children").await;
    let group = sun(&app).await;

    // Every field wrong at once: each gets its message, nothing is saved.
    let res = admin
        .call(
            "add_child",
            &[
                ("surname", ""),
                ("given_name", "Вера7"),
                ("patronymic", ""),
                ("birth_date", "2021-02-30"),
                ("group_id", ""),
                ("enrolled_on", "вчера"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 400);
    let err: Value = res.json().await.unwrap();
    assert_eq!(
        fields(&err),
        [
            "surname",
            "given_name",
            "birth_date",
            "enrolled_on",
            "group_id"
        ]
    );
    for d in err["details"].as_array().unwrap() {
        assert!(!d["ru"].as_str().unwrap().is_empty() && !d["en"].as_str().unwrap().is_empty());
    }
    assert!(err["details"][2]["ru"]
        .as_str()
        .unwrap()
        .contains("не существует"));

    // A birth date in the future, and an enrolment before the birth.
    let form = |birth: &'static str, enrolled: &'static str| {
        vec![
            ("surname", "Новикова"),
            ("given_name", "Вера"),
            ("patronymic", ""),
            ("birth_date", birth),
            ("group_id", group.as_str()),
            ("enrolled_on", enrolled),
        ]
    };
    let res = admin
        .call("add_child", &form("2099-01-01", "2099-09-01"))
        .await;
    assert_eq!(res.status().as_u16(), 400);
    let err: Value = res.json().await.unwrap();
    assert_eq!(fields(&err), ["birth_date"]);
    assert!(
        err["details"][0]["ru"]
            .as_str()
            .unwrap()
            .contains("ещё не наступила"),
        "{err}"
    );
    assert!(
        err["details"][0]["en"]
            .as_str()
            .unwrap()
            .contains("in the future"),
        "{err}"
    );
    let res = admin
        .call("add_child", &form("2022-03-04", "2022-03-01"))
        .await;
    assert_eq!(res.status().as_u16(), 400);
    let err: Value = res.json().await.unwrap();
    assert_eq!(fields(&err), ["enrolled_on"]);
    assert!(err["details"][0]["ru"]
        .as_str()
        .unwrap()
        .contains("раньше даты рождения"));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM children").await,
        before,
        "nothing saved"
    );

    // A valid child, then the same child again.
    let added = admin
        .json("add_child", &form("2022-03-04", "2026-09-01"))
        .await;
    assert_eq!(added["full_name"], "Новикова Вера");
    let id = added["id"].as_i64().unwrap();
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM children WHERE id = {id} AND group_id = {group} \
             AND birth_date = '2022-03-04' AND enrolled_on = '2026-09-01' AND left_on IS NULL"
        ))
        .await,
        1
    );
    let res = admin
        .call("add_child", &form("2022-03-04", "2026-10-01"))
        .await;
    assert_eq!(res.status().as_u16(), 409);
    let err: Value = res.json().await.unwrap();
    assert!(err["ru"].as_str().unwrap().contains("уже есть"), "{err}");
    assert_eq!(app.count("SELECT COUNT(*) FROM children").await, before + 1);

    let found = admin
        .json("list_children", &[("query", "Новикова"), ("page", "1")])
        .await;
    assert_eq!(found["total"], 1);
    let card = admin
        .json("child_card", &[("child_id", &id.to_string())])
        .await;
    assert_eq!(card["full_name"], "Новикова Вера");
    assert_eq!(card["group_name"], "Солнышко");
    assert_eq!(card["enrolled_on"], "2026-09-01");
    assert_eq!(card["left_on"], Value::Null);
    assert_eq!(card["guardians"], json!([]));
}

async fn a_childs_names_and_birth_date_are_edited_on_its_card(app: TestApp) {
    let admin = app.signed_in(ADMIN.login, ADMIN.password).await;
    let id = add(&admin, &app, "Правкина").await;
    let edit = |surname: &'static str, birth: &'static str| {
        vec![
            ("child_id", id.clone()),
            ("surname", surname.to_owned()),
            ("given_name", "Вероника".to_owned()),
            ("patronymic", "".to_owned()),
            ("birth_date", birth.to_owned()),
        ]
    };
    let call = |form: Vec<(&'static str, String)>| {
        let admin = &admin;
        async move {
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            admin.call("edit_child", &form).await
        }
    };
    // Born after the enrolment (1 Sep 2026): the birth date is at fault.
    let res = call(edit("Правкина", "2026-09-02")).await;
    assert_eq!(res.status().as_u16(), 400);
    let err: Value = res.json().await.unwrap();
    assert_eq!(fields(&err), ["birth_date"]);
    let res = call(edit("Правкина!", "2021-05-05")).await;
    assert_eq!(res.status().as_u16(), 400);
    let err: Value = res.json().await.unwrap();
    assert_eq!(fields(&err), ["surname"]);
    assert!(
        err["details"][0]["ru"].as_str().unwrap().contains("«!»"),
        "{err}"
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM children WHERE id = {id} AND given_name = 'Вера'"
        ))
        .await,
        1,
        "nothing changed"
    );
    // Becoming another child of the organisation is refused.
    let ivanova = app
        .scalar("SELECT id FROM children WHERE surname = 'Иванова'")
        .await
        .to_string();
    let other = admin.json("child_card", &[("child_id", &ivanova)]).await;
    let res = call(vec![
        ("child_id", id.clone()),
        ("surname", "иванова".into()),
        ("given_name", "Мария".into()),
        ("patronymic", "Сергеевна".into()),
        (
            "birth_date",
            other["birth_date"].as_str().unwrap().to_owned(),
        ),
    ])
    .await;
    assert_eq!(res.status().as_u16(), 409);

    let res = call(edit("Правкина-Седова", "2021-06-06")).await;
    assert_eq!(res.status().as_u16(), 200, "{}", res.text().await.unwrap());
    let card = admin.json("child_card", &[("child_id", &id)]).await;
    assert_eq!(card["full_name"], "Правкина-Седова Вероника");
    assert_eq!(card["birth_date"], "2021-06-06");
    assert_eq!(card["patronymic"], "");
    assert_eq!(card["enrolled_on"], "2026-09-01", "the enrolment stays");
}

async fn save_mark(user: &User, group: &str, date: &str, child: &str) -> u16 {
    user.client
        .post(format!("{}/api/save_marks", user.address))
        .json(&json!({
            "group_id": group.parse::<i64>().unwrap(),
            "date": date,
            "marks": [{ "child_id": child.parse::<i64>().unwrap(), "mark": "Present" }],
        }))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

fn listed_by_id(children: &Value, child: &str) -> bool {
    children
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["id"].as_i64().unwrap().to_string() == child)
}

fn listed(sheet: &Value, key: &str, child: &str) -> bool {
    sheet[key]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["child_id"].as_i64().unwrap().to_string() == child)
}

async fn a_child_who_left_is_not_marked_after_the_day_but_stays_in_the_months_timesheet(
    app: TestApp,
) {
    let admin = app.signed_in(ADMIN.login, ADMIN.password).await;
    let teacher = app.signed_in(TEACHER.login, TEACHER.password).await;
    let group = sun(&app).await;
    let id = add(&admin, &app, "Уходящая").await;
    let leave = |date: &'static str| {
        let (admin, id) = (&admin, id.clone());
        async move {
            admin
                .call("leave_child", &[("child_id", &id), ("left_on", date)])
                .await
        }
    };

    // Not before the enrolment, and a real date.
    let res = leave("2026-08-31").await;
    assert_eq!(res.status().as_u16(), 400);
    let err: Value = res.json().await.unwrap();
    assert_eq!(err["field"], "left_on");
    assert!(
        err["ru"]
            .as_str()
            .unwrap()
            .contains("раньше даты зачисления"),
        "{err}"
    );
    let res = leave("").await;
    assert_eq!(res.status().as_u16(), 400);

    // A closed табель is not changed by a leaving date inside it.
    let closed = [
        ("group_id", group.as_str()),
        ("month", "2026-10"),
        ("closed", "true"),
    ];
    assert_eq!(
        admin
            .call("set_month_closed", &closed)
            .await
            .status()
            .as_u16(),
        200
    );
    let res = leave("2026-10-15").await;
    assert_eq!(res.status().as_u16(), 409);
    let err: Value = res.json().await.unwrap();
    assert!(err["ru"].as_str().unwrap().contains("закрыт"), "{err}");

    // A mark after the leaving date is kept: the date cannot be before it.
    assert_eq!(save_mark(&teacher, &group, "2026-11-10", &id).await, 200);
    let res = leave("2026-11-09").await;
    assert_eq!(res.status().as_u16(), 409);
    let err: Value = res.json().await.unwrap();
    assert!(err["ru"].as_str().unwrap().contains("10.11.2026"), "{err}");
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM children WHERE id = {id} AND left_on IS NULL"
        ))
        .await,
        1
    );

    let res = leave("2026-11-12").await;
    assert_eq!(res.status().as_u16(), 200, "{}", res.text().await.unwrap());
    let card = admin.json("child_card", &[("child_id", &id)]).await;
    assert_eq!(card["left_on"], "2026-11-12");

    let sheet = |date: &'static str| {
        let (teacher, group) = (&teacher, group.clone());
        async move {
            teacher
                .json("marking_sheet", &[("group_id", &group), ("date", date)])
                .await
        }
    };
    assert!(
        listed(&sheet("2026-11-12").await, "children", &id),
        "marked up to the last day"
    );
    assert!(
        !listed(&sheet("2026-11-13").await, "children", &id),
        "not after it"
    );
    assert!(!listed(&sheet("2026-11-16").await, "children", &id));
    assert_eq!(save_mark(&teacher, &group, "2026-11-13", &id).await, 409);
    // The left day is past: the group's list of children and parents has let it go.
    let roster = teacher.json("group_roster", &[("group_id", &group)]).await;
    assert!(!listed_by_id(&roster["children"], &id), "{roster}");
    assert!(listed_by_id(
        &teacher.json("group_roster", &[("group_id", &group)]).await["children"],
        &app.scalar("SELECT id FROM children WHERE surname = 'Иванова'")
            .await
            .to_string()
    ));

    let november = teacher
        .json("timesheet", &[("group_id", &group), ("month", "2026-11")])
        .await;
    assert!(
        listed(&november["sheet"], "rows", &id),
        "still in November's табель"
    );
    let row = november["sheet"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["child_id"].as_i64().unwrap().to_string() == id)
        .unwrap()
        .clone();
    assert_eq!(row["totals"]["attended"], 1);
    let december = teacher
        .json("timesheet", &[("group_id", &group), ("month", "2026-12")])
        .await;
    assert!(
        !listed(&december["sheet"], "rows", &id),
        "gone from December's"
    );
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM marks WHERE child_id = {id}"))
            .await,
        1,
        "the history stays"
    );
    let list = admin
        .json("list_children", &[("query", "Уходящая"), ("page", "1")])
        .await;
    assert_eq!(
        list["rows"][0]["left_on"], "2026-11-12",
        "and the child stays listed"
    );
}

async fn a_parent_added_on_the_card_gets_an_account_and_sees_the_child(app: TestApp) {
    let admin = app.signed_in(ADMIN.login, ADMIN.password).await;
    let id = add(&admin, &app, "Дочкина").await;
    let people = app.count("SELECT COUNT(*) FROM people").await;

    // Required fields and the import's checks of phone and e-mail.
    let res = admin
        .call(
            "add_guardian",
            &[
                ("child_id", &id),
                ("guardian_surname", ""),
                ("guardian_given_name", ""),
                ("guardian_patronymic", ""),
                ("relation", ""),
                ("phone", "звонить"),
                ("email", "mama@"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 400);
    let err: Value = res.json().await.unwrap();
    assert_eq!(
        fields(&err),
        [
            "guardian_surname",
            "guardian_given_name",
            "relation",
            "phone",
            "email"
        ]
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM people").await,
        people,
        "nothing saved"
    );

    let mother = admin
        .json(
            "add_guardian",
            &[
                ("child_id", &id),
                ("guardian_surname", "Дочкина"),
                ("guardian_given_name", "Анна"),
                ("guardian_patronymic", "Петровна"),
                ("relation", "мать"),
                ("phone", "+7 900 111-22-33"),
                ("email", "mama@example.ru"),
            ],
        )
        .await
        .as_i64()
        .unwrap()
        .to_string();
    let card = admin.json("child_card", &[("child_id", &id)]).await;
    assert_eq!(card["guardians"][0]["full_name"], "Дочкина Анна Петровна");
    assert_eq!(card["guardians"][0]["relation"], "мать");
    assert_eq!(card["guardians"][0]["login"], Value::Null);

    // Contacts: the same checks; a valid change is saved.
    let contacts = |phone: &'static str, email: &'static str| {
        vec![
            ("child_id", id.clone()),
            ("person_id", mother.clone()),
            ("relation", "мама".to_owned()),
            ("phone", phone.to_owned()),
            ("email", email.to_owned()),
        ]
    };
    let form = contacts("+7 900 111-22-33", "не-почта");
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = admin.call("edit_guardian", &form).await;
    assert_eq!(res.status().as_u16(), 400);
    assert_eq!(fields(&res.json().await.unwrap()), ["email"]);
    let form = contacts("8 (342) 200-00-00", "Anna.Dochkina@example.ru");
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(
        admin.call("edit_guardian", &form).await.status().as_u16(),
        200
    );
    let card = admin.json("child_card", &[("child_id", &id)]).await;
    assert_eq!(card["guardians"][0]["relation"], "мама");
    assert_eq!(card["guardians"][0]["phone"], "8 (342) 200-00-00");

    // The account: a login and a one-time password, shown once; the parent role.
    let account = [("child_id", id.as_str()), ("person_id", mother.as_str())];
    let created = admin.json("create_guardian_account", &account).await;
    let login = created["login"].as_str().unwrap().to_owned();
    let otp = created["one_time_password"].as_str().unwrap().to_owned();
    assert_eq!(login, "dochkina.ap");
    assert_eq!(otp.len(), 12);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM role_grants WHERE person_id = {mother} AND role = 'parent' \
             AND organisation_id IS NULL AND municipality_id IS NULL"
        ))
        .await,
        1
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM accounts WHERE person_id = {mother} AND must_change_password = 1 \
             AND password_hash LIKE '$argon2id$%'"
        ))
        .await,
        1,
        "only the hash is stored"
    );
    let again = admin.call("create_guardian_account", &account).await;
    assert_eq!(again.status().as_u16(), 409, "one account per person");
    let card = admin.json("child_card", &[("child_id", &id)]).await;
    assert_eq!(card["guardians"][0]["login"], login.as_str());

    // The mother signs in, must change the password, then sees her child.
    let client = new_client();
    let res = app.login_with(&client, &login, &otp).await;
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(res.headers()["location"], "/password");
    let parent = User {
        client,
        address: app.address.clone(),
    };
    assert_eq!(parent.call("my_children", &[]).await.status().as_u16(), 401);
    let res = parent
        .call(
            "change_password",
            &[
                ("current_password", &otp),
                ("new_password", "Дочка-и-мама-2026"),
                ("new_password_confirm", "Дочка-и-мама-2026"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 200);
    let children = parent.json("my_children", &[]).await;
    assert_eq!(children.as_array().unwrap().len(), 1);
    assert_eq!(children[0]["full_name"], "Дочкина Вера Игоревна");
    assert_eq!(children[0]["group_name"], "Солнышко");

    // Removing the link keeps the person and the account; the child is no longer hers.
    let res = admin.call("remove_guardian", &account).await;
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(
        admin
            .call("remove_guardian", &account)
            .await
            .status()
            .as_u16(),
        404
    );
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM people WHERE id = {mother}"))
            .await,
        1
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM accounts WHERE person_id = {mother}"
        ))
        .await,
        1
    );
    assert_eq!(parent.json("my_children", &[]).await, json!([]));
    let card = admin.json("child_card", &[("child_id", &id)]).await;
    assert_eq!(card["guardians"], json!([]));
}

async fn another_organisation_and_other_roles_cannot_touch_the_card(app: TestApp) {
    let admin = app.signed_in(ADMIN.login, ADMIN.password).await;
    let id = add(&admin, &app, "Чужая").await;
    // A child who left, for the others to try to bring back.
    let gone = add(&admin, &app, "Ушедшая").await;
    let res = admin
        .call(
            "leave_child",
            &[("child_id", &gone), ("left_on", "2026-11-20")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 200);
    let ivanova = app
        .scalar("SELECT id FROM children WHERE surname = 'Иванова'")
        .await
        .to_string();
    let father = app
        .scalar("SELECT p.id FROM people p JOIN accounts a ON a.person_id = p.id WHERE a.login = 'parent'")
        .await
        .to_string();
    let group = sun(&app).await;
    let foreign = app.signed_in(ADMIN2.login, ADMIN2.password).await;
    let teacher = app.signed_in(TEACHER.login, TEACHER.password).await;
    let parent = app.signed_in(PARENT.login, PARENT.password).await;
    let anonymous = User {
        client: new_client(),
        address: app.address.clone(),
    };
    let calls: Vec<(&str, Vec<(&str, &str)>)> = vec![
        ("child_card", vec![("child_id", &id)]),
        (
            "add_child",
            vec![
                ("surname", "Захватова"),
                ("given_name", "Ольга"),
                ("patronymic", ""),
                ("birth_date", "2021-01-01"),
                ("group_id", &group),
                ("enrolled_on", "2026-09-01"),
            ],
        ),
        (
            "edit_child",
            vec![
                ("child_id", &id),
                ("surname", "Захватова"),
                ("given_name", "Ольга"),
                ("patronymic", ""),
                ("birth_date", "2021-01-01"),
            ],
        ),
        (
            "leave_child",
            vec![("child_id", &id), ("left_on", "2026-11-20")],
        ),
        ("return_child", vec![("child_id", &gone)]),
        (
            "add_guardian",
            vec![
                ("child_id", &ivanova),
                ("guardian_surname", "Захватов"),
                ("guardian_given_name", "Олег"),
                ("guardian_patronymic", ""),
                ("relation", "отец"),
                ("phone", ""),
                ("email", ""),
            ],
        ),
        (
            "edit_guardian",
            vec![
                ("child_id", &ivanova),
                ("person_id", &father),
                ("relation", "отчим"),
                ("phone", ""),
                ("email", "x@example.ru"),
            ],
        ),
        (
            "remove_guardian",
            vec![("child_id", &ivanova), ("person_id", &father)],
        ),
        (
            "create_guardian_account",
            vec![("child_id", &ivanova), ("person_id", &father)],
        ),
    ];
    for (function, form) in &calls {
        for (who, user, want) in [
            ("foreign admin", &foreign, 403),
            ("teacher", &teacher, 403),
            ("parent", &parent, 403),
            ("anonymous", &anonymous, 401),
        ] {
            let got = user.call(function, form).await.status().as_u16();
            assert_eq!(got, want, "{function} as {who}");
        }
    }
    // Nothing was written by any of them.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM children WHERE surname = 'Захватова'")
            .await,
        0
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM children WHERE id = {id} AND left_on IS NULL"
        ))
        .await,
        1
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM children WHERE id = {gone} AND left_on = '2026-11-20'"
        ))
        .await,
        1,
        "still left"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM people WHERE surname = 'Захватов'")
            .await,
        0
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM child_guardians WHERE child_id = {ivanova} AND person_id = {father} AND relation = 'отец'"
        ))
        .await,
        1
    );
    // A child that does not exist is 404 for the admin.
    assert_eq!(
        admin
            .call("child_card", &[("child_id", "999999")])
            .await
            .status()
            .as_u16(),
        404
    );
}

async fn a_siblings_parent_is_linked_not_created_again(app: TestApp) {
    let admin = app.signed_in(ADMIN.login, ADMIN.password).await;
    let elder = add(&admin, &app, "Старшая").await;
    let younger = add(&admin, &app, "Младшая").await;
    let third = add(&admin, &app, "Третья").await;
    let mother = |child: &str, given: &'static str, email: &'static str| {
        let (admin, child) = (&admin, child.to_owned());
        async move {
            admin
                .call(
                    "add_guardian",
                    &[
                        ("child_id", child.as_str()),
                        ("guardian_surname", "Общая"),
                        ("guardian_given_name", given),
                        ("guardian_patronymic", "Ивановна"),
                        ("relation", "мать"),
                        ("phone", ""),
                        ("email", email),
                    ],
                )
                .await
        }
    };
    let first: Value = mother(&elder, "Ольга", "Olga@Example.ru")
        .await
        .json()
        .await
        .unwrap();
    let second: Value = mother(&younger, "Ольга", "olga@example.ru")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(first, second, "the same person for both children");
    let again = mother(&younger, "Ольга", "olga@example.ru").await;
    assert_eq!(again.status().as_u16(), 409);
    // Another given name, or no e-mail: not enough to be the same person.
    let other: Value = mother(&third, "Ирина", "olga@example.ru")
        .await
        .json()
        .await
        .unwrap();
    assert_ne!(other, first);
    let unknown: Value = mother(&third, "Ольга", "").await.json().await.unwrap();
    assert_ne!(unknown, first);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM people WHERE surname = 'Общая'")
            .await,
        3
    );

    // One account sees both children.
    let person = first.as_i64().unwrap().to_string();
    let created = admin
        .json(
            "create_guardian_account",
            &[("child_id", elder.as_str()), ("person_id", person.as_str())],
        )
        .await;
    let (login, otp) = (
        created["login"].as_str().unwrap().to_owned(),
        created["one_time_password"].as_str().unwrap().to_owned(),
    );
    let client = new_client();
    app.login_with(&client, &login, &otp).await;
    let parent = User {
        client,
        address: app.address.clone(),
    };
    parent
        .json(
            "change_password",
            &[
                ("current_password", otp.as_str()),
                ("new_password", "Двое-детей-2026"),
                ("new_password_confirm", "Двое-детей-2026"),
            ],
        )
        .await;
    let children = parent.json("my_children", &[]).await;
    let mut names: Vec<&str> = children
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["full_name"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["Младшая Вера Игоревна", "Старшая Вера Игоревна"]);
}

async fn a_child_who_left_returns_to_the_group_unless_a_closed_month_would_change(app: TestApp) {
    let admin = app.signed_in(ADMIN.login, ADMIN.password).await;
    let teacher = app.signed_in(TEACHER.login, TEACHER.password).await;
    let group = sun(&app).await;
    let id = add(&admin, &app, "Вернувшаяся").await;
    let back = || {
        let (admin, id) = (&admin, id.clone());
        async move { admin.call("return_child", &[("child_id", &id)]).await }
    };
    let month = |month: &'static str, closed: bool| {
        let (admin, group) = (&admin, group.clone());
        async move {
            let closed = if closed { "true" } else { "false" };
            let res = admin
                .call(
                    "set_month_closed",
                    &[
                        ("group_id", group.as_str()),
                        ("month", month),
                        ("closed", closed),
                        ("reason", "проверка"),
                    ],
                )
                .await;
            assert_eq!(res.status().as_u16(), 200, "{month} closed={closed}");
        }
    };
    let left_on = || {
        let id = id.clone();
        let app = &app;
        async move {
            app.count(&format!(
                "SELECT COUNT(*) FROM children WHERE id = {id} AND left_on IS NOT NULL"
            ))
            .await
        }
    };

    // A child who has not left cannot return.
    let res = back().await;
    assert_eq!(res.status().as_u16(), 409);
    let err: Value = res.json().await.unwrap();
    assert!(
        err["ru"].as_str().unwrap().contains("нет даты выбытия"),
        "{err}"
    );
    assert!(!err["en"].as_str().unwrap().is_empty());

    let res = admin
        .call(
            "leave_child",
            &[("child_id", &id), ("left_on", "2026-11-12")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(save_mark(&teacher, &group, "2026-11-13", &id).await, 409);

    // A closed November holds days after the leaving date: returning would add them.
    month("2026-11", true).await;
    let res = back().await;
    assert_eq!(res.status().as_u16(), 409);
    let err: Value = res.json().await.unwrap();
    let ru = err["ru"].as_str().unwrap();
    assert!(ru.contains("закрыт") && ru.contains("11.2026"), "{err}");
    assert!(ru.contains("12.11.2026"), "names the leaving date: {err}");
    let en = err["en"].as_str().unwrap();
    assert!(en.contains("closed") && en.contains("2026-11"), "{err}");
    assert_eq!(left_on().await, 1, "the leaving date stays");
    let card = admin.json("child_card", &[("child_id", &id)]).await;
    assert_eq!(card["left_on"], "2026-11-12");
    // So does a closed month later on, even with November open again.
    month("2026-11", false).await;
    month("2026-12", true).await;
    let res = back().await;
    assert_eq!(res.status().as_u16(), 409);
    let err: Value = res.json().await.unwrap();
    assert!(err["ru"].as_str().unwrap().contains("12.2026"), "{err}");
    assert_eq!(left_on().await, 1);
    month("2026-12", false).await;

    // A closed month that ends before the leaving date does not change: allowed.
    month("2026-10", true).await;
    let res = back().await;
    assert_eq!(res.status().as_u16(), 200, "{}", res.text().await.unwrap());
    assert_eq!(left_on().await, 0);
    let card = admin.json("child_card", &[("child_id", &id)]).await;
    assert_eq!(card["left_on"], Value::Null);
    let list = admin
        .json("list_children", &[("query", "Вернувшаяся"), ("page", "1")])
        .await;
    assert_eq!(list["rows"][0]["left_on"], Value::Null);

    // Back in the group: marked after the old leaving date, and in the roster.
    let sheet = teacher
        .json(
            "marking_sheet",
            &[("group_id", &group), ("date", "2026-11-13")],
        )
        .await;
    assert!(listed(&sheet, "children", &id), "{sheet}");
    assert_eq!(save_mark(&teacher, &group, "2026-11-13", &id).await, 200);
    let roster = teacher.json("group_roster", &[("group_id", &group)]).await;
    assert!(listed_by_id(&roster["children"], &id), "{roster}");
    let november = teacher
        .json("timesheet", &[("group_id", &group), ("month", "2026-11")])
        .await;
    assert!(listed(&november["sheet"], "rows", &id));

    // Returned once; a second time there is nothing to clear.
    assert_eq!(back().await.status().as_u16(), 409);
    // A child that does not exist is 404.
    assert_eq!(
        admin
            .call("return_child", &[("child_id", "999999")])
            .await
            .status()
            .as_u16(),
        404
    );
}

/// One import line: a child of «Солнышко» and its mother.
fn import_line(child: &str, birth: &str, mother: &str, email: &str) -> String {
    let (surname, given) = mother.split_once(' ').unwrap();
    format!("{child};Игоревна;{birth};Солнышко;01.09.2026;{surname};{given};Ивановна;мать;;{email}")
}

async fn an_import_links_a_siblings_parent_and_one_parent_on_several_rows(app: TestApp) {
    let admin = app.signed_in(ADMIN.login, ADMIN.password).await;
    // The elder sister, with her mother entered on the card.
    let elder = add(&admin, &app, "Общая").await;
    let mother = admin
        .json(
            "add_guardian",
            &[
                ("child_id", elder.as_str()),
                ("guardian_surname", "Общая"),
                ("guardian_given_name", "Ольга"),
                ("guardian_patronymic", "Ивановна"),
                ("relation", "мать"),
                ("phone", ""),
                ("email", "olga@example.ru"),
            ],
        )
        .await
        .as_i64()
        .unwrap();
    let people = app.count("SELECT COUNT(*) FROM people").await;
    let children_of = |person: i64| {
        let app = &app;
        async move {
            app.count(&format!(
                "SELECT COUNT(*) FROM child_guardians WHERE person_id = {person}"
            ))
            .await
        }
    };

    let csv = [
        HEADER.to_owned(),
        // 2: the younger sister: her mother is the elder's (e-mail in other case).
        import_line("Общая;Анна", "02.02.2023", "Общая Ольга", "OLGA@example.ru"),
        // 3, 4: two brothers with one mother, new to the books.
        import_line(
            "Новиков;Пётр",
            "03.03.2021",
            "Новикова Анна",
            "anna@example.ru",
        ),
        import_line(
            "Новиков;Павел",
            "04.04.2023",
            "Новикова Анна",
            "anna@example.ru",
        ),
        // 5: a bad birth date: neither the child nor its mother is written.
        import_line(
            "Новиков;Плохой",
            "31.02.2022",
            "Новикова Светлана",
            "sveta@example.ru",
        ),
        // 6: the elder sister again: refused as enrolled, and her «new» mother with it.
        import_line(
            "Общая;Вера",
            "05.05.2021",
            "Двойникова Мария",
            "dvoinik@example.ru",
        ),
        // 7: the same name without an e-mail is not enough to be the same person.
        import_line("Новиков;Семён", "06.06.2022", "Новикова Анна", ""),
        // 8: nor the same e-mail with another given name.
        import_line(
            "Новикова;Дарья",
            "07.07.2022",
            "Новикова Ирина",
            "anna@example.ru",
        ),
    ]
    .join("\r\n");
    let res = upload(&admin, &csv).await;
    assert_eq!(res.status().as_u16(), 200);
    let summary: Value = res.json().await.unwrap();
    assert_eq!(summary["total_rows"], 7);
    assert_eq!(summary["imported"], 5, "{summary}");
    let refused: Vec<u64> = summary["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["line"].as_u64().unwrap())
        .collect();
    assert_eq!(refused, [5, 6], "{summary}");

    // The sisters share the one mother, linked with the row's relation.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM people WHERE surname = 'Общая'")
            .await,
        1
    );
    assert_eq!(children_of(mother).await, 2);
    let younger = app
        .scalar("SELECT id FROM children WHERE surname = 'Общая' AND given_name = 'Анна'")
        .await;
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM child_guardians WHERE child_id = {younger} \
             AND person_id = {mother} AND relation = 'мать'"
        ))
        .await,
        1
    );
    // The brothers' mother is one new person, for both rows of the file.
    let anna = app
        .scalar(
            "SELECT id FROM people WHERE surname = 'Новикова' AND given_name = 'Анна' \
             AND email = 'anna@example.ru'",
        )
        .await;
    assert_eq!(children_of(anna).await, 2);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM people WHERE surname = 'Новикова' AND given_name = 'Анна'")
            .await,
        2,
        "and one more «Новикова Анна» without an e-mail"
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM people WHERE surname = 'Новикова' AND given_name = 'Ирина'"
        )
        .await,
        1
    );
    // Refused rows wrote nothing of themselves.
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM people WHERE surname = 'Двойникова' \
             OR (surname = 'Новикова' AND given_name = 'Светлана')"
        )
        .await,
        0
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM children WHERE given_name = 'Плохой'")
            .await,
        0
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM people").await,
        people + 3,
        "Анна with and without e-mail, Ирина"
    );
    // The card lists the linked mother.
    let card = admin
        .json("child_card", &[("child_id", &younger.to_string())])
        .await;
    assert_eq!(card["guardians"][0]["person_id"], mother);
    assert_eq!(card["guardians"][0]["full_name"], "Общая Ольга Ивановна");

    // A later file finds her again: a third brother.
    let later = [
        HEADER.to_owned(),
        import_line(
            "Новиков;Илья",
            "08.08.2024",
            "Новикова Анна",
            "anna@example.ru",
        ),
    ]
    .join("\r\n");
    let summary: Value = upload(&admin, &later).await.json().await.unwrap();
    assert_eq!(summary["imported"], 1, "{summary}");
    assert_eq!(children_of(anna).await, 3);

    // Another organisation's import does not reach this one's parents.
    let foreign = app.signed_in(ADMIN2.login, ADMIN2.password).await;
    let other = [
        HEADER.to_owned(),
        import_line(
            "Чужой;Артём",
            "09.09.2022",
            "Новикова Анна",
            "anna@example.ru",
        )
        .replace("Солнышко", "Радуга"),
    ]
    .join("\r\n");
    let summary: Value = upload(&foreign, &other).await.json().await.unwrap();
    assert_eq!(summary["imported"], 1, "{summary}");
    assert_eq!(children_of(anna).await, 3);
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM people WHERE surname = 'Новикова' AND given_name = 'Анна' \
             AND email = 'anna@example.ru'"
        )
        .await,
        2,
        "a person of its own"
    );
}
