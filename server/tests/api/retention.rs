//! The retention job on a generated region: exactly the children and parents who left
//! before the cutoff are anonymised (checked by SQL written apart from the code), and
//! the табели of past months keep every figure.

use serde_json::Value;
use sqlx::Connection;

use crate::helpers::TestApp;

crate::on_both_backends!(
    false,
    those_who_left_long_ago_are_anonymised_and_the_figures_stay
);

const TODAY: &str = "2029-10-16";
const YEARS: u32 = 3;

fn day(raw: &str) -> chrono::NaiveDate {
    raw.parse().unwrap()
}

async fn ids(app: &TestApp, sql: &str) -> Vec<i64> {
    let mut conn = sqlx::AnyConnection::connect(&app.database_url)
        .await
        .unwrap();
    sqlx::query_scalar(sql).fetch_all(&mut conn).await.unwrap()
}

/// Every row's id and surname, for seeing who kept their name.
async fn surnames(app: &TestApp, table: &str) -> Vec<(i64, String)> {
    let mut conn = sqlx::AnyConnection::connect(&app.database_url)
        .await
        .unwrap();
    sqlx::query_as(&format!("SELECT id, surname FROM {table} ORDER BY id"))
        .fetch_all(&mut conn)
        .await
        .unwrap()
}

fn list(ids: &[i64]) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}

/// Every табель of every group for September and October, as its admin reads it, with
/// the names taken out (they are what changes) and the rows in child order.
async fn figures(app: &TestApp) -> Vec<Value> {
    let mut sheets = Vec::new();
    for organisation in ids(app, "SELECT id FROM organisations ORDER BY id").await {
        let admin = app
            .signed_in(&format!("admin-{organisation}"), "region-2026")
            .await;
        let groups = ids(
            app,
            &format!("SELECT id FROM groups WHERE organisation_id = {organisation} ORDER BY id"),
        )
        .await;
        for group in groups {
            for month in ["2026-09", "2026-10"] {
                let mut view = admin
                    .json(
                        "timesheet",
                        &[("group_id", &group.to_string()), ("month", month)],
                    )
                    .await;
                let sheet = view["sheet"].take();
                let mut rows = sheet["rows"].as_array().unwrap().clone();
                for row in &mut rows {
                    row.as_object_mut().unwrap().remove("name");
                }
                rows.sort_by_key(|r| r["child_id"].as_i64());
                sheets.push(serde_json::json!({
                    "group": group, "month": month, "rows": rows,
                    "totals": sheet["totals"], "days": sheet["days"],
                }));
            }
        }
    }
    sheets
}

