//! `/lang/{ru|en}`: the interface language switch. A plain link, so it works before
//! the wasm has loaded; it remembers the choice on the device (a cookie) and, for a
//! signed-in person, as the language their mail is written in.

use app::auth::session::{current_from_headers, SessionPolicy};
use app::db::Db;
use app::domain::lang::local_return_path;
use app::domain::Lang;
use axum::Extension;
use axum::{
    extract::{Path, Query, State},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Redirect, Response},
    routing::get,
    Router,
};
use serde::Deserialize;

pub fn routes(db: Db) -> Router {
    Router::new()
        .route("/lang/{code}", get(switch))
        .with_state(db)
}

#[derive(Deserialize)]
struct Back {
    back: Option<String>,
}

async fn switch(
    State(db): State<Db>,
    Extension(sessions): Extension<SessionPolicy>,
    headers: HeaderMap,
    Path(code): Path<String>,
    Query(Back { back }): Query<Back>,
) -> Response {
    let lang = match code.as_str() {
        "ru" => Lang::Ru,
        "en" => Lang::En,
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    match current_from_headers(&db, sessions, &headers).await {
        Ok(Some(session)) => {
            if let Err(err) = sqlx::query("UPDATE people SET lang = $1 WHERE id = $2")
                .bind(lang.as_str())
                .bind(session.person_id)
                .execute(db.pool())
                .await
            {
                // The device still switches; only the mail language stays as it was.
                tracing::error!(error = %err, "could not store the interface language");
            }
        }
        Ok(None) => {}
        Err(err) => tracing::error!(error = ?err, "session lookup for the language switch"),
    }
    let to = local_return_path(back.as_deref().unwrap_or("/"));
    let mut response = Redirect::to(to).into_response();
    if let Ok(cookie) = HeaderValue::from_str(&lang.cookie()) {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}
