//! Offline attendance sync: the operations a tablet queues while it has no network, and
//! the rule the server merges them by.
//!
//! A tablet records every mark as a [`MarkOp`] with an id it makes itself ([`OpId`], a
//! UUID v7) and keeps the op in a queue until the server answers with an [`OpOutcome`]
//! for it. After any failure the queue is simply sent again, so the server must accept
//! the same op any number of times, in any order, interleaved with ops from other
//! tablets, and still end in one and the same state.
//!
//! # The merge rule
//!
//! Every stored mark carries a [`Stamp`] `(recorded_at, device, op_id)`, and an incoming
//! op replaces it only if its stamp is greater ([`resolve`]):
//!
//! * The later recorded time wins, not the later arrival: a teacher's later correction is
//!   what she means, even when the tablet holding her first mark comes online last.
//! * The device and then the op id break ties. Nothing about them is "more right"; they
//!   only make the order total, so the stored mark is always the op with the greatest
//!   stamp. Max is commutative, associative and idempotent, so every replica that has seen
//!   the same ops holds the same marks, whatever the order and however many replays.
//! * A recorded time ahead of the server clock is clamped to the server clock
//!   ([`effective_time`]), so a tablet with a fast clock cannot make its marks
//!   unbeatable for hours to come.
//!
//! Marks saved online get [`Stamp::online`]: the server time with an empty device and op
//! id. A losing op is not thrown away silently: the server records it in the audit log,
//! and the tablet is told it was [`OpResult::Superseded`].
//!
//! Everything here is pure (no clock, no randomness, no I/O), so it compiles for the
//! server and for wasm alike; the client passes `Date.now()` and bytes from
//! `crypto.getRandomValues` into [`OpId::new_v7`].

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::timesheet::Mark;
use super::Bilingual;

/// The client-made id of one [`MarkOp`]: a UUID v7 (RFC 9562) in canonical form.
///
/// It is what makes a replay harmless: the server keeps the ids it has applied and
/// answers [`OpResult::Duplicate`] for one it has seen. Being time-ordered, ids made on one
/// tablet sort in the order they were made (to the millisecond of its clock), which makes
/// them a sensible last tie-break in [`Stamp`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct OpId(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpIdError {
    #[error("operation id is {len} characters long, expected 36")]
    WrongLength { len: usize },
    #[error("operation id has an unexpected character at position {at}")]
    BadCharacter { at: usize },
    #[error("operation id is a UUID of version {found}, expected version 7")]
    NotVersion7 { found: char },
    #[error("operation id has variant digit {found}, expected one of 8, 9, a, b")]
    WrongVariant { found: char },
}

impl OpId {
    /// Length of the canonical text form.
    pub const LEN: usize = 36;
    const DASHES: [usize; 4] = [8, 13, 18, 23];
    const VERSION_AT: usize = 14;
    const VARIANT_AT: usize = 19;
    const TIMESTAMP_BITS: u32 = 48;

    /// Accepts the canonical `8-4-4-4-12` hex form in either case; stores it lowercase so
    /// that equality, ordering and the database key do not depend on the client's case.
    pub fn parse(raw: &str) -> Result<Self, OpIdError> {
        let len = raw.chars().count();
        if len != Self::LEN {
            return Err(OpIdError::WrongLength { len });
        }
        for (at, c) in raw.chars().enumerate() {
            let expected = if Self::DASHES.contains(&at) {
                c == '-'
            } else {
                c.is_ascii_hexdigit()
            };
            if !expected {
                return Err(OpIdError::BadCharacter { at });
            }
        }
        // All ASCII from here on, so byte positions are character positions.
        let normalized = raw.to_ascii_lowercase();
        let digit_at = |at: usize| char::from(normalized.as_bytes()[at]);
        let version = digit_at(Self::VERSION_AT);
        if version != '7' {
            return Err(OpIdError::NotVersion7 { found: version });
        }
        // The variant is the top two bits of this digit: 10xx is 8, 9, a or b.
        let variant = digit_at(Self::VARIANT_AT);
        if !matches!(variant, '8' | '9' | 'a' | 'b') {
            return Err(OpIdError::WrongVariant { found: variant });
        }
        Ok(Self(normalized))
    }

    /// Builds a UUID v7 from a Unix time in milliseconds and ten random bytes.
    ///
    /// Layout (RFC 9562, section 5.7): 48 bits of `unix_ms`, the version `7`, 12 bits of
    /// `rand_a`, the variant `10`, 62 bits of `rand_b`. The random bits come from
    /// `random` in order; the 6 bits that do not fit (the high nibble of `random[0]` and
    /// the top two bits of `random[2]`) are dropped. Only the low 48 bits of `unix_ms`
    /// are kept, which lasts until the year 10889.
    pub fn new_v7(unix_ms: u64, random: [u8; 10]) -> Self {
        let mut bytes = [0u8; 16];
        bytes[..6].copy_from_slice(&unix_ms.to_be_bytes()[2..]);
        bytes[6] = 0x70 | (random[0] & 0x0F);
        bytes[7] = random[1];
        bytes[8] = 0x80 | (random[2] & 0x3F);
        bytes[9..].copy_from_slice(&random[3..]);

        let mut text = String::with_capacity(Self::LEN);
        for (i, byte) in bytes.iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                text.push('-');
            }
            text.push(hex_digit(byte >> 4));
            text.push(hex_digit(byte & 0x0F));
        }
        Self(text)
    }

    /// The Unix time in milliseconds the id was made at, by the client's clock.
    pub fn timestamp_ms(&self) -> u64 {
        let digits = Self::TIMESTAMP_BITS as usize / 4;
        self.0
            .chars()
            .filter(|&c| c != '-')
            .take(digits)
            .filter_map(|c| c.to_digit(16))
            .fold(0, |acc, digit| (acc << 4) | u64::from(digit))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn hex_digit(nibble: u8) -> char {
    char::from_digit(u32::from(nibble), 16).expect("a nibble is below 16")
}

impl fmt::Display for OpId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for OpId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl FromStr for OpId {
    type Err = OpIdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for OpId {
    type Error = OpIdError;

    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::parse(&raw)
    }
}

impl From<OpId> for String {
    fn from(id: OpId) -> Self {
        id.0
    }
}

impl Bilingual for OpIdError {
    fn ru(&self) -> String {
        format!("Отметка повреждена: неверный идентификатор операции ({self}).")
    }

    fn en(&self) -> String {
        format!("The mark is damaged: invalid operation id ({self}).")
    }
}

/// The tablet (more exactly, the browser profile) an op was recorded on.
///
/// Made once per installation by the client and kept in its storage. It is part of the
/// [`Stamp`], so it is restricted to a short ASCII alphabet that sorts the same in Rust,
/// JavaScript and SQLite.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DeviceId(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeviceIdError {
    #[error("device id is empty")]
    Empty,
    #[error("device id is {len} characters long, at most {max} allowed")]
    TooLong { len: usize, max: usize },
    #[error("device id contains {found:?}; only A-Z, a-z, 0-9, '_' and '-' are allowed")]
    BadCharacter { found: char },
}

