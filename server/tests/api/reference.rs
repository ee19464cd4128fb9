use serde_json::{json, Value};
use server::demo::{ADMIN, ADMIN2, MUNICIPAL, PARENT, TEACHER};

use crate::helpers::{TestApp, User};

crate::on_both_backends!(
    true,
    an_organisation_overrides_a_reason_and_the_timesheet_follows,
    bad_reasons_are_refused,
    an_archived_reason_is_no_longer_offered_and_past_marks_keep_it,
    the_calendar_decides_which_days_are_marked,
    only_the_admin_keeps_the_reference_books,
    the_fee_flags_resolve_municipality_then_organisation,
);

async fn mark(user: &User, group: i64, date: &str, child: i64, mark: Value) -> reqwest::Response {
    user.client
        .post(format!("{}/api/save_marks", user.address))
        .json(&json!({ "group_id": group, "date": date, "marks": [{ "child_id": child, "mark": mark }] }))
        .send()
        .await
        .unwrap()
}

async fn an_organisation_overrides_a_reason_and_the_timesheet_follows(app: TestApp) {
    let admin = app.signed_in(ADMIN.login, ADMIN.password).await;
    let teacher = app.signed_in(TEACHER.login, TEACHER.password).await;
    let sun = app
        .scalar("SELECT id FROM groups WHERE name = 'Солнышко'")
        .await;
    let child = app
        .scalar("SELECT id FROM children WHERE surname = 'Иванова'")
        .await;
    mark(
        &teacher,
        sun,
        "2026-11-02",
        child,
        json!({ "Absent": { "reason": "П" } }),
    )
    .await;
    let charged = |view: &Value| view["sheet"]["rows"][0]["totals"]["charged_days"].clone();
    let before = teacher
        .json(
            "timesheet",
            &[("group_id", &sun.to_string()), ("month", "2026-11")],
        )
        .await;
    assert_eq!(charged(&before), json!(1), "by default «П» is charged");

    admin
        .json(
            "save_reason",
            &[
                ("code", "п"),
                ("name_ru", "прочие уважительные"),
                ("name_en", "other"),
                ("excused", "on"),
            ],
        )
        .await;
    let reasons = admin.json("list_reasons", &[]).await;
    let p = reason(&reasons, "П");
    assert_eq!(
        (p["excused"].clone(), p["charged"].clone(), p["own"].clone()),
        (json!(true), json!(false), json!(true))
    );
    assert_eq!(
        reasons.as_array().unwrap().len(),
        6,
        "the override replaces the default, no duplicate"
    );
    let after = teacher
        .json(
            "timesheet",
            &[("group_id", &sun.to_string()), ("month", "2026-11")],
        )
        .await;
    assert_eq!(
        charged(&after),
        json!(0),
        "not charged in this organisation any more"
    );

    // Another organisation still has the default.
    let admin2 = app.signed_in(ADMIN2.login, ADMIN2.password).await;
    let theirs = admin2.json("list_reasons", &[]).await;
    let p2 = reason(&theirs, "П");
    assert_eq!(
        (p2["charged"].clone(), p2["own"].clone()),
        (json!(true), json!(false))
    );
}

async fn bad_reasons_are_refused(app: TestApp) {
    let admin = app.signed_in(ADMIN.login, ADMIN.password).await;
    for (code, name, field) in [
        ("", "x", "code"),
        ("ABCD", "x", "code"),
        ("В", "выходной", "code"),
        ("Ж", "", "name_ru"),
    ] {
        let res = admin
            .call(
                "save_reason",
                &[("code", code), ("name_ru", name), ("name_en", "")],
            )
            .await;
        assert_eq!(res.status().as_u16(), 400, "{code:?}");
        let err: Value = res.json().await.unwrap();
        assert_eq!(err["field"], field, "{code:?}");
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM absence_reasons WHERE organisation_id IS NOT NULL")
            .await,
        0
    );
}

