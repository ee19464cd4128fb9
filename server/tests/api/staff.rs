//! The staff reference book («Кадры»): search and paging, editing a card, archiving
//! and restoring, resetting a password, and who may do it.

use serde_json::Value;
use server::demo::{ADMIN, ADMIN2, MULTI, TEACHER};
use sqlx::Connection;

use crate::helpers::{new_client, TestApp, User};

crate::on_both_backends!(
    true,
    staff_are_found_by_search_and_listed_in_pages,
    invalid_edits_are_refused_field_by_field_and_change_nothing,
    an_edit_saves_the_card_and_removing_the_teacher_role_unbinds_the_groups,
    an_archived_teacher_cannot_sign_in_and_loses_its_groups,
    an_archived_teacher_who_is_also_a_parent_keeps_only_the_parent_role,
    a_reset_password_must_be_changed_at_the_next_sign_in,
    a_foreign_admin_and_other_roles_are_refused,
    the_account_of_someone_with_roles_elsewhere_is_not_the_admins,
);

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

/// Runs statements directly, past the code under test (for bulk test data).
async fn execute(app: &TestApp, statements: &[String]) {
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&app.database_url)
        .await
        .unwrap();
    for sql in statements {
        sqlx::query(sql).execute(&mut conn).await.unwrap();
    }
}

/// Adds a staff member of the demo's first kindergarten straight into the database
/// (no password hashing: these accounts never sign in).
fn staff_rows(surname: &str, given_name: &str, position: &str, login: &str) -> Vec<String> {
    let person = format!(
        "(SELECT id FROM people WHERE surname = '{surname}' AND given_name = '{given_name}')"
    );
    vec![
        format!(
            "INSERT INTO people (surname, given_name, patronymic, created_at) \
             VALUES ('{surname}', '{given_name}', '', 0)"
        ),
        format!(
            "INSERT INTO accounts (person_id, login, password_hash, must_change_password, created_at) \
             VALUES ({person}, '{login}', 'x', 0, 0)"
        ),
        format!(
            "INSERT INTO staff (person_id, organisation_id, position, created_at) \
             SELECT {person}, organisation_id, '{position}', 0 FROM staff \
             WHERE person_id = (SELECT person_id FROM accounts WHERE login = 'admin')"
        ),
    ]
}

async fn staff_id(app: &TestApp, login: &str) -> String {
    app.scalar(&format!(
        "SELECT s.id FROM staff s JOIN accounts a ON a.person_id = s.person_id WHERE a.login = '{login}'"
    ))
    .await
    .to_string()
}

fn names(page: &Value) -> Vec<String> {
    page["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["full_name"].as_str().unwrap().to_owned())
        .collect()
}

async fn list(admin: &User, query: &str, page: &str, archived: bool) -> Value {
    admin
        .json(
            "list_staff",
            &[
                ("query", query),
                ("page", page),
                ("archived", if archived { "true" } else { "false" }),
            ],
        )
        .await
}

/// The card form of the demo teacher, with `changes` applied.
fn teacher_form<'a>(staff: &'a str, changes: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut form = vec![
        ("staff_id", staff),
        ("surname", "Васильева"),
        ("given_name", "Ольга"),
        ("patronymic", "Николаевна"),
        ("email", "teacher@sad1.example.ru"),
        ("phone", ""),
        ("position", "Воспитатель"),
        ("teacher", "on"),
    ];
    for (key, value) in changes {
        form.retain(|(k, _)| k != key);
        if !value.is_empty() || !matches!(*key, "teacher" | "admin") {
            form.push((key, value));
        }
    }
    form
}

