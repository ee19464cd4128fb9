use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::Bilingual;

/// A Russian taxpayer identification number (ИНН) with a verified checksum.
///
/// * 10 digits — a legal entity (организация); the 10th digit is a check digit.
/// * 12 digits — an individual, including a sole proprietor (ИП); the 11th and
///   12th digits are check digits.
///
/// Surrounding whitespace is trimmed; any other non-digit character is rejected.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Inn(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InnError {
    #[error("INN is empty")]
    Empty,
    #[error("INN contains characters other than digits")]
    NotDigits,
    #[error("INN has {len} digits, expected 10 or 12")]
    WrongLength { len: usize },
    #[error("INN check digits do not match")]
    BadChecksum,
}

const WEIGHTS_10: [u32; 9] = [2, 4, 10, 3, 5, 9, 4, 6, 8];
const WEIGHTS_11: [u32; 10] = [7, 2, 4, 10, 3, 5, 9, 4, 6, 8];
const WEIGHTS_12: [u32; 11] = [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8];

/// Weighted sum of `digits` mod 11 mod 10 — the INN check digit for those digits.
fn check_digit(digits: &[u32], weights: &[u32]) -> u32 {
    let sum: u32 = digits.iter().zip(weights).map(|(d, w)| d * w).sum();
    sum % 11 % 10
}

impl Inn {
    pub const LEGAL_ENTITY_LEN: usize = 10;
    pub const INDIVIDUAL_LEN: usize = 12;

    pub fn parse(raw: &str) -> Result<Self, InnError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(InnError::Empty);
        }
        if !s.chars().all(|c| c.is_ascii_digit()) {
            return Err(InnError::NotDigits);
        }
        // All ASCII digits now, so bytes == chars.
        let digits: Vec<u32> = s.bytes().map(|b| u32::from(b - b'0')).collect();
        let valid = match digits.len() {
            Self::LEGAL_ENTITY_LEN => check_digit(&digits[..9], &WEIGHTS_10) == digits[9],
            Self::INDIVIDUAL_LEN => {
                check_digit(&digits[..10], &WEIGHTS_11) == digits[10]
                    && check_digit(&digits[..11], &WEIGHTS_12) == digits[11]
            }
            len => return Err(InnError::WrongLength { len }),
        };
        if !valid {
            return Err(InnError::BadChecksum);
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The check digit (the 10th) of an organisation's INN with these nine first digits;
    /// `None` unless `first_nine` is exactly nine ASCII digits. For building INNs, e.g.
    /// the demo region's: `format!("{first_nine}{digit}")` then passes [`Inn::parse`].
    pub fn legal_entity_check_digit(first_nine: &str) -> Option<u32> {
        if first_nine.len() != 9 || !first_nine.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let digits: Vec<u32> = first_nine.bytes().map(|b| u32::from(b - b'0')).collect();
        Some(check_digit(&digits, &WEIGHTS_10))
    }

    /// A 10-digit INN of an organisation (юридическое лицо).
    pub fn is_legal_entity(&self) -> bool {
        self.0.len() == Self::LEGAL_ENTITY_LEN
    }

    /// A 12-digit INN of an individual — for a registering organisation, a sole
    /// proprietor (индивидуальный предприниматель).
    pub fn is_individual(&self) -> bool {
        self.0.len() == Self::INDIVIDUAL_LEN
    }
}