impl DeviceId {
    pub const MAX_LEN: usize = 64;

    pub fn parse(raw: &str) -> Result<Self, DeviceIdError> {
        if raw.is_empty() {
            return Err(DeviceIdError::Empty);
        }
        if let Some(found) = raw
            .chars()
            .find(|&c| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        {
            return Err(DeviceIdError::BadCharacter { found });
        }
        // Only ASCII is left, so bytes are characters.
        if raw.len() > Self::MAX_LEN {
            return Err(DeviceIdError::TooLong {
                len: raw.len(),
                max: Self::MAX_LEN,
            });
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DeviceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for DeviceId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl FromStr for DeviceId {
    type Err = DeviceIdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for DeviceId {
    type Error = DeviceIdError;

    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::parse(&raw)
    }
}

impl From<DeviceId> for String {
    fn from(id: DeviceId) -> Self {
        id.0
    }
}

impl Bilingual for DeviceIdError {
    fn ru(&self) -> String {
        format!("Отметка повреждена: неверный идентификатор устройства ({self}).")
    }

    fn en(&self) -> String {
        format!("The mark is damaged: invalid device id ({self}).")
    }
}

/// One mark as a teacher recorded it on a tablet, queued until the server answers for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarkOp {
    pub op_id: OpId,
    pub child_id: i64,
    pub day: NaiveDate,
    pub mark: Mark,
    pub device: DeviceId,
    /// Unix time in milliseconds by the tablet's clock when the teacher made the mark.
    pub recorded_at: i64,
}

impl MarkOp {
    /// The child-day this op sets; at most one mark is stored per key.
    pub fn key(&self) -> (i64, NaiveDate) {
        (self.child_id, self.day)
    }

    /// The stamp this op competes with, its recorded time clamped to `server_now`.
    pub fn stamp(&self, server_now: i64) -> Stamp {
        Stamp {
            recorded_at: effective_time(self.recorded_at, server_now),
            device: self.device.as_str().to_owned(),
            op_id: self.op_id.as_str().to_owned(),
        }
    }
}

/// The position of a mark in the merge order; see the module docs.
///
/// The derived `Ord` compares the fields in declaration order, and that order *is* the
/// merge rule: do not reorder them. Device and op id are plain strings rather than
/// [`DeviceId`]/[`OpId`] because a mark saved online has neither (both empty), and an
/// empty string sorts before any id, so at the same millisecond an offline op wins over
/// an online save. That tie is an arbitrary but fixed choice.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Stamp {
    /// Unix milliseconds: the client's time clamped by [`effective_time`] for an op, the
    /// server's time for an online save.
    pub recorded_at: i64,
    pub device: String,
    pub op_id: String,
}

impl Stamp {
    /// The stamp of a mark saved online, at the server's `server_now`.
    pub fn online(server_now: i64) -> Self {
        Self {
            recorded_at: server_now,
            device: String::new(),
            op_id: String::new(),
        }
    }
}

/// Whether an incoming mark replaces the stored one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    /// The incoming mark replaces the current one.
    Wins,
    /// The current mark stays; the incoming one only goes to the audit log.
    Loses,
}

/// The merge rule: the greater stamp wins, and anything wins over no mark at all.
///
/// An equal stamp loses, so that the same op arriving twice is a no-op even where the
/// applied-ops check is missing (different ops never have equal stamps: op ids are
/// unique).
pub fn resolve(current: Option<&Stamp>, incoming: &Stamp) -> Resolution {
    match current {
        Some(current) if incoming <= current => Resolution::Loses,
        _ => Resolution::Wins,
    }
}

/// The time an op competes with: its recorded time, but never later than the server's.
///
/// A tablet whose clock runs ahead would otherwise win every conflict until real time
/// caught up with it, overriding corrections made meanwhile online or on other tablets.
/// Refusing such ops instead would lose real attendance over a bad clock, so they are
/// clamped. There is deliberately no tolerance window: any time ahead of the server is
/// an error, and letting it stand would only let the op beat online saves made in the next
/// few minutes. Ops of one tablet clamped to the same time still keep the order they were
/// made in (to the millisecond), through the time-ordered op id in the [`Stamp`].
pub fn effective_time(recorded_at: i64, server_now: i64) -> i64 {
    recorded_at.min(server_now)
}

/// Why the server did not apply an op. Shown to the teacher as a conflict next to the
/// child and day of the op, so each message stands on its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Refusal {
    #[error("the month is closed")]
    MonthClosed,
    #[error("the user may not mark this child")]
    NoRights,
    #[error("the child was not enrolled in the group on that day")]
    ChildNotEnrolled,
    /// The child had moved: on the op's day it was in `group`, which the user may not
    /// mark (the teacher of the old group marking a day after the transfer).
    #[error("the child was in the group {group:?} on that day")]
    ChildInOtherGroup { group: String },
    #[error("the day is not a working day")]
    DayNotWorking,
    #[error("the day is in the future")]
    FutureDay,
    /// `code` is the [`AbsenceReason::code`](super::timesheet::AbsenceReason) the tablet sent.
    #[error("unknown absence reason {code:?}")]
    UnknownReason { code: String },
    #[error("unknown child")]
    UnknownChild,
    /// A malformed op; `detail` is for support, in English.
    #[error("invalid operation: {detail}")]
    Invalid { detail: String },
}

