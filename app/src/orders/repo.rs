use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use sqlx::{AnyConnection, Row};

use super::{
    Candidate, HistoryRow, IssuedOrder, OrderCard, OrderChoices, OrderForm, OrderLine, OrderPage,
    OrderRow, PER_PAGE,
};
use crate::access::{managed_child, managed_organisation};
use crate::clock::{local_time, now_millis};
use crate::components::matches_words;
use crate::db::Db;
use crate::domain::calendar::Month;
use crate::domain::enrolment::{self as rules, History, LineChange, LineError, OrderKind};
use crate::domain::{Actor, Bilingual};
use crate::enrolment::{self, NewOrder};
use crate::error::{AppError, ErrorKind, FieldIssue};
use crate::input::parse_date;
use crate::marks::closed_months;
use crate::rows::{full_name, full_name_of, optional_date, stored_date};

/// The most children one order may name: a whole organisation's move-up fits.
const MAX_LINES: usize = 2000;

/// An order's form, checked: every field's problem at once.
struct CheckedOrder {
    kind: OrderKind,
    number: String,
    issued_on: NaiveDate,
    effective_on: NaiveDate,
    to_group: Option<i64>,
    moves: BTreeMap<i64, i64>,
    comment: String,
    children: Vec<i64>,
}

fn field(field: &str, ru: impl Into<String>, en: impl Into<String>) -> FieldIssue {
    FieldIssue {
        field: field.into(),
        ru: ru.into(),
        en: en.into(),
    }
}

fn form_error(details: Vec<FieldIssue>) -> AppError {
    AppError {
        details,
        ..AppError::new(
            ErrorKind::Invalid,
            "Проверьте поля приказа, отмеченные ниже.",
            "Check the order's fields marked below.",
        )
    }
}

fn check(form: &OrderForm) -> Result<CheckedOrder, AppError> {
    let mut issues = Vec::new();
    let kind = OrderKind::parse(form.kind.trim());
    match kind {
        None => issues.push(field(
            "kind",
            "Выберите вид приказа.",
            "Choose the kind of order.",
        )),
        Some(OrderKind::Admission) => issues.push(field(
            "kind",
            "Зачисление оформляется в карточке ребёнка или загрузкой CSV: они создают приказ о зачислении.",
            "Admission is made on the child's card or by a CSV import: they issue the admission order.",
        )),
        Some(_) => {}
    }
    let number = form.number.trim().to_owned();
    if number.is_empty() || number.chars().count() > 30 {
        issues.push(field(
            "number",
            "Укажите номер приказа (до 30 знаков).",
            "Enter the order's number (up to 30 characters).",
        ));
    }
    let mut date = |name: &str, raw: &str| match parse_date(raw) {
        Ok(date) => Some(date),
        Err(e) => {
            issues.push(field(name, e.ru, e.en));
            None
        }
    };
    let issued_on = date("issued_on", &form.issued_on);
    let effective_on = date("effective_on", &form.effective_on);
    let to_group = match form.to_group_id.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(raw) => match raw.parse::<i64>() {
            Ok(id) => Some(id),
            Err(_) => {
                issues.push(field(
                    "to_group_id",
                    "Выберите группу из списка.",
                    "Choose a group from the list.",
                ));
                None
            }
        },
    };
    let mut moves = BTreeMap::new();
    for pair in &form.moves {
        let parsed = pair.split_once(':').and_then(|(a, b)| {
            Some((a.trim().parse::<i64>().ok()?, b.trim().parse::<i64>().ok()?))
        });
        match parsed {
            Some((from, to)) if from != to => {
                moves.insert(from, to);
            }
            Some(_) => {}
            None => issues.push(field(
                "moves",
                "Выберите группы из списка.",
                "Choose the groups from the list.",
            )),
        }
    }
    if kind.is_some_and(OrderKind::needs_group) && to_group.is_none() && moves.is_empty() {
        issues.push(field(
            "to_group_id",
            "Выберите группу, в которую переходят дети.",
            "Choose the group the children go to.",
        ));
    }
    let children: Option<BTreeSet<i64>> = form
        .children
        .iter()
        .map(|id| id.trim().parse::<i64>().ok())
        .collect();
    let children: Vec<i64> = children
        .unwrap_or_else(|| {
            issues.push(field(
                "children",
                "Отметьте детей из списка.",
                "Tick children from the list.",
            ));
            BTreeSet::new()
        })
        .into_iter()
        .collect();
    if children.is_empty() && issues.iter().all(|i| i.field != "children") {
        issues.push(field(
            "children",
            "Отметьте детей, к которым относится приказ.",
            "Tick the children the order applies to.",
        ));
    } else if children.len() > MAX_LINES {
        issues.push(field(
            "children",
            format!("В одном приказе не больше {MAX_LINES} детей."),
            format!("One order names at most {MAX_LINES} children."),
        ));
    }
    let comment = form.comment.trim().to_owned();
    if comment.chars().count() > 1000 {
        issues.push(field(
            "comment",
            "Комментарий длиннее 1000 знаков.",
            "The comment is longer than 1000 characters.",
        ));
    }
    match (kind, issued_on, effective_on) {
        (Some(kind), Some(issued_on), Some(effective_on)) if issues.is_empty() => {
            Ok(CheckedOrder {
                kind,
                number,
                issued_on,
                effective_on,
                to_group,
                moves,
                comment,
                children,
            })
        }
        _ => Err(form_error(issues)),
    }
}

