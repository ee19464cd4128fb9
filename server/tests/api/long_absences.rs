//! The long-absence report: a hand-made month checked against direct SQL counts, the
//! organisation's thresholds, the downloads, and who may see it. November 2026 with the
//! demo calendar: 4 Nov a holiday, weekends off.

use serde_json::{json, Value};
use server::demo::{ADMIN, ADMIN2, MUNICIPAL, PARENT, TEACHER};

use crate::helpers::{TestApp, User};

crate::on_both_backends!(
    true,
    the_report_lists_long_streaks_and_unexplained_days,
    only_admins_and_the_municipality_see_it,
);

async fn save(user: &User, group: i64, date: &str, marks: Value) {
    let res = user
        .client
        .post(format!("{}/api/save_marks", user.address))
        .json(&json!({ "group_id": group, "date": date, "marks": marks }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status().as_u16(),
        200,
        "{date}: {}",
        res.text().await.unwrap()
    );
}

async fn id(app: &TestApp, sql: &str) -> i64 {
    app.scalar(sql).await
}

/// Иванова ill 12–18 Nov (5 working days over a weekend); Петров absent without a
/// reason on 2, 3 and 5 Nov (the 4th is a holiday, so that is a streak of 3); the
/// others present on those days.
async fn mark_november(app: &TestApp) -> (i64, i64) {
    let teacher = app.signed_in(TEACHER.login, TEACHER.password).await;
    let sun = id(app, "SELECT id FROM groups WHERE name = 'Солнышко'").await;
    let ivanova = id(app, "SELECT id FROM children WHERE surname = 'Иванова'").await;
    let petrov = id(app, "SELECT id FROM children WHERE surname = 'Петров'").await;
    for day in ["02", "03", "05", "12", "13", "16", "17", "18"] {
        let date = format!("2026-11-{day}");
        let ill = ["12", "13", "16", "17", "18"].contains(&day);
        let marks = json!([
            { "child_id": ivanova, "mark": if ill { json!({ "Absent": { "reason": "Б" } }) } else { json!("Present") } },
            { "child_id": petrov, "mark": if ill { json!("Present") } else { json!({ "Absent": { "reason": null } }) } },
        ]);
        save(&teacher, sun, &date, marks).await;
    }
    (ivanova, petrov)
}

fn row_of(report: &Value, child: i64) -> Option<Value> {
    report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["child_id"] == child)
        .cloned()
}

