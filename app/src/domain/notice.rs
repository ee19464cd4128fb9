//! Notices about a child's absence and the mail that carries them: the text a teacher
//! writes, the recipient's language, the letters in Russian and English, the admin's
//! daily summary and how long the outbox waits before trying a failed mail again.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::timesheet::Mark;
use super::Bilingual;

pub use super::lang::Lang;

/// What a teacher writes to a child's parents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeText(String);

pub const NOTICE_TEXT_MAX: usize = 1000;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoticeTextError {
    #[error("empty")]
    Empty,
    #[error("too long")]
    TooLong { chars: usize },
}

impl Bilingual for NoticeTextError {
    fn ru(&self) -> String {
        match self {
            Self::Empty => "Напишите текст уведомления.".into(),
            Self::TooLong { chars } => {
                format!("Текст слишком длинный: {chars} знаков, можно не больше {NOTICE_TEXT_MAX}.")
            }
        }
    }
    fn en(&self) -> String {
        match self {
            Self::Empty => "Write the text of the notice.".into(),
            Self::TooLong { chars } => {
                format!("The text is too long: {chars} characters, at most {NOTICE_TEXT_MAX}.")
            }
        }
    }
}

impl NoticeText {
    pub fn parse(raw: &str) -> Result<Self, NoticeTextError> {
        let text = raw.trim();
        let chars = text.chars().count();
        if chars == 0 {
            Err(NoticeTextError::Empty)
        } else if chars > NOTICE_TEXT_MAX {
            Err(NoticeTextError::TooLong { chars })
        } else {
            Ok(Self(text.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A parent's comment to an answer: optional, but bounded like a notice.
pub fn parse_comment(raw: &str) -> Result<String, NoticeTextError> {
    match NoticeText::parse(raw) {
        Ok(text) => Ok(text.0),
        Err(NoticeTextError::Empty) => Ok(String::new()),
        Err(e) => Err(e),
    }
}

/// A mail ready for the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Letter {
    pub subject: String,
    pub body: String,
}

/// Dates in letters read as people write them: 23.11.2026.
fn day_dmy(iso_day: &str) -> String {
    match iso_day.split('-').collect::<Vec<_>>().as_slice() {
        [y, m, d] => format!("{d}.{m}.{y}"),
        _ => iso_day.to_owned(),
    }
}

/// Tabel asks the parents why the child was away.
pub fn reason_request_letter(
    lang: Lang,
    child: &str,
    group: &str,
    day: &str,
    link: &str,
) -> Letter {
    let day = day_dmy(day);
    match lang {
        Lang::Ru => Letter {
            subject: format!("Табель: {child} отсутствует {day}, укажите причину"),
            body: format!(
                "Здравствуйте!\n\n{child} ({group}) отмечен(а) отсутствующим(ей) {day}, \
                 причина воспитателю неизвестна.\n\
                 Пожалуйста, укажите причину отсутствия в разделе «Уведомления»:\n{link}\n\n\
                 Это письмо отправлено автоматически, отвечать на него не нужно.\n"
            ),
        },
        Lang::En => Letter {
            subject: format!("Tabel: {child} absent on {day}, please give the reason"),
            body: format!(
                "Hello,\n\n{child} ({group}) was marked absent on {day} and the teacher does \
                 not know why.\nPlease give the reason for the absence under “Notices”:\n{link}\n\n\
                 This mail was sent automatically; there is no need to reply.\n"
            ),
        },
    }
}

/// A teacher's own notice about a child's absence.
pub fn teacher_notice_letter(
    lang: Lang,
    child: &str,
    day: &str,
    teacher: &str,
    text: &str,
    link: &str,
) -> Letter {
    let day = day_dmy(day);
    match lang {
        Lang::Ru => Letter {
            subject: format!("Табель: уведомление об отсутствии, {child}, {day}"),
            body: format!(
                "Здравствуйте!\n\n{teacher} пишет об отсутствии {child} {day}:\n\n{text}\n\n\
                 Все уведомления: {link}\n"
            ),
        },
        Lang::En => Letter {
            subject: format!("Tabel: absence notice, {child}, {day}"),
            body: format!(
                "Hello,\n\n{teacher} writes about {child}'s absence on {day}:\n\n{text}\n\n\
                 All notices: {link}\n"
            ),
        },
    }
}

/// One group's day in the admin's daily summary.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupDay {
    pub group_id: i64,
    pub group: String,
    pub enrolled: u32,
    pub present: u32,
    /// Absent children by reason code.
    pub absent_by_reason: BTreeMap<String, u32>,
    /// Absent children nobody has given a reason for yet.
    pub unexplained: u32,
    pub unmarked: u32,
}

impl GroupDay {
    pub fn absent(&self) -> u32 {
        self.absent_by_reason.values().sum::<u32>() + self.unexplained
    }
}

/// Counts a day per group: `groups` in display order, `enrolled` as (child, group) for
/// the children enrolled that day, `marks` by child. Marks of children not enrolled
/// that day (a stale mark after leaving) are not counted.
pub fn tally_day(
    groups: &[(i64, String)],
    enrolled: &[(i64, i64)],
    marks: &BTreeMap<i64, Mark>,
) -> Vec<GroupDay> {
    let mut by_group: BTreeMap<i64, GroupDay> = groups
        .iter()
        .map(|(id, name)| {
            let day = GroupDay {
                group_id: *id,
                group: name.clone(),
                ..GroupDay::default()
            };
            (*id, day)
        })
        .collect();
    for (child, group) in enrolled {
        let Some(day) = by_group.get_mut(group) else {
            continue;
        };
        day.enrolled += 1;
        match marks.get(child) {
            None => day.unmarked += 1,
            Some(Mark::Present) => day.present += 1,
            Some(Mark::Absent { reason: None }) => day.unexplained += 1,
            Some(Mark::Absent { reason: Some(code) }) => {
                *day.absent_by_reason.entry(code.clone()).or_default() += 1
            }
        }
    }
    groups
        .iter()
        .filter_map(|(id, _)| by_group.remove(id))
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnansweredNotice {
    pub child: String,
    pub group: String,
    pub day: String,
}

/// An organisation's day at a glance: who is away by group and reason, and which
/// questions to parents are still open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DailySummary {
    pub organisation: String,
    pub day: String,
    pub groups: Vec<GroupDay>,
    pub unanswered: Vec<UnansweredNotice>,
}

impl DailySummary {
    pub fn total(&self) -> GroupDay {
        let mut total = GroupDay::default();
        for g in &self.groups {
            total.enrolled += g.enrolled;
            total.present += g.present;
            total.unmarked += g.unmarked;
            total.unexplained += g.unexplained;
            for (reason, n) in &g.absent_by_reason {
                *total.absent_by_reason.entry(reason.clone()).or_default() += n;
            }
        }
        total
    }

    /// The summary as a plain-text letter; `reason_names` maps codes to names.
    pub fn letter(
        &self,
        lang: Lang,
        reason_names: &BTreeMap<String, String>,
        link: &str,
    ) -> Letter {
        let day = day_dmy(&self.day);
        let reason_label = |code: &String| match reason_names.get(code) {
            Some(name) => format!("{code} ({name})"),
            None => code.clone(),
        };
        let by_reason = |g: &GroupDay| {
            let unknown = (g.unexplained > 0).then(|| {
                format!(
                    "{}: {}",
                    lang.pick("причина неизвестна", "reason unknown"),
                    g.unexplained
                )
            });
            g.absent_by_reason
                .iter()
                .map(|(code, n)| format!("{}: {n}", reason_label(code)))
                .chain(unknown)
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut body = String::new();
        body += lang.pick("Здравствуйте!\n\n", "Hello,\n\n");
        body += &match lang {
            Lang::Ru => format!("Посещаемость {} за {day}.\n\n", self.organisation),
            Lang::En => format!("Attendance of {} on {day}.\n\n", self.organisation),
        };
        for g in self.groups.iter().chain(std::iter::once(&self.total())) {
            let name = if g.group.is_empty() {
                lang.pick("Всего", "Total")
            } else {
                g.group.as_str()
            };
            body += &match lang {
                Lang::Ru => format!(
                    "{name}: присутствуют {} из {}, отсутствуют {}, не отмечены {}",
                    g.present,
                    g.enrolled,
                    g.absent(),
                    g.unmarked
                ),
                Lang::En => format!(
                    "{name}: {} of {} present, {} absent, {} not marked",
                    g.present,
                    g.enrolled,
                    g.absent(),
                    g.unmarked
                ),
            };
            if g.absent() > 0 {
                body += &format!(" ({})", by_reason(g));
            }
            body += "\n";
        }
        body += "\n";
        if self.unanswered.is_empty() {
            body += lang.pick(
                "Все запросы причин отсутствия родителям отвечены.\n",
                "Parents have answered every request for an absence reason.\n",
            );
        } else {
            body += &match lang {
                Lang::Ru => format!("Без ответа родителей ({}):\n", self.unanswered.len()),
                Lang::En => format!("Not answered by parents ({}):\n", self.unanswered.len()),
            };
            for n in &self.unanswered {
                body += &format!("- {}, {}, {}\n", n.child, n.group, day_dmy(&n.day));
            }
        }
        body += &format!("\n{link}\n");
        Letter {
            subject: match lang {
                Lang::Ru => format!("Табель: сводка за {day}, {}", self.organisation),
                Lang::En => format!("Tabel: summary of {day}, {}", self.organisation),
            },
            body,
        }
    }
}

/// After this many failed attempts a mail is given up (and stays in the outbox as such).
pub const MAX_SEND_ATTEMPTS: u32 = 12;

/// How long to wait after the `attempts`-th failure: doubling from `base_ms`, at most an
/// hour, so a mail server that is down for a while is not hammered and a short outage
/// costs little delay.
pub fn retry_delay_ms(attempts: u32, base_ms: i64) -> i64 {
    const HOUR_MS: i64 = 3_600_000;
    let doublings = attempts.saturating_sub(1).min(30);
    base_ms
        .max(1)
        .saturating_mul(1_i64 << doublings)
        .min(HOUR_MS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notice_text_is_trimmed_and_bounded() {
        assert_eq!(
            NoticeText::parse("  Миша болеет  ").unwrap().as_str(),
            "Миша болеет"
        );
        assert_eq!(NoticeText::parse(" \n "), Err(NoticeTextError::Empty));
        let long = "я".repeat(NOTICE_TEXT_MAX + 1);
        assert_eq!(
            NoticeText::parse(&long),
            Err(NoticeTextError::TooLong {
                chars: NOTICE_TEXT_MAX + 1
            })
        );
        assert!(NoticeText::parse(&"я".repeat(NOTICE_TEXT_MAX)).is_ok());
        assert!(NoticeTextError::TooLong { chars: 1001 }
            .ru()
            .contains("1000"));
    }

    #[test]
    fn a_comment_may_be_empty_but_not_too_long() {
        assert_eq!(parse_comment("   ").unwrap(), "");
        assert_eq!(parse_comment(" ОРВИ ").unwrap(), "ОРВИ");
        assert!(parse_comment(&"x".repeat(2000)).is_err());
    }

    #[test]
    fn stored_language_defaults_to_russian() {
        assert_eq!(Lang::from_stored("en"), Lang::En);
        assert_eq!(Lang::from_stored("ru"), Lang::Ru);
        assert_eq!(Lang::from_stored(""), Lang::Ru);
        assert_eq!(Lang::from_stored("de"), Lang::Ru);
    }

    #[test]
    fn reason_request_is_written_in_the_recipients_language() {
        let ru = reason_request_letter(
            Lang::Ru,
            "Иванова Мария",
            "Солнышко",
            "2026-11-23",
            "http://x/inbox",
        );
        assert!(ru.subject.contains("Иванова Мария"));
        assert!(ru.subject.contains("23.11.2026"));
        assert!(ru.body.contains("укажите причину"));
        assert!(ru.body.contains("http://x/inbox"));
        let en = reason_request_letter(Lang::En, "Maria", "Sun", "2026-11-23", "http://x/inbox");
        assert!(en.subject.starts_with("Tabel: Maria absent on 23.11.2026"));
        assert!(en.body.contains("give the reason"));
        assert!(!en.body.contains("причин"));
    }

    #[test]
    fn teacher_notice_carries_the_text() {
        let l = teacher_notice_letter(
            Lang::Ru,
            "Петров Артём",
            "2026-11-20",
            "Смирнова Ольга Петровна",
            "Артём ушёл домой с температурой.",
            "http://x/inbox",
        );
        assert!(l.body.contains("Артём ушёл домой с температурой."));
        assert!(l.body.contains("Смирнова Ольга Петровна"));
        assert!(l.subject.contains("20.11.2026"));
    }

    fn summary() -> DailySummary {
        DailySummary {
            organisation: "Детский сад № 1".into(),
            day: "2026-11-23".into(),
            groups: vec![
                GroupDay {
                    group_id: 1,
                    group: "Солнышко".into(),
                    enrolled: 5,
                    present: 2,
                    absent_by_reason: BTreeMap::from([("Б".into(), 1)]),
                    unexplained: 1,
                    unmarked: 1,
                },
                GroupDay {
                    group_id: 2,
                    group: "Ромашка".into(),
                    enrolled: 3,
                    present: 2,
                    absent_by_reason: BTreeMap::from([("Б".into(), 1)]),
                    unexplained: 0,
                    unmarked: 0,
                },
            ],
            unanswered: vec![UnansweredNotice {
                child: "Иванова Мария".into(),
                group: "Солнышко".into(),
                day: "2026-11-23".into(),
            }],
        }
    }

    #[test]
    fn summary_totals_add_up_the_groups() {
        let total = summary().total();
        assert_eq!(
            (
                total.enrolled,
                total.present,
                total.absent(),
                total.unmarked
            ),
            (8, 4, 3, 1)
        );
        assert_eq!(total.absent_by_reason["Б"], 2);
        assert_eq!(total.unexplained, 1);
    }

    #[test]
    fn summary_letter_lists_groups_reasons_and_open_questions() {
        let names = BTreeMap::from([("Б".to_string(), "болезнь".to_string())]);
        let ru = summary().letter(Lang::Ru, &names, "http://x/admin/summary");
        assert!(ru.subject.contains("23.11.2026"));
        assert!(ru
            .body
            .contains("Солнышко: присутствуют 2 из 5, отсутствуют 2, не отмечены 1 (Б (болезнь): 1, причина неизвестна: 1)"));
        assert!(ru
            .body
            .contains("Всего: присутствуют 4 из 8, отсутствуют 3"));
        assert!(ru
            .body
            .contains("Без ответа родителей (1):\n- Иванова Мария, Солнышко, 23.11.2026"));
        let en = summary().letter(Lang::En, &names, "http://x");
        assert!(en
            .body
            .contains("Total: 4 of 8 present, 3 absent, 1 not marked"));
        let mut all_answered = summary();
        all_answered.unanswered.clear();
        assert!(all_answered
            .letter(Lang::En, &names, "")
            .body
            .contains("answered every request"));
    }

    #[test]
    fn a_day_is_tallied_per_group_in_display_order() {
        let groups = [(2, "Ромашка".to_string()), (1, "Солнышко".to_string())];
        let enrolled = [(10, 1), (11, 1), (12, 1), (13, 1), (20, 2), (99, 7)];
        let marks = BTreeMap::from([
            (10, Mark::Present),
            (
                11,
                Mark::Absent {
                    reason: Some("Б".into()),
                },
            ),
            (12, Mark::Absent { reason: None }),
            (
                20,
                Mark::Absent {
                    reason: Some("О".into()),
                },
            ),
            // marked, but not enrolled today: not counted
            (30, Mark::Present),
        ]);
        let days = tally_day(&groups, &enrolled, &marks);
        assert_eq!(days.len(), 2);
        assert_eq!(days[0].group, "Ромашка");
        assert_eq!(
            (days[0].enrolled, days[0].present, days[0].absent()),
            (1, 0, 1)
        );
        let sun = &days[1];
        assert_eq!(
            (sun.enrolled, sun.present, sun.absent(), sun.unmarked),
            (4, 1, 2, 1)
        );
        assert_eq!(sun.unexplained, 1);
        assert_eq!(sun.absent_by_reason["Б"], 1);
    }

    #[test]
    fn retries_back_off_exponentially_up_to_an_hour() {
        assert_eq!(retry_delay_ms(1, 1000), 1000);
        assert_eq!(retry_delay_ms(2, 1000), 2000);
        assert_eq!(retry_delay_ms(5, 1000), 16_000);
        assert_eq!(retry_delay_ms(40, 1000), 3_600_000);
        assert_eq!(retry_delay_ms(0, 0), 1);
        assert!((1..50).all(|a| retry_delay_ms(a, 500) <= retry_delay_ms(a + 1, 500)));
    }
}
