use std::fmt;

use serde::{Deserialize, Serialize};

use super::Bilingual;

/// A person's full name in the Russian order: surname, given name, patronymic (ФИО).
///
/// Each part is trimmed and runs of whitespace inside it collapse to one space
/// («Мария  Луиза» → «Мария Луиза»). A part is 1–100 characters (counted as
/// characters, not bytes) of letters of any alphabet, hyphens, apostrophes and
/// spaces, with at least one letter. Typographic apostrophes (’ ʼ) are stored as
/// `'`, and a decomposed «й»/«ё» (letter + combining mark, as some keyboards and
/// copy-pastes produce) is composed into the single letter. Case is kept as typed.
/// The patronymic is optional: an empty or blank one is `None`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "PersonNameParts", into = "PersonNameParts")]
pub struct PersonName {
    surname: String,
    given_name: String,
    patronymic: Option<String>,
}

/// The unvalidated wire form of a [`PersonName`]; an absent or empty patronymic
/// means there is none.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonNameParts {
    pub surname: String,
    pub given_name: String,
    #[serde(default)]
    pub patronymic: String,
}

/// Which part of a [`PersonName`] an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum NamePart {
    Surname,
    GivenName,
    Patronymic,
}

impl NamePart {
    pub const ALL: [NamePart; 3] = [Self::Surname, Self::GivenName, Self::Patronymic];

    /// The name of the part as a sentence subject («Фамилия» / "Surname").
    pub fn ru(self) -> &'static str {
        match self {
            Self::Surname => "Фамилия",
            Self::GivenName => "Имя",
            Self::Patronymic => "Отчество",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            Self::Surname => "Surname",
            Self::GivenName => "Given name",
            Self::Patronymic => "Patronymic",
        }
    }

    /// The part in the accusative case, for «Введите фамилию».
    fn ru_accusative(self) -> &'static str {
        match self {
            Self::Surname => "фамилию",
            Self::GivenName => "имя",
            Self::Patronymic => "отчество",
        }
    }

    /// Russian adjective endings agree with the part's gender: фамилия (f), имя и
    /// отчество (n).
    fn ru_long(self) -> &'static str {
        match self {
            Self::Surname => "слишком длинная",
            Self::GivenName | Self::Patronymic => "слишком длинное",
        }
    }

    fn ru_contains(self) -> &'static str {
        match self {
            Self::Surname => "должна содержать",
            Self::GivenName | Self::Patronymic => "должно содержать",
        }
    }
}

impl fmt::Display for NamePart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.en())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PersonNameError {
    #[error("{part} is empty")]
    Empty { part: NamePart },
    #[error("{part} is {len} characters long, at most {max} allowed")]
    TooLong {
        part: NamePart,
        len: usize,
        max: usize,
    },
    #[error("{part} contains the character {character:?}")]
    InvalidCharacter { part: NamePart, character: char },
    #[error("{part} contains no letters")]
    NoLetters { part: NamePart },
}

impl PersonNameError {
    /// The part of the name this error is about.
    pub fn part(&self) -> NamePart {
        match self {
            Self::Empty { part }
            | Self::TooLong { part, .. }
            | Self::InvalidCharacter { part, .. }
            | Self::NoLetters { part } => *part,
        }
    }
}

impl Bilingual for PersonNameError {
    fn ru(&self) -> String {
        match self {
            Self::Empty { part } => format!("Введите {}.", part.ru_accusative()),
            Self::TooLong { part, len, max } => format!(
                "{} {} (символов: {len}), допустимо не более {max}.",
                part.ru(),
                part.ru_long()
            ),
            Self::InvalidCharacter { part, character } => format!(
                "{} содержит недопустимый символ «{character}»: можно использовать только \
                 буквы, дефис, апостроф и пробел.",
                part.ru()
            ),
            Self::NoLetters { part } => {
                format!("{} {} хотя бы одну букву.", part.ru(), part.ru_contains())
            }
        }
    }

    fn en(&self) -> String {
        match self {
            Self::Empty { part } => format!("Enter the {}.", part.en().to_lowercase()),
            Self::TooLong { part, len, max } => {
                format!("{part} is too long: {len} characters, at most {max} allowed.")
            }
            Self::InvalidCharacter { part, character } => format!(
                "{part} contains the character “{character}”, which is not allowed: use only \
                 letters, hyphens, apostrophes and spaces."
            ),
            Self::NoLetters { part } => format!("{part} must contain at least one letter."),
        }
    }
}

