//! Sign-in through an OpenID Connect provider (ЕСИА/«Госуслуги» in production, any
//! standard provider in tests): authorization-code flow with PKCE, state and nonce;
//! the ID token's signature and claims are verified. The account is matched by email
//! and the full name must agree, else the error page names the part that differs.

use std::sync::Arc;

use app::auth::{password, session};
use app::clock::now_millis;
use app::db::Db;
use app::domain::person_name::{NamePart, PersonName};
use axum::{
    extract::{Query, State},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Redirect, Response},
    routing::get,
    Router,
};
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, Scope, TokenResponse,
};
use serde::Deserialize;
use sqlx::Row;
use tokio::sync::RwLock;

/// How long a started sign-in may take before its state is no longer accepted.
const ATTEMPT_TTL_MS: i64 = 10 * 60 * 1000;

#[derive(Debug, Clone)]
pub struct OidcSettings {
    pub issuer: String,
    pub client_id: String,
    pub client_secret: Option<String>,
    /// The address people reach Tabel at; the callback is `{public_url}/auth/sso/callback`.
    pub public_url: String,
    /// Take an email the provider does not say it verified (for providers that never
    /// send `email_verified`). An email it says is *not* verified is never taken.
    pub trust_unverified_email: bool,
}

pub struct Sso {
    settings: OidcSettings,
    http: openidconnect::reqwest::Client,
    // Discovered on first use (the provider may start after Tabel) and kept; a token
    // signed with a key not in it fetches it again (when it was last fetched again).
    metadata: RwLock<Option<CoreProviderMetadata>>,
    refetched_at: tokio::sync::Mutex<Option<std::time::Instant>>,
}

/// A token naming an unknown key fetches the provider's keys again, but not more often
/// than this (a stream of forged tokens must not turn Tabel into a load on the provider).
const MIN_REFETCH: std::time::Duration = std::time::Duration::from_secs(30);

/// The short-lived cookie that binds a started sign-in to the browser that started it:
/// a callback URL made for someone else's attempt signs nobody in.
const ATTEMPT_COOKIE: &str = "tabel_sso";

#[derive(Clone)]
struct SsoState {
    db: Db,
    sso: Arc<Sso>,
}

#[derive(Debug, thiserror::Error)]
enum SsoError {
    #[error("provider: {0}")]
    Provider(String),
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("{0}")]
    App(#[from] app::error::AppError),
}

pub fn routes(db: Db, settings: OidcSettings) -> Router {
    let http = openidconnect::reqwest::ClientBuilder::new()
        // Following redirects would open the token exchange to SSRF.
        .redirect(openidconnect::reqwest::redirect::Policy::none())
        .build()
        .expect("HTTP client builds");
    let sso = Arc::new(Sso {
        settings,
        http,
        metadata: RwLock::new(None),
        refetched_at: tokio::sync::Mutex::new(None),
    });
    Router::new()
        .route("/auth/sso/start", get(start))
        .route("/auth/sso/callback", get(callback))
        .with_state(SsoState { db, sso })
}

impl Sso {
    async fn metadata(&self) -> Result<CoreProviderMetadata, SsoError> {
        if let Some(m) = self.metadata.read().await.as_ref() {
            return Ok(m.clone());
        }
        let discovered = self.discover().await?;
        *self.metadata.write().await = Some(discovered.clone());
        Ok(discovered)
    }

    /// The provider's metadata and keys fetched anew, unless they were fetched anew less
    /// than [`MIN_REFETCH`] ago (then `None`).
    async fn refetched_metadata(&self) -> Result<Option<CoreProviderMetadata>, SsoError> {
        let mut refetched_at = self.refetched_at.lock().await;
        if refetched_at.is_some_and(|at| at.elapsed() < MIN_REFETCH) {
            return Ok(None);
        }
        *refetched_at = Some(std::time::Instant::now());
        let discovered = self.discover().await?;
        *self.metadata.write().await = Some(discovered.clone());
        tracing::info!("SSO provider keys fetched again");
        Ok(Some(discovered))
    }

    async fn discover(&self) -> Result<CoreProviderMetadata, SsoError> {
        let issuer = IssuerUrl::new(self.settings.issuer.clone())
            .map_err(|e| SsoError::Provider(e.to_string()))?;
        CoreProviderMetadata::discover_async(issuer, &self.http)
            .await
            .map_err(|e| SsoError::Provider(format!("discovery failed: {e}")))
    }

