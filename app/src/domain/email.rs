use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::Bilingual;

/// An e-mail address, checked for the mistakes people actually make when typing one.
///
/// Surrounding whitespace is trimmed and the domain (after `@`) is lower-cased; the
/// local part keeps its case. Rules: exactly one `@`; a local part of 1–64
/// characters made of letters (any alphabet), digits and ``!#$%&'*+/=?^_`{|}~-``,
/// with dots only between other characters; a domain of at least two dot-separated
/// labels, each 1–63 letters, digits or hyphens and not starting or ending with a
/// hyphen, the last one containing a letter. Internationalised addresses such as
/// `директор@детсад.рф` are accepted as typed (no punycode conversion). At most 254
/// characters overall. Quoted local parts and IP-address domains are not supported.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email {
    address: String,
    /// Byte index of the `@` in `address`.
    at: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("e-mail is empty")]
    Empty,
    #[error("e-mail is {len} characters long, at most {max} allowed")]
    TooLong { len: usize, max: usize },
    #[error("e-mail contains whitespace")]
    ContainsWhitespace,
    #[error("e-mail has no @")]
    MissingAt,
    #[error("e-mail has more than one @")]
    MultipleAt,
    #[error("e-mail has nothing before the @")]
    EmptyLocalPart,
    #[error("the part before the @ is {len} characters long, at most {max} allowed")]
    LocalPartTooLong { len: usize, max: usize },
    #[error("e-mail contains the character {character:?} before the @")]
    InvalidCharacter { character: char },
    #[error("the part before the @ starts or ends with a dot or has two dots in a row")]
    MisplacedDot,
    #[error("e-mail has nothing after the @")]
    EmptyDomain,
    #[error("the domain has no dot")]
    DomainWithoutDot,
    #[error("the domain starts or ends with a dot or has two dots in a row")]
    EmptyDomainLabel,
    #[error("the domain part {label:?} is not valid")]
    InvalidDomainLabel { label: String },
}

const LOCAL_SPECIALS: &str = "!#$%&'*+/=?^_`{|}~-";

impl Email {
    pub const MAX_CHARS: usize = 254;
    pub const MAX_LOCAL_CHARS: usize = 64;
    pub const MAX_LABEL_CHARS: usize = 63;

    pub fn parse(raw: &str) -> Result<Self, EmailError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(EmailError::Empty);
        }
        if s.chars().any(char::is_whitespace) {
            return Err(EmailError::ContainsWhitespace);
        }
        let (local, domain) = match s.split_once('@') {
            None => return Err(EmailError::MissingAt),
            Some((_, rest)) if rest.contains('@') => return Err(EmailError::MultipleAt),
            Some(parts) => parts,
        };
        if local.is_empty() {
            return Err(EmailError::EmptyLocalPart);
        }
        if domain.is_empty() {
            return Err(EmailError::EmptyDomain);
        }
        let domain = domain.to_lowercase();
        let address = format!("{local}@{domain}");
        let len = address.chars().count();
        if len > Self::MAX_CHARS {
            return Err(EmailError::TooLong {
                len,
                max: Self::MAX_CHARS,
            });
        }
        let local_len = local.chars().count();
        if local_len > Self::MAX_LOCAL_CHARS {
            return Err(EmailError::LocalPartTooLong {
                len: local_len,
                max: Self::MAX_LOCAL_CHARS,
            });
        }
        if let Some(character) = local
            .chars()
            .find(|&c| !(c.is_alphanumeric() || c == '.' || LOCAL_SPECIALS.contains(c)))
        {
            return Err(EmailError::InvalidCharacter { character });
        }
        if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
            return Err(EmailError::MisplacedDot);
        }
        Self::check_domain(&domain)?;
        Ok(Self {
            at: local.len(),
            address,
        })
    }

    fn check_domain(domain: &str) -> Result<(), EmailError> {
        if !domain.contains('.') {
            return Err(EmailError::DomainWithoutDot);
        }
        let labels: Vec<&str> = domain.split('.').collect();
        if labels.iter().any(|l| l.is_empty()) {
            return Err(EmailError::EmptyDomainLabel);
        }
        let invalid = |label: &str| EmailError::InvalidDomainLabel {
            label: label.to_owned(),
        };
        for label in &labels {
            let ok = label.chars().count() <= Self::MAX_LABEL_CHARS
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
                && !label.starts_with('-')
                && !label.ends_with('-');
            if !ok {
                return Err(invalid(label));
            }
        }
        // `labels` has at least two elements because the domain contains a dot.
        let tld = labels[labels.len() - 1];
        if !tld.chars().any(char::is_alphabetic) {
            return Err(invalid(tld));
        }
        Ok(())
    }

    pub fn as_str(&self) -> &str {
        &self.address
    }

    /// The part before the `@`, case preserved.
    pub fn local_part(&self) -> &str {
        &self.address[..self.at]
    }

    /// The part after the `@`, lower-cased.
    pub fn domain(&self) -> &str {
        &self.address[self.at + 1..]
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.address)
    }
}

