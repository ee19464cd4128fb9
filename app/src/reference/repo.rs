use chrono::Datelike;
use sqlx::Row;

use super::{CalendarDay, ReasonNameEn, ReasonRow, StayModeRow};
use crate::access::managed_organisation;
use crate::clock::now_millis;
use crate::db::Db;
use crate::domain::calendar::AcademicCalendar;
use crate::domain::fee_flags::{self, FlagSource, MunicipalFlags};
use crate::domain::premises::{StayHours, Title};
use crate::domain::timesheet::AbsenceReason;
use crate::domain::Actor;
use crate::error::{AppError, ErrorKind};
use crate::input::parse_date;
use crate::rows::{self, flag};

fn invalid(field: &str, ru: impl Into<String>, en: impl Into<String>) -> AppError {
    AppError::on_field(ErrorKind::Invalid, field, ru, en)
}

pub async fn calendar(db: &Db, organisation_id: i64) -> Result<AcademicCalendar, AppError> {
    let rows = sqlx::query("SELECT day, kind FROM calendar_days WHERE organisation_id = $1")
        .bind(organisation_id)
        .fetch_all(db.pool())
        .await?;
    let (mut holidays, mut working) = (Vec::new(), Vec::new());
    for r in &rows {
        let day = rows::date(r, "day")?;
        match r.try_get::<String, _>("kind")?.as_str() {
            "holiday" => holidays.push(day),
            _ => working.push(day),
        }
    }
    AcademicCalendar::new(holidays, working).map_err(|e| {
        tracing::error!(organisation_id, error = %e, "stored calendar is inconsistent");
        AppError::internal()
    })
}

fn reason_of(r: &sqlx::any::AnyRow) -> Result<AbsenceReason, sqlx::Error> {
    Ok(AbsenceReason {
        code: r.try_get("code")?,
        name_ru: r.try_get("name_ru")?,
        name_en: r.try_get("name_en")?,
        excused: r.try_get::<i64, _>("excused")? != 0,
        charged: r.try_get::<i64, _>("charged")? != 0,
        archived: r.try_get::<i64, _>("archived")? != 0,
    })
}

/// The region's reference book, before any municipality or organisation changes it.
pub async fn regional_reasons(db: &Db) -> Result<Vec<AbsenceReason>, AppError> {
    sqlx::query(
        "SELECT code, name_ru, name_en, excused, charged, archived FROM absence_reasons \
         WHERE organisation_id IS NULL ORDER BY position, code",
    )
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(reason_of)
    .collect::<Result<_, _>>()
    .map_err(Into::into)
}

/// A municipality's fee flags of regional reasons.
pub async fn municipal_flags(
    db: &Db,
    municipality_id: i64,
) -> Result<Vec<MunicipalFlags>, AppError> {
    sqlx::query(
        "SELECT code, excused, charged FROM municipal_reason_flags WHERE municipality_id = $1",
    )
    .bind(municipality_id)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| {
        Ok(MunicipalFlags {
            code: r.try_get("code")?,
            excused: r.try_get::<i64, _>("excused")? != 0,
            charged: r.try_get::<i64, _>("charged")? != 0,
        })
    })
    .collect::<Result<_, sqlx::Error>>()
    .map_err(Into::into)
}

/// The organisation's reason book with where each reason's flags come from: the
/// regional defaults, its municipality's flags, its own rows ([`fee_flags::resolve`]).
/// One query, since marking and syncing read it for every batch.
pub async fn reason_book(
    db: &Db,
    organisation_id: i64,
) -> Result<Vec<(AbsenceReason, FlagSource)>, AppError> {
    let rows = sqlx::query(
        "SELECT r.organisation_id, r.code, r.name_ru, r.name_en, r.excused, r.charged, r.archived, \
         f.excused AS municipal_excused, f.charged AS municipal_charged FROM absence_reasons r \
         LEFT JOIN organisations o ON o.id = $1 \
         LEFT JOIN municipal_reason_flags f ON r.organisation_id IS NULL \
         AND f.municipality_id = o.municipality_id AND f.code = r.code \
         WHERE r.organisation_id IS NULL OR r.organisation_id = $1 ORDER BY r.position, r.code",
    )
    .bind(organisation_id)
    .fetch_all(db.pool())
    .await?;
    let (mut regional, mut municipal, mut own) = (Vec::new(), Vec::new(), Vec::new());
    for r in &rows {
        let reason = reason_of(r)?;
        if r.try_get::<Option<i64>, _>("organisation_id")?.is_some() {
            own.push(reason);
            continue;
        }
        if let (Some(excused), Some(charged)) = (
            r.try_get::<Option<i64>, _>("municipal_excused")?,
            r.try_get::<Option<i64>, _>("municipal_charged")?,
        ) {
            municipal.push(MunicipalFlags {
                code: reason.code.clone(),
                excused: excused != 0,
                charged: charged != 0,
            });
        }
        regional.push(reason);
    }
    Ok(fee_flags::resolve(&regional, &municipal, &own))
}

