//! The permission matrix: every server function called as every role, against its own
//! and a foreign organisation, a bound and an unbound group. Each cell is asserted.

use server::demo::{DemoAccount, ADMIN, ADMIN2, MUNICIPAL, PARENT, TEACHER, TEACHER2};

use crate::helpers::{new_client, TestApp, User};

crate::on_both_backends!(true, permission_matrix);

const ALLOW: u16 = 200;
const DENY: u16 = 403;
const ANON: u16 = 401;

/// A server function, its arguments, and the status expected for each actor.
type Cell = (&'static str, Vec<(&'static str, String)>, [u16; 7]);

struct Ids {
    sun: String,     // Солнышко, sad 1, bound to `teacher`
    daisy: String,   // Ромашка, sad 1, not bound to `teacher`
    rainbow: String, // Радуга, sad 2
    teacher_staff: String,
    teacher2_staff: String,
    /// `multi`: a teacher of sad 1 and a parent, signed in as no one in the matrix, so
    /// the staff card's writes (archive, password reset) can target it.
    multi_staff: String,
    /// Иванова Мария: Солнышко, child of `parent`
    ivanova: String,
    /// The building and the free hall of sad 1.
    building: String,
    hall: String,
    /// A stay mode of sad 1's own.
    own_mode: String,
}

async fn ids(app: &TestApp) -> Ids {
    let group = |name: &str| format!("SELECT id FROM groups WHERE name = '{name}'");
    let staff = |login: &str| {
        format!("SELECT s.id FROM staff s JOIN accounts a ON a.person_id = s.person_id WHERE a.login = '{login}'")
    };
    Ids {
        sun: app.scalar(&group("Солнышко")).await.to_string(),
        daisy: app.scalar(&group("Ромашка")).await.to_string(),
        rainbow: app.scalar(&group("Радуга")).await.to_string(),
        teacher_staff: app.scalar(&staff("teacher")).await.to_string(),
        teacher2_staff: app.scalar(&staff("teacher2")).await.to_string(),
        multi_staff: app.scalar(&staff("multi")).await.to_string(),
        ivanova: app
            .scalar("SELECT id FROM children WHERE surname = 'Иванова'")
            .await
            .to_string(),
        building: app
            .scalar(&format!(
                "SELECT b.id FROM buildings b JOIN organisations o ON o.id = b.organisation_id \
                 WHERE o.inn = '{}'",
                server::demo::DEMO_INN
            ))
            .await
            .to_string(),
        hall: app
            .scalar(&format!(
                "SELECT r.id FROM rooms r JOIN buildings b ON b.id = r.building_id \
                 JOIN organisations o ON o.id = b.organisation_id \
                 WHERE r.name = 'Музыкальный зал' AND o.inn = '{}'",
                server::demo::DEMO_INN
            ))
            .await
            .to_string(),
        own_mode: app
            .scalar(&format!(
                "INSERT INTO stay_modes (organisation_id, name_ru, name_en, minutes, created_at) \
                 SELECT id, 'Свой режим', 'Own mode', 600, 0 FROM organisations WHERE inn = '{}' \
                 RETURNING id",
                server::demo::DEMO_INN
            ))
            .await
            .to_string(),
    }
}

