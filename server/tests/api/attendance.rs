//! Daily marking, its refusals, closing a month, the табель and its exports. Dates are
//! fixed days of November 2026 (in the past from the day this was written on), with
//! the demo calendar: 4 Nov a holiday, 7–8 Nov a weekend.

use serde_json::{json, Value};
use server::demo::{ADMIN, PARENT, TEACHER, TEACHER2};

use crate::helpers::{TestApp, User};

crate::on_both_backends!(
    true,
    a_teacher_marks_its_group_and_the_audit_records_each_change,
    days_that_cannot_be_marked_are_refused_with_the_reason,
    a_closed_month_refuses_marks_until_the_admin_reopens_it,
    the_history_of_a_mark_lists_every_change,
    a_teacher_submits_the_month_and_the_head_signs_it_off,
    the_timesheet_adds_up,
    the_timesheet_downloads_as_xlsx_and_pdf,
);

async fn group_id(app: &TestApp, name: &str) -> i64 {
    app.scalar(&format!("SELECT id FROM groups WHERE name = '{name}'"))
        .await
}

async fn child_id(app: &TestApp, surname: &str) -> i64 {
    app.scalar(&format!(
        "SELECT id FROM children WHERE surname = '{surname}'"
    ))
    .await
}

async fn save(user: &User, group: i64, date: &str, marks: Value) -> reqwest::Response {
    user.client
        .post(format!("{}/api/save_marks", user.address))
        .json(&json!({ "group_id": group, "date": date, "marks": marks }))
        .send()
        .await
        .unwrap()
}

async fn sheet(user: &User, group: i64, date: &str) -> Value {
    user.json(
        "marking_sheet",
        &[("group_id", &group.to_string()), ("date", date)],
    )
    .await
}

async fn a_teacher_marks_its_group_and_the_audit_records_each_change(app: TestApp) {
    let teacher = app.signed_in(TEACHER.login, TEACHER.password).await;
    let sun = group_id(&app, "Солнышко").await;
    let before = sheet(&teacher, sun, "2026-11-02").await;
    assert_eq!(before["refusal"], Value::Null);
    assert_eq!(before["children"].as_array().unwrap().len(), 4);
    assert!(before["children"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["mark"].is_null()));

    let ivanova = child_id(&app, "Иванова").await;
    let petrov = child_id(&app, "Петров").await;
    let res = save(
        &teacher,
        sun,
        "2026-11-02",
        json!([
            { "child_id": ivanova, "mark": "Present" },
            { "child_id": petrov, "mark": { "Absent": { "reason": "Б" } } },
        ]),
    )
    .await;
    assert_eq!(res.status().as_u16(), 200, "{}", res.text().await.unwrap());

    let after = sheet(&teacher, sun, "2026-11-02").await;
    let mark_of = |id: i64| {
        after["children"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["child_id"] == id)
            .unwrap()["mark"]
            .clone()
    };
    assert_eq!(mark_of(ivanova), json!("Present"));
    assert_eq!(mark_of(petrov), json!({ "Absent": { "reason": "Б" } }));
    assert_eq!(app.count("SELECT COUNT(*) FROM mark_audit").await, 2);

    // The same marks again change nothing and add no audit rows.
    let again: Value = save(
        &teacher,
        sun,
        "2026-11-02",
        json!([{ "child_id": ivanova, "mark": "Present" }]),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(again, json!(0));
    assert_eq!(app.count("SELECT COUNT(*) FROM mark_audit").await, 2);

    // A correction is audited with the old and the new value, the person and the path.
    save(
        &teacher,
        sun,
        "2026-11-02",
        json!([{ "child_id": petrov, "mark": { "Absent": { "reason": "О" } } }]),
    )
    .await;
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM mark_audit a JOIN accounts acc ON acc.person_id = a.by_person \
             WHERE a.child_id = {petrov} AND a.old_status = 'absent' AND a.old_reason = 'Б' \
             AND a.new_reason = 'О' AND acc.login = 'teacher' AND a.path = 'web'"
        ))
        .await,
        1
    );
}

