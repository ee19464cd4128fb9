use std::collections::BTreeMap;

use chrono::NaiveDate;
use sqlx::Row;

use super::delivery::{child_head, deliver};
use super::outbox::{self, Delivery};
use super::{
    Answer, ChildOption, DailySummaryView, GroupNotice, GroupNotices, Inbox, InboxItem, NoticeKind,
    NoticeReason, NoticeStatus,
};
use crate::access::{child_scope_on, group_scope, managed_organisation, parent_child};
use crate::clock::{local_time, now_millis, today};
use crate::db::Db;
use crate::domain::calendar::Month;
use crate::domain::notice::{
    parse_comment, tally_day, teacher_notice_letter, DailySummary, Lang, NoticeText,
    UnansweredNotice,
};
use crate::domain::timesheet::{AbsenceReason, Mark};
use crate::domain::{Actor, Permission, Role};
use crate::error::{AppError, ErrorKind};
use crate::input::parse_date;
use crate::marks::{self, month_closed, Origin};
use crate::reference::repo::{calendar, reasons};
use crate::rows::{self, flag, full_name, full_name_of};

const TIME_FORMAT: &str = "%d.%m.%Y %H:%M";

fn reason_options(reasons: &[AbsenceReason]) -> Vec<NoticeReason> {
    reasons
        .iter()
        .map(|r| NoticeReason {
            code: r.code.clone(),
            name_ru: r.name_ru.clone(),
            name_en: english_name(r).to_owned(),
        })
        .collect()
}

/// A reason's English name, or its Russian one when the book has none.
fn english_name(reason: &AbsenceReason) -> &str {
    if reason.name_en.trim().is_empty() {
        &reason.name_ru
    } else {
        &reason.name_en
    }
}

/// A reason's name in Russian and in English.
fn reason_name(reasons: &[AbsenceReason], code: &str) -> (String, String) {
    AbsenceReason::find(reasons, code)
        .map(|r| (r.name_ru.clone(), english_name(r).to_owned()))
        .unwrap_or_default()
}

/// Columns every notice listing reads: the notice, its child and group, its author
/// (`author_*`) and whoever answered it (`answerer_*`).
const NOTICE_COLUMNS: &str = "n.id, n.kind, n.day, n.body, n.created_at, n.answered_at, \
     n.answer_reason, n.answer_comment, n.closed_at, c.surname, c.given_name, c.patronymic, \
     g.name AS group_name, g.organisation_id, a.surname AS author_surname, \
     a.given_name AS author_given_name, a.patronymic AS author_patronymic, \
     b.surname AS answerer_surname, b.given_name AS answerer_given_name, \
     b.patronymic AS answerer_patronymic";
const NOTICE_JOINS: &str =
    "JOIN children c ON c.id = n.child_id JOIN groups g ON g.id = c.group_id \
     JOIN people a ON a.id = n.created_by LEFT JOIN people b ON b.id = n.answered_by";

fn status_of(
    row: &sqlx::any::AnyRow,
    reasons: &[AbsenceReason],
) -> Result<NoticeStatus, sqlx::Error> {
    let kind = NoticeKind::parse(&row.try_get::<String, _>("kind")?);
    Ok(match row.try_get::<Option<i64>, _>("answered_at")? {
        Some(at) => {
            let reason: String = row
                .try_get::<Option<String>, _>("answer_reason")?
                .unwrap_or_default();
            let (reason_name, reason_name_en) = reason_name(reasons, &reason);
            NoticeStatus::Answered(Answer {
                reason_name,
                reason_name_en,
                reason,
                comment: row.try_get("answer_comment")?,
                by: full_name_of(row, "answerer_")?,
                at: local_time(at, TIME_FORMAT),
            })
        }
        None if kind == NoticeKind::Teacher => NoticeStatus::Information,
        None if row.try_get::<Option<i64>, _>("closed_at")?.is_some() => NoticeStatus::Closed,
        None => NoticeStatus::Open,
    })
}

/// The reason books of the organisations rows belong to, loaded once each.
async fn reasons_by_organisation(
    db: &Db,
    rows: &[sqlx::any::AnyRow],
) -> Result<BTreeMap<i64, Vec<AbsenceReason>>, AppError> {
    let mut books = BTreeMap::new();
    for row in rows {
        let organisation_id: i64 = row.try_get("organisation_id")?;
        if let std::collections::btree_map::Entry::Vacant(book) = books.entry(organisation_id) {
            book.insert(reasons(db, organisation_id).await?);
        }
    }
    Ok(books)
}

