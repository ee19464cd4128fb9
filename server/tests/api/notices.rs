//! Notices about absences: the request Tabel makes when nobody said why a child is
//! away, the parent's answer that sets the reason, the teacher's own notices, and the
//! admin's daily summary. Days are fixed past days of November 2026.

use serde_json::{json, Value};
use server::demo::{ADMIN, ADMIN2, MULTI, PARENT, TEACHER, TEACHER2};

use crate::helpers::{TestApp, User};

crate::on_both_backends!(
    true,
    an_unexplained_absence_asks_the_parents_and_their_answer_sets_the_reason,
    answers_are_refused_when_they_cannot_apply,
    a_teacher_writes_to_the_parents_of_its_groups_only,
    the_admin_sees_the_day_by_group_and_reason,
);

const DAY: &str = "2026-11-23";

async fn id(app: &TestApp, sql: &str) -> i64 {
    app.scalar(sql).await
}

async fn sun(app: &TestApp) -> i64 {
    id(app, "SELECT id FROM groups WHERE name = 'Солнышко'").await
}

async fn child(app: &TestApp, surname: &str) -> i64 {
    id(
        app,
        &format!("SELECT id FROM children WHERE surname = '{surname}'"),
    )
    .await
}

async fn mark(user: &User, group: i64, day: &str, marks: Value) {
    let res = user
        .client
        .post(format!("{}/api/save_marks", user.address))
        .json(&json!({ "group_id": group, "date": day, "marks": marks }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200, "{}", res.text().await.unwrap());
}

fn absent(child: i64, reason: Option<&str>) -> Value {
    json!({ "child_id": child, "mark": { "Absent": { "reason": reason } } })
}

async fn reason_on(app: &TestApp, child: i64, day: &str) -> Option<String> {
    sqlx::any::install_default_drivers();
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&app.database_url)
        .await
        .unwrap();
    sqlx::query_as::<_, (Option<String>,)>(
        "SELECT reason FROM marks WHERE child_id = $1 AND day = $2",
    )
    .bind(child)
    .bind(day)
    .fetch_one(&mut conn)
    .await
    .unwrap()
    .0
}

fn only_item(inbox: &Value) -> &Value {
    let items = inbox["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{inbox}");
    &items[0]
}

async fn an_unexplained_absence_asks_the_parents_and_their_answer_sets_the_reason(app: TestApp) {
    let teacher = app.signed_in(TEACHER.login, TEACHER.password).await;
    let parent = app.signed_in(PARENT.login, PARENT.password).await;
    let (sun, ivanova) = (sun(&app).await, child(&app, "Иванова").await);

    assert_eq!(parent.json("inbox", &[]).await["items"], json!([]));
    mark(&teacher, sun, DAY, json!([absent(ivanova, None)])).await;
    // Saving the same mark again asks nothing more.
    mark(&teacher, sun, DAY, json!([absent(ivanova, None)])).await;

    let inbox = parent.json("inbox", &[]).await;
    assert_eq!(inbox["unread"], 1);
    let item = only_item(&inbox);
    assert_eq!(item["kind"], "reason_request");
    assert_eq!(item["day"], DAY);
    assert_eq!(item["status"], "Open");
    assert!(item["child_name"].as_str().unwrap().starts_with("Иванова"));
    let who = parent.json("whoami", &[]).await;
    assert_eq!(who["unread_notices"], 1);
    // No SMTP configured here: nothing is queued for mail.
    assert_eq!(app.count("SELECT COUNT(*) FROM outbox").await, 0);

    let notice = item["id"].as_i64().unwrap().to_string();
    let res = parent
        .call(
            "answer_notice",
            &[
                ("notice_id", &notice),
                ("reason", "Б"),
                ("comment", "температура"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 200, "{}", res.text().await.unwrap());
    assert_eq!(reason_on(&app, ivanova, DAY).await.as_deref(), Some("Б"));
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM mark_audit WHERE child_id = {ivanova} AND path = 'notice-answer' \
             AND old_reason IS NULL AND new_reason = 'Б'"
        ))
        .await,
        1,
        "the answer is audited as a change of the mark"
    );
    let after = parent.json("inbox", &[]).await;
    assert_eq!(after["unread"], 0, "answering reads the notice");
    assert_eq!(only_item(&after)["status"]["Answered"]["reason"], "Б");

    // The teacher sees the answer.
    let list = teacher
        .json("group_notices", &[("group_id", &sun.to_string())])
        .await;
    let notices = list["notices"].as_array().unwrap();
    assert_eq!(notices.len(), 1);
    assert_eq!(notices[0]["status"]["Answered"]["comment"], "температура");
    assert_eq!(notices[0]["read"], true);
}

