use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::Bilingual;

/// A Russian tax registration reason code (КПП) of an organisation, e.g. `773601001`.
///
/// Nine characters: 4 digits of the tax office code, 2 characters of the reason
/// code (digits or Latin capitals A–Z, as allowed since 2013), 3 digits of the
/// registration number. There is no checksum. Surrounding whitespace is trimmed and
/// lowercase Latin letters in the reason code are upper-cased (`7701ab001` →
/// `7701AB001`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Kpp(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KppError {
    #[error("KPP is empty")]
    Empty,
    #[error("KPP has {len} characters, expected 9")]
    WrongLength { len: usize },
    #[error("KPP must be 4 digits, 2 digits or Latin capitals, 3 digits")]
    BadFormat,
}

impl Kpp {
    pub const LEN: usize = 9;

    pub fn parse(raw: &str) -> Result<Self, KppError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(KppError::Empty);
        }
        let len = s.chars().count();
        if len != Self::LEN {
            return Err(KppError::WrongLength { len });
        }
        let normalized = s.to_ascii_uppercase();
        let ok = normalized.chars().enumerate().all(|(i, c)| match i {
            4 | 5 => c.is_ascii_digit() || c.is_ascii_uppercase(),
            _ => c.is_ascii_digit(),
        });
        if !ok {
            return Err(KppError::BadFormat);
        }
        Ok(Self(normalized))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Code of the tax office the organisation is registered with (first 4 digits).
    pub fn tax_office(&self) -> &str {
        &self.0[..4]
    }

    /// Reason for registration (characters 5–6), e.g. `01` for the head office.
    pub fn reason(&self) -> &str {
        &self.0[4..6]
    }

    /// Sequence number of the registration for that reason (last 3 digits).
    pub fn number(&self) -> &str {
        &self.0[6..]
    }
}

impl fmt::Display for Kpp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Kpp {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl FromStr for Kpp {
    type Err = KppError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for Kpp {
    type Error = KppError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Kpp> for String {
    fn from(value: Kpp) -> Self {
        value.0
    }
}

impl Bilingual for KppError {
    fn ru(&self) -> String {
        match self {
            Self::Empty => "Введите КПП.".into(),
            Self::WrongLength { len } => {
                format!("КПП должен состоять из 9 символов, введено {len}.")
            }
            Self::BadFormat => "КПП введён неверно: 4 цифры, затем 2 цифры или заглавные \
                 латинские буквы, затем 3 цифры (например, 773601001)."
                .into(),
        }
    }

    fn en(&self) -> String {
        match self {
            Self::Empty => "Enter the KPP.".into(),
            Self::WrongLength { len } => {
                format!("The KPP must have 9 characters; {len} entered.")
            }
            Self::BadFormat => "The KPP is malformed: 4 digits, then 2 digits or capital \
                 Latin letters, then 3 digits (for example, 773601001)."
                .into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::de::value::{Error as DeError, StringDeserializer};
    use serde::de::IntoDeserializer;

    fn deserialize(s: &str) -> Result<Kpp, DeError> {
        let de: StringDeserializer<DeError> = s.to_owned().into_deserializer();
        Kpp::deserialize(de)
    }

    #[test]
    fn real_kpps_are_accepted_with_their_parts() {
        let kpp = Kpp::parse("773601001").unwrap(); // Sberbank
        assert_eq!(kpp.as_str(), "773601001");
        assert_eq!(kpp.tax_office(), "7736");
        assert_eq!(kpp.reason(), "01");
        assert_eq!(kpp.number(), "001");
        assert!(Kpp::parse("770401001").is_ok()); // Yandex
    }

    #[test]
    fn latin_letters_are_allowed_in_the_reason_code_only() {
        let kpp = Kpp::parse("7701AB001").unwrap();
        assert_eq!(kpp.reason(), "AB");
        assert!(Kpp::parse("77010Z001").is_ok());
        assert!(Kpp::parse("7701Z0001").is_ok());
        assert_eq!(Kpp::parse("A70101001"), Err(KppError::BadFormat));
        assert_eq!(Kpp::parse("770A01001"), Err(KppError::BadFormat));
        assert_eq!(Kpp::parse("7701010A1"), Err(KppError::BadFormat));
    }

    #[test]
    fn lowercase_reason_code_is_upper_cased() {
        assert_eq!(Kpp::parse("7701ab001").unwrap().as_str(), "7701AB001");
    }

    #[test]
    fn non_latin_letters_and_symbols_are_rejected() {
        // Cyrillic А and В look like Latin A and B but are not allowed.
        assert_eq!(Kpp::parse("7701АВ001"), Err(KppError::BadFormat));
        assert_eq!(Kpp::parse("7701-0001"), Err(KppError::BadFormat));
        assert_eq!(Kpp::parse("7701 1001"), Err(KppError::BadFormat));
        assert_eq!(Kpp::parse("７７０１01001"), Err(KppError::BadFormat));
    }

    #[test]
    fn surrounding_whitespace_is_trimmed() {
        assert_eq!(Kpp::parse("  773601001\t").unwrap().as_str(), "773601001");
    }

    #[test]
    fn empty_and_blank_are_rejected() {
        assert_eq!(Kpp::parse(""), Err(KppError::Empty));
        assert_eq!(Kpp::parse(" \n "), Err(KppError::Empty));
    }

    #[test]
    fn wrong_length_is_reported_in_characters() {
        assert_eq!(
            Kpp::parse("77360100"),
            Err(KppError::WrongLength { len: 8 })
        );
        assert_eq!(
            Kpp::parse("7736010011"),
            Err(KppError::WrongLength { len: 10 })
        );
        // 9 Cyrillic letters are 18 bytes but 9 characters: a format error, not length.
        assert_eq!(Kpp::parse("ААААААААА"), Err(KppError::BadFormat));
        assert_eq!(
            Kpp::parse("ЯЯЯЯЯЯЯЯ"),
            Err(KppError::WrongLength { len: 8 })
        );
    }

    #[test]
    fn from_str_and_conversions() {
        assert_eq!("773601001".parse::<Kpp>().unwrap().to_string(), "773601001");
        assert_eq!(
            Kpp::try_from("7701ab001".to_owned()).unwrap().as_str(),
            "7701AB001"
        );
        assert_eq!(String::from(Kpp::parse("773601001").unwrap()), "773601001");
    }

    #[test]
    fn serde_round_trip_and_rejection() {
        let kpp = Kpp::parse("7701AB001").unwrap();
        assert_eq!(deserialize(&String::from(kpp.clone())).unwrap(), kpp);
        assert_eq!(deserialize("7701ab001").unwrap(), kpp);
        for raw in ["", "1234", "7701-0001"] {
            assert_eq!(
                deserialize(raw).unwrap_err().to_string(),
                Kpp::parse(raw).unwrap_err().to_string()
            );
        }
    }

    #[test]
    fn messages_are_specific_and_bilingual() {
        let all = [
            KppError::Empty,
            KppError::WrongLength { len: 8 },
            KppError::BadFormat,
        ];
        for e in &all {
            assert!(e.ru().contains("КПП"), "{}", e.ru());
            assert!(e.en().contains("KPP"), "{}", e.en());
        }
        assert!(all[1].ru().contains('8') && all[1].en().contains('8'));
        for (i, a) in all.iter().enumerate() {
            for b in &all[i + 1..] {
                assert_ne!(a.ru(), b.ru());
                assert_ne!(a.en(), b.en());
            }
        }
    }
}
