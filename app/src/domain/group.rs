use super::Bilingual;

/// The name of a preschool group («Солнышко», «Младшая группа №2»).
///
/// Whitespace is trimmed and collapsed so that "  Солнышко " and "Солнышко" are the
/// same group; [`GroupName::key`] is what uniqueness within an organisation is checked on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupName(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GroupNameError {
    #[error("group name is empty")]
    Empty,
    #[error("group name is {len} characters long, at most {max} allowed")]
    TooLong { len: usize, max: usize },
    #[error("group name contains a control character")]
    ControlCharacter,
}

impl GroupName {
    pub const MAX_CHARS: usize = 60;

    pub fn parse(raw: &str) -> Result<Self, GroupNameError> {
        let normalized = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        if normalized.is_empty() {
            return Err(GroupNameError::Empty);
        }
        if normalized.chars().any(char::is_control) {
            return Err(GroupNameError::ControlCharacter);
        }
        let len = normalized.chars().count();
        if len > Self::MAX_CHARS {
            return Err(GroupNameError::TooLong {
                len,
                max: Self::MAX_CHARS,
            });
        }
        Ok(Self(normalized))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Case-insensitive identity of the name (Unicode-aware, unlike SQLite's `lower`).
    pub fn key(&self) -> String {
        self.0.to_lowercase().replace('ё', "е")
    }
}

impl AsRef<str> for GroupName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Bilingual for GroupNameError {
    fn ru(&self) -> String {
        match self {
            Self::Empty => "Введите название группы.".into(),
            Self::TooLong { len, max } => {
                format!(
                    "Название группы слишком длинное: {len} символов, допустимо не более {max}."
                )
            }
            Self::ControlCharacter => "Название группы содержит недопустимые символы.".into(),
        }
    }

    fn en(&self) -> String {
        match self {
            Self::Empty => "Enter the group name.".into(),
            Self::TooLong { len, max } => {
                format!("The group name is too long: {len} characters, at most {max} allowed.")
            }
            Self::ControlCharacter => {
                "The group name contains characters that are not allowed.".into()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_collapses_whitespace() {
        let name = GroupName::parse("  Младшая   группа №2 ").unwrap();
        assert_eq!(name.as_str(), "Младшая группа №2");
    }

    #[test]
    fn empty_and_blank_names_are_rejected() {
        assert_eq!(GroupName::parse(""), Err(GroupNameError::Empty));
        assert_eq!(GroupName::parse(" \t\n "), Err(GroupNameError::Empty));
    }

    #[test]
    fn length_is_counted_in_characters_not_bytes() {
        let sixty_cyrillic = "Я".repeat(60);
        assert!(GroupName::parse(&sixty_cyrillic).is_ok());
        assert_eq!(
            GroupName::parse(&"Я".repeat(61)),
            Err(GroupNameError::TooLong { len: 61, max: 60 })
        );
    }

    #[test]
    fn control_characters_are_rejected() {
        assert_eq!(
            GroupName::parse("Сол\u{0007}нышко"),
            Err(GroupNameError::ControlCharacter)
        );
    }

    #[test]
    fn key_ignores_case_and_yo() {
        let a = GroupName::parse("Ёлочка").unwrap();
        let b = GroupName::parse("ЕЛОЧКА").unwrap();
        assert_eq!(a.key(), b.key());
        assert_ne!(a.as_str(), b.as_str());
    }

    #[test]
    fn messages_exist_in_both_languages() {
        let err = GroupNameError::TooLong { len: 61, max: 60 };
        assert!(err.ru().contains("61") && err.ru().contains("60"));
        assert!(err.en().contains("61") && err.en().contains("60"));
    }
}