#[cfg(test)]
impl Refusal {
    /// One refusal of each kind, with its fields filled: a new kind fails to compile
    /// until it is added here, so every test that walks the kinds sees it.
    pub(crate) fn every_kind() -> Vec<Refusal> {
        let all = vec![
            Refusal::MonthClosed,
            Refusal::NoRights,
            Refusal::ChildNotEnrolled,
            Refusal::ChildInOtherGroup {
                group: "Старшая".into(),
            },
            Refusal::DayNotWorking,
            Refusal::FutureDay,
            Refusal::UnknownReason { code: "Щ".into() },
            Refusal::UnknownChild,
            Refusal::Invalid {
                detail: "day out of range".into(),
            },
        ];
        for refusal in &all {
            match refusal {
                Refusal::MonthClosed
                | Refusal::NoRights
                | Refusal::ChildNotEnrolled
                | Refusal::ChildInOtherGroup { .. }
                | Refusal::DayNotWorking
                | Refusal::FutureDay
                | Refusal::UnknownReason { .. }
                | Refusal::UnknownChild
                | Refusal::Invalid { .. } => {}
            }
        }
        all
    }
}

impl Bilingual for Refusal {
    fn ru(&self) -> String {
        match self {
            Self::MonthClosed => "Табель за этот месяц уже закрыт, отметку изменить нельзя. \
                 Если она нужна, обратитесь к администратору."
                .into(),
            Self::NoRights => "У вас нет прав отмечать этого ребёнка: \
                 возможно, вас открепили от группы."
                .into(),
            Self::ChildNotEnrolled => "В этот день ребёнок не числился в группе.".into(),
            Self::ChildInOtherGroup { group } => format!(
                "В этот день ребёнок уже числился в группе «{group}» (перевод по приказу): \
                 отметку ставит воспитатель той группы."
            ),
            Self::DayNotWorking => {
                "Этот день выходной или праздничный, отметки в нём не ставятся.".into()
            }
            Self::FutureDay => "Этот день ещё не наступил, отметить его пока нельзя.".into(),
            Self::UnknownReason { code } => format!(
                "Причины отсутствия «{code}» нет в справочнике. Отметьте день заново, \
                 выбрав причину из списка."
            ),
            Self::UnknownChild => "Ребёнок не найден: возможно, его карточка удалена.".into(),
            Self::Invalid { detail } => format!(
                "Отметка повреждена и не сохранена. Отметьте день заново. \
                 Для техподдержки: {detail}."
            ),
        }
    }

    fn en(&self) -> String {
        match self {
            Self::MonthClosed => "The timesheet for this month is closed, so the mark cannot \
                 be changed. Ask the administrator if it is needed."
                .into(),
            Self::NoRights => "You may not mark this child: perhaps you are no longer \
                 assigned to the group."
                .into(),
            Self::ChildNotEnrolled => "The child was not enrolled in the group on that day.".into(),
            Self::ChildInOtherGroup { group } => format!(
                "On that day the child was already in the group «{group}» (transferred by an \
                 order): that group's teacher marks it."
            ),
            Self::DayNotWorking => "That day is a weekend or holiday; it takes no marks.".into(),
            Self::FutureDay => "That day has not come yet, so it cannot be marked.".into(),
            Self::UnknownReason { code } => format!(
                "The absence reason «{code}» is not in the reference book. Mark the day again, \
                 choosing a reason from the list."
            ),
            Self::UnknownChild => {
                "The child was not found: the record may have been deleted.".into()
            }
            Self::Invalid { detail } => format!(
                "The mark is damaged and was not saved. Mark the day again. For support: \
                 {detail}."
            ),
        }
    }
}

/// What the server decided about one op.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum OpResult {
    /// The op's mark is now the stored mark.
    Applied,
    /// The op was recorded (audit log, applied ops) but a mark with a greater stamp stays.
    Superseded { by: Stamp },
    /// The op had been taken before; this is a replay.
    Duplicate,
    /// The op was not applied and nothing was recorded; the teacher must see why.
    Refused(Refusal),
}

impl OpResult {
    /// Whether the server has taken a decision on the op, so the client stops sending it.
    ///
    /// Every outcome is one, a refusal included (it moves to the conflicts list instead of
    /// being retried). What is *not* an outcome is a transport error or a response without
    /// the op in it: then the client keeps the op queued and sends it again, which is
    /// harmless because a replay comes back [`OpResult::Duplicate`].
    pub fn acknowledged(&self) -> bool {
        // Spelled out so that a new variant forces a decision here.
        match self {
            Self::Applied | Self::Superseded { .. } | Self::Duplicate | Self::Refused(_) => true,
        }
    }