async fn staff_are_found_by_search_and_listed_in_pages(app: TestApp) {
    let mut statements = Vec::new();
    for i in 0..30 {
        let position = if i % 3 == 0 {
            "Младший воспитатель"
        } else {
            "Воспитатель"
        };
        statements.extend(staff_rows(
            &format!("Поисков{}", letters(i)),
            "Анна",
            position,
            &format!("poiskov{i}"),
        ));
    }
    statements.extend(staff_rows(
        "Ёжикова",
        "Алёна",
        "Музыкальный руководитель",
        "ezhikova.a",
    ));
    execute(&app, &statements).await;
    let admin = app.signed_in(ADMIN.login, ADMIN.password).await;

    // The demo's three staff of this kindergarten and the 31 added.
    let everyone = list(&admin, "", "1", false).await;
    assert_eq!(everyone["total"], 34);
    assert_eq!(everyone["per_page"], 25);
    assert_eq!(everyone["rows"].as_array().unwrap().len(), 25);

    // Case-insensitive on Cyrillic, pages of 25 that neither overlap nor skip.
    let first = list(&admin, "ПОИСКОВ", "1", false).await;
    assert_eq!(first["total"], 30);
    assert_eq!(first["page"], 1);
    let second = list(&admin, "поисков", "2", false).await;
    assert_eq!(second["page"], 2);
    let (first, second) = (names(&first), names(&second));
    assert_eq!((first.len(), second.len()), (25, 5));
    let mut all: Vec<String> = first.iter().chain(&second).cloned().collect();
    let listed = all.clone();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 30, "no one twice");
    assert_eq!(listed, all, "sorted by name across pages");
    assert_eq!(first[0], "Поискова Анна");

    // A page past the end shows the last one.
    let past = list(&admin, "поисков", "99", false).await;
    assert_eq!(past["page"], 2);
    assert_eq!(names(&past), second);

    // Position, login, name parts, several words, ё as е.
    assert_eq!(list(&admin, "младший", "1", false).await["total"], 10);
    let by_login = list(&admin, "TEACH", "1", false).await;
    assert_eq!(names(&by_login), ["Васильева Ольга Николаевна"]);
    assert_eq!(
        names(&list(&admin, "николаевна", "1", false).await),
        ["Васильева Ольга Николаевна"]
    );
    assert_eq!(
        names(&list(&admin, "петрова анна", "1", false).await),
        ["Петрова Анна Игоревна"]
    );
    assert_eq!(
        names(&list(&admin, "ежикова алена", "1", false).await),
        ["Ёжикова Алёна"]
    );
    assert_eq!(list(&admin, "нет-такого", "1", false).await["total"], 0);

    // Arguments left out: the first page of everyone active.
    assert_eq!(admin.json("list_staff", &[]).await["total"], 34);

    // Archived cards leave the default list and appear under the toggle.
    let archived = admin
        .call(
            "archive_staff",
            &[("staff_id", &staff_id(&app, "poiskov0").await)],
        )
        .await;
    assert_eq!(archived.status().as_u16(), 200);
    assert_eq!(list(&admin, "поисков", "1", false).await["total"], 29);
    let shelf = list(&admin, "", "1", true).await;
    assert_eq!(names(&shelf), ["Поискова Анна"]);
    assert_eq!(shelf["rows"][0]["archived"], true);
    assert_eq!(list(&admin, "васильева", "1", true).await["total"], 0);

    // Another organisation's staff are not found.
    assert_eq!(list(&admin, "громова", "1", false).await["total"], 0);
}

async fn invalid_edits_are_refused_field_by_field_and_change_nothing(app: TestApp) {
    let admin = app.signed_in(ADMIN.login, ADMIN.password).await;
    let teacher = staff_id(&app, "teacher").await;
    let own = staff_id(&app, "admin").await;
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (teacher_form(&teacher, &[("surname", "")]), "surname"),
        (
            teacher_form(&teacher, &[("given_name", "Ольга1")]),
            "given_name",
        ),
        (teacher_form(&teacher, &[("email", "не-email")]), "email"),
        (
            teacher_form(&teacher, &[("phone", "звонить вечером")]),
            "phone",
        ),
        (teacher_form(&teacher, &[("position", "   ")]), "position"),
        (teacher_form(&teacher, &[("teacher", "")]), "roles"),
        // An admin keeps its own admin role.
        (
            vec![
                ("staff_id", own.as_str()),
                ("surname", "Орлова"),
                ("given_name", "Наталья"),
                ("patronymic", "Викторовна"),
                ("email", ""),
                ("phone", ""),
                ("position", "Заведующий"),
                ("teacher", "on"),
            ],
            "roles",
        ),
    ];
    for (form, field) in cases {
        let res = admin.call("update_staff", &form).await;
        assert_eq!(res.status().as_u16(), 400, "{field}");
        let err: Value = res.json().await.unwrap();
        assert_eq!(err["field"], field);
        assert!(!err["ru"].as_str().unwrap().is_empty());
        assert!(!err["en"].as_str().unwrap().is_empty());
    }
    let res = admin
        .call(
            "update_staff",
            &teacher_form(&teacher, &[("teacher", ""), ("position", "")]),
        )
        .await;
    assert_eq!(res.status().as_u16(), 400);

    // Nothing changed: the card, the roles, the groups, the admin's own grant.
    let card = admin.json("staff_card", &[("staff_id", &teacher)]).await;
    assert_eq!(card["full_name"], "Васильева Ольга Николаевна");
    assert_eq!(card["position"], "Воспитатель");
    assert_eq!(card["email"], "teacher@sad1.example.ru");
    assert_eq!(card["is_teacher"], true);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM teacher_groups WHERE staff_id = {teacher}"
        ))
        .await,
        1
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM role_grants g JOIN accounts a ON a.person_id = g.person_id WHERE a.login = 'admin' AND g.role = 'org_admin'")
            .await,
        1
    );
    let own_card = admin.json("staff_card", &[("staff_id", &own)]).await;
    assert_eq!(own_card["is_self"], true);
    assert_eq!(own_card["is_admin"], true);
    assert_eq!(own_card["is_teacher"], false);
    app.signed_in(TEACHER.login, TEACHER.password).await;
}

