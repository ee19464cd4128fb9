//! A child's enrolment as history: the periods it spent in groups, and the orders
//! (приказы) that open and close them. Pure rules; `app::enrolment` and `app::orders`
//! load and store what they judge.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::calendar::{date_en, date_ru, Month};
use super::message::Bilingual;
use super::timesheet::Enrolment;

/// One stay of a child in a group, both ends inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    /// The row's id, `0` for a period not stored yet.
    pub id: i64,
    pub group_id: i64,
    pub from: NaiveDate,
    /// The last day in the group; `None` while the child is there.
    pub to: Option<NaiveDate>,
    pub opened_by: Option<i64>,
    pub closed_by: Option<i64>,
}

impl Period {
    pub fn contains(&self, day: NaiveDate) -> bool {
        day >= self.from && self.to.is_none_or(|to| day <= to)
    }

    /// The period as the timesheet and the marking rules see it.
    pub fn enrolment(&self) -> Enrolment {
        Enrolment::new(self.from, self.to).unwrap_or_else(|_| Enrolment::open(self.from))
    }
}

/// A child's periods in time order: none overlaps another and only the last is open.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct History(Vec<Period>);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HistoryError {
    #[error("a period ends on {to} before it starts on {from}")]
    EndsBeforeStart { from: NaiveDate, to: NaiveDate },
    #[error("the periods starting {first} and {second} overlap")]
    Overlap { first: NaiveDate, second: NaiveDate },
}

impl History {
    pub fn new(mut periods: Vec<Period>) -> Result<Self, HistoryError> {
        periods.sort_by_key(|p| (p.from, p.id));
        for p in &periods {
            if let Some(to) = p.to {
                if to < p.from {
                    return Err(HistoryError::EndsBeforeStart { from: p.from, to });
                }
            }
        }
        for pair in periods.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            if a.to.is_none_or(|to| to >= b.from) {
                return Err(HistoryError::Overlap {
                    first: a.from,
                    second: b.from,
                });
            }
        }
        Ok(Self(periods))
    }

    pub fn periods(&self) -> &[Period] {
        &self.0
    }

    /// The period that holds `day`, if the child was in a group then.
    pub fn on(&self, day: NaiveDate) -> Option<&Period> {
        self.0.iter().find(|p| p.contains(day))
    }

    pub fn latest(&self) -> Option<&Period> {
        self.0.last()
    }

    /// The periods in one group, as the timesheet of that group counts them.
    pub fn in_group(&self, group_id: i64) -> Vec<Enrolment> {
        self.0
            .iter()
            .filter(|p| p.group_id == group_id)
            .map(Period::enrolment)
            .collect()
    }
}

/// What an order does to each child it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderKind {
    /// Зачисление: a new child's first period.
    Admission,
    /// Перевод: from the child's group to another on the effective day.
    Transfer,
    /// Отчисление: the effective day is the last day in the group.
    Leaving,
    /// Восстановление: a child who left comes back.
    Return,
}

impl OrderKind {
    pub const ALL: [OrderKind; 4] = [
        OrderKind::Admission,
        OrderKind::Transfer,
        OrderKind::Leaving,
        OrderKind::Return,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admission => "admission",
            Self::Transfer => "transfer",
            Self::Leaving => "leaving",
            Self::Return => "return",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Whether the order names a group the children go to.
    pub fn needs_group(self) -> bool {
        !matches!(self, Self::Leaving)
    }

    pub fn title_ru(self) -> &'static str {
        match self {
            Self::Admission => "Зачисление",
            Self::Transfer => "Перевод",
            Self::Leaving => "Отчисление",
            Self::Return => "Восстановление",
        }
    }

    pub fn title_en(self) -> &'static str {
        match self {
            Self::Admission => "Admission",
            Self::Transfer => "Transfer",
            Self::Leaving => "Leaving",
            Self::Return => "Return",
        }
    }
}