async fn assert_refused(
    user: &User,
    group: i64,
    date: &str,
    child: i64,
    status: u16,
    fragment: &str,
) {
    let res = save(
        user,
        group,
        date,
        json!([{ "child_id": child, "mark": "Present" }]),
    )
    .await;
    assert_eq!(res.status().as_u16(), status, "{date}");
    let err: Value = res.json().await.unwrap();
    let ru = err["ru"].as_str().unwrap();
    assert!(ru.contains(fragment), "{date}: {ru}");
    assert!(!err["en"].as_str().unwrap().is_empty());
}

async fn days_that_cannot_be_marked_are_refused_with_the_reason(app: TestApp) {
    let teacher = app.signed_in(TEACHER.login, TEACHER.password).await;
    let sun = group_id(&app, "Солнышко").await;
    let ivanova = child_id(&app, "Иванова").await;
    assert_refused(
        &teacher,
        sun,
        "2026-11-04",
        ivanova,
        409,
        "праздничный день",
    )
    .await;
    assert_refused(&teacher, sun, "2026-11-07", ivanova, 409, "выходной день").await;
    assert_refused(
        &teacher,
        sun,
        "2099-11-02",
        ivanova,
        409,
        "ещё не наступило",
    )
    .await;
    assert_refused(&teacher, sun, "2026-08-31", ivanova, 409, "не числится").await;
    // A child of another group, and a group the teacher is not bound to.
    let popova = child_id(&app, "Попова").await;
    assert_refused(&teacher, sun, "2026-11-02", popova, 403, "нет в группе").await;
    let daisy = group_id(&app, "Ромашка").await;
    assert_refused(
        &teacher,
        daisy,
        "2026-11-02",
        popova,
        403,
        "Недостаточно прав",
    )
    .await;
    let teacher2 = app.signed_in(TEACHER2.login, TEACHER2.password).await;
    assert_refused(
        &teacher2,
        sun,
        "2026-11-02",
        ivanova,
        403,
        "Недостаточно прав",
    )
    .await;
    // The page says why a day cannot be marked.
    let holiday = sheet(&teacher, sun, "2026-11-04").await;
    assert!(holiday["refusal"].as_str().unwrap().contains("праздничный"));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM marks").await,
        0,
        "nothing was written"
    );
}

async fn a_closed_month_refuses_marks_until_the_admin_reopens_it(app: TestApp) {
    let teacher = app.signed_in(TEACHER.login, TEACHER.password).await;
    let admin = app.signed_in(ADMIN.login, ADMIN.password).await;
    let sun = group_id(&app, "Солнышко").await;
    let ivanova = child_id(&app, "Иванова").await;
    let sun_id = sun.to_string();
    let form = [
        ("group_id", sun_id.as_str()),
        ("month", "2026-11"),
        ("closed", "true"),
    ];
    assert_eq!(
        teacher
            .call("set_month_closed", &form)
            .await
            .status()
            .as_u16(),
        403,
        "only the admin closes"
    );
    assert_eq!(
        admin
            .call("set_month_closed", &form)
            .await
            .status()
            .as_u16(),
        200
    );

    assert_refused(&teacher, sun, "2026-11-02", ivanova, 409, "закрыт").await;
    assert!(sheet(&teacher, sun, "2026-11-02").await["refusal"]
        .as_str()
        .unwrap()
        .contains("закрыт"));
    // October is still open.
    assert_eq!(
        save(
            &teacher,
            sun,
            "2026-10-01",
            json!([{ "child_id": ivanova, "mark": "Present" }])
        )
        .await
        .status()
        .as_u16(),
        200
    );

    let without_reason = [
        ("group_id", sun_id.as_str()),
        ("month", "2026-11"),
        ("closed", "false"),
    ];
    let res = admin.call("set_month_closed", &without_reason).await;
    assert_eq!(res.status().as_u16(), 400, "reopening needs a reason");
    let err: Value = res.json().await.unwrap();
    assert_eq!(err["field"], "reason");
    let reopen = [
        ("group_id", sun_id.as_str()),
        ("month", "2026-11"),
        ("closed", "false"),
        ("reason", "Исправление ошибки в отметке 2 ноября"),
    ];
    assert_eq!(
        admin
            .call("set_month_closed", &reopen)
            .await
            .status()
            .as_u16(),
        200
    );
    assert_eq!(
        save(
            &teacher,
            sun,
            "2026-11-02",
            json!([{ "child_id": ivanova, "mark": "Present" }])
        )
        .await
        .status()
        .as_u16(),
        200
    );
}