/// The reason book an organisation marks with.
pub async fn reasons(db: &Db, organisation_id: i64) -> Result<Vec<AbsenceReason>, AppError> {
    Ok(reason_book(db, organisation_id)
        .await?
        .into_iter()
        .map(|(reason, _)| reason)
        .collect())
}

/// The English names of `reasons`, for [`ReasonOption`](super::ReasonOption)s made of them.
pub fn reason_names_en(reasons: &[AbsenceReason]) -> Vec<ReasonNameEn> {
    reasons
        .iter()
        .map(|r| ReasonNameEn {
            code: r.code.clone(),
            name_en: r.name_en.clone(),
        })
        .collect()
}

pub async fn list_reasons(db: &Db, actor: &Actor) -> Result<Vec<ReasonRow>, AppError> {
    let organisation_id = managed_organisation(actor)?;
    Ok(reason_book(db, organisation_id)
        .await?
        .into_iter()
        .map(|(r, source)| ReasonRow {
            own: source == FlagSource::Organisation,
            municipal: source == FlagSource::Municipality,
            code: r.code,
            name_ru: r.name_ru,
            name_en: r.name_en,
            excused: r.excused,
            charged: r.charged,
            archived: r.archived,
        })
        .collect())
}

pub async fn save_reason(
    db: &Db,
    actor: &Actor,
    code: &str,
    name_ru: &str,
    name_en: &str,
    excused: bool,
    charged: bool,
) -> Result<(), AppError> {
    let organisation_id = managed_organisation(actor)?;
    let code = code.trim().to_uppercase();
    if code.is_empty() || code.chars().count() > 3 || !code.chars().all(char::is_alphabetic) {
        return Err(invalid(
            "code",
            "Код причины — от одной до трёх букв (например, Б).",
            "A reason code is one to three letters (for example, Б).",
        ));
    }
    if code == "В" {
        return Err(invalid(
            "code",
            "Буква «В» в табеле обозначает выходной день и не может быть причиной отсутствия.",
            "«В» marks a day off in the timesheet and cannot be an absence reason.",
        ));
    }
    let (name_ru, name_en) = (name_ru.trim(), name_en.trim());
    if name_ru.is_empty() || name_ru.chars().count() > 100 {
        return Err(invalid(
            "name_ru",
            "Введите название причины (до 100 символов).",
            "Enter the reason's name (up to 100 characters).",
        ));
    }
    let name_en = if name_en.is_empty() { name_ru } else { name_en };
    // Changing an archived reason keeps it archived: restoring is its own decision.
    let archived = AbsenceReason::find(&reasons(db, organisation_id).await?, &code)
        .is_some_and(|r| r.archived);
    let reason = AbsenceReason {
        code: code.clone(),
        name_ru: name_ru.to_owned(),
        name_en: name_en.to_owned(),
        excused,
        charged,
        archived,
    };
    store_own_reason(db, organisation_id, &reason).await?;
    tracing::info!(
        organisation_id,
        code,
        excused,
        charged,
        "absence reason saved"
    );
    Ok(())
}