    /// The refusal to show the teacher, if the op was refused.
    pub fn refusal(&self) -> Option<&Refusal> {
        match self {
            Self::Refused(refusal) => Some(refusal),
            _ => None,
        }
    }
}

/// The server's answer for one op of a batch. The id is as the op carried it (a damaged
/// op's id may be no valid [`OpId`]; the client finds its op by that string).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpOutcome {
    pub op_id: String,
    pub result: OpResult,
}

/// One op of a batch as it came over the wire. Each is read on its own, so a damaged op
/// is refused alone ([`Refusal::Invalid`]) and the rest of its batch is still taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WireOp {
    Read(MarkOp),
    /// Not a valid op: its `op_id` as sent (empty if it had none) and what is wrong.
    Damaged {
        op_id: String,
        detail: String,
    },
}

impl WireOp {
    /// The longest id and explanation echoed back.
    const ECHO_CHARS: usize = 200;

    pub fn from_json(value: serde_json::Value) -> Self {
        let op_id = value
            .get("op_id")
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .chars()
            .take(Self::ECHO_CHARS)
            .collect();
        match serde_json::from_value::<MarkOp>(value) {
            Ok(op) => Self::Read(op),
            Err(err) => Self::Damaged {
                op_id,
                detail: err.to_string().chars().take(Self::ECHO_CHARS).collect(),
            },
        }
    }
}

impl<'de> Deserialize<'de> for WireOp {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        serde_json::Value::deserialize(deserializer).map(Self::from_json)
    }
}

impl Serialize for WireOp {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Read(op) => op.serialize(serializer),
            Self::Damaged { op_id, .. } => {
                serde_json::json!({ "op_id": op_id }).serialize(serializer)
            }
        }
    }
}

/// The body of `POST /api/sync_marks`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncRequest {
    pub device: DeviceId,
    /// Whose ops these are: see [`check_author`]. Tablets before it sent none.
    #[serde(default)]
    pub author: Option<i64>,
    pub ops: Vec<MarkOp>,
}

/// The answer to `POST /api/sync_marks`: one outcome per op, in the order sent, and the
/// server clock so the client can estimate its skew.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncResponse {
    pub outcomes: Vec<OpOutcome>,
    /// Unix milliseconds.
    pub server_time: i64,
}

/// The most ops one request may carry; the client sends a longer queue in chunks. It
/// bounds the request size and the time the server spends on one request.
pub const MAX_BATCH: usize = 200;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BatchError {
    #[error("batch of {len} operations, at most {max} allowed")]
    TooLarge { len: usize, max: usize },
}

impl Bilingual for BatchError {
    fn ru(&self) -> String {
        match self {
            Self::TooLarge { len, max } => format!(
                "Слишком много отметок в одной отправке: {len}, допустимо не более {max}. \
                 Обновите приложение."
            ),
        }
    }

    fn en(&self) -> String {
        match self {
            Self::TooLarge { len, max } => format!(
                "Too many marks in one upload: {len}, at most {max} allowed. \
                 Update the app."
            ),
        }
    }
}

/// Checks a batch as a whole before any op of it is applied.
///
/// An empty batch is fine (a client checking in), and so is an op id repeated within the
/// batch: the second copy simply comes back [`OpResult::Duplicate`].
pub fn check_batch<T>(ops: &[T]) -> Result<(), BatchError> {
    if ops.len() > MAX_BATCH {
        return Err(BatchError::TooLarge {
            len: ops.len(),
            max: MAX_BATCH,
        });
    }
    Ok(())
}

/// The cookie that tells a tablet's scripts who is signed in (the person's id, readable
/// by JavaScript, unlike the session cookie). offline.js stamps every op it queues with
/// it and sends only the ops of the person signed in; the service worker keeps pages
/// apart by it.
pub const AUTHOR_COOKIE: &str = "tabel_author";

/// A batch made under one account arrived under another's session.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("ops of person {author} sent under the session of person {signed_in}")]
pub struct WrongAuthor {
    pub author: i64,
    pub signed_in: i64,
}

impl Bilingual for WrongAuthor {
    fn ru(&self) -> String {
        "Эти отметки сделаны под другой учётной записью и не приняты: они отправятся, \
         когда войдёт тот, кто их поставил."
            .to_owned()
    }

    fn en(&self) -> String {
        "These marks were made under another account and were not taken: they are sent \
         when the person who made them signs in."
            .to_owned()
    }
}

/// On a shared tablet, teacher A's queued marks must reach the server as A's, never
/// under B who signed in after her: the whole batch is refused unless its author is the
/// person signed in. A batch without an author (a tablet running the script from before
/// authors were sent) is taken as the signed-in person's, as it always was.
pub fn check_author(author: Option<i64>, signed_in: i64) -> Result<(), WrongAuthor> {
    match author {
        Some(author) if author != signed_in => Err(WrongAuthor { author, signed_in }),
        _ => Ok(()),
    }
}

/// An in-memory model of the server's marks and applied-ops table, used to test the merge
/// rule; the server runs the same steps in SQL, one transaction per op.
///
/// Refusals are outside the model: they depend on the database (closed months, rights,
/// enrolment), come after the duplicate check, and record nothing, so a refused op sent
/// again is checked again.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Replica {
    pub marks: BTreeMap<(i64, NaiveDate), (Stamp, Mark)>,
    pub applied: BTreeSet<OpId>,
}

impl Replica {
    /// Applies an op taking its recorded time as is (as if every clock were right).
    pub fn apply(&mut self, op: &MarkOp) -> OpResult {
        self.apply_at(op, i64::MAX)
    }

