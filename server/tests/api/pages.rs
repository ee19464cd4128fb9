use server::demo::ADMIN;

use crate::helpers::TestApp;

crate::on_both_backends!(
    true,
    pages_are_rendered_on_the_server,
    signed_out_pages_redirect_to_login
);

async fn pages_are_rendered_on_the_server(app: TestApp) {
    let admin = app.signed_in(ADMIN.login, ADMIN.password).await;
    let res = admin
        .client
        .get(format!("{}/admin/groups", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let html = res.text().await.unwrap();
    // The data is in the HTML itself, before any wasm runs.
    for name in ["Солнышко", "Ромашка", "Звёздочка"] {
        assert!(html.contains(name), "{name} missing from SSR HTML");
    }
    assert!(
        !html.contains("Радуга"),
        "another organisation's group leaked"
    );
    assert!(html.contains(r#"<html lang="ru""#));
    assert!(
        html.contains("/pkg/tabel.js"),
        "hydration script referenced"
    );
}

async fn signed_out_pages_redirect_to_login(app: TestApp) {
    for path in ["/", "/admin/groups", "/staff", "/groups/1"] {
        let res = app
            .client
            .get(format!("{}{path}", app.address))
            .header("accept", "text/html,application/xhtml+xml")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 302, "{path}");
        assert_eq!(res.headers()["location"], "/login", "{path}");
    }
    let login = app
        .client
        .get(format!("{}/login", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status().as_u16(), 200);
    assert!(login.text().await.unwrap().contains("Вход в систему"));
}
