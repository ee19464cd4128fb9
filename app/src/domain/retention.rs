//! Who the retention job anonymises. A child is anonymised when every stay of it in a
//! group has ended, the last more than the retention period ago; a parent when every
//! child of theirs is, and they hold no role other than parent (staff records have
//! their own keeping rules). The marks stay: the табели are financial records.

use chrono::{Datelike, Months, NaiveDate};

/// The day before which a child must have left: `today` less `years` years (29
/// February falls back to 28 February).
pub fn cutoff(today: NaiveDate, years: u32) -> NaiveDate {
    today
        .checked_sub_months(Months::new(years.saturating_mul(12)))
        .unwrap_or(NaiveDate::MIN)
}

/// A child's stays in groups, as far as retention cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stays {
    /// Whether any stay is still open (the child is in a group now).
    pub open: bool,
    /// The last day of the latest stay that has ended.
    pub last_day: Option<NaiveDate>,
}

/// Whether the child left before `cutoff` and is still named.
pub fn child_due(stays: Stays, cutoff: NaiveDate) -> bool {
    !stays.open && stays.last_day.is_some_and(|last| last < cutoff)
}

/// A guardian, as far as retention cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Guardian {
    /// Children of theirs that stay named after this run.
    pub named_children: usize,
    /// Whether they are also staff or a municipal specialist somewhere.
    pub other_roles: bool,
}

pub fn parent_due(guardian: Guardian) -> bool {
    guardian.named_children == 0 && !guardian.other_roles
}

/// What an anonymised child is called from then on, in the табель and everywhere.
pub fn placeholder_name(id: i64) -> (&'static str, String) {
    ("Обезличено", format!("№{id}"))
}

/// Only the year of birth is kept: age bands of past years' reports still add up.
pub fn kept_birth_date(birth: NaiveDate) -> NaiveDate {
    NaiveDate::from_ymd_opt(birth.year(), 1, 1).unwrap_or(birth)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn the_cutoff_is_whole_years_back() {
        assert_eq!(cutoff(day("2029-10-16"), 3), day("2026-10-16"));
        assert_eq!(cutoff(day("2028-02-29"), 1), day("2027-02-28"));
    }

    #[test]
    fn a_child_is_due_only_once_every_stay_ended_before_the_cutoff() {
        let cut = day("2026-10-16");
        let left = |last: &str| Stays {
            open: false,
            last_day: Some(day(last)),
        };
        assert!(child_due(left("2026-10-15"), cut));
        assert!(
            !child_due(left("2026-10-16"), cut),
            "left on the cutoff day itself"
        );
        assert!(
            !child_due(
                Stays {
                    open: true,
                    last_day: Some(day("2020-05-31")),
                },
                cut
            ),
            "an earlier stay ended long ago, but the child is back"
        );
        assert!(!child_due(
            Stays {
                open: false,
                last_day: None,
            },
            cut
        ));
    }

    #[test]
    fn a_parent_goes_with_their_last_named_child_unless_staff() {
        assert!(parent_due(Guardian {
            named_children: 0,
            other_roles: false
        }));
        assert!(!parent_due(Guardian {
            named_children: 1,
            other_roles: false
        }));
        assert!(!parent_due(Guardian {
            named_children: 0,
            other_roles: true
        }));
    }

    #[test]
    fn only_the_year_of_birth_is_kept() {
        assert_eq!(kept_birth_date(day("2021-07-19")), day("2021-01-01"));
        assert_eq!(placeholder_name(42), ("Обезличено", "№42".to_string()));
    }
}
