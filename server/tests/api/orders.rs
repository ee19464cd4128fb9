//! Enrolment history: orders that transfer, let leave and bring back children, the
//! move-up of a whole organisation, and everything that reads enrolment following the
//! periods (marking, табели, sync, teacher access). March 2026 is hand-counted: the
//! 1st is a Sunday and the 9th a holiday (8 March moved), so its working days are
//! 2–6, 10–13, 16–20, 23–27, 30–31: 9 before the 16th and 12 from it.

use std::sync::atomic::{AtomicU64, Ordering};

use app::domain::sync::{DeviceId, MarkOp, OpId, OpResult, Refusal, SyncResponse};
use app::domain::timesheet::Mark;
use serde_json::{json, Value};
use server::demo::{ADMIN, ADMIN2, MULTI, PARENT, TEACHER};

use crate::helpers::{new_client, TestApp, User};

crate::on_both_backends!(
    true,
    a_transfer_on_the_16th_splits_both_groups_timesheets,
    an_order_into_a_closed_month_is_refused_and_writes_nothing,
    a_child_leaves_and_returns_within_a_month,
    cancelling_an_order_takes_it_back_unless_a_later_one_depends_on_it,
    a_synced_op_for_a_transferred_child_is_refused_naming_its_group,
    a_whole_organisation_moves_up_in_one_order,
    orders_are_listed_filtered_and_searched,
    a_planned_absence_follows_the_child_across_a_transfer,
    notices_belong_to_the_group_of_their_day,
    the_cards_leaving_date_is_an_order_too,
);

// On an empty database: the organisation is generated.
crate::on_both_backends!(
    false,
    an_organisation_of_twenty_groups_moves_up_in_one_order
);

async fn group(app: &TestApp, name: &str) -> String {
    app.scalar(&format!("SELECT id FROM groups WHERE name = '{name}'"))
        .await
        .to_string()
}

/// A child added to `group` on the card, enrolled on `from`; returns its id.
async fn add_child(admin: &User, group: &str, surname: &str, from: &str) -> String {
    let added = admin
        .json(
            "add_child",
            &[
                ("surname", surname),
                ("given_name", "Вера"),
                ("patronymic", ""),
                ("birth_date", "2021-05-05"),
                ("group_id", group),
                ("enrolled_on", from),
            ],
        )
        .await;
    added["id"].as_i64().unwrap().to_string()
}

async fn issue(
    admin: &User,
    kind: &str,
    on: &str,
    to: Option<&str>,
    children: &[&str],
) -> reqwest::Response {
    let mut form = vec![
        ("kind", kind),
        ("number", "12-к"),
        ("issued_on", on),
        ("effective_on", on),
        ("comment", "по заявлению родителя"),
    ];
    if let Some(to) = to {
        form.push(("to_group_id", to));
    }
    for child in children {
        form.push(("children[]", child));
    }
    admin.call("issue_order", &form).await
}

async fn issued(admin: &User, kind: &str, on: &str, to: Option<&str>, children: &[&str]) -> i64 {
    let res = issue(admin, kind, on, to, children).await;
    let status = res.status().as_u16();
    let body: Value = res.json().await.unwrap();
    assert_eq!(status, 200, "{body}");
    body["id"].as_i64().unwrap()
}

async fn mark(user: &User, group: &str, date: &str, child: &str, mark: Value) -> (u16, Value) {
    let res = user
        .client
        .post(format!("{}/api/save_marks", user.address))
        .json(&json!({
            "group_id": group.parse::<i64>().unwrap(),
            "date": date,
            "marks": [{ "child_id": child.parse::<i64>().unwrap(), "mark": mark }],
        }))
        .send()
        .await
        .unwrap();
    answered(res).await
}

