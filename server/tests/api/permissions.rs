//! The permission matrix: every server function called as every role, against its own
//! and a foreign organisation, a bound and an unbound group, one's own and another
//! family's child. Each cell is asserted. A guard compares the rows with the server
//! functions the app registers, so a new one without a row (or a reasoned exemption)
//! fails the test.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU64, Ordering};

use app::domain::sync::{DeviceId, MarkOp, OpId, OpResult, Refusal, SyncResponse};
use app::domain::timesheet::Mark;
use serde_json::{json, Value};
use server::demo::{DemoAccount, ADMIN, ADMIN2, MUNICIPAL, PARENT, TEACHER, TEACHER2};

use crate::helpers::{client_from, inn_from, TestApp, User};

crate::on_both_backends!(true, permission_matrix);

const ALLOW: u16 = 200;
const DENY: u16 = 403;
const ANON: u16 = 401;
/// Refused as if the thing did not exist, so the answer tells nothing about other
/// families or municipalities (a notice of another family, another municipality's request).
const HIDDEN: u16 = 404;

/// Server functions with no row in the matrix, and why. Every other registered server
/// function must have at least one row: the guard at the end of the matrix fails on a
/// new one without.
const EXEMPT: &[(&str, &str)] = &[
    (
        "login",
        "takes credentials, not a session: its own tests are in auth.rs",
    ),
    (
        "change_password",
        "acts only on the caller's own account, checked by its current password (auth.rs)",
    ),
];

/// Public server functions: allowed for everyone, anonymous included. Each has a row
/// expecting 200 for all seven actors.
const PUBLIC: &[(&str, &str)] = &[
    (
        "whoami",
        "says who the caller is, or null; the app shell asks before sign-in",
    ),
    (
        "sso_enabled",
        "the login page asks whether to offer single sign-on",
    ),
    ("municipalities", "the public registration form lists them"),
    (
        "submit_registration",
        "a kindergarten applies before it has any account",
    ),
    (
        "logout",
        "ends the caller's own session, or nothing; run last",
    ),
];

/// A server function, its arguments, and the status expected for each actor.
type Cell = (&'static str, Vec<(&'static str, String)>, [u16; 7]);

