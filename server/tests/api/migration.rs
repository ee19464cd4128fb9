//! The enrolment history migration (0015) on a database made by the schema before it:
//! marks, a closed month, a child who left and one who came mid-month. Every табель is
//! computed before migrating, from the old columns as the old code read them, and read
//! again through the app after: they must be the same.

use std::collections::BTreeMap;
use std::path::Path;

use app::db::Db;
use app::domain::calendar::Month;
use app::domain::timesheet::{AbsenceReason, Enrolment, Timesheet, TimesheetChild, TimesheetInput};
use app::domain::{Actor, Role};
use sqlx::migrate::Migrator;
use sqlx::Row;

use crate::helpers::{fresh_database, Backend};

#[tokio::test]
async fn sqlite() {
    old_schema_migrates_and_every_timesheet_reads_the_same(Backend::Sqlite).await;
}

#[tokio::test]
async fn postgres() {
    old_schema_migrates_and_every_timesheet_reads_the_same(Backend::Postgres).await;
}

/// The last migration before enrolment history.
const BEFORE: i64 = 14;

async fn old_schema_migrates_and_every_timesheet_reads_the_same(backend: Backend) {
    let Some(url) = fresh_database(backend).await else {
        return;
    };
    let db = Db::connect(&url, 4).await.unwrap();
    let dir = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../migrations")
        .join(dir);
    let mut old = Migrator::new(path).await.unwrap();
    old.migrations = old
        .migrations
        .iter()
        .filter(|m| m.version <= BEFORE)
        .cloned()
        .collect::<Vec<_>>()
        .into();
    old.run(db.pool()).await.unwrap();
    assert!(
        sqlx::query("SELECT 1 FROM enrolments")
            .fetch_optional(db.pool())
            .await
            .is_err(),
        "the old schema has no enrolments table"
    );

    let ids = seed(&db).await;
    let months: Vec<Month> = ["2026-09", "2026-10", "2026-11"]
        .iter()
        .map(|m| Month::parse(m).unwrap())
        .collect();
    let mut before = BTreeMap::new();
    for &group in &ids.groups {
        for &month in &months {
            before.insert(
                (group, month),
                old_timesheet(&db, ids.organisation, group, month).await,
            );
        }
    }
    let marks = count(&db, "SELECT COUNT(*) AS n FROM marks").await;

    db.migrate().await.unwrap();

    assert_eq!(count(&db, "SELECT COUNT(*) AS n FROM marks").await, marks);
    assert_eq!(
        count(&db, "SELECT COUNT(*) AS n FROM enrolments").await,
        count(&db, "SELECT COUNT(*) AS n FROM children").await,
        "one period per child"
    );
    let admin = Actor {
        person_id: ids.admin,
        role: Role::OrgAdmin,
        municipality_id: None,
        organisation_id: Some(ids.organisation),
        bound_groups: Default::default(),
        own_children: Default::default(),
    };
    for ((group, month), old) in before {
        let view = app::attendance::repo::timesheet_view(&db, &admin, group, &month.to_string())
            .await
            .unwrap();
        assert_eq!(view.sheet, old, "group {group}, {month}");
        assert_eq!(
            view.closed,
            month == Month::parse("2026-09").unwrap() && group == ids.groups[0]
        );
    }
    // The one who left keeps the leaving day; the period is closed on it.
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) AS n FROM enrolments WHERE to_day = '2026-10-15'"
        )
        .await,
        1
    );
}

struct Seeded {
    organisation: i64,
    admin: i64,
    groups: Vec<i64>,
}

async fn id(db: &Db, sql: &str) -> i64 {
    sqlx::query(sql)
        .fetch_one(db.pool())
        .await
        .unwrap()
        .get::<i64, _>("id")
}

async fn count(db: &Db, sql: &str) -> i64 {
    sqlx::query(sql)
        .fetch_one(db.pool())
        .await
        .unwrap()
        .get("n")
}