/// A response's status and its JSON body (null when it has none).
async fn answered(res: reqwest::Response) -> (u16, Value) {
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

fn present() -> Value {
    json!("Present")
}

fn absent() -> Value {
    json!({ "Absent": { "reason": null } })
}

/// `multi` acting as the teacher of «Ромашка».
async fn daisy_teacher(app: &TestApp) -> User {
    let client = new_client();
    app.login_with(&client, MULTI.login, MULTI.password).await;
    let user = User {
        client,
        address: app.address.clone(),
    };
    let me = user.json("whoami", &[]).await;
    let grant = me["grants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["role"] == "teacher")
        .unwrap()["grant_id"]
        .as_i64()
        .unwrap()
        .to_string();
    assert_eq!(
        user.call("choose_role", &[("grant_id", &grant)])
            .await
            .status()
            .as_u16(),
        200
    );
    user
}

/// The child's row of a group's табель.
async fn row(user: &User, group: &str, month: &str, child: &str) -> Option<Value> {
    let view = user
        .json("timesheet", &[("group_id", group), ("month", month)])
        .await;
    view["sheet"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["child_id"].as_i64() == child.parse().ok())
        .cloned()
}

fn totals(row: &Value) -> (i64, i64, i64, i64) {
    let t = &row["totals"];
    (
        t["working_days"].as_i64().unwrap(),
        t["attended"].as_i64().unwrap(),
        t["absent_total"].as_i64().unwrap(),
        t["unmarked"].as_i64().unwrap(),
    )
}

/// Days of the month (1-based) whose cell is blank because the child was not in the group.
fn not_enrolled_days(row: &Value) -> Vec<usize> {
    row["cells"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .filter(|(_, c)| *c == "NotEnrolled")
        .map(|(i, _)| i + 1)
        .collect()
}

async fn a_transfer_on_the_16th_splits_both_groups_timesheets(app: TestApp) {
    let admin = app.signed_in(ADMIN.login, ADMIN.password).await;
    let teacher = app.signed_in(TEACHER.login, TEACHER.password).await;
    let daisy_t = daisy_teacher(&app).await;
    let (sun, daisy) = (group(&app, "Солнышко").await, group(&app, "Ромашка").await);
    let child = add_child(&admin, &sun, "Переводова", "2026-03-02").await;

    for day in ["2026-03-10", "2026-03-11"] {
        assert_eq!(mark(&teacher, &sun, day, &child, present()).await.0, 200);
    }
    assert_eq!(
        mark(&teacher, &sun, "2026-03-12", &child, absent()).await.0,
        200
    );
    // Marked in the old group before the order was entered: the day is the new group's.
    assert_eq!(
        mark(&teacher, &sun, "2026-03-16", &child, present())
            .await
            .0,
        200
    );
    // The other teacher cannot mark the child before the transfer: not theirs yet.
    assert_eq!(
        mark(&daisy_t, &daisy, "2026-03-16", &child, present())
            .await
            .0,
        403
    );

    issued(&admin, "transfer", "2026-03-16", Some(&daisy), &[&child]).await;

    // From the 16th the child is marked in «Ромашка», not in «Солнышко».
    assert_eq!(
        mark(&daisy_t, &daisy, "2026-03-17", &child, present())
            .await
            .0,
        200
    );
    assert_eq!(
        mark(&daisy_t, &daisy, "2026-03-18", &child, absent())
            .await
            .0,
        200
    );
    let (status, err) = mark(&teacher, &sun, "2026-03-17", &child, present()).await;
    assert_eq!(status, 409, "{err}");
    assert!(err["ru"].as_str().unwrap().contains("не числ"), "{err}");
    // The old teacher still corrects the days before it.
    assert_eq!(
        mark(&teacher, &sun, "2026-03-13", &child, present())
            .await
            .0,
        200
    );
    assert_eq!(
        mark(&daisy_t, &daisy, "2026-03-13", &child, present())
            .await
            .0,
        409
    );

    // «Солнышко»: 2–15 March, 9 working days: 10, 11, 13 present, 12 absent, 5 unmarked.
    let a = row(&teacher, &sun, "2026-03", &child)
        .await
        .expect("the child is in Солнышко's March");
    assert_eq!(totals(&a), (9, 3, 1, 5), "{a}");
    assert_eq!(
        not_enrolled_days(&a),
        [vec![1], (16..=31).collect()].concat()
    );
    // «Ромашка»: 16–31 March, 12 working days: 16, 17 present, 18 absent, 9 unmarked.
    let b = row(&daisy_t, &daisy, "2026-03", &child)
        .await
        .expect("the child is in Ромашка's March");
    assert_eq!(totals(&b), (12, 2, 1, 9), "{b}");
    assert_eq!(not_enrolled_days(&b), (1..=15).collect::<Vec<_>>());
    // Neither sheet warns about the other group's marks.
    for (user, group) in [(&teacher, &sun), (&daisy_t, &daisy)] {
        let view = user
            .json("timesheet", &[("group_id", group), ("month", "2026-03")])
            .await;
        assert_eq!(view["sheet"]["warnings"], json!([]), "{view}");
    }
    // February is Солнышко's alone; April is Ромашка's alone.
    assert!(row(&daisy_t, &daisy, "2026-02", &child).await.is_none());
    assert!(row(&teacher, &sun, "2026-04", &child).await.is_none());
    assert!(row(&daisy_t, &daisy, "2026-04", &child).await.is_some());

    // The card tells the history with both orders.
    let history = admin.json("child_history", &[("child_id", &child)]).await;
    let periods: Vec<(String, String, Value)> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["group"].as_str().unwrap().to_owned(),
                p["from"].as_str().unwrap().to_owned(),
                p["to"].clone(),
            )
        })
        .collect();
    assert_eq!(
        periods,
        vec![
            (
                "Солнышко".to_owned(),
                "2026-03-02".to_owned(),
                json!("2026-03-15")
            ),
            ("Ромашка".to_owned(), "2026-03-16".to_owned(), Value::Null),
        ]
    );
    assert_eq!(history[0]["opened_by"][2], "admission");
    assert_eq!(history[0]["closed_by"][2], "transfer");
    // And the child's summary follows the latest period.
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM children WHERE id = {child} AND group_id = {daisy} AND left_on IS NULL"
        ))
        .await,
        1
    );
}

