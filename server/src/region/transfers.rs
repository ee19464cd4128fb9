//! The year's move-up and transfers during the year, so the region's табели and
//! benchmarks read real history. On the span's first day every organisation moves its
//! children up from last year's groups by one order; then one child in fifty that is in
//! a group in the middle of the generated span moves to another group of its
//! organisation on that day, by one transfer order per organisation. A mark belongs to whichever group the child was in on its day, so the
//! moved child's later marks are its new group's, recorded by that group's teacher.

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};
use sqlx::{AnyConnection, Row};

use app::domain::enrolment::OrderKind;
use app::enrolment::{record_line, record_order, NewOrder};

use super::calendar::local_millis;

/// The move-up on `from` (the first day of the school year): every child whose period
/// begins that day spent the year before in the previous group of its organisation (in
/// the order the groups were made, round), and one order per organisation moved them
/// all. Returns how many children moved up. An organisation of one group has none.
pub(super) async fn write_move_up(
    conn: &mut AnyConnection,
    from: NaiveDate,
) -> Result<u64, sqlx::Error> {
    let year_before = from
        .checked_sub_months(chrono::Months::new(12))
        .expect("a year before the span");
    let last_before = from.pred_opt().expect("a day before the span");
    let issued_on = from - Days::new(7);
    // Last year's group: the one made before, or the organisation's last for the first.
    let previous = "COALESCE((SELECT MAX(p.id) FROM groups p WHERE p.organisation_id = g.organisation_id \
                    AND p.id < g.id), (SELECT MAX(p.id) FROM groups p WHERE p.organisation_id = g.organisation_id))";
    // The periods this organisation ($1) moves up on the day ($2).
    let this_year = "FROM enrolments e JOIN groups g ON g.id = e.group_id \
                     WHERE g.organisation_id = $1 AND e.from_day = $2 AND e.opened_by IS NULL";
    let organisations = sqlx::query(
        "SELECT g.organisation_id, MIN(r.person_id) AS admin FROM groups g \
         LEFT JOIN role_grants r ON r.organisation_id = g.organisation_id AND r.role = 'org_admin' \
         GROUP BY g.organisation_id HAVING COUNT(DISTINCT g.id) > 1 ORDER BY g.organisation_id",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut moved = 0;
    for r in &organisations {
        let organisation: i64 = r.try_get("organisation_id")?;
        let admin: Option<i64> = r.try_get("admin")?;
        let order = transfer_order(
            conn,
            (organisation, admin),
            format!("{}-к", organisation % 1000),
            (issued_on, from, local_millis(issued_on, 12, 0)),
            "Перевод в следующую возрастную группу",
        )
        .await?;
        sqlx::query(&format!(
            "INSERT INTO enrolment_order_lines (order_id, child_id, from_group_id, to_group_id) \
             SELECT $3, e.child_id, {previous}, e.group_id {this_year}"
        ))
        .bind(organisation)
        .bind(from.to_string())
        .bind(order)
        .execute(&mut *conn)
        .await?;
        sqlx::query(&format!(
            "INSERT INTO enrolments (child_id, group_id, from_day, to_day, closed_by) \
             SELECT e.child_id, {previous}, $3, $4, $5 {this_year}"
        ))
        .bind(organisation)
        .bind(from.to_string())
        .bind(year_before.to_string())
        .bind(last_before.to_string())
        .bind(order)
        .execute(&mut *conn)
        .await?;
        moved += sqlx::query(&format!(
            "UPDATE enrolments SET opened_by = $3 WHERE id IN (SELECT e.id {this_year})"
        ))
        .bind(organisation)
        .bind(from.to_string())
        .bind(order)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    }
    Ok(moved)
}

/// Moves the chosen children on `day` (between `from` and `until`) and returns how many.
pub(super) async fn write_transfers(
    conn: &mut AnyConnection,
    from: NaiveDate,
    until: NaiveDate,
) -> Result<u64, sqlx::Error> {
    let day = from + Days::new((until - from).num_days().max(0) as u64 / 2);
    let last_before = day.pred_opt().expect("a day after the first");
    let day_text = day.to_string();
    let rows = sqlx::query(
        "SELECT c.id, c.group_id, g.organisation_id, e.id AS period FROM children c \
         JOIN groups g ON g.id = c.group_id JOIN enrolments e ON e.child_id = c.id \
         WHERE c.id % 50 = 7 AND e.from_day < $1 AND (e.to_day IS NULL OR e.to_day >= $1) \
         ORDER BY c.id",
    )
    .bind(&day_text)
    .fetch_all(&mut *conn)
    .await?;
    let mut groups: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for r in sqlx::query("SELECT id, organisation_id FROM groups ORDER BY id")
        .fetch_all(&mut *conn)
        .await?
    {
        groups
            .entry(r.try_get("organisation_id")?)
            .or_default()
            .push(r.try_get("id")?);
    }
    let mut orders: BTreeMap<i64, i64> = BTreeMap::new();
    let mut moved = 0;
    for r in &rows {
        let (child, group, organisation, period): (i64, i64, i64, i64) = (
            r.try_get("id")?,
            r.try_get("group_id")?,
            r.try_get("organisation_id")?,
            r.try_get("period")?,
        );
        // The next group of the organisation, round: an organisation of one group has
        // nowhere to move its children.
        let own = &groups[&organisation];
        let Some(to) = own
            .iter()
            .cycle()
            .skip_while(|g| **g != group)
            .nth(1)
            .filter(|g| **g != group)
            .copied()
        else {
            continue;
        };
        let order = match orders.get(&organisation) {
            Some(&order) => order,
            None => {
                let admin: Option<i64> = sqlx::query(
                    "SELECT MIN(person_id) AS person FROM role_grants \
                     WHERE organisation_id = $1 AND role = 'org_admin'",
                )
                .bind(organisation)
                .fetch_one(&mut *conn)
                .await?
                .try_get("person")?;
                let order = transfer_order(
                    conn,
                    (organisation, admin),
                    format!("{}-п", organisation % 1000),
                    (day, day, local_millis(last_before, 16, 0)),
                    "",
                )
                .await?;
                orders.insert(organisation, order);
                order
            }
        };
        let to_day: Option<String> = sqlx::query("SELECT to_day FROM enrolments WHERE id = $1")
            .bind(period)
            .fetch_one(&mut *conn)
            .await?
            .try_get("to_day")?;
        sqlx::query("UPDATE enrolments SET to_day = $1, closed_by = $2 WHERE id = $3")
            .bind(last_before.to_string())
            .bind(order)
            .bind(period)
            .execute(&mut *conn)
            .await?;
        sqlx::query(
            "INSERT INTO enrolments (child_id, group_id, from_day, to_day, opened_by) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(child)
        .bind(to)
        .bind(&day_text)
        .bind(&to_day)
        .bind(order)
        .execute(&mut *conn)
        .await?;
        record_line(conn, order, child, Some(group), Some(to)).await?;
        // From the day on, the new group's teacher is the one who marked the child.
        sqlx::query(
            "UPDATE marks SET recorded_by = COALESCE((SELECT MIN(s.person_id) FROM teacher_groups tg \
             JOIN staff s ON s.id = tg.staff_id WHERE tg.group_id = $1), recorded_by) \
             WHERE child_id = $2 AND day >= $3",
        )
        .bind(to)
        .bind(child)
        .bind(&day_text)
        .execute(&mut *conn)
        .await?;
        // And the one who asked the parents about an absence then.
        sqlx::query(
            "UPDATE notices SET created_by = (SELECT m.recorded_by FROM marks m \
             WHERE m.child_id = notices.child_id AND m.day = notices.day) \
             WHERE child_id = $1 AND day >= $2 AND kind = 'reason_request' \
             AND EXISTS (SELECT 1 FROM marks m WHERE m.child_id = notices.child_id AND m.day = notices.day)",
        )
        .bind(child)
        .bind(&day_text)
        .execute(&mut *conn)
        .await?;
        sqlx::query("UPDATE children SET group_id = $1, enrolled_on = $2 WHERE id = $3")
            .bind(to)
            .bind(&day_text)
            .bind(child)
            .execute(&mut *conn)
            .await?;
        moved += 1;
    }
    Ok(moved)
}

/// A transfer order of `organisation`, signed by its head (`admin`): issued on, taking
/// effect on, and entered at.
async fn transfer_order(
    conn: &mut AnyConnection,
    (organisation, admin): (i64, Option<i64>),
    number: String,
    (issued_on, effective_on, at): (NaiveDate, NaiveDate, i64),
    comment: &str,
) -> Result<i64, sqlx::Error> {
    record_order(
        conn,
        &NewOrder {
            organisation_id: organisation,
            kind: OrderKind::Transfer,
            number: &number,
            issued_on,
            effective_on,
            comment,
            by: admin.unwrap_or(0),
            at,
        },
    )
    .await
}