    /// Applies an op arriving when the server clock reads `server_now`.
    pub fn apply_at(&mut self, op: &MarkOp, server_now: i64) -> OpResult {
        // The id check comes first: a replay must be acknowledged as such even if the
        // stored mark has changed since, or the op would be applied a second time.
        if !self.applied.insert(op.op_id.clone()) {
            return OpResult::Duplicate;
        }
        let incoming = op.stamp(server_now);
        let current = self.marks.get(&op.key()).map(|(stamp, _)| stamp);
        match (resolve(current, &incoming), current) {
            (Resolution::Loses, Some(winner)) => OpResult::Superseded { by: winner.clone() },
            _ => {
                self.marks.insert(op.key(), (incoming, op.mark.clone()));
                OpResult::Applied
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_goes_only_under_its_authors_session() {
        assert_eq!(check_author(Some(7), 7), Ok(()));
        assert_eq!(
            check_author(Some(7), 8),
            Err(WrongAuthor {
                author: 7,
                signed_in: 8
            })
        );
        assert_eq!(
            check_author(None, 8),
            Ok(()),
            "a tablet from before authors"
        );
        let request: SyncRequest = serde_json::from_str(r#"{"device":"tab-1","ops":[]}"#).unwrap();
        assert_eq!(request.author, None);
    }

    /// RFC 9562, appendix A.6.
    const RFC_TIMESTAMP: u64 = 0x017F_22E2_79B0;
    const RFC_RANDOM: [u8; 10] = [0x0C, 0xC3, 0x18, 0xC4, 0xDC, 0x0C, 0x0C, 0x07, 0x39, 0x8F];
    const RFC_UUID: &str = "017f22e2-79b0-7cc3-98c4-dc0c0c07398f";

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 3, d).unwrap()
    }

    fn stamp(recorded_at: i64, device: &str, op_id: &str) -> Stamp {
        Stamp {
            recorded_at,
            device: device.into(),
            op_id: op_id.into(),
        }
    }

    fn op(seq: u8, device: &str, recorded_at: i64, mark: Mark) -> MarkOp {
        MarkOp {
            op_id: OpId::new_v7(recorded_at as u64, [seq; 10]),
            child_id: 7,
            day: day(3),
            mark,
            device: DeviceId::parse(device).unwrap(),
            recorded_at,
        }
    }

    #[test]
    fn new_v7_reproduces_the_rfc_example() {
        let id = OpId::new_v7(RFC_TIMESTAMP, RFC_RANDOM);
        assert_eq!(id.as_str(), RFC_UUID);
        assert_eq!(id.as_str().chars().nth(14), Some('7'));
        assert_eq!(id.as_str().chars().nth(19), Some('9'));
        assert_eq!(id.timestamp_ms(), RFC_TIMESTAMP);
    }

    #[test]
    fn new_v7_round_trips_through_parse() {
        let id = OpId::new_v7(RFC_TIMESTAMP, RFC_RANDOM);
        assert_eq!(OpId::parse(id.as_str()), Ok(id.clone()));
        assert_eq!(id.to_string(), RFC_UUID);
        assert_eq!(RFC_UUID.parse::<OpId>(), Ok(id));
    }

    #[test]
    fn new_v7_never_lets_random_bits_overwrite_version_or_variant() {
        assert_eq!(
            OpId::new_v7(0, [0xFF; 10]).as_str(),
            "00000000-0000-7fff-bfff-ffffffffffff"
        );
        assert_eq!(
            OpId::new_v7(0, [0; 10]).as_str(),
            "00000000-0000-7000-8000-000000000000"
        );
    }

    #[test]
    fn new_v7_keeps_the_low_48_bits_of_the_time() {
        let max = (1u64 << 48) - 1;
        assert_eq!(OpId::new_v7(max, [0; 10]).timestamp_ms(), max);
        assert_eq!(OpId::new_v7(max + 1, [0; 10]).timestamp_ms(), 0);
    }

    #[test]
    fn ids_sort_by_time() {
        let earlier = OpId::new_v7(1_700_000_000_000, [0xFF; 10]);
        let later = OpId::new_v7(1_700_000_000_001, [0; 10]);
        assert!(earlier < later);
    }

    #[test]
    fn parse_normalises_to_lowercase() {
        let id = OpId::parse(&RFC_UUID.to_uppercase()).unwrap();
        assert_eq!(id.as_str(), RFC_UUID);
        assert_eq!(id, OpId::parse(RFC_UUID).unwrap());
    }

    #[test]
    fn parse_rejects_wrong_lengths() {
        assert_eq!(OpId::parse(""), Err(OpIdError::WrongLength { len: 0 }));
        assert_eq!(
            OpId::parse(&RFC_UUID[..35]),
            Err(OpIdError::WrongLength { len: 35 })
        );
        assert_eq!(
            OpId::parse(&format!("{RFC_UUID}0")),
            Err(OpIdError::WrongLength { len: 37 })
        );
        assert_eq!(
            OpId::parse(&format!("{{{RFC_UUID}}}")),
            Err(OpIdError::WrongLength { len: 38 })
        );
    }

    #[test]
    fn parse_rejects_bad_characters_and_misplaced_dashes() {
        assert_eq!(
            OpId::parse("017f22e2-79b0-7cc3-98c4-dc0c0c07398g"),
            Err(OpIdError::BadCharacter { at: 35 })
        );
        assert_eq!(
            OpId::parse("017f22e279b0-7cc3-98c4-dc0c0c07398f-"),
            Err(OpIdError::BadCharacter { at: 8 })
        );
        // Same length in characters, but Cyrillic «а» is not a hex digit.
        assert_eq!(
            OpId::parse("017f22e2-79b0-7cc3-98c4-dc0c0c07398а"),
            Err(OpIdError::BadCharacter { at: 35 })
        );
        assert_eq!(
            OpId::parse("017f22e2 79b0 7cc3 98c4 dc0c0c07398f"),
            Err(OpIdError::BadCharacter { at: 8 })
        );
    }

    #[test]
    fn parse_rejects_other_versions_and_variants() {
        assert_eq!(
            OpId::parse("550e8400-e29b-41d4-a716-446655440000"),
            Err(OpIdError::NotVersion7 { found: '4' })
        );
        assert_eq!(
            OpId::parse("00000000-0000-0000-0000-000000000000"),
            Err(OpIdError::NotVersion7 { found: '0' })
        );
        assert_eq!(
            OpId::parse("017f22e2-79b0-7cc3-c8c4-dc0c0c07398f"),
            Err(OpIdError::WrongVariant { found: 'c' })
        );
        assert_eq!(
            OpId::parse("017F22E2-79B0-7CC3-78C4-DC0C0C07398F"),
            Err(OpIdError::WrongVariant { found: '7' })
        );
    }

    #[test]
    fn op_id_serializes_as_a_string_and_deserializes_through_parse() {
        let id = OpId::new_v7(RFC_TIMESTAMP, RFC_RANDOM);
        assert_eq!(
            serde_json::to_string(&id).unwrap(),
            format!("\"{RFC_UUID}\"")
        );
        let upper = format!("\"{}\"", RFC_UUID.to_uppercase());
        assert_eq!(serde_json::from_str::<OpId>(&upper).unwrap(), id);
        assert!(serde_json::from_str::<OpId>("\"550e8400-e29b-41d4-a716-446655440000\"").is_err());
    }

    #[test]
    fn device_id_accepts_the_allowed_alphabet_up_to_64_characters() {
        assert!(DeviceId::parse("tab-03_Kitchen").is_ok());
        assert!(DeviceId::parse(&"x".repeat(64)).is_ok());
    }

    #[test]
    fn device_id_rejects_empty_long_and_foreign_characters() {
        assert_eq!(DeviceId::parse(""), Err(DeviceIdError::Empty));
        assert_eq!(
            DeviceId::parse(&"x".repeat(65)),
            Err(DeviceIdError::TooLong { len: 65, max: 64 })
        );
        assert_eq!(
            DeviceId::parse("tab 1"),
            Err(DeviceIdError::BadCharacter { found: ' ' })
        );
        assert_eq!(
            DeviceId::parse("планшет"),
            Err(DeviceIdError::BadCharacter { found: 'п' })
        );
        assert!(serde_json::from_str::<DeviceId>("\"a/b\"").is_err());
    }

    #[test]
    fn anything_wins_over_no_mark() {
        assert_eq!(resolve(None, &stamp(0, "", "")), Resolution::Wins);
    }

    #[test]
    fn later_recorded_time_wins_whatever_the_device_and_id() {
        let current = stamp(1_000, "zz", "ffff");
        assert_eq!(
            resolve(Some(&current), &stamp(1_001, "aa", "0000")),
            Resolution::Wins
        );
        assert_eq!(
            resolve(Some(&current), &stamp(999, "zz", "ffff")),
            Resolution::Loses
        );
    }

    #[test]
    fn ties_are_broken_by_device_then_op_id() {
        let current = stamp(1_000, "b", "5");
        assert_eq!(
            resolve(Some(&current), &stamp(1_000, "c", "0")),
            Resolution::Wins
        );
        assert_eq!(
            resolve(Some(&current), &stamp(1_000, "a", "9")),
            Resolution::Loses
        );
        assert_eq!(
            resolve(Some(&current), &stamp(1_000, "b", "6")),
            Resolution::Wins
        );
        assert_eq!(
            resolve(Some(&current), &stamp(1_000, "b", "4")),
            Resolution::Loses
        );
    }

    #[test]
    fn an_equal_stamp_keeps_the_current_mark() {
        let current = stamp(1_000, "b", "5");
        assert_eq!(resolve(Some(&current), &current.clone()), Resolution::Loses);
    }

    #[test]
    fn an_op_wins_over_an_online_save_of_the_same_millisecond() {
        let online = Stamp::online(1_000);
        assert_eq!(
            resolve(Some(&online), &stamp(1_000, "tab", "id")),
            Resolution::Wins
        );
        assert_eq!(
            resolve(Some(&stamp(1_000, "tab", "id")), &online),
            Resolution::Loses
        );
    }

    #[test]
    fn effective_time_clamps_only_the_future() {
        assert_eq!(effective_time(900, 1_000), 900);
        assert_eq!(effective_time(1_000, 1_000), 1_000);
        assert_eq!(effective_time(1_001, 1_000), 1_000);
        assert_eq!(effective_time(i64::MAX, 1_000), 1_000);
    }

    #[test]
    fn a_fast_clock_cannot_beat_a_later_online_correction() {
        let mut replica = Replica::default();
        let hour = 3_600_000;
        // The tablet's clock is an hour ahead; the op arrives at server time 10_000.
        let fast = op(1, "tab", 10_000 + hour, Mark::Present);
        assert_eq!(replica.apply_at(&fast, 10_000), OpResult::Applied);
        assert_eq!(replica.marks[&fast.key()].0.recorded_at, 10_000);
        let correction = Stamp::online(10_001);
        assert_eq!(
            resolve(Some(&replica.marks[&fast.key()].0), &correction),
            Resolution::Wins
        );
    }

    #[test]
    fn a_later_op_supersedes_an_earlier_one_arriving_after_it() {
        let mut replica = Replica::default();
        let absent = Mark::Absent {
            reason: Some("Б".into()),
        };
        let later = op(1, "tab-b", 2_000, absent.clone());
        let earlier = op(2, "tab-a", 1_000, Mark::Present);
        assert_eq!(replica.apply(&later), OpResult::Applied);
        assert_eq!(
            replica.apply(&earlier),
            OpResult::Superseded {
                by: later.stamp(i64::MAX)
            }
        );
        assert_eq!(replica.marks[&later.key()].1, absent);
        assert_eq!(replica.apply(&earlier), OpResult::Duplicate);
        assert_eq!(replica.applied.len(), 2);
    }

    #[test]
    fn batch_size_is_limited() {
        let one = op(1, "tab", 1_000, Mark::Present);
        assert_eq!(check_batch::<MarkOp>(&[]), Ok(()));
        assert_eq!(check_batch(&vec![one.clone(); MAX_BATCH]), Ok(()));
        assert_eq!(
            check_batch(&vec![one; MAX_BATCH + 1]),
            Err(BatchError::TooLarge {
                len: MAX_BATCH + 1,
                max: MAX_BATCH
            })
        );
    }

    #[test]
    fn every_result_is_an_acknowledgement() {
        let results = [
            OpResult::Applied,
            OpResult::Superseded {
                by: Stamp::online(1),
            },
            OpResult::Duplicate,
            OpResult::Refused(Refusal::MonthClosed),
        ];
        assert!(results.iter().all(OpResult::acknowledged));
        assert_eq!(
            results.iter().filter_map(OpResult::refusal).count(),
            1,
            "only a refusal goes to the conflicts list"
        );
    }

    #[test]
    fn refusals_have_messages_in_both_languages() {
        for refusal in &Refusal::every_kind() {
            let (ru, en) = (refusal.ru(), refusal.en());
            assert!(ru.chars().any(|c| ('а'..='я').contains(&c)), "{ru}");
            assert!(en.is_ascii() || en.contains('«'), "{en}");
            assert!(ru.ends_with('.') && en.ends_with('.'));
        }
        let named = |refusal: &Refusal, name: &str| {
            refusal.ru().contains(name) && refusal.en().contains(name)
        };
        let every = Refusal::every_kind();
        assert!(every
            .iter()
            .any(|r| matches!(r, Refusal::UnknownReason { .. }) && named(r, "«Щ»")));
        assert!(every
            .iter()
            .any(|r| matches!(r, Refusal::ChildInOtherGroup { .. }) && named(r, "«Старшая»")));
    }

    #[test]
    fn each_op_of_a_batch_is_read_on_its_own() {
        let good = r#"{"op_id": "017f22e2-79b0-7cc3-98c4-dc0c0c07398f", "child_id": 42,
            "day": "2025-03-03", "mark": "Present", "device": "tab-3f9c2a",
            "recorded_at": 1741000000000}"#;
        let batch = format!(
            r#"[{good}, {{"op_id": "nope", "child_id": 42}}, 7, {}]"#,
            good.replace("2025-03-03", "2025-02-30")
        );
        let ops: Vec<WireOp> = serde_json::from_str(&batch).unwrap();
        assert!(matches!(&ops[0], WireOp::Read(op) if op.child_id == 42));
        assert!(matches!(&ops[1], WireOp::Damaged { op_id, .. } if op_id == "nope"));
        assert!(matches!(&ops[2], WireOp::Damaged { op_id, .. } if op_id.is_empty()));
        match &ops[3] {
            WireOp::Damaged { op_id, detail } => {
                assert_eq!(op_id, "017f22e2-79b0-7cc3-98c4-dc0c0c07398f");
                assert!(detail.contains("input is out of range"), "{detail}");
            }
            other => panic!("a 30 February was read: {other:?}"),
        }
        // A readable op goes out exactly as a MarkOp would.
        let WireOp::Read(op) = &ops[0] else {
            unreachable!()
        };
        assert_eq!(
            serde_json::to_value(&ops[0]).unwrap(),
            serde_json::to_value(op).unwrap()
        );
    }

    #[test]
    fn wire_format_matches_the_protocol_document() {
        let op_json = r#"{
            "op_id": "017f22e2-79b0-7cc3-98c4-dc0c0c07398f",
            "child_id": 42,
            "day": "2025-03-03",
            "mark": { "Absent": { "reason": "Б" } },
            "device": "tab-3f9c2a",
            "recorded_at": 1741000000000
        }"#;
        let op: MarkOp = serde_json::from_str(op_json).unwrap();
        assert_eq!(op.day, day(3));
        assert_eq!(
            serde_json::from_str::<Mark>(r#""Present""#).unwrap(),
            Mark::Present
        );

        let response = SyncResponse {
            outcomes: vec![
                OpOutcome {
                    op_id: op.op_id.to_string(),
                    result: OpResult::Applied,
                },
                OpOutcome {
                    op_id: op.op_id.to_string(),
                    result: OpResult::Superseded {
                        by: Stamp::online(1_741_000_100_000),
                    },
                },
                OpOutcome {
                    op_id: op.op_id.to_string(),
                    result: OpResult::Refused(Refusal::UnknownReason { code: "Щ".into() }),
                },
                OpOutcome {
                    op_id: op.op_id.to_string(),
                    result: OpResult::Refused(Refusal::MonthClosed),
                },
            ],
            server_time: 1_741_000_200_000,
        };
        let json = serde_json::to_value(&response).unwrap();
        let expected = serde_json::json!({
            "outcomes": [
                { "op_id": RFC_UUID, "result": { "status": "applied" } },
                { "op_id": RFC_UUID, "result": { "status": "superseded", "by":
                    { "recorded_at": 1_741_000_100_000_i64, "device": "", "op_id": "" } } },
                { "op_id": RFC_UUID, "result": { "status": "refused", "kind": "unknown_reason", "code": "Щ" } },
                { "op_id": RFC_UUID, "result": { "status": "refused", "kind": "month_closed" } }
            ],
            "server_time": 1_741_000_200_000_i64
        });
        assert_eq!(json, expected);
        assert_eq!(
            serde_json::from_value::<SyncResponse>(json).unwrap(),
            response
        );

        let request: SyncRequest = serde_json::from_str(&format!(
            r#"{{ "device": "tab-3f9c2a", "ops": [{op_json}] }}"#
        ))
        .unwrap();
        assert_eq!(request.ops, vec![op]);
    }
}

#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;