async fn an_edit_saves_the_card_and_removing_the_teacher_role_unbinds_the_groups(app: TestApp) {
    let admin = app.signed_in(ADMIN.login, ADMIN.password).await;
    let teacher_user = app.signed_in(TEACHER.login, TEACHER.password).await;
    let teacher = staff_id(&app, "teacher").await;

    let res = admin
        .call(
            "update_staff",
            &teacher_form(
                &teacher,
                &[
                    ("surname", "  Соколова "),
                    ("position", "Старший   воспитатель"),
                    ("phone", "+7 (342) 200-00-01"),
                    ("email", ""),
                    ("admin", "on"),
                ],
            ),
        )
        .await;
    assert_eq!(res.status().as_u16(), 200);
    let card = admin.json("staff_card", &[("staff_id", &teacher)]).await;
    assert_eq!(card["full_name"], "Соколова Ольга Николаевна");
    assert_eq!(card["position"], "Старший воспитатель");
    assert_eq!(card["phone"], "+7 (342) 200-00-01");
    assert_eq!(card["email"], "");
    assert_eq!(
        (&card["is_teacher"], &card["is_admin"]),
        (&Value::Bool(true), &Value::Bool(true))
    );
    assert_eq!(card["login"], "teacher", "the login stays");
    // The teacher still works: its role and groups are untouched.
    assert_eq!(
        teacher_user.json("my_groups", &[]).await[0]["name"],
        "Солнышко"
    );

    // Taking the teacher role away unbinds the groups and ends that role's sessions.
    let res = admin
        .call(
            "update_staff",
            &teacher_form(&teacher, &[("teacher", ""), ("admin", "on")]),
        )
        .await;
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM teacher_groups WHERE staff_id = {teacher}"
        ))
        .await,
        0
    );
    assert_eq!(
        teacher_user.call("my_groups", &[]).await.status().as_u16(),
        401
    );
    let card = admin.json("staff_card", &[("staff_id", &teacher)]).await;
    assert_eq!(
        (&card["is_teacher"], &card["is_admin"]),
        (&Value::Bool(false), &Value::Bool(true))
    );
    let bind = admin
        .call(
            "set_group_binding",
            &[
                ("staff_id", teacher.as_str()),
                (
                    "group_id",
                    &app.scalar("SELECT id FROM groups WHERE name = 'Солнышко'")
                        .await
                        .to_string(),
                ),
                ("bind", "true"),
            ],
        )
        .await;
    assert_eq!(
        bind.status().as_u16(),
        409,
        "no groups without the teacher role"
    );
    // Now an admin of the kindergarten, in one role: signed in straight into it.
    let as_admin = app.signed_in(TEACHER.login, TEACHER.password).await;
    assert_eq!(
        as_admin.call("list_staff", &[]).await.status().as_u16(),
        200
    );
}