async fn answer(user: &User, notice: &str, reason: &str) -> (u16, Value) {
    let res = user
        .call(
            "answer_notice",
            &[("notice_id", notice), ("reason", reason), ("comment", "")],
        )
        .await;
    let status = res.status().as_u16();
    (status, res.json::<Value>().await.unwrap())
}

async fn answers_are_refused_when_they_cannot_apply(app: TestApp) {
    let teacher = app.signed_in(TEACHER.login, TEACHER.password).await;
    let parent = app.signed_in(PARENT.login, PARENT.password).await;
    let other_family = app.signed_in(MULTI.login, MULTI.password).await;
    let (sun, ivanova) = (sun(&app).await, child(&app, "Иванова").await);
    mark(&teacher, sun, DAY, json!([absent(ivanova, None)])).await;
    let notice = only_item(&parent.json("inbox", &[]).await)["id"]
        .as_i64()
        .unwrap()
        .to_string();
    // Another family's parent: as if the notice did not exist. (multi acts as a parent
    // only after choosing that role; as a teacher it is refused outright.)
    let (status, _) = answer(&other_family, &notice, "Б").await;
    assert!(
        status == 403 || status == 404 || status == 401,
        "got {status}"
    );
    let (status, body) = answer(&parent, &notice, "Х").await;
    assert_eq!((status, body["field"].as_str()), (400, Some("reason")));
    assert_eq!(reason_on(&app, ivanova, DAY).await, None);

    // The teacher sets the reason first: the question is withdrawn.
    mark(&teacher, sun, DAY, json!([absent(ivanova, Some("О"))])).await;
    let (status, body) = answer(&parent, &notice, "Б").await;
    assert_eq!(status, 409, "{body}");
    assert!(body["ru"].as_str().unwrap().contains("Воспитатель"));
    assert_eq!(reason_on(&app, ivanova, DAY).await.as_deref(), Some("О"));
    assert_eq!(
        only_item(&parent.json("inbox", &[]).await)["status"],
        "Closed"
    );

    // Unexplained again: the same request is open again, and can be answered once.
    mark(&teacher, sun, DAY, json!([absent(ivanova, None)])).await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM notices WHERE kind = 'reason_request'")
            .await,
        1
    );
    assert_eq!(answer(&parent, &notice, "Б").await.0, 200);
    assert_eq!(answer(&parent, &notice, "П").await.0, 409);
    assert_eq!(reason_on(&app, ivanova, DAY).await.as_deref(), Some("Б"));

    // A closed month refuses the answer.
    mark(&teacher, sun, "2026-11-24", json!([absent(ivanova, None)])).await;
    let admin = app.signed_in(ADMIN.login, ADMIN.password).await;
    let res = admin
        .call(
            "set_month_closed",
            &[
                ("group_id", &sun.to_string()),
                ("month", "2026-11"),
                ("closed", "true"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 200);
    let second = parent.json("inbox", &[]).await["items"][0]["id"]
        .as_i64()
        .unwrap()
        .to_string();
    let res = parent
        .call(
            "answer_notice",
            &[("notice_id", &second), ("reason", "Б"), ("comment", "")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 409);
    assert_eq!(reason_on(&app, ivanova, "2026-11-24").await, None);
}

async fn a_teacher_writes_to_the_parents_of_its_groups_only(app: TestApp) {
    let teacher = app.signed_in(TEACHER.login, TEACHER.password).await;
    let foreign = app.signed_in(TEACHER2.login, TEACHER2.password).await;
    let parent = app.signed_in(PARENT.login, PARENT.password).await;
    let ivanova = child(&app, "Иванова").await.to_string();
    let write = |user: &User, child: String, text: &'static str| {
        let user_client = user.client.clone();
        let address = user.address.clone();
        async move {
            user_client
                .post(format!("{address}/api/write_notice"))
                .form(&[("child_id", child.as_str()), ("day", DAY), ("text", text)])
                .send()
                .await
                .unwrap()
        }
    };

    let res = write(&teacher, ivanova.clone(), "Маша ушла домой с температурой.").await;
    assert_eq!(res.status().as_u16(), 200, "{}", res.text().await.unwrap());
    let item = only_item(&parent.json("inbox", &[]).await).clone();
    assert_eq!(item["kind"], "teacher");
    assert_eq!(item["text"], "Маша ушла домой с температурой.");
    assert_eq!(item["status"], "Information");
    let res = parent
        .call(
            "mark_notice_read",
            &[("notice_id", &item["id"].to_string())],
        )
        .await;
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(parent.json("inbox", &[]).await["unread"], 0);

    // A teacher of another organisation cannot write about the child.
    assert_eq!(
        write(&foreign, ivanova.clone(), "чужой")
            .await
            .status()
            .as_u16(),
        403
    );
    // Nor can a parent.
    assert_eq!(
        write(&parent, ivanova.clone(), "родитель")
            .await
            .status()
            .as_u16(),
        403
    );
    let res = write(&teacher, ivanova.clone(), "   ").await;
    assert_eq!(res.status().as_u16(), 400);
    assert_eq!(res.json::<Value>().await.unwrap()["field"], "text");
    // A child with no parents in Tabel: refused, and nothing kept.
    let orphan = id(
        &app,
        "SELECT MIN(c.id) FROM children c JOIN groups g ON g.id = c.group_id WHERE g.name = 'Солнышко' \
         AND NOT EXISTS (SELECT 1 FROM child_guardians cg WHERE cg.child_id = c.id)",
    )
    .await;
    let res = write(&teacher, orphan.to_string(), "никому").await;
    assert_eq!(res.status().as_u16(), 409);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM notices WHERE kind = 'teacher'")
            .await,
        1
    );
    // Parents cannot mark another family's notice as read.
    let other = app.signed_in(MULTI.login, MULTI.password).await;
    let res = other
        .call(
            "mark_notice_read",
            &[("notice_id", &item["id"].to_string())],
        )
        .await;
    assert_ne!(res.status().as_u16(), 200);
}

