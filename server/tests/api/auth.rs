use serde_json::Value;
use server::demo::{ADMIN, MULTI, PARENT, TEACHER};

use crate::helpers::{client_from, new_client, spawn_on, TestApp, User};

crate::on_both_backends!(
    true,
    wrong_password_is_refused_without_a_session,
    repeated_failures_are_rate_limited,
    a_new_staff_account_must_change_its_one_time_password,
    a_person_with_two_roles_chooses_one,
    logout_ends_the_session,
    cross_site_writes_are_refused,
    a_strangers_guesses_do_not_lock_the_owner_out,
    parallel_guesses_are_counted_before_they_are_checked,
    a_forwarded_address_counts_only_from_a_trusted_proxy,
    a_login_guessed_at_from_many_addresses_still_admits_known_devices,
    overlong_credentials_are_refused_unchecked,
    an_unused_staff_session_ends_sooner_than_a_parents,
    over_https_the_session_cookie_is_host_only_and_hsts_is_sent,
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

async fn a_strangers_guesses_do_not_lock_the_owner_out(app: TestApp) {
    let stranger = client_from("127.0.0.2");
    for _ in 0..5 {
        let res = app
            .login_with(&stranger, TEACHER.login, "wrong-password")
            .await;
        assert_eq!(res.status().as_u16(), 401);
    }
    let res = app
        .login_with(&stranger, TEACHER.login, TEACHER.password)
        .await;
    assert_eq!(
        res.status().as_u16(),
        429,
        "the guessing address is held back"
    );
    let err: Value = res.json().await.unwrap();
    assert!(
        err["ru"].as_str().unwrap().contains("с этого устройства"),
        "{err}"
    );
    // The teacher on her own tablet signs in at once.
    let owner = client_from("127.0.0.3");
    let res = app
        .login_with(&owner, TEACHER.login, TEACHER.password)
        .await;
    assert_eq!(res.status().as_u16(), 200);
    // Her success does not forgive the stranger.
    let res = app
        .login_with(&stranger, TEACHER.login, TEACHER.password)
        .await;
    assert_eq!(res.status().as_u16(), 429);
}

async fn parallel_guesses_are_counted_before_they_are_checked(app: TestApp) {
    let mut guesses = tokio::task::JoinSet::new();
    for i in 0..40 {
        let client = new_client();
        let url = format!("{}/api/login", app.address);
        guesses.spawn(async move {
            let password = format!("wrong-password-{i}");
            client
                .post(url)
                .form(&[("login", TEACHER.login), ("password", &password)])
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        });
    }
    let mut statuses = std::collections::BTreeMap::<u16, usize>::new();
    while let Some(status) = guesses.join_next().await {
        *statuses.entry(status.unwrap()).or_default() += 1;
    }
    // 401 is a verified wrong password: only five guesses may be checked.
    let checked = statuses.get(&401).copied().unwrap_or(0);
    assert!(checked <= 5, "{statuses:?}");
    assert!(checked >= 1, "{statuses:?}");
    for status in statuses.keys() {
        assert!([401, 429, 503].contains(status), "{statuses:?}");
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM login_attempts").await,
        checked as i64,
        "exactly the checked guesses are booked"
    );
}

async fn a_forwarded_address_counts_only_from_a_trusted_proxy(app: TestApp) {
    let behind_proxy = spawn_on(&app.database_url, false, |s| {
        s.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    })
    .await;
    let login_via = |client: &reqwest::Client, address: &str, forwarded: &str, password: &str| {
        client
            .post(format!("{address}/api/login"))
            .header("x-forwarded-for", forwarded)
            .form(&[("login", TEACHER.login), ("password", password)])
            .send()
    };
    let proxy = new_client();
    for _ in 0..5 {
        let res = login_via(&proxy, &behind_proxy.address, "198.51.100.1", "wrong")
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 401);
    }
    let res = login_via(
        &proxy,
        &behind_proxy.address,
        "198.51.100.1",
        TEACHER.password,
    )
    .await
    .unwrap();
    assert_eq!(res.status().as_u16(), 429);
    let res = login_via(
        &proxy,
        &behind_proxy.address,
        "198.51.100.2",
        TEACHER.password,
    )
    .await
    .unwrap();
    assert_eq!(
        res.status().as_u16(),
        200,
        "another client behind the proxy"
    );

    // Straight to a Tabel that trusts no proxy, a made-up header changes nothing.
    let direct = client_from("127.0.0.4");
    for i in 0..5 {
        let res = login_via(&direct, &app.address, &format!("203.0.113.{i}"), "wrong")
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 401);
    }
    let res = login_via(&direct, &app.address, "203.0.113.99", TEACHER.password)
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 429);
}