fn reason<'a>(book: &'a Value, code: &str) -> &'a Value {
    book.as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == code)
        .unwrap_or_else(|| panic!("no reason {code} in {book}"))
}

async fn an_archived_reason_is_no_longer_offered_and_past_marks_keep_it(app: TestApp) {
    let admin = app.signed_in(ADMIN.login, ADMIN.password).await;
    let teacher = app.signed_in(TEACHER.login, TEACHER.password).await;
    let parent = app.signed_in(PARENT.login, PARENT.password).await;
    let sun = app
        .scalar("SELECT id FROM groups WHERE name = 'Солнышко'")
        .await;
    let child = app
        .scalar("SELECT id FROM children WHERE surname = 'Иванова'")
        .await;
    let sanatorium = json!({ "Absent": { "reason": "С" } });
    assert_eq!(
        mark(&teacher, sun, "2026-11-02", child, sanatorium.clone())
            .await
            .status(),
        200
    );

    // Neither a teacher nor a foreign admin archives; an unknown code is not found.
    let archive = [("code", "С"), ("archived", "true")];
    assert_eq!(teacher.call("archive_reason", &archive).await.status(), 403);
    let unknown = admin
        .call("archive_reason", &[("code", "Ъ"), ("archived", "true")])
        .await;
    assert_eq!(unknown.status(), 404);
    admin.json("archive_reason", &archive).await;

    let book = admin.json("list_reasons", &[]).await;
    let s = reason(&book, "С");
    assert_eq!(
        (s["archived"].clone(), s["own"].clone()),
        (json!(true), json!(true))
    );
    assert_eq!(book.as_array().unwrap().len(), 6, "archived, not removed");
    let admin2 = app.signed_in(ADMIN2.login, ADMIN2.password).await;
    let theirs = admin2.json("list_reasons", &[]).await;
    assert_eq!(
        reason(&theirs, "С")["archived"],
        json!(false),
        "only this organisation's"
    );

    // The teacher's sheet still names it (for the mark made with it), flagged archived.
    let sheet = teacher
        .json(
            "marking_sheet",
            &[("group_id", &sun.to_string()), ("date", "2026-11-02")],
        )
        .await;
    assert_eq!(reason(&sheet["reasons"], "С")["archived"], json!(true));
    assert_eq!(reason(&sheet["reasons"], "Б")["archived"], json!(false));

    // A parent is not offered it and cannot announce with it.
    let child_id = child.to_string();
    let absences = parent
        .json("child_absences", &[("child_id", &child_id)])
        .await;
    let offered: Vec<&str> = absences["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert!(
        !offered.contains(&"С") && offered.contains(&"Б"),
        "{offered:?}"
    );
    let today = chrono::Local::now().date_naive().to_string();
    let announce = |reason: &'static str| {
        [
            ("child_id", child_id.clone()),
            ("date_from", today.clone()),
            ("date_to", today.clone()),
            ("reason", reason.to_owned()),
            ("comment", String::new()),
        ]
    };
    let form = announce("С");
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = parent.call("announce_absence", &form).await;
    assert_eq!(res.status(), 400);
    let err: Value = res.json().await.unwrap();
    assert_eq!(err["field"], "reason", "{err}");

    // The month marked before keeps its excused day.
    let month = [
        ("group_id", sun.to_string()),
        ("month", "2026-11".to_owned()),
    ];
    let month: Vec<(&str, &str)> = month.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let totals = |view: &Value| view["sheet"]["rows"][0]["totals"].clone();
    let view = teacher.json("timesheet", &month).await;
    assert_eq!(
        totals(&view)["absent_excused"],
        json!(1),
        "{}",
        totals(&view)
    );
    // A tablet that still offered it is not refused: its mark would otherwise be lost.
    assert_eq!(
        mark(&teacher, sun, "2026-11-03", child, sanatorium)
            .await
            .status(),
        200
    );

    // Changing an archived reason keeps it archived; restoring offers it again.
    admin
        .json(
            "save_reason",
            &[
                ("code", "С"),
                ("name_ru", "санаторий"),
                ("name_en", "sanatorium"),
                ("excused", "on"),
            ],
        )
        .await;
    let book = admin.json("list_reasons", &[]).await;
    assert_eq!(reason(&book, "С")["archived"], json!(true));
    admin
        .json("archive_reason", &[("code", "С"), ("archived", "false")])
        .await;
    let absences = parent
        .json("child_absences", &[("child_id", &child_id)])
        .await;
    assert_eq!(reason(&absences["reasons"], "С")["code"], "С");
    let form = announce("С");
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(parent.call("announce_absence", &form).await.status(), 200);
}