/// Why an order cannot be applied to (or cancelled for) one child.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LineError {
    #[error("the child already has enrolment history")]
    HasHistory,
    #[error("the child has never been enrolled")]
    NoHistory,
    #[error("the child is in a group on {day}")]
    StillEnrolled { day: NaiveDate },
    #[error("the child was in no group on {day}")]
    NotEnrolled { day: NaiveDate },
    #[error("the child is already in that group")]
    SameGroup,
    #[error("the child's period starts on {from}, not before {day}")]
    TooEarly { day: NaiveDate, from: NaiveDate },
    #[error("a later order changed the child's enrolment (from {from})")]
    LaterChange { from: NaiveDate },
    #[error("the child's days in {month} are in a closed month")]
    MonthClosed { month: Month, group_id: i64 },
    #[error("the order did not change this child")]
    NotInOrder,
}

impl Bilingual for LineError {
    fn ru(&self) -> String {
        match self {
            Self::HasHistory => {
                "ребёнок уже зачислялся; для возвращения оформите восстановление".into()
            }
            Self::NoHistory => "ребёнок ещё не был зачислен; оформите зачисление".into(),
            Self::StillEnrolled { day } => {
                format!("на {} ребёнок уже числится в группе", date_ru(*day))
            }
            Self::NotEnrolled { day } => {
                format!("на {} ребёнок не числится ни в одной группе", date_ru(*day))
            }
            Self::SameGroup => "ребёнок уже в этой группе".into(),
            Self::TooEarly { day, from } => format!(
                "ребёнок в группе только с {}, дата приказа {} должна быть позже",
                date_ru(*from),
                date_ru(*day)
            ),
            Self::LaterChange { from } => format!(
                "с {} действует более поздний приказ; сначала отмените его",
                date_ru(*from)
            ),
            Self::MonthClosed { month, .. } => {
                format!("табель за {:02}.{} закрыт", month.month(), month.year())
            }
            Self::NotInOrder => "приказ не менял зачисление этого ребёнка".into(),
        }
    }

    fn en(&self) -> String {
        match self {
            Self::HasHistory => {
                "the child has been enrolled before; issue a return order instead".into()
            }
            Self::NoHistory => "the child has never been enrolled; issue an admission".into(),
            Self::StillEnrolled { day } => {
                format!("the child is already in a group on {}", date_en(*day))
            }
            Self::NotEnrolled { day } => {
                format!("the child is in no group on {}", date_en(*day))
            }
            Self::SameGroup => "the child is already in that group".into(),
            Self::TooEarly { day, from } => format!(
                "the child is in the group only from {}; the order's date {} must be later",
                date_en(*from),
                date_en(*day)
            ),
            Self::LaterChange { from } => format!(
                "a later order applies from {}; cancel it first",
                date_en(*from)
            ),
            Self::MonthClosed { month, .. } => {
                format!(
                    "the timesheet for {:02}/{} is closed",
                    month.month(),
                    month.year()
                )
            }
            Self::NotInOrder => "the order did not change this child's enrolment".into(),
        }
    }
}

/// What applying (or cancelling) an order does to one child's periods.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineChange {
    /// A stored period whose end changes: (period id, new last day).
    pub set_end: Option<(i64, Option<NaiveDate>)>,
    /// A period to add.
    pub open: Option<Period>,
    /// A stored period to delete (cancelling an order that opened it).
    pub delete: Option<i64>,
    /// The first day whose group changes: from here on no closed month may be touched.
    pub first_changed: NaiveDate,
    /// The groups whose days change.
    pub groups: BTreeSet<i64>,
}

impl LineChange {
    /// The first of the touched groups' closed months that this change would rewrite.
    pub fn closed_month(&self, closed: impl Fn(i64) -> BTreeSet<Month>) -> Result<(), LineError> {
        for &group_id in &self.groups {
            if let Some(month) = closed(group_id)
                .into_iter()
                .find(|m| m.last_day() >= self.first_changed)
            {
                return Err(LineError::MonthClosed { month, group_id });
            }
        }
        Ok(())
    }
}

