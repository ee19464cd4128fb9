//! The interface language: Russian by default (the region's), English selectable.
//! Letters go out in the recipient's language too.

use serde::{Deserialize, Serialize};

/// The interface language of a person; letters are written in it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    #[default]
    Ru,
    En,
}

impl Lang {
    /// Stored languages other than English read as Russian, the default of the region.
    pub fn from_stored(raw: &str) -> Self {
        match raw.trim() {
            "en" => Self::En,
            _ => Self::Ru,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ru => "ru",
            Self::En => "en",
        }
    }

    pub fn pick<'a>(self, ru: &'a str, en: &'a str) -> &'a str {
        match self {
            Self::Ru => ru,
            Self::En => en,
        }
    }
}

/// The cookie that keeps the chosen interface language on a device.
pub const LANG_COOKIE: &str = "tabel_lang";

impl Lang {
    /// The language chosen on this device, from a request's `Cookie` header values;
    /// `None` when none was chosen.
    pub fn from_cookies<'a>(headers: impl IntoIterator<Item = &'a str>) -> Option<Self> {
        super::cookie::value(headers, LANG_COOKIE).map(Self::from_stored)
    }

    /// The `Set-Cookie` value remembering this language for a year.
    pub fn cookie(self) -> String {
        format!(
            "{LANG_COOKIE}={}; Path=/; SameSite=Lax; Max-Age=31536000",
            self.as_str()
        )
    }
}

/// A query-string value, percent-encoded (UTF-8) so any path survives the round trip.
pub fn encode_query_value(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for byte in raw.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// Where to go back to after switching the language: a path on this site only, so
/// the switch cannot be used to send someone elsewhere.
pub fn local_return_path(raw: &str) -> &str {
    let local = raw.starts_with('/')
        && !raw.starts_with("//")
        && !raw.contains('\\')
        && !raw.chars().any(char::is_control);
    if local {
        raw
    } else {
        "/"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_english_reads_as_english() {
        assert_eq!(Lang::from_stored("en"), Lang::En);
        assert_eq!(Lang::from_stored(" en "), Lang::En);
        assert_eq!(Lang::from_stored("ru"), Lang::Ru);
        assert_eq!(Lang::from_stored("de"), Lang::Ru);
        assert_eq!(Lang::from_stored(""), Lang::Ru);
    }

    #[test]
    fn picks_the_text_of_its_language() {
        assert_eq!(Lang::Ru.pick("Да", "Yes"), "Да");
        assert_eq!(Lang::En.pick("Да", "Yes"), "Yes");
        assert_eq!(Lang::from_stored(Lang::En.as_str()), Lang::En);
    }

    #[test]
    fn reads_the_language_cookie_among_others() {
        assert_eq!(
            Lang::from_cookies(["tabel_session=abc; tabel_lang=en"]),
            Some(Lang::En)
        );
        assert_eq!(Lang::from_cookies(["a=1", "tabel_lang=ru"]), Some(Lang::Ru));
        assert_eq!(Lang::from_cookies(["tabel_session=abc"]), None);
        assert_eq!(Lang::from_cookies(["xtabel_lang=en"]), None);
        assert!(Lang::En.cookie().starts_with("tabel_lang=en; Path=/"));
    }

    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(encode_query_value("/groups/3"), "/groups/3");
        assert_eq!(
            encode_query_value("/children?q=Ив&page=2"),
            "/children%3Fq%3D%D0%98%D0%B2%26page%3D2"
        );
    }

    #[test]
    fn the_way_back_stays_on_this_site() {
        assert_eq!(
            local_return_path("/groups/3/marks/2026-11-25"),
            "/groups/3/marks/2026-11-25"
        );
        assert_eq!(
            local_return_path("/children?q=Ив&page=2"),
            "/children?q=Ив&page=2"
        );
        assert_eq!(local_return_path("https://evil.example/"), "/");
        assert_eq!(local_return_path("//evil.example/"), "/");
        assert_eq!(local_return_path("/\\evil.example"), "/");
        assert_eq!(local_return_path("/a\r\nSet-Cookie: x=1"), "/");
        assert_eq!(local_return_path(""), "/");
    }
}
