use serde_json::Value;
use server::demo::{ADMIN, MUNICIPAL};

use crate::helpers::{client_from, inn_from, new_client, TestApp, User};

crate::on_both_backends!(
    true,
    a_request_is_validated_field_by_field,
    an_approved_request_creates_the_organisation_and_its_admin,
    a_rejected_request_creates_nothing,
    only_the_municipal_specialist_decides,
    one_organisation_waits_in_the_queue_once,
    one_address_sends_only_a_few_requests_an_hour,
    the_specialists_queue_comes_a_page_at_a_time,
);

fn form<'a>(municipality: &'a str, inn: &'a str, kpp: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("municipality_id", municipality),
        ("surname", "Заявкина"),
        ("given_name", "Светлана"),
        ("patronymic", "Петровна"),
        ("email", "zayavkina@sad3.example.ru"),
        ("position", "Заведующий"),
        (
            "organisation_name",
            "Муниципальное автономное дошкольное образовательное учреждение «Детский сад № 3»",
        ),
        ("short_name", "МАДОУ «Детский сад № 3»"),
        ("inn", inn),
        ("kpp", kpp),
    ]
}

async fn anonymous(app: &TestApp) -> User {
    User {
        client: new_client(),
        address: app.address.clone(),
    }
}

async fn municipality(app: &TestApp) -> String {
    app.scalar("SELECT id FROM municipalities")
        .await
        .to_string()
}

async fn a_request_is_validated_field_by_field(app: TestApp) {
    let m = municipality(&app).await;
    let mut bad = form(&m, "7707083894", "77360100");
    bad[1] = ("surname", "");
    bad[4] = ("email", "not-an-email");
    let res = anonymous(&app)
        .await
        .call("submit_registration", &bad)
        .await;
    assert_eq!(res.status().as_u16(), 400);
    let err: Value = res.json().await.unwrap();
    let fields: Vec<&str> = err["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    for field in ["surname", "email", "inn", "kpp"] {
        assert!(
            fields.contains(&field),
            "{field} not reported in {fields:?}"
        );
    }
    assert_eq!(fields.len(), 4, "valid fields are not reported: {fields:?}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM registration_requests")
            .await,
        0
    );
}

async fn approve_first(specialist: &User) -> Value {
    let pending = specialist.json("pending_registrations", &[]).await;
    let id = pending["rows"][0]["id"].as_i64().unwrap().to_string();
    specialist
        .json(
            "decide_registration",
            &[("request_id", &id), ("approve", "true")],
        )
        .await
}

async fn an_approved_request_creates_the_organisation_and_its_admin(app: TestApp) {
    let m = municipality(&app).await;
    let res = anonymous(&app)
        .await
        .call("submit_registration", &form(&m, "7707083893", "773601001"))
        .await;
    assert_eq!(res.status().as_u16(), 200);
    let specialist = app.signed_in(MUNICIPAL.login, MUNICIPAL.password).await;
    let pending = specialist.json("pending_registrations", &[]).await;
    assert_eq!(pending["rows"].as_array().unwrap().len(), 1);
    assert_eq!(pending["total"], 1);
    assert_eq!(pending["rows"][0]["inn"], "7707083893");
    assert_eq!(
        pending["rows"][0]["full_name"],
        "Заявкина Светлана Петровна"
    );

    let credentials = approve_first(&specialist).await;
    let login = credentials["login"].as_str().unwrap();
    let otp = credentials["one_time_password"].as_str().unwrap();
    assert_eq!(login, "zaiavkina.sp");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM organisations WHERE inn = '7707083893'")
            .await,
        1
    );

    // The new admin signs in, changes the password and manages its own, empty organisation.
    let admin = new_client();
    let res = app.login_with(&admin, login, otp).await;
    assert_eq!(res.headers()["location"], "/password");
    let admin = User {
        client: admin,
        address: app.address.clone(),
    };
    admin
        .json(
            "change_password",
            &[
                ("current_password", otp),
                ("new_password", "Детский-сад-3-пароль"),
                ("new_password_confirm", "Детский-сад-3-пароль"),
            ],
        )
        .await;
    let groups = admin.json("list_groups", &[]).await;
    assert_eq!(
        groups["organisation_name"],
        "Муниципальное автономное дошкольное образовательное учреждение «Детский сад № 3»"
    );
    assert_eq!(groups["groups"], Value::Array(vec![]));

    // The queue is empty and the same INN cannot be submitted again.
    assert_eq!(
        specialist.json("pending_registrations", &[]).await["rows"],
        Value::Array(vec![])
    );
    let again = anonymous(&app)
        .await
        .call("submit_registration", &form(&m, "7707083893", "773601001"))
        .await;
    assert_eq!(again.status().as_u16(), 409);
}

async fn a_rejected_request_creates_nothing(app: TestApp) {
    let m = municipality(&app).await;
    anonymous(&app)
        .await
        .json("submit_registration", &form(&m, "7736207543", "770401001"))
        .await;
    let specialist = app.signed_in(MUNICIPAL.login, MUNICIPAL.password).await;
    let id = specialist.json("pending_registrations", &[]).await["rows"][0]["id"]
        .as_i64()
        .unwrap()
        .to_string();
    let decided = specialist
        .json(
            "decide_registration",
            &[("request_id", &id), ("approve", "false")],
        )
        .await;
    assert_eq!(decided, Value::Null);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM organisations WHERE inn = '7736207543'")
            .await,
        0
    );
    // Deciding twice is refused.
    let twice = specialist
        .call(
            "decide_registration",
            &[("request_id", &id), ("approve", "true")],
        )
        .await;
    assert_eq!(twice.status().as_u16(), 404);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM organisations WHERE inn = '7736207543'")
            .await,
        0
    );
}