async fn an_archived_teacher_cannot_sign_in_and_loses_its_groups(app: TestApp) {
    let admin = app.signed_in(ADMIN.login, ADMIN.password).await;
    let teacher_user = app.signed_in(TEACHER.login, TEACHER.password).await;
    let teacher = staff_id(&app, "teacher").await;
    let sun = app
        .scalar("SELECT id FROM groups WHERE name = 'Солнышко'")
        .await
        .to_string();
    assert_eq!(
        teacher_user
            .call("group_roster", &[("group_id", &sun)])
            .await
            .status()
            .as_u16(),
        200
    );

    // An admin cannot archive itself.
    let own = staff_id(&app, "admin").await;
    let res = admin.call("archive_staff", &[("staff_id", &own)]).await;
    assert_eq!(res.status().as_u16(), 409);
    let err: Value = res.json().await.unwrap();
    assert!(err["ru"].as_str().unwrap().contains("самого себя"));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM staff WHERE archived = 1")
            .await,
        0
    );

    let res = admin.call("archive_staff", &[("staff_id", &teacher)]).await;
    assert_eq!(res.status().as_u16(), 200);
    // Access ends at once: the open session, the groups, the login.
    assert_eq!(
        teacher_user
            .call("group_roster", &[("group_id", &sun)])
            .await
            .status()
            .as_u16(),
        401
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM teacher_groups WHERE staff_id = {teacher}"
        ))
        .await,
        0
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM accounts WHERE login = 'teacher' AND archived = 1")
            .await,
        1
    );
    let refused = app
        .login_with(&new_client(), TEACHER.login, TEACHER.password)
        .await;
    assert_eq!(refused.status().as_u16(), 401);
    let err: Value = refused.json().await.unwrap();
    assert!(
        err["ru"].as_str().unwrap().contains("в архиве"),
        "a clear message: {err}"
    );
    assert!(err["en"].as_str().unwrap().contains("archived"));
    // A wrong password learns nothing about the archive.
    let wrong = app
        .login_with(&new_client(), TEACHER.login, "not-the-password")
        .await;
    let err: Value = wrong.json().await.unwrap();
    assert_eq!(err["ru"], "Неверный логин или пароль.");

    let card = admin.json("staff_card", &[("staff_id", &teacher)]).await;
    assert_eq!(card["archived"], true);
    // An archived card is only restored, not edited, bound or reset.
    let edit = admin
        .call("update_staff", &teacher_form(&teacher, &[]))
        .await;
    assert_eq!(edit.status().as_u16(), 409);
    let reset = admin
        .call("reset_staff_password", &[("staff_id", &teacher)])
        .await;
    assert_eq!(reset.status().as_u16(), 409);
    let bind = admin
        .call(
            "set_group_binding",
            &[
                ("staff_id", teacher.as_str()),
                ("group_id", &sun),
                ("bind", "true"),
            ],
        )
        .await;
    assert_eq!(bind.status().as_u16(), 409);
    // Archiving twice changes nothing.
    assert_eq!(
        admin
            .call("archive_staff", &[("staff_id", &teacher)])
            .await
            .status()
            .as_u16(),
        200
    );

    // Restore: the card and the login come back, the groups do not.
    let res = admin.call("restore_staff", &[("staff_id", &teacher)]).await;
    assert_eq!(res.status().as_u16(), 200);
    let card = admin.json("staff_card", &[("staff_id", &teacher)]).await;
    assert_eq!(card["archived"], false);
    assert_eq!(card["is_teacher"], true);
    assert!(card["groups"]
        .as_array()
        .unwrap()
        .iter()
        .all(|g| g["bound"] == false));
    assert_eq!(
        list(&admin, "васильева", "1", false).await["total"],
        1,
        "back in the default list"
    );
    let back = app.signed_in(TEACHER.login, TEACHER.password).await;
    assert_eq!(back.json("my_groups", &[]).await, Value::Array(vec![]));
    assert_eq!(
        back.call("group_roster", &[("group_id", &sun)])
            .await
            .status()
            .as_u16(),
        403
    );
}

