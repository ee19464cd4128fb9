use std::fmt;

use serde::{Deserialize, Serialize};

use super::email::Email;
use super::inn::Inn;
use super::kpp::Kpp;
use super::person_name::{NamePart, PersonName};
use super::Bilingual;

/// The registration form exactly as the user filled it in: plain strings, nothing
/// checked. Missing fields deserialize as empty strings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RegistrationForm {
    pub surname: String,
    pub given_name: String,
    pub patronymic: String,
    pub email: String,
    pub position: String,
    pub organisation_name: String,
    pub short_name: String,
    pub inn: String,
    pub kpp: String,
}

impl RegistrationForm {
    // Field names as used in `FieldError::field`, equal to the serde field names.
    pub const SURNAME: &'static str = "surname";
    pub const GIVEN_NAME: &'static str = "given_name";
    pub const PATRONYMIC: &'static str = "patronymic";
    pub const EMAIL: &'static str = "email";
    pub const POSITION: &'static str = "position";
    pub const ORGANISATION_NAME: &'static str = "organisation_name";
    pub const SHORT_NAME: &'static str = "short_name";
    pub const INN: &'static str = "inn";
    pub const KPP: &'static str = "kpp";

    /// All field names in form order.
    pub const FIELDS: [&'static str; 9] = [
        Self::SURNAME,
        Self::GIVEN_NAME,
        Self::PATRONYMIC,
        Self::EMAIL,
        Self::POSITION,
        Self::ORGANISATION_NAME,
        Self::SHORT_NAME,
        Self::INN,
        Self::KPP,
    ];

    /// The form field that holds a given part of the applicant's name.
    pub fn name_field(part: NamePart) -> &'static str {
        match part {
            NamePart::Surname => Self::SURNAME,
            NamePart::GivenName => Self::GIVEN_NAME,
            NamePart::Patronymic => Self::PATRONYMIC,
        }
    }
}

/// One problem with one form field, with its message in both languages, ready to be
/// shown beside the field (and to cross the server/client boundary).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// The form field name, e.g. `"inn"` (see the constants on [`RegistrationForm`]).
    pub field: String,
    pub ru: String,
    pub en: String,
}

impl FieldError {
    pub fn new(field: &str, message: &impl Bilingual) -> Self {
        Self {
            field: field.to_owned(),
            ru: message.ru(),
            en: message.en(),
        }
    }
}

impl Bilingual for FieldError {
    fn ru(&self) -> String {
        self.ru.clone()
    }
    fn en(&self) -> String {
        self.en.clone()
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.en)
    }
}

/// Every problem found in a form, in form order, at most one per field.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(transparent)]
#[error("{} form field(s) are invalid: {}", .0.len(), field_list(&.0))]
pub struct FieldErrors(Vec<FieldError>);

fn field_list(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| e.field.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, field: &str, message: &impl Bilingual) {
        self.0.push(FieldError::new(field, message));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn iter(&self) -> std::slice::Iter<'_, FieldError> {
        self.0.iter()
    }

    pub fn as_slice(&self) -> &[FieldError] {
        &self.0
    }

    /// The error for a field, if it has one (`errors.get("inn")`).
    pub fn get(&self, field: &str) -> Option<&FieldError> {
        self.0.iter().find(|e| e.field == field)
    }

    /// The names of the fields that have errors, in form order.
    pub fn fields(&self) -> Vec<&str> {
        self.0.iter().map(|e| e.field.as_str()).collect()
    }

    pub fn into_vec(self) -> Vec<FieldError> {
        self.0
    }
}