    fn client(
        &self,
        metadata: CoreProviderMetadata,
    ) -> Result<
        CoreClient<
            openidconnect::EndpointSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointMaybeSet,
            openidconnect::EndpointMaybeSet,
        >,
        SsoError,
    > {
        Ok(CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(self.settings.client_id.clone()),
            self.settings.client_secret.clone().map(ClientSecret::new),
        )
        .set_redirect_uri(self.redirect_url()?))
    }

    fn redirect_url(&self) -> Result<RedirectUrl, SsoError> {
        RedirectUrl::new(format!(
            "{}/auth/sso/callback",
            self.settings.public_url.trim_end_matches('/')
        ))
        .map_err(|e| SsoError::Provider(e.to_string()))
    }
}

/// Redirects to an error page; the page explains the reason in both languages.
fn error_page(reason: &str, fields: &[NamePart]) -> Response {
    let fields = fields
        .iter()
        .map(|p| match p {
            NamePart::Surname => "surname",
            NamePart::GivenName => "given_name",
            NamePart::Patronymic => "patronymic",
        })
        .collect::<Vec<_>>()
        .join(",");
    Redirect::to(&format!("/login/sso-error?reason={reason}&fields={fields}")).into_response()
}

async fn start(
    State(state): State<SsoState>,
    axum::Extension(sessions): axum::Extension<session::SessionPolicy>,
) -> Response {
    match begin_attempt(&state).await {
        Ok((url, csrf)) => {
            let mut res = Redirect::to(&url).into_response();
            let secure = if sessions.secure { "; Secure" } else { "" };
            let cookie = format!(
                "{ATTEMPT_COOKIE}={csrf}; Path=/auth/sso; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
                ATTEMPT_TTL_MS / 1000
            );
            match HeaderValue::from_str(&cookie) {
                Ok(cookie) => {
                    res.headers_mut().append(header::SET_COOKIE, cookie);
                    res
                }
                Err(_) => error_page("provider_unavailable", &[]),
            }
        }
        Err(err) => {
            tracing::error!(error = %err, "SSO start failed");
            error_page("provider_unavailable", &[])
        }
    }
}

/// The provider's sign-in address, and the attempt's state for the browser's cookie.
async fn begin_attempt(state: &SsoState) -> Result<(String, String), SsoError> {
    let sso = &state.sso;
    let client = sso.client(sso.metadata().await?)?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, csrf, nonce) = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("email".into()))
        .add_scope(Scope::new("profile".into()))
        .set_pkce_challenge(challenge)
        .url();
    let now = now_millis();
    sqlx::query("DELETE FROM sso_attempts WHERE created_at < $1")
        .bind(now - ATTEMPT_TTL_MS)
        .execute(state.db.pool())
        .await?;
    sqlx::query("INSERT INTO sso_attempts (state, pkce_verifier, nonce, created_at) VALUES ($1, $2, $3, $4)")
        .bind(csrf.secret())
        .bind(verifier.secret())
        .bind(nonce.secret())
        .bind(now)
        .execute(state.db.pool())
        .await?;
    Ok((url.to_string(), csrf.secret().clone()))
}

