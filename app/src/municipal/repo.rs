use chrono::NaiveDate;
use sqlx::Row;

use super::{MunicipalMonth, OrganisationSignOff};
use crate::clock::today;
use crate::db::Db;
use crate::domain::analytics::{aggregate_month, MarkCount, MonthAggregate};
use crate::domain::calendar::Month;
use crate::domain::sign_off::SignOffProgress;
use crate::domain::{Actor, Permission, Role};
use crate::error::AppError;
use crate::input::parse_month;
use crate::reference::repo::{calendar, reason_names_en, reasons};
use crate::reference::ReasonOption;

/// The municipality a municipal specialist sees; anyone else is refused.
pub fn own_municipality(actor: &Actor) -> Result<i64, AppError> {
    let municipality_id = actor
        .municipality_id
        .filter(|_| actor.role == Role::Municipal)
        .ok_or_else(AppError::forbidden)?;
    Ok(municipality_id)
}

/// Which organisations an aggregate covers.
#[derive(Debug, Clone, Copy)]
pub enum Scope {
    Municipality(i64),
    /// Every organisation of the region (benchmarks and a future regional role).
    Region,
}

type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

impl Scope {
    /// The condition on `o` (organisations) for this scope, as placeholder `$n`.
    fn condition(self, n: usize) -> String {
        match self {
            Self::Municipality(_) => format!(" AND o.municipality_id = ${n}"),
            Self::Region => String::new(),
        }
    }

