use serde_json::Value;
use server::demo::{ADMIN, MULTI, TEACHER};

use crate::helpers::{new_client, TestApp, User};

crate::on_both_backends!(
    true,
    wrong_password_is_refused_without_a_session,
    repeated_failures_are_rate_limited,
    a_new_staff_account_must_change_its_one_time_password,
    a_person_with_two_roles_chooses_one,
    logout_ends_the_session,
    cross_site_writes_are_refused,
);

async fn wrong_password_is_refused_without_a_session(app: TestApp) {
    let client = new_client();
    let res = app
        .login_with(&client, ADMIN.login, "not-the-password")
        .await;
    assert_eq!(res.status().as_u16(), 401);
    assert!(res.headers().get("set-cookie").is_none());
    let err: Value = res.json().await.unwrap();
    assert_eq!(err["ru"], "Неверный логин или пароль.");
    let unknown = app.login_with(&client, "nobody", "whatever-password").await;
    assert_eq!(
        unknown.status().as_u16(),
        401,
        "an unknown login looks the same"
    );
    let user = User {
        client,
        address: app.address.clone(),
    };
    assert_eq!(user.call("list_groups", &[]).await.status().as_u16(), 401);
}

async fn repeated_failures_are_rate_limited(app: TestApp) {
    let client = new_client();
    for _ in 0..5 {
        let res = app
            .login_with(&client, TEACHER.login, "wrong-password")
            .await;
        assert_eq!(res.status().as_u16(), 401);
    }
    // Even the right password is refused until the window passes.
    let res = app
        .login_with(&client, TEACHER.login, TEACHER.password)
        .await;
    assert_eq!(res.status().as_u16(), 429);
    let err: Value = res.json().await.unwrap();
    assert_eq!(err["kind"], "too_many_requests");
    // Other accounts are not affected.
    let res = app
        .login_with(&new_client(), ADMIN.login, ADMIN.password)
        .await;
    assert_eq!(res.status().as_u16(), 200);
}

async fn a_new_staff_account_must_change_its_one_time_password(app: TestApp) {
    let admin = app.signed_in(ADMIN.login, ADMIN.password).await;
    let created = admin
        .json(
            "create_staff",
            &[
                ("surname", "Ёлкина"),
                ("given_name", "Дарья"),
                ("patronymic", "Олеговна"),
                ("email", "elkina@example.ru"),
                ("phone", "+7 (342) 200-00-00"),
                ("position", "Воспитатель"),
                ("teacher", "on"),
            ],
        )
        .await;
    let login = created["login"].as_str().unwrap().to_owned();
    let otp = created["one_time_password"].as_str().unwrap().to_owned();
    assert_eq!(login, "elkina.do");
    assert_eq!(otp.len(), 12);
    let stored: i64 = app
        .scalar(&format!("SELECT COUNT(*) FROM accounts WHERE login = '{login}' AND password_hash LIKE '$argon2id$%'"))
        .await;
    assert_eq!(stored, 1, "only the argon2 hash is stored");

    let client = new_client();
    let res = app.login_with(&client, &login, &otp).await;
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(res.headers()["location"], "/password");
    let teacher = User {
        client,
        address: app.address.clone(),
    };
    let blocked = teacher.call("my_groups", &[]).await;
    assert_eq!(
        blocked.status().as_u16(),
        401,
        "nothing opens before the change"
    );

    let mismatch = teacher
        .call(
            "change_password",
            &[
                ("current_password", &otp),
                ("new_password", "Новый-пароль-2026"),
                ("new_password_confirm", "другой"),
            ],
        )
        .await;
    assert_eq!(mismatch.status().as_u16(), 400);
    let err: Value = mismatch.json().await.unwrap();
    assert_eq!(err["field"], "new_password_confirm");

    let weak = teacher
        .call(
            "change_password",
            &[
                ("current_password", &otp),
                ("new_password", "123"),
                ("new_password_confirm", "123"),
            ],
        )
        .await;
    assert_eq!(weak.status().as_u16(), 400);
    let err: Value = weak.json().await.unwrap();
    assert_eq!(err["field"], "new_password");

    let ok = teacher
        .call(
            "change_password",
            &[
                ("current_password", &otp),
                ("new_password", "Новый-пароль-2026"),
                ("new_password_confirm", "Новый-пароль-2026"),
            ],
        )
        .await;
    assert_eq!(ok.status().as_u16(), 200);
    assert_eq!(ok.headers()["location"], "/");
    assert_eq!(teacher.json("my_groups", &[]).await, Value::Array(vec![]));

    // The one-time password no longer works; the new one does.
    assert_eq!(
        app.login_with(&new_client(), &login, &otp)
            .await
            .status()
            .as_u16(),
        401
    );
    app.signed_in(&login, "Новый-пароль-2026").await;
}

