//! Who is in a group on a day: the stored periods (`enrolments`) that every roster,
//! табель, count and access check reads, and the one writer that changes them and keeps
//! the child's summary columns (`children.group_id / enrolled_on / left_on`, the latest
//! period) in step.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::db::Db;
use crate::domain::enrolment::{History, LineChange, OrderKind, Period};
use crate::error::AppError;
use crate::rows::{date, full_name, optional_date};

/// The number of children in the group `g` on `$2` (a date).
pub const ENROLLED_ON: &str = "(SELECT COUNT(*) FROM enrolments e WHERE e.group_id = g.id \
     AND e.from_day <= $2 AND (e.to_day IS NULL OR e.to_day >= $2))";

/// `e` is a period of the group `$1` that holds the day `$2`.
pub const IN_GROUP_ON: &str =
    "e.group_id = $1 AND e.from_day <= $2 AND (e.to_day IS NULL OR e.to_day >= $2)";

const PERIOD_COLUMNS: &str = "e.id, e.child_id, e.group_id, e.from_day, e.to_day, \
     e.opened_by, e.closed_by";

fn period_of(row: &AnyRow) -> Result<Period, AppError> {
    Ok(Period {
        id: row.try_get("id")?,
        group_id: row.try_get("group_id")?,
        from: date(row, "from_day")?,
        to: optional_date(row, "to_day")?,
        opened_by: row.try_get("opened_by")?,
        closed_by: row.try_get("closed_by")?,
    })
}

fn history_of(child_id: i64, periods: Vec<Period>) -> Result<History, AppError> {
    History::new(periods).map_err(|e| {
        tracing::error!(child_id, error = %e, "stored enrolment history is inconsistent");
        AppError::internal()
    })
}

/// One child's periods.
pub async fn history(conn: &mut AnyConnection, child_id: i64) -> Result<History, AppError> {
    let rows = sqlx::query(&format!(
        "SELECT {PERIOD_COLUMNS} FROM enrolments e WHERE e.child_id = $1"
    ))
    .bind(child_id)
    .fetch_all(&mut *conn)
    .await?;
    let periods = rows.iter().map(period_of).collect::<Result<_, _>>()?;
    history_of(child_id, periods)
}