async fn an_order_into_a_closed_month_is_refused_and_writes_nothing(app: TestApp) {
    let admin = app.signed_in(ADMIN.login, ADMIN.password).await;
    let (sun, daisy) = (group(&app, "Солнышко").await, group(&app, "Ромашка").await);
    let first = add_child(&admin, &sun, "Закрытова", "2026-02-02").await;
    let second = add_child(&admin, &sun, "Открытова", "2026-02-02").await;
    let closed = admin
        .call(
            "set_month_closed",
            &[
                ("group_id", &daisy),
                ("month", "2026-03"),
                ("closed", "true"),
            ],
        )
        .await;
    assert_eq!(closed.status().as_u16(), 200);
    let orders = app.count("SELECT COUNT(*) FROM enrolment_orders").await;
    let periods = app.count("SELECT COUNT(*) FROM enrolments").await;

    let res = issue(
        &admin,
        "transfer",
        "2026-03-16",
        Some(&daisy),
        &[&first, &second],
    )
    .await;
    assert_eq!(res.status().as_u16(), 409);
    let err: Value = res.json().await.unwrap();
    assert!(
        err["ru"].as_str().unwrap().contains("Ничего не изменено"),
        "{err}"
    );
    let lines: Vec<&str> = err["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["ru"].as_str().unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{err}");
    assert!(
        lines.iter().all(|l| l.contains("03.2026 закрыт")),
        "{lines:?}"
    );
    assert!(lines[0].contains("Закрытова") || lines[1].contains("Закрытова"));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM enrolment_orders").await,
        orders
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM enrolments").await, periods);

    // A closed month of the old group refuses too; April is open in both.
    assert_eq!(
        admin
            .call(
                "set_month_closed",
                &[
                    ("group_id", &daisy),
                    ("month", "2026-03"),
                    ("closed", "false"),
                    ("reason", "исправление приказа"),
                ]
            )
            .await
            .status()
            .as_u16(),
        200
    );
    admin
        .call(
            "set_month_closed",
            &[("group_id", &sun), ("month", "2026-04"), ("closed", "true")],
        )
        .await;
    assert_eq!(
        issue(&admin, "transfer", "2026-03-16", Some(&daisy), &[&first])
            .await
            .status()
            .as_u16(),
        409
    );
    admin
        .call(
            "set_month_closed",
            &[
                ("group_id", &sun),
                ("month", "2026-04"),
                ("closed", "false"),
                ("reason", "исправление приказа"),
            ],
        )
        .await;
    issued(&admin, "transfer", "2026-03-16", Some(&daisy), &[&first]).await;

    // One bad line refuses the whole order: the second child is already in Ромашка.
    let res = issue(
        &admin,
        "transfer",
        "2026-04-01",
        Some(&daisy),
        &[&first, &second],
    )
    .await;
    assert_eq!(res.status().as_u16(), 409);
    let err: Value = res.json().await.unwrap();
    assert_eq!(err["details"].as_array().unwrap().len(), 1, "{err}");
    assert!(
        err["details"][0]["ru"]
            .as_str()
            .unwrap()
            .contains("Закрытова"),
        "{err}"
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM children WHERE id = {second} AND group_id = {sun}"
        ))
        .await,
        1
    );

    // The form is checked as a whole.
    let res = admin
        .call(
            "issue_order",
            &[
                ("kind", "transfer"),
                ("number", ""),
                ("issued_on", "x"),
                ("effective_on", "2026-04-01"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 400);
    let err: Value = res.json().await.unwrap();
    let fields: Vec<&str> = err["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        ["number", "issued_on", "to_group_id", "children"],
        "{err}"
    );
    // Admission is not issued from here: the card and the import admit.
    let res = issue(&admin, "admission", "2026-04-01", Some(&daisy), &[&first]).await;
    assert_eq!(res.status().as_u16(), 400);
    // Another organisation's admin cannot name these children.
    let admin2 = app.signed_in(ADMIN2.login, ADMIN2.password).await;
    let rainbow = group(&app, "Радуга").await;
    assert_eq!(
        issue(
            &admin2,
            "transfer",
            "2026-04-01",
            Some(&rainbow),
            &[&second]
        )
        .await
        .status()
        .as_u16(),
        403
    );
    assert_eq!(
        issue(&admin, "transfer", "2026-04-01", Some(&rainbow), &[&second])
            .await
            .status()
            .as_u16(),
        403
    );
}

async fn a_child_leaves_and_returns_within_a_month(app: TestApp) {
    let admin = app.signed_in(ADMIN.login, ADMIN.password).await;
    let teacher = app.signed_in(TEACHER.login, TEACHER.password).await;
    let sun = group(&app, "Солнышко").await;
    let child = add_child(&admin, &sun, "Вернувшаяся", "2026-02-02").await;
    assert_eq!(
        mark(&teacher, &sun, "2026-03-11", &child, present())
            .await
            .0,
        200
    );

    // A mark after the leaving day keeps the order from being issued.
    let res = issue(&admin, "leaving", "2026-03-10", None, &[&child]).await;
    assert_eq!(res.status().as_u16(), 409);
    let err: Value = res.json().await.unwrap();
    assert!(
        err["details"][0]["ru"]
            .as_str()
            .unwrap()
            .contains("11.03.2026"),
        "{err}"
    );
    issued(&admin, "leaving", "2026-03-11", None, &[&child]).await;
    // Returning on a day still in the old period is refused; after it, it is not.
    assert_eq!(
        issue(&admin, "return", "2026-03-11", Some(&sun), &[&child])
            .await
            .status()
            .as_u16(),
        409
    );
    issued(&admin, "return", "2026-03-23", Some(&sun), &[&child]).await;

    // Not marked while away; marked again from the 23rd.
    assert_eq!(
        mark(&teacher, &sun, "2026-03-16", &child, present())
            .await
            .0,
        409
    );
    assert_eq!(
        mark(&teacher, &sun, "2026-03-23", &child, present())
            .await
            .0,
        200
    );
    // March: 2–11 (2–6, 10, 11: 7 days) and 23–31 (23–27, 30, 31: 7 days), one row.
    let r = row(&teacher, &sun, "2026-03", &child).await.unwrap();
    assert_eq!(totals(&r), (14, 2, 0, 12), "{r}");
    assert_eq!(
        not_enrolled_days(&r),
        [(12..=22).collect::<Vec<_>>()].concat()
    );
    let rows = teacher
        .json("timesheet", &[("group_id", &sun), ("month", "2026-03")])
        .await["sheet"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["child_id"].as_i64() == child.parse().ok())
        .count();
    assert_eq!(rows, 1, "one row for the child, not one per period");
}

async fn cancelling_an_order_takes_it_back_unless_a_later_one_depends_on_it(app: TestApp) {
    let admin = app.signed_in(ADMIN.login, ADMIN.password).await;
    let (sun, daisy) = (group(&app, "Солнышко").await, group(&app, "Ромашка").await);
    let child = add_child(&admin, &sun, "Отменова", "2026-02-02").await;
    let transfer = issued(&admin, "transfer", "2026-03-16", Some(&daisy), &[&child]).await;
    let leaving = issued(&admin, "leaving", "2026-04-30", None, &[&child]).await;

    // The leaving order came later: the transfer cannot be taken back first.
    let res = admin
        .call("cancel_order", &[("order_id", &transfer.to_string())])
        .await;
    assert_eq!(res.status().as_u16(), 409);
    let err: Value = res.json().await.unwrap();
    assert!(
        err["details"][0]["ru"]
            .as_str()
            .unwrap()
            .contains("Отменова"),
        "{err}"
    );

    for order in [leaving, transfer] {
        let res = admin
            .call("cancel_order", &[("order_id", &order.to_string())])
            .await;
        assert_eq!(res.status().as_u16(), 200, "{}", res.text().await.unwrap());
    }
    // Back as before: one open period in Солнышко.
    let history = admin.json("child_history", &[("child_id", &child)]).await;
    assert_eq!(history.as_array().unwrap().len(), 1, "{history}");
    assert_eq!(history[0]["group"], "Солнышко");
    assert_eq!(history[0]["to"], Value::Null);
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM children WHERE id = {child} AND group_id = {sun} AND left_on IS NULL"))
            .await,
        1
    );
    // Cancelled once; the card says by whom.
    let res = admin
        .call("cancel_order", &[("order_id", &transfer.to_string())])
        .await;
    assert_eq!(res.status().as_u16(), 409);
    let card = admin
        .json("load_order", &[("order_id", &transfer.to_string())])
        .await;
    assert!(card["cancelled"].is_array(), "{card}");
    assert_eq!(card["lines"][0]["from_group"], "Солнышко");
    assert_eq!(card["lines"][0]["to_group"], "Ромашка");

    // A closed month keeps an order in place.
    let again = issued(&admin, "transfer", "2026-03-16", Some(&daisy), &[&child]).await;
    admin
        .call(
            "set_month_closed",
            &[
                ("group_id", &daisy),
                ("month", "2026-03"),
                ("closed", "true"),
            ],
        )
        .await;
    let res = admin
        .call("cancel_order", &[("order_id", &again.to_string())])
        .await;
    assert_eq!(res.status().as_u16(), 409);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM enrolments WHERE child_id = {child}"
        ))
        .await,
        2
    );
}

