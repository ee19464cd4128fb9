use std::collections::HashSet;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::person_name::PersonName;
use super::Bilingual;

/// A user's login, e.g. `ivanova.ms`.
///
/// 3–64 characters: lowercase Latin letters, digits, `.`, `_`, `-`, starting with a
/// letter. Input is trimmed and lower-cased first, so `" Ivanova.MS "` is
/// `ivanova.ms`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Login(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoginError {
    #[error("login is empty")]
    Empty,
    #[error("login contains the character {character:?}")]
    InvalidCharacter { character: char },
    #[error("login does not start with a letter")]
    MustStartWithLetter,
    #[error("login is {len} characters long, at least {min} required")]
    TooShort { len: usize, min: usize },
    #[error("login is {len} characters long, at most {max} allowed")]
    TooLong { len: usize, max: usize },
}

fn is_login_char(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-')
}

impl Login {
    pub const MIN_CHARS: usize = 3;
    pub const MAX_CHARS: usize = 64;

    pub fn parse(raw: &str) -> Result<Self, LoginError> {
        let s = raw.trim().to_lowercase();
        if s.is_empty() {
            return Err(LoginError::Empty);
        }
        if let Some(character) = s.chars().find(|&c| !is_login_char(c)) {
            return Err(LoginError::InvalidCharacter { character });
        }
        if !s.starts_with(|c: char| c.is_ascii_lowercase()) {
            return Err(LoginError::MustStartWithLetter);
        }
        // Only ASCII is left, so bytes == characters.
        let len = s.len();
        if len < Self::MIN_CHARS {
            return Err(LoginError::TooShort {
                len,
                min: Self::MIN_CHARS,
            });
        }
        if len > Self::MAX_CHARS {
            return Err(LoginError::TooLong {
                len,
                max: Self::MAX_CHARS,
            });
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Login {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Login {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl FromStr for Login {
    type Err = LoginError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for Login {
    type Error = LoginError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Login> for String {
    fn from(value: Login) -> Self {
        value.0
    }
}

impl Bilingual for LoginError {
    fn ru(&self) -> String {
        match self {
            Self::Empty => "Введите логин.".into(),
            Self::InvalidCharacter { character } => format!(
                "Логин содержит недопустимый символ «{character}»: можно использовать только \
                 латинские буквы, цифры и знаки «.», «_», «-»."
            ),
            Self::MustStartWithLetter => "Логин должен начинаться с латинской буквы.".into(),
            Self::TooShort { len, min } => {
                format!("Логин слишком короткий (символов: {len}), нужно не менее {min}.")
            }
            Self::TooLong { len, max } => {
                format!("Логин слишком длинный (символов: {len}), допустимо не более {max}.")
            }
        }
    }

    fn en(&self) -> String {
        match self {
            Self::Empty => "Enter a login.".into(),
            Self::InvalidCharacter { character } => format!(
                "The login contains the character “{character}”, which is not allowed: use only \
                 Latin letters, digits and “.”, “_”, “-”."
            ),
            Self::MustStartWithLetter => "The login must start with a Latin letter.".into(),
            Self::TooShort { len, min } => {
                format!("The login is too short: {len} characters, at least {min} required.")
            }
            Self::TooLong { len, max } => {
                format!("The login is too long: {len} characters, at most {max} allowed.")
            }
        }
    }
}

/// A password a user has chosen, checked against simple rules before hashing.
///
/// 10–128 characters (counted as characters, so Cyrillic passwords are not
/// penalised), not only digits, not the login and not containing it (ignoring
/// case), at least 3 different characters. The password is taken exactly as typed:
/// no trimming, since spaces may be deliberate.
///
/// Deliberately neither `Display` nor `Serialize`/`Deserialize` (a password should
/// never be rendered or sent anywhere; it cannot be checked without the login
/// anyway), and `Debug` prints `NewPassword(***)`.
#[derive(Clone, PartialEq, Eq)]
pub struct NewPassword(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("password is empty")]
    Empty,
    #[error("password is {len} characters long, at least {min} required")]
    TooShort { len: usize, min: usize },
    #[error("password is {len} characters long, at most {max} allowed")]
    TooLong { len: usize, max: usize },
    #[error("password consists of digits only")]
    OnlyDigits,
    #[error("password is the same as the login")]
    EqualsLogin,
    #[error("password contains the login")]
    ContainsLogin,
    #[error("password has only {distinct} different characters, at least {min} required")]
    TooFewDistinctCharacters { distinct: usize, min: usize },
}

impl NewPassword {
    pub const MIN_CHARS: usize = 10;
    pub const MAX_CHARS: usize = 128;
    pub const MIN_DISTINCT_CHARS: usize = 3;

    pub fn parse(password: &str, login: &Login) -> Result<Self, PasswordError> {
        if password.is_empty() {
            return Err(PasswordError::Empty);
        }
        let len = password.chars().count();
        if len < Self::MIN_CHARS {
            return Err(PasswordError::TooShort {
                len,
                min: Self::MIN_CHARS,
            });
        }
        if len > Self::MAX_CHARS {
            return Err(PasswordError::TooLong {
                len,
                max: Self::MAX_CHARS,
            });
        }
        if password.chars().all(|c| c.is_ascii_digit()) {
            return Err(PasswordError::OnlyDigits);
        }
        let folded = password.to_lowercase();
        if folded == login.as_str() {
            return Err(PasswordError::EqualsLogin);
        }
        if folded.contains(login.as_str()) {
            return Err(PasswordError::ContainsLogin);
        }
        let distinct = password.chars().collect::<HashSet<_>>().len();
        if distinct < Self::MIN_DISTINCT_CHARS {
            return Err(PasswordError::TooFewDistinctCharacters {
                distinct,
                min: Self::MIN_DISTINCT_CHARS,
            });
        }
        Ok(Self(password.to_owned()))
    }

    /// The password itself, for hashing. Never log or display it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewPassword(***)")
    }
}

impl Bilingual for PasswordError {
    fn ru(&self) -> String {
        match self {
            Self::Empty => "Введите пароль.".into(),
            Self::TooShort { len, min } => {
                format!("Пароль слишком короткий (символов: {len}), нужно не менее {min}.")
            }
            Self::TooLong { len, max } => {
                format!("Пароль слишком длинный (символов: {len}), допустимо не более {max}.")
            }
            Self::OnlyDigits => "Пароль не может состоять только из цифр.".into(),
            Self::EqualsLogin => "Пароль не должен совпадать с логином.".into(),
            Self::ContainsLogin => "Пароль не должен содержать логин.".into(),
            Self::TooFewDistinctCharacters { distinct, min } => format!(
                "В пароле слишком мало разных символов (разных символов: {distinct}), \
                 нужно не менее {min}."
            ),
        }
    }

    fn en(&self) -> String {
        match self {
            Self::Empty => "Enter a password.".into(),
            Self::TooShort { len, min } => {
                format!("The password is too short: {len} characters, at least {min} required.")
            }
            Self::TooLong { len, max } => {
                format!("The password is too long: {len} characters, at most {max} allowed.")
            }
            Self::OnlyDigits => "The password cannot consist of digits only.".into(),
            Self::EqualsLogin => "The password must not be the same as the login.".into(),
            Self::ContainsLogin => "The password must not contain the login.".into(),
            Self::TooFewDistinctCharacters { distinct, min } => format!(
                "The password has too few different characters: {distinct}, at least {min} required."
            ),
        }
    }
}

/// Latin spelling of one lower-case letter: Russian Cyrillic as in Russian
/// passports (ICAO Doc 9303, except «ъ» which is dropped like «ь»), a few letters of
/// other Cyrillic alphabets used in Russia's regions, and common Latin letters with
/// diacritics. `None` for anything else.
fn latin_for(c: char) -> Option<&'static str> {
    Some(match c {
        'а' => "a",
        'б' => "b",
        'в' => "v",
        'г' => "g",
        'д' => "d",
        'е' | 'ё' | 'э' => "e",
        'ж' => "zh",
        'з' => "z",
        'и' | 'й' => "i",
        'к' => "k",
        'л' => "l",
        'м' => "m",
        'н' => "n",
        'о' => "o",
        'п' => "p",
        'р' => "r",
        'с' => "s",
        'т' => "t",
        'у' => "u",
        'ф' => "f",
        'х' => "kh",
        'ц' => "ts",
        'ч' => "ch",
        'ш' => "sh",
        'щ' => "shch",
        'ъ' | 'ь' => "",
        'ы' => "y",
        'ю' => "iu",
        'я' => "ia",
        // Ukrainian, Belarusian, Tatar, Bashkir, Kazakh and similar.
        'і' | 'ї' => "i",
        'є' => "ie",
        'ґ' | 'ғ' => "g",
        'ў' | 'ү' | 'ұ' => "u",
        'ә' => "a",
        'ө' => "o",
        'қ' => "k",
        'ң' => "n",
        'һ' => "h",
        'җ' => "zh",
        // Latin with diacritics.
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' => "a",
        'æ' => "ae",
        'ç' | 'č' | 'ć' => "c",
        'è' | 'é' | 'ê' | 'ë' | 'ē' => "e",
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'ı' => "i",
        'ñ' | 'ń' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' => "o",
        'œ' => "oe",
        'ß' => "ss",
        'š' | 'ś' | 'ş' => "s",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' => "u",
        'ý' | 'ÿ' => "y",
        'ž' | 'ź' | 'ż' => "z",
        'ł' => "l",
        'ğ' => "g",
        _ => return None,
    })
}

/// Lower-cases `text` and spells Cyrillic (and common accented Latin) letters in
/// Latin: «Щукина Юлия» → `shchukina iuliia`. ASCII characters are kept (lower-cased);
/// other characters that have no Latin spelling are kept as they are.
pub fn transliterate(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        match latin_for(c) {
            Some(latin) => out.push_str(latin),
            None => out.push(c),
        }
    }
    out
}

/// The surname as login characters: letters transliterated, spaces turned into
/// hyphens, everything else dropped, no leading or trailing or doubled hyphens.
fn login_surname(surname: &str) -> String {
    let mut out = String::new();
    for c in transliterate(surname).chars() {
        let c = if c == ' ' { '-' } else { c };
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if c == '-' && !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_owned()
}

/// Latin spelling of the first letter of a name part: «Мария» → `m`, «Жанна» → `zh`.
fn login_initial(part: &str) -> String {
    part.chars()
        .find(|c| c.is_alphabetic())
        .map(|c| {
            transliterate(&c.to_string())
                .chars()
                .filter(char::is_ascii_lowercase)
                .collect()
        })
        .unwrap_or_default()
}

/// Proposes a login for a person: the transliterated surname, a dot, and the
/// initials of the given name and patronymic — Иванова Мария Сергеевна →
/// `ivanova.ms`, Жукова Юлия → `zhukova.iu`. If `taken` says the login is already
/// in use, tries `ivanova.ms2`, `ivanova.ms3`, … and returns the first free one, so
/// `taken` must eventually return `false`.
///
/// The result is always a valid [`Login`]: a surname that yields no Latin letters
/// becomes `user`, a too-short result is prefixed with `user.`, and the
/// surname is shortened so that the login with its number fits in 64 characters.
pub fn login_from_name(name: &PersonName, taken: impl Fn(&str) -> bool) -> Login {
    let surname = login_surname(name.surname());
    let surname = if surname.starts_with(|c: char| c.is_ascii_lowercase()) {
        surname
    } else {
        // Digits cannot come out of a valid name, but keep the login valid regardless.
        format!("user{surname}")
    };
    let initials =
        login_initial(name.given_name()) + &login_initial(name.patronymic().unwrap_or(""));
    let mut base = if initials.is_empty() {
        surname
    } else {
        format!("{surname}.{initials}")
    };
    if base.len() < Login::MIN_CHARS {
        base = format!("user.{base}");
    }
    let mut n: u64 = 1;
    loop {
        let suffix = if n == 1 { String::new() } else { n.to_string() };
        let mut stem = base.clone();
        stem.truncate(Login::MAX_CHARS - suffix.len());
        let stem = stem.trim_end_matches(['.', '-']);
        let candidate = format!("{stem}{suffix}");
        if !taken(&candidate) {
            debug_assert!(Login::parse(&candidate).is_ok(), "{candidate}");
            return Login(candidate);
        }
        n += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::de::value::{Error as DeError, StringDeserializer};
    use serde::de::IntoDeserializer;
    use std::cell::RefCell;

    fn login(s: &str) -> Login {
        Login::parse(s).unwrap()
    }

    fn name(s: &str, g: &str, p: &str) -> PersonName {
        PersonName::parse(s, g, p).unwrap()
    }

    fn free(_: &str) -> bool {
        false
    }

    fn deserialize(s: &str) -> Result<Login, DeError> {
        let de: StringDeserializer<DeError> = s.to_owned().into_deserializer();
        Login::deserialize(de)
    }

    // ---- Login ----

    #[test]
    fn valid_logins() {
        for raw in ["ivanova.ms", "abc", "a_b-c.d9", &"a".repeat(64)] {
            assert_eq!(login(raw).as_str(), raw);
        }
    }

    #[test]
    fn login_is_trimmed_and_lowercased() {
        assert_eq!(login("  Ivanova.MS\t").as_str(), "ivanova.ms");
        assert_eq!(login("  Ivanova.MS\t").to_string(), "ivanova.ms");
    }

    #[test]
    fn empty_login() {
        assert_eq!(Login::parse(""), Err(LoginError::Empty));
        assert_eq!(Login::parse("   "), Err(LoginError::Empty));
    }

    #[test]
    fn login_invalid_characters_are_named() {
        assert_eq!(
            Login::parse("иванова"),
            Err(LoginError::InvalidCharacter { character: 'и' })
        );
        assert_eq!(
            Login::parse("ivan ova"),
            Err(LoginError::InvalidCharacter { character: ' ' })
        );
        assert_eq!(
            Login::parse("ivanova@mail.ru"),
            Err(LoginError::InvalidCharacter { character: '@' })
        );
    }

    #[test]
    fn login_must_start_with_a_letter() {
        for raw in ["1ivanova", ".ivanova", "_abc", "-abc"] {
            assert_eq!(
                Login::parse(raw),
                Err(LoginError::MustStartWithLetter),
                "{raw}"
            );
        }
    }

    #[test]
    fn login_length_limits() {
        assert_eq!(
            Login::parse("ab"),
            Err(LoginError::TooShort { len: 2, min: 3 })
        );
        assert_eq!(
            Login::parse(&"a".repeat(65)),
            Err(LoginError::TooLong { len: 65, max: 64 })
        );
        // Whitespace around does not count.
        assert!(Login::parse("  abc  ").is_ok());
    }

    #[test]
    fn login_serde_and_conversions() {
        let l = login("ivanova.ms");
        assert_eq!(deserialize(&String::from(l.clone())).unwrap(), l);
        assert_eq!(deserialize(" IVANOVA.MS ").unwrap(), l);
        assert_eq!("ivanova.ms".parse::<Login>().unwrap(), l);
        assert_eq!(Login::try_from("Ivanova.ms".to_owned()).unwrap(), l);
        for raw in ["", "ab", "1abc", "ив"] {
            assert_eq!(
                deserialize(raw).unwrap_err().to_string(),
                Login::parse(raw).unwrap_err().to_string()
            );
        }
    }

    #[test]
    fn login_messages_are_specific_and_bilingual() {
        let all = [
            LoginError::Empty,
            LoginError::InvalidCharacter { character: 'ж' },
            LoginError::MustStartWithLetter,
            LoginError::TooShort { len: 2, min: 3 },
            LoginError::TooLong { len: 65, max: 64 },
        ];
        for (i, a) in all.iter().enumerate() {
            assert!(
                a.ru().contains("Логин") || a.ru().contains("логин"),
                "{}",
                a.ru()
            );
            assert!(a.en().contains("login"), "{}", a.en());
            for b in &all[i + 1..] {
                assert_ne!(a.ru(), b.ru());
                assert_ne!(a.en(), b.en());
            }
        }
        assert!(all[1].ru().contains("«ж»") && all[1].en().contains('ж'));
        assert!(all[4].ru().contains("65") && all[4].en().contains("64"));
    }

    // ---- NewPassword ----

    #[test]
    fn acceptable_passwords() {
        let l = login("ivanova.ms");
        for pw in [
            "correct horse battery",
            "Kindergarten#5",
            "ёжик в тумане",
            "1234567890a",
            &"ab1".repeat(42), // 126 characters
        ] {
            assert_eq!(NewPassword::parse(pw, &l).unwrap().as_str(), pw);
        }
    }

    #[test]
    fn password_is_not_trimmed() {
        let l = login("ivanova.ms");
        let pw = NewPassword::parse("  spaced out  ", &l).unwrap();
        assert_eq!(pw.as_str(), "  spaced out  ");
    }

    #[test]
    fn password_debug_does_not_leak() {
        let l = login("ivanova.ms");
        let pw = NewPassword::parse("Секретный пароль", &l).unwrap();
        let debug = format!("{pw:?}");
        assert!(!debug.contains("Секрет"));
        assert_eq!(debug, "NewPassword(***)");
    }

    #[test]
    fn password_length_counts_characters() {
        let l = login("ivanova.ms");
        assert_eq!(NewPassword::parse("", &l), Err(PasswordError::Empty));
        // 9 Cyrillic characters are 18 bytes but still too short.
        assert_eq!(
            NewPassword::parse("абвгдеёжз", &l),
            Err(PasswordError::TooShort { len: 9, min: 10 })
        );
        assert!(NewPassword::parse("абвгдеёжзи", &l).is_ok());
        let max = format!("{}аб", "абв".repeat(42));
        assert_eq!(max.chars().count(), 128);
        assert!(NewPassword::parse(&max, &l).is_ok());
        assert_eq!(
            NewPassword::parse(&"абв".repeat(43), &l),
            Err(PasswordError::TooLong { len: 129, max: 128 })
        );
    }

    #[test]
    fn digits_only_passwords_are_rejected() {
        let l = login("ivanova.ms");
        assert_eq!(
            NewPassword::parse("1234567890", &l),
            Err(PasswordError::OnlyDigits)
        );
        assert_eq!(
            NewPassword::parse("89161234567", &l),
            Err(PasswordError::OnlyDigits)
        );
    }

    #[test]
    fn password_equal_to_or_containing_login_is_rejected() {
        let l = login("ivanova.ms");
        assert_eq!(
            NewPassword::parse("ivanova.ms", &l),
            Err(PasswordError::EqualsLogin)
        );
        assert_eq!(
            NewPassword::parse("IVANOVA.MS", &l),
            Err(PasswordError::EqualsLogin)
        );
        assert_eq!(
            NewPassword::parse("my Ivanova.Ms 2024", &l),
            Err(PasswordError::ContainsLogin)
        );
        // A short login inside a longer password.
        let short = login("abc");
        assert_eq!(
            NewPassword::parse("xyzABCdefgh", &short),
            Err(PasswordError::ContainsLogin)
        );
    }

    #[test]
    fn too_few_distinct_characters() {
        let l = login("ivanova.ms");
        assert_eq!(
            NewPassword::parse("aaaaaaaaaaaa", &l),
            Err(PasswordError::TooFewDistinctCharacters {
                distinct: 1,
                min: 3
            })
        );
        assert_eq!(
            NewPassword::parse("ababababab", &l),
            Err(PasswordError::TooFewDistinctCharacters {
                distinct: 2,
                min: 3
            })
        );
        assert!(NewPassword::parse("abcabcabca", &l).is_ok());
    }

    #[test]
    fn password_messages_are_specific_and_bilingual() {
        let all = [
            PasswordError::Empty,
            PasswordError::TooShort { len: 5, min: 10 },
            PasswordError::TooLong { len: 200, max: 128 },
            PasswordError::OnlyDigits,
            PasswordError::EqualsLogin,
            PasswordError::ContainsLogin,
            PasswordError::TooFewDistinctCharacters {
                distinct: 2,
                min: 3,
            },
        ];
        for (i, a) in all.iter().enumerate() {
            assert!(a.ru().contains("арол"), "{}", a.ru());
            assert!(a.en().contains("password"), "{}", a.en());
            for b in &all[i + 1..] {
                assert_ne!(a.ru(), b.ru());
                assert_ne!(a.en(), b.en());
            }
        }
        assert!(all[1].ru().contains("10") && all[1].en().contains('5'));
    }

    // ---- transliteration and login_from_name ----

    #[test]
    fn transliterates_the_whole_russian_alphabet() {
        assert_eq!(
            transliterate("абвгдеёжзийклмнопрстуфхцчшщъыьэюя"),
            "abvgdeezhziiklmnoprstufkhtschshshchyeiuia"
        );
        assert_eq!(
            transliterate("АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ"),
            "abvgdeezhziiklmnoprstufkhtschshshchyeiuia"
        );
        assert_eq!(transliterate("Щукина Юлия"), "shchukina iuliia");
        assert_eq!(transliterate("Müller-Ström"), "muller-strom");
        assert_eq!(transliterate("Ли 李"), "li 李");
    }

    #[test]
    fn login_from_full_name() {
        let n = name("Иванова", "Мария", "Сергеевна");
        assert_eq!(login_from_name(&n, free).as_str(), "ivanova.ms");
    }

    #[test]
    fn login_from_name_without_patronymic_and_multi_letter_initials() {
        assert_eq!(
            login_from_name(&name("Жукова", "Юлия", ""), free).as_str(),
            "zhukova.iu"
        );
        assert_eq!(
            login_from_name(&name("Щербаков", "Шамиль", "Хасанович"), free).as_str(),
            "shcherbakov.shkh"
        );
        assert_eq!(
            login_from_name(&name("Smith", "John", ""), free).as_str(),
            "smith.j"
        );
    }

    #[test]
    fn login_from_name_with_hyphens_spaces_apostrophes_and_soft_signs() {
        assert_eq!(
            login_from_name(&name("Петрова-Водкина", "Анна", "Ильинична"), free).as_str(),
            "petrova-vodkina.ai"
        );
        assert_eq!(
            login_from_name(&name("Де ла Крус", "Мария", ""), free).as_str(),
            "de-la-krus.m"
        );
        assert_eq!(
            login_from_name(&name("д'Артаньян", "Шарль", ""), free).as_str(),
            "dartanian.sh"
        );
        assert_eq!(
            login_from_name(&name("Гольц", "Ёлка", "Ъ"), free).as_str(),
            "golts.e"
        );
        assert_eq!(
            login_from_name(&name("Әлиева", "Айгүл", "Қайратқызы"), free).as_str(),
            "alieva.ak"
        );
    }

    #[test]
    fn login_from_name_appends_numbers_when_taken() {
        let n = name("Иванова", "Мария", "Сергеевна");
        let existing = ["ivanova.ms", "ivanova.ms2", "ivanova.ms3"];
        let asked = RefCell::new(Vec::new());
        let l = login_from_name(&n, |c| {
            asked.borrow_mut().push(c.to_owned());
            existing.contains(&c)
        });
        assert_eq!(l.as_str(), "ivanova.ms4");
        assert_eq!(
            asked.into_inner(),
            ["ivanova.ms", "ivanova.ms2", "ivanova.ms3", "ivanova.ms4"]
        );
        let only_first = login_from_name(&n, |c| c == "ivanova.ms");
        assert_eq!(only_first.as_str(), "ivanova.ms2");
    }

    #[test]
    fn login_from_name_without_latin_letters_falls_back() {
        assert_eq!(
            login_from_name(&name("李", "小龍", ""), free).as_str(),
            "user"
        );
        assert_eq!(login_from_name(&name("Ъ", "Ь", ""), free).as_str(), "user");
        assert_eq!(
            login_from_name(&name("Ъ", "Мария", ""), free).as_str(),
            "user.m"
        );
        assert_eq!(
            login_from_name(&name("У", "Ь", ""), free).as_str(),
            "user.u"
        );
        assert_eq!(
            login_from_name(&name("Ли", "Ь", ""), free).as_str(),
            "user.li"
        );
    }

    #[test]
    fn login_from_long_name_fits_with_its_number() {
        let long = "Щ".repeat(100); // 400 Latin letters
        let n = name(&long, "Мария", "Сергеевна");
        let first = login_from_name(&n, free);
        assert_eq!(first.as_str().len(), 64);
        let taken_first = first.as_str().to_owned();
        let second = login_from_name(&n, |c| c == taken_first);
        assert_eq!(second.as_str().len(), 64);
        assert!(second.as_str().ends_with('2'));
        assert!(Login::parse(second.as_str()).is_ok());
        // A truncation that would end in a hyphen drops it.
        let hyphenated = format!("{}-{}", "а".repeat(63), "б".repeat(30));
        let l = login_from_name(&name(&hyphenated, "Мария", ""), free);
        assert_eq!(l.as_str(), "a".repeat(63));
    }

    #[test]
    fn generated_logins_are_always_valid() {
        // Deterministic pseudo-random names (xorshift) over awkward alphabets.
        let alphabet: Vec<char> = "абвгдеёжзийклмнопрстуфхцчшщъыьэюяАЁЪЬЮЯ- 'әөқüßxz李"
            .chars()
            .collect();
        let mut state: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        let mut checked = 0;
        for _ in 0..2000 {
            let mut part = |max: usize| -> String {
                let len = 1 + next(max);
                (0..len).map(|_| alphabet[next(alphabet.len())]).collect()
            };
            let (s, g, p) = (part(100), part(20), part(20));
            let Ok(n) = PersonName::parse(&s, &g, &p) else {
                continue;
            };
            let l = login_from_name(&n, |c| c.len() % 3 == 0);
            assert!(Login::parse(l.as_str()).is_ok(), "{n} -> {l}");
            assert_eq!(Login::parse(l.as_str()).unwrap(), l);
            checked += 1;
        }
        assert!(checked > 500, "only {checked} names were valid");
    }
}