impl fmt::Display for Inn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Inn {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl FromStr for Inn {
    type Err = InnError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for Inn {
    type Error = InnError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Inn> for String {
    fn from(value: Inn) -> Self {
        value.0
    }
}

impl Bilingual for InnError {
    fn ru(&self) -> String {
        match self {
            Self::Empty => "Введите ИНН.".into(),
            Self::NotDigits => "ИНН должен состоять только из цифр.".into(),
            Self::WrongLength { len } => format!(
                "ИНН должен состоять из 10 цифр (организация) или 12 цифр (ИП), введено {len}."
            ),
            Self::BadChecksum => {
                "ИНН введён с ошибкой: контрольные цифры не совпадают. Проверьте номер.".into()
            }
        }
    }

    fn en(&self) -> String {
        match self {
            Self::Empty => "Enter the INN.".into(),
            Self::NotDigits => "The INN must contain digits only.".into(),
            Self::WrongLength { len } => format!(
                "The INN must have 10 digits (organisation) or 12 (sole proprietor); {len} entered."
            ),
            Self::BadChecksum => {
                "The INN has a typo: its check digits do not match. Please check the number.".into()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::de::value::{Error as DeError, StringDeserializer};
    use serde::de::IntoDeserializer;

    const SBERBANK: &str = "7707083893";
    const YANDEX: &str = "7736207543";
    const VTB: &str = "7702070139";
    const INDIVIDUAL: &str = "500100732259";

    fn deserialize(s: &str) -> Result<Inn, DeError> {
        let de: StringDeserializer<DeError> = s.to_owned().into_deserializer();
        Inn::deserialize(de)
    }

    /// Independent, spelled-out checksum for the test data (not the code under test).
    fn weighted(digits: &str, weights: &[u32]) -> u32 {
        let sum: u32 = digits
            .chars()
            .zip(weights)
            .map(|(c, w)| c.to_digit(10).unwrap() * w)
            .sum();
        sum % 11 % 10
    }

    #[test]
    fn test_data_checksums_are_verified_by_hand() {
        // 7707083893: 7·2+7·4+0·10+7·3+0·5+8·9+3·4+8·6+9·8 = 267; 267 mod 11 = 3.
        assert_eq!(weighted(SBERBANK, &WEIGHTS_10), 3);
        // 7736207543: 14+28+30+18+10+0+28+30+32 = 190; 190 mod 11 = 3.
        assert_eq!(weighted(YANDEX, &WEIGHTS_10), 3);
        // 500100732259: 148 mod 11 = 5 (11th), then 141 mod 11 = 9 (12th).
        assert_eq!(weighted(INDIVIDUAL, &WEIGHTS_11), 5);
        assert_eq!(weighted(INDIVIDUAL, &WEIGHTS_12), 9);
    }

    #[test]
    fn real_legal_entity_inns_are_accepted() {
        for raw in [SBERBANK, YANDEX, VTB] {
            let inn = Inn::parse(raw).unwrap();
            assert_eq!(inn.as_str(), raw);
            assert!(inn.is_legal_entity());
            assert!(!inn.is_individual());
        }
    }

    #[test]
    fn legal_entity_check_digit_completes_real_inns_and_wants_nine_digits() {
        for raw in [SBERBANK, YANDEX, VTB] {
            let digit = Inn::legal_entity_check_digit(&raw[..9]).unwrap();
            assert_eq!(digit.to_string(), &raw[9..], "{raw}");
        }
        for bad in [
            "",
            "77070838",
            "7707083893",
            "77070838a",
            " 77070838",
            "７７０７０８３８９",
        ] {
            assert_eq!(Inn::legal_entity_check_digit(bad), None, "{bad}");
        }
    }

    #[test]
    fn twelve_digit_inn_is_accepted_as_individual() {
        let inn = Inn::parse(INDIVIDUAL).unwrap();
        assert!(inn.is_individual());
        assert!(!inn.is_legal_entity());
        assert_eq!(inn.to_string(), INDIVIDUAL);
    }

    #[test]
    fn check_digit_zero_when_remainder_is_ten() {
        // Find a 9-digit prefix whose weighted sum is 10 mod 11: check digit must be 0.
        let prefix = (100_000_000u32..)
            .map(|n| n.to_string())
            .find(|p| {
                let s: u32 = p
                    .chars()
                    .zip(WEIGHTS_10)
                    .map(|(c, w)| c.to_digit(10).unwrap() * w)
                    .sum();
                s % 11 == 10
            })
            .unwrap();
        assert!(Inn::parse(&format!("{prefix}0")).is_ok());
        assert_eq!(Inn::legal_entity_check_digit(&prefix), Some(0));
        assert_eq!(
            Inn::parse(&format!("{prefix}1")),
            Err(InnError::BadChecksum)
        );
    }

    #[test]
    fn surrounding_whitespace_is_trimmed() {
        let inn = Inn::parse(" \t7707083893\n ").unwrap();
        assert_eq!(inn.as_str(), SBERBANK);
    }

    #[test]
    fn empty_and_blank_are_rejected() {
        assert_eq!(Inn::parse(""), Err(InnError::Empty));
        assert_eq!(Inn::parse("   \t"), Err(InnError::Empty));
    }

    #[test]
    fn non_digits_are_rejected() {
        for raw in [
            "77070838a3",
            "7707 083893",
            "7707-083893",
            "+7707083893",
            "７７０７０８３８９３", // full-width digits
            "٧٧٠٧٠٨٣٨٩٣",           // Arabic-Indic digits
            "ИНН7707083893",
        ] {
            assert_eq!(Inn::parse(raw), Err(InnError::NotDigits), "{raw}");
        }
    }

    #[test]
    fn wrong_lengths_are_rejected_with_the_length() {
        assert_eq!(
            Inn::parse("770708389"),
            Err(InnError::WrongLength { len: 9 })
        );
        assert_eq!(Inn::parse("1"), Err(InnError::WrongLength { len: 1 }));
        assert_eq!(
            Inn::parse("77070838931"),
            Err(InnError::WrongLength { len: 11 })
        );
        assert_eq!(
            Inn::parse("5001007322590"),
            Err(InnError::WrongLength { len: 13 })
        );
    }

    #[test]
    fn mutated_inns_fail_the_checksum() {
        for raw in [
            "7707083894",   // last digit changed
            "7707083883",   // a middle digit changed
            "7707038893",   // two digits swapped
            "1707083893",   // first digit changed
            "500100732258", // 12th digit changed
            "500100732269", // 11th digit changed
            "500100732159", // a body digit changed
        ] {
            assert_eq!(Inn::parse(raw), Err(InnError::BadChecksum), "{raw}");
        }
    }

    #[test]
    fn generated_inns_round_trip_and_wrong_check_digits_fail() {
        // Deterministic pseudo-random prefixes (xorshift) instead of a property-test crate.
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next_digit = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % 10) as u32
        };
        for _ in 0..500 {
            let mut d: Vec<u32> = (0..9).map(|_| next_digit()).collect();
            d.push(check_digit(&d, &WEIGHTS_10));
            let ten: String = d
                .iter()
                .map(|x| char::from_digit(*x, 10).unwrap())
                .collect();
            assert!(Inn::parse(&ten).unwrap().is_legal_entity());
            assert_eq!(Inn::legal_entity_check_digit(&ten[..9]), Some(d[9]));
            let wrong = (d[9] + 1) % 10;
            let bad = format!("{}{}", &ten[..9], wrong);
            assert_eq!(Inn::parse(&bad), Err(InnError::BadChecksum));

            let mut d: Vec<u32> = (0..10).map(|_| next_digit()).collect();
            d.push(check_digit(&d, &WEIGHTS_11));
            d.push(check_digit(&d, &WEIGHTS_12));
            let twelve: String = d
                .iter()
                .map(|x| char::from_digit(*x, 10).unwrap())
                .collect();
            assert!(Inn::parse(&twelve).unwrap().is_individual());
            let bad = format!("{}{}", &twelve[..11], (d[11] + 1) % 10);
            assert_eq!(Inn::parse(&bad), Err(InnError::BadChecksum));
        }
    }

    #[test]
    fn from_str_and_try_from_use_parse() {
        assert_eq!(SBERBANK.parse::<Inn>().unwrap().as_str(), SBERBANK);
        assert_eq!("123".parse::<Inn>(), Err(InnError::WrongLength { len: 3 }));
        assert_eq!(
            Inn::try_from(" 7736207543 ".to_owned()).unwrap().as_str(),
            YANDEX
        );
        assert_eq!(String::from(Inn::parse(YANDEX).unwrap()), YANDEX);
    }

    #[test]
    fn serde_round_trip() {
        let inn = Inn::parse(SBERBANK).unwrap();
        let serialized: String = inn.clone().into();
        assert_eq!(deserialize(&serialized).unwrap(), inn);
        // Deserialization normalises exactly like parse.
        assert_eq!(deserialize(" 7707083893 ").unwrap(), inn);
    }

    #[test]
    fn serde_rejects_invalid_values() {
        for raw in ["", "abc", "770708389", "7707083894"] {
            let err = deserialize(raw).unwrap_err();
            let expected = Inn::parse(raw).unwrap_err().to_string();
            assert_eq!(err.to_string(), expected, "{raw}");
        }
    }

    #[test]
    fn messages_are_specific_and_bilingual() {
        let all = [
            InnError::Empty,
            InnError::NotDigits,
            InnError::WrongLength { len: 9 },
            InnError::BadChecksum,
        ];
        for e in &all {
            assert!(!e.ru().trim().is_empty() && !e.en().trim().is_empty());
            assert!(e.ru().contains("ИНН"), "{}", e.ru());
            assert!(e.en().contains("INN"), "{}", e.en());
        }
        let wrong = InnError::WrongLength { len: 9 };
        assert_eq!(
            wrong.ru(),
            "ИНН должен состоять из 10 цифр (организация) или 12 цифр (ИП), введено 9."
        );
        assert_eq!(
            wrong.en(),
            "The INN must have 10 digits (organisation) or 12 (sole proprietor); 9 entered."
        );
        // Every variant has its own wording.
        for (i, a) in all.iter().enumerate() {
            for b in &all[i + 1..] {
                assert_ne!(a.ru(), b.ru());
                assert_ne!(a.en(), b.en());
            }
        }
    }
}