/// Replaces the organisation's own row for the reason's code.
async fn store_own_reason(
    db: &Db,
    organisation_id: i64,
    reason: &AbsenceReason,
) -> Result<(), AppError> {
    let mut tx = db.begin_write().await?;
    sqlx::query("DELETE FROM absence_reasons WHERE organisation_id = $1 AND code = $2")
        .bind(organisation_id)
        .bind(&reason.code)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO absence_reasons \
         (organisation_id, code, name_ru, name_en, excused, charged, archived, position) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 100)",
    )
    .bind(organisation_id)
    .bind(&reason.code)
    .bind(&reason.name_ru)
    .bind(&reason.name_en)
    .bind(i64::from(reason.excused))
    .bind(i64::from(reason.charged))
    .bind(i64::from(reason.archived))
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn archive_reason(
    db: &Db,
    actor: &Actor,
    code: &str,
    archived: bool,
) -> Result<(), AppError> {
    let organisation_id = managed_organisation(actor)?;
    let book = reasons(db, organisation_id).await?;
    let Some(reason) = AbsenceReason::find(&book, code.trim()) else {
        return Err(AppError::not_found(
            "Такой причины нет в справочнике.",
            "There is no such reason in the reference book.",
        ));
    };
    // A default reason is withdrawn by an own row that copies it: the regional row
    // stays as it is for every other organisation.
    store_own_reason(
        db,
        organisation_id,
        &AbsenceReason {
            archived,
            ..reason.clone()
        },
    )
    .await?;
    tracing::info!(organisation_id, code = %reason.code, archived, "absence reason archived");
    Ok(())
}

pub async fn list_calendar_days(
    db: &Db,
    actor: &Actor,
    year: i32,
) -> Result<Vec<CalendarDay>, AppError> {
    let organisation_id = managed_organisation(actor)?;
    sqlx::query(
        "SELECT day, kind FROM calendar_days WHERE organisation_id = $1 AND day >= $2 AND day <= $3 ORDER BY day",
    )
    .bind(organisation_id)
    .bind(format!("{year:04}-01-01"))
    .bind(format!("{year:04}-12-31"))
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| {
        Ok(CalendarDay {
            day: r.try_get("day")?,
            kind: r.try_get("kind")?,
        })
    })
    .collect::<Result<_, sqlx::Error>>()
    .map_err(Into::into)
}

pub async fn set_calendar_day(
    db: &Db,
    actor: &Actor,
    day: &str,
    kind: &str,
) -> Result<(), AppError> {
    let organisation_id = managed_organisation(actor)?;
    let date = parse_date(day)?;
    if !matches!(kind, "holiday" | "working" | "weekday") {
        return Err(invalid(
            "kind",
            "Выберите тип дня.",
            "Choose the kind of day.",
        ));
    }
    // Check the calendar that would result with the domain's own rules before storing.
    let current = calendar(db, organisation_id).await?;
    let mut holidays = current.holidays().clone();
    let mut working = current.transferred_working_days().clone();
    holidays.remove(&date);
    working.remove(&date);
    match kind {
        "holiday" => {
            holidays.insert(date);
        }
        "working" => {
            working.insert(date);
        }
        _ => {}
    }
    AcademicCalendar::new(holidays, working).map_err(|e| AppError::invalid("day", &e))?;

    let mut tx = db.begin_write().await?;
    sqlx::query("DELETE FROM calendar_days WHERE organisation_id = $1 AND day = $2")
        .bind(organisation_id)
        .bind(date.to_string())
        .execute(&mut *tx)
        .await?;
    if kind != "weekday" {
        sqlx::query("INSERT INTO calendar_days (organisation_id, day, kind) VALUES ($1, $2, $3)")
            .bind(organisation_id)
            .bind(date.to_string())
            .bind(kind)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    tracing::info!(organisation_id, day = %date, kind, year = date.year(), "calendar day set");
    Ok(())
}

pub async fn list_stay_modes(db: &Db, actor: &Actor) -> Result<Vec<StayModeRow>, AppError> {
    let organisation_id = managed_organisation(actor)?;
    stay_modes(db, organisation_id).await
}

/// The stay modes an organisation can give its groups (and those archived).
pub async fn stay_modes(db: &Db, organisation_id: i64) -> Result<Vec<StayModeRow>, AppError> {
    sqlx::query(
        "SELECT id, name_ru, name_en, minutes, organisation_id IS NOT NULL AS own, archived \
         FROM stay_modes WHERE organisation_id IS NULL OR organisation_id = $1 \
         ORDER BY archived, minutes DESC, id",
    )
    .bind(organisation_id)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| {
        Ok(StayModeRow {
            id: r.try_get("id")?,
            name_ru: r.try_get("name_ru")?,
            name_en: r.try_get("name_en")?,
            minutes: r.try_get("minutes")?,
            own: flag(r, "own")?,
            archived: flag(r, "archived")?,
        })
    })
    .collect::<Result<_, sqlx::Error>>()
    .map_err(Into::into)
}

