use crate::helpers::TestApp;

crate::on_both_backends!(true, groups_page_is_rendered_on_the_server);

async fn groups_page_is_rendered_on_the_server(app: TestApp) {
    let res = app.client.get(&app.address).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let html = res.text().await.unwrap();
    // The data is in the HTML itself, before any wasm runs.
    for name in ["Солнышко", "Ромашка", "Звёздочка"] {
        assert!(html.contains(name), "{name} missing from SSR HTML");
    }
    assert!(html.contains(r#"<html lang="ru""#));
    assert!(
        html.contains("/pkg/tabel.js"),
        "hydration script referenced"
    );
}