async fn seed(db: &Db) -> Seeded {
    let municipality = id(
        db,
        "INSERT INTO municipalities (name) VALUES ('Округ') RETURNING id",
    )
    .await;
    let organisation = id(
        db,
        &format!(
            "INSERT INTO organisations (name, short_name, inn, kpp, municipality_id, created_at) \
             VALUES ('Детский сад', 'ДС', '5902290635', '590201001', {municipality}, 0) RETURNING id"
        ),
    )
    .await;
    let admin = id(
        db,
        "INSERT INTO people (surname, given_name, created_at) VALUES ('Заведующая', 'Анна', 0) RETURNING id",
    )
    .await;
    sqlx::query(&format!(
        "INSERT INTO calendar_days (organisation_id, day, kind) VALUES ({organisation}, '2026-11-04', 'holiday')"
    ))
    .execute(db.pool())
    .await
    .unwrap();
    let mut groups = Vec::new();
    for (name, key) in [("Солнышко", "солнышко"), ("Ромашка", "ромашка")]
    {
        groups.push(
            id(
                db,
                &format!(
                    "INSERT INTO groups (organisation_id, name, name_key, created_at) \
                     VALUES ({organisation}, '{name}', '{key}', 0) RETURNING id"
                ),
            )
            .await,
        );
    }
    // (group, surname, enrolled, left)
    let children = [
        (groups[0], "Иванова", "2026-09-01", None),
        (groups[0], "Ушедшая", "2026-09-01", Some("2026-10-15")),
        (groups[0], "Пришедший", "2026-10-20", None),
        (groups[1], "Попова", "2026-09-01", None),
    ];
    for (n, (group, surname, enrolled, left)) in children.into_iter().enumerate() {
        let child = id(
            db,
            &format!(
                "INSERT INTO children (group_id, surname, given_name, birth_date, enrolled_on, left_on, created_at) \
                 VALUES ({group}, '{surname}', 'Имя', '2021-01-01', '{enrolled}', {}, 0) RETURNING id",
                left.map_or("NULL".to_owned(), |d| format!("'{d}'"))
            ),
        )
        .await;
        // A mark every working day it was there, one absence a week, and one stray
        // mark outside its enrolment (the old табель warns about it; so must the new).
        let mut day = chrono::NaiveDate::from_ymd_opt(2026, 9, 1).unwrap();
        let last = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        while day <= last {
            let weekday = chrono::Datelike::weekday(&day).num_days_from_monday();
            let inside = day.to_string().as_str() >= enrolled
                && left.is_none_or(|l| day.to_string().as_str() <= l);
            let stray = left.is_some() && day.to_string() == "2026-10-19";
            if weekday < 5 && (inside || stray) {
                let (status, reason) = if weekday == (n as u32) % 5 {
                    ("absent", "'Б'")
                } else {
                    ("present", "NULL")
                };
                sqlx::query(&format!(
                    "INSERT INTO marks (child_id, day, status, reason, recorded_at, recorded_by) \
                     VALUES ({child}, '{day}', '{status}', {reason}, 0, {admin})"
                ))
                .execute(db.pool())
                .await
                .unwrap();
            }
            day = day.succ_opt().unwrap();
        }
    }
    sqlx::query(&format!(
        "INSERT INTO month_closures (group_id, month, closed_at, closed_by) VALUES ({}, '2026-09', 0, {admin})",
        groups[0]
    ))
    .execute(db.pool())
    .await
    .unwrap();
    Seeded {
        organisation,
        admin,
        groups,
    }
}

/// The табель as the code before enrolment history built it: the children whose
/// `group_id` is the group, each with its one `enrolled_on`–`left_on` period, and all
/// their marks of the month.
async fn old_timesheet(db: &Db, organisation: i64, group: i64, month: Month) -> Timesheet {
    let rows = sqlx::query(
        "SELECT id, surname, given_name, patronymic, enrolled_on, left_on FROM children \
         WHERE group_id = $1 ORDER BY surname, given_name, id",
    )
    .bind(group)
    .fetch_all(db.pool())
    .await
    .unwrap();
    let date = |s: String| chrono::NaiveDate::parse_from_str(&s, "%Y-%m-%d").unwrap();
    let children: Vec<TimesheetChild> = rows
        .iter()
        .map(|r| {
            let name = format!(
                "{} {}",
                r.get::<String, _>("surname"),
                r.get::<String, _>("given_name")
            );
            TimesheetChild {
                id: r.get("id"),
                name,
                enrolments: vec![Enrolment::new(
                    date(r.get("enrolled_on")),
                    r.get::<Option<String>, _>("left_on").map(date),
                )
                .unwrap()],
            }
        })
        .filter(|c| month.days().any(|d| c.in_group_on(d)))
        .collect();
    let mut marks = app::domain::timesheet::Marks::new();
    for r in sqlx::query(
        "SELECT m.child_id, m.day, m.status, m.reason FROM marks m JOIN children c ON c.id = m.child_id \
         WHERE c.group_id = $1 AND m.day >= $2 AND m.day <= $3",
    )
    .bind(group)
    .bind(month.first_day().to_string())
    .bind(month.last_day().to_string())
    .fetch_all(db.pool())
    .await
    .unwrap()
    {
        marks.insert(
            (r.get("child_id"), date(r.get("day"))),
            app::rows::mark_from_row(&r.get::<String, _>("status"), r.get("reason")),
        );
    }
    let calendar = app::reference::repo::calendar(db, organisation)
        .await
        .unwrap();
    // Read as the old schema has them (the seed keeps the regional book): today's
    // `reasons` also asks for tables that came later.
    let reasons: Vec<AbsenceReason> = sqlx::query(
        "SELECT code, name_ru, name_en, excused, charged FROM absence_reasons \
         WHERE organisation_id IS NULL ORDER BY position, code",
    )
    .fetch_all(db.pool())
    .await
    .unwrap()
    .iter()
    .map(|r| AbsenceReason {
        code: r.get("code"),
        name_ru: r.get("name_ru"),
        name_en: r.get("name_en"),
        excused: r.get::<i64, _>("excused") != 0,
        charged: r.get::<i64, _>("charged") != 0,
        archived: false,
    })
    .collect();
    Timesheet::build(&TimesheetInput {
        month,
        calendar: &calendar,
        children: &children,
        marks: &marks,
        reasons: &reasons,
        today: app::clock::today(),
    })
}
