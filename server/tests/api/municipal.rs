//! The municipal specialist's month: figures cross-checked with direct SQL counts, the
//! CSV and XLSX downloads, and who may see them.

use serde_json::{json, Value};
use server::demo::{ADMIN, MUNICIPAL, PARENT, TEACHER, TEACHER2};

use crate::helpers::{TestApp, User};

crate::on_both_backends!(
    true,
    the_month_adds_up_and_downloads,
    only_the_municipal_specialist_sees_it,
    the_tallies_follow_every_change_of_a_mark,
    the_specialist_sees_which_organisations_signed_off_the_month,
);

async fn the_specialist_sees_which_organisations_signed_off_the_month(app: TestApp) {
    let municipal = app.signed_in(MUNICIPAL.login, MUNICIPAL.password).await;
    let admin = app.signed_in(ADMIN.login, ADMIN.password).await;
    let month = || async {
        municipal
            .json("municipal_month", &[("month", "2026-11")])
            .await
    };
    let org1 = app
        .scalar("SELECT organisation_id FROM groups WHERE name = 'Солнышко'")
        .await;
    let groups_of_org1 = app
        .scalar(&format!(
            "SELECT COUNT(*) FROM groups WHERE organisation_id = {org1} AND archived = 0"
        ))
        .await;
    let progress = |seen: &Value, org: i64| -> Value {
        seen["sign_offs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["id"] == org)
            .map(|o| o["progress"].clone())
            .unwrap_or(Value::Null)
    };
    let before = month().await;
    assert_eq!(
        progress(&before, org1),
        json!({ "groups": groups_of_org1, "submitted": 0, "signed": 0 })
    );
    // One group submitted by its teacher (straight in the table: the submission's own
    // rules are tested with the табель), then every group signed off one by one.
    let sun = app
        .scalar("SELECT id FROM groups WHERE name = 'Солнышко'")
        .await;
    let teacher = app
        .scalar(&format!(
            "SELECT p.id FROM people p JOIN accounts a ON a.person_id = p.id WHERE a.login = '{}'",
            TEACHER.login
        ))
        .await;
    app.execute(&format!(
        "INSERT INTO month_close_requests (group_id, month, requested_by, requested_at) \
         VALUES ({sun}, '2026-11', {teacher}, 0)"
    ))
    .await;
    assert_eq!(
        progress(&month().await, org1),
        json!({ "groups": groups_of_org1, "submitted": 1, "signed": 0 })
    );
    let ids: Vec<i64> = {
        let mut ids = Vec::new();
        for n in 0..groups_of_org1 {
            ids.push(
                app.scalar(&format!(
                    "SELECT id FROM groups WHERE organisation_id = {org1} AND archived = 0 \
                     ORDER BY id LIMIT 1 OFFSET {n}"
                ))
                .await,
            );
        }
        ids
    };
    for (signed, group) in ids.iter().enumerate() {
        let group = group.to_string();
        admin
            .json(
                "set_month_closed",
                &[
                    ("group_id", group.as_str()),
                    ("month", "2026-11"),
                    ("closed", "true"),
                ],
            )
            .await;
        let seen = progress(&month().await, org1);
        assert_eq!(seen["signed"], signed as i64 + 1, "{seen}");
    }
    let after = month().await;
    assert_eq!(
        progress(&after, org1),
        json!({ "groups": groups_of_org1, "submitted": groups_of_org1, "signed": groups_of_org1 })
    );
    // The other month and the other organisation are untouched; the specialist's own
    // municipality only.
    let october = municipal
        .json("municipal_month", &[("month", "2026-10")])
        .await;
    assert_eq!(progress(&october, org1)["signed"], 0);
    let org2 = app
        .scalar("SELECT organisation_id FROM groups WHERE name = 'Радуга'")
        .await;
    let org2_seen = progress(&after, org2);
    if org2_seen != Value::Null {
        assert_eq!(org2_seen["signed"], 0);
    }
    let direct = app
        .count(&format!(
            "SELECT COUNT(*) FROM month_closures c JOIN groups g ON g.id = c.group_id \
             WHERE g.organisation_id = {org1} AND c.month = '2026-11'"
        ))
        .await;
    assert_eq!(direct, groups_of_org1);
}

/// Rows of `mark_tallies` (n > 0) that a direct count of `marks` does not give, plus
/// the counts the tallies miss: 0 when they are in step.
async fn tallies_out_of_step(app: &TestApp) -> i64 {
    let direct = "SELECT g.organisation_id, m.day, m.status, COALESCE(m.reason, '') AS reason, \
                  COUNT(*) AS n FROM marks m JOIN children c ON c.id = m.child_id \
                  JOIN groups g ON g.id = c.group_id \
                  GROUP BY g.organisation_id, m.day, m.status, COALESCE(m.reason, '')";
    let tallies = "SELECT organisation_id, day, status, reason, n FROM mark_tallies WHERE n > 0";
    app.count(&format!(
        "SELECT COUNT(*) FROM ({tallies} EXCEPT {direct}) extra"
    ))
    .await
        + app
            .count(&format!(
                "SELECT COUNT(*) FROM ({direct} EXCEPT {tallies}) missing"
            ))
            .await
}

async fn the_tallies_follow_every_change_of_a_mark(app: TestApp) {
    let sun = app
        .scalar("SELECT id FROM groups WHERE name = 'Солнышко'")
        .await;
    let teacher = app.signed_in(TEACHER.login, TEACHER.password).await;
    let children = children_of(&app, sun).await;
    let day = |mark: fn(usize) -> Value| -> Value {
        json!(children
            .iter()
            .enumerate()
            .map(|(i, c)| json!({ "child_id": c, "mark": mark(i) }))
            .collect::<Vec<_>>())
    };
    save(&teacher, sun, "2026-11-02", day(|_| json!("Present"))).await;
    save(
        &teacher,
        sun,
        "2026-11-03",
        day(|i| match i % 3 {
            0 => json!({ "Absent": { "reason": "Б" } }),
            1 => json!({ "Absent": { "reason": null } }),
            _ => json!("Present"),
        }),
    )
    .await;
    assert_eq!(tallies_out_of_step(&app).await, 0);
    // Corrections: every present child absent, the reasons changed, one unchanged.
    save(
        &teacher,
        sun,
        "2026-11-02",
        day(|i| {
            if i == 0 {
                json!("Present")
            } else {
                json!({ "Absent": { "reason": "О" } })
            }
        }),
    )
    .await;
    save(
        &teacher,
        sun,
        "2026-11-03",
        day(|i| match i % 3 {
            0 => json!({ "Absent": { "reason": "К" } }),
            1 => json!("Present"),
            _ => json!("Present"),
        }),
    )
    .await;
    assert_eq!(tallies_out_of_step(&app).await, 0);
    assert!(
        app.count("SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM mark_tallies")
            .await
            >= 2 * children.len() as i64,
        "the tallies count the marks"
    );
    // Changes made outside the app's paths (a DBA's fix) are followed too.
    let mut conn = {
        use sqlx::Connection;
        sqlx::any::install_default_drivers();
        sqlx::AnyConnection::connect(&app.database_url)
            .await
            .unwrap()
    };
    sqlx::query(&format!(
        "DELETE FROM marks WHERE child_id = {} AND day = '2026-11-02'",
        children[1]
    ))
    .execute(&mut conn)
    .await
    .unwrap();
    sqlx::query(&format!(
        "UPDATE marks SET day = '2026-11-04' WHERE child_id = {} AND day = '2026-11-03'",
        children[2]
    ))
    .execute(&mut conn)
    .await
    .unwrap();
    assert_eq!(tallies_out_of_step(&app).await, 0);
}

async fn save(user: &User, group: i64, day: &str, marks: Value) {
    let res = user
        .client
        .post(format!("{}/api/save_marks", user.address))
        .json(&json!({ "group_id": group, "date": day, "marks": marks }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200, "{}", res.text().await.unwrap());
}

async fn children_of(app: &TestApp, group: i64) -> Vec<i64> {
    let n = app
        .count(&format!(
            "SELECT COUNT(*) FROM children WHERE group_id = {group}"
        ))
        .await;
    let mut ids = Vec::new();
    for i in 0..n {
        ids.push(
            app.scalar(&format!(
                "SELECT id FROM children WHERE group_id = {group} ORDER BY id LIMIT 1 OFFSET {i}"
            ))
            .await,
        );
    }
    ids
}

async fn the_month_adds_up_and_downloads(app: TestApp) {
    let sun = app
        .scalar("SELECT id FROM groups WHERE name = 'Солнышко'")
        .await;
    let rainbow = app
        .scalar("SELECT id FROM groups WHERE name = 'Радуга'")
        .await;
    let teacher = app.signed_in(TEACHER.login, TEACHER.password).await;
    let teacher2 = app.signed_in(TEACHER2.login, TEACHER2.password).await;
    let sun_children = children_of(&app, sun).await;
    let rainbow_children = children_of(&app, rainbow).await;
    for (i, day) in ["2026-11-02", "2026-11-03", "2026-11-05"]
        .iter()
        .enumerate()
    {
        let marks: Vec<Value> = sun_children
            .iter()
            .enumerate()
            .map(|(j, c)| match (i + j) % 3 {
                0 => json!({ "child_id": c, "mark": { "Absent": { "reason": "Б" } } }),
                1 if i == 2 => json!({ "child_id": c, "mark": { "Absent": { "reason": null } } }),
                _ => json!({ "child_id": c, "mark": "Present" }),
            })
            .collect();
        save(&teacher, sun, day, json!(marks)).await;
    }
    let marks: Vec<Value> = rainbow_children
        .iter()
        .map(|c| json!({ "child_id": c, "mark": "Present" }))
        .collect();
    save(&teacher2, rainbow, "2026-11-02", json!(marks)).await;
    // October marks are not November's.
    save(
        &teacher,
        sun,
        "2026-10-01",
        json!([{ "child_id": sun_children[0], "mark": "Present" }]),
    )
    .await;

    let municipal = app.signed_in(MUNICIPAL.login, MUNICIPAL.password).await;
    let month = municipal
        .json("municipal_month", &[("month", "2026-11")])
        .await;
    assert_eq!(month["month"], "2026-11");
    let orgs = month["aggregate"]["organisations"].as_array().unwrap();
    assert_eq!(
        orgs.len() as i64,
        app.count("SELECT COUNT(*) FROM organisations").await
    );
    for org in orgs {
        let id = org["id"].as_i64().unwrap();
        let count = |filter: &str| {
            format!(
                "SELECT COUNT(*) FROM marks m JOIN children c ON c.id = m.child_id \
                 JOIN groups g ON g.id = c.group_id WHERE g.organisation_id = {id} \
                 AND m.day >= '2026-11-01' AND m.day <= '2026-11-30' {filter}"
            )
        };
        assert_eq!(
            org["tally"]["present"],
            app.count(&count("AND m.status = 'present'")).await,
            "{org}"
        );
        assert_eq!(
            org["tally"]["absent"],
            app.count(&count("AND m.status = 'absent'")).await,
            "{org}"
        );
    }
    let total = &month["aggregate"]["total"];
    let all = |filter: &str| {
        format!(
            "SELECT COUNT(*) FROM marks WHERE day >= '2026-11-01' AND day <= '2026-11-30' {filter}"
        )
    };
    assert_eq!(
        total["present"],
        app.count(&all("AND status = 'present'")).await
    );
    assert_eq!(
        month["aggregate"]["by_reason"]["Б"],
        app.count(&all("AND reason = 'Б'")).await
    );
    assert_eq!(
        month["aggregate"]["unexplained"],
        app.count(&all("AND status = 'absent' AND reason IS NULL"))
            .await
    );
    let days: Vec<&str> = month["aggregate"]["days"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["day"].as_str().unwrap())
        .collect();
    assert_eq!(days, ["2026-11-02", "2026-11-03", "2026-11-05"]);
    // Organisations listed as not marked today really have no mark today.
    for name in month["not_marked_today"].as_array().unwrap() {
        let org = orgs.iter().find(|o| &o["name"] == name).unwrap();
        assert_eq!(org["marked_today"], false);
    }

    let csv = municipal
        .client
        .get(format!("{}/export/municipal/2026-11.csv", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status().as_u16(), 200);
    assert!(csv.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let text = csv.text().await.unwrap();
    let present = total["present"].as_i64().unwrap();
    let absent = total["absent"].as_i64().unwrap();
    assert!(
        text.lines()
            .any(|l| l.starts_with(&format!("Всего;{};{present};{absent};", present + absent))),
        "{text}"
    );
    let xlsx = municipal
        .client
        .get(format!("{}/export/municipal/2026-11.xlsx", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(xlsx.status().as_u16(), 200);
    assert_eq!(&xlsx.bytes().await.unwrap()[..2], b"PK");
}

async fn only_the_municipal_specialist_sees_it(app: TestApp) {
    for account in [&ADMIN, &TEACHER, &PARENT] {
        let user = app.signed_in(account.login, account.password).await;
        assert_eq!(
            user.call("municipal_month", &[("month", "2026-11")])
                .await
                .status()
                .as_u16(),
            403,
            "{}",
            account.login
        );
        let csv = user
            .client
            .get(format!("{}/export/municipal/2026-11.csv", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(csv.status().as_u16(), 403);
    }
    let anonymous = crate::helpers::new_client();
    let res = anonymous
        .get(format!("{}/export/municipal/2026-11.csv", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 401);
    let municipal = app.signed_in(MUNICIPAL.login, MUNICIPAL.password).await;
    let res = municipal
        .call("municipal_month", &[("month", "2026-13")])
        .await;
    assert_eq!(res.status().as_u16(), 400);
}