async fn only_the_municipal_specialist_decides(app: TestApp) {
    let m = municipality(&app).await;
    anonymous(&app)
        .await
        .json("submit_registration", &form(&m, "7707083893", "773601001"))
        .await;
    let id = app
        .scalar("SELECT id FROM registration_requests")
        .await
        .to_string();
    let admin = app.signed_in(ADMIN.login, ADMIN.password).await;
    assert_eq!(
        admin
            .call("pending_registrations", &[])
            .await
            .status()
            .as_u16(),
        403
    );
    assert_eq!(
        admin
            .call(
                "decide_registration",
                &[("request_id", &id), ("approve", "true")]
            )
            .await
            .status()
            .as_u16(),
        403
    );
    assert_eq!(
        anonymous(&app)
            .await
            .call(
                "decide_registration",
                &[("request_id", &id), ("approve", "true")]
            )
            .await
            .status()
            .as_u16(),
        401
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM organisations WHERE inn = '7707083893'")
            .await,
        0
    );
}

async fn one_organisation_waits_in_the_queue_once(app: TestApp) {
    let m = municipality(&app).await;
    let first = anonymous(&app)
        .await
        .call("submit_registration", &form(&m, "7707083893", "773601001"))
        .await;
    assert_eq!(first.status().as_u16(), 200);
    // The same organisation again, from another office: refused while the first waits.
    let again = User {
        client: client_from("127.0.0.8"),
        address: app.address.clone(),
    }
    .call("submit_registration", &form(&m, "7707083893", "773601001"))
    .await;
    assert_eq!(again.status().as_u16(), 409);
    let err: Value = again.json().await.unwrap();
    assert_eq!(err["field"], "inn");
    assert!(
        err["ru"].as_str().unwrap().contains("ждёт решения"),
        "{err}"
    );
    // A separate subdivision (same INN, another KPP) is another organisation.
    let branch = anonymous(&app)
        .await
        .call("submit_registration", &form(&m, "7707083893", "773601002"))
        .await;
    assert_eq!(branch.status().as_u16(), 200);
    // Once the first is rejected, it may be sent again.
    let specialist = app.signed_in(MUNICIPAL.login, MUNICIPAL.password).await;
    let id = specialist.json("pending_registrations", &[]).await["rows"][0]["id"]
        .as_i64()
        .unwrap()
        .to_string();
    specialist
        .json(
            "decide_registration",
            &[("request_id", &id), ("approve", "false")],
        )
        .await;
    let resent = anonymous(&app)
        .await
        .call("submit_registration", &form(&m, "7707083893", "773601001"))
        .await;
    assert_eq!(resent.status().as_u16(), 200);
}

async fn one_address_sends_only_a_few_requests_an_hour(app: TestApp) {
    let m = municipality(&app).await;
    let office = User {
        client: client_from("127.0.0.9"),
        address: app.address.clone(),
    };
    for i in 0..5 {
        let inn = inn_from(770_000_100 + i);
        let res = office
            .call("submit_registration", &form(&m, &inn, "770001001"))
            .await;
        assert_eq!(res.status().as_u16(), 200, "request {i}");
    }
    let inn = inn_from(770_000_200);
    let res = office
        .call("submit_registration", &form(&m, &inn, "770001001"))
        .await;
    assert_eq!(res.status().as_u16(), 429);
    let err: Value = res.json().await.unwrap();
    assert!(
        err["ru"].as_str().unwrap().contains("слишком много заявок"),
        "{err}"
    );
    // Another address is not affected.
    let res = User {
        client: client_from("127.0.0.10"),
        address: app.address.clone(),
    }
    .call("submit_registration", &form(&m, &inn, "770001001"))
    .await;
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM registration_requests")
            .await,
        6
    );
}

async fn the_specialists_queue_comes_a_page_at_a_time(app: TestApp) {
    let m = municipality(&app).await;
    // 45 requests waiting (written directly: the form allows only a few per address).
    for i in 0..45 {
        app.execute(&format!(
            "INSERT INTO registration_requests (municipality_id, surname, given_name, email, \
             position, organisation_name, short_name, inn, created_at) \
             VALUES ({m}, 'Заявкина', 'Светлана', 'z{i}@example.ru', 'Заведующий', \
             'Детский сад № {i}', 'Сад № {i}', '{}', {i})",
            inn_from(771_000_000 + i)
        ))
        .await;
    }
    let specialist = app.signed_in(MUNICIPAL.login, MUNICIPAL.password).await;
    let first = specialist.json("pending_registrations", &[]).await;
    assert_eq!(first["total"], 45);
    assert_eq!(first["per_page"], 20);
    assert_eq!(first["rows"].as_array().unwrap().len(), 20);
    assert_eq!(first["rows"][0]["short_name"], "Сад № 0", "oldest first");
    let third = specialist
        .json("pending_registrations", &[("page", "3")])
        .await;
    assert_eq!(third["page"], 3);
    assert_eq!(third["rows"].as_array().unwrap().len(), 5);
    assert_eq!(third["rows"][4]["short_name"], "Сад № 44");
    // Past the end: the last page.
    let past = specialist
        .json("pending_registrations", &[("page", "99")])
        .await;
    assert_eq!(past["page"], 3);
}