    fn bind(self, query: AnyQuery<'_>) -> AnyQuery<'_> {
        match self {
            Self::Municipality(id) => query.bind(id),
            Self::Region => query,
        }
    }
}

async fn organisations(db: &Db, scope: Scope) -> Result<Vec<(i64, String)>, AppError> {
    let sql = format!(
        "SELECT o.id, o.short_name FROM organisations o WHERE 1 = 1{} ORDER BY o.short_name, o.id",
        scope.condition(1)
    );
    scope
        .bind(sqlx::query(&sql))
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| Ok((r.try_get("id")?, r.try_get("short_name")?)))
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// The month's marks counted by organisation, day, status and reason, read from the
/// tallies the database keeps in step with the marks (migration 0013).
pub async fn month_counts(
    db: &Db,
    scope: Scope,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<MarkCount>, AppError> {
    let sql = format!(
        "SELECT t.organisation_id, t.day, t.status, t.reason, t.n FROM mark_tallies t \
         JOIN organisations o ON o.id = t.organisation_id \
         WHERE t.day >= $1 AND t.day <= $2 AND t.n > 0{}",
        scope.condition(3)
    );
    let query = sqlx::query(&sql)
        .bind(from.to_string())
        .bind(to.to_string());
    let rows = scope.bind(query).fetch_all(db.pool()).await?;
    rows.iter()
        .map(|r| {
            Ok(MarkCount {
                organisation_id: r.try_get("organisation_id")?,
                day: crate::rows::date(r, "day")?,
                present: r.try_get::<String, _>("status")? == "present",
                reason: Some(r.try_get::<String, _>("reason")?).filter(|r| !r.is_empty()),
                count: u64::try_from(r.try_get::<i64, _>("n")?).unwrap_or_default(),
            })
        })
        .collect()
}

async fn marked_on(db: &Db, scope: Scope, day: NaiveDate) -> Result<Vec<i64>, AppError> {
    let sql = format!(
        "SELECT DISTINCT t.organisation_id FROM mark_tallies t \
         JOIN organisations o ON o.id = t.organisation_id WHERE t.day = $1 AND t.n > 0{}",
        scope.condition(2)
    );
    scope
        .bind(sqlx::query(&sql).bind(day.to_string()))
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| r.try_get("organisation_id"))
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// The aggregate of a month over a scope: what the page shows and the exports write.
pub async fn month_aggregate(
    db: &Db,
    scope: Scope,
    month: Month,
    today: NaiveDate,
) -> Result<(Vec<(i64, String)>, MonthAggregate), AppError> {
    let organisations = organisations(db, scope).await?;
    let counts = month_counts(db, scope, month.first_day(), month.last_day()).await?;
    let marked_today = marked_on(db, scope, today).await?;
    let aggregate = aggregate_month(&organisations, &counts, &marked_today);
    Ok((organisations, aggregate))
}

/// Per organisation of the scope: its groups in use, and how many of them have the month
/// submitted and signed off. A signed month counts as submitted even if the admin
/// closed it without waiting for the teacher.
pub async fn sign_offs(
    db: &Db,
    scope: Scope,
    month: Month,
) -> Result<Vec<OrganisationSignOff>, AppError> {
    let sql = format!(
        "SELECT o.id, o.short_name, COUNT(g.id) AS groups, \
         COUNT(CASE WHEN r.group_id IS NOT NULL OR c.group_id IS NOT NULL THEN 1 END) AS submitted, \
         COUNT(c.group_id) AS signed FROM organisations o \
         LEFT JOIN groups g ON g.organisation_id = o.id AND g.archived = 0 \
         LEFT JOIN month_close_requests r ON r.group_id = g.id AND r.month = $1 \
         LEFT JOIN month_closures c ON c.group_id = g.id AND c.month = $1 \
         WHERE 1 = 1{} GROUP BY o.id, o.short_name ORDER BY o.short_name, o.id",
        scope.condition(2)
    );
    let count = |r: &sqlx::any::AnyRow, column: &str| -> Result<u32, sqlx::Error> {
        Ok(u32::try_from(r.try_get::<i64, _>(column)?).unwrap_or(u32::MAX))
    };
    scope
        .bind(sqlx::query(&sql).bind(month.to_string()))
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| {
            Ok(OrganisationSignOff {
                id: r.try_get("id")?,
                name: r.try_get("short_name")?,
                progress: SignOffProgress {
                    groups: count(r, "groups")?,
                    submitted: count(r, "submitted")?,
                    signed: count(r, "signed")?,
                },
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

pub async fn municipal_month(
    db: &Db,
    actor: &Actor,
    month: Option<&str>,
) -> Result<MunicipalMonth, AppError> {
    let municipality_id = own_municipality(actor)?;
    let today = today();
    let month = match month.map(str::trim).filter(|m| !m.is_empty()) {
        Some(raw) => parse_month(raw)?,
        None => Month::of(today).map_err(|e| AppError::invalid("month", &e))?,
    };
    let (organisations, aggregate) =
        month_aggregate(db, Scope::Municipality(municipality_id), month, today).await?;
    let mut not_marked_today = Vec::new();
    for org in aggregate.organisations.iter().filter(|o| !o.marked_today) {
        actor.authorize(&Permission::ViewOrganisation {
            organisation_id: org.id,
            municipality_id: Some(municipality_id),
        })?;
        if calendar(db, org.id).await?.is_working_day(today) {
            not_marked_today.push(org.name.clone());
        }
    }
    let municipality: String = sqlx::query("SELECT name FROM municipalities WHERE id = $1")
        .bind(municipality_id)
        .fetch_one(db.pool())
        .await?
        .try_get("name")?;
    // Reason names from the regional book (organisations may rename, codes stay).
    let reasons = match organisations.first() {
        Some((id, _)) => reasons(db, *id).await?,
        None => crate::domain::timesheet::AbsenceReason::defaults(),
    };
    Ok(MunicipalMonth {
        municipality,
        month: month.to_string(),
        month_title: crate::export::period_ru(month),
        previous: month.previous_month().map(|m| m.to_string()),
        next: month.next_month().map(|m| m.to_string()),
        today: today.to_string(),
        aggregate,
        not_marked_today,
        reasons_en: reason_names_en(&reasons),
        reasons: reasons.into_iter().map(|r| ReasonOption::of(&r)).collect(),
        sign_offs: sign_offs(db, Scope::Municipality(municipality_id), month).await?,
    })
}