#[derive(Debug, Deserialize)]
struct CallbackParams {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// What the provider vouches for, after verification.
struct Identity {
    email: String,
    name: Option<PersonName>,
}

async fn callback(
    State(state): State<SsoState>,
    axum::Extension(sessions): axum::Extension<session::SessionPolicy>,
    headers: HeaderMap,
    Query(params): Query<CallbackParams>,
) -> Response {
    if let Some(error) = params.error {
        tracing::warn!(error, "SSO provider returned an error");
        return error_page("provider_refused", &[]);
    }
    let (Some(code), Some(csrf)) = (params.code, params.state) else {
        return error_page("bad_callback", &[]);
    };
    // Only the browser that started this sign-in may finish it.
    let started_here = app::domain::cookie::value(
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok()),
        ATTEMPT_COOKIE,
    ) == Some(csrf.as_str());
    if !started_here {
        tracing::warn!("SSO callback from a browser that did not start the sign-in");
        return error_page("not_started_here", &[]);
    }
    let identity = match verify_callback(&state, code, csrf).await {
        Ok(Some(Ok(identity))) => identity,
        Ok(Some(Err(reason))) => return error_page(reason, &[]),
        Ok(None) => return error_page("expired", &[]),
        Err(err) => {
            tracing::error!(error = %err, "SSO callback failed");
            return error_page("provider_unavailable", &[]);
        }
    };
    let user_agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    match sign_in(&state.db, &identity, user_agent).await {
        Ok(Ok(begun)) => {
            let mut res = Redirect::to(begun.next).into_response();
            match session::language_at_sign_in(&state.db, begun.person_id, &headers).await {
                Ok(Some(lang)) => {
                    if let Ok(cookie) = HeaderValue::from_str(&lang) {
                        res.headers_mut().append(header::SET_COOKIE, cookie);
                    }
                }
                Ok(None) => {}
                // The sign-in stands; only the language stays as it was.
                Err(err) => tracing::error!(error = ?err, "language at SSO sign-in"),
            }
            for cookie in sessions.cookies(
                &begun.token,
                Some(begun.person_id),
                session::SESSION_MAX_AGE_SECS,
            ) {
                match HeaderValue::from_str(&cookie) {
                    Ok(cookie) => res.headers_mut().append(header::SET_COOKIE, cookie),
                    Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
                };
            }
            res
        }
        Ok(Err((reason, fields))) => error_page(reason, &fields),
        Err(err) => {
            tracing::error!(error = %err, "SSO sign-in failed");
            error_page("internal", &[])
        }
    }
}

/// Exchanges the code and verifies the ID token. `None` when the state is unknown or
/// expired (a replayed or forged callback); a refusal's reason when the token is valid
/// but cannot be taken.
async fn verify_callback(
    state: &SsoState,
    code: String,
    csrf: String,
) -> Result<Option<Result<Identity, &'static str>>, SsoError> {
    let attempt = sqlx::query("DELETE FROM sso_attempts WHERE state = $1 AND created_at > $2 RETURNING pkce_verifier, nonce")
        .bind(&csrf)
        .bind(now_millis() - ATTEMPT_TTL_MS)
        .fetch_optional(state.db.pool())
        .await?;
    let Some(attempt) = attempt else {
        return Ok(None);
    };
    let verifier = PkceCodeVerifier::new(attempt.try_get("pkce_verifier")?);
    let nonce = Nonce::new(attempt.try_get("nonce")?);

    let sso = &state.sso;
    let client = sso.client(sso.metadata().await?)?;
    let token = client
        .exchange_code(AuthorizationCode::new(code))
        .map_err(|e| SsoError::Provider(e.to_string()))?
        .set_pkce_verifier(verifier)
        .request_async(&sso.http)
        .await
        .map_err(|e| SsoError::Provider(format!("token exchange failed: {e}")))?;
    let id_token = token
        .id_token()
        .ok_or_else(|| SsoError::Provider("no ID token in the response".into()))?;
    let rejected = |e: openidconnect::ClaimsVerificationError| {
        SsoError::Provider(format!("ID token rejected: {e}"))
    };
    let claims = match id_token.claims(&client.id_token_verifier(), &nonce) {
        Ok(claims) => claims.clone(),
        // Signed with a key Tabel has not seen: the provider has rotated its keys.
        Err(openidconnect::ClaimsVerificationError::SignatureVerification(
            openidconnect::SignatureVerificationError::NoMatchingKey,
        )) => {
            let Some(fresh) = sso.refetched_metadata().await? else {
                return Err(SsoError::Provider(
                    "ID token signed with an unknown key; keys fetched too recently to fetch again"
                        .into(),
                ));
            };
            id_token
                .claims(&sso.client(fresh)?.id_token_verifier(), &nonce)
                .map_err(rejected)?
                .clone()
        }
        Err(e) => return Err(rejected(e)),
    };
    match claims.email_verified() {
        Some(true) => {}
        None if sso.settings.trust_unverified_email => {}
        verified => {
            tracing::warn!(?verified, "SSO email not verified by the provider");
            return Ok(Some(Err("email_unverified")));
        }
    }
    let email = claims
        .email()
        .map(|e| e.as_str().trim().to_lowercase())
        .ok_or_else(|| SsoError::Provider("the ID token has no email".into()))?;
    let part = |c: Option<&openidconnect::LocalizedClaim<openidconnect::EndUserGivenName>>| {
        c.and_then(|c| c.get(None)).map(|v| v.as_str().to_owned())
    };
    let surname = claims
        .family_name()
        .and_then(|c| c.get(None))
        .map(|v| v.as_str().to_owned())
        .unwrap_or_default();
    let given = part(claims.given_name()).unwrap_or_default();
    let patronymic = claims
        .middle_name()
        .and_then(|c| c.get(None))
        .map(|v| v.as_str().to_owned())
        .unwrap_or_default();
    Ok(Some(Ok(Identity {
        email,
        name: PersonName::parse(&surname, &given, &patronymic).ok(),
    })))
}