fn require_parent(actor: &Actor) -> Result<(), AppError> {
    if actor.role == Role::Parent {
        Ok(())
    } else {
        Err(AppError::forbidden())
    }
}

pub async fn unread_count(db: &Db, person_id: i64) -> Result<i64, AppError> {
    Ok(sqlx::query(
        "SELECT COUNT(*) AS n FROM notice_recipients WHERE person_id = $1 AND read_at IS NULL",
    )
    .bind(person_id)
    .fetch_one(db.pool())
    .await?
    .try_get("n")?)
}

pub async fn inbox(db: &Db, actor: &Actor) -> Result<Inbox, AppError> {
    require_parent(actor)?;
    let rows = sqlx::query(&format!(
        "SELECT {NOTICE_COLUMNS}, r.read_at FROM notice_recipients r \
         JOIN notices n ON n.id = r.notice_id {NOTICE_JOINS} \
         WHERE r.person_id = $1 ORDER BY n.created_at DESC, n.id DESC LIMIT 200"
    ))
    .bind(actor.person_id)
    .fetch_all(db.pool())
    .await?;
    let books = reasons_by_organisation(db, &rows).await?;
    let items = rows
        .iter()
        .map(|r| {
            let book = &books[&r.try_get::<i64, _>("organisation_id")?];
            Ok(InboxItem {
                id: r.try_get("id")?,
                kind: NoticeKind::parse(&r.try_get::<String, _>("kind")?),
                child_name: full_name(r)?,
                group_name: r.try_get("group_name")?,
                day: r.try_get("day")?,
                text: r.try_get("body")?,
                author: full_name_of(r, "author_")?,
                created_at: local_time(r.try_get("created_at")?, TIME_FORMAT),
                read: r.try_get::<Option<i64>, _>("read_at")?.is_some(),
                status: status_of(r, book)?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    // The reasons a parent can give: those of its children's organisations.
    let mut offered: Vec<NoticeReason> = Vec::new();
    let organisations = own_organisations(db, actor).await?;
    for organisation_id in organisations {
        for reason in AbsenceReason::offered(&reasons(db, organisation_id).await?) {
            if !offered.iter().any(|o| o.code == reason.code) {
                offered.extend(reason_options(std::slice::from_ref(&reason)));
            }
        }
    }
    Ok(Inbox {
        unread: items.iter().filter(|i| !i.read).count() as i64,
        items,
        reasons: offered,
    })
}

async fn own_organisations(db: &Db, actor: &Actor) -> Result<Vec<i64>, AppError> {
    let rows = sqlx::query(
        "SELECT DISTINCT g.organisation_id FROM child_guardians cg JOIN children c ON c.id = cg.child_id \
         JOIN groups g ON g.id = c.group_id WHERE cg.person_id = $1 ORDER BY g.organisation_id",
    )
    .bind(actor.person_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| r.try_get("organisation_id"))
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

fn notice_not_found() -> AppError {
    AppError::not_found("Уведомление не найдено.", "Notice not found.")
}

pub async fn mark_read(db: &Db, actor: &Actor, notice_id: i64) -> Result<(), AppError> {
    require_parent(actor)?;
    let now = now_millis();
    let found = sqlx::query(
        "UPDATE notice_recipients SET read_at = COALESCE(read_at, $3) \
         WHERE notice_id = $1 AND person_id = $2",
    )
    .bind(notice_id)
    .bind(actor.person_id)
    .bind(now)
    .execute(db.pool())
    .await?;
    if found.rows_affected() == 0 {
        return Err(notice_not_found());
    }
    Ok(())
}

fn already(ru: &str, en: &str) -> AppError {
    AppError::new(ErrorKind::Conflict, ru, en)
}

pub async fn answer(
    db: &Db,
    actor: &Actor,
    notice_id: i64,
    reason: &str,
    comment: &str,
    device: &str,
) -> Result<(), AppError> {
    require_parent(actor)?;
    let notice = sqlx::query(
        "SELECT child_id, day, kind, answered_at, closed_at FROM notices WHERE id = $1",
    )
    .bind(notice_id)
    .fetch_optional(db.pool())
    .await?
    .ok_or_else(notice_not_found)?;
    let child_id: i64 = notice.try_get("child_id")?;
    // Not the parent's own child: the same answer as for a notice that does not exist,
    // so the answer says nothing about other families.
    parent_child(db, actor, child_id)
        .await
        .map_err(|_| notice_not_found())?;
    if NoticeKind::parse(&notice.try_get::<String, _>("kind")?) != NoticeKind::ReasonRequest {
        return Err(AppError::new(
            ErrorKind::Invalid,
            "На это уведомление отвечать не нужно.",
            "This notice needs no answer.",
        ));
    }
    if notice.try_get::<Option<i64>, _>("answered_at")?.is_some() {
        return Err(already(
            "На этот запрос уже ответили.",
            "This request has already been answered.",
        ));
    }
    if notice.try_get::<Option<i64>, _>("closed_at")?.is_some() {
        return Err(already(
            "Воспитатель уже отметил этот день, ответ не нужен.",
            "The teacher has already marked this day; no answer is needed.",
        ));
    }
    let day = rows::date(&notice, "day")?;
    // The day belongs to the group the child was in then (its book, its closed month),
    // which after a transfer is not the child's group now.
    let scope = child_scope_on(db, child_id, day).await?;
    let book = AbsenceReason::offered(&reasons(db, scope.group.organisation_id).await?);
    let reason = reason.trim();
    if AbsenceReason::find(&book, reason).is_none() {
        return Err(AppError::on_field(
            ErrorKind::Invalid,
            "reason",
            "Выберите причину отсутствия из списка.",
            "Choose the reason for the absence from the list.",
        ));
    }
    let comment = parse_comment(comment).map_err(|e| AppError::invalid("comment", &e))?;
    let month = Month::of(day).map_err(|e| AppError::invalid("day", &e))?;
    if month_closed(db, scope.group.group_id, month).await? {
        return Err(already(
            "Табель за этот месяц уже закрыт: сообщите причину воспитателю.",
            "The month's timesheet is closed: tell the teacher the reason.",
        ));
    }

    let now = now_millis();
    let mut tx = db.begin_write().await?;
    let answered = sqlx::query(
        "UPDATE notices SET answered_at = $2, answered_by = $3, answer_reason = $4, answer_comment = $5 \
         WHERE id = $1 AND answered_at IS NULL AND closed_at IS NULL",
    )
    .bind(notice_id)
    .bind(now)
    .bind(actor.person_id)
    .bind(reason)
    .bind(&comment)
    .execute(&mut *tx)
    .await?;
    if answered.rows_affected() != 1 {
        return Err(already(
            "На этот запрос уже ответили.",
            "This request has already been answered.",
        ));
    }
    // The answer fills in the reason of the absence as it stands; if the teacher has
    // changed the day meanwhile, the teacher's mark wins and the answer is refused.
    let unexplained = Mark::Absent { reason: None };
    if marks::stored(&mut tx, child_id, day).await?.map(|m| m.mark) != Some(unexplained) {
        return Err(already(
            "Воспитатель уже изменил отметку за этот день, ответ не нужен.",
            "The teacher has changed this day's mark; no answer is needed.",
        ));
    }
    let mark = Mark::Absent {
        reason: Some(reason.to_owned()),
    };
    let saved = marks::record_day(
        &mut tx,
        day,
        &[(child_id, &mark)],
        actor.person_id,
        now,
        Origin {
            device,
            path: "notice-answer",
        },
        &Delivery::default(),
    )
    .await?;
    sqlx::query(
        "UPDATE notice_recipients SET read_at = COALESCE(read_at, $3) WHERE notice_id = $1 AND person_id = $2",
    )
    .bind(notice_id)
    .bind(actor.person_id)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    // The other parent need not be asked any more.
    outbox::cancel_for_notice(&mut tx, notice_id, now).await?;
    tx.commit().await?;
    crate::metrics::marks_saved("notice-answer", saved);
    Ok(())
}

pub async fn group_notices(
    db: &Db,
    actor: &Actor,
    group_id: i64,
) -> Result<GroupNotices, AppError> {
    let scope = group_scope(db, group_id).await?;
    actor.authorize(&Permission::ViewGroup(scope))?;
    let today = today();
    let children = sqlx::query(
        "SELECT DISTINCT c.id, c.surname, c.given_name, c.patronymic FROM children c \
         JOIN enrolments e ON e.child_id = c.id WHERE e.group_id = $1 \
         AND (e.to_day IS NULL OR e.to_day >= $2) ORDER BY c.surname, c.given_name, c.id",
    )
    .bind(group_id)
    .bind(today.to_string())
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| {
        Ok(ChildOption {
            id: r.try_get("id")?,
            name: full_name(r)?,
        })
    })
    .collect::<Result<_, sqlx::Error>>()?;
    let rows = sqlx::query(&format!(
        "SELECT {NOTICE_COLUMNS}, EXISTS (SELECT 1 FROM notice_recipients r WHERE r.notice_id = n.id \
         AND r.read_at IS NOT NULL) AS was_read FROM notices n {NOTICE_JOINS} \
         WHERE n.id IN (SELECT nd.id FROM enrolments e JOIN notices nd ON nd.child_id = e.child_id \
         AND nd.day >= e.from_day AND (e.to_day IS NULL OR nd.day <= e.to_day) WHERE e.group_id = $1) \
         ORDER BY n.created_at DESC, n.id DESC LIMIT 200"
    ))
    .bind(group_id)
    .fetch_all(db.pool())
    .await?;
    let book = reasons(db, scope.organisation_id).await?;
    let notices = rows
        .iter()
        .map(|r| {
            Ok(GroupNotice {
                id: r.try_get("id")?,
                kind: NoticeKind::parse(&r.try_get::<String, _>("kind")?),
                child_name: full_name(r)?,
                day: r.try_get("day")?,
                text: r.try_get("body")?,
                author: full_name_of(r, "author_")?,
                created_at: local_time(r.try_get("created_at")?, TIME_FORMAT),
                status: status_of(r, &book)?,
                read: flag(r, "was_read")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()?;
    Ok(GroupNotices {
        group_id,
        group_name: sqlx::query("SELECT name FROM groups WHERE id = $1")
            .bind(group_id)
            .fetch_one(db.pool())
            .await?
            .try_get("name")?,
        today: today.to_string(),
        children,
        notices,
    })
}

pub async fn write(
    db: &Db,
    actor: &Actor,
    child_id: i64,
    day: &str,
    text: &str,
    delivery: &Delivery,
) -> Result<(), AppError> {
    let day = parse_date(day)?;
    // The teacher of the group the child was in that day writes about it.
    let scope = child_scope_on(db, child_id, day).await?;
    actor.authorize(&Permission::MarkGroup(scope.group))?;
    let text = NoticeText::parse(text).map_err(|e| AppError::invalid("text", &e))?;
    let now = now_millis();
    let mut tx = db.begin_write().await?;
    let notice_id: i64 = sqlx::query(
        "INSERT INTO notices (child_id, day, kind, body, created_by, created_at) \
         VALUES ($1, $2, 'teacher', $3, $4, $5) RETURNING id",
    )
    .bind(child_id)
    .bind(day.to_string())
    .bind(text.as_str())
    .bind(actor.person_id)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?
    .try_get("id")?;
    let child = child_head(&mut tx, child_id).await?;
    let teacher: String = full_name(
        &sqlx::query("SELECT surname, given_name, patronymic FROM people WHERE id = $1")
            .bind(actor.person_id)
            .fetch_one(&mut *tx)
            .await?,
    )?;
    let link = delivery.link("/inbox");
    let day = day.to_string();
    let reached = deliver(
        &mut tx,
        notice_id,
        child_id,
        |lang| teacher_notice_letter(lang, &child.name, &day, &teacher, text.as_str(), &link),
        now,
        delivery,
    )
    .await?;
    if reached == 0 {
        // Nothing is kept: a notice nobody can read would only look sent.
        return Err(AppError::new(
            ErrorKind::Conflict,
            "У ребёнка нет родителей в системе: уведомление некому отправить.",
            "The child has no parents in Tabel: there is nobody to send the notice to.",
        ));
    }
    tx.commit().await?;
    Ok(())
}

/// An organisation's day: absences by group and reason, and open requests.
pub async fn daily_summary(
    db: &Db,
    organisation_id: i64,
    day: NaiveDate,
) -> Result<DailySummary, AppError> {
    let iso = day.to_string();
    let organisation: String = sqlx::query("SELECT short_name FROM organisations WHERE id = $1")
        .bind(organisation_id)
        .fetch_one(db.pool())
        .await?
        .try_get("short_name")?;
    let groups =
        sqlx::query("SELECT id, name FROM groups WHERE organisation_id = $1 ORDER BY name_key")
            .bind(organisation_id)
            .fetch_all(db.pool())
            .await?
            .iter()
            .map(|r| Ok((r.try_get("id")?, r.try_get("name")?)))
            .collect::<Result<Vec<(i64, String)>, sqlx::Error>>()?;
    let enrolled = sqlx::query(
        "SELECT e.child_id AS id, e.group_id FROM enrolments e JOIN groups g ON g.id = e.group_id \
         WHERE g.organisation_id = $1 AND e.from_day <= $2 AND (e.to_day IS NULL OR e.to_day >= $2)",
    )
    .bind(organisation_id)
    .bind(&iso)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| Ok((r.try_get("id")?, r.try_get("group_id")?)))
    .collect::<Result<Vec<(i64, i64)>, sqlx::Error>>()?;
    let marks = sqlx::query(
        "SELECT m.child_id, m.status, m.reason FROM marks m JOIN children c ON c.id = m.child_id \
         JOIN groups g ON g.id = c.group_id WHERE g.organisation_id = $1 AND m.day = $2",
    )
    .bind(organisation_id)
    .bind(&iso)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| {
        let mark = match r.try_get::<String, _>("status")?.as_str() {
            "present" => Mark::Present,
            _ => Mark::Absent {
                reason: r.try_get("reason")?,
            },
        };
        Ok((r.try_get("child_id")?, mark))
    })
    .collect::<Result<BTreeMap<i64, Mark>, sqlx::Error>>()?;
    let unanswered = sqlx::query(
        "SELECT n.day, c.surname, c.given_name, c.patronymic, g.name AS group_name FROM notices n \
         JOIN children c ON c.id = n.child_id JOIN groups g ON g.id = c.group_id \
         WHERE g.organisation_id = $1 AND n.kind = 'reason_request' AND n.answered_at IS NULL \
         AND n.closed_at IS NULL AND n.day <= $2 ORDER BY n.day, c.surname, c.given_name LIMIT 500",
    )
    .bind(organisation_id)
    .bind(&iso)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| {
        Ok(UnansweredNotice {
            child: full_name(r)?,
            group: r.try_get("group_name")?,
            day: r.try_get("day")?,
        })
    })
    .collect::<Result<_, sqlx::Error>>()?;
    Ok(DailySummary {
        organisation,
        day: iso,
        groups: tally_day(&groups, &enrolled, &marks),
        unanswered,
    })
}

pub async fn daily_summary_view(
    db: &Db,
    actor: &Actor,
    day: Option<&str>,
) -> Result<DailySummaryView, AppError> {
    let organisation_id = managed_organisation(actor)?;
    let day = match day.map(str::trim).filter(|d| !d.is_empty()) {
        Some(raw) => parse_date(raw)?,
        None => today(),
    };
    Ok(DailySummaryView {
        summary: daily_summary(db, organisation_id, day).await?,
        reasons: reason_options(&reasons(db, organisation_id).await?),
    })
}

/// Queues the day's summary to every org admin with an email, once per admin and day
/// however many server instances do this. Days off in an organisation's calendar get
/// no summary. Returns how many letters were queued.
pub async fn queue_daily_summaries(
    db: &Db,
    day: NaiveDate,
    delivery: &Delivery,
) -> Result<usize, AppError> {
    let organisations = sqlx::query("SELECT id FROM organisations ORDER BY id")
        .fetch_all(db.pool())
        .await?;
    let mut queued = 0;
    for row in &organisations {
        let organisation_id: i64 = row.try_get("id")?;
        let prefix = format!("summary:{organisation_id}:{day}:");
        let done: i64 = sqlx::query("SELECT COUNT(*) AS n FROM outbox WHERE dedupe_key LIKE $1")
            .bind(format!("{prefix}%"))
            .fetch_one(db.pool())
            .await?
            .try_get("n")?;
        if done > 0 || !calendar(db, organisation_id).await?.is_working_day(day) {
            continue;
        }
        let admins = sqlx::query(
            "SELECT DISTINCT p.id, p.email, p.lang FROM role_grants rg JOIN people p ON p.id = rg.person_id \
             JOIN accounts a ON a.person_id = p.id WHERE rg.role = 'org_admin' \
             AND rg.organisation_id = $1 AND a.archived = 0 AND p.email IS NOT NULL AND p.email <> ''",
        )
        .bind(organisation_id)
        .fetch_all(db.pool())
        .await?;
        if admins.is_empty() {
            continue;
        }
        let summary = daily_summary(db, organisation_id, day).await?;
        let book = reasons(db, organisation_id).await?;
        let names = |lang: Lang| -> BTreeMap<String, String> {
            book.iter()
                .map(|r| (r.code.clone(), lang.pick(&r.name_ru, &r.name_en).to_owned()))
                .collect()
        };
        let link = delivery.link(&format!("/admin/summary?day={day}"));
        let now = now_millis();
        let mut conn = db.pool().acquire().await?;
        for admin in &admins {
            let person_id: i64 = admin.try_get("id")?;
            let lang = Lang::from_stored(&admin.try_get::<String, _>("lang")?);
            outbox::enqueue(
                &mut conn,
                &format!("{prefix}{person_id}"),
                None,
                &admin.try_get::<String, _>("email")?,
                &summary.letter(lang, &names(lang), &link),
                now,
            )
            .await?;
            queued += 1;
        }
    }
    Ok(queued)
}