async fn the_timesheet_adds_up(app: TestApp) {
    let teacher = app.signed_in(TEACHER.login, TEACHER.password).await;
    let sun = group_id(&app, "Солнышко").await;
    let ivanova = child_id(&app, "Иванова").await;
    let petrov = child_id(&app, "Петров").await;
    // Ivanova: present 2, 3, 5 Nov; absent ill (Б) 6 Nov; absent without reason 9 Nov.
    for (date, mark) in [
        ("2026-11-02", json!("Present")),
        ("2026-11-03", json!("Present")),
        ("2026-11-05", json!("Present")),
        ("2026-11-06", json!({ "Absent": { "reason": "Б" } })),
        ("2026-11-09", json!({ "Absent": { "reason": null } })),
    ] {
        let res = save(
            &teacher,
            sun,
            date,
            json!([{ "child_id": ivanova, "mark": mark }]),
        )
        .await;
        assert_eq!(res.status().as_u16(), 200, "{date}");
    }
    save(
        &teacher,
        sun,
        "2026-11-02",
        json!([{ "child_id": petrov, "mark": { "Absent": { "reason": "П" } } }]),
    )
    .await;

    let view = teacher
        .json(
            "timesheet",
            &[("group_id", &sun.to_string()), ("month", "2026-11")],
        )
        .await;
    assert_eq!(view["month_title"], "за ноябрь 2026 г.");
    assert_eq!(view["group"], "Солнышко");
    assert_eq!(view["responsible"], "Васильева Ольга Николаевна");
    let row = |id: i64| {
        view["sheet"]["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["child_id"] == id)
            .unwrap()
            .clone()
    };
    let iv = row(ivanova)["totals"].clone();
    // November 2026 has 20 working days here (21 weekdays minus the 4th).
    assert_eq!(iv["working_days"], 20);
    assert_eq!(iv["attended"], 3);
    assert_eq!(iv["absent_total"], 2);
    assert_eq!(iv["absent_excused"], 1, "illness is excused");
    assert_eq!(
        iv["charged_days"], 4,
        "3 attended + the absence without a reason"
    );
    let pe = row(petrov)["totals"].clone();
    assert_eq!(pe["absent_excused"], 1);
    assert_eq!(pe["charged_days"], 1, "«П» is excused but charged");
    // 2 Nov: one present (Ivanova), one absent (Petrov).
    let day2 = view["sheet"]["days"][1].clone();
    assert_eq!(
        (day2["present"].clone(), day2["absent"].clone()),
        (json!(1), json!(1))
    );
}

async fn the_timesheet_downloads_as_xlsx_and_pdf(app: TestApp) {
    let teacher = app.signed_in(TEACHER.login, TEACHER.password).await;
    let sun = group_id(&app, "Солнышко").await;
    let ivanova = child_id(&app, "Иванова").await;
    save(
        &teacher,
        sun,
        "2026-11-02",
        json!([{ "child_id": ivanova, "mark": { "Absent": { "reason": "Б" } } }]),
    )
    .await;

    let get = |user: &User, ext: &str| {
        user.client
            .get(format!(
                "{}/export/timesheet/{sun}/2026-11.{ext}",
                user.address
            ))
            .send()
    };
    let xlsx = get(&teacher, "xlsx").await.unwrap();
    assert_eq!(xlsx.status().as_u16(), 200);
    assert!(xlsx.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("2026-11.xlsx"));
    let bytes = xlsx.bytes().await.unwrap();
    assert_eq!(&bytes[..2], b"PK", "an XLSX is a zip file");

    let pdf = get(&teacher, "pdf").await.unwrap();
    assert_eq!(pdf.status().as_u16(), 200);
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    let bytes = pdf.bytes().await.unwrap();
    assert_eq!(&bytes[..5], b"%PDF-");
    let path = std::env::temp_dir().join(format!("tabel-export-{}-{sun}.pdf", std::process::id()));
    std::fs::write(&path, &bytes).unwrap();
    let text = std::process::Command::new("pdftotext")
        .arg("-layout")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) runs");
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("Иванова Мария"), "{text}");
    assert!(text.contains("ноябрь 2026"));

    // Another organisation's teacher gets no file.
    let teacher2 = app.signed_in(TEACHER2.login, TEACHER2.password).await;
    assert_eq!(get(&teacher2, "pdf").await.unwrap().status().as_u16(), 403);
    let anonymous = crate::helpers::new_client();
    let res = anonymous
        .get(format!(
            "{}/export/timesheet/{sun}/2026-11.pdf",
            app.address
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 401);
}