impl AsRef<str> for Email {
    fn as_ref(&self) -> &str {
        &self.address
    }
}

impl FromStr for Email {
    type Err = EmailError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for Email {
    type Error = EmailError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Email> for String {
    fn from(value: Email) -> Self {
        value.address
    }
}

impl Bilingual for EmailError {
    fn ru(&self) -> String {
        match self {
            Self::Empty => "Введите адрес электронной почты.".into(),
            Self::TooLong { len, max } => format!(
                "Адрес электронной почты слишком длинный (символов: {len}), допустимо не более {max}."
            ),
            Self::ContainsWhitespace => "В адресе электронной почты не должно быть пробелов.".into(),
            Self::MissingAt => {
                "В адресе электронной почты не хватает знака @ (например, ivanova@mail.ru).".into()
            }
            Self::MultipleAt => "В адресе электронной почты должен быть только один знак @.".into(),
            Self::EmptyLocalPart => "В адресе электронной почты нет имени перед знаком @.".into(),
            Self::LocalPartTooLong { len, max } => format!(
                "Имя перед знаком @ слишком длинное (символов: {len}), допустимо не более {max}."
            ),
            Self::InvalidCharacter { character } => format!(
                "Адрес электронной почты содержит недопустимый символ «{character}» перед знаком @."
            ),
            Self::MisplacedDot => "Имя перед знаком @ не может начинаться или заканчиваться точкой \
                 и содержать две точки подряд."
                .into(),
            Self::EmptyDomain => {
                "В адресе электронной почты нет домена после знака @ (например, mail.ru).".into()
            }
            Self::DomainWithoutDot => {
                "Домен после знака @ должен содержать точку (например, mail.ru).".into()
            }
            Self::EmptyDomainLabel => "Домен после знака @ не может начинаться или заканчиваться \
                 точкой и содержать две точки подряд."
                .into(),
            Self::InvalidDomainLabel { label } => format!(
                "Часть домена «{label}» недопустима: используйте буквы, цифры и дефис \
                 (не в начале и не в конце), не более 63 символов; зона должна содержать букву."
            ),
        }
    }

    fn en(&self) -> String {
        match self {
            Self::Empty => "Enter an e-mail address.".into(),
            Self::TooLong { len, max } => format!(
                "The e-mail address is too long: {len} characters, at most {max} allowed."
            ),
            Self::ContainsWhitespace => "The e-mail address must not contain spaces.".into(),
            Self::MissingAt => {
                "The e-mail address is missing the @ sign (for example, ivanova@mail.ru).".into()
            }
            Self::MultipleAt => "The e-mail address must contain only one @ sign.".into(),
            Self::EmptyLocalPart => "The e-mail address has no name before the @ sign.".into(),
            Self::LocalPartTooLong { len, max } => format!(
                "The name before the @ sign is too long: {len} characters, at most {max} allowed."
            ),
            Self::InvalidCharacter { character } => format!(
                "The e-mail address contains the character “{character}” before the @ sign, which is not allowed."
            ),
            Self::MisplacedDot => "The name before the @ sign cannot start or end with a dot \
                 or contain two dots in a row."
                .into(),
            Self::EmptyDomain => {
                "The e-mail address has no domain after the @ sign (for example, mail.ru).".into()
            }
            Self::DomainWithoutDot => {
                "The domain after the @ sign must contain a dot (for example, mail.ru).".into()
            }
            Self::EmptyDomainLabel => "The domain after the @ sign cannot start or end with a dot \
                 or contain two dots in a row."
                .into(),
            Self::InvalidDomainLabel { label } => format!(
                "The domain part “{label}” is not valid: use letters, digits and hyphens \
                 (not first or last), at most 63 characters; the last part must contain a letter."
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::de::value::{Error as DeError, StringDeserializer};
    use serde::de::IntoDeserializer;

    fn deserialize(s: &str) -> Result<Email, DeError> {
        let de: StringDeserializer<DeError> = s.to_owned().into_deserializer();
        Email::deserialize(de)
    }

    fn err(raw: &str) -> EmailError {
        Email::parse(raw).unwrap_err()
    }

    #[test]
    fn ordinary_addresses_are_accepted() {
        for raw in [
            "ivanova@mail.ru",
            "m.ivanova@yandex.ru",
            "detsad-5+zav@gov.spb.ru",
            "a@b.co",
            "o'neil@example.com",
            "user_1@sub-domain.example.org",
            "x@xn--d1acufc.xn--p1ai",
        ] {
            let email = Email::parse(raw).unwrap();
            assert_eq!(email.as_str(), raw);
        }
    }

    #[test]
    fn parts_are_exposed() {
        let email = Email::parse("m.ivanova@yandex.ru").unwrap();
        assert_eq!(email.local_part(), "m.ivanova");
        assert_eq!(email.domain(), "yandex.ru");
    }

    #[test]
    fn trims_and_lowercases_only_the_domain() {
        let email = Email::parse("  Maria.Ivanova@Mail.RU \n").unwrap();
        assert_eq!(email.as_str(), "Maria.Ivanova@mail.ru");
        assert_eq!(email.local_part(), "Maria.Ivanova");
        assert_eq!(email.domain(), "mail.ru");
    }

    #[test]
    fn cyrillic_addresses_are_accepted_and_domain_lowercased() {
        let email = Email::parse("Заведующая@ДетскийСад.РФ").unwrap();
        assert_eq!(email.as_str(), "Заведующая@детскийсад.рф");
        assert_eq!(email.local_part(), "Заведующая");
        assert_eq!(email.domain(), "детскийсад.рф");
    }

    #[test]
    fn empty_and_blank() {
        assert_eq!(err(""), EmailError::Empty);
        assert_eq!(err("   "), EmailError::Empty);
    }

    #[test]
    fn inner_whitespace_is_rejected() {
        assert_eq!(err("ivan ova@mail.ru"), EmailError::ContainsWhitespace);
        assert_eq!(err("ivanova@mail .ru"), EmailError::ContainsWhitespace);
        assert_eq!(err("ivanova@mail\u{a0}.ru"), EmailError::ContainsWhitespace);
    }

    #[test]
    fn at_sign_count() {
        assert_eq!(err("ivanova.mail.ru"), EmailError::MissingAt);
        assert_eq!(err("ivanova@@mail.ru"), EmailError::MultipleAt);
        assert_eq!(err("a@b@mail.ru"), EmailError::MultipleAt);
    }

    #[test]
    fn empty_sides_of_the_at() {
        assert_eq!(err("@mail.ru"), EmailError::EmptyLocalPart);
        assert_eq!(err("ivanova@"), EmailError::EmptyDomain);
    }

    #[test]
    fn total_length_is_counted_in_characters() {
        // 64 + 1 + 63 + 1 + 63 + 1 + 61 = 254 characters.
        let ok = format!(
            "{}@{}.{}.{}",
            "a".repeat(64),
            "b".repeat(63),
            "c".repeat(63),
            "d".repeat(61)
        );
        assert_eq!(ok.chars().count(), 254);
        assert!(Email::parse(&ok).is_ok());
        let too_long = format!("{ok}d");
        assert_eq!(err(&too_long), EmailError::TooLong { len: 255, max: 254 });
        // Cyrillic: 254 characters are 400+ bytes and still fine.
        let cyr = format!(
            "{}@{}.{}.{}",
            "я".repeat(64),
            "б".repeat(63),
            "в".repeat(63),
            "г".repeat(61)
        );
        assert!(cyr.len() > 254);
        assert!(Email::parse(&cyr).is_ok());
    }

    #[test]
    fn local_part_length_is_limited() {
        let ok = format!("{}@mail.ru", "я".repeat(64));
        assert!(Email::parse(&ok).is_ok());
        let long = format!("{}@mail.ru", "я".repeat(65));
        assert_eq!(
            err(&long),
            EmailError::LocalPartTooLong { len: 65, max: 64 }
        );
    }

    #[test]
    fn invalid_local_characters_are_named() {
        assert_eq!(
            err("ivan,ova@mail.ru"),
            EmailError::InvalidCharacter { character: ',' }
        );
        assert_eq!(
            err("<ivanova@mail.ru>"),
            EmailError::InvalidCharacter { character: '<' }
        );
        assert_eq!(
            err("\"ivanova\"@mail.ru"),
            EmailError::InvalidCharacter { character: '"' }
        );
    }

    #[test]
    fn misplaced_dots_in_local_part() {
        assert_eq!(err(".ivanova@mail.ru"), EmailError::MisplacedDot);
        assert_eq!(err("ivanova.@mail.ru"), EmailError::MisplacedDot);
        assert_eq!(err("iva..nova@mail.ru"), EmailError::MisplacedDot);
    }

    #[test]
    fn domain_needs_a_dot() {
        assert_eq!(err("ivanova@localhost"), EmailError::DomainWithoutDot);
        assert_eq!(err("ivanova@mailru"), EmailError::DomainWithoutDot);
    }

    #[test]
    fn empty_domain_labels() {
        assert_eq!(err("ivanova@mail..ru"), EmailError::EmptyDomainLabel);
        assert_eq!(err("ivanova@.mail.ru"), EmailError::EmptyDomainLabel);
        assert_eq!(err("ivanova@mail.ru."), EmailError::EmptyDomainLabel);
    }

    #[test]
    fn invalid_domain_labels_are_named() {
        let label = |l: &str| EmailError::InvalidDomainLabel {
            label: l.to_owned(),
        };
        assert_eq!(err("a@-mail.ru"), label("-mail"));
        assert_eq!(err("a@mail-.ru"), label("mail-"));
        assert_eq!(err("a@ma_il.ru"), label("ma_il"));
        assert_eq!(err("a@mail.r!u"), label("r!u"));
        assert_eq!(err("a@192.168.0.1"), label("1"));
        let long_label = "x".repeat(64);
        assert_eq!(err(&format!("a@{long_label}.ru")), label(&long_label));
        // The label is reported lower-cased, as it would be stored.
        assert_eq!(err("a@MA_IL.ru"), label("ma_il"));
    }

    #[test]
    fn from_str_and_conversions() {
        let email: Email = "a@b.ru".parse().unwrap();
        assert_eq!(email.to_string(), "a@b.ru");
        assert_eq!(String::from(email), "a@b.ru");
        assert_eq!(
            Email::try_from(" A@B.RU ".to_owned()).unwrap().as_str(),
            "A@b.ru"
        );
    }

    #[test]
    fn serde_round_trip_and_rejection() {
        let email = Email::parse("m.ivanova@yandex.ru").unwrap();
        assert_eq!(deserialize(&String::from(email.clone())).unwrap(), email);
        assert_eq!(deserialize(" m.ivanova@YANDEX.ru").unwrap(), email);
        for raw in ["", "no-at", "a@b", "a b@c.ru"] {
            assert_eq!(
                deserialize(raw).unwrap_err().to_string(),
                err(raw).to_string()
            );
        }
    }

    #[test]
    fn messages_are_specific_and_bilingual() {
        let all = [
            EmailError::Empty,
            EmailError::TooLong { len: 300, max: 254 },
            EmailError::ContainsWhitespace,
            EmailError::MissingAt,
            EmailError::MultipleAt,
            EmailError::EmptyLocalPart,
            EmailError::LocalPartTooLong { len: 70, max: 64 },
            EmailError::InvalidCharacter { character: ',' },
            EmailError::MisplacedDot,
            EmailError::EmptyDomain,
            EmailError::DomainWithoutDot,
            EmailError::EmptyDomainLabel,
            EmailError::InvalidDomainLabel {
                label: "ma_il".into(),
            },
        ];
        for (i, a) in all.iter().enumerate() {
            assert!(!a.ru().is_empty() && !a.en().is_empty());
            assert!(a.ru().ends_with('.') && a.en().ends_with('.'));
            for b in &all[i + 1..] {
                assert_ne!(a.ru(), b.ru());
                assert_ne!(a.en(), b.en());
            }
        }
        assert!(all[1].ru().contains("300") && all[1].en().contains("254"));
        assert!(all[7].ru().contains("«,»") && all[7].en().contains(','));
        assert!(all[12].ru().contains("ma_il") && all[12].en().contains("ma_il"));
    }
}