/// Composes «и» + U+0306 into «й» and «е» + U+0308 into «ё» (both cases): the only
/// Russian letters that may arrive decomposed. Other combining marks stay and are
/// rejected as characters that are not letters.
fn compose_russian(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let composed = match (out.chars().last(), c) {
            (Some('и'), '\u{0306}') => Some('й'),
            (Some('И'), '\u{0306}') => Some('Й'),
            (Some('е'), '\u{0308}') => Some('ё'),
            (Some('Е'), '\u{0308}') => Some('Ё'),
            _ => None,
        };
        match composed {
            Some(letter) => {
                out.pop();
                out.push(letter);
            }
            None => out.push(c),
        }
    }
    out
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{02BC}')
}

/// Validates and normalises one part; `Ok(None)` only for a blank patronymic.
fn parse_part(part: NamePart, raw: &str) -> Result<Option<String>, PersonNameError> {
    let collapsed = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.is_empty() {
        return match part {
            NamePart::Patronymic => Ok(None),
            _ => Err(PersonNameError::Empty { part }),
        };
    }
    let normalized: String = compose_russian(&collapsed)
        .chars()
        .map(|c| if is_apostrophe(c) { '\'' } else { c })
        .collect();
    let len = normalized.chars().count();
    if len > PersonName::MAX_PART_CHARS {
        return Err(PersonNameError::TooLong {
            part,
            len,
            max: PersonName::MAX_PART_CHARS,
        });
    }
    if let Some(character) = normalized
        .chars()
        .find(|&c| !(c.is_alphabetic() || c == '-' || c == '\'' || c == ' '))
    {
        return Err(PersonNameError::InvalidCharacter { part, character });
    }
    if !normalized.chars().any(char::is_alphabetic) {
        return Err(PersonNameError::NoLetters { part });
    }
    Ok(Some(normalized))
}

/// Case-folded form used by [`PersonName::matches`].
fn fold(s: &str) -> String {
    s.to_lowercase().replace('ё', "е")
}

/// First letter of a part, upper-cased, followed by a dot («Мария» → «М.»).
fn initial(part: &str) -> String {
    let letter = part.chars().find(|c| c.is_alphabetic()).unwrap_or('?');
    format!("{}.", letter.to_uppercase())
}

impl PersonName {
    pub const MAX_PART_CHARS: usize = 100;

    /// Parses the three parts, returning the first problem found (surname first).
    pub fn parse(
        surname: &str,
        given_name: &str,
        patronymic: &str,
    ) -> Result<Self, PersonNameError> {
        Self::parse_all(surname, given_name, patronymic).map_err(|mut errors| errors.swap_remove(0))
    }

    /// Like [`PersonName::parse`] but reports a problem in each part, so a form can
    /// show every message beside its field. The error vector is never empty and
    /// holds at most one error per part, in surname, given name, patronymic order.
    pub fn parse_all(
        surname: &str,
        given_name: &str,
        patronymic: &str,
    ) -> Result<Self, Vec<PersonNameError>> {
        let surname = parse_part(NamePart::Surname, surname);
        let given_name = parse_part(NamePart::GivenName, given_name);
        let patronymic = parse_part(NamePart::Patronymic, patronymic);
        match (surname, given_name, patronymic) {
            (Ok(Some(surname)), Ok(Some(given_name)), Ok(patronymic)) => Ok(Self {
                surname,
                given_name,
                patronymic,
            }),
            (s, g, p) => Err([s.err(), g.err(), p.err()].into_iter().flatten().collect()),
        }
    }

    pub fn surname(&self) -> &str {
        &self.surname
    }

    pub fn given_name(&self) -> &str {
        &self.given_name
    }

    pub fn patronymic(&self) -> Option<&str> {
        self.patronymic.as_deref()
    }

    /// «Иванова Мария Сергеевна» (or «Иванова Мария» without a patronymic).
    pub fn full(&self) -> String {
        match &self.patronymic {
            Some(p) => format!("{} {} {}", self.surname, self.given_name, p),
            None => format!("{} {}", self.surname, self.given_name),
        }
    }

    /// «Иванова М. С.» (or «Иванова М.» without a patronymic).
    pub fn short(&self) -> String {
        match &self.patronymic {
            Some(p) => format!(
                "{} {} {}",
                self.surname,
                initial(&self.given_name),
                initial(p)
            ),
            None => format!("{} {}", self.surname, initial(&self.given_name)),
        }
    }

