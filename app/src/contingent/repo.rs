use std::collections::HashSet;

use leptos::server_fn::codec::MultipartData;
use sqlx::Row;

use super::{ChildListRow, ChildPage, ImportProblem, ImportSummary, PER_PAGE};
use crate::db::{now_millis, Db};
use crate::domain::contingent_import::{parse_contingent_csv, GroupLookup};
use crate::domain::person_name::PersonName;
use crate::domain::{Actor, GroupName};
use crate::error::{AppError, ErrorKind};
use crate::groups::repo::{full_name, managed_organisation};

const MAX_UPLOAD_BYTES: usize = 5 * 1024 * 1024;

fn invalid_file(ru: impl Into<String>, en: impl Into<String>) -> AppError {
    AppError {
        field: Some("file".into()),
        ..AppError::new(ErrorKind::Invalid, ru, en)
    }
}

/// The text of the `file` field. Excel on Russian Windows saves plain «CSV» in
/// Windows-1251, so text that is not UTF-8 is read as that.
pub async fn read_csv_upload(data: MultipartData) -> Result<String, AppError> {
    let mut multipart = data.into_inner().ok_or_else(AppError::internal)?;
    let mut bytes = Vec::new();
    let mut found = false;
    while let Some(mut field) = multipart.next_field().await.map_err(|_| {
        invalid_file(
            "Не удалось прочитать загруженный файл.",
            "Could not read the uploaded file.",
        )
    })? {
        if field.name() != Some("file") {
            continue;
        }
        found = true;
        while let Some(chunk) = field.chunk().await.map_err(|_| {
            invalid_file(
                "Не удалось прочитать загруженный файл.",
                "Could not read the uploaded file.",
            )
        })? {
            bytes.extend_from_slice(&chunk);
            if bytes.len() > MAX_UPLOAD_BYTES {
                return Err(invalid_file(
                    "Файл больше 5 МБ. Разделите его на части.",
                    "The file is larger than 5 MB. Split it into parts.",
                ));
            }
        }
    }
    if !found || bytes.is_empty() {
        return Err(invalid_file(
            "Выберите CSV-файл для загрузки.",
            "Choose a CSV file to upload.",
        ));
    }
    Ok(match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(err) => encoding_rs::WINDOWS_1251
            .decode(err.as_bytes())
            .0
            .into_owned(),
    })
}

/// Case- and ё-insensitive identity of a child: name parts and birth date.
fn child_key(name: &PersonName, birth_date: &str) -> String {
    format!(
        "{}|{}|{}|{birth_date}",
        name.surname().to_lowercase().replace('ё', "е"),
        name.given_name().to_lowercase().replace('ё', "е"),
        name.patronymic()
            .unwrap_or("")
            .to_lowercase()
            .replace('ё', "е"),
    )
}