async fn a_login_guessed_at_from_many_addresses_still_admits_known_devices(app: TestApp) {
    // The teacher has signed in from her tablet before.
    let tablet = client_from("127.0.0.5");
    let res = app
        .login_with(&tablet, TEACHER.login, TEACHER.password)
        .await;
    assert_eq!(res.status().as_u16(), 200);
    // Then fifty wrong guesses from fifty other addresses (booked directly: checking
    // fifty argon2 hashes would prove nothing more).
    let now = app
        .scalar("SELECT MAX(at) FROM login_known_addresses")
        .await;
    for i in 0..50 {
        app.execute(&format!(
            "INSERT INTO login_attempts (login, address, at) \
             VALUES ('{}', '192.0.2.{i}', {now})",
            TEACHER.login
        ))
        .await;
    }
    let newcomer = client_from("127.0.0.6");
    let res = app
        .login_with(&newcomer, TEACHER.login, TEACHER.password)
        .await;
    assert_eq!(res.status().as_u16(), 429);
    let err: Value = res.json().await.unwrap();
    assert!(
        err["ru"]
            .as_str()
            .unwrap()
            .contains("с которого уже входили"),
        "{err}"
    );
    let res = app
        .login_with(&new_client_from_tablet(), TEACHER.login, TEACHER.password)
        .await;
    assert_eq!(res.status().as_u16(), 200, "the known tablet gets in");
    // Other logins are not touched.
    let res = app.login_with(&newcomer, ADMIN.login, ADMIN.password).await;
    assert_eq!(res.status().as_u16(), 200);
}

fn new_client_from_tablet() -> reqwest::Client {
    client_from("127.0.0.5")
}

async fn overlong_credentials_are_refused_unchecked(app: TestApp) {
    let client = new_client();
    let long_login = "a".repeat(65);
    let res = app.login_with(&client, &long_login, "whatever").await;
    assert_eq!(res.status().as_u16(), 400);
    let err: Value = res.json().await.unwrap();
    assert_eq!(err["field"], "login");
    let long_password = "p".repeat(129);
    let res = app.login_with(&client, TEACHER.login, &long_password).await;
    assert_eq!(res.status().as_u16(), 400);
    let err: Value = res.json().await.unwrap();
    assert_eq!(err["field"], "password");
    assert!(err["ru"].as_str().unwrap().contains("128"), "{err}");
    // Nothing was booked against the teacher.
    assert_eq!(app.count("SELECT COUNT(*) FROM login_attempts").await, 0);
}

async fn an_unused_staff_session_ends_sooner_than_a_parents(app: TestApp) {
    let teacher = app.signed_in(TEACHER.login, TEACHER.password).await;
    let parent = app.signed_in(PARENT.login, PARENT.password).await;
    assert_eq!(teacher.call("my_groups", &[]).await.status().as_u16(), 200);
    // Both tablets lie unused for five hours (the clock is the sessions' own).
    app.execute("UPDATE sessions SET last_seen_at = last_seen_at - 5 * 3600 * 1000")
        .await;
    let res = teacher.call("my_groups", &[]).await;
    assert_eq!(res.status().as_u16(), 401, "the staff session ended");
    assert_eq!(parent.call("my_children", &[]).await.status().as_u16(), 200);
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM sessions s JOIN accounts a ON a.person_id = s.person_id \
             WHERE a.login = 'teacher'"
        )
        .await,
        0,
        "the ended session is gone"
    );
    // Use keeps a session alive: the parent's was just written down as seen.
    assert!(
        app.count("SELECT COUNT(*) FROM sessions WHERE last_seen_at > created_at - 3600 * 1000")
            .await
            >= 1
    );
}

async fn over_https_the_session_cookie_is_host_only_and_hsts_is_sent(app: TestApp) {
    let https = spawn_on(&app.database_url, false, |s| {
        s.public_url = "https://tabel.test".into();
        s.sessions.secure = true;
    })
    .await;
    let client = new_client();
    let res = https.login_with(&client, ADMIN.login, ADMIN.password).await;
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(
        res.headers()["strict-transport-security"],
        "max-age=31536000"
    );
    let set_cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.contains("tabel_session"))
        .expect("a session cookie");
    assert!(
        set_cookie.starts_with("__Host-tabel_session="),
        "{set_cookie}"
    );
    assert!(set_cookie.contains("; Secure"), "{set_cookie}");
    assert!(set_cookie.contains("; Path=/"), "{set_cookie}");
    let token = set_cookie
        .split(';')
        .next()
        .and_then(|pair| pair.split_once('='))
        .map(|(_, token)| token.to_owned())
        .unwrap();
    let whoami = |cookie: String| {
        new_client()
            .post(format!("{}/api/whoami", https.address))
            .header("cookie", cookie)
            .send()
    };
    let me: Value = whoami(format!("__Host-tabel_session={token}"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["login"], "admin");
    // The same token under the plain name (which any http page could plant) is not read.
    let me: Value = whoami(format!("tabel_session={token}"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me, Value::Null);
    // Served over plain http, no HSTS.
    let res = app
        .client
        .get(format!("{}/login", app.address))
        .send()
        .await
        .unwrap();
    assert!(res.headers().get("strict-transport-security").is_none());
}