async fn permission_matrix(app: TestApp) {
    let ids = ids(&app).await;
    let actors: Vec<(&str, Option<&DemoAccount>)> = vec![
        ("anonymous", None),
        ("admin", Some(&ADMIN)),
        ("teacher", Some(&TEACHER)),
        ("parent", Some(&PARENT)),
        ("municipal", Some(&MUNICIPAL)),
        ("foreign admin", Some(&ADMIN2)),
        ("foreign teacher", Some(&TEACHER2)),
    ];
    let staff_form = [
        ("surname", "Тестова"),
        ("given_name", "Анна"),
        ("patronymic", ""),
        ("email", ""),
        ("phone", ""),
        ("position", "Воспитатель"),
        ("teacher", "on"),
    ];
    let bind = |staff: &str, group: &str| {
        vec![
            ("staff_id", staff.to_owned()),
            ("group_id", group.to_owned()),
            ("bind", "true".to_owned()),
        ]
    };

    let args = |pairs: &[(&'static str, &str)]| -> Vec<(&'static str, String)> {
        pairs.iter().map(|(k, v)| (*k, (*v).to_owned())).collect()
    };
    // Restoring (archived = false) is allowed whenever archiving would be, and leaves
    // the demo as it was for the cells after it.
    let restore = |key: &'static str, id: &str| args(&[(key, id), ("archived", "false")]);

    // (function, arguments, expected for: anon, admin, teacher, parent, municipal, foreign admin, foreign teacher)
    let cells: Vec<Cell> = vec![
        (
            "list_premises",
            vec![],
            [ANON, ALLOW, DENY, DENY, DENY, ALLOW, DENY],
        ),
        (
            "save_building",
            args(&[
                ("building_id", &ids.building),
                ("name", "Основной корпус"),
                ("address", ""),
            ]),
            [ANON, ALLOW, DENY, DENY, DENY, DENY, DENY],
        ),
        (
            "archive_building",
            restore("building_id", &ids.building),
            [ANON, ALLOW, DENY, DENY, DENY, DENY, DENY],
        ),
        (
            "save_room",
            args(&[
                ("room_id", &ids.hall),
                ("building_id", &ids.building),
                ("name", "Музыкальный зал"),
                ("places", "30"),
            ]),
            [ANON, ALLOW, DENY, DENY, DENY, DENY, DENY],
        ),
        (
            "archive_room",
            restore("room_id", &ids.hall),
            [ANON, ALLOW, DENY, DENY, DENY, DENY, DENY],
        ),
        (
            "list_stay_modes",
            vec![],
            [ANON, ALLOW, DENY, DENY, DENY, ALLOW, DENY],
        ),
        (
            "archive_stay_mode",
            restore("stay_mode_id", &ids.own_mode),
            [ANON, ALLOW, DENY, DENY, DENY, DENY, DENY],
        ),
        (
            "group_settings",
            args(&[("group_id", &ids.sun)]),
            [ANON, ALLOW, DENY, DENY, DENY, DENY, DENY],
        ),
        (
            "group_settings",
            args(&[("group_id", &ids.rainbow)]),
            [ANON, DENY, DENY, DENY, DENY, ALLOW, DENY],
        ),
        (
            "save_group",
            args(&[
                ("group_id", &ids.daisy),
                ("name", "Ромашка"),
                ("age_from", ""),
                ("age_to", ""),
                ("stay_mode_id", ""),
                ("room_id", ""),
            ]),
            [ANON, ALLOW, DENY, DENY, DENY, DENY, DENY],
        ),
        (
            "archive_group",
            restore("group_id", &ids.rainbow),
            [ANON, DENY, DENY, DENY, DENY, ALLOW, DENY],
        ),
        (
            "list_groups",
            vec![],
            [ANON, ALLOW, DENY, DENY, DENY, ALLOW, DENY],
        ),
        (
            "my_groups",
            vec![],
            [ANON, DENY, ALLOW, DENY, DENY, DENY, ALLOW],
        ),
        (
            "group_roster",
            vec![("group_id", ids.sun.clone())],
            [ANON, ALLOW, ALLOW, DENY, DENY, DENY, DENY],
        ),
        (
            "group_roster",
            vec![("group_id", ids.daisy.clone())],
            [ANON, ALLOW, DENY, DENY, DENY, DENY, DENY],
        ),
        (
            "group_roster",
            vec![("group_id", ids.rainbow.clone())],
            [ANON, DENY, DENY, DENY, DENY, ALLOW, ALLOW],
        ),
        (
            "list_staff",
            vec![],
            [ANON, ALLOW, DENY, DENY, DENY, ALLOW, DENY],
        ),
        (
            "staff_card",
            vec![("staff_id", ids.teacher_staff.clone())],
            [ANON, ALLOW, DENY, DENY, DENY, DENY, DENY],
        ),
        (
            "staff_card",
            vec![("staff_id", ids.teacher2_staff.clone())],
            [ANON, DENY, DENY, DENY, DENY, ALLOW, DENY],
        ),
        (
            "set_group_binding",
            bind(&ids.teacher_staff, &ids.daisy),
            [ANON, ALLOW, DENY, DENY, DENY, DENY, DENY],
        ),
        (
            "set_group_binding",
            bind(&ids.teacher2_staff, &ids.sun),
            [ANON, DENY, DENY, DENY, DENY, DENY, DENY],
        ),
        (
            "set_group_binding",
            bind(&ids.teacher_staff, &ids.rainbow),
            [ANON, DENY, DENY, DENY, DENY, DENY, DENY],
        ),
        (
            "my_children",
            vec![],
            [ANON, DENY, DENY, ALLOW, DENY, DENY, DENY],
        ),
        (
            "municipal_organisations",
            vec![],
            [ANON, DENY, DENY, DENY, ALLOW, DENY, DENY],
        ),
        ("inbox", vec![], [ANON, DENY, DENY, ALLOW, DENY, DENY, DENY]),
        (
            "daily_summary",
            vec![],
            [ANON, ALLOW, DENY, DENY, DENY, ALLOW, DENY],
        ),
        (
            "group_notices",
            vec![("group_id", ids.sun.clone())],
            [ANON, ALLOW, ALLOW, DENY, DENY, DENY, DENY],
        ),
        (
            "group_notices",
            vec![("group_id", ids.rainbow.clone())],
            [ANON, DENY, DENY, DENY, DENY, ALLOW, ALLOW],
        ),
        (
            "write_notice",
            vec![
                ("child_id", ids.ivanova.clone()),
                ("day", "2026-11-23".to_owned()),
                ("text", "Проверка прав".to_owned()),
            ],
            [ANON, ALLOW, ALLOW, DENY, DENY, DENY, DENY],
        ),
        (
            "add_stay_mode",
            args(&[
                ("name_ru", "Проверка прав"),
                ("name_en", ""),
                ("hours", "9"),
            ]),
            [ANON, ALLOW, DENY, DENY, DENY, ALLOW, DENY],
        ),
        (
            "add_group",
            vec![("name", "Новая".to_owned())],
            [ANON, ALLOW, DENY, DENY, DENY, ALLOW, DENY],
        ),
        (
            "create_staff",
            staff_form
                .iter()
                .map(|(k, v)| (*k, (*v).to_owned()))
                .collect(),
            [ANON, ALLOW, DENY, DENY, DENY, ALLOW, DENY],
        ),
        (
            "list_staff",
            vec![
                ("query", "петрова".to_owned()),
                ("page", "1".to_owned()),
                ("archived", "true".to_owned()),
            ],
            [ANON, ALLOW, DENY, DENY, DENY, ALLOW, DENY],
        ),
        (
            "update_staff",
            vec![
                ("staff_id", ids.multi_staff.clone()),
                ("surname", "Петрова".to_owned()),
                ("given_name", "Анна".to_owned()),
                ("patronymic", "Игоревна".to_owned()),
                ("email", "petrova@example.ru".to_owned()),
                ("phone", "".to_owned()),
                ("position", "Воспитатель".to_owned()),
                ("teacher", "on".to_owned()),
            ],
            [ANON, ALLOW, DENY, DENY, DENY, DENY, DENY],
        ),
        (
            "update_staff",
            vec![
                ("staff_id", ids.teacher2_staff.clone()),
                ("surname", "Громова".to_owned()),
                ("given_name", "Елена".to_owned()),
                ("patronymic", "Павловна".to_owned()),
                ("email", "teacher@sad2.example.ru".to_owned()),
                ("phone", "".to_owned()),
                ("position", "Воспитатель".to_owned()),
                ("teacher", "on".to_owned()),
            ],
            // Archiving and resetting another organisation's staff are in the rows
            // of `multi` (the foreign admin's column); those writes are not tried on
            // teacher2 here, who must stay signed in for the following rows.
            [ANON, DENY, DENY, DENY, DENY, ALLOW, DENY],
        ),
        (
            "reset_staff_password",
            vec![("staff_id", ids.multi_staff.clone())],
            [ANON, ALLOW, DENY, DENY, DENY, DENY, DENY],
        ),
        (
            "archive_staff",
            vec![("staff_id", ids.multi_staff.clone())],
            [ANON, ALLOW, DENY, DENY, DENY, DENY, DENY],
        ),
        (
            "restore_staff",
            vec![("staff_id", ids.multi_staff.clone())],
            [ANON, ALLOW, DENY, DENY, DENY, DENY, DENY],
        ),
    ];

    // The contingent card: ids made here, the rows after all the others.
    let cells: Vec<Cell> = cells
        .into_iter()
        .chain(contingent_cells(&app, &ids.sun, &ids.ivanova).await)
        .collect();

    let mut users = Vec::new();
    for (name, account) in &actors {
        let user = match account {
            Some(a) => app.signed_in(a.login, a.password).await,
            None => User {
                client: new_client(),
                address: app.address.clone(),
            },
        };
        users.push((*name, user));
    }

    let mut failures = Vec::new();
    for (function, args, expected) in &cells {
        let form: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
        for ((actor, user), want) in users.iter().zip(expected) {
            let got = user.call(function, &form).await.status().as_u16();
            if got != *want {
                failures.push(format!(
                    "{function}({args:?}) as {actor}: expected {want}, got {got}"
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "permission matrix mismatches:\n{}",
        failures.join("\n")
    );
    // Only the admin's calls of the card wrote anything.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM children WHERE surname = 'Матрицына'")
            .await,
        1
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM people WHERE surname = 'Матрицын'")
            .await,
        1
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM accounts a JOIN people p ON p.id = a.person_id \
             WHERE p.surname = 'Матрицына'"
        )
        .await,
        1
    );

    // Denied writes wrote nothing: only the two admins added «Новая» and a staff member.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM groups WHERE name = 'Новая'")
            .await,
        2
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM people WHERE surname = 'Тестова'")
            .await,
        2
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM notices WHERE body = 'Проверка прав'")
            .await,
        2,
        "only the admin and the bound teacher wrote a notice"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM staff WHERE archived = 1")
            .await,
        0,
        "the archived card was restored"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM accounts WHERE must_change_password = 1 \
                   AND login IN ('admin', 'teacher', 'parent', 'multi', 'municipal', 'admin2', 'teacher2')")
            .await,
        1,
        "only the admin reset a password, multi's"
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM teacher_groups WHERE group_id = {}",
            ids.rainbow
        ))
        .await,
        1,
        "only teacher2 is bound to Радуга"
    );
}

