//! The server's clock: today's date and the current instant, read in one place so
//! that every rule that depends on "today" asks the same question.

use chrono::NaiveDate;

/// Today in the server's local time zone: the day a teacher marks.
pub fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

/// Milliseconds since the Unix epoch: how instants are stored on both backends.
pub fn now_millis() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// The day a stored instant fell on in the server's local time.
pub fn local_date(at_ms: i64) -> NaiveDate {
    chrono::DateTime::from_timestamp_millis(at_ms)
        .map(|t| t.with_timezone(&chrono::Local).date_naive())
        .unwrap_or_default()
}

/// A stored instant in the server's local time, for people to read.
pub fn local_time(at_ms: i64, format: &str) -> String {
    chrono::DateTime::from_timestamp_millis(at_ms)
        .map(|t| t.with_timezone(&chrono::Local).format(format).to_string())
        .unwrap_or_default()
}
