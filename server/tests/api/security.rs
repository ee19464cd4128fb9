//! The headers every answer carries, and the page's script policy.

use server::demo::{ADMIN, TEACHER};

use crate::helpers::TestApp;

crate::on_both_backends!(
    true,
    pages_carry_a_script_policy_with_their_own_nonce,
    personal_answers_are_never_cached,
);

fn header<'a>(res: &'a reqwest::Response, name: &str) -> &'a str {
    res.headers()
        .get(name)
        .unwrap_or_else(|| panic!("no {name} on {}", res.url()))
        .to_str()
        .unwrap()
}

async fn pages_carry_a_script_policy_with_their_own_nonce(app: TestApp) {
    let teacher = app.signed_in(TEACHER.login, TEACHER.password).await;
    let get = |path: &str| teacher.client.get(format!("{}{path}", app.address)).send();
    let res = get("/").await.unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let policy = header(&res, "content-security-policy").to_owned();
    for directive in [
        "default-src 'self'",
        "'wasm-unsafe-eval'",
        "frame-ancestors 'none'",
        "object-src 'none'",
        "base-uri 'none'",
    ] {
        assert!(
            policy.contains(directive),
            "{directive} missing from {policy}"
        );
    }
    assert!(!policy.contains("unsafe-inline"), "{policy}");
    let nonce = policy
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a nonce in the policy")
        .to_owned();
    assert!(nonce.len() >= 16, "{nonce}");
    let html = res.text().await.unwrap();
    // Every inline script carries the nonce; no inline handlers are left.
    let inline_scripts = html.matches("<script").count() - html.matches("<script src=").count();
    assert!(inline_scripts >= 1, "the hydration script is inline");
    assert_eq!(
        html.matches(&format!("nonce=\"{nonce}\"")).count(),
        html.matches("nonce=\"").count(),
        "every nonce on the page is this response's"
    );
    assert!(
        html.matches(&format!("<script nonce=\"{nonce}\"")).count()
            + html
                .matches(&format!("<script type=\"module\" nonce=\"{nonce}\""))
                .count()
            >= inline_scripts,
        "an inline script without the nonce"
    );
    assert!(
        !html.contains("onclick="),
        "inline handlers are refused by the policy"
    );
    // A second load has another nonce.
    let again = get("/").await.unwrap();
    assert!(!header(&again, "content-security-policy").contains(&nonce));
    assert_eq!(header(&again, "x-frame-options"), "DENY");
}

async fn personal_answers_are_never_cached(app: TestApp) {
    let admin = app.signed_in(ADMIN.login, ADMIN.password).await;
    let page = admin
        .client
        .get(format!("{}/admin/groups", app.address))
        .send()
        .await
        .unwrap();
    let api = admin.call("list_groups", &[]).await;
    let login = app
        .client
        .get(format!("{}/login", app.address))
        .send()
        .await
        .unwrap();
    let sun = app
        .scalar("SELECT id FROM groups WHERE name = 'Солнышко'")
        .await;
    let export = admin
        .client
        .get(format!(
            "{}/export/timesheet/{sun}/2026-11.xlsx",
            app.address
        ))
        .send()
        .await
        .unwrap();
    for res in [&page, &api, &login, &export] {
        assert_eq!(res.status().as_u16(), 200, "{}", res.url());
        assert_eq!(header(res, "cache-control"), "no-store", "{}", res.url());
        assert_eq!(header(res, "x-content-type-options"), "nosniff");
        assert_eq!(header(res, "referrer-policy"), "same-origin");
        assert!(header(res, "content-security-policy").contains("frame-ancestors 'none'"));
    }
    // A server function's JSON runs nothing, whatever is in it.
    assert!(header(&api, "content-security-policy").starts_with("default-src 'none'"));
    // The offline script is everybody's: no personal-data rule on it.
    let script = app
        .client
        .get(format!("{}/sw.js", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(script.status().as_u16(), 200);
    assert_ne!(header(&script, "cache-control"), "no-store");
    // The worker fetches Tabel's pages and files under its script's own policy.
    assert_eq!(
        header(&script, "content-security-policy"),
        "default-src 'self'"
    );
}