    /// Whether `other` is the same name ignoring letter case and treating «ё» as
    /// «е» (for matching an SSO identity to an existing person). All three parts
    /// must match; a missing patronymic matches only a missing patronymic.
    pub fn matches(&self, other: &PersonName) -> bool {
        self.differing_parts(other).is_empty()
    }

    /// The parts that differ under the rules of [`PersonName::matches`], in order;
    /// the SSO error page names them.
    pub fn differing_parts(&self, other: &PersonName) -> Vec<NamePart> {
        let mut parts = Vec::new();
        if fold(&self.surname) != fold(&other.surname) {
            parts.push(NamePart::Surname);
        }
        if fold(&self.given_name) != fold(&other.given_name) {
            parts.push(NamePart::GivenName);
        }
        if self.patronymic.as_deref().map(fold) != other.patronymic.as_deref().map(fold) {
            parts.push(NamePart::Patronymic);
        }
        parts
    }

    /// The parts folded as [`PersonName::matches`] compares them: two names match
    /// exactly when their keys are equal, so the key can index a map (the import
    /// finds a child listed twice with it).
    pub fn match_key(&self) -> (String, String, Option<String>) {
        (
            fold(&self.surname),
            fold(&self.given_name),
            self.patronymic.as_deref().map(fold),
        )
    }
}

impl fmt::Display for PersonName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.full())
    }
}

impl TryFrom<PersonNameParts> for PersonName {
    type Error = PersonNameError;
    fn try_from(p: PersonNameParts) -> Result<Self, Self::Error> {
        Self::parse(&p.surname, &p.given_name, &p.patronymic)
    }
}

