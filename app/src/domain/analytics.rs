//! A municipality's month of attendance at a glance: the rate per organisation and per
//! day, absences by reason, and who has not marked today. The database hands over
//! counts already grouped (organisation × day × status × reason); the arithmetic is here.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// One grouped count as the aggregate query returns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkCount {
    pub organisation_id: i64,
    pub day: NaiveDate,
    pub present: bool,
    /// The reason of an absence; `None` while nobody has said why.
    pub reason: Option<String>,
    pub count: u64,
}

/// Present among the marked, in tenths of a percent (so the type stays `Eq`);
/// `None` when nothing was marked.
pub fn rate_permille(present: u64, marked: u64) -> Option<u32> {
    (marked > 0).then(|| ((present * 1000 + marked / 2) / marked) as u32)
}

/// «87,5 %» as people here write it, or a dash.
pub fn format_rate(permille: Option<u32>) -> String {
    match permille {
        Some(p) => format!("{},{} %", p / 10, p % 10),
        None => "—".into(),
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    pub present: u64,
    pub absent: u64,
}

impl Tally {
    pub fn marked(&self) -> u64 {
        self.present + self.absent
    }

    pub fn rate(&self) -> Option<u32> {
        rate_permille(self.present, self.marked())
    }

    fn add(&mut self, present: bool, n: u64) {
        if present {
            self.present += n;
        } else {
            self.absent += n;
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganisationMonth {
    pub id: i64,
    pub name: String,
    pub tally: Tally,
    pub marked_today: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayTally {
    pub day: NaiveDate,
    pub tally: Tally,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthAggregate {
    pub organisations: Vec<OrganisationMonth>,
    /// Days that have any mark, in order.
    pub days: Vec<DayTally>,
    /// Absences by reason code; the unexplained ones apart.
    pub by_reason: BTreeMap<String, u64>,
    pub unexplained: u64,
    pub total: Tally,
}

/// Folds grouped counts into the month: `organisations` (id, name) in display order;
/// counts of organisations not in the list are ignored (they are not the caller's).
/// `marked_today` lists the organisations that have any mark today.
pub fn aggregate_month(
    organisations: &[(i64, String)],
    counts: &[MarkCount],
    marked_today: &[i64],
) -> MonthAggregate {
    let mut per_org: BTreeMap<i64, Tally> = organisations
        .iter()
        .map(|(id, _)| (*id, Tally::default()))
        .collect();
    let mut per_day: BTreeMap<NaiveDate, Tally> = BTreeMap::new();
    let mut by_reason: BTreeMap<String, u64> = BTreeMap::new();
    let mut unexplained = 0;
    let mut total = Tally::default();
    for c in counts {
        let Some(org) = per_org.get_mut(&c.organisation_id) else {
            continue;
        };
        org.add(c.present, c.count);
        per_day.entry(c.day).or_default().add(c.present, c.count);
        total.add(c.present, c.count);
        if !c.present {
            match &c.reason {
                Some(code) => *by_reason.entry(code.clone()).or_default() += c.count,
                None => unexplained += c.count,
            }
        }
    }
    MonthAggregate {
        organisations: organisations
            .iter()
            .map(|(id, name)| OrganisationMonth {
                id: *id,
                name: name.clone(),
                tally: per_org.remove(id).unwrap_or_default(),
                marked_today: marked_today.contains(id),
            })
            .collect(),
        days: per_day
            .into_iter()
            .map(|(day, tally)| DayTally { day, tally })
            .collect(),
        by_reason,
        unexplained,
        total,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    fn count(org: i64, d: u32, reason: Option<Option<&str>>, n: u64) -> MarkCount {
        MarkCount {
            organisation_id: org,
            day: day(d),
            present: reason.is_none(),
            reason: reason.flatten().map(str::to_owned),
            count: n,
        }
    }

    #[test]
    fn rates_round_to_a_tenth_of_a_percent() {
        assert_eq!(rate_permille(7, 8), Some(875));
        assert_eq!(rate_permille(2, 3), Some(667));
        assert_eq!(rate_permille(0, 5), Some(0));
        assert_eq!(rate_permille(5, 5), Some(1000));
        assert_eq!(rate_permille(0, 0), None);
        assert_eq!(format_rate(Some(875)), "87,5 %");
        assert_eq!(format_rate(Some(1000)), "100,0 %");
        assert_eq!(format_rate(None), "—");
    }

    #[test]
    fn a_month_adds_up_by_organisation_day_and_reason() {
        let orgs = [(2, "Сад № 2".to_string()), (1, "Сад № 1".to_string())];
        let counts = [
            count(1, 2, None, 18),
            count(1, 2, Some(Some("Б")), 2),
            count(1, 3, None, 15),
            count(1, 3, Some(None), 1),
            count(2, 3, None, 9),
            count(2, 3, Some(Some("О")), 1),
            // Another municipality's organisation: not counted.
            count(9, 3, None, 100),
        ];
        let month = aggregate_month(&orgs, &counts, &[1]);
        assert_eq!(month.organisations[0].name, "Сад № 2");
        assert_eq!(
            month.organisations[0].tally,
            Tally {
                present: 9,
                absent: 1
            }
        );
        assert!(!month.organisations[0].marked_today);
        assert_eq!(
            month.organisations[1].tally,
            Tally {
                present: 33,
                absent: 3
            }
        );
        assert!(month.organisations[1].marked_today);
        assert_eq!(month.days.len(), 2);
        assert_eq!(
            month.days[0].tally,
            Tally {
                present: 18,
                absent: 2
            }
        );
        assert_eq!(
            month.days[1].tally,
            Tally {
                present: 24,
                absent: 2
            }
        );
        assert_eq!(
            month.by_reason,
            BTreeMap::from([("Б".into(), 2), ("О".into(), 1)])
        );
        assert_eq!(month.unexplained, 1);
        assert_eq!(
            month.total,
            Tally {
                present: 42,
                absent: 4
            }
        );
        assert_eq!(month.total.rate(), Some(913));
    }

    #[test]
    fn an_organisation_without_marks_has_no_rate() {
        let month = aggregate_month(&[(1, "Сад".into())], &[], &[]);
        assert_eq!(month.organisations[0].tally.rate(), None);
        assert!(month.days.is_empty());
        assert_eq!(month.total.marked(), 0);
    }
}
