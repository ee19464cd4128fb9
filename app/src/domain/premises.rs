//! The reference books of where and how a group lives: buildings and rooms with their
//! places («Здания, кабинеты, места»), a group's age band and its stay mode
//! («Режим пребывания»). Each value validates on construction.

use super::Bilingual;

/// The name of a building, a room or a stay mode: trimmed, inner whitespace collapsed,
/// so " Корпус  2 " and "Корпус 2" are the same; [`Title::key`] is what uniqueness is
/// checked on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Title(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TitleError {
    #[error("name is empty")]
    Empty,
    #[error("name is {len} characters long")]
    TooLong { len: usize },
    #[error("name contains a control character")]
    ControlCharacter,
}

impl Title {
    pub const MAX_CHARS: usize = 100;

    pub fn parse(raw: &str) -> Result<Self, TitleError> {
        let normalized = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        if normalized.is_empty() {
            return Err(TitleError::Empty);
        }
        if normalized.chars().any(char::is_control) {
            return Err(TitleError::ControlCharacter);
        }
        let len = normalized.chars().count();
        if len > Self::MAX_CHARS {
            return Err(TitleError::TooLong { len });
        }
        Ok(Self(normalized))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Case- and ё-insensitive identity (Unicode-aware, unlike SQLite's `lower`).
    pub fn key(&self) -> String {
        self.0.to_lowercase().replace('ё', "е")
    }
}

impl Bilingual for TitleError {
    fn ru(&self) -> String {
        match self {
            Self::Empty => "Введите название.".into(),
            Self::TooLong { len } => format!(
                "Название слишком длинное: {len} знаков, можно не больше {}.",
                Title::MAX_CHARS
            ),
            Self::ControlCharacter => "Название содержит недопустимый символ.".into(),
        }
    }
    fn en(&self) -> String {
        match self {
            Self::Empty => "Enter a name.".into(),
            Self::TooLong { len } => format!(
                "The name is too long: {len} characters, at most {}.",
                Title::MAX_CHARS
            ),
            Self::ControlCharacter => "The name contains a character that is not allowed.".into(),
        }
    }
}

/// A building's postal address; may be left empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    #[error("address is {len} characters long")]
    TooLong { len: usize },
}

impl Address {
    pub const MAX_CHARS: usize = 200;

    pub fn parse(raw: &str) -> Result<Self, AddressError> {
        let normalized = raw
            .split_whitespace()
            .filter(|w| !w.chars().any(char::is_control))
            .collect::<Vec<_>>()
            .join(" ");
        let len = normalized.chars().count();
        if len > Self::MAX_CHARS {
            return Err(AddressError::TooLong { len });
        }
        Ok(Self(normalized))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Bilingual for AddressError {
    fn ru(&self) -> String {
        let Self::TooLong { len } = self;
        format!(
            "Адрес слишком длинный: {len} знаков, можно не больше {}.",
            Address::MAX_CHARS
        )
    }
    fn en(&self) -> String {
        let Self::TooLong { len } = self;
        format!(
            "The address is too long: {len} characters, at most {}.",
            Address::MAX_CHARS
        )
    }
}

/// How many children a room takes («количество мест»).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Places(u16);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlacesError {
    #[error("not a whole number")]
    NotANumber,
    #[error("out of range")]
    OutOfRange,
}

impl Places {
    pub const MAX: u16 = 300;

    pub fn parse(raw: &str) -> Result<Self, PlacesError> {
        let n: i64 = raw.trim().parse().map_err(|_| PlacesError::NotANumber)?;
        if !(1..=i64::from(Self::MAX)).contains(&n) {
            return Err(PlacesError::OutOfRange);
        }
        Ok(Self(n as u16))
    }

