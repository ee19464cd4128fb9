//! The interface language: the `/lang` switch, and what signing in does with it.

use server::demo::ADMIN2;

use crate::helpers::{new_client, TestApp};

crate::on_both_backends!(
    true,
    the_switch_sets_the_cookie_and_the_signed_in_persons_language,
    signing_in_keeps_the_devices_choice_or_brings_the_persons,
);

async fn lang_of(app: &TestApp, login: &str) -> i64 {
    // 1 for English, 0 otherwise: scalar() reads integers.
    app.scalar(&format!(
        "SELECT CASE WHEN p.lang = 'en' THEN 1 ELSE 0 END FROM people p \
         JOIN accounts a ON a.person_id = p.id WHERE a.login = '{login}'"
    ))
    .await
}

fn set_cookie(res: &reqwest::Response) -> Vec<String> {
    res.headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok().map(str::to_owned))
        .collect()
}

async fn the_switch_sets_the_cookie_and_the_signed_in_persons_language(app: TestApp) {
    let anonymous = new_client();
    let res = anonymous
        .get(format!(
            "{}/lang/en?back=%2Fchildren%3Fq%3D%D0%98%D0%B2",
            app.address
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(res.headers()["location"], "/children?q=Ив");
    assert!(set_cookie(&res)
        .iter()
        .any(|c| c.starts_with("tabel_lang=en;")));

    for back in [
        "https://evil.example/",
        "//evil.example/",
        "/%5Cevil.example",
    ] {
        let res = anonymous
            .get(format!("{}/lang/en?back={back}", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(res.headers()["location"], "/", "{back}");
    }
    let res = anonymous
        .get(format!("{}/lang/de", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 404);

    // Not signed in: nobody's language changed. Signed in: the person's.
    assert_eq!(lang_of(&app, ADMIN2.login).await, 0);
    let admin = app.signed_in(ADMIN2.login, ADMIN2.password).await;
    admin
        .client
        .get(format!("{}/lang/en", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(lang_of(&app, ADMIN2.login).await, 1);
    admin
        .client
        .get(format!("{}/lang/ru", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(lang_of(&app, ADMIN2.login).await, 0);
}

async fn signing_in_keeps_the_devices_choice_or_brings_the_persons(app: TestApp) {
    let login = |cookie: Option<&'static str>| {
        let address = app.address.clone();
        async move {
            let mut request = new_client()
                .post(format!("{address}/api/login"))
                .form(&[("login", ADMIN2.login), ("password", ADMIN2.password)]);
            if let Some(cookie) = cookie {
                request = request.header(reqwest::header::COOKIE, cookie);
            }
            let res = request.send().await.unwrap();
            assert_eq!(res.status().as_u16(), 200);
            set_cookie(&res)
        }
    };
    // A device with nothing chosen, a person with the default: no language cookie.
    let cookies = login(None).await;
    assert!(
        cookies.iter().all(|c| !c.starts_with("tabel_lang=")),
        "{cookies:?}"
    );
    // English chosen on the device before signing in becomes the person's language…
    login(Some("tabel_lang=en")).await;
    assert_eq!(lang_of(&app, ADMIN2.login).await, 1);
    // …which a new device then gets at sign-in.
    let cookies = login(None).await;
    assert!(
        cookies.iter().any(|c| c.starts_with("tabel_lang=en;")),
        "{cookies:?}"
    );
    // And Russian chosen on a device is taken the same way.
    login(Some("tabel_session=x; tabel_lang=ru")).await;
    assert_eq!(lang_of(&app, ADMIN2.login).await, 0);
}