async fn an_archived_teacher_who_is_also_a_parent_keeps_only_the_parent_role(app: TestApp) {
    let admin = app.signed_in(ADMIN.login, ADMIN.password).await;
    let multi = staff_id(&app, "multi").await;
    let res = admin.call("archive_staff", &[("staff_id", &multi)]).await;
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM accounts WHERE login = 'multi' AND archived = 0")
            .await,
        1,
        "the login stays open for the parent role"
    );

    // One role is left, so the session starts in it at once.
    let client = new_client();
    let res = app.login_with(&client, MULTI.login, MULTI.password).await;
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(res.headers()["location"], "/");
    let parent = User {
        client,
        address: app.address.clone(),
    };
    let me = parent.json("whoami", &[]).await;
    assert_eq!(me["role"], "parent");
    assert_eq!(me["grants"].as_array().unwrap().len(), 1);
    assert_eq!(
        parent
            .json("my_children", &[])
            .await
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(parent.call("my_groups", &[]).await.status().as_u16(), 403);
    // The teacher grant cannot be chosen by its id either.
    let grant = app
        .scalar("SELECT g.id FROM role_grants g JOIN accounts a ON a.person_id = g.person_id WHERE a.login = 'multi' AND g.role = 'teacher'")
        .await
        .to_string();
    let res = parent.call("choose_role", &[("grant_id", &grant)]).await;
    assert_eq!(res.status().as_u16(), 403);

    // Restored: both roles again.
    admin.call("restore_staff", &[("staff_id", &multi)]).await;
    let res = app
        .login_with(&new_client(), MULTI.login, MULTI.password)
        .await;
    assert_eq!(res.headers()["location"], "/role");
}

async fn a_reset_password_must_be_changed_at_the_next_sign_in(app: TestApp) {
    let admin = app.signed_in(ADMIN.login, ADMIN.password).await;
    let teacher_user = app.signed_in(TEACHER.login, TEACHER.password).await;
    let teacher = staff_id(&app, "teacher").await;

    let own = staff_id(&app, "admin").await;
    let res = admin
        .call("reset_staff_password", &[("staff_id", &own)])
        .await;
    assert_eq!(res.status().as_u16(), 409, "not one's own password");

    let slip = admin
        .json("reset_staff_password", &[("staff_id", &teacher)])
        .await;
    assert_eq!(slip["login"], "teacher");
    assert_eq!(slip["full_name"], "Васильева Ольга Николаевна");
    let otp = slip["one_time_password"].as_str().unwrap().to_owned();
    assert_eq!(otp.len(), 12);
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM accounts WHERE login = 'teacher' AND must_change_password = 1"
        )
        .await,
        1
    );
    // The open session ends, the old password stops working.
    assert_eq!(
        teacher_user.call("my_groups", &[]).await.status().as_u16(),
        401
    );
    assert_eq!(
        app.login_with(&new_client(), TEACHER.login, TEACHER.password)
            .await
            .status()
            .as_u16(),
        401
    );

    let client = new_client();
    let res = app.login_with(&client, TEACHER.login, &otp).await;
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(res.headers()["location"], "/password");
    let teacher_user = User {
        client,
        address: app.address.clone(),
    };
    assert_eq!(
        teacher_user.call("my_groups", &[]).await.status().as_u16(),
        401,
        "nothing opens before the change"
    );
    let changed = teacher_user
        .call(
            "change_password",
            &[
                ("current_password", &otp),
                ("new_password", "Солнышко-и-тучка-8"),
                ("new_password_confirm", "Солнышко-и-тучка-8"),
            ],
        )
        .await;
    assert_eq!(changed.status().as_u16(), 200);
    assert_eq!(
        teacher_user.json("my_groups", &[]).await[0]["name"],
        "Солнышко"
    );
}

async fn a_foreign_admin_and_other_roles_are_refused(app: TestApp) {
    let teacher = staff_id(&app, "teacher").await;
    let foreign = app.signed_in(ADMIN2.login, ADMIN2.password).await;
    let own_teacher = app.signed_in(TEACHER.login, TEACHER.password).await;
    let anonymous = User {
        client: new_client(),
        address: app.address.clone(),
    };
    let form = teacher_form(&teacher, &[("position", "Чужая должность")]);
    let id = [("staff_id", teacher.as_str())];
    for (user, status) in [(&foreign, 403), (&own_teacher, 403), (&anonymous, 401)] {
        for (endpoint, args) in [
            ("update_staff", form.as_slice()),
            ("archive_staff", &id[..]),
            ("restore_staff", &id[..]),
            ("reset_staff_password", &id[..]),
            ("staff_card", &id[..]),
        ] {
            let got = user.call(endpoint, args).await.status().as_u16();
            assert_eq!(got, status, "{endpoint}");
        }
    }
    // The foreign admin's own list does not reach this kindergarten.
    let theirs = foreign
        .json("list_staff", &[("query", "васильева"), ("page", "1")])
        .await;
    assert_eq!(theirs["total"], 0);
    // Nothing changed.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM staff WHERE position = 'Чужая должность' OR archived = 1")
            .await,
        0
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM accounts WHERE must_change_password = 1")
            .await,
        0
    );
    assert_eq!(
        own_teacher.json("my_groups", &[]).await[0]["name"],
        "Солнышко"
    );
}