/// The organisation's groups by id: name and whether archived.
async fn organisation_groups(
    db: &Db,
    organisation_id: i64,
) -> Result<BTreeMap<i64, (String, bool)>, AppError> {
    sqlx::query("SELECT id, name, archived FROM groups WHERE organisation_id = $1")
        .bind(organisation_id)
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| {
            Ok((
                r.try_get("id")?,
                (r.try_get("name")?, crate::rows::flag(r, "archived")?),
            ))
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// The names of the organisation's children among `ids`, by id; others are left out.
async fn children_of(
    db: &Db,
    organisation_id: i64,
    ids: &[i64],
) -> Result<BTreeMap<i64, String>, AppError> {
    let mut names = BTreeMap::new();
    for chunk in ids.chunks(500) {
        let placeholders = (2..chunk.len() + 2)
            .map(|n| format!("${n}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT c.id, c.surname, c.given_name, c.patronymic FROM children c \
             JOIN groups g ON g.id = c.group_id WHERE g.organisation_id = $1 AND c.id IN ({placeholders})"
        );
        let mut query = sqlx::query(&sql).bind(organisation_id);
        for id in chunk {
            query = query.bind(*id);
        }
        for row in query.fetch_all(db.pool()).await? {
            names.insert(row.try_get::<i64, _>("id")?, full_name(&row)?);
        }
    }
    Ok(names)
}

/// The last marked day after `after` among the days `change` takes away from the child,
/// if any: those marks would no longer belong to any group.
async fn marks_left_behind(
    conn: &mut AnyConnection,
    child_id: i64,
    after: NaiveDate,
) -> Result<Option<NaiveDate>, AppError> {
    let day: Option<String> =
        sqlx::query("SELECT MAX(day) AS day FROM marks WHERE child_id = $1 AND day >= $2")
            .bind(child_id)
            .bind(after.to_string())
            .fetch_one(&mut *conn)
            .await?
            .try_get("day")?;
    day.map(|d| stored_date(&d)).transpose()
}

/// Why one child's line of an order (or of its cancelling) is refused.
enum LineProblem {
    Rule(LineError),
    /// A mark on this day would be left outside any group.
    MarkLeftBehind(NaiveDate),
}

impl LineProblem {
    fn issue(&self, child_id: i64, name: &str) -> FieldIssue {
        let (ru, en) = match self {
            Self::Rule(e) => (e.ru(), e.en()),
            Self::MarkLeftBehind(day) => {
                let shown = day.format("%d.%m.%Y");
                (
                    format!("у ребёнка есть отметка посещаемости за {shown}, она осталась бы вне группы"),
                    format!("the child has an attendance mark on {shown}, which would be left outside any group"),
                )
            }
        };
        line_issue(child_id, name, &ru, &en)
    }
}

/// One line's change as the rules gave it, then checked against the touched groups'
/// closed months and, where `takes_days` says the change removes days from the child,
/// against marks on those days. Issuing and cancelling judge their lines alike.
async fn checked_line(
    conn: &mut AnyConnection,
    closed: &mut ClosedMonths<'_>,
    child_id: i64,
    verdict: Result<LineChange, LineError>,
    takes_days: impl Fn(&LineChange) -> bool,
) -> Result<Result<LineChange, LineProblem>, AppError> {
    let change = match verdict {
        Ok(change) => change,
        Err(e) => return Ok(Err(LineProblem::Rule(e))),
    };
    if let Err(e) = closed.check(&change).await? {
        return Ok(Err(LineProblem::Rule(e)));
    }
    if takes_days(&change) {
        if let Some(day) = marks_left_behind(conn, child_id, change.first_changed).await? {
            return Ok(Err(LineProblem::MarkLeftBehind(day)));
        }
    }
    Ok(Ok(change))
}

/// Closed months per group, loaded once per order.
struct ClosedMonths<'a> {
    db: &'a Db,
    by_group: BTreeMap<i64, BTreeSet<Month>>,
}

impl ClosedMonths<'_> {
    async fn check(&mut self, change: &LineChange) -> Result<Result<(), LineError>, AppError> {
        for &group_id in &change.groups {
            if !self.by_group.contains_key(&group_id) {
                let closed = closed_months(self.db, group_id).await?;
                self.by_group.insert(group_id, closed);
            }
        }
        Ok(change.closed_month(|g| self.by_group.get(&g).cloned().unwrap_or_default()))
    }
}

fn line_issue(child_id: i64, name: &str, ru: &str, en: &str) -> FieldIssue {
    field(
        &format!("child-{child_id}"),
        format!("{name}: {ru}."),
        format!("{name}: {en}."),
    )
}

fn refused(issues: Vec<FieldIssue>, ru: &str, en: &str) -> AppError {
    AppError {
        details: issues,
        ..AppError::new(ErrorKind::Conflict, ru, en)
    }
}

pub async fn issue(db: &Db, actor: &Actor, form: &OrderForm) -> Result<IssuedOrder, AppError> {
    let organisation_id = managed_organisation(actor)?;
    let order = check(form)?;
    let groups = organisation_groups(db, organisation_id).await?;
    let targets: BTreeSet<i64> = order
        .to_group
        .iter()
        .chain(order.moves.values())
        .copied()
        .collect();
    for target in &targets {
        match groups.get(target) {
            None => return Err(AppError::forbidden()),
            Some((name, true)) => {
                return Err(AppError::conflict(
                    "to_group_id",
                    format!("Группа «{name}» в архиве: в неё нельзя переводить."),
                    format!("The group «{name}» is archived: children cannot go to it."),
                ))
            }
            Some(_) => {}
        }
    }
    if order.moves.keys().any(|from| !groups.contains_key(from)) {
        return Err(AppError::forbidden());
    }
    let names = children_of(db, organisation_id, &order.children).await?;
    if names.len() != order.children.len() {
        // A child of another organisation, or none at all: not the admin's to move.
        return Err(AppError::forbidden());
    }

    let mut tx = db.begin_write().await?;
    let mut closed = ClosedMonths {
        db,
        by_group: BTreeMap::new(),
    };
    let histories = enrolment::histories(&mut tx, &order.children).await?;
    let mut problems = Vec::new();
    let mut changes: Vec<(i64, Option<i64>, Option<i64>, LineChange)> = Vec::new();
    for &child_id in &order.children {
        let name = &names[&child_id];
        let history = histories.get(&child_id).cloned().unwrap_or_default();
        let from_group = history
            .on(order.effective_on)
            .map(|p| p.group_id)
            .or_else(|| {
                (order.kind == OrderKind::Leaving)
                    .then(|| history.latest().map(|p| p.group_id))
                    .flatten()
            });
        let to_group = if order.kind.needs_group() {
            from_group
                .and_then(|g| order.moves.get(&g).copied())
                .or(order.to_group)
        } else {
            None
        };
        if order.kind == OrderKind::Transfer && to_group.is_none() && from_group.is_some() {
            // A move-up line whose group was not given a target: the child stays.
            continue;
        }
        let verdict = rules::apply(&history, order.kind, order.effective_on, to_group);
        let leaving = order.kind == OrderKind::Leaving;
        let change =
            match checked_line(&mut tx, &mut closed, child_id, verdict, |_| leaving).await? {
                Ok(change) => change,
                Err(problem) => {
                    problems.push(problem.issue(child_id, name));
                    continue;
                }
            };
        let from = (order.kind != OrderKind::Return)
            .then_some(from_group)
            .flatten();
        changes.push((child_id, from, to_group, change));
    }
    if !problems.is_empty() {
        return Err(refused(
            problems,
            "Приказ не проведён: его нельзя применить к детям, перечисленным ниже. Ничего не изменено.",
            "The order was not issued: it cannot apply to the children listed below. Nothing was changed.",
        ));
    }
    if changes.is_empty() {
        return Err(AppError::conflict(
            "children",
            "Ни одного ребёнка не переводят: выберите группы, куда переходят дети.",
            "No child moves: choose the groups the children go to.",
        ));
    }
    let order_id = enrolment::record_order(
        &mut tx,
        &NewOrder {
            organisation_id,
            kind: order.kind,
            number: &order.number,
            issued_on: order.issued_on,
            effective_on: order.effective_on,
            comment: &order.comment,
            by: actor.person_id,
            at: now_millis(),
        },
    )
    .await?;
    for (child_id, from, to, change) in &changes {
        enrolment::record_line(&mut tx, order_id, *child_id, *from, *to).await?;
        enrolment::write_change(&mut tx, *child_id, change, order_id, false).await?;
    }
    tx.commit().await?;
    tracing::info!(
        order_id,
        kind = order.kind.as_str(),
        children = changes.len(),
        by = actor.person_id,
        "enrolment order issued"
    );
    Ok(IssuedOrder {
        id: order_id,
        number: order.number,
        children: changes.len(),
    })
}

/// The order's organisation and whether it is cancelled; 404 for another organisation's.
async fn managed_order(
    db: &Db,
    actor: &Actor,
    order_id: i64,
) -> Result<sqlx::any::AnyRow, AppError> {
    let organisation_id = managed_organisation(actor)?;
    sqlx::query(
        "SELECT o.id, o.organisation_id, o.number, o.kind, o.issued_on, o.effective_on, o.comment, \
         o.created_at, o.cancelled_at, p.surname, p.given_name, p.patronymic, \
         q.surname AS c_surname, q.given_name AS c_given_name, q.patronymic AS c_patronymic \
         FROM enrolment_orders o JOIN people p ON p.id = o.created_by \
         LEFT JOIN people q ON q.id = o.cancelled_by WHERE o.id = $1 AND o.organisation_id = $2",
    )
    .bind(order_id)
    .bind(organisation_id)
    .fetch_optional(db.pool())
    .await?
    .ok_or_else(|| AppError::not_found("Приказ не найден.", "Order not found."))
}

pub async fn cancel(db: &Db, actor: &Actor, order_id: i64) -> Result<(), AppError> {
    let row = managed_order(db, actor, order_id).await?;
    if row.try_get::<Option<i64>, _>("cancelled_at")?.is_some() {
        return Err(AppError::new(
            ErrorKind::Conflict,
            "Приказ уже отменён.",
            "The order is already cancelled.",
        ));
    }
    let lines: Vec<i64> =
        sqlx::query("SELECT child_id FROM enrolment_order_lines WHERE order_id = $1")
            .bind(order_id)
            .fetch_all(db.pool())
            .await?
            .iter()
            .map(|r| r.try_get("child_id"))
            .collect::<Result<_, _>>()?;
    let organisation_id: i64 = row.try_get("organisation_id")?;
    let names = children_of(db, organisation_id, &lines).await?;

    let mut tx = db.begin_write().await?;
    let histories = enrolment::histories(&mut tx, &lines).await?;
    let mut closed = ClosedMonths {
        db,
        by_group: BTreeMap::new(),
    };
    let mut problems = Vec::new();
    let mut changes = Vec::new();
    for &child_id in &lines {
        let name = names.get(&child_id).map_or("", String::as_str);
        let history: History = histories.get(&child_id).cloned().unwrap_or_default();
        // Taking back an admission or a return removes the child's days there: the
        // marks of those days would be lost from every табель.
        let removes_days =
            |change: &LineChange| change.delete.is_some() && change.set_end.is_none();
        let verdict = rules::cancel(&history, order_id);
        let change =
            match checked_line(&mut tx, &mut closed, child_id, verdict, removes_days).await? {
                Ok(change) => change,
                Err(problem) => {
                    problems.push(problem.issue(child_id, name));
                    continue;
                }
            };
        changes.push((child_id, change));
    }
    if !problems.is_empty() {
        return Err(refused(
            problems,
            "Приказ нельзя отменить: мешает то, что перечислено ниже. Ничего не изменено.",
            "The order cannot be cancelled for the reasons below. Nothing was changed.",
        ));
    }
    for (child_id, change) in &changes {
        enrolment::write_change(&mut tx, *child_id, change, order_id, true).await?;
    }
    sqlx::query("UPDATE enrolment_orders SET cancelled_at = $1, cancelled_by = $2 WHERE id = $3")
        .bind(now_millis())
        .bind(actor.person_id)
        .bind(order_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    tracing::info!(order_id, by = actor.person_id, "enrolment order cancelled");
    Ok(())
}

fn order_row(r: &sqlx::any::AnyRow) -> Result<OrderRow, AppError> {
    Ok(OrderRow {
        id: r.try_get("id")?,
        number: r.try_get("number")?,
        kind: r.try_get("kind")?,
        issued_on: r.try_get("issued_on")?,
        effective_on: r.try_get("effective_on")?,
        children: r.try_get("children")?,
        cancelled: r.try_get::<Option<i64>, _>("cancelled_at")?.is_some(),
    })
}

pub async fn list(
    db: &Db,
    actor: &Actor,
    kind: &str,
    from: &str,
    to: &str,
    query: &str,
    page: usize,
) -> Result<OrderPage, AppError> {
    let organisation_id = managed_organisation(actor)?;
    let kind = match kind.trim() {
        "" => None,
        raw => Some(OrderKind::parse(raw).ok_or_else(|| {
            AppError::on_field(
                ErrorKind::Invalid,
                "kind",
                "Неизвестный вид приказа.",
                "Unknown kind of order.",
            )
        })?),
    };
    let bound = |raw: &str, name: &str| -> Result<Option<NaiveDate>, AppError> {
        match raw.trim() {
            "" => Ok(None),
            raw => parse_date(raw).map(Some).map_err(|e| AppError {
                field: Some(name.into()),
                ..e
            }),
        }
    };
    let (from, to) = (bound(from, "from")?, bound(to, "to")?);
    // An organisation issues tens of orders a year: filter whole, page in memory.
    let rows = sqlx::query(
        "SELECT o.id, o.number, o.kind, o.issued_on, o.effective_on, o.cancelled_at, \
         (SELECT COUNT(*) FROM enrolment_order_lines l WHERE l.order_id = o.id) AS children \
         FROM enrolment_orders o WHERE o.organisation_id = $1 \
         ORDER BY o.issued_on DESC, o.id DESC",
    )
    .bind(organisation_id)
    .fetch_all(db.pool())
    .await?;
    let names = if query.trim().is_empty() {
        BTreeMap::new()
    } else {
        order_child_names(db, organisation_id).await?
    };
    let mut matching = Vec::new();
    for r in &rows {
        let row = order_row(r)?;
        let issued = stored_date(&row.issued_on)?;
        if kind.is_some_and(|k| k.as_str() != row.kind)
            || from.is_some_and(|f| issued < f)
            || to.is_some_and(|t| issued > t)
        {
            continue;
        }
        if !query.trim().is_empty() {
            let text = format!(
                "{} {}",
                row.number,
                names.get(&row.id).map_or("", String::as_str)
            );
            if !matches_words(&text, query) {
                continue;
            }
        }
        matching.push(row);
    }
    let total = matching.len();
    let page = page.max(1);
    let rows = matching
        .into_iter()
        .skip((page - 1) * PER_PAGE)
        .take(PER_PAGE)
        .collect();
    Ok(OrderPage {
        rows,
        total,
        page,
        per_page: PER_PAGE,
    })
}

/// The names of each order's children, joined, for the list's search.
async fn order_child_names(
    db: &Db,
    organisation_id: i64,
) -> Result<BTreeMap<i64, String>, AppError> {
    let mut names: BTreeMap<i64, String> = BTreeMap::new();
    for r in sqlx::query(
        "SELECT l.order_id, c.surname, c.given_name, c.patronymic FROM enrolment_order_lines l \
         JOIN enrolment_orders o ON o.id = l.order_id JOIN children c ON c.id = l.child_id \
         WHERE o.organisation_id = $1",
    )
    .bind(organisation_id)
    .fetch_all(db.pool())
    .await?
    {
        let entry = names.entry(r.try_get("order_id")?).or_default();
        entry.push(' ');
        entry.push_str(&full_name(&r)?);
    }
    Ok(names)
}

pub async fn card(db: &Db, actor: &Actor, order_id: i64) -> Result<OrderCard, AppError> {
    let row = managed_order(db, actor, order_id).await?;
    let organisation: String = sqlx::query("SELECT name FROM organisations WHERE id = $1")
        .bind(row.try_get::<i64, _>("organisation_id")?)
        .fetch_one(db.pool())
        .await?
        .try_get("name")?;
    let lines = sqlx::query(
        "SELECT l.child_id, c.surname, c.given_name, c.patronymic, f.name AS from_group, t.name AS to_group \
         FROM enrolment_order_lines l JOIN children c ON c.id = l.child_id \
         LEFT JOIN groups f ON f.id = l.from_group_id LEFT JOIN groups t ON t.id = l.to_group_id \
         WHERE l.order_id = $1 ORDER BY c.surname, c.given_name, c.id",
    )
    .bind(order_id)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| {
        Ok(OrderLine {
            child_id: r.try_get("child_id")?,
            child_name: full_name(r)?,
            from_group: r.try_get("from_group")?,
            to_group: r.try_get("to_group")?,
        })
    })
    .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let cancelled = match row.try_get::<Option<i64>, _>("cancelled_at")? {
        Some(at) => Some((full_name_of(&row, "c_")?, local_time(at, "%d.%m.%Y %H:%M"))),
        None => None,
    };
    Ok(OrderCard {
        id: order_id,
        organisation,
        number: row.try_get("number")?,
        kind: row.try_get("kind")?,
        issued_on: row.try_get("issued_on")?,
        effective_on: row.try_get("effective_on")?,
        comment: row.try_get("comment")?,
        issued_by: full_name(&row)?,
        cancelled,
        lines,
    })
}

pub async fn choices(
    db: &Db,
    actor: &Actor,
    kind: &str,
    group_id: Option<i64>,
    on: &str,
) -> Result<OrderChoices, AppError> {
    let organisation_id = managed_organisation(actor)?;
    let groups = organisation_groups(db, organisation_id).await?;
    let mut candidates = Vec::new();
    let kind = OrderKind::parse(kind.trim());
    let on = match on.trim() {
        "" => None,
        raw => Some(parse_date(raw).map_err(|e| AppError {
            field: Some("on".into()),
            ..e
        })?),
    };
    if let (Some(OrderKind::Return), _) = (kind, on) {
        // Children whose latest period is closed: they have left.
        let rows = sqlx::query(
            "SELECT c.id, c.surname, c.given_name, c.patronymic, c.group_id, c.left_on FROM children c \
             JOIN groups g ON g.id = c.group_id WHERE g.organisation_id = $1 AND c.left_on IS NOT NULL \
             ORDER BY c.surname, c.given_name, c.id",
        )
        .bind(organisation_id)
        .fetch_all(db.pool())
        .await?;
        for r in &rows {
            let group_id: i64 = r.try_get("group_id")?;
            candidates.push(Candidate {
                child_id: r.try_get("id")?,
                name: full_name(r)?,
                group_id,
                group: groups
                    .get(&group_id)
                    .map(|g| g.0.clone())
                    .unwrap_or_default(),
                left_on: optional_date(r, "left_on")?.map(|d| d.to_string()),
            });
        }
    } else if let (Some(_), Some(on)) = (kind, on) {
        let wanted: Vec<i64> = match group_id {
            Some(id) if groups.contains_key(&id) => vec![id],
            Some(_) => return Err(AppError::forbidden()),
            // The move-up: every group's children.
            None => groups.keys().copied().collect(),
        };
        for group_id in wanted {
            for child in enrolment::children_in_group(db, group_id, on, on).await? {
                candidates.push(Candidate {
                    child_id: child.id,
                    name: child.name,
                    group_id,
                    group: groups[&group_id].0.clone(),
                    left_on: None,
                });
            }
        }
    }
    Ok(OrderChoices {
        groups: groups
            .into_iter()
            .filter(|(_, (_, archived))| !archived)
            .map(|(id, (name, _))| (id, name))
            .collect(),
        candidates,
    })
}

pub async fn child_history(
    db: &Db,
    actor: &Actor,
    child_id: i64,
) -> Result<Vec<HistoryRow>, AppError> {
    managed_child(db, actor, child_id).await?;
    let rows = sqlx::query(
        "SELECT g.name, e.from_day, e.to_day, e.opened_by, e.closed_by, \
         oo.number AS o_number, oo.kind AS o_kind, co.number AS c_number, co.kind AS c_kind \
         FROM enrolments e JOIN groups g ON g.id = e.group_id \
         LEFT JOIN enrolment_orders oo ON oo.id = e.opened_by \
         LEFT JOIN enrolment_orders co ON co.id = e.closed_by \
         WHERE e.child_id = $1 ORDER BY e.from_day",
    )
    .bind(child_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            let order = |id: &str, number: &str, kind: &str| -> Result<_, sqlx::Error> {
                Ok(match r.try_get::<Option<i64>, _>(id)? {
                    Some(id) => Some((id, r.try_get(number)?, r.try_get(kind)?)),
                    None => None,
                })
            };
            Ok(HistoryRow {
                group: r.try_get("name")?,
                from: r.try_get("from_day")?,
                to: r.try_get("to_day")?,
                opened_by: order("opened_by", "o_number", "o_kind")?,
                closed_by: order("closed_by", "c_number", "c_kind")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}