static SEQ: AtomicU64 = AtomicU64::new(1);

fn op(child_id: i64, day: &str, recorded_at: i64) -> MarkOp {
    let mut random = [0u8; 10];
    random[3..].copy_from_slice(&SEQ.fetch_add(1, Ordering::Relaxed).to_be_bytes()[1..]);
    MarkOp {
        op_id: OpId::new_v7(recorded_at as u64, random),
        child_id,
        day: day.parse().unwrap(),
        mark: Mark::Present,
        device: DeviceId::parse("tab-orders").unwrap(),
        recorded_at,
    }
}

async fn a_synced_op_for_a_transferred_child_is_refused_naming_its_group(app: TestApp) {
    let admin = app.signed_in(ADMIN.login, ADMIN.password).await;
    let teacher = app.signed_in(TEACHER.login, TEACHER.password).await;
    let (sun, daisy) = (group(&app, "Солнышко").await, group(&app, "Ромашка").await);
    let child = add_child(&admin, &sun, "Синхронова", "2026-02-02").await;
    issued(&admin, "transfer", "2026-03-16", Some(&daisy), &[&child]).await;

    let id: i64 = child.parse().unwrap();
    let at = chrono::Utc::now().timestamp_millis() - 60_000;
    let ops = vec![
        op(id, "2026-03-13", at),
        op(id, "2026-03-17", at + 1),
        op(id, "2026-01-15", at + 2),
    ];
    let res = teacher
        .client
        .post(format!("{}/api/sync_marks", teacher.address))
        .json(&json!({ "device": "tab-orders", "ops": ops }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let response: SyncResponse = res.json().await.unwrap();
    let results: Vec<OpResult> = response.outcomes.into_iter().map(|o| o.result).collect();
    assert_eq!(results[0], OpResult::Applied);
    assert_eq!(
        results[1],
        OpResult::Refused(Refusal::ChildInOtherGroup {
            group: "Ромашка".into()
        })
    );
    // Before the child was in any group.
    assert_eq!(results[2], OpResult::Refused(Refusal::ChildNotEnrolled));
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM marks WHERE child_id = {id}"))
            .await,
        1
    );
}

async fn a_whole_organisation_moves_up_in_one_order(app: TestApp) {
    let admin = app.signed_in(ADMIN.login, ADMIN.password).await;
    let (sun, daisy, star) = (
        group(&app, "Солнышко").await,
        group(&app, "Ромашка").await,
        group(&app, "Звёздочка").await,
    );
    let choices = admin
        .json(
            "order_choices",
            &[("kind", "transfer"), ("on", "2026-11-05")],
        )
        .await;
    let candidates: Vec<(String, String)> = choices["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["child_id"].to_string(), c["group_id"].to_string()))
        .collect();
    assert_eq!(candidates.len(), 8, "{choices}");
    // Новиков of Звёздочка stays behind: unticked.
    let stays = app
        .scalar("SELECT id FROM children WHERE surname = 'Новиков'")
        .await
        .to_string();
    let sun_to_daisy = format!("{sun}:{daisy}");
    let daisy_to_star = format!("{daisy}:{star}");
    let star_stays = format!("{star}:{star}");
    let mut form: Vec<(&str, &str)> = vec![
        ("kind", "transfer"),
        ("number", "45-п"),
        ("issued_on", "2026-10-30"),
        ("effective_on", "2026-11-05"),
        ("moves[]", &sun_to_daisy),
        ("moves[]", &daisy_to_star),
        ("moves[]", &star_stays),
    ];
    for (child, _) in candidates.iter().filter(|(c, _)| *c != stays) {
        form.push(("children[]", child));
    }
    let res = admin.call("issue_order", &form).await;
    let status = res.status().as_u16();
    let body: Value = res.json().await.unwrap();
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["children"], 7);

    let in_group = |g: &str| format!("SELECT COUNT(*) FROM children WHERE group_id = {g}");
    assert_eq!(app.count(&in_group(&sun)).await, 0);
    assert_eq!(app.count(&in_group(&daisy)).await, 4);
    assert_eq!(app.count(&in_group(&star)).await, 4);
    // Солнышко's October still has its four children; its November has them for the
    // 2nd and 3rd (the 4th is a holiday), and nobody is left in it after.
    let teacher = app.signed_in(TEACHER.login, TEACHER.password).await;
    let october = teacher
        .json("timesheet", &[("group_id", &sun), ("month", "2026-10")])
        .await;
    assert_eq!(october["sheet"]["rows"].as_array().unwrap().len(), 4);
    let november = teacher
        .json("timesheet", &[("group_id", &sun), ("month", "2026-11")])
        .await;
    let rows = november["sheet"]["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 4);
    assert!(
        rows.iter().all(|r| r["totals"]["working_days"] == 2),
        "{november}"
    );
    let roster = teacher.json("group_roster", &[("group_id", &sun)]).await;
    assert_eq!(roster["children"].as_array().unwrap().len(), 0, "{roster}");
    let lines = app
        .count("SELECT COUNT(*) FROM enrolment_order_lines l JOIN enrolment_orders o ON o.id = l.order_id WHERE o.number = '45-п'")
        .await;
    assert_eq!(lines, 7);
}

async fn orders_are_listed_filtered_and_searched(app: TestApp) {
    let admin = app.signed_in(ADMIN.login, ADMIN.password).await;
    let (sun, daisy) = (group(&app, "Солнышко").await, group(&app, "Ромашка").await);
    let child = add_child(&admin, &sun, "Искомова", "2026-02-02").await;
    issued(&admin, "transfer", "2026-03-16", Some(&daisy), &[&child]).await;
    issued(&admin, "leaving", "2026-04-30", None, &[&child]).await;
    let list = |kind: &'static str, from: &'static str, query: &'static str| {
        let admin = &admin;
        async move {
            admin
                .json(
                    "list_orders",
                    &[
                        ("kind", kind),
                        ("from", from),
                        ("to", ""),
                        ("query", query),
                        ("page", "1"),
                    ],
                )
                .await
        }
    };
    // The card's admission, the transfer and the leaving.
    assert_eq!(list("", "", "").await["total"], 3);
    assert_eq!(list("leaving", "", "").await["total"], 1);
    assert_eq!(list("", "2026-04-01", "").await["total"], 1);
    assert_eq!(list("", "", "искомова").await["total"], 3);
    assert_eq!(list("transfer", "", "искомова").await["total"], 1);
    assert_eq!(list("", "", "Нетаковой").await["total"], 0);
    let res = admin
        .call(
            "list_orders",
            &[
                ("kind", "nonsense"),
                ("from", ""),
                ("to", ""),
                ("query", ""),
                ("page", "1"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 400);
    let newest = list("", "", "").await;
    assert_eq!(newest["rows"][0]["kind"], "leaving");
}

/// Иванова of «Солнышко» with everyone her move concerns: the admin, both groups'
/// teachers and her parent.
struct Family {
    admin: User,
    teacher: User,
    daisy_t: User,
    parent: User,
    sun: String,
    daisy: String,
    child: String,
}

impl Family {
    async fn of(app: &TestApp) -> Self {
        Self {
            admin: app.signed_in(ADMIN.login, ADMIN.password).await,
            teacher: app.signed_in(TEACHER.login, TEACHER.password).await,
            daisy_t: daisy_teacher(app).await,
            parent: app.signed_in(PARENT.login, PARENT.password).await,
            sun: group(app, "Солнышко").await,
            daisy: group(app, "Ромашка").await,
            child: app
                .scalar("SELECT id FROM children WHERE surname = 'Иванова'")
                .await
                .to_string(),
        }
    }
}

/// The child's planned reason on a group's marking page for a day; `None` when the
/// child is not on that page at all.
async fn planned_on(user: &User, group: &str, date: &str, child: &str) -> Option<Value> {
    let sheet = user
        .json("marking_sheet", &[("group_id", group), ("date", date)])
        .await;
    sheet["children"]
        .as_array()
        .unwrap_or_else(|| panic!("{sheet}"))
        .iter()
        .find(|c| c["child_id"].as_i64() == child.parse().ok())
        .map(|c| c["planned"].clone())
}

async fn a_planned_absence_follows_the_child_across_a_transfer(app: TestApp) {
    let Family {
        admin,
        teacher,
        daisy_t,
        parent,
        sun,
        daisy,
        child,
    } = Family::of(&app).await;
    // The parent announced Thursday 8 – Wednesday 14 October before the transfer was
    // known (written directly: announcing checks the days against today's date).
    app.execute(&format!(
        "INSERT INTO planned_absences (child_id, date_from, date_to, reason, comment, created_by, created_at) \
         SELECT {child}, '2026-10-08', '2026-10-14', 'О', 'к бабушке', person_id, 0 \
         FROM accounts WHERE login = '{}'",
        PARENT.login
    ))
    .await;

    issued(&admin, "transfer", "2026-10-12", Some(&daisy), &[&child]).await;

    // Before the transfer day the old group's page carries the announcement …
    assert_eq!(
        planned_on(&teacher, &sun, "2026-10-09", &child).await,
        Some(json!("О"))
    );
    // … and from it the new group's does, while the old one no longer lists the child.
    assert_eq!(planned_on(&teacher, &sun, "2026-10-12", &child).await, None);
    assert_eq!(
        planned_on(&daisy_t, &daisy, "2026-10-12", &child).await,
        Some(json!("О"))
    );
    assert_eq!(
        planned_on(&daisy_t, &daisy, "2026-10-14", &child).await,
        Some(json!("О"))
    );
    assert_eq!(
        planned_on(&daisy_t, &daisy, "2026-10-15", &child).await,
        Some(Value::Null),
        "the announcement ends on the 14th"
    );
    assert_eq!(
        planned_on(&daisy_t, &daisy, "2026-10-09", &child).await,
        None
    );

    // The parent keeps seeing the child, its announcement and its new group.
    let mine = parent.json("child_absences", &[("child_id", &child)]).await;
    assert_eq!(mine["announcements"][0]["reason"], "О", "{mine}");
    let children = parent.json("my_children", &[]).await;
    let own = children
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"].as_i64() == child.parse().ok())
        .unwrap_or_else(|| panic!("{children}"));
    assert_eq!(own["group_name"], "Ромашка");
}

/// The days of the notices on a group's notices page.
async fn notice_days(user: &User, group: &str) -> Vec<String> {
    let list = user.json("group_notices", &[("group_id", group)]).await;
    let mut days: Vec<String> = list["notices"]
        .as_array()
        .unwrap_or_else(|| panic!("{list}"))
        .iter()
        .map(|n| n["day"].as_str().unwrap().to_owned())
        .collect();
    days.sort();
    days
}

async fn notices_belong_to_the_group_of_their_day(app: TestApp) {
    let Family {
        admin,
        teacher,
        daisy_t,
        parent,
        sun,
        daisy,
        child,
    } = Family::of(&app).await;

    // An unexplained absence in each group asks the parents why.
    assert_eq!(
        mark(&teacher, &sun, "2026-10-08", &child, absent()).await.0,
        200
    );
    issued(&admin, "transfer", "2026-10-12", Some(&daisy), &[&child]).await;
    assert_eq!(
        mark(&daisy_t, &daisy, "2026-10-13", &child, absent())
            .await
            .0,
        200
    );

    // Each group's page shows the requests of its own days.
    assert_eq!(notice_days(&teacher, &sun).await, ["2026-10-08"]);
    assert_eq!(notice_days(&daisy_t, &daisy).await, ["2026-10-13"]);

    // A teacher writes about the days the child was in their group, and only those.
    let write = |user: &User, day: &'static str| {
        let (child, user) = (child.clone(), user.clone());
        async move {
            user.call(
                "write_notice",
                &[
                    ("child_id", &child),
                    ("day", day),
                    ("text", "Забрали раньше."),
                ],
            )
            .await
            .status()
            .as_u16()
        }
    };
    assert_eq!(write(&teacher, "2026-10-09").await, 200);
    assert_eq!(write(&daisy_t, "2026-10-09").await, 403);
    assert_eq!(write(&teacher, "2026-10-13").await, 403);
    assert_eq!(write(&daisy_t, "2026-10-13").await, 200);
    assert_eq!(
        notice_days(&teacher, &sun).await,
        ["2026-10-08", "2026-10-09"]
    );

    // The old group's October is closed: the parent's late answer about its day is
    // refused, while the new group's day can still be explained.
    let closed = admin
        .call(
            "set_month_closed",
            &[("group_id", &sun), ("month", "2026-10"), ("closed", "true")],
        )
        .await;
    assert_eq!(closed.status().as_u16(), 200);
    let inbox = parent.json("inbox", &[]).await;
    let request = |day: &str| {
        inbox["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["kind"] == "reason_request" && n["day"] == day)
            .unwrap_or_else(|| panic!("{inbox}"))["id"]
            .as_i64()
            .unwrap()
            .to_string()
    };
    let answer = |notice: String| {
        let parent = parent.clone();
        async move {
            let res = parent
                .call(
                    "answer_notice",
                    &[("notice_id", &notice), ("reason", "Б"), ("comment", "")],
                )
                .await;
            answered(res).await
        }
    };
    let (status, err) = answer(request("2026-10-08")).await;
    assert_eq!(status, 409, "{err}");
    assert!(err["ru"].as_str().unwrap().contains("закрыт"), "{err}");
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM marks WHERE child_id = {child} AND day = '2026-10-08' AND reason IS NULL"
        ))
        .await,
        1,
        "the closed month's mark is untouched"
    );
    assert_eq!(answer(request("2026-10-13")).await.0, 200);
}

