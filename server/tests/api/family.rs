use chrono::{Duration, Local};
use serde_json::Value;
use server::demo::{MULTI, PARENT, TEACHER};

use crate::helpers::TestApp;

crate::on_both_backends!(
    true,
    a_parent_announces_and_the_teacher_sees_it_prefilled,
    announcements_are_validated,
    a_parent_cannot_announce_for_another_familys_child,
    cancelling_is_possible_only_before_the_first_day,
);

fn day(offset: i64) -> String {
    (Local::now().date_naive() + Duration::days(offset)).to_string()
}

async fn ivanova(app: &TestApp) -> String {
    app.scalar("SELECT id FROM children WHERE surname = 'Иванова'")
        .await
        .to_string()
}

async fn a_parent_announces_and_the_teacher_sees_it_prefilled(app: TestApp) {
    let parent = app.signed_in(PARENT.login, PARENT.password).await;
    let child = ivanova(&app).await;
    let (today, later) = (day(0), day(2));
    parent
        .json(
            "announce_absence",
            &[
                ("child_id", &child),
                ("date_from", &today),
                ("date_to", &later),
                ("reason", "О"),
                ("comment", "к бабушке"),
            ],
        )
        .await;
    let mine = parent.json("child_absences", &[("child_id", &child)]).await;
    assert_eq!(mine["announcements"][0]["reason"], "О");
    assert_eq!(mine["announcements"][0]["comment"], "к бабушке");

    let teacher = app.signed_in(TEACHER.login, TEACHER.password).await;
    let sun = app
        .scalar("SELECT id FROM groups WHERE name = 'Солнышко'")
        .await
        .to_string();
    let sheet = teacher
        .json("marking_sheet", &[("group_id", &sun), ("date", &today)])
        .await;
    let row = sheet["children"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| {
            c["child_id"].as_i64().map(|id| id.to_string()).as_deref() == Some(child.as_str())
        })
        .unwrap()
        .clone();
    assert_eq!(row["planned"], "О");
    let others = sheet["children"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["planned"].is_null())
        .count();
    assert_eq!(others, 3, "only Ivanova's day is pre-filled");
    // Outside the period nothing is pre-filled.
    let after = teacher
        .json("marking_sheet", &[("group_id", &sun), ("date", &day(3))])
        .await;
    assert!(after["children"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["planned"].is_null()));
}

async fn announcements_are_validated(app: TestApp) {
    let parent = app.signed_in(PARENT.login, PARENT.password).await;
    let child = ivanova(&app).await;
    for (from, to, reason, field) in [
        (day(-1), day(1), "Б", "date_from"),
        (day(3), day(2), "Б", "date_to"),
        (day(1), day(2), "Ж", "reason"),
        ("завтра".to_owned(), day(2), "Б", "date_from"),
    ] {
        let res = parent
            .call(
                "announce_absence",
                &[
                    ("child_id", &child),
                    ("date_from", &from),
                    ("date_to", &to),
                    ("reason", reason),
                    ("comment", ""),
                ],
            )
            .await;
        assert_eq!(res.status().as_u16(), 400, "{from} {to} {reason}");
        let err: Value = res.json().await.unwrap();
        assert_eq!(err["field"], field, "{from} {to} {reason}");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM planned_absences").await, 0);
}

async fn a_parent_cannot_announce_for_another_familys_child(app: TestApp) {
    let parent = app.signed_in(PARENT.login, PARENT.password).await;
    let petrov = app
        .scalar("SELECT id FROM children WHERE surname = 'Петров'")
        .await
        .to_string();
    let form = [
        ("child_id", petrov.as_str()),
        ("date_from", &day(1)),
        ("date_to", &day(2)),
        ("reason", "Б"),
        ("comment", ""),
    ];
    assert_eq!(
        parent
            .call("announce_absence", &form)
            .await
            .status()
            .as_u16(),
        403
    );
    assert_eq!(
        parent
            .call("child_absences", &[("child_id", &petrov)])
            .await
            .status()
            .as_u16(),
        403
    );
    // A teacher, even of the child's group, does not announce for parents.
    let teacher = app.signed_in(TEACHER.login, TEACHER.password).await;
    let ivanova = ivanova(&app).await;
    let form = [
        ("child_id", ivanova.as_str()),
        ("date_from", &day(1)),
        ("date_to", &day(2)),
        ("reason", "Б"),
        ("comment", ""),
    ];
    assert_eq!(
        teacher
            .call("announce_absence", &form)
            .await
            .status()
            .as_u16(),
        403
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM planned_absences").await, 0);
    // The other family's parent, acting as a parent, may.
    let multi = crate::helpers::new_client();
    app.login_with(&multi, MULTI.login, MULTI.password).await;
    let multi = crate::helpers::User {
        client: multi,
        address: app.address.clone(),
    };
    let me = multi.json("whoami", &[]).await;
    let parent_grant = me["grants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["role"] == "parent")
        .unwrap()["grant_id"]
        .to_string();
    multi
        .json("choose_role", &[("grant_id", &parent_grant)])
        .await;
    let form = [
        ("child_id", petrov.as_str()),
        ("date_from", &day(1)),
        ("date_to", &day(2)),
        ("reason", "Б"),
        ("comment", ""),
    ];
    assert_eq!(
        multi
            .call("announce_absence", &form)
            .await
            .status()
            .as_u16(),
        200
    );
}

async fn cancelling_is_possible_only_before_the_first_day(app: TestApp) {
    let parent = app.signed_in(PARENT.login, PARENT.password).await;
    let child = ivanova(&app).await;
    for from in [day(0), day(1)] {
        let form = [
            ("child_id", child.as_str()),
            ("date_from", &from),
            ("date_to", &day(2)),
            ("reason", "Б"),
            ("comment", ""),
        ];
        parent.json("announce_absence", &form).await;
    }
    let list = parent.json("child_absences", &[("child_id", &child)]).await;
    let find = |from: &str| {
        list["announcements"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["date_from"] == from)
            .unwrap()
            .clone()
    };
    let (started, ahead) = (find(&day(0)), find(&day(1)));
    assert_eq!(
        (started["can_cancel"].clone(), ahead["can_cancel"].clone()),
        (Value::Bool(false), Value::Bool(true))
    );
    let res = parent
        .call(
            "cancel_absence",
            &[("announcement_id", &started["id"].to_string())],
        )
        .await;
    assert_eq!(res.status().as_u16(), 409);
    let res = parent
        .call(
            "cancel_absence",
            &[("announcement_id", &ahead["id"].to_string())],
        )
        .await;
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM planned_absences WHERE cancelled_at IS NOT NULL")
            .await,
        1
    );
    // A cancelled announcement no longer pre-fills anything.
    let teacher = app.signed_in(TEACHER.login, TEACHER.password).await;
    let sun = app
        .scalar("SELECT id FROM groups WHERE name = 'Солнышко'")
        .await
        .to_string();
    let sheet = teacher
        .json("marking_sheet", &[("group_id", &sun), ("date", &day(1))])
        .await;
    let planned: Vec<&Value> = sheet["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| &c["planned"])
        .filter(|p| !p.is_null())
        .collect();
    assert_eq!(
        planned,
        vec![&Value::String("Б".into())],
        "only the started announcement remains"
    );
}