/// Петрова is a teacher here and a mother: resetting her password would hand the admin
/// her parent role (her son's attendance and notices), and changing her e-mail would
/// hand over her single sign-on.
async fn the_account_of_someone_with_roles_elsewhere_is_not_the_admins(app: TestApp) {
    let admin = app.signed_in(ADMIN.login, ADMIN.password).await;
    let multi = staff_id(&app, "multi").await;
    let hash_before = app
        .scalar("SELECT LENGTH(password_hash) + 1000 * must_change_password FROM accounts WHERE login = 'multi'")
        .await;

    let res = admin
        .call("reset_staff_password", &[("staff_id", &multi)])
        .await;
    assert_eq!(res.status().as_u16(), 403);
    let err: Value = res.json().await.unwrap();
    assert!(
        err["ru"]
            .as_str()
            .unwrap()
            .contains("роли вне вашей организации (Родитель (законный представитель))"),
        "{err}"
    );
    assert!(
        err["en"].as_str().unwrap().contains("only they can change"),
        "{err}"
    );
    // Her password still works, unchanged.
    let res = app
        .login_with(&new_client(), MULTI.login, MULTI.password)
        .await;
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(
        app.scalar("SELECT LENGTH(password_hash) + 1000 * must_change_password FROM accounts WHERE login = 'multi'")
            .await,
        hash_before
    );

    let card = admin.json("staff_card", &[("staff_id", &multi)]).await;
    assert_eq!(card["outside_roles"][0]["role"], "parent");
    let form = |changes: &[(&'static str, &'static str)]| {
        let mut form = vec![
            ("staff_id", multi.clone()),
            ("surname", "Петрова".into()),
            ("given_name", "Анна".into()),
            ("patronymic", "Игоревна".into()),
            ("email", "petrova@example.ru".into()),
            ("phone", String::new()),
            ("position", "Воспитатель".into()),
            ("teacher", "on".into()),
        ];
        for (key, value) in changes {
            form.retain(|(k, _)| k != key);
            form.push((key, (*value).to_owned()));
        }
        form
    };
    let call = |form: Vec<(&'static str, String)>| {
        let admin = admin.clone();
        async move {
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            admin.call("update_staff", &form).await
        }
    };
    for change in [
        ("email", "admin-owned@example.ru"),
        ("surname", "Сидорова"),
        ("phone", "+7 900 000-00-00"),
    ] {
        let res = call(form(&[change])).await;
        assert_eq!(res.status().as_u16(), 403, "{change:?}");
    }
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM people WHERE email = '{}' AND surname = 'Петрова' AND phone IS NULL",
            "petrova@example.ru"
        ))
        .await,
        1,
        "nothing of hers changed"
    );
    // The card's own fields are the admin's: the position and the roles here.
    let res = call(form(&[
        ("position", "Старший воспитатель"),
        ("admin", "on"),
    ]))
    .await;
    assert_eq!(res.status().as_u16(), 200);
    let card = admin.json("staff_card", &[("staff_id", &multi)]).await;
    assert_eq!(card["position"], "Старший воспитатель");
    assert_eq!(card["is_admin"], true);

    // Someone whose every role is here stays fully the admin's.
    let teacher = staff_id(&app, "teacher").await;
    let card = admin.json("staff_card", &[("staff_id", &teacher)]).await;
    assert_eq!(card["outside_roles"], serde_json::json!([]));
    let res = admin
        .call("reset_staff_password", &[("staff_id", &teacher)])
        .await;
    assert_eq!(res.status().as_u16(), 200);
}