pub async fn add_stay_mode(
    db: &Db,
    actor: &Actor,
    name_ru: &str,
    name_en: &str,
    hours: &str,
) -> Result<i64, AppError> {
    let organisation_id = managed_organisation(actor)?;
    let (name_ru, name_en, hours) =
        parse_stay_mode(db, organisation_id, None, name_ru, name_en, hours).await?;
    let id: i64 = sqlx::query(
        "INSERT INTO stay_modes (organisation_id, name_ru, name_en, minutes, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(organisation_id)
    .bind(name_ru.as_str())
    .bind(name_en.as_str())
    .bind(hours.minutes())
    .bind(now_millis())
    .fetch_one(db.pool())
    .await?
    .try_get("id")?;
    tracing::info!(organisation_id, id, "stay mode added");
    Ok(id)
}

/// A stay mode's form checked: names (the English one defaults to the Russian),
/// hours, and a Russian name no other mode of the organisation has.
async fn parse_stay_mode(
    db: &Db,
    organisation_id: i64,
    editing: Option<i64>,
    name_ru: &str,
    name_en: &str,
    hours: &str,
) -> Result<(Title, Title, StayHours), AppError> {
    let name_ru = Title::parse(name_ru).map_err(|e| AppError::invalid("name_ru", &e))?;
    let name_en = match name_en.trim() {
        "" => name_ru.clone(),
        raw => Title::parse(raw).map_err(|e| AppError::invalid("name_en", &e))?,
    };
    let hours = StayHours::parse(hours).map_err(|e| AppError::invalid("hours", &e))?;
    let existing = stay_modes(db, organisation_id).await?;
    if existing.iter().any(|m| {
        Some(m.id) != editing && Title::parse(&m.name_ru).is_ok_and(|t| t.key() == name_ru.key())
    }) {
        return Err(AppError::conflict(
            "name_ru",
            format!("Режим «{}» уже есть.", name_ru.as_str()),
            format!("The stay mode “{}” already exists.", name_ru.as_str()),
        ));
    }
    Ok((name_ru, name_en, hours))
}

/// Refuses unless the stay mode is one of the organisation's own.
async fn own_stay_mode(db: &Db, organisation_id: i64, stay_mode_id: i64) -> Result<(), AppError> {
    let owner: Option<i64> = sqlx::query("SELECT organisation_id FROM stay_modes WHERE id = $1")
        .bind(stay_mode_id)
        .fetch_optional(db.pool())
        .await?
        .ok_or_else(|| AppError::not_found("Режим пребывания не найден.", "Stay mode not found."))?
        .try_get("organisation_id")?;
    match owner {
        Some(owner) if owner == organisation_id => Ok(()),
        Some(_) => Err(AppError::forbidden()),
        None => Err(AppError::new(
            ErrorKind::Forbidden,
            "Режимы по умолчанию задаёт регион: их нельзя изменить или перевести в архив.",
            "The default stay modes are set by the region and cannot be changed or archived.",
        )),
    }
}

pub async fn save_stay_mode(
    db: &Db,
    actor: &Actor,
    stay_mode_id: i64,
    name_ru: &str,
    name_en: &str,
    hours: &str,
) -> Result<(), AppError> {
    let organisation_id = managed_organisation(actor)?;
    own_stay_mode(db, organisation_id, stay_mode_id).await?;
    let (name_ru, name_en, hours) = parse_stay_mode(
        db,
        organisation_id,
        Some(stay_mode_id),
        name_ru,
        name_en,
        hours,
    )
    .await?;
    sqlx::query("UPDATE stay_modes SET name_ru = $1, name_en = $2, minutes = $3 WHERE id = $4")
        .bind(name_ru.as_str())
        .bind(name_en.as_str())
        .bind(hours.minutes())
        .bind(stay_mode_id)
        .execute(db.pool())
        .await?;
    tracing::info!(organisation_id, stay_mode_id, "stay mode changed");
    Ok(())
}

pub async fn archive_stay_mode(
    db: &Db,
    actor: &Actor,
    stay_mode_id: i64,
    archived: bool,
) -> Result<(), AppError> {
    let organisation_id = managed_organisation(actor)?;
    own_stay_mode(db, organisation_id, stay_mode_id).await?;
    sqlx::query("UPDATE stay_modes SET archived = $1 WHERE id = $2")
        .bind(i64::from(archived))
        .bind(stay_mode_id)
        .execute(db.pool())
        .await?;
    Ok(())
}