type Refusal = (&'static str, Vec<NamePart>);

async fn sign_in(
    db: &Db,
    identity: &Identity,
    user_agent: &str,
) -> Result<Result<session::Begun, Refusal>, SsoError> {
    let rows = sqlx::query(
        "SELECT p.id, p.surname, p.given_name, p.patronymic, a.must_change_password \
         FROM people p JOIN accounts a ON a.person_id = p.id \
         WHERE LOWER(p.email) = $1 AND a.archived = 0",
    )
    .bind(&identity.email)
    .fetch_all(db.pool())
    .await?;
    let row = match rows.as_slice() {
        [] => return Ok(Err(("unknown_email", vec![]))),
        [row] => row,
        // Which of them signs in is not for Tabel to guess.
        _ => return Ok(Err(("ambiguous_email", vec![]))),
    };
    let stored = PersonName::parse(
        &row.try_get::<String, _>("surname")?,
        &row.try_get::<String, _>("given_name")?,
        &row.try_get::<String, _>("patronymic")?,
    );
    let differing = match (&stored, &identity.name) {
        (Ok(stored), Some(claimed)) => stored.differing_parts(claimed),
        _ => vec![NamePart::Surname, NamePart::GivenName, NamePart::Patronymic],
    };
    if !differing.is_empty() {
        return Ok(Err(("name_mismatch", differing)));
    }
    let person_id: i64 = row.try_get("id")?;
    if row.try_get::<i64, _>("must_change_password")? != 0 {
        // The provider proved who this is, so the printed one-time password is no longer
        // needed; it is voided rather than left usable on paper.
        let void = password::hash(hex_random()).await?;
        sqlx::query(
            "UPDATE accounts SET password_hash = $1, must_change_password = 0 WHERE person_id = $2",
        )
        .bind(void)
        .bind(person_id)
        .execute(db.pool())
        .await?;
    }
    Ok(Ok(session::begin(db, person_id, false, user_agent).await?))
}

fn hex_random() -> String {
    CsrfToken::new_random().secret().clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn database() -> Db {
        let dir =
            std::env::temp_dir().join(format!("tabel_sso_{}_{}", std::process::id(), now_millis()));
        std::fs::create_dir_all(&dir).unwrap();
        let db = Db::connect(
            &format!("sqlite://{}?mode=rwc", dir.join("t.db").display()),
            2,
        )
        .await
        .unwrap();
        db.migrate().await.unwrap();
        db
    }

    async fn person(db: &Db, login: &str, email: &str) {
        sqlx::query(
            "INSERT INTO people (surname, given_name, patronymic, email, created_at) \
             VALUES ('Иванова', 'Анна', '', $1, 0)",
        )
        .bind(email)
        .execute(db.pool())
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO accounts (person_id, login, password_hash, must_change_password, created_at) \
             SELECT MAX(id), $1, 'x', 0, 0 FROM people",
        )
        .bind(login)
        .execute(db.pool())
        .await
        .unwrap();
    }

    #[tokio::test]
    async fn an_email_two_people_share_signs_nobody_in() {
        let db = database().await;
        person(&db, "anna1", "anna@example.ru").await;
        let identity = Identity {
            email: "anna@example.ru".into(),
            name: PersonName::parse("Иванова", "Анна", "").ok(),
        };
        // One person with the email: signed in.
        assert!(sign_in(&db, &identity, "ua").await.unwrap().is_ok());
        // Two: refused, and no session is started for either.
        person(&db, "anna2", "Anna@Example.ru").await;
        let before: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions")
            .fetch_one(db.pool())
            .await
            .unwrap();
        match sign_in(&db, &identity, "ua").await.unwrap() {
            Err((reason, _)) => assert_eq!(reason, "ambiguous_email"),
            Ok(_) => panic!("one of two people with the email was signed in"),
        }
        let after: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions")
            .fetch_one(db.pool())
            .await
            .unwrap();
        assert_eq!(before, after);
    }
}