async fn the_calendar_decides_which_days_are_marked(app: TestApp) {
    let admin = app.signed_in(ADMIN.login, ADMIN.password).await;
    let teacher = app.signed_in(TEACHER.login, TEACHER.password).await;
    let sun = app
        .scalar("SELECT id FROM groups WHERE name = 'Солнышко'")
        .await;
    let child = app
        .scalar("SELECT id FROM children WHERE surname = 'Иванова'")
        .await;

    admin
        .json(
            "set_calendar_day",
            &[("day", "2026-11-03"), ("kind", "holiday")],
        )
        .await;
    assert_eq!(
        mark(&teacher, sun, "2026-11-03", child, json!("Present"))
            .await
            .status()
            .as_u16(),
        409
    );
    admin
        .json(
            "set_calendar_day",
            &[("day", "2026-11-07"), ("kind", "working")],
        )
        .await;
    assert_eq!(
        mark(&teacher, sun, "2026-11-07", child, json!("Present"))
            .await
            .status()
            .as_u16(),
        200
    );
    let days = admin.json("list_calendar_days", &[("year", "2026")]).await;
    assert!(days
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["day"] == "2026-11-07" && d["kind"] == "working"));

    // A working Saturday is fine, a «transferred working day» on a Tuesday is not.
    let res = admin
        .call(
            "set_calendar_day",
            &[("day", "2026-11-10"), ("kind", "working")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 400);
    // Back to an ordinary weekday: it can be marked again.
    admin
        .json(
            "set_calendar_day",
            &[("day", "2026-11-03"), ("kind", "weekday")],
        )
        .await;
    assert_eq!(
        mark(&teacher, sun, "2026-11-03", child, json!("Present"))
            .await
            .status()
            .as_u16(),
        200
    );
    let view = teacher
        .json(
            "timesheet",
            &[("group_id", &sun.to_string()), ("month", "2026-11")],
        )
        .await;
    assert_eq!(
        view["sheet"]["rows"][0]["totals"]["working_days"], 21,
        "20 weekdays + the worked Saturday"
    );
}