async fn the_cards_leaving_date_is_an_order_too(app: TestApp) {
    let admin = app.signed_in(ADMIN.login, ADMIN.password).await;
    let sun = group(&app, "Солнышко").await;
    let child = add_child(&admin, &sun, "Карточкина", "2026-09-01").await;
    let leave = |day: &'static str| {
        let (admin, child) = (admin.clone(), child.clone());
        async move {
            let res = admin
                .call("leave_child", &[("child_id", &child), ("left_on", day)])
                .await;
            answered(res).await
        }
    };
    let back = || {
        let (admin, child) = (admin.clone(), child.clone());
        async move { answered(admin.call("return_child", &[("child_id", &child)]).await).await }
    };
    let last_period = || {
        let (admin, child) = (admin.clone(), child.clone());
        async move {
            let history = admin.json("child_history", &[("child_id", &child)]).await;
            history.as_array().unwrap().last().unwrap().clone()
        }
    };
    let leavings = |cancelled: bool| {
        format!(
            "SELECT COUNT(*) FROM enrolment_orders o JOIN enrolment_order_lines l ON l.order_id = o.id \
             WHERE l.child_id = {child} AND o.kind = 'leaving' AND o.number = 'б/н' AND o.cancelled_at IS {}",
            if cancelled { "NOT NULL" } else { "NULL" }
        )
    };

    // The card's leaving date closes the period by a leaving order «б/н» …
    assert_eq!(leave("2026-10-20").await.0, 200);
    let period = last_period().await;
    assert_eq!(period["to"], "2026-10-20", "{period}");
    assert_eq!(period["closed_by"][1], "б/н");
    assert_eq!(period["closed_by"][2], "leaving");
    // … a corrected date moves that order, not a second one …
    assert_eq!(leave("2026-10-23").await.0, 200);
    assert_eq!(app.count(&leavings(false)).await, 1);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM enrolment_orders o JOIN enrolment_order_lines l ON l.order_id = o.id \
             WHERE l.child_id = {child} AND o.kind = 'leaving' AND o.effective_on = '2026-10-23'"
        ))
        .await,
        1
    );
    // … and undoing it cancels the order (audited) and reopens the period.
    assert_eq!(back().await.0, 200);
    let period = last_period().await;
    assert_eq!(period["to"], Value::Null, "{period}");
    assert_eq!(period["closed_by"], Value::Null);
    assert_eq!(app.count(&leavings(false)).await, 0);
    assert_eq!(
        app.count(&format!(
            "{} AND o.cancelled_by IS NOT NULL",
            leavings(true)
        ))
        .await,
        1
    );

    // A leaving by the admin's numbered order belongs to that order: the card says so.
    issued(&admin, "leaving", "2026-11-06", None, &[&child]).await;
    for (status, err) in [back().await, leave("2026-11-10").await] {
        assert_eq!(status, 409, "{err}");
        assert!(err["ru"].as_str().unwrap().contains("№ 12-к"), "{err}");
        assert!(err["en"].as_str().unwrap().contains("No. 12-к"), "{err}");
    }
    assert_eq!(last_period().await["to"], "2026-11-06");
}