    /// Few children, days, devices and times, so that ops collide on child-days and tie
    /// on time and device, which is where the merge rule earns its keep.
    fn ops() -> impl Strategy<Value = Vec<MarkOp>> {
        let one = (
            1i64..=2,
            1u32..=2,
            prop_oneof![
                Just(Mark::Present),
                Just(Mark::Absent { reason: None }),
                Just(Mark::Absent {
                    reason: Some("Б".into())
                }),
            ],
            prop::sample::select(vec!["tab-a", "tab-b"]),
            0i64..4,
            any::<[u8; 10]>(),
        );
        prop::collection::vec(one, 0..24).prop_map(|specs| {
            specs
                .into_iter()
                .enumerate()
                .map(
                    |(seq, (child_id, d, mark, device, recorded_at, mut random))| {
                        // Distinct ops need distinct ids; the random prefix still shuffles
                        // their order among ops of the same millisecond.
                        random[8..].copy_from_slice(&(seq as u16).to_be_bytes());
                        MarkOp {
                            op_id: OpId::new_v7(recorded_at as u64, random),
                            child_id,
                            day: NaiveDate::from_ymd_opt(2025, 3, d).unwrap(),
                            mark,
                            device: DeviceId::parse(device).unwrap(),
                            recorded_at,
                        }
                    },
                )
                .collect()
        })
    }