async fn only_the_admin_keeps_the_reference_books(app: TestApp) {
    let teacher = app.signed_in(TEACHER.login, TEACHER.password).await;
    assert_eq!(
        teacher.call("list_reasons", &[]).await.status().as_u16(),
        403
    );
    let res = teacher
        .call(
            "save_reason",
            &[("code", "Ж"), ("name_ru", "прочее"), ("name_en", "")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 403);
    let res = teacher
        .call(
            "set_calendar_day",
            &[("day", "2026-11-03"), ("kind", "holiday")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 403);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM calendar_days WHERE day = '2026-11-03'")
            .await,
        0
    );
}

/// The region excuses a vacation and exempts it from the fee; the municipality charges
/// it; the organisation exempts it again for itself; the municipality goes back to the
/// region's rule. The табель's charged days follow each step.
async fn the_fee_flags_resolve_municipality_then_organisation(app: TestApp) {
    let municipal = app.signed_in(MUNICIPAL.login, MUNICIPAL.password).await;
    let admin = app.signed_in(ADMIN.login, ADMIN.password).await;
    let teacher = app.signed_in(TEACHER.login, TEACHER.password).await;
    let sun = app
        .scalar("SELECT id FROM groups WHERE name = 'Солнышко'")
        .await;
    let child = app
        .scalar("SELECT id FROM children WHERE surname = 'Иванова'")
        .await;
    let res = mark(
        &teacher,
        sun,
        "2026-11-02",
        child,
        json!({ "Absent": { "reason": "О" } }),
    )
    .await;
    assert_eq!(res.status().as_u16(), 200);
    let charged = || async {
        let view = teacher
            .json(
                "timesheet",
                &[("group_id", &sun.to_string()), ("month", "2026-11")],
            )
            .await;
        view["sheet"]["rows"][0]["totals"]["charged_days"].clone()
    };
    let vacation = |rows: &Value| -> Value {
        rows.as_array()
            .unwrap()
            .iter()
            .find(|r| r["code"] == "О")
            .cloned()
            .unwrap()
    };
    assert_eq!(charged().await, json!(0), "the region exempts a vacation");

    let set = municipal
        .call(
            "set_municipal_reason_flags",
            &[("code", "О"), ("excused", "on"), ("charged", "on")],
        )
        .await;
    assert_eq!(set.status().as_u16(), 200, "{}", set.text().await.unwrap());
    let seen = vacation(&municipal.json("municipal_reasons", &[]).await);
    assert_eq!(
        (
            seen["charged"].clone(),
            seen["regional_charged"].clone(),
            seen["set_here"].clone()
        ),
        (json!(true), json!(false), json!(true))
    );
    assert_eq!(charged().await, json!(1), "the municipality charges it");
    let admins_view = vacation(&admin.json("list_reasons", &[]).await);
    assert_eq!(
        (
            admins_view["charged"].clone(),
            admins_view["municipal"].clone(),
            admins_view["own"].clone()
        ),
        (json!(true), json!(true), json!(false))
    );

    admin
        .json(
            "save_reason",
            &[
                ("code", "О"),
                ("name_ru", "отпуск"),
                ("name_en", "vacation"),
                ("excused", "on"),
            ],
        )
        .await;
    assert_eq!(charged().await, json!(0), "the organisation's own row wins");
    let admins_view = vacation(&admin.json("list_reasons", &[]).await);
    assert_eq!(
        (admins_view["municipal"].clone(), admins_view["own"].clone()),
        (json!(false), json!(true))
    );
    app.execute("DELETE FROM absence_reasons WHERE organisation_id IS NOT NULL")
        .await;
    assert_eq!(
        charged().await,
        json!(1),
        "without it, the municipality's rule again"
    );

    let reset = municipal
        .call(
            "set_municipal_reason_flags",
            &[("code", "О"), ("reset", "on")],
        )
        .await;
    assert_eq!(reset.status().as_u16(), 200);
    assert_eq!(charged().await, json!(0), "back to the region's rule");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM municipal_reason_flags")
            .await,
        0
    );

    // Only the municipal specialist sets them, and only for the region's reasons.
    let unknown = municipal
        .call(
            "set_municipal_reason_flags",
            &[("code", "Ы"), ("excused", "on")],
        )
        .await;
    assert_eq!(unknown.status().as_u16(), 404);
    for (login, password) in [
        (ADMIN.login, ADMIN.password),
        (TEACHER.login, TEACHER.password),
        (PARENT.login, PARENT.password),
    ] {
        let user = app.signed_in(login, password).await;
        let res = user
            .call(
                "set_municipal_reason_flags",
                &[("code", "О"), ("charged", "on")],
            )
            .await;
        assert_eq!(res.status().as_u16(), 403, "{login}");
        let res = user.call("municipal_reasons", &[]).await;
        assert_eq!(res.status().as_u16(), 403, "{login}");
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM municipal_reason_flags")
            .await,
        0
    );
}