async fn the_history_of_a_mark_lists_every_change(app: TestApp) {
    let teacher = app.signed_in(TEACHER.login, TEACHER.password).await;
    let admin = app.signed_in(ADMIN.login, ADMIN.password).await;
    let sun = group_id(&app, "Солнышко").await;
    let petrov = child_id(&app, "Петров").await;
    save(
        &teacher,
        sun,
        "2026-11-03",
        json!([{ "child_id": petrov, "mark": { "Absent": { "reason": null } } }]),
    )
    .await;
    save(
        &teacher,
        sun,
        "2026-11-03",
        json!([{ "child_id": petrov, "mark": { "Absent": { "reason": "Б" } } }]),
    )
    .await;
    let history = admin
        .json(
            "mark_history",
            &[("child_id", &petrov.to_string()), ("date", "2026-11-03")],
        )
        .await;
    let history = history.as_array().unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0]["old"], "не отмечен");
    assert_eq!(history[0]["new"], "отсутствовал, причина не известна");
    assert_eq!(history[1]["old"], "отсутствовал, причина не известна");
    assert_eq!(history[1]["new"], "отсутствовал (Б)");
    assert_eq!(history[1]["by"], "Васильева Ольга Николаевна");
    assert_eq!(history[1]["path"], "web");

    // Staff see which device made a change; a parent sees who and when, not the
    // organisation's devices.
    let ivanova = child_id(&app, "Иванова").await;
    save(
        &teacher,
        sun,
        "2026-11-03",
        json!([{ "child_id": ivanova, "mark": "Present" }]),
    )
    .await;
    app.execute("UPDATE mark_audit SET device = 'Планшет группы (Android, Chrome 120)'")
        .await;
    let form = [
        ("child_id", ivanova.to_string()),
        ("date", "2026-11-03".into()),
    ];
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let staff_view = admin.json("mark_history", &form).await;
    assert_eq!(
        staff_view[0]["device"],
        "Планшет группы (Android, Chrome 120)"
    );
    let parent = app.signed_in(PARENT.login, PARENT.password).await;
    let parents_view = parent.json("mark_history", &form).await;
    assert_eq!(parents_view.as_array().unwrap().len(), 1);
    assert_eq!(parents_view[0]["by"], "Васильева Ольга Николаевна");
    assert_eq!(parents_view[0]["device"], "", "{parents_view}");

    let teacher2 = app.signed_in(TEACHER2.login, TEACHER2.password).await;
    let denied = teacher2
        .call(
            "mark_history",
            &[("child_id", &petrov.to_string()), ("date", "2026-11-03")],
        )
        .await;
    assert_eq!(denied.status().as_u16(), 403);
}