impl<'a> IntoIterator for &'a FieldErrors {
    type Item = &'a FieldError;
    type IntoIter = std::slice::Iter<'a, FieldError>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl IntoIterator for FieldErrors {
    type Item = FieldError;
    type IntoIter = std::vec::IntoIter<FieldError>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

/// All messages, one after another (for a summary above the form).
impl Bilingual for FieldErrors {
    fn ru(&self) -> String {
        self.0
            .iter()
            .map(|e| e.ru.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }
    fn en(&self) -> String {
        self.0
            .iter()
            .map(|e| e.en.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// The free-text fields of the registration form that are about the organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TextField {
    /// The applicant's position, e.g. «Заведующая».
    Position,
    /// The full name of the organisation, e.g. «Муниципальное бюджетное дошкольное
    /// образовательное учреждение "Детский сад № 5"».
    OrganisationName,
    /// The short name, e.g. «МБДОУ "Детский сад № 5"».
    ShortName,
}

impl TextField {
    pub const ALL: [TextField; 3] = [Self::Position, Self::OrganisationName, Self::ShortName];

    /// Longest accepted value, in characters.
    pub fn max_chars(self) -> usize {
        match self {
            Self::Position => 200,
            Self::OrganisationName => 500,
            Self::ShortName => 200,
        }
    }

    pub fn form_field(self) -> &'static str {
        match self {
            Self::Position => RegistrationForm::POSITION,
            Self::OrganisationName => RegistrationForm::ORGANISATION_NAME,
            Self::ShortName => RegistrationForm::SHORT_NAME,
        }
    }

    /// Trims, collapses inner whitespace, and checks the value is non-empty, not too
    /// long and free of control characters.
    pub fn parse(self, raw: &str) -> Result<String, TextFieldError> {
        let normalized = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        if normalized.is_empty() {
            return Err(TextFieldError::Empty { field: self });
        }
        let len = normalized.chars().count();
        let max = self.max_chars();
        if len > max {
            return Err(TextFieldError::TooLong {
                field: self,
                len,
                max,
            });
        }
        if normalized.chars().any(char::is_control) {
            return Err(TextFieldError::ControlCharacter { field: self });
        }
        Ok(normalized)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextFieldError {
    #[error("{field:?} is empty")]
    Empty { field: TextField },
    #[error("{field:?} is {len} characters long, at most {max} allowed")]
    TooLong {
        field: TextField,
        len: usize,
        max: usize,
    },
    #[error("{field:?} contains a control character")]
    ControlCharacter { field: TextField },
}

impl Bilingual for TextFieldError {
    fn ru(&self) -> String {
        use TextField::*;
        match self {
            Self::Empty { field } => match field {
                Position => "Укажите вашу должность.".into(),
                OrganisationName => "Укажите полное название организации.".into(),
                ShortName => "Укажите краткое название организации.".into(),
            },
            Self::TooLong { field, len, max } => {
                let subject = match field {
                    Position => "Название должности слишком длинное",
                    OrganisationName => "Полное название организации слишком длинное",
                    ShortName => "Краткое название организации слишком длинное",
                };
                format!("{subject} (символов: {len}), допустимо не более {max}.")
            }
            Self::ControlCharacter { field } => {
                let subject = match field {
                    Position => "Название должности",
                    OrganisationName => "Полное название организации",
                    ShortName => "Краткое название организации",
                };
                format!("{subject} содержит недопустимые символы.")
            }
        }
    }

    fn en(&self) -> String {
        use TextField::*;
        let subject = |field: &TextField| match field {
            Position => "position",
            OrganisationName => "full name of the organisation",
            ShortName => "short name of the organisation",
        };
        match self {
            Self::Empty { field } => match field {
                Position => "Enter your position.".into(),
                OrganisationName => "Enter the full name of the organisation.".into(),
                ShortName => "Enter the short name of the organisation.".into(),
            },
            Self::TooLong { field, len, max } => format!(
                "The {} is too long: {len} characters, at most {max} allowed.",
                subject(field)
            ),
            Self::ControlCharacter { field } => format!(
                "The {} contains characters that are not allowed.",
                subject(field)
            ),
        }
    }
}

/// How the KPP field must relate to the INN.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KppRuleError {
    #[error("a KPP is required for an organisation with a 10-digit INN")]
    RequiredForOrganisation,
    #[error("a sole proprietor (12-digit INN) has no KPP")]
    NotAllowedForSoleProprietor,
}

impl Bilingual for KppRuleError {
    fn ru(&self) -> String {
        match self {
            Self::RequiredForOrganisation => {
                "Укажите КПП: он обязателен для организации (ИНН из 10 цифр).".into()
            }
            Self::NotAllowedForSoleProprietor => "У индивидуального предпринимателя \
                 (ИНН из 12 цифр) нет КПП — оставьте поле пустым."
                .into(),
        }
    }

    fn en(&self) -> String {
        match self {
            Self::RequiredForOrganisation => {
                "Enter the KPP: it is required for an organisation (10-digit INN).".into()
            }
            Self::NotAllowedForSoleProprietor => "A sole proprietor (12-digit INN) has no KPP; \
                 leave the field empty."
                .into(),
        }
    }
}

/// A checked request to register an organisation (a preschool or its operator) in
/// Tabel, made by the person who will administer it.
///
/// # INN and KPP
///
/// Preschools are run both by legal entities (municipal kindergartens, private
/// companies) and by sole proprietors (индивидуальные предприниматели), so both
/// kinds of INN are accepted:
///
/// * a **10-digit INN** belongs to a legal entity, which always has a KPP (the
///   code of the reason it is registered with a tax office) — the KPP is required;
/// * a **12-digit INN** belongs to an individual; a sole proprietor is registered
///   as a person and has **no KPP**, so the KPP field must be left empty.
///
/// Hence [`RegistrationRequest::kpp`] is `Some` exactly when the INN is 10 digits.
/// When the INN itself is invalid, a non-empty KPP is still checked for format
/// but a missing one is not reported (it is unknown whether one is needed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RegistrationForm", into = "RegistrationForm")]
pub struct RegistrationRequest {
    name: PersonName,
    email: Email,
    position: String,
    organisation_name: String,
    short_name: String,
    inn: Inn,
    kpp: Option<Kpp>,
}

impl RegistrationRequest {
    /// Checks every field and reports every problem (at most one per field), so the
    /// form can show each message beside its field.
    pub fn parse(form: RegistrationForm) -> Result<Self, FieldErrors> {
        use RegistrationForm as F;
        let mut errors = FieldErrors::new();

        let name = PersonName::parse_all(&form.surname, &form.given_name, &form.patronymic)
            .map_err(|name_errors| {
                for e in &name_errors {
                    errors.push(F::name_field(e.part()), e);
                }
            })
            .ok();
        let email = Email::parse(&form.email)
            .map_err(|e| errors.push(F::EMAIL, &e))
            .ok();
        let mut text = |field: TextField, raw: &str| {
            field
                .parse(raw)
                .map_err(|e| errors.push(field.form_field(), &e))
                .ok()
        };
        let position = text(TextField::Position, &form.position);
        let organisation_name = text(TextField::OrganisationName, &form.organisation_name);
        let short_name = text(TextField::ShortName, &form.short_name);
        let inn = Inn::parse(&form.inn)
            .map_err(|e| errors.push(F::INN, &e))
            .ok();

        let kpp_blank = form.kpp.trim().is_empty();
        let kpp: Option<Option<Kpp>> = match &inn {
            Some(inn) if inn.is_legal_entity() && kpp_blank => {
                errors.push(F::KPP, &KppRuleError::RequiredForOrganisation);
                None
            }
            Some(inn) if inn.is_individual() && !kpp_blank => {
                errors.push(F::KPP, &KppRuleError::NotAllowedForSoleProprietor);
                None
            }
            _ if kpp_blank => Some(None),
            _ => Kpp::parse(&form.kpp)
                .map(Some)
                .map_err(|e| errors.push(F::KPP, &e))
                .ok(),
        };

        match (
            name,
            email,
            position,
            organisation_name,
            short_name,
            inn,
            kpp,
        ) {
            (
                Some(name),
                Some(email),
                Some(position),
                Some(organisation_name),
                Some(short_name),
                Some(inn),
                Some(kpp),
            ) => {
                debug_assert!(errors.is_empty());
                Ok(Self {
                    name,
                    email,
                    position,
                    organisation_name,
                    short_name,
                    inn,
                    kpp,
                })
            }
            _ => {
                debug_assert!(!errors.is_empty());
                Err(errors)
            }
        }
    }

    /// The applicant (who will administer the organisation in Tabel).
    pub fn name(&self) -> &PersonName {
        &self.name
    }

    pub fn email(&self) -> &Email {
        &self.email
    }

    /// The applicant's position in the organisation.
    pub fn position(&self) -> &str {
        &self.position
    }

    pub fn organisation_name(&self) -> &str {
        &self.organisation_name
    }

    pub fn short_name(&self) -> &str {
        &self.short_name
    }

    pub fn inn(&self) -> &Inn {
        &self.inn
    }

    /// `Some` for a legal entity (10-digit INN), `None` for a sole proprietor.
    pub fn kpp(&self) -> Option<&Kpp> {
        self.kpp.as_ref()
    }

    /// Whether the organisation is a sole proprietor (12-digit INN, no KPP).
    pub fn is_sole_proprietor(&self) -> bool {
        self.inn.is_individual()
    }
}

impl TryFrom<RegistrationForm> for RegistrationRequest {
    type Error = FieldErrors;
    fn try_from(form: RegistrationForm) -> Result<Self, Self::Error> {
        Self::parse(form)
    }
}

/// The normalised values, back in form shape (for re-displaying or serializing).
impl From<RegistrationRequest> for RegistrationForm {
    fn from(r: RegistrationRequest) -> Self {
        Self {
            surname: r.name.surname().to_owned(),
            given_name: r.name.given_name().to_owned(),
            patronymic: r.name.patronymic().unwrap_or_default().to_owned(),
            email: r.email.into(),
            position: r.position,
            organisation_name: r.organisation_name,
            short_name: r.short_name,
            inn: r.inn.into(),
            kpp: r.kpp.map(String::from).unwrap_or_default(),
        }
    }
}

/// «МБДОУ "Детский сад № 5" (ИНН 7707083893, КПП 773601001): Иванова Мария
/// Сергеевна, Заведующая, ivanova@mail.ru»
impl fmt::Display for RegistrationRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (ИНН {}", self.short_name, self.inn)?;
        if let Some(kpp) = &self.kpp {
            write!(f, ", КПП {kpp}")?;
        }
        write!(f, "): {}, {}, {}", self.name, self.position, self.email)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::email::EmailError;
    use crate::domain::inn::InnError;
    use crate::domain::kpp::KppError;
    use crate::domain::person_name::PersonNameError;
    use serde::de::value::{Error as DeError, MapDeserializer};

    const SBERBANK_INN: &str = "7707083893";
    const SOLE_PROPRIETOR_INN: &str = "500100732259";

    fn form() -> RegistrationForm {
        RegistrationForm {
            surname: "Иванова".into(),
            given_name: "Мария".into(),
            patronymic: "Сергеевна".into(),
            email: "ivanova@mail.ru".into(),
            position: "Заведующая".into(),
            organisation_name: "Муниципальное бюджетное дошкольное образовательное учреждение \
                                «Детский сад № 5»"
                .into(),
            short_name: "МБДОУ «Детский сад № 5»".into(),
            inn: SBERBANK_INN.into(),
            kpp: "773601001".into(),
        }
    }

    fn sole_proprietor_form() -> RegistrationForm {
        RegistrationForm {
            inn: SOLE_PROPRIETOR_INN.into(),
            kpp: String::new(),
            organisation_name: "Индивидуальный предприниматель Петрова Анна Ивановна".into(),
            short_name: "ИП Петрова А. И.".into(),
            ..form()
        }
    }

    fn errors(form: RegistrationForm) -> FieldErrors {
        RegistrationRequest::parse(form).unwrap_err()
    }

    fn deserialize(fields: Vec<(&'static str, String)>) -> Result<RegistrationRequest, DeError> {
        RegistrationRequest::deserialize(MapDeserializer::<_, DeError>::new(fields.into_iter()))
    }

    fn as_pairs(form: &RegistrationForm) -> Vec<(&'static str, String)> {
        let f = form.clone();
        vec![
            ("surname", f.surname),
            ("given_name", f.given_name),
            ("patronymic", f.patronymic),
            ("email", f.email),
            ("position", f.position),
            ("organisation_name", f.organisation_name),
            ("short_name", f.short_name),
            ("inn", f.inn),
            ("kpp", f.kpp),
        ]
    }

    #[test]
    fn valid_organisation_registration() {
        let r = RegistrationRequest::parse(form()).unwrap();
        assert_eq!(r.name().full(), "Иванова Мария Сергеевна");
        assert_eq!(r.email().as_str(), "ivanova@mail.ru");
        assert_eq!(r.position(), "Заведующая");
        assert_eq!(r.short_name(), "МБДОУ «Детский сад № 5»");
        assert_eq!(r.inn().as_str(), SBERBANK_INN);
        assert_eq!(r.kpp().map(Kpp::as_str), Some("773601001"));
        assert!(!r.is_sole_proprietor());
        assert_eq!(
            r.to_string(),
            "МБДОУ «Детский сад № 5» (ИНН 7707083893, КПП 773601001): \
             Иванова Мария Сергеевна, Заведующая, ivanova@mail.ru"
        );
    }

    #[test]
    fn valid_sole_proprietor_registration_has_no_kpp() {
        let r = RegistrationRequest::parse(sole_proprietor_form()).unwrap();
        assert!(r.is_sole_proprietor());
        assert_eq!(r.kpp(), None);
        assert!(!r.to_string().contains("КПП"));
        // A blank KPP counts as empty.
        let blank = RegistrationForm {
            kpp: "   ".into(),
            ..sole_proprietor_form()
        };
        assert!(RegistrationRequest::parse(blank).unwrap().kpp().is_none());
    }

    #[test]
    fn values_are_normalised() {
        let messy = RegistrationForm {
            surname: "  Иванова ".into(),
            patronymic: "   ".into(),
            email: " ivanova@MAIL.RU ".into(),
            position: "  Старший   воспитатель ".into(),
            short_name: "МБДОУ\t«Детский сад № 5»".into(),
            inn: " 7707083893 ".into(),
            kpp: " 773601001 ".into(),
            ..form()
        };
        let r = RegistrationRequest::parse(messy).unwrap();
        assert_eq!(r.name().full(), "Иванова Мария");
        assert_eq!(r.email().as_str(), "ivanova@mail.ru");
        assert_eq!(r.position(), "Старший воспитатель");
        assert_eq!(r.short_name(), "МБДОУ «Детский сад № 5»");
        assert_eq!(r.inn().as_str(), SBERBANK_INN);
        assert_eq!(r.kpp().unwrap().as_str(), "773601001");
    }

    #[test]
    fn empty_form_reports_every_required_field() {
        let e = errors(RegistrationForm::default());
        assert_eq!(
            e.fields(),
            [
                "surname",
                "given_name",
                "email",
                "position",
                "organisation_name",
                "short_name",
                "inn"
            ]
        );
        assert_eq!(e.get("inn").unwrap().ru, "Введите ИНН.");
        assert_eq!(e.get("surname").unwrap().ru, "Введите фамилию.");
        assert_eq!(e.get("position").unwrap().en, "Enter your position.");
        assert_eq!(
            e.get("organisation_name").unwrap().en,
            "Enter the full name of the organisation."
        );
        assert!(e.get("kpp").is_none());
        assert!(e.get("patronymic").is_none());
    }

    #[test]
    fn all_field_errors_are_collected_in_form_order() {
        let bad = RegistrationForm {
            surname: "Иванова1".into(),
            given_name: String::new(),
            patronymic: "С.".into(),
            email: "ivanova.mail.ru".into(),
            position: "x".repeat(201),
            organisation_name: "Я".repeat(501),
            short_name: "МБДОУ\u{7}".into(),
            inn: "7707083894".into(),
            kpp: "7736-1001".into(),
        };
        let e = errors(bad);
        assert_eq!(e.fields(), RegistrationForm::FIELDS);
        assert_eq!(e.len(), 9);
        let expect = |field: &str, message: &dyn Fn() -> String| {
            assert_eq!(e.get(field).unwrap().ru, message(), "{field}");
        };
        expect("surname", &|| {
            PersonNameError::InvalidCharacter {
                part: NamePart::Surname,
                character: '1',
            }
            .ru()
        });
        expect("email", &|| EmailError::MissingAt.ru());
        expect("position", &|| {
            TextFieldError::TooLong {
                field: TextField::Position,
                len: 201,
                max: 200,
            }
            .ru()
        });
        expect("organisation_name", &|| {
            TextFieldError::TooLong {
                field: TextField::OrganisationName,
                len: 501,
                max: 500,
            }
            .ru()
        });
        expect("short_name", &|| {
            TextFieldError::ControlCharacter {
                field: TextField::ShortName,
            }
            .ru()
        });
        expect("inn", &|| InnError::BadChecksum.ru());
        // INN invalid: KPP is still checked for its own format.
        expect("kpp", &|| KppError::BadFormat.ru());
    }

    #[test]
    fn ten_digit_inn_requires_kpp() {
        let e = errors(RegistrationForm {
            kpp: " ".into(),
            ..form()
        });
        assert_eq!(e.fields(), ["kpp"]);
        assert_eq!(
            e.get("kpp").unwrap(),
            &FieldError::new("kpp", &KppRuleError::RequiredForOrganisation)
        );
    }

    #[test]
    fn twelve_digit_inn_must_have_no_kpp() {
        // Even a well-formed KPP is rejected for a sole proprietor.
        let e = errors(RegistrationForm {
            kpp: "773601001".into(),
            ..sole_proprietor_form()
        });
        assert_eq!(e.fields(), ["kpp"]);
        assert_eq!(
            e.get("kpp").unwrap().en,
            KppRuleError::NotAllowedForSoleProprietor.en()
        );
        // ...and so is a malformed one, with the same message.
        let e = errors(RegistrationForm {
            kpp: "abc".into(),
            ..sole_proprietor_form()
        });
        assert_eq!(
            e.get("kpp").unwrap().ru,
            KppRuleError::NotAllowedForSoleProprietor.ru()
        );
    }

    #[test]
    fn invalid_inn_with_empty_kpp_reports_only_the_inn() {
        let e = errors(RegistrationForm {
            inn: "12345".into(),
            kpp: String::new(),
            ..form()
        });
        assert_eq!(e.fields(), ["inn"]);
    }

    #[test]
    fn malformed_kpp_with_valid_ten_digit_inn() {
        let e = errors(RegistrationForm {
            kpp: "77360100".into(),
            ..form()
        });
        assert_eq!(
            e.get("kpp").unwrap().en,
            KppError::WrongLength { len: 8 }.en()
        );
    }

    #[test]
    fn text_field_lengths_count_characters() {
        for field in TextField::ALL {
            let max = field.max_chars();
            assert_eq!(field.parse(&"Я".repeat(max)).unwrap().chars().count(), max);
            assert_eq!(
                field.parse(&"Я".repeat(max + 1)),
                Err(TextFieldError::TooLong {
                    field,
                    len: max + 1,
                    max
                })
            );
            assert_eq!(field.parse(" \n "), Err(TextFieldError::Empty { field }));
        }
        assert_eq!(TextField::Position.max_chars(), 200);
        assert_eq!(TextField::OrganisationName.max_chars(), 500);
        assert_eq!(TextField::ShortName.max_chars(), 200);
    }

    #[test]
    fn text_field_messages_are_specific_and_bilingual() {
        let mut seen_ru = Vec::new();
        let mut seen_en = Vec::new();
        for field in TextField::ALL {
            for e in [
                TextFieldError::Empty { field },
                TextFieldError::TooLong {
                    field,
                    len: 999,
                    max: field.max_chars(),
                },
                TextFieldError::ControlCharacter { field },
            ] {
                let (ru, en) = (e.ru(), e.en());
                assert!(!ru.is_empty() && !en.is_empty());
                assert!(
                    !seen_ru.contains(&ru) && !seen_en.contains(&en),
                    "{ru} / {en}"
                );
                seen_ru.push(ru);
                seen_en.push(en);
            }
        }
        assert_eq!(
            TextFieldError::Empty {
                field: TextField::ShortName
            }
            .ru(),
            "Укажите краткое название организации."
        );
    }

    #[test]
    fn kpp_rule_messages_are_bilingual() {
        for e in [
            KppRuleError::RequiredForOrganisation,
            KppRuleError::NotAllowedForSoleProprietor,
        ] {
            assert!(e.ru().contains("КПП") && e.ru().contains("ИНН"));
            assert!(e.en().contains("KPP") && e.en().contains("INN"));
        }
    }

    #[test]
    fn field_errors_helpers() {
        let e = errors(RegistrationForm {
            email: String::new(),
            inn: String::new(),
            kpp: String::new(),
            ..form()
        });
        assert_eq!(e.len(), 2);
        assert!(!e.is_empty());
        assert_eq!(e.ru(), "Введите адрес электронной почты. Введите ИНН.");
        assert_eq!(e.en(), "Enter an e-mail address. Enter the INN.");
        assert_eq!(e.to_string(), "2 form field(s) are invalid: email, inn");
        assert_eq!(
            e.iter().next().unwrap().to_string(),
            "email: Enter an e-mail address."
        );
        assert_eq!((&e).into_iter().count(), 2);
        assert_eq!(e.as_slice()[1].field, "inn");
        assert_eq!(e.clone().into_vec().len(), 2);
        assert_eq!(
            e.into_iter().map(|f| f.field).collect::<Vec<_>>(),
            ["email", "inn"]
        );
    }

    #[test]
    fn form_round_trip_keeps_normalised_values() {
        let r = RegistrationRequest::parse(RegistrationForm {
            email: "ivanova@MAIL.ru".into(),
            ..form()
        })
        .unwrap();
        let back = RegistrationForm::from(r.clone());
        assert_eq!(back.email, "ivanova@mail.ru");
        assert_eq!(RegistrationRequest::parse(back).unwrap(), r);
        let sp = RegistrationRequest::parse(sole_proprietor_form()).unwrap();
        assert_eq!(RegistrationForm::from(sp.clone()).kpp, "");
        assert_eq!(
            RegistrationRequest::try_from(RegistrationForm::from(sp.clone())),
            Ok(sp)
        );
    }

    #[test]
    fn serde_deserializes_through_parse() {
        let r = deserialize(as_pairs(&form())).unwrap();
        assert_eq!(r, RegistrationRequest::parse(form()).unwrap());
        // Missing fields are empty strings: a sole proprietor can omit the KPP.
        let mut pairs = as_pairs(&sole_proprietor_form());
        pairs.retain(|(k, _)| *k != "kpp" && *k != "patronymic");
        let sp = deserialize(pairs).unwrap();
        assert!(sp.kpp().is_none() && sp.name().patronymic().is_none());
    }

    #[test]
    fn serde_rejects_invalid_requests_with_field_errors() {
        let bad = RegistrationForm {
            inn: "7707083894".into(),
            email: "nope".into(),
            ..form()
        };
        let err = deserialize(as_pairs(&bad)).unwrap_err();
        assert_eq!(err.to_string(), "2 form field(s) are invalid: email, inn");
        let missing_kpp = RegistrationForm {
            kpp: String::new(),
            ..form()
        };
        assert!(deserialize(as_pairs(&missing_kpp)).is_err());
    }

    #[test]
    fn form_and_field_errors_deserialize_from_maps() {
        let f = RegistrationForm::deserialize(MapDeserializer::<_, DeError>::new(
            [("inn", "1"), ("surname", "Ли")].into_iter(),
        ))
        .unwrap();
        assert_eq!(f.inn, "1");
        assert_eq!(f.surname, "Ли");
        assert_eq!(f.kpp, "");
        let fe = FieldError::deserialize(MapDeserializer::<_, DeError>::new(
            [
                ("field", "inn"),
                ("ru", "Введите ИНН."),
                ("en", "Enter the INN."),
            ]
            .into_iter(),
        ))
        .unwrap();
        assert_eq!(fe, FieldError::new("inn", &InnError::Empty));
    }

    #[test]
    fn name_fields_map_to_form_fields() {
        assert_eq!(RegistrationForm::name_field(NamePart::Surname), "surname");
        assert_eq!(
            RegistrationForm::name_field(NamePart::GivenName),
            "given_name"
        );
        assert_eq!(
            RegistrationForm::name_field(NamePart::Patronymic),
            "patronymic"
        );
        for field in TextField::ALL {
            assert!(RegistrationForm::FIELDS.contains(&field.form_field()));
        }
    }
}