async fn an_organisation_of_twenty_groups_moves_up_in_one_order(app: TestApp) {
    // One kindergarten of 20 groups and 500 children, marked through September and
    // October by the region generator.
    let db = app::db::Db::connect(&app.database_url, 2).await.unwrap();
    let params = server::region::RegionParams {
        seed: 11,
        municipalities: 1,
        organisations: 1,
        groups: 20,
        staff: 45,
        children: 500,
        from: chrono::NaiveDate::from_ymd_opt(2026, 9, 1).unwrap(),
        until: chrono::NaiveDate::from_ymd_opt(2026, 10, 30).unwrap(),
        password_hash: app::auth::password::hash("region-2026".into())
            .await
            .unwrap(),
    };
    server::region::generate(db.pool(), db.backend(), &params, &|_, _, _| {})
        .await
        .unwrap();
    let organisation = app.scalar("SELECT MIN(id) FROM organisations").await;
    let admin = app
        .signed_in(&format!("admin-{organisation}"), "region-2026")
        .await;

    let choices = admin
        .json(
            "order_choices",
            &[("kind", "transfer"), ("on", "2026-11-02")],
        )
        .await;
    let candidates: Vec<String> = choices["candidates"]
        .as_array()
        .unwrap_or_else(|| panic!("{choices}"))
        .iter()
        .map(|c| c["child_id"].to_string())
        .collect();
    let still_there = app
        .count("SELECT COUNT(*) FROM enrolments WHERE to_day IS NULL")
        .await as usize;
    assert_eq!(
        candidates.len(),
        still_there,
        "every child present is offered"
    );
    assert!(candidates.len() > 450, "{}", candidates.len());

    // Every group moves on to the next one (the last to the first).
    let groups: Vec<i64> = sqlx::query_scalar("SELECT id FROM groups ORDER BY id")
        .fetch_all(db.pool())
        .await
        .unwrap();
    assert_eq!(groups.len(), 20);
    let moves: Vec<String> = groups
        .iter()
        .zip(groups.iter().cycle().skip(1))
        .map(|(from, to)| format!("{from}:{to}"))
        .collect();
    let mut form: Vec<(&str, &str)> = vec![
        ("kind", "transfer"),
        ("number", "27-к"),
        ("issued_on", "2026-10-26"),
        ("effective_on", "2026-11-02"),
        ("comment", "Перевод в следующую возрастную группу"),
    ];
    form.extend(moves.iter().map(|m| ("moves[]", m.as_str())));
    form.extend(candidates.iter().map(|c| ("children[]", c.as_str())));
    let res = admin.call("issue_order", &form).await;
    let status = res.status().as_u16();
    let body: Value = res.json().await.unwrap();
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["children"], candidates.len());

    // One order, a line and a new period for each child, each in the next group.
    let order = body["id"].as_i64().unwrap();
    let lines = format!("SELECT COUNT(*) FROM enrolment_order_lines WHERE order_id = {order}");
    assert_eq!(app.count(&lines).await as usize, candidates.len());
    for (from, to) in groups.iter().zip(groups.iter().cycle().skip(1)) {
        let left = app
            .count(&format!(
                "SELECT COUNT(*) FROM enrolments WHERE group_id = {from} AND to_day = '2026-11-01' \
                 AND closed_by = {order}"
            ))
            .await;
        let arrived = app
            .count(&format!(
                "SELECT COUNT(*) FROM enrolments WHERE group_id = {to} AND from_day = '2026-11-02' \
                 AND opened_by = {order}"
            ))
            .await;
        assert!(left > 0);
        assert_eq!(left, arrived, "group {from} moved whole into {to}");
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM enrolments WHERE to_day IS NULL")
            .await as usize,
        still_there,
        "nobody lost, nobody doubled"
    );
}
