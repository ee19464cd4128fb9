use sqlx::Row;

use super::{Municipality, PendingPage, PendingRequest, PER_PAGE};
use crate::clock::now_millis;
use crate::db::{is_unique_violation, Db};
use crate::domain::person_name::PersonName;
use crate::domain::registration::{RegistrationForm, RegistrationRequest};
use crate::domain::{Actor, Role};
use crate::error::{AppError, ErrorKind, FieldIssue};
use crate::rows::full_name;
use crate::staff::repo::{insert_staff_account, StaffAccount};
use crate::staff::NewCredentials;

pub async fn municipalities(db: &Db) -> Result<Vec<Municipality>, AppError> {
    sqlx::query("SELECT id, name FROM municipalities ORDER BY name")
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| {
            Ok(Municipality {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// Requests one address may send in an hour: enough for a few kindergartens of one
/// office, not for filling the specialists' queue.
const PER_ADDRESS_PER_HOUR: i64 = 5;
const HOUR_MS: i64 = 60 * 60 * 1000;

pub async fn submit(
    db: &Db,
    municipality_id: i64,
    form: RegistrationForm,
    address: &str,
) -> Result<(), AppError> {
    let request = RegistrationRequest::parse(form).map_err(|errors| AppError {
        details: errors
            .iter()
            .map(|e| FieldIssue {
                field: e.field.clone(),
                ru: e.ru.clone(),
                en: e.en.clone(),
            })
            .collect(),
        ..AppError::new(
            ErrorKind::Invalid,
            "Проверьте поля, отмеченные ниже.",
            "Check the fields marked below.",
        )
    })?;
    let known = sqlx::query("SELECT 1 FROM municipalities WHERE id = $1")
        .bind(municipality_id)
        .fetch_optional(db.pool())
        .await?;
    if known.is_none() {
        return Err(AppError {
            field: Some("municipality_id".into()),
            ..AppError::new(
                ErrorKind::Invalid,
                "Выберите муниципалитет.",
                "Choose a municipality.",
            )
        });
    }
    let registered = sqlx::query("SELECT 1 FROM organisations WHERE inn = $1")
        .bind(request.inn().as_str())
        .fetch_optional(db.pool())
        .await?;
    if registered.is_some() {
        return Err(AppError::conflict(
            "inn",
            "Организация с таким ИНН уже зарегистрирована.",
            "An organisation with this INN is already registered.",
        ));
    }
    let now = now_millis();
    let kpp = request.kpp().map(|k| k.as_str().to_owned());
    let mut tx = db.begin_write().await?;
    if db.backend() == crate::db::Backend::Postgres {
        // One submission at a time, as SQLite's write lock does on its own.
        sqlx::query(
            "SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock(hashtext('registration'))) l",
        )
        .fetch_one(&mut *tx)
        .await?;
    }
    let recent: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM registration_requests WHERE submitted_from = $1 AND created_at > $2",
    )
    .bind(address)
    .bind(now - HOUR_MS)
    .fetch_one(&mut *tx)
    .await?;
    if recent >= PER_ADDRESS_PER_HOUR {
        return Err(AppError::new(
            ErrorKind::TooManyRequests,
            "С этого адреса за последний час отправлено слишком много заявок. Попробуйте позже или обратитесь в муниципалитет.",
            "Too many requests were sent from this address in the last hour. Try later or contact the municipality.",
        ));
    }
    let waiting: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM registration_requests WHERE status = 'pending' AND inn = $1 \
         AND COALESCE(kpp, '') = $2",
    )
    .bind(request.inn().as_str())
    .bind(kpp.clone().unwrap_or_default())
    .fetch_one(&mut *tx)
    .await?;
    if waiting > 0 {
        return Err(AppError::conflict(
            "inn",
            "Заявка на эту организацию (с этими ИНН и КПП) уже подана и ждёт решения специалиста муниципалитета.",
            "A request for this organisation (this INN and KPP) is already waiting for the municipal specialist's decision.",
        ));
    }
    let name = request.name();
    sqlx::query(
        "INSERT INTO registration_requests (municipality_id, surname, given_name, patronymic, email, position, \
         organisation_name, short_name, inn, kpp, created_at, submitted_from) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(municipality_id)
    .bind(name.surname())
    .bind(name.given_name())
    .bind(name.patronymic().unwrap_or(""))
    .bind(request.email().as_str())
    .bind(request.position())
    .bind(request.organisation_name())
    .bind(request.short_name())
    .bind(request.inn().as_str())
    .bind(kpp)
    .bind(now)
    .bind(address)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    tracing::info!(
        municipality_id,
        inn = request.inn().as_str(),
        "registration request submitted"
    );
    Ok(())
}

fn municipality_of(actor: &Actor) -> Result<i64, AppError> {
    actor
        .municipality_id
        .filter(|_| actor.role == Role::Municipal)
        .ok_or_else(AppError::forbidden)
}

fn pending_request(r: &sqlx::any::AnyRow) -> Result<PendingRequest, sqlx::Error> {
    Ok(PendingRequest {
        id: r.try_get("id")?,
        full_name: full_name(r)?,
        email: r.try_get("email")?,
        position: r.try_get("position")?,
        organisation_name: r.try_get("organisation_name")?,
        short_name: r.try_get("short_name")?,
        inn: r.try_get("inn")?,
        kpp: r.try_get("kpp")?,
    })
}

const REQUEST_COLUMNS: &str =
    "id, surname, given_name, patronymic, email, position, organisation_name, \
     short_name, inn, kpp, municipality_id";

pub async fn pending(db: &Db, actor: &Actor, page: i64) -> Result<PendingPage, AppError> {
    let municipality_id = municipality_of(actor)?;
    let total: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM registration_requests WHERE municipality_id = $1 AND status = 'pending'",
    )
    .bind(municipality_id)
    .fetch_one(db.pool())
    .await?;
    let pages = ((total + PER_PAGE - 1) / PER_PAGE).max(1);
    let page = page.clamp(1, pages);
    let rows = sqlx::query(&format!(
        "SELECT {REQUEST_COLUMNS} FROM registration_requests \
         WHERE municipality_id = $1 AND status = 'pending' ORDER BY created_at, id \
         LIMIT $2 OFFSET $3"
    ))
    .bind(municipality_id)
    .bind(PER_PAGE)
    .bind((page - 1) * PER_PAGE)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(pending_request)
    .collect::<Result<_, sqlx::Error>>()?;
    Ok(PendingPage {
        rows,
        total,
        page,
        per_page: PER_PAGE,
    })
}

pub async fn decide(
    db: &Db,
    actor: &Actor,
    request_id: i64,
    approve: bool,
) -> Result<Option<NewCredentials>, AppError> {
    let municipality_id = municipality_of(actor)?;
    let mut tx = db.begin_write().await?;
    // Claiming the request first makes a double click or a second specialist harmless.
    let status = if approve { "approved" } else { "rejected" };
    let claimed = sqlx::query(
        "UPDATE registration_requests SET status = $1, decided_at = $2, decided_by = $3 \
         WHERE id = $4 AND municipality_id = $5 AND status = 'pending'",
    )
    .bind(status)
    .bind(now_millis())
    .bind(actor.person_id)
    .bind(request_id)
    .bind(municipality_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if claimed == 0 {
        return Err(AppError::not_found(
            "Заявка не найдена или уже рассмотрена.",
            "The request does not exist or was already decided.",
        ));
    }
    if !approve {
        tx.commit().await?;
        return Ok(None);
    }
    let r = sqlx::query(&format!(
        "SELECT {REQUEST_COLUMNS} FROM registration_requests WHERE id = $1"
    ))
    .bind(request_id)
    .fetch_one(&mut *tx)
    .await?;
    let request = pending_request(&r)?;
    let organisation = sqlx::query(
        "INSERT INTO organisations (name, short_name, inn, kpp, municipality_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(&request.organisation_name)
    .bind(&request.short_name)
    .bind(&request.inn)
    .bind(request.kpp.clone().unwrap_or_default())
    .bind(municipality_id)
    .bind(now_millis())
    .fetch_one(&mut *tx)
    .await;
    let organisation_id: i64 = match organisation {
        Ok(row) => row.try_get("id")?,
        Err(err) if is_unique_violation(&err) => {
            return Err(AppError::conflict(
                "inn",
                "Организация с таким ИНН уже зарегистрирована.",
                "An organisation with this INN is already registered.",
            ))
        }
        Err(err) => return Err(err.into()),
    };
    let name = PersonName::parse(
        &r.try_get::<String, _>("surname")?,
        &r.try_get::<String, _>("given_name")?,
        &r.try_get::<String, _>("patronymic")?,
    )
    .map_err(|_| AppError::internal())?;
    let credentials = insert_staff_account(
        &mut tx,
        StaffAccount {
            name: &name,
            email: Some(&request.email),
            phone: None,
            position: &request.position,
            organisation_id,
            roles: &[Role::OrgAdmin],
        },
    )
    .await?;
    tx.commit().await?;
    tracing::info!(request_id, organisation_id, "registration approved");
    Ok(Some(credentials))
}