/// Marks every child of the group present on every working day of November 2026;
/// the days off refuse the batch, which is what they should do.
async fn mark_whole_november(teacher: &User, group: i64) {
    let children: Vec<Value> = sheet(teacher, group, "2026-11-02").await["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| json!({ "child_id": c["child_id"], "mark": "Present" }))
        .collect();
    for day in 1..=30 {
        let date = format!("2026-11-{day:02}");
        let res = save(teacher, group, &date, Value::Array(children.clone())).await;
        assert!(
            [200, 409].contains(&res.status().as_u16()),
            "{date}: {}",
            res.text().await.unwrap()
        );
    }
}

async fn pdf_text(user: &User, group: i64, month: &str) -> String {
    let bytes = user
        .client
        .get(format!(
            "{}/export/timesheet/{group}/{month}.pdf",
            user.address
        ))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let path = crate::helpers::temp_dir("signed-pdf").join("tabel.pdf");
    std::fs::write(&path, &bytes).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg("-layout")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

async fn a_teacher_submits_the_month_and_the_head_signs_it_off(app: TestApp) {
    let teacher = app.signed_in(TEACHER.login, TEACHER.password).await;
    let admin = app.signed_in(ADMIN.login, ADMIN.password).await;
    let sun = group_id(&app, "Солнышко").await;
    let sun_text = sun.to_string();
    let form = [("group_id", sun_text.as_str()), ("month", "2026-11")];
    let teacher2 = app.signed_in(TEACHER2.login, TEACHER2.password).await;
    assert_eq!(
        teacher2
            .call("request_month_close", &form)
            .await
            .status()
            .as_u16(),
        403
    );

    // Nothing is marked yet: the refusal names the children and their blank days.
    let refused = teacher.call("request_month_close", &form).await;
    assert_eq!(refused.status().as_u16(), 409);
    let message = refused.text().await.unwrap();
    assert!(
        message.contains("Табель нельзя сдать: не отмечены рабочие дни."),
        "{message}"
    );
    assert!(message.contains("Иванова Мария"), "{message}");
    assert!(
        message.contains("02.11, 03.11, 05.11"),
        "the 4th is a holiday: {message}"
    );
    assert!(
        !message.contains("07.11"),
        "the 7th is a weekend: {message}"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM month_close_requests").await,
        0
    );

    // One blank day of one child is enough to refuse.
    mark_whole_november(&teacher, sun).await;
    let petrov = child_id(&app, "Петров").await;
    app.execute(&format!(
        "DELETE FROM marks WHERE child_id = {petrov} AND day = '2026-11-17'"
    ))
    .await;
    let refused = teacher.call("request_month_close", &form).await;
    assert_eq!(refused.status().as_u16(), 409);
    let message = refused.text().await.unwrap();
    assert!(
        message.contains("Петров Артём Алексеевич — 17.11"),
        "{message}"
    );
    assert!(!message.contains("Иванова"), "{message}");

    let res = save(
        &teacher,
        sun,
        "2026-11-17",
        json!([{ "child_id": petrov, "mark": { "Absent": { "reason": "Б" } } }]),
    )
    .await;
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(
        teacher
            .call("request_month_close", &form)
            .await
            .status()
            .as_u16(),
        200
    );
    let seen = admin
        .json(
            "timesheet",
            &[("group_id", &sun_text), ("month", "2026-11")],
        )
        .await;
    assert_eq!(seen["close_requested_by"], "Васильева Ольга Николаевна");
    assert_eq!(seen["submitted"]["by"], "Васильева Ольга Николаевна");
    assert_eq!(seen["signed"], Value::Null);
    assert_eq!(
        seen["can_request_close"], false,
        "admins sign off, they do not submit"
    );

    admin
        .json(
            "set_month_closed",
            &[
                ("group_id", sun_text.as_str()),
                ("month", "2026-11"),
                ("closed", "true"),
            ],
        )
        .await;
    let closed = teacher
        .json(
            "timesheet",
            &[("group_id", &sun_text), ("month", "2026-11")],
        )
        .await;
    assert_eq!(closed["closed"], true, "signing off closes the month");
    assert_eq!(closed["close_requested_by"], Value::Null);
    assert_eq!(closed["can_request_close"], false);
    assert_eq!(closed["submitted"]["by"], "Васильева Ольга Николаевна");
    assert_eq!(closed["signed"]["by"], "Орлова Наталья Викторовна");
    // The day each signature was put, as the server's clock had it.
    let on = |which: &str| {
        let day = closed[which]["on"].as_str().unwrap();
        chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d")
            .unwrap()
            .format("%d.%m.%Y")
            .to_string()
    };
    let text = pdf_text(&teacher, sun, "2026-11").await;
    assert!(
        text.contains(&format!(
            "Табель сдан в Tabel: Васильева Ольга Николаевна, {}",
            on("submitted")
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "Подписан в Tabel (месяц закрыт): Орлова Наталья Викторовна, {}",
            on("signed")
        )),
        "{text}"
    );
    assert_eq!(
        teacher
            .call("request_month_close", &form)
            .await
            .status()
            .as_u16(),
        409,
        "a closed month is not submitted again"
    );

    // Reopening undoes both signatures: the month is submitted and signed again.
    admin
        .json(
            "set_month_closed",
            &[
                ("group_id", sun_text.as_str()),
                ("month", "2026-11"),
                ("closed", "false"),
                ("reason", "Исправление отметки"),
            ],
        )
        .await;
    let reopened = admin
        .json(
            "timesheet",
            &[("group_id", &sun_text), ("month", "2026-11")],
        )
        .await;
    assert_eq!(reopened["submitted"], Value::Null);
    assert_eq!(reopened["signed"], Value::Null);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM month_close_requests").await,
        0
    );
}
