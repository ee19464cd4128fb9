//! Sessions in the database, behind an HttpOnly, SameSite=Lax cookie holding a random
//! token; only the token's SHA-256 is stored, so a leaked table opens no session.

use std::collections::BTreeSet;

use leptos::prelude::use_context;
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::clock::now_millis;
use crate::db::Db;
use crate::domain::{Actor, Role};
use crate::error::{AppError, ErrorKind};

pub use super::policy::SessionPolicy;

const SESSION_DAYS: i64 = 30;

#[derive(Debug, Clone)]
pub struct Session {
    pub token_hash: String,
    pub person_id: i64,
    pub grant_id: Option<i64>,
    pub must_change_password: bool,
}

pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn request_parts() -> Option<http::request::Parts> {
    use_context::<http::request::Parts>()
}

fn cookie_token(policy: SessionPolicy, headers: &http::HeaderMap) -> Option<String> {
    policy.token(
        headers
            .get_all(http::header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok()),
    )
}

/// The session policy inside a server function.
fn policy() -> SessionPolicy {
    crate::state::AppState::current()
        .map(|state| state.sessions)
        .unwrap_or_default()
}

/// The session's cookies ([`SessionPolicy::cookies`]) on the server function's response.
fn set_cookies(token: &str, person_id: Option<i64>, max_age_secs: i64) {
    let Some(options) = use_context::<leptos_axum::ResponseOptions>() else {
        return;
    };
    for cookie in policy().cookies(token, person_id, max_age_secs) {
        if let Ok(header) = http::HeaderValue::from_str(&cookie) {
            options.append_header(http::header::SET_COOKIE, header);
        }
    }
}

pub const SESSION_MAX_AGE_SECS: i64 = SESSION_DAYS * 86_400;

/// SQL condition on a role grant `g`: it counts unless it is a role in an organisation
/// whose staff card of the person is archived. A person archived in one kindergarten
/// may keep a login for another role, but not act for that kindergarten.
pub const ACTIVE_GRANT: &str =
    "NOT EXISTS (SELECT 1 FROM staff st WHERE st.person_id = g.person_id \
     AND st.organisation_id = g.organisation_id AND st.archived = 1)";

/// A new session for a person who has just proven who they are (password or SSO).
pub struct Begun {
    /// Goes into the cookie; only its hash is stored.
    pub token: String,
    /// Where the person goes next: change the password, choose a role, or home.
    pub next: &'static str,
    pub person_id: i64,
}

/// Creates the session row. A person with exactly one role acts in it at once;
/// with several, the session waits for a choice on /role.
pub async fn begin(
    db: &Db,
    person_id: i64,
    must_change_password: bool,
    user_agent: &str,
) -> Result<Begun, AppError> {
    let grants = sqlx::query(&format!(
        "SELECT g.id FROM role_grants g WHERE g.person_id = $1 AND {ACTIVE_GRANT}"
    ))
    .bind(person_id)
    .fetch_all(db.pool())
    .await?;
    let grant_id: Option<i64> = match grants.as_slice() {
        [only] => Some(only.try_get("id")?),
        _ => None,
    };
    let token = hex::encode(rand::random::<[u8; 32]>());
    let now = now_millis();
    sqlx::query(
        "INSERT INTO sessions (token_hash, person_id, grant_id, user_agent, created_at, expires_at, \
         last_seen_at) VALUES ($1, $2, $3, $4, $5, $6, $5)",
    )
    .bind(hash_token(&token))
    .bind(person_id)
    .bind(grant_id)
    .bind(user_agent.chars().take(200).collect::<String>())
    .bind(now)
    .bind(now + SESSION_MAX_AGE_SECS * 1000)
    .execute(db.pool())
    .await?;
    let next = if must_change_password {
        "/password"
    } else if grant_id.is_none() {
        "/role"
    } else {
        "/"
    };
    Ok(Begun {
        token,
        next,
        person_id,
    })
}