    pub fn get(self) -> i64 {
        i64::from(self.0)
    }
}

impl Bilingual for PlacesError {
    fn ru(&self) -> String {
        match self {
            Self::NotANumber => "Укажите число мест цифрами.".into(),
            Self::OutOfRange => format!("Число мест — от 1 до {}.", Places::MAX),
        }
    }
    fn en(&self) -> String {
        match self {
            Self::NotANumber => "Enter the number of places in digits.".into(),
            Self::OutOfRange => format!("The number of places is from 1 to {}.", Places::MAX),
        }
    }
}

/// A group's age band in whole years, e.g. 3–4 for «младшая группа».
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AgeBand {
    from: u8,
    to: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AgeBandError {
    #[error("only one end of the band given")]
    Incomplete,
    #[error("not a whole number")]
    NotANumber,
    #[error("out of range")]
    OutOfRange,
    #[error("from after to")]
    Reversed,
}

impl AgeBand {
    /// Preschool: from birth until school at seven or eight.
    pub const OLDEST: u8 = 8;

    /// Both empty means the band is not set.
    pub fn parse(from: &str, to: &str) -> Result<Option<Self>, AgeBandError> {
        let (from, to) = (from.trim(), to.trim());
        if from.is_empty() && to.is_empty() {
            return Ok(None);
        }
        if from.is_empty() || to.is_empty() {
            return Err(AgeBandError::Incomplete);
        }
        let year = |raw: &str| -> Result<u8, AgeBandError> {
            let n: i64 = raw.parse().map_err(|_| AgeBandError::NotANumber)?;
            u8::try_from(n)
                .ok()
                .filter(|n| *n <= Self::OLDEST)
                .ok_or(AgeBandError::OutOfRange)
        };
        let (from, to) = (year(from)?, year(to)?);
        if from > to {
            return Err(AgeBandError::Reversed);
        }
        Ok(Some(Self { from, to }))
    }

    /// From stored columns; anything inconsistent reads as not set.
    pub fn from_stored(from: Option<i64>, to: Option<i64>) -> Option<Self> {
        Self::parse(&from?.to_string(), &to?.to_string())
            .ok()
            .flatten()
    }

    pub fn from(self) -> i64 {
        i64::from(self.from)
    }

    pub fn to(self) -> i64 {
        i64::from(self.to)
    }
}

impl Bilingual for AgeBandError {
    fn ru(&self) -> String {
        match self {
            Self::Incomplete => "Укажите возраст «от» и «до» или оставьте оба поля пустыми.".into(),
            Self::NotANumber => "Возраст указывается целым числом лет.".into(),
            Self::OutOfRange => format!("Возраст — от 0 до {} лет.", AgeBand::OLDEST),
            Self::Reversed => "Возраст «от» больше возраста «до».".into(),
        }
    }
    fn en(&self) -> String {
        match self {
            Self::Incomplete => "Give both ages, from and to, or leave both empty.".into(),
            Self::NotANumber => "Ages are whole years.".into(),
            Self::OutOfRange => format!("Ages are from 0 to {} years.", AgeBand::OLDEST),
            Self::Reversed => "The age “from” is greater than the age “to”.".into(),
        }
    }
}

/// The longest stay of a day in a stay mode, in half hours from 1 to 24 hours
/// («10,5 ч»). Typed with a comma or a point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StayHours {
    minutes: u16,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StayHoursError {
    #[error("not a number of hours")]
    NotANumber,
    #[error("out of range")]
    OutOfRange,
    #[error("not a whole or half hour")]
    NotHalfHour,
}

impl StayHours {
    pub fn parse(raw: &str) -> Result<Self, StayHoursError> {
        let raw = raw.trim().replace(',', ".");
        let (whole, fraction) = raw.split_once('.').unwrap_or((&raw, ""));
        let whole: u32 = whole.parse().map_err(|_| StayHoursError::NotANumber)?;
        let half = match fraction.trim_end_matches('0') {
            "" => 0,
            "5" => 30,
            f if f.chars().all(|c| c.is_ascii_digit()) => return Err(StayHoursError::NotHalfHour),
            _ => return Err(StayHoursError::NotANumber),
        };
        let minutes = whole
            .checked_mul(60)
            .and_then(|m| m.checked_add(half))
            .and_then(|m| u16::try_from(m).ok())
            .filter(|m| (60..=24 * 60).contains(m))
            .ok_or(StayHoursError::OutOfRange)?;
        Ok(Self { minutes })
    }

    pub fn from_minutes(minutes: i64) -> Option<Self> {
        u16::try_from(minutes)
            .ok()
            .filter(|m| (60..=24 * 60).contains(m) && m % 30 == 0)
            .map(|minutes| Self { minutes })
    }

    pub fn minutes(self) -> i64 {
        i64::from(self.minutes)
    }

    /// «10,5» in Russian, "10.5" in English.
    pub fn hours(self, lang: super::Lang) -> String {
        let whole = self.minutes / 60;
        match (self.minutes % 60, lang) {
            (0, _) => whole.to_string(),
            (_, super::Lang::Ru) => format!("{whole},5"),
            (_, super::Lang::En) => format!("{whole}.5"),
        }
    }
}

impl Bilingual for StayHoursError {
    fn ru(&self) -> String {
        match self {
            Self::NotANumber => "Укажите число часов, например 12 или 10,5.".into(),
            Self::OutOfRange => "Продолжительность — от 1 до 24 часов.".into(),
            Self::NotHalfHour => "Продолжительность указывается с точностью до получаса.".into(),
        }
    }
    fn en(&self) -> String {
        match self {
            Self::NotANumber => "Enter the number of hours, e.g. 12 or 10.5.".into(),
            Self::OutOfRange => "The length of stay is from 1 to 24 hours.".into(),
            Self::NotHalfHour => "The length of stay is in whole or half hours.".into(),
        }
    }
}

/// How full a room is: its groups' enrolled children against its places.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Occupancy {
    Free { left: i64 },
    Full,
    Over { by: i64 },
}

pub fn occupancy(children: i64, places: i64) -> Occupancy {
    match children.cmp(&places) {
        std::cmp::Ordering::Less => Occupancy::Free {
            left: places - children,
        },
        std::cmp::Ordering::Equal => Occupancy::Full,
        std::cmp::Ordering::Greater => Occupancy::Over {
            by: children - places,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Lang;

    #[test]
    fn titles_are_trimmed_collapsed_and_keyed_without_case_or_yo() {
        let t = Title::parse("  Корпус   №2 ").unwrap();
        assert_eq!(t.as_str(), "Корпус №2");
        assert_eq!(
            Title::parse("Зелёный зал").unwrap().key(),
            Title::parse("ЗЕЛЕНЫЙ ЗАЛ").unwrap().key()
        );
        assert_eq!(Title::parse("   "), Err(TitleError::Empty));
        assert_eq!(Title::parse("a\u{7}b"), Err(TitleError::ControlCharacter));
        assert!(Title::parse(&"я".repeat(100)).is_ok());
        assert_eq!(
            Title::parse(&"я".repeat(101)),
            Err(TitleError::TooLong { len: 101 })
        );
    }

    #[test]
    fn addresses_may_be_empty_but_not_endless() {
        assert_eq!(Address::parse("  ").unwrap().as_str(), "");
        assert_eq!(
            Address::parse(" ул. Ленина,\n д. 5 ").unwrap().as_str(),
            "ул. Ленина, д. 5"
        );
        assert!(Address::parse(&"д".repeat(201)).is_err());
    }

    #[test]
    fn places_are_a_whole_number_from_one_to_the_maximum() {
        assert_eq!(Places::parse(" 25 ").unwrap().get(), 25);
        assert_eq!(Places::parse("300").unwrap().get(), 300);
        assert_eq!(Places::parse("0"), Err(PlacesError::OutOfRange));
        assert_eq!(Places::parse("301"), Err(PlacesError::OutOfRange));
        assert_eq!(Places::parse("-3"), Err(PlacesError::OutOfRange));
        assert_eq!(Places::parse("двадцать"), Err(PlacesError::NotANumber));
        assert_eq!(Places::parse("2.5"), Err(PlacesError::NotANumber));
    }

    #[test]
    fn an_age_band_is_both_ends_or_none() {
        assert_eq!(AgeBand::parse("", " "), Ok(None));
        let band = AgeBand::parse("3", "4").unwrap().unwrap();
        assert_eq!((band.from(), band.to()), (3, 4));
        assert_eq!(AgeBand::parse("2", "2").unwrap().unwrap().to(), 2);
        assert_eq!(AgeBand::parse("3", ""), Err(AgeBandError::Incomplete));
        assert_eq!(AgeBand::parse("5", "3"), Err(AgeBandError::Reversed));
        assert_eq!(AgeBand::parse("0", "9"), Err(AgeBandError::OutOfRange));
        assert_eq!(AgeBand::parse("-1", "3"), Err(AgeBandError::OutOfRange));
        assert_eq!(AgeBand::parse("три", "4"), Err(AgeBandError::NotANumber));
        assert_eq!(AgeBand::from_stored(Some(5), Some(3)), None);
        assert_eq!(AgeBand::from_stored(Some(1), None), None);
        assert_eq!(
            AgeBand::from_stored(Some(1), Some(2)),
            AgeBand::parse("1", "2").unwrap()
        );
    }

    #[test]
    fn stay_hours_take_a_comma_or_a_point_and_half_hours_only() {
        assert_eq!(StayHours::parse("12").unwrap().minutes(), 720);
        assert_eq!(StayHours::parse("10,5").unwrap().minutes(), 630);
        assert_eq!(StayHours::parse(" 10.50 ").unwrap().minutes(), 630);
        assert_eq!(StayHours::parse("24").unwrap().minutes(), 1440);
        assert_eq!(StayHours::parse("1").unwrap().minutes(), 60);
        assert_eq!(StayHours::parse("0,5"), Err(StayHoursError::OutOfRange));
        assert_eq!(StayHours::parse("24,5"), Err(StayHoursError::OutOfRange));
        assert_eq!(StayHours::parse("10,25"), Err(StayHoursError::NotHalfHour));
        assert_eq!(StayHours::parse("десять"), Err(StayHoursError::NotANumber));
        assert_eq!(StayHours::parse("10,x"), Err(StayHoursError::NotANumber));
        assert_eq!(StayHours::parse("99999"), Err(StayHoursError::OutOfRange));
        assert_eq!(StayHours::parse(""), Err(StayHoursError::NotANumber));
    }

    #[test]
    fn stay_hours_print_in_the_page_language() {
        let h = StayHours::parse("10,5").unwrap();
        assert_eq!(h.hours(Lang::Ru), "10,5");
        assert_eq!(h.hours(Lang::En), "10.5");
        assert_eq!(StayHours::from_minutes(720).unwrap().hours(Lang::Ru), "12");
        assert_eq!(StayHours::from_minutes(725), None);
        assert_eq!(StayHours::from_minutes(0), None);
    }

    #[test]
    fn occupancy_compares_children_with_places() {
        assert_eq!(occupancy(18, 20), Occupancy::Free { left: 2 });
        assert_eq!(occupancy(20, 20), Occupancy::Full);
        assert_eq!(occupancy(23, 20), Occupancy::Over { by: 3 });
    }

    #[test]
    fn every_error_has_both_languages() {
        let errors: Vec<Box<dyn Bilingual>> = vec![
            Box::new(TitleError::Empty),
            Box::new(TitleError::TooLong { len: 101 }),
            Box::new(AddressError::TooLong { len: 201 }),
            Box::new(PlacesError::OutOfRange),
            Box::new(AgeBandError::Reversed),
            Box::new(StayHoursError::NotHalfHour),
        ];
        for e in errors {
            assert!(!e.ru().is_empty() && !e.en().is_empty());
            assert_ne!(e.ru(), e.en());
        }
    }
}