async fn a_person_with_two_roles_chooses_one(app: TestApp) {
    let client = new_client();
    let res = app.login_with(&client, MULTI.login, MULTI.password).await;
    assert_eq!(res.headers()["location"], "/role");
    let multi = User {
        client,
        address: app.address.clone(),
    };
    assert_eq!(multi.call("my_groups", &[]).await.status().as_u16(), 401);

    let me = multi.json("whoami", &[]).await;
    let grants = me["grants"].as_array().unwrap();
    let grant = |role: &str| {
        grants.iter().find(|g| g["role"] == role).unwrap()["grant_id"]
            .as_i64()
            .unwrap()
            .to_string()
    };
    assert_eq!(grants.len(), 2);

    let res = multi
        .call("choose_role", &[("grant_id", &grant("teacher"))])
        .await;
    assert_eq!(res.status().as_u16(), 200);
    let groups = multi.json("my_groups", &[]).await;
    assert_eq!(groups[0]["name"], "Ромашка");
    assert_eq!(
        multi.call("my_children", &[]).await.status().as_u16(),
        403,
        "not as a teacher"
    );

    multi
        .call("choose_role", &[("grant_id", &grant("parent"))])
        .await;
    let children = multi.json("my_children", &[]).await;
    assert_eq!(children.as_array().unwrap().len(), 1);
    assert_eq!(children[0]["full_name"], "Петров Артём Алексеевич");
    assert_eq!(
        multi.call("my_groups", &[]).await.status().as_u16(),
        403,
        "not as a parent"
    );

    // Someone else's grant cannot be chosen.
    let admins_grant = app
        .scalar("SELECT g.id FROM role_grants g JOIN accounts a ON a.person_id = g.person_id WHERE a.login = 'admin'")
        .await;
    let res = multi
        .call("choose_role", &[("grant_id", &admins_grant.to_string())])
        .await;
    assert_eq!(res.status().as_u16(), 403);
}

async fn logout_ends_the_session(app: TestApp) {
    let admin = app.signed_in(ADMIN.login, ADMIN.password).await;
    assert_eq!(admin.call("list_groups", &[]).await.status().as_u16(), 200);
    let res = admin.call("logout", &[]).await;
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0);
    assert_eq!(admin.call("list_groups", &[]).await.status().as_u16(), 401);
}

async fn cross_site_writes_are_refused(app: TestApp) {
    let admin = app.signed_in(ADMIN.login, ADMIN.password).await;
    let res = admin
        .client
        .post(format!("{}/api/add_group", app.address))
        .header("origin", "https://evil.example")
        .form(&[("name", "Чужая")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 403);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM groups WHERE name = 'Чужая'")
            .await,
        0
    );
    // The same request from the app's own origin goes through.
    let own_origin = app.address.clone();
    let res = admin
        .client
        .post(format!("{}/api/add_group", app.address))
        .header("origin", own_origin)
        .form(&[("name", "Своя")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
}