    /// Ops plus an arrival order that delivers each at least once, some several times.
    fn ops_and_arrivals() -> impl Strategy<Value = (Vec<MarkOp>, Vec<usize>)> {
        ops().prop_flat_map(|ops| {
            let n = ops.len();
            let repeats = prop::collection::vec(0..n.max(1), 0..=2 * n);
            (Just(ops), repeats).prop_flat_map(move |(ops, repeats)| {
                let arrivals: Vec<usize> = (0..n).chain(repeats).collect();
                (Just(ops), Just(arrivals).prop_shuffle())
            })
        })
    }

    fn replica_of<'a>(ops: impl IntoIterator<Item = &'a MarkOp>) -> Replica {
        let mut replica = Replica::default();
        for op in ops {
            replica.apply(op);
        }
        replica
    }

    proptest! {
        #[test]
        fn any_order_with_any_replays_converges((ops, arrivals) in ops_and_arrivals()) {
            let in_order = replica_of(&ops);
            let shuffled = replica_of(arrivals.iter().map(|&i| &ops[i]));
            prop_assert_eq!(&shuffled.marks, &in_order.marks);
            prop_assert_eq!(&shuffled.applied, &in_order.applied);
        }

        #[test]
        fn replaying_a_batch_changes_nothing(ops in ops(), replays in 1usize..4) {
            let mut replica = Replica::default();
            for op in &ops {
                prop_assert_ne!(replica.apply(op), OpResult::Duplicate);
            }
            let after_first = replica.clone();
            for _ in 0..replays {
                for op in &ops {
                    prop_assert_eq!(replica.apply(op), OpResult::Duplicate);
                }
            }
            prop_assert_eq!(replica, after_first);
        }

        #[test]
        fn each_child_day_holds_the_op_with_the_greatest_stamp(
            (ops, arrivals) in ops_and_arrivals()
        ) {
            let replica = replica_of(arrivals.iter().map(|&i| &ops[i]));
            let mut expected: BTreeMap<(i64, NaiveDate), (Stamp, Mark)> = BTreeMap::new();
            for op in &ops {
                let stamp = op.stamp(i64::MAX);
                let greater = expected.get(&op.key()).is_none_or(|(best, _)| stamp > *best);
                if greater {
                    expected.insert(op.key(), (stamp, op.mark.clone()));
                }
            }
            prop_assert_eq!(replica.marks, expected);
        }

        #[test]
        fn superseded_names_a_greater_stamp((ops, arrivals) in ops_and_arrivals()) {
            let mut replica = Replica::default();
            for op in arrivals.iter().map(|&i| &ops[i]) {
                if let OpResult::Superseded { by } = replica.apply(op) {
                    prop_assert!(by > op.stamp(i64::MAX));
                }
            }
        }

        #[test]
        fn resolve_is_a_strict_order(
            a in (0i64..3, "[ab]", "[xy]"),
            b in (0i64..3, "[ab]", "[xy]"),
        ) {
            let a = Stamp { recorded_at: a.0, device: a.1, op_id: a.2 };
            let b = Stamp { recorded_at: b.0, device: b.1, op_id: b.2 };
            let a_over_b = resolve(Some(&b), &a) == Resolution::Wins;
            let b_over_a = resolve(Some(&a), &b) == Resolution::Wins;
            prop_assert!(!(a_over_b && b_over_a));
            prop_assert_eq!(a == b, !a_over_b && !b_over_a);
        }

        #[test]
        fn clamped_time_never_passes_the_server_clock(recorded_at: i64, server_now: i64) {
            let effective = effective_time(recorded_at, server_now);
            prop_assert!(effective <= server_now);
            prop_assert!(effective <= recorded_at);
            prop_assert!(effective == recorded_at || effective == server_now);
        }
    }
}