async fn the_admin_sees_the_day_by_group_and_reason(app: TestApp) {
    let teacher = app.signed_in(TEACHER.login, TEACHER.password).await;
    let (sun, ivanova, petrov) = (
        sun(&app).await,
        child(&app, "Иванова").await,
        child(&app, "Петров").await,
    );
    mark(
        &teacher,
        sun,
        DAY,
        json!([absent(ivanova, None), absent(petrov, Some("Б"))]),
    )
    .await;
    let admin = app.signed_in(ADMIN.login, ADMIN.password).await;
    let view = admin.json("daily_summary", &[("day", DAY)]).await;
    let summary = &view["summary"];
    assert_eq!(summary["day"], DAY);
    let groups = summary["groups"].as_array().unwrap();
    let sun_day = groups.iter().find(|g| g["group"] == "Солнышко").unwrap();
    let enrolled = app
        .count(&format!(
            "SELECT COUNT(*) FROM children WHERE group_id = {sun}"
        ))
        .await;
    assert_eq!(sun_day["enrolled"], enrolled);
    assert_eq!(sun_day["present"], 0);
    assert_eq!(sun_day["unmarked"], enrolled - 2);
    assert_eq!(sun_day["absent_by_reason"], json!({ "Б": 1 }));
    assert_eq!(sun_day["unexplained"], 1);
    let unanswered = summary["unanswered"].as_array().unwrap();
    assert_eq!(unanswered.len(), 1);
    assert_eq!(unanswered[0]["day"], DAY);

    // Another organisation's admin sees its own organisation, not this one's groups.
    let other = app.signed_in(ADMIN2.login, ADMIN2.password).await;
    let theirs = other.json("daily_summary", &[("day", DAY)]).await;
    assert!(theirs["summary"]["groups"]
        .as_array()
        .unwrap()
        .iter()
        .all(|g| g["group"] != "Солнышко"));
    assert_eq!(theirs["summary"]["unanswered"], json!([]));
    // A teacher has no summary.
    assert_eq!(
        teacher
            .call("daily_summary", &[("day", DAY)])
            .await
            .status()
            .as_u16(),
        403
    );
    let res = admin.call("daily_summary", &[("day", "23.11.2026")]).await;
    assert_eq!(res.status().as_u16(), 400);
}
