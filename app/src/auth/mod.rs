//! Signing in and out, the forced change of a one-time password, and choosing the role
//! to act in when a person holds several.

#[cfg(feature = "ssr")]
pub mod attempts;
#[cfg(feature = "ssr")]
pub mod client_address;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod password;
#[cfg(feature = "ssr")]
pub mod policy;
#[cfg(feature = "ssr")]
pub mod session;
#[cfg(feature = "ssr")]
pub mod throttle;

pub use pages::{
    refetch_me, use_me, ChangePasswordPage, ChooseRolePage, LoginPage, MeResource, SsoErrorPage,
    UserBar,
};

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::Role;
use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantChoice {
    pub grant_id: i64,
    pub role: Role,
    /// Organisation or municipality name; empty for the parent role.
    pub scope: String,
}

/// The signed-in person as the pages need it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub full_name: String,
    pub login: String,
    pub must_change_password: bool,
    pub role: Option<Role>,
    pub grants: Vec<GrantChoice>,
    /// Unread notices in a parent's inbox.
    pub unread_notices: i64,
}

#[server(prefix = "/api", endpoint = "whoami")]
pub async fn whoami() -> Result<Option<Me>, AppError> {
    ssr::whoami().await.map_err(AppError::with_status)
}

#[server(prefix = "/api", endpoint = "login")]
pub async fn login(login: String, password: String) -> Result<(), AppError> {
    let target = ssr::login(&login, password)
        .await
        .map_err(AppError::with_status)?;
    leptos_axum::redirect(target);
    Ok(())
}

#[server(prefix = "/api", endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    let state = crate::state::AppState::current()?;
    session::end(&state.db).await?;
    leptos_axum::redirect("/login");
    Ok(())
}

#[server(prefix = "/api", endpoint = "change_password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
    new_password_confirm: String,
) -> Result<(), AppError> {
    let target = ssr::change_password(current_password, new_password, new_password_confirm)
        .await
        .map_err(AppError::with_status)?;
    leptos_axum::redirect(target);
    Ok(())
}

#[server(prefix = "/api", endpoint = "choose_role")]
pub async fn choose_role(grant_id: i64) -> Result<(), AppError> {
    ssr::choose_role(grant_id)
        .await
        .map_err(AppError::with_status)?;
    leptos_axum::redirect("/");
    Ok(())
}

#[cfg(feature = "ssr")]
mod ssr {
    use sqlx::Row;

    use super::attempts;
    use super::throttle::{Limits, Verdict};
    use super::{session, GrantChoice, Me};
    use crate::clock::now_millis;
    use crate::domain::{Bilingual, Role};
    use crate::error::{AppError, ErrorKind};
    use crate::state::AppState;

    pub async fn whoami() -> Result<Option<Me>, AppError> {
        let state = AppState::current()?;
        let Some(session) = session::current(&state.db).await? else {
            return Ok(None);
        };
        let person = sqlx::query(
            "SELECT p.surname, p.given_name, p.patronymic, a.login FROM people p \
             JOIN accounts a ON a.person_id = p.id WHERE p.id = $1",
        )
        .bind(session.person_id)
        .fetch_one(state.db.pool())
        .await?;
        let grants = grants_of(&state, session.person_id).await?;
        let role = session
            .grant_id
            .and_then(|id| grants.iter().find(|g| g.grant_id == id))
            .map(|g| g.role);
        let unread_notices = match role {
            Some(Role::Parent) => {
                crate::notices::repo::unread_count(&state.db, session.person_id).await?
            }
            _ => 0,
        };
        Ok(Some(Me {
            unread_notices,
            full_name: crate::rows::full_name(&person)?,
            login: person.try_get("login")?,
            must_change_password: session.must_change_password,
            role,
            grants,
        }))
    }