/// [`begin`] inside a server function: sets the cookie on its response.
pub async fn start(
    db: &Db,
    person_id: i64,
    must_change_password: bool,
) -> Result<&'static str, AppError> {
    let user_agent = request_parts()
        .and_then(|p| p.headers.get(http::header::USER_AGENT).cloned())
        .and_then(|v| v.to_str().ok().map(str::to_owned))
        .unwrap_or_default();
    let begun = begin(db, person_id, must_change_password, &user_agent).await?;
    set_cookies(&begun.token, Some(person_id), SESSION_MAX_AGE_SECS);
    let headers = request_parts().map(|p| p.headers).unwrap_or_default();
    if let (Some(cookie), Some(options)) = (
        language_at_sign_in(db, person_id, &headers).await?,
        use_context::<leptos_axum::ResponseOptions>(),
    ) {
        if let Ok(header) = http::HeaderValue::from_str(&cookie) {
            options.append_header(http::header::SET_COOKIE, header);
        }
    }
    Ok(begun.next)
}

/// The interface language at sign-in. A language chosen on this device becomes the
/// person's own (their mail follows it); on a device where none was chosen, the
/// person's own language applies: returned as the `Set-Cookie` value to send.
pub async fn language_at_sign_in(
    db: &Db,
    person_id: i64,
    headers: &http::HeaderMap,
) -> Result<Option<String>, AppError> {
    use crate::domain::Lang;
    let chosen_here = Lang::from_cookies(
        headers
            .get_all(http::header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok()),
    );
    if let Some(lang) = chosen_here {
        sqlx::query("UPDATE people SET lang = $1 WHERE id = $2")
            .bind(lang.as_str())
            .bind(person_id)
            .execute(db.pool())
            .await?;
        return Ok(None);
    }
    let stored: String = sqlx::query_scalar("SELECT lang FROM people WHERE id = $1")
        .bind(person_id)
        .fetch_one(db.pool())
        .await?;
    let lang = Lang::from_stored(&stored);
    Ok((lang != Lang::default()).then(|| lang.cookie()))
}

pub async fn end(db: &Db) -> Result<(), AppError> {
    if let Some(token) = request_parts().and_then(|p| cookie_token(policy(), &p.headers)) {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(hash_token(&token))
            .execute(db.pool())
            .await?;
    }
    set_cookies("", None, 0);
    Ok(())
}

/// The session of the current request, if it has a valid, unexpired one.
pub async fn current(db: &Db) -> Result<Option<Session>, AppError> {
    match request_parts() {
        Some(parts) => current_from_headers(db, policy(), &parts.headers).await,
        None => Ok(None),
    }
}

/// As [`current`], for plain axum handlers that have the request headers. A session
/// unused for longer than the policy allows is ended here.
pub async fn current_from_headers(
    db: &Db,
    policy: SessionPolicy,
    headers: &http::HeaderMap,
) -> Result<Option<Session>, AppError> {
    let Some(token) = cookie_token(policy, headers) else {
        return Ok(None);
    };
    let token_hash = hash_token(&token);
    let now = now_millis();
    let Some(row) = sqlx::query(
        "SELECT s.token_hash, s.person_id, s.grant_id, s.last_seen_at, g.role, \
                a.must_change_password \
         FROM sessions s JOIN accounts a ON a.person_id = s.person_id \
         LEFT JOIN role_grants g ON g.id = s.grant_id \
         WHERE s.token_hash = $1 AND s.expires_at > $2 AND a.archived = 0",
    )
    .bind(&token_hash)
    .bind(now)
    .fetch_optional(db.pool())
    .await?
    else {
        return Ok(None);
    };
    let last_seen: i64 = row.try_get("last_seen_at")?;
    let role = row
        .try_get::<Option<String>, _>("role")?
        .as_deref()
        .and_then(Role::parse);
    if policy.is_idle(now, last_seen, role) {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(&token_hash)
            .execute(db.pool())
            .await?;
        return Ok(None);
    }
    if now - last_seen >= super::policy::LAST_SEEN_STEP_MS {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
            .bind(now)
            .bind(&token_hash)
            .execute(db.pool())
            .await?;
    }
    Ok(Some(Session {
        token_hash,
        person_id: row.try_get("person_id")?,
        grant_id: row.try_get("grant_id")?,
        must_change_password: row.try_get::<i64, _>("must_change_password")? != 0,
    }))
}