/// The change an order of `kind` effective on `day` makes to a child with `history`;
/// `to_group` is the group the child goes to (none for leaving).
pub fn apply(
    history: &History,
    kind: OrderKind,
    day: NaiveDate,
    to_group: Option<i64>,
) -> Result<LineChange, LineError> {
    let latest = history.latest();
    match kind {
        OrderKind::Admission | OrderKind::Return => {
            let to_group = to_group.ok_or(LineError::SameGroup)?;
            match (kind, latest) {
                (OrderKind::Admission, Some(_)) => return Err(LineError::HasHistory),
                (OrderKind::Return, None) => return Err(LineError::NoHistory),
                _ => {}
            }
            if let Some(latest) = latest {
                if latest.to.is_none_or(|to| to >= day) {
                    return Err(LineError::StillEnrolled {
                        day: latest.to.map_or(day, |to| to.min(day)),
                    });
                }
            }
            Ok(LineChange {
                set_end: None,
                open: Some(new_period(to_group, day)),
                delete: None,
                first_changed: day,
                groups: BTreeSet::from([to_group]),
            })
        }
        OrderKind::Transfer => {
            let current = current_period(history, day)?;
            let to_group = to_group.ok_or(LineError::SameGroup)?;
            if current.group_id == to_group {
                return Err(LineError::SameGroup);
            }
            if current.from >= day {
                return Err(LineError::TooEarly {
                    day,
                    from: current.from,
                });
            }
            if current.to.is_some() {
                return Err(LineError::LaterChange {
                    from: current.to.unwrap_or(day),
                });
            }
            Ok(LineChange {
                set_end: Some((current.id, day.pred_opt())),
                open: Some(new_period(to_group, day)),
                delete: None,
                first_changed: day,
                groups: BTreeSet::from([current.group_id, to_group]),
            })
        }
        OrderKind::Leaving => {
            let current = current_period(history, day)?;
            if let Some(to) = current.to {
                return Err(LineError::LaterChange { from: to });
            }
            Ok(LineChange {
                set_end: Some((current.id, Some(day))),
                open: None,
                delete: None,
                first_changed: day.succ_opt().unwrap_or(day),
                groups: BTreeSet::from([current.group_id]),
            })
        }
    }
}

/// The period that holds `day`, which must be the child's latest: an order cannot be
/// slipped in before another one that already changed the child's enrolment.
fn current_period(history: &History, day: NaiveDate) -> Result<Period, LineError> {
    let current = *history.on(day).ok_or(LineError::NotEnrolled { day })?;
    if history.latest() != Some(&current) {
        let next = history
            .periods()
            .iter()
            .find(|p| p.from > current.from)
            .map_or(day, |p| p.from);
        return Err(LineError::LaterChange { from: next });
    }
    Ok(current)
}

fn new_period(group_id: i64, from: NaiveDate) -> Period {
    Period {
        id: 0,
        group_id,
        from,
        to: None,
        opened_by: None,
        closed_by: None,
    }
}