impl From<PersonName> for PersonNameParts {
    fn from(n: PersonName) -> Self {
        Self {
            surname: n.surname,
            given_name: n.given_name,
            patronymic: n.patronymic.unwrap_or_default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::de::value::{Error as DeError, MapDeserializer};

    fn name(s: &str, g: &str, p: &str) -> PersonName {
        PersonName::parse(s, g, p).unwrap()
    }

    fn deserialize(fields: &[(&'static str, &'static str)]) -> Result<PersonName, DeError> {
        let de = MapDeserializer::<_, DeError>::new(fields.iter().copied());
        PersonName::deserialize(de)
    }

    #[test]
    fn differing_parts_names_each_mismatch() {
        let stored = name("Ёлкина", "Дарья", "Олеговна");
        assert!(stored
            .differing_parts(&name("ЕЛКИНА", "дарья", "олеговна"))
            .is_empty());
        assert_eq!(
            stored.differing_parts(&name("Елкина", "Дарина", "")),
            vec![NamePart::GivenName, NamePart::Patronymic]
        );
        assert_eq!(
            stored.differing_parts(&name("Ёлкина-Петрова", "Дарья", "Олеговна")),
            vec![NamePart::Surname]
        );
    }

    #[test]
    fn parses_a_full_russian_name() {
        let n = name("Иванова", "Мария", "Сергеевна");
        assert_eq!(n.surname(), "Иванова");
        assert_eq!(n.given_name(), "Мария");
        assert_eq!(n.patronymic(), Some("Сергеевна"));
        assert_eq!(n.full(), "Иванова Мария Сергеевна");
        assert_eq!(n.short(), "Иванова М. С.");
        assert_eq!(n.to_string(), "Иванова Мария Сергеевна");
    }

    #[test]
    fn blank_patronymic_is_none() {
        for p in ["", "   ", "\t\n"] {
            let n = name("Smith", "John", p);
            assert_eq!(n.patronymic(), None);
            assert_eq!(n.full(), "Smith John");
            assert_eq!(n.short(), "Smith J.");
        }
    }

    #[test]
    fn trims_and_collapses_whitespace_in_each_part() {
        let n = name("  Иванова  ", " Мария \t Луиза ", "\nСергеевна ");
        assert_eq!(n.surname(), "Иванова");
        assert_eq!(n.given_name(), "Мария Луиза");
        assert_eq!(n.patronymic(), Some("Сергеевна"));
    }

    #[test]
    fn hyphens_apostrophes_and_other_alphabets_are_allowed() {
        let n = name("Петрова-Водкина", "Анна-Мария", "");
        assert_eq!(n.short(), "Петрова-Водкина А.");
        assert!(PersonName::parse("O'Neil", "Seán", "").is_ok());
        assert!(PersonName::parse("Müller", "Jürgen", "").is_ok());
        assert!(PersonName::parse("Әлиева", "Айгүл", "Қайратқызы").is_ok());
        assert!(PersonName::parse("Гасанов", "Мамед", "Али оглы").is_ok());
        assert!(PersonName::parse("李", "小龍", "").is_ok());
    }

    #[test]
    fn typographic_apostrophes_are_normalised() {
        let n = name("д’Артаньян", "Шарль", "");
        assert_eq!(n.surname(), "д'Артаньян");
        assert_eq!(name("Dʼor", "Anne", "").surname(), "D'or");
    }

    #[test]
    fn decomposed_yo_and_short_i_are_composed() {
        let n = name("Сере\u{308}гина", "Андреи\u{306}", "");
        assert_eq!(n.surname(), "Серёгина");
        assert_eq!(n.given_name(), "Андрей");
        assert_eq!(n.surname().chars().count(), 8);
    }

    #[test]
    fn short_uses_uppercase_first_letter() {
        let n = name("иванова", "мария", "сергеевна");
        assert_eq!(n.short(), "иванова М. С.");
        let n = name("Ли", "'Ану", "");
        assert_eq!(n.short(), "Ли А.");
    }

    #[test]
    fn empty_required_parts_say_which_part() {
        assert_eq!(
            PersonName::parse("", "Мария", ""),
            Err(PersonNameError::Empty {
                part: NamePart::Surname
            })
        );
        assert_eq!(
            PersonName::parse("Иванова", "  ", ""),
            Err(PersonNameError::Empty {
                part: NamePart::GivenName
            })
        );
    }

    #[test]
    fn length_is_counted_in_characters() {
        let hundred = "Я".repeat(100);
        assert!(PersonName::parse(&hundred, &hundred, &hundred).is_ok());
        let long = "Я".repeat(101);
        assert_eq!(
            PersonName::parse("Иванова", "Мария", &long),
            Err(PersonNameError::TooLong {
                part: NamePart::Patronymic,
                len: 101,
                max: 100
            })
        );
        // Length is measured after collapsing whitespace.
        let spaced = format!("{}     {}", "Я".repeat(50), "Я".repeat(49));
        assert!(PersonName::parse(&spaced, "Мария", "").is_ok());
    }

    #[test]
    fn invalid_characters_are_named_with_their_part() {
        assert_eq!(
            PersonName::parse("Иванова2", "Мария", ""),
            Err(PersonNameError::InvalidCharacter {
                part: NamePart::Surname,
                character: '2'
            })
        );
        assert_eq!(
            PersonName::parse("Иванова", "Мария.", ""),
            Err(PersonNameError::InvalidCharacter {
                part: NamePart::GivenName,
                character: '.'
            })
        );
        assert_eq!(
            PersonName::parse("Иванова", "Мария", "С."),
            Err(PersonNameError::InvalidCharacter {
                part: NamePart::Patronymic,
                character: '.'
            })
        );
        assert!(matches!(
            PersonName::parse("Ива\u{0}нова", "Мария", ""),
            Err(PersonNameError::InvalidCharacter {
                character: '\u{0}',
                ..
            })
        ));
        // A stray combining mark is not a letter.
        assert!(matches!(
            PersonName::parse("Иванова", "Ма\u{301}рия", ""),
            Err(PersonNameError::InvalidCharacter {
                character: '\u{301}',
                ..
            })
        ));
    }

    #[test]
    fn parts_without_letters_are_rejected() {
        assert_eq!(
            PersonName::parse("-", "Мария", ""),
            Err(PersonNameError::NoLetters {
                part: NamePart::Surname
            })
        );
        assert_eq!(
            PersonName::parse("Иванова", "Мария", "' -"),
            Err(PersonNameError::NoLetters {
                part: NamePart::Patronymic
            })
        );
    }

    #[test]
    fn parse_all_reports_each_wrong_part_in_order() {
        let errors = PersonName::parse_all("", "М4рия", "С.").unwrap_err();
        let parts: Vec<NamePart> = errors.iter().map(PersonNameError::part).collect();
        assert_eq!(parts, NamePart::ALL);
        assert_eq!(PersonName::parse("", "М4рия", "С."), Err(errors[0].clone()));
        assert_eq!(
            PersonName::parse_all("Иванова", "Мария", "С.")
                .unwrap_err()
                .len(),
            1
        );
        assert!(PersonName::parse_all("Иванова", "Мария", "").is_ok());
    }

    #[test]
    fn matches_ignores_case_and_yo() {
        let a = name("Семёнова", "Алёна", "Петровна");
        let b = name("СЕМЕНОВА", "алена", "петровна");
        assert!(a.matches(&b) && b.matches(&a));
        assert_ne!(a, b);
        assert!(!a.matches(&name("Семёнова", "Алёна", "Павловна")));
        assert!(!a.matches(&name("Семёнова", "Алёна", "")));
        assert!(name("Ли", "Ан", "").matches(&name("ЛИ", "АН", " ")));
        // Composed on parse, so a decomposed «ё» matches too.
        assert!(a.matches(&name("Семе\u{308}нова", "Алена", "ПЕТРОВНА")));
    }

    #[test]
    fn match_key_agrees_with_matches() {
        let names = [
            name("Семёнова", "Алёна", "Петровна"),
            name("СЕМЕНОВА", "алена", "петровна"),
            name("Семёнова", "Алёна", "Павловна"),
            name("Семёнова", "Алёна", ""),
            name("Семёнова", "Алена", ""),
            name("Ли", "Ан", ""),
        ];
        for a in &names {
            for b in &names {
                assert_eq!(a.match_key() == b.match_key(), a.matches(b), "{a} / {b}");
            }
        }
    }

    #[test]
    fn serde_round_trip() {
        let n = name("Иванова", "Мария", "Сергеевна");
        let parts = PersonNameParts::from(n.clone());
        assert_eq!(parts.patronymic, "Сергеевна");
        assert_eq!(PersonName::try_from(parts).unwrap(), n);
        let de = deserialize(&[
            ("surname", " Иванова "),
            ("given_name", "Мария"),
            ("patronymic", "Сергеевна"),
        ])
        .unwrap();
        assert_eq!(de, n);
        let no_patronymic = name("Smith", "John", "");
        assert_eq!(PersonNameParts::from(no_patronymic.clone()).patronymic, "");
        assert_eq!(
            deserialize(&[("surname", "Smith"), ("given_name", "John")]).unwrap(),
            no_patronymic
        );
    }

    #[test]
    fn serde_rejects_invalid_names() {
        let err = deserialize(&[("surname", ""), ("given_name", "Мария")]).unwrap_err();
        assert_eq!(
            err.to_string(),
            PersonNameError::Empty {
                part: NamePart::Surname
            }
            .to_string()
        );
        assert!(deserialize(&[("surname", "Иванова"), ("given_name", "123")]).is_err());
        assert!(deserialize(&[("surname", "Иванова")]).is_err());
    }

    #[test]
    fn messages_name_the_part_in_both_languages() {
        for part in NamePart::ALL {
            let errors = [
                PersonNameError::Empty { part },
                PersonNameError::TooLong {
                    part,
                    len: 101,
                    max: 100,
                },
                PersonNameError::InvalidCharacter {
                    part,
                    character: '2',
                },
                PersonNameError::NoLetters { part },
            ];
            for e in &errors {
                assert_eq!(e.part(), part);
                let (ru, en) = (e.ru(), e.en());
                assert!(!ru.is_empty() && !en.is_empty());
                // Stem of the part's name: «фам», «имя», «отч» (any grammatical case).
                let stem: String = part.ru().to_lowercase().chars().take(3).collect();
                assert!(ru.to_lowercase().contains(&stem), "{ru}");
                assert!(
                    en.to_lowercase().contains(&part.en().to_lowercase()),
                    "{en}"
                );
            }
        }
        assert_eq!(
            PersonNameError::Empty {
                part: NamePart::Surname
            }
            .ru(),
            "Введите фамилию."
        );
        assert_eq!(
            PersonNameError::TooLong {
                part: NamePart::Surname,
                len: 101,
                max: 100
            }
            .ru(),
            "Фамилия слишком длинная (символов: 101), допустимо не более 100."
        );
        assert_eq!(
            PersonNameError::NoLetters {
                part: NamePart::Patronymic
            }
            .en(),
            "Patronymic must contain at least one letter."
        );
        assert_eq!(NamePart::GivenName.ru(), "Имя");
        assert_eq!(NamePart::Surname.en(), "Surname");
    }
}