async fn those_who_left_long_ago_are_anonymised_and_the_figures_stay(app: TestApp) {
    let db = app::db::Db::connect(&app.database_url, 2).await.unwrap();
    let params = server::region::RegionParams {
        seed: 5,
        municipalities: 1,
        organisations: 2,
        groups: 4,
        staff: 8,
        children: 60,
        from: day("2026-09-01"),
        until: day("2026-10-30"),
        password_hash: app::auth::password::hash("region-2026".into())
            .await
            .unwrap(),
    };
    server::region::generate(db.pool(), db.backend(), &params, &|_, _, _| {})
        .await
        .unwrap();

    // Ten children left on 15 October 2026, three years and a day before TODAY; five
    // left on 20 October, within the three years; the rest stay.
    let children = ids(&app, "SELECT id FROM children ORDER BY id").await;
    let (left_long_ago, left_lately) = (&children[..10], &children[10..15]);
    app.execute(&format!(
        "UPDATE enrolments SET to_day = '2026-10-15' WHERE to_day IS NULL AND child_id IN ({})",
        list(left_long_ago)
    ))
    .await;
    app.execute(&format!(
        "UPDATE enrolments SET to_day = '2026-10-20' WHERE to_day IS NULL AND child_id IN ({})",
        list(left_lately)
    ))
    .await;
    // Two guardians of leavers who must stay named: one also has a child who stays,
    // one is a teacher too.
    let guardians_of = |child: i64| {
        format!("SELECT person_id FROM child_guardians WHERE child_id = {child} ORDER BY person_id")
    };
    let with_another_child = ids(&app, &guardians_of(left_long_ago[0])).await[0];
    app.execute(&format!(
        "INSERT INTO child_guardians (child_id, person_id, relation) VALUES ({}, {with_another_child}, 'мать')",
        children[40]
    ))
    .await;
    let also_teacher = ids(&app, &guardians_of(left_long_ago[1])).await[0];
    let organisation = app.scalar("SELECT MIN(id) FROM organisations").await;
    app.execute(&format!(
        "INSERT INTO role_grants (person_id, role, organisation_id) VALUES ({also_teacher}, 'teacher', {organisation})"
    ))
    .await;

    let figures_before = figures(&app).await;
    let people_before = surnames(&app, "people").await;
    let children_before = surnames(&app, "children").await;

    // Who should go, by SQL of its own: every child whose stays all ended before the
    // cutoff (the generator's own leavers among them), and their parents who have no
    // other child and no other role.
    let expected_children = ids(
        &app,
        "SELECT child_id FROM enrolments GROUP BY child_id \
         HAVING COUNT(*) = COUNT(to_day) AND MAX(to_day) < '2026-10-16' ORDER BY child_id",
    )
    .await;
    for child in left_long_ago {
        assert!(expected_children.contains(child), "{child}");
    }
    for child in left_lately {
        assert!(!expected_children.contains(child), "{child}");
    }
    let gone = list(&expected_children);
    let expected_parents = ids(
        &app,
        &format!(
            "SELECT DISTINCT person_id FROM child_guardians WHERE child_id IN ({gone}) \
             AND person_id NOT IN (SELECT person_id FROM child_guardians WHERE child_id NOT IN ({gone})) \
             AND person_id NOT IN (SELECT person_id FROM role_grants WHERE role <> 'parent') \
             ORDER BY person_id"
        ),
    )
    .await;
    assert!(!expected_parents.is_empty());
    assert!(!expected_parents.contains(&with_another_child));
    assert!(!expected_parents.contains(&also_teacher));

    // A dry run names them and changes nothing.
    let due = app::retention::due(&db, day(TODAY), YEARS).await.unwrap();
    assert_eq!(due.cutoff, day("2026-10-16"));
    assert_eq!(due.children, expected_children);
    assert_eq!(due.parents, expected_parents);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM children WHERE anonymised_at IS NOT NULL")
            .await,
        0
    );

    let parent_login: Option<String> = {
        let mut conn = sqlx::AnyConnection::connect(&app.database_url)
            .await
            .unwrap();
        sqlx::query_scalar(&format!(
            "SELECT login FROM accounts WHERE person_id IN ({}) ORDER BY person_id LIMIT 1",
            list(&expected_parents)
        ))
        .fetch_optional(&mut conn)
        .await
        .unwrap()
    };
    if let Some(login) = &parent_login {
        let res = app
            .login_with(&crate::helpers::new_client(), login, "region-2026")
            .await;
        assert_eq!(
            res.status().as_u16(),
            200,
            "the parent could sign in before"
        );
    }
    let done = app::retention::anonymise(&db, day(TODAY), YEARS, 1_900_000_000_000)
        .await
        .unwrap();
    assert_eq!(done, due);

    assert_eq!(
        ids(
            &app,
            "SELECT id FROM children WHERE anonymised_at IS NOT NULL ORDER BY id"
        )
        .await,
        expected_children
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM children WHERE id IN ({gone}) AND surname = 'Обезличено' \
             AND patronymic = '' AND birth_date LIKE '%-01-01'"
        ))
        .await,
        expected_children.len() as i64
    );
    assert_eq!(
        ids(
            &app,
            "SELECT id FROM people WHERE anonymised_at IS NOT NULL ORDER BY id"
        )
        .await,
        expected_parents
    );
    let anonymous = list(&expected_parents);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM people WHERE id IN ({anonymous}) AND (email IS NOT NULL \
             OR phone IS NOT NULL OR surname <> 'Обезличено')"
        ))
        .await,
        0
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM accounts WHERE person_id IN ({anonymous}) \
             AND (archived = 0 OR login NOT LIKE 'anonymised-%')"
        ))
        .await,
        0
    );
    // Everybody else keeps their name.
    for ((id, before), (_, after)) in people_before.iter().zip(&surnames(&app, "people").await) {
        if !expected_parents.contains(id) {
            assert_eq!(before, after, "person {id}");
        }
    }
    for ((id, before), (_, after)) in children_before
        .iter()
        .zip(&surnames(&app, "children").await)
    {
        if !expected_children.contains(id) {
            assert_eq!(before, after, "child {id}");
        }
    }
    // The marks are all there, and the табели add up as before.
    assert_eq!(figures(&app).await, figures_before);

    // A second run the same day finds nobody.
    let again = app::retention::anonymise(&db, day(TODAY), YEARS, 1_900_000_000_001)
        .await
        .unwrap();
    assert!(
        again.children.is_empty() && again.parents.is_empty(),
        "{again:?}"
    );
    // Nobody signs in as a placeholder.
    if let Some(login) = &parent_login {
        let res = app
            .login_with(&crate::helpers::new_client(), login, "region-2026")
            .await;
        assert_eq!(res.status().as_u16(), 401);
    }
}
