use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};

use crate::domain::Bilingual;

/// What went wrong, as far as the client needs to know to react.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The input is not acceptable; `field` says which one.
    Invalid,
    /// The input is fine but clashes with what is stored (a duplicate).
    Conflict,
    NotFound,
    /// Not signed in, or the session must first change its password or choose a role.
    Unauthorized,
    Forbidden,
    TooManyRequests,
    /// The server is too busy for this now; try again in a few seconds.
    Unavailable,
    /// A failure the user cannot fix: details are in the server log, not here.
    Internal,
    /// Transport or encoding trouble between the browser and the server.
    Transport,
}

/// The error every server function returns: a kind the UI can branch on and a message
/// in both interface languages. Never carries SQL or internal details.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{ru}")]
pub struct AppError {
    pub kind: ErrorKind,
    pub field: Option<String>,
    pub ru: String,
    pub en: String,
    /// One message per field, when a whole form was checked at once.
    #[serde(default)]
    pub details: Vec<FieldIssue>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldIssue {
    pub field: String,
    pub ru: String,
    pub en: String,
}

impl AppError {
    pub fn new(kind: ErrorKind, ru: impl Into<String>, en: impl Into<String>) -> Self {
        Self {
            kind,
            field: None,
            ru: ru.into(),
            en: en.into(),
            details: Vec::new(),
        }
    }

    /// The message for one field: its own, or the one in `details` naming it.
    /// The message in the page's language.
    pub fn message(&self, lang: crate::domain::Lang) -> String {
        lang.pick(&self.ru, &self.en).to_owned()
    }

    /// The message for one field: its own, or the one in `details` naming it.
    pub fn for_field(&self, name: &str) -> Option<(&str, &str)> {
        if self.field.as_deref() == Some(name) {
            return Some((&self.ru, &self.en));
        }
        self.details
            .iter()
            .find(|d| d.field == name)
            .map(|d| (d.ru.as_str(), d.en.as_str()))
    }

    /// An error about one field of a form, which the form shows beside that field.
    pub fn on_field(
        kind: ErrorKind,
        field: &str,
        ru: impl Into<String>,
        en: impl Into<String>,
    ) -> Self {
        Self {
            field: Some(field.to_owned()),
            ..Self::new(kind, ru, en)
        }
    }

    pub fn invalid(field: &str, reason: &impl Bilingual) -> Self {
        Self::on_field(ErrorKind::Invalid, field, reason.ru(), reason.en())
    }

    pub fn conflict(field: &str, ru: impl Into<String>, en: impl Into<String>) -> Self {
        Self::on_field(ErrorKind::Conflict, field, ru, en)
    }

    pub fn forbidden() -> Self {
        let denied = crate::domain::Denied;
        Self::new(ErrorKind::Forbidden, denied.ru(), denied.en())
    }

    pub fn not_found(ru: impl Into<String>, en: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotFound, ru, en)
    }

    pub fn internal() -> Self {
        Self::new(
            ErrorKind::Internal,
            "Внутренняя ошибка сервера. Попробуйте ещё раз; если ошибка повторится, сообщите администратору.",
            "Internal server error. Try again; if it happens again, tell your administrator.",
        )
    }

    /// The HTTP status a server function answers with for this error.
    pub fn status(&self) -> u16 {
        match self.kind {
            ErrorKind::Invalid => 400,
            ErrorKind::Conflict => 409,
            ErrorKind::NotFound => 404,
            ErrorKind::Unauthorized => 401,
            ErrorKind::Forbidden => 403,
            ErrorKind::TooManyRequests => 429,
            ErrorKind::Unavailable => 503,
            ErrorKind::Internal | ErrorKind::Transport => 500,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        let detail = value.to_string();
        // Arguments the server could not read are the client's fault: 400, not 500. On
        // the server a `Deserialization` error is one too (a JSON body that does not
        // parse); in the browser it is a response it could not read.
        let unreadable_arguments = matches!(
            value,
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_)
        ) || (cfg!(feature = "ssr")
            && matches!(value, ServerFnErrorErr::Deserialization(_)));
        if unreadable_arguments {
            #[cfg(feature = "ssr")]
            if let Some(options) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
                options.set_status(http::StatusCode::BAD_REQUEST);
            }
            return Self::new(
                ErrorKind::Invalid,
                format!("Запрос не понят: {detail}. Обновите страницу."),
                format!("The request was not understood: {detail}. Reload the page."),
            );
        }
        Self::new(
            ErrorKind::Transport,
            format!("Нет связи с сервером или ответ не понят ({detail})."),
            format!("Could not reach the server or understand its answer ({detail})."),
        )
    }
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::AppError;

    impl From<crate::domain::Denied> for AppError {
        fn from(_: crate::domain::Denied) -> Self {
            AppError::forbidden()
        }
    }

    impl From<sqlx::Error> for AppError {
        fn from(err: sqlx::Error) -> Self {
            if crate::db::is_outage(&err) {
                tracing::error!(error = %err, "database unreachable");
                return AppError::database_unreachable();
            }
            tracing::error!(error = %err, "database error");
            AppError::internal()
        }
    }

    impl AppError {
        /// 503: the server cannot do this now, through no fault of the request. The
        /// response says when to try again (`Retry-After`, whole seconds, at least one),
        /// so a tablet's queue and a person alike retry instead of taking it for a fault.
        pub fn unavailable(
            retry_after: std::time::Duration,
            ru: impl Into<String>,
            en: impl Into<String>,
        ) -> Self {
            if let Some(options) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
                options.insert_header(
                    http::header::RETRY_AFTER,
                    http::HeaderValue::from(retry_after.as_secs().max(1)),
                );
            }
            AppError::new(super::ErrorKind::Unavailable, ru, en)
        }

        /// The database is down or restarting.
        pub fn database_unreachable() -> Self {
            Self::unavailable(
                std::time::Duration::from_secs(10),
                "Сервер сейчас не может связаться с базой данных. Попробуйте ещё раз через минуту.",
                "The server cannot reach its database right now. Try again in a minute.",
            )
        }

        /// Sets the response status for this error, except for a plain HTML form post
        /// (no wasm yet), which leptos_axum answers with a redirect back to the form.
        pub fn with_status(self) -> Self {
            use leptos::prelude::use_context;
            let is_form_post = use_context::<http::request::Parts>()
                .and_then(|parts| {
                    parts
                        .headers
                        .get(http::header::ACCEPT)
                        .and_then(|v| v.to_str().ok())
                        .map(|v| v.contains("text/html"))
                })
                .unwrap_or(false);
            if !is_form_post {
                if let Some(options) = use_context::<leptos_axum::ResponseOptions>() {
                    options.set_status(
                        http::StatusCode::from_u16(self.status())
                            .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR),
                    );
                }
            }
            self
        }
    }
}