    pub async fn grants_of(state: &AppState, person_id: i64) -> Result<Vec<GrantChoice>, AppError> {
        let rows = sqlx::query(&format!(
            "SELECT g.id, g.role, COALESCE(o.short_name, m.name, '') AS scope \
             FROM role_grants g \
             LEFT JOIN organisations o ON o.id = g.organisation_id \
             LEFT JOIN municipalities m ON m.id = g.municipality_id \
             WHERE g.person_id = $1 AND {} ORDER BY g.id",
            session::ACTIVE_GRANT
        ))
        .bind(person_id)
        .fetch_all(state.db.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(GrantChoice {
                    grant_id: r.try_get("id")?,
                    role: Role::parse(&r.try_get::<String, _>("role")?)
                        .ok_or_else(AppError::internal)?,
                    scope: r.try_get("scope")?,
                })
            })
            .collect()
    }

    fn wrong_credentials() -> AppError {
        AppError::new(
            ErrorKind::Unauthorized,
            "Неверный логин или пароль.",
            "Wrong login or password.",
        )
    }

    /// Checks the password (throttled per login and address, see `throttle`) and starts
    /// a session. Returns where to go next.
    pub async fn login(login: &str, password: String) -> Result<&'static str, AppError> {
        let state = AppState::current()?;
        let db = &state.db;
        let login = login.trim().to_lowercase();
        check_lengths(&login, &password)?;
        let address = super::client_address::of_current_request();
        let now = now_millis();
        let attempt = match attempts::admit(db, &login, address, now, Limits::DEFAULT).await? {
            Ok(attempt) => attempt,
            Err(verdict) => {
                tracing::warn!(%address, ?verdict, "sign-in held back");
                crate::metrics::sign_in_failed("held_back");
                return Err(held_back(verdict));
            }
        };
        let account = sqlx::query(
            "SELECT person_id, password_hash, must_change_password, archived FROM accounts \
             WHERE login = $1",
        )
        .bind(&login)
        .fetch_optional(db.pool())
        .await?;
        let stored_hash = match &account {
            Some(row) => Some(row.try_get::<String, _>("password_hash")?),
            None => None,
        };
        let verified = match state.sign_in.check(password, stored_hash).await? {
            Ok(verified) => verified,
            Err(busy) => {
                attempts::withdraw(db, attempt).await?;
                return Err(server_busy(busy));
            }
        };
        let Some(account) = account.filter(|_| verified) else {
            crate::metrics::sign_in_failed("wrong_credentials");
            return Err(wrong_credentials());
        };
        // Said only to someone who knows the password: the login is not guessed at.
        if account.try_get::<i64, _>("archived")? != 0 {
            crate::metrics::sign_in_failed("archived");
            return Err(AppError::new(
                ErrorKind::Unauthorized,
                "Вход закрыт: учётная запись в архиве. Обратитесь к администратору организации.",
                "Sign-in is closed: this account is archived. Contact your organisation's administrator.",
            ));
        }
        attempts::succeeded(db, &login, address, now).await?;
        let person_id: i64 = account.try_get("person_id")?;
        let must_change = account.try_get::<i64, _>("must_change_password")? != 0;
        session::start(db, person_id, must_change).await
    }

    /// Nothing longer than a login or password can be is looked up or hashed.
    fn check_lengths(login: &str, password: &str) -> Result<(), AppError> {
        use crate::domain::credentials::{Login, NewPassword};
        let field_error = |field: &str, ru: &str, en: &str| {
            Err(AppError::on_field(ErrorKind::Invalid, field, ru, en))
        };
        if login.is_empty() {
            return field_error(
                "login",
                "Введите логин и пароль.",
                "Enter your login and password.",
            );
        }
        if password.is_empty() {
            return field_error(
                "password",
                "Введите логин и пароль.",
                "Enter your login and password.",
            );
        }
        if login.chars().count() > Login::MAX_CHARS {
            return field_error(
                "login",
                &format!("Логин не длиннее {} символов.", Login::MAX_CHARS),
                &format!("A login has at most {} characters.", Login::MAX_CHARS),
            );
        }
        if password.chars().count() > NewPassword::MAX_CHARS {
            return field_error(
                "password",
                &format!("Пароль не длиннее {} символов.", NewPassword::MAX_CHARS),
                &format!(
                    "A password has at most {} characters.",
                    NewPassword::MAX_CHARS
                ),
            );
        }
        Ok(())
    }

    fn held_back(verdict: Verdict) -> AppError {
        let minutes = Limits::DEFAULT.window_ms / 60_000;
        match verdict {
            Verdict::LoginHeldBack => AppError::new(
                ErrorKind::TooManyRequests,
                format!(
                    "Под этим логином слишком часто пытаются войти. Войдите с устройства, с которого уже входили, или подождите {minutes} минут."
                ),
                format!(
                    "Too many attempts to sign in with this login. Sign in from a device you have used before, or wait {minutes} minutes."
                ),
            ),
            Verdict::AddressHeldBack | Verdict::Check => AppError::new(
                ErrorKind::TooManyRequests,
                format!(
                    "Слишком много неудачных попыток входа с этого устройства. Подождите {minutes} минут или обратитесь к администратору."
                ),
                format!(
                    "Too many failed sign-in attempts from this device. Wait {minutes} minutes or contact your administrator."
                ),
            ),
        }
    }

    fn server_busy(busy: super::password::Busy) -> AppError {
        AppError::unavailable(
            busy.retry_after,
            "Сервер сейчас занят проверкой других входов. Попробуйте ещё раз через несколько секунд.",
            "The server is busy checking other sign-ins. Try again in a few seconds.",
        )
    }

    pub async fn change_password(
        current_password: String,
        new_password: String,
        confirm: String,
    ) -> Result<&'static str, AppError> {
        let state = AppState::current()?;
        let db = &state.db;
        let session = session::current(db)
            .await?
            .ok_or_else(session::not_signed_in)?;
        let account = sqlx::query("SELECT login, password_hash FROM accounts WHERE person_id = $1")
            .bind(session.person_id)
            .fetch_one(db.pool())
            .await?;
        let login: String = account.try_get("login")?;
        let verified = state
            .sign_in
            .check(current_password, Some(account.try_get("password_hash")?))
            .await?
            .map_err(server_busy)?;
        if !verified {
            return Err(AppError {
                field: Some("current_password".into()),
                ..AppError::new(
                    ErrorKind::Invalid,
                    "Текущий пароль введён неверно.",
                    "The current password is wrong.",
                )
            });
        }
        let login = crate::domain::credentials::Login::parse(&login).map_err(|e| {
            tracing::error!(error = %e, "stored login does not parse");
            AppError::internal()
        })?;
        let new_password = crate::domain::credentials::NewPassword::parse(&new_password, &login)
            .map_err(|e| AppError::invalid("new_password", &e))?;
        if new_password.as_str() != confirm {
            return Err(AppError {
                field: Some("new_password_confirm".into()),
                ..AppError::new(
                    ErrorKind::Invalid,
                    "Пароли не совпадают.",
                    "The passwords do not match.",
                )
            });
        }
        let hash = super::password::hash(new_password.as_str().to_owned()).await?;
        let mut tx = db.begin_write().await?;
        sqlx::query(
            "UPDATE accounts SET password_hash = $1, must_change_password = 0 WHERE person_id = $2",
        )
        .bind(hash)
        .bind(session.person_id)
        .execute(&mut *tx)
        .await?;
        // Other devices signed in with the old password are signed out.
        sqlx::query("DELETE FROM sessions WHERE person_id = $1 AND token_hash <> $2")
            .bind(session.person_id)
            .bind(&session.token_hash)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(if session.grant_id.is_none() {
            "/role"
        } else {
            "/"
        })
    }

    pub async fn choose_role(grant_id: i64) -> Result<(), AppError> {
        let state = AppState::current()?;
        let session = session::current(&state.db)
            .await?
            .ok_or_else(session::not_signed_in)?;
        if session.must_change_password {
            return Err(AppError::new(
                ErrorKind::Unauthorized,
                "Сначала смените одноразовый пароль.",
                "Change your one-time password first.",
            ));
        }
        let grants = grants_of(&state, session.person_id).await?;
        if !grants.iter().any(|g| g.grant_id == grant_id) {
            let denied = crate::domain::Denied;
            return Err(AppError::new(
                ErrorKind::Forbidden,
                denied.ru(),
                denied.en(),
            ));
        }
        sqlx::query("UPDATE sessions SET grant_id = $1 WHERE token_hash = $2")
            .bind(grant_id)
            .bind(&session.token_hash)
            .execute(state.db.pool())
            .await?;
        Ok(())
    }
}

/// Whether the login page offers sign-in through the OpenID Connect provider.
#[server(prefix = "/api", endpoint = "sso_enabled")]
pub async fn sso_enabled() -> Result<bool, AppError> {
    Ok(crate::state::AppState::current()?.sso_enabled)
}
