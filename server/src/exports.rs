//! File downloads of the табель (XLSX and PDF). Plain axum routes rather than server
//! functions, so the browser saves them as files; the same session and permission
//! checks apply as to every server function.

use app::attendance::repo::timesheet_view;
use app::auth::session::{require_actor_from_headers, SessionPolicy};
use app::db::Db;
use app::error::AppError;
use app::export::analytics::{month_csv, month_xlsx, text_table_csv, text_table_xlsx, MonthTable};
use app::export::{timesheet_pdf, timesheet_xlsx, TimesheetHeader};
use app::reference::repo::reasons;
use axum::Extension;
use axum::{
    extract::{Path, State},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Router,
};
use sqlx::Row;

pub fn routes(db: Db) -> Router {
    Router::new()
        .route("/export/timesheet/{group_id}/{file}", get(timesheet))
        .route("/export/municipal/{file}", get(municipal_month))
        .route("/export/absences/{file}", get(long_absences))
        .with_state(db)
}

fn error_response(err: AppError) -> Response {
    let status = StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, format!("{}\n{}", err.ru, err.en)).into_response()
}

fn attachment(bytes: Vec<u8>, content_type: &'static str, filename: &str) -> Response {
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response()
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// `2026-11.csv` → the month, the extension and its content type; the tables download
/// as CSV or XLSX only.
fn table_file(file: &str) -> Option<(&str, &str, &'static str)> {
    let (month, ext) = file.rsplit_once('.')?;
    let content_type = match ext {
        "xlsx" => XLSX,
        "csv" => "text/csv; charset=utf-8",
        _ => return None,
    };
    Some((month, ext, content_type))
}

/// A municipality's month (`/export/municipal/2026-11.csv` or `.xlsx`), for its
/// municipal specialist.
async fn municipal_month(
    State(db): State<Db>,
    Extension(sessions): Extension<SessionPolicy>,
    headers: HeaderMap,
    Path(file): Path<String>,
) -> Response {
    let Some((month, ext, content_type)) = table_file(&file) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let rendered = async {
        let actor = require_actor_from_headers(&db, sessions, &headers).await?;
        let view = app::municipal::repo::municipal_month(&db, &actor, Some(month)).await?;
        let name_of = |code: &str| {
            view.reasons
                .iter()
                .find(|r| r.code == code)
                .map(|r| r.name_ru.clone())
                .unwrap_or_default()
        };
        let caption = format!("Посещаемость {}, {}", view.municipality, view.month_title);
        let table = MonthTable::new(caption, &view.aggregate, name_of);
        match ext {
            "csv" => Ok(month_csv(&table).into_bytes()),
            _ => month_xlsx(&table).map_err(|e| {
                tracing::error!(error = %e, month, "municipal export failed");
                AppError::internal()
            }),
        }
    };
    match rendered.await {
        Ok(bytes) => attachment(bytes, content_type, &format!("attendance-{month}.{ext}")),
        Err(err) => error_response(err),
    }
}

/// The long-absence report (`/export/absences/2026-11.csv` or `.xlsx`) of the admin's
/// organisation or the specialist's municipality.
async fn long_absences(
    State(db): State<Db>,
    Extension(sessions): Extension<SessionPolicy>,
    headers: HeaderMap,
    Path(file): Path<String>,
) -> Response {
    let Some((month, ext, content_type)) = table_file(&file) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let rendered = async {
        let actor = require_actor_from_headers(&db, sessions, &headers).await?;
        let report = app::long_absences::repo::long_absences(&db, &actor, Some(month)).await?;
        let caption = format!("Длительные отсутствия {}", report.month_title);
        let header = [
            "Организация",
            "Группа",
            "Ребёнок",
            "Отсутствует подряд",
            "Без уважительной причины за месяц, дней",
        ];
        let rows: Vec<Vec<String>> = report
            .rows
            .iter()
            .map(|r| {
                vec![
                    r.organisation.clone(),
                    r.group.clone(),
                    r.child.clone(),
                    r.streaks(app::domain::Lang::Ru),
                    r.unexplained.to_string(),
                ]
            })
            .collect();
        match ext {
            "csv" => Ok(text_table_csv(&caption, &header, &rows).into_bytes()),
            _ => text_table_xlsx("Отсутствия", &caption, &header, &rows).map_err(|e| {
                tracing::error!(error = %e, month, "long-absence export failed");
                AppError::internal()
            }),
        }
    };
    match rendered.await {
        Ok(bytes) => attachment(bytes, content_type, &format!("long-absences-{month}.{ext}")),
        Err(err) => error_response(err),
    }
}

async fn timesheet(
    State(db): State<Db>,
    Extension(sessions): Extension<SessionPolicy>,
    headers: HeaderMap,
    Path((group_id, file)): Path<(i64, String)>,
) -> Response {
    let Some((month, ext)) = file.rsplit_once('.') else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let content_type = match ext {
        "xlsx" => XLSX,
        "pdf" => "application/pdf",
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    match render(&db, sessions, &headers, group_id, month, ext).await {
        Ok(bytes) => attachment(
            bytes,
            content_type,
            &format!("tabel-{group_id}-{month}.{ext}"),
        ),
        Err(err) => error_response(err),
    }
}

async fn render(
    db: &Db,
    sessions: SessionPolicy,
    headers: &HeaderMap,
    group_id: i64,
    month: &str,
    ext: &str,
) -> Result<Vec<u8>, AppError> {
    let actor = require_actor_from_headers(db, sessions, headers).await?;
    let view = timesheet_view(db, &actor, group_id, month).await?;
    let org = sqlx::query(
        "SELECT o.id, o.name, o.short_name, o.inn, o.kpp FROM organisations o \
         JOIN groups g ON g.organisation_id = o.id WHERE g.id = $1",
    )
    .bind(group_id)
    .fetch_one(db.pool())
    .await?;
    let organisation_id: i64 = org.try_get("id")?;
    // The head signs the табель: the organisation's admin with the position «Заведующий»,
    // or any of its admins when none is called that.
    let head = sqlx::query(
        "SELECT p.surname, p.given_name, p.patronymic FROM staff s JOIN people p ON p.id = s.person_id \
         JOIN role_grants g ON g.person_id = p.id AND g.organisation_id = s.organisation_id AND g.role = 'org_admin' \
         WHERE s.organisation_id = $1 AND s.archived = 0 \
         ORDER BY CASE WHEN s.position LIKE 'Заведующ%' THEN 0 ELSE 1 END, s.id LIMIT 1",
    )
    .bind(organisation_id)
    .fetch_optional(db.pool())
    .await?
    .map(|r| app::rows::full_name(&r))
    .transpose()?
    .unwrap_or_default();
    let header = TimesheetHeader {
        organisation: org.try_get("name")?,
        organisation_short: org.try_get("short_name")?,
        inn: org.try_get("inn")?,
        kpp: org.try_get("kpp")?,
        group: view.group.clone(),
        month: view.sheet.month,
        responsible: view.responsible.clone(),
        head,
        submitted: view.submitted.clone(),
        signed: view.signed.clone(),
        generated_on: app::clock::today(),
        reasons: reasons(db, organisation_id).await?,
    };
    let rendered = match ext {
        "xlsx" => timesheet_xlsx(&header, &view.sheet),
        _ => timesheet_pdf(&header, &view.sheet),
    };
    rendered.map_err(|e| {
        tracing::error!(error = %e, group_id, month, "timesheet export failed");
        AppError::internal()
    })
}