pub async fn import(db: &Db, organisation_id: i64, text: &str) -> Result<ImportSummary, AppError> {
    let groups = sqlx::query("SELECT id, name FROM groups WHERE organisation_id = $1")
        .bind(organisation_id)
        .fetch_all(db.pool())
        .await?;
    let mut lookup = GroupLookup::new();
    for g in &groups {
        if let Ok(name) = GroupName::parse(&g.try_get::<String, _>("name")?) {
            lookup.insert(g.try_get("id")?, &name);
        }
    }
    let today = chrono::Local::now().date_naive();
    let report =
        parse_contingent_csv(text, &lookup, today).map_err(|e| AppError::invalid("file", &e))?;

    let existing: HashSet<String> = sqlx::query(
        "SELECT c.surname, c.given_name, c.patronymic, c.birth_date FROM children c \
         JOIN groups g ON g.id = c.group_id WHERE g.organisation_id = $1",
    )
    .bind(organisation_id)
    .fetch_all(db.pool())
    .await?
    .iter()
    .filter_map(|r| {
        let name = PersonName::parse(
            &r.try_get::<String, _>("surname").ok()?,
            &r.try_get::<String, _>("given_name").ok()?,
            &r.try_get::<String, _>("patronymic").ok()?,
        )
        .ok()?;
        Some(child_key(
            &name,
            &r.try_get::<String, _>("birth_date").ok()?,
        ))
    })
    .collect();

    let mut problems: Vec<ImportProblem> = report
        .errors
        .iter()
        .map(|e| ImportProblem {
            line: e.line,
            column: e.column.clone(),
            ru: e.ru.clone(),
            en: e.en.clone(),
        })
        .collect();
    let now = now_millis();
    let mut imported = 0;
    let mut tx = db.begin_write().await?;
    for row in &report.rows {
        let birth = row.child.birth_date.format("%Y-%m-%d").to_string();
        if existing.contains(&child_key(&row.child.name, &birth)) {
            problems.push(ImportProblem {
                line: row.line,
                column: None,
                ru: format!(
                    "Ребёнок «{}», {} г. р., уже есть в контингенте.",
                    row.child.name.full(),
                    birth
                ),
                en: format!(
                    "The child “{}”, born {}, is already enrolled.",
                    row.child.name.full(),
                    birth
                ),
            });
            continue;
        }
        let child_id: i64 = sqlx::query(
            "INSERT INTO children (group_id, surname, given_name, patronymic, birth_date, enrolled_on, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(row.child.group_id)
        .bind(row.child.name.surname())
        .bind(row.child.name.given_name())
        .bind(row.child.name.patronymic().unwrap_or(""))
        .bind(&birth)
        .bind(row.child.enrolment.enrolled_on().format("%Y-%m-%d").to_string())
        .bind(now)
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        if let Some(parent) = &row.parent {
            let person_id: i64 = sqlx::query(
                "INSERT INTO people (surname, given_name, patronymic, email, phone, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(parent.name.surname())
            .bind(parent.name.given_name())
            .bind(parent.name.patronymic().unwrap_or(""))
            .bind(parent.email.as_ref().map(|e| e.as_str().to_owned()))
            .bind(parent.phone.clone())
            .bind(now)
            .fetch_one(&mut *tx)
            .await?
            .try_get("id")?;
            sqlx::query(
                "INSERT INTO child_guardians (child_id, person_id, relation) VALUES ($1, $2, $3)",
            )
            .bind(child_id)
            .bind(person_id)
            .bind(&parent.relation)
            .execute(&mut *tx)
            .await?;
        }
        imported += 1;
    }
    tx.commit().await?;
    problems.sort_by_key(|p| p.line);
    tracing::info!(
        organisation_id,
        imported,
        refused = problems.len(),
        "contingent import"
    );
    Ok(ImportSummary {
        total_rows: report.total_rows,
        imported,
        problems,
    })
}

pub async fn list_children(
    db: &Db,
    actor: &Actor,
    query: &str,
    page: i64,
) -> Result<ChildPage, AppError> {
    let organisation_id = managed_organisation(actor)?;
    let page = page.max(1);
    // LIKE on a lower-cased copy: SQLite's LOWER is ASCII-only, so the pattern is
    // matched against both the stored text and the capitalised form of the query.
    let needle = query.trim();
    let pattern = format!("%{}%", needle.replace(['%', '_'], ""));
    let capitalised = {
        let mut chars = needle.chars();
        match chars.next() {
            Some(first) => format!(
                "%{}{}%",
                first.to_uppercase(),
                chars.as_str().to_lowercase()
            ),
            None => "%".into(),
        }
    };
    let filter =
        "g.organisation_id = $1 AND (c.surname LIKE $2 OR c.given_name LIKE $2 OR g.name LIKE $2 \
                  OR c.surname LIKE $3 OR c.given_name LIKE $3 OR g.name LIKE $3)";
    let total: i64 = sqlx::query(&format!(
        "SELECT COUNT(*) AS n FROM children c JOIN groups g ON g.id = c.group_id WHERE {filter}"
    ))
    .bind(organisation_id)
    .bind(&pattern)
    .bind(&capitalised)
    .fetch_one(db.pool())
    .await?
    .try_get("n")?;
    let rows = sqlx::query(&format!(
        "SELECT c.id, c.surname, c.given_name, c.patronymic, c.birth_date, c.enrolled_on, c.left_on, g.name AS group_name \
         FROM children c JOIN groups g ON g.id = c.group_id WHERE {filter} \
         ORDER BY c.surname, c.given_name, c.id LIMIT $4 OFFSET $5"
    ))
    .bind(organisation_id)
    .bind(&pattern)
    .bind(&capitalised)
    .bind(PER_PAGE)
    .bind((page - 1) * PER_PAGE)
    .fetch_all(db.pool())
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let id: i64 = r.try_get("id")?;
        let guardians = sqlx::query(
            "SELECT p.surname, p.given_name, p.patronymic, cg.relation FROM child_guardians cg \
             JOIN people p ON p.id = cg.person_id WHERE cg.child_id = $1 ORDER BY p.surname",
        )
        .bind(id)
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|g| {
            Ok(format!(
                "{} ({})",
                full_name(g)?,
                g.try_get::<String, _>("relation")?
            ))
        })
        .collect::<Result<_, sqlx::Error>>()?;
        out.push(ChildListRow {
            id,
            full_name: full_name(r)?,
            birth_date: r.try_get("birth_date")?,
            group_name: r.try_get("group_name")?,
            enrolled_on: r.try_get("enrolled_on")?,
            left_on: r.try_get("left_on")?,
            guardians,
        });
    }
    Ok(ChildPage {
        rows: out,
        total,
        page,
        per_page: PER_PAGE,
    })
}
