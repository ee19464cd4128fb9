//! How sessions are kept: the cookie (Secure and `__Host-` when Tabel is served over
//! https, so no other site or plain-http page can set or read it) and how long a
//! session may sit unused before it ends. Staff sessions end sooner: a group-room
//! tablet is shared, and whoever picks it up after lunch should not be the morning's
//! teacher.

use crate::domain::Role;

const NAME: &str = "tabel_session";
const HOST_NAME: &str = "__Host-tabel_session";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionPolicy {
    /// Served over https: the cookie is `Secure` with the `__Host-` prefix, and the
    /// server sends HSTS.
    pub secure: bool,
    /// Unused this long, a staff session ends (ms).
    pub idle_staff_ms: i64,
    /// Unused this long, a parent's session ends (ms).
    pub idle_parent_ms: i64,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        Self {
            secure: false,
            idle_staff_ms: 4 * 60 * 60 * 1000,
            idle_parent_ms: 30 * 24 * 60 * 60 * 1000,
        }
    }
}

/// How often a session's last use is written down (not on every request).
pub const LAST_SEEN_STEP_MS: i64 = 60 * 1000;

impl SessionPolicy {
    pub fn cookie_name(self) -> &'static str {
        if self.secure {
            HOST_NAME
        } else {
            NAME
        }
    }

    /// The `Set-Cookie` value for a session token (an empty token with age 0 clears it).
    pub fn cookie(self, value: &str, max_age_secs: i64) -> String {
        let secure = if self.secure { "; Secure" } else { "" };
        format!(
            "{}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}",
            self.cookie_name()
        )
    }

    /// The `Set-Cookie` value that tells the tablet's scripts who is signed in
    /// ([`crate::domain::sync::AUTHOR_COOKIE`]): set with the session, for as long, and
    /// cleared with it (`None`). Readable by JavaScript on purpose; it opens nothing.
    pub fn author_cookie(self, person_id: Option<i64>, max_age_secs: i64) -> String {
        let secure = if self.secure { "; Secure" } else { "" };
        let value = person_id.map(|id| id.to_string()).unwrap_or_default();
        let max_age = if person_id.is_some() { max_age_secs } else { 0 };
        format!(
            "{}={value}; Path=/; SameSite=Lax; Max-Age={max_age}{secure}",
            crate::domain::sync::AUTHOR_COOKIE
        )
    }

    /// Everything a session's start or end sets: the session cookie and, beside it, whose
    /// session it is for the tablet's scripts (`None` with an empty token clears both).
    pub fn cookies(self, token: &str, person_id: Option<i64>, max_age_secs: i64) -> [String; 2] {
        [
            self.cookie(token, max_age_secs),
            self.author_cookie(person_id, max_age_secs),
        ]
    }

    /// The session token in a request's `Cookie` headers, under this policy's name only
    /// (over https a plain `tabel_session`, which any http page could have set, is
    /// not taken).
    pub fn token<'a>(self, cookie_headers: impl IntoIterator<Item = &'a str>) -> Option<String> {
        crate::domain::cookie::value(cookie_headers, self.cookie_name()).map(str::to_owned)
    }

    /// Whether a session last used at `last_seen` has ended by `now` for being unused.
    /// A session before a role is chosen counts as staff (the stricter).
    pub fn is_idle(self, now: i64, last_seen: i64, role: Option<Role>) -> bool {
        let limit = match role {
            Some(Role::Parent) => self.idle_parent_ms,
            _ => self.idle_staff_ms,
        };
        now - last_seen > limit
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: i64 = 60 * 60 * 1000;

    #[test]
    fn over_https_the_cookie_is_secure_and_host_only() {
        let https = SessionPolicy {
            secure: true,
            ..SessionPolicy::default()
        };
        let set = https.cookie("abc", 60);
        assert!(
            set.starts_with("__Host-tabel_session=abc; Path=/;"),
            "{set}"
        );
        assert!(set.ends_with("; Secure"), "{set}");
        assert!(!set.contains("Domain="), "{set}");
        let http = SessionPolicy::default();
        assert_eq!(
            http.cookie("abc", 60),
            "tabel_session=abc; Path=/; HttpOnly; SameSite=Lax; Max-Age=60"
        );
    }

    #[test]
    fn the_author_cookie_lives_and_ends_with_the_session() {
        let http = SessionPolicy::default();
        assert_eq!(
            http.author_cookie(Some(17), 60),
            "tabel_author=17; Path=/; SameSite=Lax; Max-Age=60"
        );
        assert_eq!(
            http.author_cookie(None, 60),
            "tabel_author=; Path=/; SameSite=Lax; Max-Age=0"
        );
        let https = SessionPolicy {
            secure: true,
            ..SessionPolicy::default()
        };
        assert!(https.author_cookie(Some(1), 60).ends_with("; Secure"));
    }

    #[test]
    fn the_token_is_read_under_the_policys_name_only() {
        let https = SessionPolicy {
            secure: true,
            ..SessionPolicy::default()
        };
        let headers = [
            "tabel_lang=ru; tabel_session=planted",
            "__Host-tabel_session=real",
        ];
        assert_eq!(https.token(headers).as_deref(), Some("real"));
        assert_eq!(
            SessionPolicy::default().token(headers).as_deref(),
            Some("planted")
        );
        assert_eq!(https.token(["tabel_session=planted"]), None);
    }

    #[test]
    fn staff_sessions_end_sooner_when_unused() {
        let policy = SessionPolicy::default();
        let now = 1_000 * HOUR;
        assert!(!policy.is_idle(now, now - 3 * HOUR, Some(Role::Teacher)));
        assert!(policy.is_idle(now, now - 5 * HOUR, Some(Role::Teacher)));
        assert!(
            policy.is_idle(now, now - 5 * HOUR, None),
            "no role yet: staff"
        );
        assert!(!policy.is_idle(now, now - 5 * HOUR, Some(Role::Parent)));
        assert!(policy.is_idle(now, now - 31 * 24 * HOUR, Some(Role::Parent)));
    }
}