async fn the_report_lists_long_streaks_and_unexplained_days(app: TestApp) {
    let (ivanova, petrov) = mark_november(&app).await;
    let admin = app.signed_in(ADMIN.login, ADMIN.password).await;
    let report = admin.json("long_absences", &[("month", "2026-11")]).await;
    assert_eq!(report["rows"].as_array().unwrap().len(), 2, "{report}");

    let ill = row_of(&report, ivanova).expect("Иванова's streak is listed");
    assert_eq!(ill["child"], "Иванова Мария Сергеевна");
    assert_eq!(ill["group"], "Солнышко");
    let streak = &ill["streaks"][0];
    assert_eq!(
        (streak["from"].as_str(), streak["to"].as_str()),
        (Some("2026-11-12"), Some("2026-11-18"))
    );
    assert_eq!(streak["working_days"], 5);
    // The streak's length is the number of absent marks between its ends: no working
    // day inside it is missing or present.
    let direct = app
        .count(&format!(
            "SELECT COUNT(*) FROM marks WHERE child_id = {ivanova} AND status = 'absent' \
             AND day >= '2026-11-12' AND day <= '2026-11-18'"
        ))
        .await;
    assert_eq!(streak["working_days"], direct);
    assert_eq!(ill["unexplained"], 0, "illness is excused");

    let unexplained = row_of(&report, petrov).expect("Петров's unexplained days are listed");
    assert_eq!(
        unexplained["streaks"],
        json!([]),
        "3 days in a row are under 5"
    );
    let direct = app
        .count(&format!(
            "SELECT COUNT(*) FROM marks m LEFT JOIN absence_reasons r ON r.code = m.reason \
             AND r.organisation_id IS NULL WHERE m.child_id = {petrov} AND m.status = 'absent' \
             AND m.day LIKE '2026-11-%' AND COALESCE(r.excused, 0) = 0"
        ))
        .await;
    assert_eq!(unexplained["unexplained"], direct);
    assert_eq!(unexplained["unexplained_listed"], true);

    // The organisation's thresholds decide: a streak of 6 and 4 unexplained days.
    app.execute("UPDATE organisations SET long_absence_days = 6, unexplained_days = 4")
        .await;
    let stricter = admin.json("long_absences", &[("month", "2026-11")]).await;
    assert_eq!(stricter["rows"], json!([]), "{stricter}");
    app.execute("UPDATE organisations SET long_absence_days = 3, unexplained_days = 3")
        .await;
    let looser = admin.json("long_absences", &[("month", "2026-11")]).await;
    let petrov_row = row_of(&looser, petrov).unwrap();
    assert_eq!(petrov_row["streaks"][0]["working_days"], 3);
    assert_eq!(petrov_row["streaks"][0]["reasons"], json!([""]));
    // Another month has none of it.
    let october = admin.json("long_absences", &[("month", "2026-10")]).await;
    assert_eq!(october["rows"], json!([]));

    // The downloads carry the same rows.
    let csv = admin
        .client
        .get(format!("{}/export/absences/2026-11.csv", admin.address))
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status().as_u16(), 200);
    let text = csv.text().await.unwrap();
    assert!(text.starts_with('\u{feff}'), "a BOM for spreadsheets");
    let line = text
        .lines()
        .find(|l| l.contains("Иванова Мария Сергеевна"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        line.contains(";12.11–18.11.2026 (5 раб. дн.: Б);0"),
        "{line}"
    );
    let xlsx = admin
        .client
        .get(format!("{}/export/absences/2026-11.xlsx", admin.address))
        .send()
        .await
        .unwrap();
    assert_eq!(xlsx.status().as_u16(), 200);
    assert_eq!(&xlsx.bytes().await.unwrap()[..2], b"PK");
}

async fn only_admins_and_the_municipality_see_it(app: TestApp) {
    let (ivanova, _) = mark_november(&app).await;
    let municipal = app.signed_in(MUNICIPAL.login, MUNICIPAL.password).await;
    let seen = municipal
        .json("long_absences", &[("month", "2026-11")])
        .await;
    let row = row_of(&seen, ivanova).expect("the municipality sees its organisations' children");
    assert_eq!(seen["several_organisations"], true);
    assert!(row["organisation"].as_str().unwrap().len() > 1);

    let other_admin = app.signed_in(ADMIN2.login, ADMIN2.password).await;
    let theirs = other_admin
        .json("long_absences", &[("month", "2026-11")])
        .await;
    assert_eq!(
        row_of(&theirs, ivanova),
        None,
        "another organisation's admin"
    );

    for (login, password) in [
        (TEACHER.login, TEACHER.password),
        (PARENT.login, PARENT.password),
    ] {
        let user = app.signed_in(login, password).await;
        let res = user.call("long_absences", &[("month", "2026-11")]).await;
        assert_eq!(res.status().as_u16(), 403, "{login}");
        let file = user
            .client
            .get(format!("{}/export/absences/2026-11.csv", user.address))
            .send()
            .await
            .unwrap();
        assert_eq!(file.status().as_u16(), 403, "{login}");
    }
    let anonymous = crate::helpers::new_client();
    let res = anonymous
        .get(format!("{}/export/absences/2026-11.csv", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 401);
    // A month that is not one is refused with a reason.
    let admin = app.signed_in(ADMIN.login, ADMIN.password).await;
    let bad = admin.call("long_absences", &[("month", "2026-13")]).await;
    assert_eq!(bad.status().as_u16(), 400);
}