/// The periods of several children, by child; a child without any has an empty history.
pub async fn histories(
    conn: &mut AnyConnection,
    child_ids: &[i64],
) -> Result<BTreeMap<i64, History>, AppError> {
    let mut by_child: BTreeMap<i64, Vec<Period>> =
        child_ids.iter().map(|&id| (id, Vec::new())).collect();
    // In chunks well within both backends' parameter limits.
    for chunk in child_ids.chunks(500) {
        let placeholders = (1..=chunk.len())
            .map(|n| format!("${n}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT {PERIOD_COLUMNS} FROM enrolments e WHERE e.child_id IN ({placeholders})"
        );
        let mut query = sqlx::query(&sql);
        for id in chunk {
            query = query.bind(*id);
        }
        for row in query.fetch_all(&mut *conn).await? {
            let child_id: i64 = row.try_get("child_id")?;
            by_child.entry(child_id).or_default().push(period_of(&row)?);
        }
    }
    by_child
        .into_iter()
        .map(|(id, periods)| Ok((id, history_of(id, periods)?)))
        .collect()
}

/// A child who was in the group on some day of a range, with the whole history: the
/// days in other groups are what the group's табель must not count.
pub struct GroupChild {
    pub id: i64,
    pub name: String,
    pub history: History,
}

impl GroupChild {
    /// Whether the child is in the group `group_id` on `day`.
    pub fn in_group_on(&self, group_id: i64, day: NaiveDate) -> bool {
        self.history.on(day).is_some_and(|p| p.group_id == group_id)
    }
}

/// The children with a period in the group between two days (both included), by name.
pub async fn children_in_group(
    db: &Db,
    group_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<GroupChild>, AppError> {
    children_between(db, group_id, &from.to_string(), &to.to_string()).await
}

/// Every child that has ever been in the group: a mark for a day the child was not
/// there is refused as «not enrolled then», not as «not your child».
pub async fn children_ever_in_group(db: &Db, group_id: i64) -> Result<Vec<GroupChild>, AppError> {
    // ISO dates compare as text, so these bounds hold every stored day.
    children_between(db, group_id, "0000-01-01", "9999-12-31").await
}

async fn children_between(
    db: &Db,
    group_id: i64,
    from: &str,
    to: &str,
) -> Result<Vec<GroupChild>, AppError> {
    // One query: each such child with every period of its history, in name order.
    let rows = sqlx::query(&format!(
        "SELECT c.surname, c.given_name, c.patronymic, {PERIOD_COLUMNS} FROM children c \
         JOIN enrolments e ON e.child_id = c.id \
         WHERE c.id IN (SELECT child_id FROM enrolments WHERE group_id = $1 \
         AND from_day <= $3 AND (to_day IS NULL OR to_day >= $2)) \
         ORDER BY c.surname, c.given_name, c.id, e.from_day"
    ))
    .bind(group_id)
    .bind(from)
    .bind(to)
    .fetch_all(db.pool())
    .await?;
    let mut children: Vec<(i64, String, Vec<Period>)> = Vec::new();
    for r in &rows {
        let id: i64 = r.try_get("child_id")?;
        let period = period_of(r)?;
        match children.last_mut() {
            Some((last, _, periods)) if *last == id => periods.push(period),
            _ => children.push((id, full_name(r)?, vec![period])),
        }
    }
    children
        .into_iter()
        .map(|(id, name, periods)| {
            Ok(GroupChild {
                id,
                name,
                history: history_of(id, periods)?,
            })
        })
        .collect()
}

/// Stores one child's change (from applying or cancelling `order_id`) and refreshes the
/// child's summary columns.
pub async fn write_change(
    conn: &mut AnyConnection,
    child_id: i64,
    change: &LineChange,
    order_id: i64,
    cancelling: bool,
) -> Result<(), AppError> {
    if let Some(id) = change.delete {
        sqlx::query("DELETE FROM enrolments WHERE id = $1")
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    if let Some((id, to)) = change.set_end {
        // Closing records the order; reopening forgets the order that had closed it.
        let closed_by = (!cancelling && to.is_some()).then_some(order_id);
        sqlx::query("UPDATE enrolments SET to_day = $1, closed_by = $2 WHERE id = $3")
            .bind(to.map(|d| d.to_string()))
            .bind(closed_by)
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    if let Some(period) = change.open {
        insert_open(conn, child_id, period.group_id, period.from, Some(order_id)).await?;
    }
    refresh_summary(conn, child_id).await
}

/// Adds an open period; the caller has checked the history allows it.
pub async fn open(
    conn: &mut AnyConnection,
    child_id: i64,
    group_id: i64,
    from: NaiveDate,
    order_id: Option<i64>,
) -> Result<(), AppError> {
    insert_open(conn, child_id, group_id, from, order_id).await?;
    refresh_summary(conn, child_id).await
}

/// The row of an open period, without the summary: its callers refresh that once.
async fn insert_open(
    conn: &mut AnyConnection,
    child_id: i64,
    group_id: i64,
    from: NaiveDate,
    order_id: Option<i64>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO enrolments (child_id, group_id, from_day, to_day, opened_by) \
         VALUES ($1, $2, $3, NULL, $4)",
    )
    .bind(child_id)
    .bind(group_id)
    .bind(from.to_string())
    .bind(order_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// How the card changes the end of the child's latest period.
#[derive(Debug, Clone, Copy)]
pub enum CardEnd {
    /// The child's last day in the group. An open period is closed by a leaving order
    /// «б/н», so the history names an order as for every other change; the date of a
    /// period the card closed before is corrected together with its order.
    Leaves(NaiveDate),
    /// The leaving date was a mistake: the card's order is cancelled (audited) and the
    /// period is open again.
    Undone,
}

/// The order that closed a period, as the card needs to judge it.
struct ClosingOrder {
    id: i64,
    number: String,
    effective_on: String,
    /// Written by the card for this child alone: the card may correct or cancel it.
    the_cards: bool,
}

async fn closing_order(conn: &mut AnyConnection, order_id: i64) -> Result<ClosingOrder, AppError> {
    let row = sqlx::query(
        "SELECT o.number, o.effective_on, o.kind, \
         (SELECT COUNT(*) FROM enrolment_order_lines l WHERE l.order_id = o.id) AS lines \
         FROM enrolment_orders o WHERE o.id = $1",
    )
    .bind(order_id)
    .fetch_one(&mut *conn)
    .await?;
    let number: String = row.try_get("number")?;
    let kind: String = row.try_get("kind")?;
    let lines: i64 = row.try_get("lines")?;
    Ok(ClosingOrder {
        id: order_id,
        the_cards: number == UNNUMBERED && kind == OrderKind::Leaving.as_str() && lines == 1,
        number,
        effective_on: row.try_get("effective_on")?,
    })
}

/// Sets the end of the child's latest period from the card (its leaving date and the
/// undo of it). A period closed by a numbered order is the order's: the card refuses to
/// change it and says which order to cancel instead.
pub async fn set_latest_end(
    conn: &mut AnyConnection,
    child_id: i64,
    end: CardEnd,
    card: &Unnumbered<'_>,
) -> Result<(), AppError> {
    let history = history(conn, child_id).await?;
    let Some(latest) = history.latest().copied() else {
        return Ok(());
    };
    let closing = match latest.closed_by {
        Some(order) => Some(closing_order(conn, order).await?),
        None => None,
    };
    if let Some(order) = closing.as_ref().filter(|o| !o.the_cards) {
        let day = crate::rows::stored_date(&order.effective_on)?;
        return Err(AppError::conflict(
            "left_on",
            format!(
                "Ребёнок отчислен приказом № {} от {}: отмените приказ на странице приказов \
                 или издайте приказ о восстановлении.",
                order.number,
                day.format("%d.%m.%Y")
            ),
            format!(
                "The child left by order No. {} of {}: cancel that order on the orders page \
                 or issue a return order.",
                order.number,
                day.format("%-d %b %Y")
            ),
        ));
    }
    let (to, closed_by) = match (end, closing) {
        (CardEnd::Leaves(day), Some(order)) => {
            sqlx::query(
                "UPDATE enrolment_orders SET issued_on = $1, effective_on = $1 WHERE id = $2",
            )
            .bind(day.to_string())
            .bind(order.id)
            .execute(&mut *conn)
            .await?;
            (Some(day), Some(order.id))
        }
        (CardEnd::Leaves(day), None) => {
            let order = record_order(conn, &card.order(OrderKind::Leaving, day)).await?;
            record_line(conn, order, child_id, Some(latest.group_id), None).await?;
            (Some(day), Some(order))
        }
        (CardEnd::Undone, order) => {
            if let Some(order) = order {
                sqlx::query(
                    "UPDATE enrolment_orders SET cancelled_at = $1, cancelled_by = $2 WHERE id = $3",
                )
                .bind(card.at)
                .bind(card.by)
                .bind(order.id)
                .execute(&mut *conn)
                .await?;
            }
            (None, None)
        }
    };
    sqlx::query("UPDATE enrolments SET to_day = $1, closed_by = $2 WHERE id = $3")
        .bind(to.map(|d| d.to_string()))
        .bind(closed_by)
        .bind(latest.id)
        .execute(&mut *conn)
        .await?;
    refresh_summary(conn, child_id).await
}

/// `children.group_id / enrolled_on / left_on` as the child's latest period.
async fn refresh_summary(conn: &mut AnyConnection, child_id: i64) -> Result<(), AppError> {
    let history = history(conn, child_id).await?;
    let Some(latest) = history.latest() else {
        return Ok(());
    };
    sqlx::query("UPDATE children SET group_id = $1, enrolled_on = $2, left_on = $3 WHERE id = $4")
        .bind(latest.group_id)
        .bind(latest.from.to_string())
        .bind(latest.to.map(|d| d.to_string()))
        .bind(child_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Gives every child without a period one from its summary columns: for loaders that
/// write `children` in bulk (the demo data, the region generator) and the migration.
pub async fn backfill(conn: &mut AnyConnection) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query(
        "INSERT INTO enrolments (child_id, group_id, from_day, to_day) \
         SELECT c.id, c.group_id, c.enrolled_on, c.left_on FROM children c \
         WHERE NOT EXISTS (SELECT 1 FROM enrolments e WHERE e.child_id = c.id)",
    )
    .execute(&mut *conn)
    .await?
    .rows_affected())
}

/// An order as issued: its row, before its lines.
pub struct NewOrder<'a> {
    pub organisation_id: i64,
    pub kind: OrderKind,
    pub number: &'a str,
    pub issued_on: NaiveDate,
    pub effective_on: NaiveDate,
    pub comment: &'a str,
    pub by: i64,
    pub at: i64,
}

/// Stores an order's row and returns its id; the caller adds its lines.
pub async fn record_order(
    conn: &mut AnyConnection,
    order: &NewOrder<'_>,
) -> Result<i64, sqlx::Error> {
    sqlx::query(
        "INSERT INTO enrolment_orders (organisation_id, number, kind, issued_on, effective_on, \
         comment, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(order.organisation_id)
    .bind(order.number)
    .bind(order.kind.as_str())
    .bind(order.issued_on.to_string())
    .bind(order.effective_on.to_string())
    .bind(order.comment)
    .bind(order.by)
    .bind(order.at)
    .fetch_one(&mut *conn)
    .await?
    .try_get("id")
}

/// One child named by an order: the group it leaves and the group it goes to.
pub async fn record_line(
    conn: &mut AnyConnection,
    order_id: i64,
    child_id: i64,
    from_group: Option<i64>,
    to_group: Option<i64>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO enrolment_order_lines (order_id, child_id, from_group_id, to_group_id) \
         VALUES ($1, $2, $3, $4)",
    )
    .bind(order_id)
    .bind(child_id)
    .bind(from_group)
    .bind(to_group)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The number of the orders the card and the CSV import write on the admin's behalf.
const UNNUMBERED: &str = "б/н";

/// Who writes orders without a number of the admin's own (the card and the CSV import):
/// admissions, one per day, and the card's leaving dates.
pub struct Unnumbered<'a> {
    pub organisation_id: i64,
    pub comment: &'a str,
    pub by: i64,
    pub at: i64,
}

impl Unnumbered<'_> {
    fn order(&self, kind: OrderKind, day: NaiveDate) -> NewOrder<'_> {
        NewOrder {
            organisation_id: self.organisation_id,
            kind,
            number: UNNUMBERED,
            issued_on: day,
            effective_on: day,
            comment: self.comment,
            by: self.by,
            at: self.at,
        }
    }
}

/// The admission order for the children admitted from `from`.
pub async fn admission_order(
    conn: &mut AnyConnection,
    card: &Unnumbered<'_>,
    from: NaiveDate,
) -> Result<i64, AppError> {
    Ok(record_order(conn, &card.order(OrderKind::Admission, from)).await?)
}

/// A new child's first period, opened by `order_id`.
pub async fn admit(
    conn: &mut AnyConnection,
    order_id: i64,
    child_id: i64,
    group_id: i64,
    from: NaiveDate,
) -> Result<(), AppError> {
    record_line(conn, order_id, child_id, None, Some(group_id)).await?;
    open(conn, child_id, group_id, from, Some(order_id)).await
}