pub fn not_signed_in() -> AppError {
    AppError::new(
        ErrorKind::Unauthorized,
        "Войдите в систему.",
        "Please sign in.",
    )
}

/// The actor every protected server function starts from: signed in, password no
/// longer one-time, a role chosen, and the scope of that role loaded from the database.
pub async fn require_actor(db: &Db) -> Result<Actor, AppError> {
    actor_of(db, current(db).await?).await
}

/// As [`require_actor`], for plain axum handlers (file downloads).
pub async fn require_actor_from_headers(
    db: &Db,
    policy: SessionPolicy,
    headers: &http::HeaderMap,
) -> Result<Actor, AppError> {
    actor_of(db, current_from_headers(db, policy, headers).await?).await
}

async fn actor_of(db: &Db, session: Option<Session>) -> Result<Actor, AppError> {
    let session = session.ok_or_else(not_signed_in)?;
    if session.must_change_password {
        return Err(AppError::new(
            ErrorKind::Unauthorized,
            "Сначала смените одноразовый пароль.",
            "Change your one-time password first.",
        ));
    }
    let grant_id = session.grant_id.ok_or_else(|| {
        AppError::new(
            ErrorKind::Unauthorized,
            "Выберите роль, в которой вы работаете.",
            "Choose the role you are working in.",
        )
    })?;
    load_actor(db, session.person_id, grant_id).await
}

pub async fn load_actor(db: &Db, person_id: i64, grant_id: i64) -> Result<Actor, AppError> {
    let grant = sqlx::query(&format!(
        "SELECT g.role, g.organisation_id, COALESCE(g.municipality_id, o.municipality_id) AS municipality_id \
         FROM role_grants g LEFT JOIN organisations o ON o.id = g.organisation_id \
         WHERE g.id = $1 AND g.person_id = $2 AND {ACTIVE_GRANT}"
    ))
    .bind(grant_id)
    .bind(person_id)
    .fetch_optional(db.pool())
    .await?
    .ok_or_else(AppError::forbidden)?;
    let role = Role::parse(&grant.try_get::<String, _>("role")?).ok_or_else(AppError::internal)?;
    let organisation_id: Option<i64> = grant.try_get("organisation_id")?;

    let bound_groups =
        match (role, organisation_id) {
            (Role::Teacher, Some(organisation_id)) => ids(
                sqlx::query(
                    "SELECT tg.group_id FROM teacher_groups tg JOIN staff s ON s.id = tg.staff_id \
                     WHERE s.person_id = $1 AND s.organisation_id = $2 AND s.archived = 0",
                )
                .bind(person_id)
                .bind(organisation_id),
                db,
            )
            .await?,
            _ => BTreeSet::new(),
        };
    let own_children = if role == Role::Parent {
        ids(
            sqlx::query("SELECT child_id FROM child_guardians WHERE person_id = $1")
                .bind(person_id),
            db,
        )
        .await?
    } else {
        BTreeSet::new()
    };
    Ok(Actor {
        person_id,
        role,
        municipality_id: grant.try_get("municipality_id")?,
        organisation_id,
        bound_groups,
        own_children,
    })
}

async fn ids<'q>(
    query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    db: &Db,
) -> Result<BTreeSet<i64>, sqlx::Error> {
    query
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| r.try_get::<i64, _>(0))
        .collect()
}
