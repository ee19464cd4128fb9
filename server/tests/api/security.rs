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

/// The client's files are sent as the build precompressed them (`cargo leptos build -P`):
/// brotli where the browser takes it, gzip otherwise, and the file itself to a browser
/// that takes neither; never compressed twice.
#[tokio::test]
async fn the_client_is_sent_precompressed() {
    let site = crate::helpers::temp_dir("tabel_site");
    let pkg = site.join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    let raw = vec![b'w'; 64 * 1024];
    std::fs::write(pkg.join("tabel.wasm"), &raw).unwrap();
    std::fs::write(pkg.join("tabel.wasm.br"), b"brotli bytes").unwrap();
    std::fs::write(pkg.join("tabel.wasm.gz"), b"gzip bytes").unwrap();
    let root = site.to_string_lossy().into_owned();
    let app = crate::helpers::spawn_app_with(crate::helpers::Backend::Sqlite, false, |s| {
        s.leptos.site_root = root.into();
    })
    .await
    .unwrap();
    // The test client decompresses nothing (no reqwest compression features): it reads
    // the bytes as sent.
    let client = reqwest::Client::new();
    let fetch = |accept: &'static str| {
        let request = client
            .get(format!("{}/pkg/tabel.wasm", app.address))
            .header("accept-encoding", accept);
        async move {
            let res = request.send().await.unwrap();
            assert_eq!(res.status().as_u16(), 200);
            let encoding = res
                .headers()
                .get("content-encoding")
                .map(|v| v.to_str().unwrap().to_owned());
            (encoding, res.bytes().await.unwrap().to_vec())
        }
    };
    assert_eq!(
        fetch("br, gzip").await,
        (Some("br".into()), b"brotli bytes".to_vec())
    );
    assert_eq!(
        fetch("gzip").await,
        (Some("gzip".into()), b"gzip bytes".to_vec())
    );
    assert_eq!(fetch("identity").await, (None, raw));
    let _ = std::fs::remove_dir_all(&site);
}