/// The change that takes order `order_id` back for one child: only while nothing
/// later has changed the child's enrolment.
pub fn cancel(history: &History, order_id: i64) -> Result<LineChange, LineError> {
    let periods = history.periods();
    let opened = periods.iter().position(|p| p.opened_by == Some(order_id));
    let closed = periods.iter().position(|p| p.closed_by == Some(order_id));
    let last = periods.len().checked_sub(1);
    let later = |i: usize| LineError::LaterChange {
        from: periods
            .get(i + 1)
            .map(|p| p.from)
            .or(periods[i].to)
            .unwrap_or(periods[i].from),
    };
    match (opened, closed) {
        (Some(o), closed) => {
            let period = periods[o];
            if Some(o) != last || period.to.is_some() {
                return Err(later(o));
            }
            let mut groups = BTreeSet::from([period.group_id]);
            let set_end = match closed {
                Some(c) => {
                    if c + 1 != o {
                        return Err(later(c));
                    }
                    groups.insert(periods[c].group_id);
                    Some((periods[c].id, None))
                }
                None => None,
            };
            Ok(LineChange {
                set_end,
                open: None,
                delete: Some(period.id),
                first_changed: period.from,
                groups,
            })
        }
        (None, Some(c)) => {
            let period = periods[c];
            if Some(c) != last {
                return Err(later(c));
            }
            let to = period.to.unwrap_or(period.from);
            Ok(LineChange {
                set_end: Some((period.id, None)),
                open: None,
                delete: None,
                first_changed: to.succ_opt().unwrap_or(to),
                groups: BTreeSet::from([period.group_id]),
            })
        }
        (None, None) => Err(LineError::NotInOrder),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn period(id: i64, group_id: i64, from: &str, to: Option<&str>) -> Period {
        Period {
            id,
            group_id,
            from: d(from),
            to: to.map(d),
            opened_by: None,
            closed_by: None,
        }
    }

    fn history(periods: Vec<Period>) -> History {
        History::new(periods).unwrap()
    }

    #[test]
    fn history_refuses_overlaps_and_inverted_periods() {
        assert!(matches!(
            History::new(vec![
                period(1, 1, "2026-09-01", None),
                period(2, 2, "2026-10-01", None)
            ]),
            Err(HistoryError::Overlap { .. })
        ));
        assert!(matches!(
            History::new(vec![period(1, 1, "2026-09-10", Some("2026-09-01"))]),
            Err(HistoryError::EndsBeforeStart { .. })
        ));
        let h = history(vec![
            period(2, 2, "2026-03-16", None),
            period(1, 1, "2026-09-01", Some("2026-03-15")).with_from("2025-09-01"),
        ]);
        assert_eq!(h.on(d("2026-03-15")).unwrap().group_id, 1);
        assert_eq!(h.on(d("2026-03-16")).unwrap().group_id, 2);
        assert!(h.on(d("2025-08-31")).is_none());
        assert_eq!(h.in_group(1).len(), 1);
    }

    impl Period {
        fn with_from(mut self, from: &str) -> Self {
            self.from = d(from);
            self
        }
    }

    #[test]
    fn a_transfer_closes_the_day_before_and_opens_on_the_day() {
        let h = history(vec![period(7, 1, "2025-09-01", None)]);
        let change = apply(&h, OrderKind::Transfer, d("2026-03-16"), Some(2)).unwrap();
        assert_eq!(change.set_end, Some((7, Some(d("2026-03-15")))));
        assert_eq!(change.open.unwrap().group_id, 2);
        assert_eq!(change.open.unwrap().from, d("2026-03-16"));
        assert_eq!(change.first_changed, d("2026-03-16"));
        assert_eq!(change.groups, BTreeSet::from([1, 2]));
    }

    #[test]
    fn a_transfer_needs_a_current_period_in_another_group() {
        let h = history(vec![period(7, 1, "2025-09-01", None)]);
        assert_eq!(
            apply(&h, OrderKind::Transfer, d("2026-03-16"), Some(1)),
            Err(LineError::SameGroup)
        );
        assert_eq!(
            apply(&h, OrderKind::Transfer, d("2025-08-01"), Some(2)),
            Err(LineError::NotEnrolled {
                day: d("2025-08-01")
            })
        );
        assert!(matches!(
            apply(&h, OrderKind::Transfer, d("2025-09-01"), Some(2)),
            Err(LineError::TooEarly { .. })
        ));
        // Not behind the back of a later order.
        let h = history(vec![
            period(7, 1, "2025-09-01", Some("2026-03-15")),
            period(8, 2, "2026-03-16", None),
        ]);
        assert_eq!(
            apply(&h, OrderKind::Transfer, d("2026-02-01"), Some(3)),
            Err(LineError::LaterChange {
                from: d("2026-03-16")
            })
        );
    }

    #[test]
    fn leaving_ends_on_the_day_and_return_opens_after_it() {
        let h = history(vec![period(7, 1, "2025-09-01", None)]);
        let leave = apply(&h, OrderKind::Leaving, d("2026-03-10"), None).unwrap();
        assert_eq!(leave.set_end, Some((7, Some(d("2026-03-10")))));
        assert_eq!(leave.first_changed, d("2026-03-11"));

        let left = history(vec![period(7, 1, "2025-09-01", Some("2026-03-10"))]);
        assert!(matches!(
            apply(&left, OrderKind::Leaving, d("2026-03-05"), None),
            Err(LineError::LaterChange { .. })
        ));
        assert_eq!(
            apply(&left, OrderKind::Return, d("2026-03-10"), Some(1)),
            Err(LineError::StillEnrolled {
                day: d("2026-03-10")
            })
        );
        let back = apply(&left, OrderKind::Return, d("2026-03-20"), Some(1)).unwrap();
        assert_eq!(back.open.unwrap().from, d("2026-03-20"));
        assert_eq!(
            apply(&left, OrderKind::Admission, d("2026-03-20"), Some(1)),
            Err(LineError::HasHistory)
        );
        assert_eq!(
            apply(
                &History::default(),
                OrderKind::Return,
                d("2026-03-20"),
                Some(1)
            ),
            Err(LineError::NoHistory)
        );
        assert!(apply(
            &History::default(),
            OrderKind::Admission,
            d("2026-03-20"),
            Some(1)
        )
        .is_ok());
    }

    #[test]
    fn a_closed_month_at_or_after_the_first_changed_day_refuses() {
        let h = history(vec![period(7, 1, "2025-09-01", None)]);
        let change = apply(&h, OrderKind::Transfer, d("2026-03-16"), Some(2)).unwrap();
        let march = Month::new(2026, 3).unwrap();
        let feb = Month::new(2026, 2).unwrap();
        assert_eq!(change.closed_month(|_| BTreeSet::from([feb])), Ok(()));
        assert_eq!(
            change.closed_month(|g| if g == 2 {
                BTreeSet::from([march])
            } else {
                BTreeSet::new()
            }),
            Err(LineError::MonthClosed {
                month: march,
                group_id: 2
            })
        );
        // Leaving on the last day of February touches March on, not February.
        let leave = apply(&h, OrderKind::Leaving, d("2026-02-28"), None).unwrap();
        assert_eq!(leave.closed_month(|_| BTreeSet::from([feb])), Ok(()));
    }

    #[test]
    fn cancelling_undoes_only_the_latest_change() {
        let mut before = period(7, 1, "2025-09-01", Some("2026-03-15"));
        before.closed_by = Some(40);
        let mut after = period(8, 2, "2026-03-16", None);
        after.opened_by = Some(40);
        let h = history(vec![before, after]);
        let undo = cancel(&h, 40).unwrap();
        assert_eq!(undo.delete, Some(8));
        assert_eq!(undo.set_end, Some((7, None)));
        assert_eq!(undo.first_changed, d("2026-03-16"));
        assert_eq!(cancel(&h, 41), Err(LineError::NotInOrder));

        // A leaving order after the transfer blocks cancelling the transfer.
        let mut after_left = after;
        after_left.to = Some(d("2026-04-30"));
        after_left.closed_by = Some(41);
        let h = history(vec![before, after_left]);
        assert!(matches!(cancel(&h, 40), Err(LineError::LaterChange { .. })));
        let undo_leave = cancel(&h, 41).unwrap();
        assert_eq!(undo_leave.set_end, Some((8, None)));
        assert_eq!(undo_leave.first_changed, d("2026-05-01"));
    }
}