/// The child's card («Контингент»): only the admin of the child's organisation.
async fn contingent_cells(app: &TestApp, sun: &str, ivanova: &str) -> Vec<Cell> {
    let father = app
        .scalar("SELECT p.id FROM people p JOIN accounts a ON a.person_id = p.id WHERE a.login = 'parent'")
        .await
        .to_string();
    // A parent without an account, so the admin's call can create one.
    let aunt = app
        .scalar(
            "INSERT INTO people (surname, given_name, patronymic, created_at) \
             VALUES ('Матрицына', 'Тётя', '', 0) RETURNING id",
        )
        .await
        .to_string();
    app.scalar(&format!(
        "INSERT INTO child_guardians (child_id, person_id, relation) \
         VALUES ({ivanova}, {aunt}, 'тётя') RETURNING child_id"
    ))
    .await;
    let owned = |pairs: &[(&'static str, &str)]| -> Vec<(&'static str, String)> {
        pairs.iter().map(|(k, v)| (*k, (*v).to_owned())).collect()
    };
    let admin_only = [ANON, ALLOW, DENY, DENY, DENY, DENY, DENY];
    vec![
        ("child_card", owned(&[("child_id", ivanova)]), admin_only),
        (
            "add_child",
            owned(&[
                ("surname", "Матрицына"),
                ("given_name", "Ева"),
                ("patronymic", ""),
                ("birth_date", "2021-01-01"),
                ("group_id", sun),
                ("enrolled_on", "2026-09-01"),
            ]),
            admin_only,
        ),
        (
            "edit_child",
            owned(&[
                ("child_id", ivanova),
                ("surname", "Иванова"),
                ("given_name", "Мария"),
                ("patronymic", "Сергеевна"),
                ("birth_date", "2021-03-14"),
            ]),
            admin_only,
        ),
        (
            "leave_child",
            owned(&[("child_id", ivanova), ("left_on", "2027-08-31")]),
            admin_only,
        ),
        (
            "add_guardian",
            owned(&[
                ("child_id", ivanova),
                ("guardian_surname", "Матрицын"),
                ("guardian_given_name", "Дядя"),
                ("guardian_patronymic", ""),
                ("relation", "дядя"),
                ("phone", ""),
                ("email", ""),
            ]),
            admin_only,
        ),
        (
            "edit_guardian",
            owned(&[
                ("child_id", ivanova),
                ("person_id", &father),
                ("relation", "отец"),
                ("phone", "+7 900 000-00-01"),
                ("email", ""),
            ]),
            admin_only,
        ),
        (
            "create_guardian_account",
            owned(&[("child_id", ivanova), ("person_id", &aunt)]),
            admin_only,
        ),
        (
            "remove_guardian",
            owned(&[("child_id", ivanova), ("person_id", &aunt)]),
            admin_only,
        ),
    ]
}