/// How a row's arguments are sent: most server functions take a form, some JSON or a
/// file.
enum Body {
    Form(Vec<(&'static str, String)>),
    Json(Value),
    /// A registration form, sent each time with a fresh INN: one organisation may have
    /// only one request waiting.
    FreshRegistration(Vec<(&'static str, String)>),
    /// A CSV file in the multipart field `file` (`import_children`).
    Csv(String),
    /// One present mark for the child on the day, as a fresh op from a tablet
    /// (`sync_marks`). The sync answers 200 with a verdict per op; the matrix reads a
    /// `no_rights` refusal as 403 and an `unknown_child` one as 404, any other refusal
    /// as 409.
    Sync {
        child_id: i64,
        day: &'static str,
    },
}

type Row = (&'static str, Body, [u16; 7]);

struct Ids {
    sun: String,     // Солнышко, sad 1, bound to `teacher`
    daisy: String,   // Ромашка, sad 1, not bound to `teacher`
    rainbow: String, // Радуга, sad 2
    teacher_staff: String,
    teacher2_staff: String,
    /// `multi`: a teacher of sad 1 and a parent, signed in as no one in the matrix, so
    /// the staff card's writes (archive, password reset) can target it.
    multi_staff: String,
    /// A cook of sad 1 with no role anywhere else and no part in the matrix: its
    /// password is the admin's to reset (`multi`'s is not: it is a parent too).
    cook_staff: String,
    /// Иванова Мария: Солнышко, child of `parent`
    ivanova: String,
    /// The building and the free hall of sad 1.
    building: String,
    hall: String,
    /// A stay mode of sad 1's own.
    own_mode: String,
    /// Петров Артём: Солнышко, child of `multi` (another family than `parent`'s).
    petrov: String,
    /// Попова Ева: Ромашка, the group `teacher` is not bound to.
    popova: String,
    /// Морозова Полина: Радуга, sad 2.
    morozova: String,
    /// The parent's only role grant.
    parent_grant: String,
}

async fn ids(app: &TestApp) -> Ids {
    let group = |name: &str| format!("SELECT id FROM groups WHERE name = '{name}'");
    let child = |surname: &str| format!("SELECT id FROM children WHERE surname = '{surname}'");
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
        cook_staff: {
            for sql in [
                "INSERT INTO people (surname, given_name, patronymic, created_at) \
                 VALUES ('Поварова', 'Нина', '', 0)",
                "INSERT INTO accounts (person_id, login, password_hash, must_change_password, created_at) \
                 SELECT id, 'cook', 'x', 0, 0 FROM people WHERE surname = 'Поварова'",
                "INSERT INTO staff (person_id, organisation_id, position, created_at) \
                 SELECT p.id, s.organisation_id, 'Повар', 0 FROM people p, staff s \
                 JOIN accounts a ON a.person_id = s.person_id \
                 WHERE p.surname = 'Поварова' AND a.login = 'admin'",
                "INSERT INTO role_grants (person_id, role, organisation_id) \
                 SELECT s.person_id, 'teacher', s.organisation_id FROM staff s \
                 JOIN people p ON p.id = s.person_id WHERE p.surname = 'Поварова'",
            ] {
                app.execute(sql).await;
            }
            app.scalar(&staff("cook")).await.to_string()
        },
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
        petrov: app.scalar(&child("Петров")).await.to_string(),
        popova: app.scalar(&child("Попова")).await.to_string(),
        morozova: app.scalar(&child("Морозова")).await.to_string(),
        parent_grant: app
            .scalar(
                "SELECT g.id FROM role_grants g JOIN accounts a ON a.person_id = g.person_id \
                 WHERE a.login = 'parent'",
            )
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
            "save_stay_mode",
            args(&[
                ("stay_mode_id", &ids.own_mode),
                ("name_ru", "Проверка прав на изменение"),
                ("name_en", ""),
                ("hours", "9"),
            ]),
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
            vec![("staff_id", ids.cook_staff.clone())],
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
        .chain(order_cells(&app, &ids.sun).await)
        .collect();
    // Then marking, families, notices, reference books, registration, the public and
    // session functions; `logout` last, as it ends each actor's session.
    let rows: Vec<Row> = cells
        .into_iter()
        .map(|(function, args, expected)| (function, Body::Form(args), expected))
        .chain(daily_rows(&app, &ids).await)
        .collect();
    assert_eq!(
        rows.last().map(|row| row.0),
        Some("logout"),
        "logout is the last row"
    );

    // Each actor on a device of its own (the public registration form counts requests
    // per address).
    let mut users = Vec::new();
    for (i, (name, account)) in actors.iter().enumerate() {
        let client = client_from(&format!("127.0.0.{}", 20 + i));
        if let Some(a) = account {
            let res = app.login_with(&client, a.login, a.password).await;
            assert_eq!(res.status().as_u16(), 200, "login of {}", a.login);
        }
        let user = User {
            client,
            address: app.address.clone(),
        };
        users.push((*name, user));
    }

    let mut failures = Vec::new();
    for (function, body, expected) in &rows {
        for ((actor, user), want) in users.iter().zip(expected) {
            let (got, answer) = send(user, function, body).await;
            if got != *want {
                let answer: String = answer.chars().take(300).collect();
                failures.push(format!(
                    "{function}({}) as {actor}: expected {want}, got {got}: {answer}",
                    describe(body)
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "permission matrix mismatches:\n{}",
        failures.join("\n")
    );

    // The guard: every server function the app registers has a row or is exempt with
    // a reason, so a new one cannot be added without deciding who may call it.
    let registered: BTreeSet<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.strip_prefix("/api/").unwrap_or(path).to_owned())
        .collect();
    let covered: BTreeSet<String> = rows
        .iter()
        .map(|row| row.0.to_owned())
        .chain(EXEMPT.iter().map(|(name, _)| (*name).to_owned()))
        .collect();
    let missing: Vec<&String> = registered.difference(&covered).collect();
    assert!(
        missing.is_empty(),
        "server functions without a row in the permission matrix (add rows, or an EXEMPT \
         entry with the reason): {missing:?}"
    );
    let unknown: Vec<&String> = covered.difference(&registered).collect();
    assert!(
        unknown.is_empty(),
        "rows for server functions that are not registered (renamed?): {unknown:?}"
    );
    for (name, _) in PUBLIC {
        assert!(
            rows.iter()
                .any(|(function, _, expected)| function == name && *expected == [ALLOW; 7]),
            "public {name} has a row allowing everyone"
        );
    }
    let everyone_allowed: BTreeSet<&str> = rows
        .iter()
        .filter(|(_, _, expected)| *expected == [ALLOW; 7])
        .map(|row| row.0)
        .collect();
    let public: BTreeSet<&str> = PUBLIC.iter().map(|(name, _)| *name).collect();
    assert_eq!(
        everyone_allowed, public,
        "a row allowing everyone, anonymous included, is for a function listed in PUBLIC"
    );
    // Only the admin's calls of the card wrote anything.
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM children WHERE id = {} AND left_on IS NULL",
            ids.ivanova
        ))
        .await,
        1,
        "the admin's leaving date was cleared by the admin's return_child"
    );
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
                   AND login IN ('admin', 'teacher', 'parent', 'multi', 'municipal', 'admin2', 'teacher2', 'cook')")
            .await,
        1,
        "only the admin reset a password, the cook's"
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM accounts WHERE must_change_password = 1 AND login = 'cook'"
        )
        .await,
        1
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
    daily_effects(&app, &ids).await;
}

/// Orders («Приказы»): only the admin of the organisation. A child and an order made
/// here, in «Звёздочка», so what the admin's calls change touches no other row.
async fn order_cells(app: &TestApp, sun: &str) -> Vec<Cell> {
    let organisation = app
        .scalar(&format!(
            "SELECT organisation_id FROM groups WHERE id = {sun}"
        ))
        .await;
    let star = app
        .scalar("SELECT id FROM groups WHERE name = 'Звёздочка'")
        .await;
    let child = app
        .scalar(&format!(
            "INSERT INTO children (group_id, surname, given_name, patronymic, birth_date, enrolled_on, created_at) \
             VALUES ({star}, 'Приказова', 'Ия', '', '2021-01-01', '2026-09-01', 0) RETURNING id"
        ))
        .await
        .to_string();
    app.execute(&format!(
        "INSERT INTO enrolments (child_id, group_id, from_day) VALUES ({child}, {star}, '2026-09-01')"
    ))
    .await;
    let order = app
        .scalar(&format!(
            "INSERT INTO enrolment_orders (organisation_id, number, kind, issued_on, effective_on, \
             comment, created_by, created_at) VALUES ({organisation}, 'М-0', 'leaving', '2026-09-01', \
             '2026-09-01', '', (SELECT person_id FROM accounts WHERE login = 'admin'), 0) RETURNING id"
        ))
        .await
        .to_string();
    let owned = |pairs: &[(&'static str, &str)]| -> Vec<(&'static str, String)> {
        pairs.iter().map(|(k, v)| (*k, (*v).to_owned())).collect()
    };
    let admin_only = [ANON, ALLOW, DENY, DENY, DENY, DENY, DENY];
    let each_admin = [ANON, ALLOW, DENY, DENY, DENY, ALLOW, DENY];
    // Another organisation's order is not found for a foreign admin, as if it did not exist.
    let own_order = [ANON, ALLOW, DENY, DENY, DENY, HIDDEN, DENY];
    vec![
        (
            "list_orders",
            owned(&[
                ("kind", ""),
                ("from", ""),
                ("to", ""),
                ("query", ""),
                ("page", "1"),
            ]),
            each_admin,
        ),
        (
            "order_choices",
            owned(&[
                ("kind", "transfer"),
                ("group_id", sun),
                ("on", "2026-11-02"),
            ]),
            admin_only,
        ),
        ("child_history", owned(&[("child_id", &child)]), admin_only),
        ("load_order", owned(&[("order_id", &order)]), own_order),
        (
            "issue_order",
            owned(&[
                ("kind", "leaving"),
                ("number", "М-1"),
                ("issued_on", "2026-11-02"),
                ("effective_on", "2027-08-31"),
                ("children[]", &child),
            ]),
            admin_only,
        ),
        ("cancel_order", owned(&[("order_id", &order)]), own_order),
    ]
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
        // After the admin's leaving date above; the admin's call clears it again.
        ("return_child", owned(&[("child_id", ivanova)]), admin_only),
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

/// The demo's past working days of November 2026 (the 4th is a holiday) that the rows
/// mark: each kind of write on its own day, so none undoes another.
const SAVE_DAY: &str = "2026-11-02";
const REQUEST_DAY: &str = "2026-11-03";
const SYNC_DAY: &str = "2026-11-05";
/// A month no row closes for good: closed and reopened by the rows.
const CLOSE_MONTH: &str = "2026-10";
/// A month before the demo's children were enrolled: nothing in it needs a mark, so a
/// permitted submission succeeds (the refusal of a blank month is tested in attendance).
const SUBMIT_MONTH: &str = "2026-08";
const IMPORT_CSV: &str = "Фамилия ребёнка;Имя ребёнка;Отчество ребёнка;Дата рождения;Группа;\
Дата зачисления;Фамилия родителя;Имя родителя;Отчество родителя;Кем приходится;Телефон;Email\r\n\
Импортова;Ирина;;01.02.2021;Солнышко;01.09.2026;;;;;;";

/// Marking, families, notices, reference books, registration, the session and public
/// functions. Makes what the rows act on (a reason request per family, announced
/// absences, registration requests) through the app or directly in the database.
async fn daily_rows(app: &TestApp, ids: &Ids) -> Vec<Row> {
    let id = |raw: &str| raw.parse::<i64>().unwrap();
    let (sun, daisy, rainbow) = (id(&ids.sun), id(&ids.daisy), id(&ids.rainbow));
    let (ivanova, petrov, popova, morozova) = (
        id(&ids.ivanova),
        id(&ids.petrov),
        id(&ids.popova),
        id(&ids.morozova),
    );

    // An unexplained absence of each family's child asks its parents for the reason.
    let admin = app.signed_in(ADMIN.login, ADMIN.password).await;
    let absent = json!({ "Absent": { "reason": null } });
    let res = admin
        .client
        .post(format!("{}/api/save_marks", admin.address))
        .json(&json!({
            "group_id": sun,
            "date": REQUEST_DAY,
            "marks": [
                { "child_id": ivanova, "mark": absent },
                { "child_id": petrov, "mark": absent },
            ],
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200, "{}", res.text().await.unwrap());
    let request_of = |child: i64| {
        format!(
            "SELECT id FROM notices WHERE child_id = {child} AND day = '{REQUEST_DAY}' \
             AND kind = 'reason_request'"
        )
    };
    let own_request = app.scalar(&request_of(ivanova)).await.to_string();
    let other_request = app.scalar(&request_of(petrov)).await.to_string();

    // An announced absence of each family's child, far enough ahead to be cancelled.
    let today = chrono::Local::now().date_naive();
    let ahead = |days: i64| (today + chrono::Duration::days(days)).to_string();
    let announced = |child: i64, by: &str| {
        format!(
            "INSERT INTO planned_absences (child_id, date_from, date_to, reason, created_by, created_at) \
             SELECT {child}, '{from}', '{from}', 'О', person_id, 0 FROM accounts WHERE login = '{by}' \
             RETURNING id",
            from = ahead(40)
        )
    };
    let own_absence = app.scalar(&announced(ivanova, "parent")).await.to_string();
    let other_absence = app.scalar(&announced(petrov, "multi")).await.to_string();

    // A registration request in the specialist's municipality, and one in another.
    let municipality = app
        .scalar("SELECT id FROM municipalities")
        .await
        .to_string();
    let registration = |inn: &str, kpp: &str| -> Vec<(&'static str, String)> {
        [
            ("municipality_id", municipality.as_str()),
            ("surname", "Заявкина"),
            ("given_name", "Светлана"),
            ("patronymic", "Петровна"),
            ("email", "zayavkina@sad3.example.ru"),
            ("position", "Заведующий"),
            ("organisation_name", "МАДОУ «Детский сад № 3»"),
            ("short_name", "МАДОУ «Детский сад № 3»"),
            ("inn", inn),
            ("kpp", kpp),
        ]
        .iter()
        .map(|(k, v)| (*k, (*v).to_owned()))
        .collect()
    };
    let own_form = registration("7707083893", "773601001");
    let form: Vec<(&str, &str)> = own_form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    admin.json("submit_registration", &form).await;
    let own_registration = app
        .scalar("SELECT id FROM registration_requests WHERE inn = '7707083893'")
        .await
        .to_string();
    let other_municipality = app
        .scalar("INSERT INTO municipalities (name) VALUES ('Соседний округ') RETURNING id")
        .await;
    let other_registration = app
        .scalar(&format!(
            "INSERT INTO registration_requests (municipality_id, surname, given_name, email, position, \
             organisation_name, short_name, inn, created_at) VALUES ({other_municipality}, 'Соседова', \
             'Анна', 'sosedova@example.ru', 'Заведующий', 'Детский сад № 9', 'Детский сад № 9', \
             '7736207543', 0) RETURNING id"
        ))
        .await
        .to_string();

    let form = |pairs: &[(&'static str, &str)]| {
        Body::Form(pairs.iter().map(|(k, v)| (*k, (*v).to_owned())).collect())
    };
    let save = |group: i64, child: i64| {
        Body::Json(json!({
            "group_id": group,
            "date": SAVE_DAY,
            "marks": [{ "child_id": child, "mark": "Present" }],
        }))
    };
    let sync = |child_id: i64| Body::Sync {
        child_id,
        day: SYNC_DAY,
    };

    // Columns: anon, admin, teacher, parent, municipal, foreign admin, foreign teacher.
    let admin_only = [ANON, ALLOW, DENY, DENY, DENY, DENY, DENY];
    let foreign_admin_only = [ANON, DENY, DENY, DENY, DENY, ALLOW, DENY];
    // Functions that act on the admin's own organisation only, whichever it is.
    let each_admin = [ANON, ALLOW, DENY, DENY, DENY, ALLOW, DENY];
    // Groups and their children: the admin of the organisation, a teacher bound to it.
    let bound = [ANON, ALLOW, ALLOW, DENY, DENY, DENY, DENY];
    let unbound = [ANON, ALLOW, DENY, DENY, DENY, DENY, DENY];
    let foreign = [ANON, DENY, DENY, DENY, DENY, ALLOW, ALLOW];
    let nobody = [ANON, DENY, DENY, DENY, DENY, DENY, DENY];
    let own_parent = [ANON, DENY, DENY, ALLOW, DENY, DENY, DENY];
    let municipal = [ANON, DENY, DENY, DENY, ALLOW, DENY, DENY];
    let everyone = [ALLOW; 7];

    let sun_s = ids.sun.as_str();
    let daisy_s = ids.daisy.as_str();
    let rainbow_s = ids.rainbow.as_str();
    vec![
        // The admin's row of set_group_binding bound `teacher` to Ромашка: unbound again,
        // so Ромашка is the unbound group of the rows below.
        (
            "set_group_binding",
            form(&[
                ("staff_id", &ids.teacher_staff),
                ("group_id", daisy_s),
                ("bind", "false"),
            ]),
            admin_only,
        ),
        // Marking and the табель.
        (
            "marking_sheet",
            form(&[("group_id", sun_s), ("date", SAVE_DAY)]),
            bound,
        ),
        (
            "marking_sheet",
            form(&[("group_id", daisy_s), ("date", SAVE_DAY)]),
            unbound,
        ),
        (
            "marking_sheet",
            form(&[("group_id", rainbow_s), ("date", SAVE_DAY)]),
            foreign,
        ),
        ("save_marks", save(sun, ivanova), bound),
        ("save_marks", save(daisy, popova), unbound),
        ("save_marks", save(rainbow, morozova), foreign),
        // A child of another organisation sent under one's own group.
        ("save_marks", save(sun, morozova), nobody),
        ("sync_marks", sync(ivanova), bound),
        ("sync_marks", sync(popova), unbound),
        ("sync_marks", sync(morozova), foreign),
        (
            "offline_bundle",
            Body::Form(vec![]),
            [ANON, ALLOW, ALLOW, DENY, DENY, ALLOW, ALLOW],
        ),
        (
            "timesheet",
            form(&[("group_id", sun_s), ("month", "2026-11")]),
            bound,
        ),
        (
            "timesheet",
            form(&[("group_id", daisy_s), ("month", "2026-11")]),
            unbound,
        ),
        (
            "timesheet",
            form(&[("group_id", rainbow_s), ("month", "2026-11")]),
            foreign,
        ),
        (
            "mark_history",
            form(&[("child_id", &ids.ivanova), ("date", SAVE_DAY)]),
            // The child's own parent too.
            [ANON, ALLOW, ALLOW, ALLOW, DENY, DENY, DENY],
        ),
        (
            "mark_history",
            form(&[("child_id", &ids.popova), ("date", SAVE_DAY)]),
            unbound,
        ),
        (
            "mark_history",
            form(&[("child_id", &ids.morozova), ("date", SAVE_DAY)]),
            foreign,
        ),
        (
            "request_month_close",
            form(&[("group_id", sun_s), ("month", SUBMIT_MONTH)]),
            bound,
        ),
        (
            "request_month_close",
            form(&[("group_id", daisy_s), ("month", SUBMIT_MONTH)]),
            unbound,
        ),
        (
            "request_month_close",
            form(&[("group_id", rainbow_s), ("month", SUBMIT_MONTH)]),
            foreign,
        ),
        (
            "set_month_closed",
            form(&[
                ("group_id", sun_s),
                ("month", CLOSE_MONTH),
                ("closed", "true"),
            ]),
            admin_only,
        ),
        (
            "set_month_closed",
            form(&[
                ("group_id", sun_s),
                ("month", CLOSE_MONTH),
                ("closed", "false"),
                ("reason", "Проверка прав"),
            ]),
            admin_only,
        ),
        (
            "set_month_closed",
            form(&[
                ("group_id", rainbow_s),
                ("month", CLOSE_MONTH),
                ("closed", "true"),
            ]),
            foreign_admin_only,
        ),
        (
            "set_month_closed",
            form(&[
                ("group_id", rainbow_s),
                ("month", CLOSE_MONTH),
                ("closed", "false"),
                ("reason", "Проверка прав"),
            ]),
            foreign_admin_only,
        ),
        // The contingent list and import: the admin's own organisation.
        (
            "list_children",
            form(&[("query", ""), ("page", "1")]),
            each_admin,
        ),
        // The file names Солнышко: the foreign admin's import finds no such group of
        // its own and imports nothing (asserted below).
        (
            "import_children",
            Body::Csv(IMPORT_CSV.to_owned()),
            each_admin,
        ),
        // Families: only a parent of the child, acting as a parent.
        (
            "child_absences",
            form(&[("child_id", &ids.ivanova)]),
            own_parent,
        ),
        ("child_absences", form(&[("child_id", &ids.petrov)]), nobody),
        (
            "announce_absence",
            form(&[
                ("child_id", &ids.ivanova),
                ("date_from", &ahead(30)),
                ("date_to", &ahead(31)),
                ("reason", "О"),
                ("comment", "Проверка прав"),
            ]),
            own_parent,
        ),
        (
            "announce_absence",
            form(&[
                ("child_id", &ids.petrov),
                ("date_from", &ahead(30)),
                ("date_to", &ahead(31)),
                ("reason", "О"),
                ("comment", "Проверка прав"),
            ]),
            nobody,
        ),
        (
            "cancel_absence",
            form(&[("announcement_id", &own_absence)]),
            own_parent,
        ),
        (
            "cancel_absence",
            form(&[("announcement_id", &other_absence)]),
            nobody,
        ),
        // Notices to parents: another family's looks as if it did not exist.
        (
            "mark_notice_read",
            form(&[("notice_id", &own_request)]),
            own_parent,
        ),
        (
            "mark_notice_read",
            form(&[("notice_id", &other_request)]),
            [ANON, DENY, DENY, HIDDEN, DENY, DENY, DENY],
        ),
        (
            "answer_notice",
            form(&[
                ("notice_id", &own_request),
                ("reason", "Б"),
                ("comment", ""),
            ]),
            own_parent,
        ),
        (
            "answer_notice",
            form(&[
                ("notice_id", &other_request),
                ("reason", "Б"),
                ("comment", ""),
            ]),
            [ANON, DENY, DENY, HIDDEN, DENY, DENY, DENY],
        ),
        // Reference books: the admin's own organisation.
        ("list_reasons", Body::Form(vec![]), each_admin),
        (
            "save_reason",
            form(&[
                ("code", "ТП"),
                ("name_ru", "Проверка прав"),
                ("name_en", ""),
                ("excused", "on"),
            ]),
            each_admin,
        ),
        (
            "archive_reason",
            form(&[("code", "С"), ("archived", "false")]),
            each_admin,
        ),
        ("list_calendar_days", form(&[("year", "2026")]), each_admin),
        (
            "set_calendar_day",
            form(&[("day", "2026-11-04"), ("kind", "holiday")]),
            each_admin,
        ),
        // The municipality: the specialist's own (the demo has one specialist; another
        // municipality's request is refused as unknown).
        ("municipal_month", form(&[("month", "2026-11")]), municipal),
        ("municipal_reasons", Body::Form(vec![]), municipal),
        (
            "set_municipal_reason_flags",
            form(&[("code", "С"), ("excused", "on")]),
            municipal,
        ),
        (
            "long_absences",
            form(&[("month", "2026-11")]),
            [ANON, ALLOW, DENY, DENY, ALLOW, ALLOW, DENY],
        ),
        ("pending_registrations", Body::Form(vec![]), municipal),
        (
            "decide_registration",
            form(&[("request_id", &own_registration), ("approve", "false")]),
            municipal,
        ),
        (
            "decide_registration",
            form(&[("request_id", &other_registration), ("approve", "false")]),
            [ANON, DENY, DENY, DENY, HIDDEN, DENY, DENY],
        ),
        // Choosing a role: only one's own grant (here the parent's).
        (
            "choose_role",
            form(&[("grant_id", &ids.parent_grant)]),
            own_parent,
        ),
        // Public: allowed for everyone.
        ("whoami", Body::Form(vec![]), everyone),
        ("sso_enabled", Body::Form(vec![]), everyone),
        ("municipalities", Body::Form(vec![]), everyone),
        (
            "submit_registration",
            Body::FreshRegistration(registration("7715962810", "771501001")),
            everyone,
        ),
        // Last: it ends each actor's session.
        ("logout", Body::Form(vec![]), everyone),
    ]
}

static OP_SEQ: AtomicU64 = AtomicU64::new(1);

/// Sends a row's body as the user; the status as the matrix reads it, and the answer.
async fn send(user: &User, function: &str, body: &Body) -> (u16, String) {
    let url = format!("{}/api/{function}", user.address);
    let res = match body {
        Body::Form(args) => {
            let form: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
            user.call(function, &form).await
        }
        Body::Json(value) => user.client.post(&url).json(value).send().await.unwrap(),
        Body::FreshRegistration(args) => {
            let inn = inn_from(772_000_000 + OP_SEQ.fetch_add(1, Ordering::Relaxed));
            let form: Vec<(&str, &str)> = args
                .iter()
                .map(|(k, v)| {
                    (
                        *k,
                        if *k == "inn" {
                            inn.as_str()
                        } else {
                            v.as_str()
                        },
                    )
                })
                .collect();
            user.call(function, &form).await
        }
        Body::Csv(csv) => {
            let part = reqwest::multipart::Part::bytes(csv.as_bytes().to_vec())
                .file_name("children.csv")
                .mime_str("text/csv")
                .unwrap();
            user.client
                .post(&url)
                .multipart(reqwest::multipart::Form::new().part("file", part))
                .send()
                .await
                .unwrap()
        }
        Body::Sync { child_id, day } => {
            // A fresh op per call: a replayed op id is answered `duplicate` before it
            // is judged.
            let now = chrono::Utc::now().timestamp_millis();
            let mut random = [0u8; 10];
            random[3..].copy_from_slice(&OP_SEQ.fetch_add(1, Ordering::Relaxed).to_be_bytes()[1..]);
            let op = MarkOp {
                op_id: OpId::new_v7(now as u64, random),
                child_id: *child_id,
                day: chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap(),
                mark: Mark::Present,
                device: DeviceId::parse("matrix-tablet").unwrap(),
                recorded_at: now,
            };
            user.client
                .post(&url)
                .json(&json!({ "device": "matrix-tablet", "ops": [op] }))
                .send()
                .await
                .unwrap()
        }
    };
    let status = res.status().as_u16();
    let answer = res.text().await.unwrap();
    if !matches!(body, Body::Sync { .. }) || status != ALLOW {
        return (status, answer);
    }
    let response: SyncResponse = serde_json::from_str(&answer).unwrap();
    let read = match &response.outcomes[0].result {
        OpResult::Refused(Refusal::NoRights) => DENY,
        OpResult::Refused(Refusal::UnknownChild) => HIDDEN,
        OpResult::Refused(_) => 409,
        _ => ALLOW,
    };
    (read, answer)
}

fn describe(body: &Body) -> String {
    match body {
        Body::Form(args) => format!("{args:?}"),
        Body::FreshRegistration(args) => format!("{args:?} with a fresh INN"),
        Body::Json(value) => value.to_string(),
        Body::Csv(_) => "a CSV file".to_owned(),
        Body::Sync { child_id, day } => format!("an op: child {child_id} present on {day}"),
    }
}

/// What the allowed rows of [`daily_rows`] wrote, and that the denied ones wrote nothing.
async fn daily_effects(app: &TestApp, ids: &Ids) {
    let by = |login: &str, table: &str, person: &str, children: &[&str]| {
        format!(
            "SELECT COUNT(*) FROM {table} t JOIN accounts a ON a.person_id = t.{person} \
             WHERE a.login = '{login}' AND t.child_id IN ({})",
            children.join(", ")
        )
    };
    let (own, unbound, foreign) = (
        [ids.ivanova.as_str()],
        [ids.popova.as_str()],
        [ids.morozova.as_str()],
    );
    for (table, person) in [("mark_audit", "by_person"), ("applied_ops", "person_id")] {
        for (login, children, allowed) in [
            ("admin", &own[..], true),
            ("admin", &unbound[..], true),
            ("admin", &foreign[..], false),
            ("teacher", &own[..], true),
            ("teacher", &unbound[..], false),
            ("teacher", &foreign[..], false),
            ("admin2", &own[..], false),
            ("admin2", &unbound[..], false),
            ("admin2", &foreign[..], true),
            ("teacher2", &own[..], false),
            ("teacher2", &unbound[..], false),
            ("teacher2", &foreign[..], true),
        ] {
            let n = app.count(&by(login, table, person, children)).await;
            assert_eq!(
                n > 0,
                allowed,
                "{table} of {login} for child {children:?}: {n}"
            );
        }
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM month_closures").await,
        0,
        "every closed month was reopened"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM month_closure_log").await,
        4,
        "each admin closed and reopened its own group's month, once"
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM planned_absences WHERE child_id = {} AND cancelled_at IS NULL",
            ids.petrov
        ))
        .await,
        1,
        "the other family's announcement: not cancelled, none added"
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM planned_absences WHERE child_id = {} AND cancelled_at IS NULL",
            ids.ivanova
        ))
        .await,
        1,
        "the parent cancelled its announcement and announced one"
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM notices n JOIN notice_recipients r ON r.notice_id = n.id \
             WHERE n.child_id = {} AND n.kind = 'reason_request' AND n.answered_at IS NULL \
             AND r.read_at IS NULL",
            ids.petrov
        ))
        .await,
        1,
        "the other family's request: neither read nor answered"
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM marks WHERE child_id = {} AND day = '{REQUEST_DAY}' AND reason = 'Б'",
            ids.ivanova
        ))
        .await,
        1,
        "the parent's answer is the reason of the absence"
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM registration_requests r JOIN municipalities m \
             ON m.id = r.municipality_id WHERE m.name = 'Соседний округ' AND r.status = 'pending'"
        )
        .await,
        1,
        "another municipality's request is left pending"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM registration_requests WHERE inn = '7707083893' AND status = 'rejected'")
            .await,
        1
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM registration_requests WHERE inn LIKE '772%' AND kpp = '771501001'")
            .await,
        7,
        "everyone may apply"
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM children WHERE surname = 'Импортова' AND group_id = {}",
            ids.sun
        ))
        .await,
        1,
        "only the admin of Солнышко's organisation imported the row"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM children WHERE surname = 'Импортова'")
            .await,
        1
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM absence_reasons WHERE code = 'ТП'")
            .await,
        2,
        "each admin added the reason to its own organisation"
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM sessions s JOIN accounts a ON a.person_id = s.person_id \
             WHERE a.login IN ('admin', 'teacher', 'parent', 'municipal', 'admin2', 'teacher2') \
             AND s.grant_id IS NOT NULL"
        )
        .await,
        1,
        "everyone logged out; only the setup's admin session is left"
    );

    // Functions without an organisation argument answer with the caller's own only.
    let admin2 = app.signed_in(ADMIN2.login, ADMIN2.password).await;
    let page = admin2
        .json("list_children", &[("query", ""), ("page", "1")])
        .await;
    let groups: BTreeSet<&str> = page["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["group_name"].as_str().unwrap())
        .collect();
    assert_eq!(groups, BTreeSet::from(["Радуга"]), "{page}");
    // The foreign admin's own: Радуга and the «Новая» its add_group row made.
    let bundles: [(&DemoAccount, &[&str]); 3] = [
        (&TEACHER, &["Солнышко"]),
        (&TEACHER2, &["Радуга"]),
        (&ADMIN2, &["Новая", "Радуга"]),
    ];
    for (account, groups) in bundles {
        let user = app.signed_in(account.login, account.password).await;
        let bundle = user.json("offline_bundle", &[]).await;
        let names: Vec<&str> = bundle["groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, groups, "offline bundle of {}", account.login);
        // A group there is its id and name, no roster (the bundle sits on shared tablets).
        for group in bundle["groups"].as_array().unwrap() {
            let keys: Vec<&String> = group.as_object().unwrap().keys().collect();
            assert_eq!(keys, ["id", "name"], "offline bundle of {}", account.login);
            assert!(group["id"].is_i64(), "{group}");
        }
    }
}
