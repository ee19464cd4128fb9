use std::collections::{BTreeMap, HashSet};

use chrono::NaiveDate;

use leptos::server_fn::codec::MultipartData;
use sqlx::Row;

use super::{
    AddedChild, CardGuardian, ChildCard, ChildListRow, ChildPage, GuardianCredentials,
    ImportProblem, ImportSummary, PER_PAGE,
};
use crate::access::{group_scope, managed_child, managed_organisation};
use crate::clock::{now_millis, today};
use crate::db::Db;
use crate::domain::calendar::Month;
use crate::domain::contingent_import::{
    check_child_form, check_guardian_form, parse_contingent_csv, parse_form_date, ChildForm,
    Column, FieldError, GroupLookup, GuardianForm, NewParent,
};
use crate::domain::person_name::PersonName;
use crate::domain::timesheet::Enrolment;
use crate::domain::{Actor, GroupName};
use crate::enrolment::{self, CardEnd, Unnumbered};
use crate::error::{AppError, ErrorKind, FieldIssue};
use crate::rows::{enrolment_of, full_name};

const MAX_UPLOAD_BYTES: usize = 5 * 1024 * 1024;

fn invalid_file(ru: impl Into<String>, en: impl Into<String>) -> AppError {
    AppError::on_field(ErrorKind::Invalid, "file", ru, en)
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

/// «This child is already enrolled», for the import and the form.
fn already_enrolled(name: &PersonName, birth_date: &str) -> (String, String) {
    (
        format!(
            "Ребёнок «{}», {} г. р., уже есть в контингенте.",
            name.full(),
            birth_date
        ),
        format!(
            "The child “{}”, born {}, is already enrolled.",
            name.full(),
            birth_date
        ),
    )
}

/// A new person as the child's parent, inside the caller's transaction.
async fn insert_guardian(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    child_id: i64,
    parent: &NewParent,
) -> Result<i64, AppError> {
    let person_id: i64 = sqlx::query(
        "INSERT INTO people (surname, given_name, patronymic, email, phone, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(parent.name.surname())
    .bind(parent.name.given_name())
    .bind(parent.name.patronymic().unwrap_or(""))
    .bind(parent.email.as_ref().map(|e| e.as_str().to_owned()))
    .bind(parent.phone.clone())
    .bind(now_millis())
    .fetch_one(&mut **tx)
    .await?
    .try_get("id")?;
    sqlx::query("INSERT INTO child_guardians (child_id, person_id, relation) VALUES ($1, $2, $3)")
        .bind(child_id)
        .bind(person_id)
        .bind(&parent.relation)
        .execute(&mut **tx)
        .await?;
    Ok(person_id)
}

/// A parent already in the organisation's books (a sibling's), with the same surname,
/// given name and e-mail, is the same person: linked rather than created again, so one
/// account sees all of that parent's children. Without an e-mail nobody is matched: a
/// name alone is too weak to join two families.
async fn known_guardian(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    child_id: i64,
    parent: &NewParent,
) -> Result<Option<i64>, AppError> {
    let Some(email) = parent.email.as_ref() else {
        return Ok(None);
    };
    let row = sqlx::query(
        "SELECT p.id FROM people p JOIN child_guardians cg ON cg.person_id = p.id \
         JOIN children c ON c.id = cg.child_id JOIN groups g ON g.id = c.group_id \
         WHERE g.organisation_id = (SELECT g2.organisation_id FROM children c2 \
                                    JOIN groups g2 ON g2.id = c2.group_id WHERE c2.id = $1) \
           AND LOWER(p.email) = LOWER($2) AND p.surname = $3 AND p.given_name = $4 \
         ORDER BY p.id LIMIT 1",
    )
    .bind(child_id)
    .bind(email.as_str())
    .bind(parent.name.surname())
    .bind(parent.name.given_name())
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map(|r| r.try_get("id")).transpose()?)
}

async fn link_known_guardian(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    child_id: i64,
    person_id: i64,
    relation: &str,
) -> Result<(), AppError> {
    let linked = sqlx::query(
        "INSERT INTO child_guardians (child_id, person_id, relation) VALUES ($1, $2, $3) \
         ON CONFLICT (child_id, person_id) DO NOTHING",
    )
    .bind(child_id)
    .bind(person_id)
    .bind(relation)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if linked == 0 {
        return Err(AppError::conflict(
            "surname",
            "Этот родитель уже указан у ребёнка.",
            "This parent is already listed for the child.",
        ));
    }
    Ok(())
}

/// The child's parent from a form or an import row: the sibling's parent it already is
/// ([`known_guardian`]) linked, otherwise a new person. `true` with the id when linked.
async fn add_or_link_guardian(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    child_id: i64,
    parent: &NewParent,
) -> Result<(i64, bool), AppError> {
    match known_guardian(tx, child_id, parent).await? {
        Some(person_id) => {
            link_known_guardian(tx, child_id, person_id, &parent.relation).await?;
            Ok((person_id, true))
        }
        None => Ok((insert_guardian(tx, child_id, parent).await?, false)),
    }
}

/// The [`child_key`]s of the organisation's children (but `except`), to refuse a child
/// entered twice.
async fn existing_children(
    db: &Db,
    organisation_id: i64,
    except: Option<i64>,
) -> Result<HashSet<String>, AppError> {
    Ok(sqlx::query(
        "SELECT c.id, c.surname, c.given_name, c.patronymic, c.birth_date FROM children c \
         JOIN groups g ON g.id = c.group_id WHERE g.organisation_id = $1",
    )
    .bind(organisation_id)
    .fetch_all(db.pool())
    .await?
    .iter()
    .filter(|r| except.is_none() || r.try_get::<i64, _>("id").ok() != except)
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
    .collect())
}

pub async fn import(
    db: &Db,
    organisation_id: i64,
    by: i64,
    text: &str,
) -> Result<ImportSummary, AppError> {
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
    let today = today();
    let report =
        parse_contingent_csv(text, &lookup, today).map_err(|e| AppError::invalid("file", &e))?;

    let existing = existing_children(db, organisation_id, None).await?;

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
    let mut linked_parents = 0;
    let mut tx = db.begin_write().await?;
    let admission = Unnumbered {
        organisation_id,
        comment: "Импорт контингента из CSV / Contingent CSV import",
        by,
        at: now,
    };
    let mut orders: BTreeMap<NaiveDate, i64> = BTreeMap::new();
    for row in &report.rows {
        let birth = row.child.birth_date.format("%Y-%m-%d").to_string();
        if existing.contains(&child_key(&row.child.name, &birth)) {
            let (ru, en) = already_enrolled(&row.child.name, &birth);
            problems.push(ImportProblem {
                line: row.line,
                column: None,
                ru,
                en,
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
        let from = row.child.enrolment.enrolled_on();
        let order_id = match orders.get(&from) {
            Some(&id) => id,
            None => {
                let id = enrolment::admission_order(&mut tx, &admission, from).await?;
                orders.insert(from, id);
                id
            }
        };
        enrolment::admit(&mut tx, order_id, child_id, row.child.group_id, from).await?;
        // A parent already in the books, or on an earlier row of this file (the same
        // transaction sees it), is linked instead of entered again. The child was just
        // created, so linking cannot be refused: a row either failed its checks above and
        // wrote nothing, or is written whole.
        if let Some(parent) = &row.parent {
            if add_or_link_guardian(&mut tx, child_id, parent).await?.1 {
                linked_parents += 1;
            }
        }
        imported += 1;
    }
    tx.commit().await?;
    problems.sort_by_key(|p| p.line);
    tracing::info!(
        organisation_id,
        imported,
        linked_parents,
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

/// The form field a problem belongs to. The guardian's name fields have their own
/// names because the card shows them beside the child's.
fn field_name(column: Column) -> &'static str {
    match column {
        Column::ChildSurname => "surname",
        Column::ChildGivenName => "given_name",
        Column::ChildPatronymic => "patronymic",
        Column::BirthDate => "birth_date",
        Column::Group => "group_id",
        Column::EnrolmentDate => "enrolled_on",
        Column::ParentSurname => "guardian_surname",
        Column::ParentGivenName => "guardian_given_name",
        Column::ParentPatronymic => "guardian_patronymic",
        Column::Relation => "relation",
        Column::Phone => "phone",
        Column::Email => "email",
    }
}

/// One error for a whole form, with a message beside each field named in `issues`.
fn form_error(issues: Vec<FieldIssue>) -> AppError {
    AppError {
        details: issues,
        ..AppError::new(
            ErrorKind::Invalid,
            "Проверьте поля, отмеченные ниже.",
            "Check the fields marked below.",
        )
    }
}

fn issue(field: &str, error: &FieldError) -> FieldIssue {
    FieldIssue {
        field: field.to_owned(),
        ru: error.ru.clone(),
        en: error.en.clone(),
    }
}

fn iso(date: chrono::NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

/// A child of the admin's organisation (`access::managed_child`), as its row with its
/// group.
async fn managed_child_row(
    db: &Db,
    actor: &Actor,
    child_id: i64,
) -> Result<sqlx::any::AnyRow, AppError> {
    managed_child(db, actor, child_id).await?;
    let row = sqlx::query(
        "SELECT c.id, c.group_id, c.surname, c.given_name, c.patronymic, c.birth_date, \
                c.enrolled_on, c.left_on, g.name AS group_name, g.organisation_id \
         FROM children c JOIN groups g ON g.id = c.group_id WHERE c.id = $1",
    )
    .bind(child_id)
    .fetch_optional(db.pool())
    .await?
    .ok_or_else(|| AppError::not_found("Ребёнок не найден.", "Child not found."))?;
    Ok(row)
}

/// The person must be a parent of the child (a link on this child's card).
async fn own_guardian(
    db: &Db,
    child_id: i64,
    person_id: i64,
) -> Result<sqlx::any::AnyRow, AppError> {
    sqlx::query(
        "SELECT p.id, p.surname, p.given_name, p.patronymic, p.phone, p.email, cg.relation, a.login \
         FROM child_guardians cg JOIN people p ON p.id = cg.person_id \
         LEFT JOIN accounts a ON a.person_id = p.id \
         WHERE cg.child_id = $1 AND cg.person_id = $2",
    )
    .bind(child_id)
    .bind(person_id)
    .fetch_optional(db.pool())
    .await?
    .ok_or_else(|| {
        AppError::not_found(
            "У этого ребёнка нет такого родителя (законного представителя).",
            "This child has no such parent or legal representative.",
        )
    })
}

pub async fn add_child(
    db: &Db,
    actor: &Actor,
    form: &ChildForm<'_>,
    group_id: &str,
) -> Result<AddedChild, AppError> {
    let organisation_id = managed_organisation(actor)?;
    // The group first: one of another organisation is a refusal, not a field error.
    let group = match group_id.trim().parse::<i64>() {
        Ok(id) => match group_scope(db, id).await {
            Ok(scope) if scope.organisation_id != organisation_id => {
                return Err(AppError::forbidden())
            }
            Ok(scope) => Some(scope.group_id),
            Err(e) if e.kind == ErrorKind::NotFound => None,
            Err(e) => return Err(e),
        },
        Err(_) => None,
    };
    let checked = check_child_form(form, today());
    let mut issues: Vec<FieldIssue> = match &checked {
        Ok(_) => Vec::new(),
        Err(errors) => errors
            .iter()
            .map(|e| issue(field_name(e.column), e))
            .collect(),
    };
    if group.is_none() {
        issues.push(FieldIssue {
            field: "group_id".into(),
            ru: "Выберите группу из списка.".into(),
            en: "Choose a group from the list.".into(),
        });
    }
    let (Ok(child), Some(group_id)) = (checked, group) else {
        return Err(form_error(issues));
    };
    let birth_date = iso(child.birth_date);
    let existing = existing_children(db, organisation_id, None).await?;
    if existing.contains(&child_key(&child.name, &birth_date)) {
        let (ru, en) = already_enrolled(&child.name, &birth_date);
        return Err(AppError::conflict("surname", ru, en));
    }
    let mut tx = db.begin_write().await?;
    let id: i64 = sqlx::query(
        "INSERT INTO children (group_id, surname, given_name, patronymic, birth_date, enrolled_on, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(group_id)
    .bind(child.name.surname())
    .bind(child.name.given_name())
    .bind(child.name.patronymic().unwrap_or(""))
    .bind(&birth_date)
    .bind(iso(child.enrolled_on))
    .bind(now_millis())
    .fetch_one(&mut *tx)
    .await?
    .try_get("id")?;
    let admission = Unnumbered {
        organisation_id,
        comment: CARD_ORDER_COMMENT,
        by: actor.person_id,
        at: now_millis(),
    };
    let order_id = enrolment::admission_order(&mut tx, &admission, child.enrolled_on).await?;
    enrolment::admit(&mut tx, order_id, id, group_id, child.enrolled_on).await?;
    tx.commit().await?;
    tracing::info!(child_id = id, group_id, by = actor.person_id, "child added");
    Ok(AddedChild {
        id,
        full_name: child.name.full(),
    })
}

pub async fn child_card(db: &Db, actor: &Actor, child_id: i64) -> Result<ChildCard, AppError> {
    let row = managed_child_row(db, actor, child_id).await?;
    let guardians = sqlx::query(
        "SELECT p.id, p.surname, p.given_name, p.patronymic, p.phone, p.email, cg.relation, a.login \
         FROM child_guardians cg JOIN people p ON p.id = cg.person_id \
         LEFT JOIN accounts a ON a.person_id = p.id \
         WHERE cg.child_id = $1 ORDER BY p.surname, p.given_name, p.id",
    )
    .bind(child_id)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|g| {
        Ok(CardGuardian {
            person_id: g.try_get("id")?,
            full_name: full_name(g)?,
            relation: g.try_get("relation")?,
            phone: g.try_get("phone")?,
            email: g.try_get("email")?,
            login: g.try_get("login")?,
        })
    })
    .collect::<Result<_, sqlx::Error>>()?;
    Ok(ChildCard {
        id: child_id,
        surname: row.try_get("surname")?,
        given_name: row.try_get("given_name")?,
        patronymic: row.try_get("patronymic")?,
        full_name: full_name(&row)?,
        birth_date: row.try_get("birth_date")?,
        group_name: row.try_get("group_name")?,
        enrolled_on: row.try_get("enrolled_on")?,
        left_on: row.try_get("left_on")?,
        guardians,
    })
}

pub async fn edit_child(
    db: &Db,
    actor: &Actor,
    child_id: i64,
    [surname, given_name, patronymic]: [&str; 3],
    birth_date: &str,
) -> Result<(), AppError> {
    let row = managed_child_row(db, actor, child_id).await?;
    let organisation_id = managed_organisation(actor)?;
    let enrolled_on: String = row.try_get("enrolled_on")?;
    let form = ChildForm {
        surname,
        given_name,
        patronymic,
        birth_date,
        enrolled_on: &enrolled_on,
    };
    // The enrolment is not on this form: a birth date after it is the birth date's
    // problem.
    let child = check_child_form(&form, today()).map_err(|errors| {
        form_error(
            errors
                .iter()
                .map(|e| match e.column {
                    Column::EnrolmentDate => issue("birth_date", e),
                    column => issue(field_name(column), e),
                })
                .collect(),
        )
    })?;
    let birth_date = iso(child.birth_date);
    let existing = existing_children(db, organisation_id, Some(child_id)).await?;
    if existing.contains(&child_key(&child.name, &birth_date)) {
        let (ru, en) = already_enrolled(&child.name, &birth_date);
        return Err(AppError::conflict("surname", ru, en));
    }
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "UPDATE children SET surname = $1, given_name = $2, patronymic = $3, birth_date = $4 WHERE id = $5",
    )
    .bind(child.name.surname())
    .bind(child.name.given_name())
    .bind(child.name.patronymic().unwrap_or(""))
    .bind(&birth_date)
    .bind(child_id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    tracing::info!(child_id, by = actor.person_id, "child edited");
    Ok(())
}

/// The first month of the group whose closed табель would change if the child's
/// enrolment went from `before` to `after` (see [`Enrolment::first_changed_month`]):
/// the one check for setting a leaving date and for clearing it.
async fn changed_closed_month(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    group_id: i64,
    before: &Enrolment,
    after: &Enrolment,
) -> Result<Option<Month>, AppError> {
    let closed = sqlx::query("SELECT month FROM month_closures WHERE group_id = $1")
        .bind(group_id)
        .fetch_all(&mut **tx)
        .await?
        .iter()
        .map(|row| row.try_get::<String, _>("month"))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(before.first_changed_month(
        after,
        closed.iter().filter_map(|month| Month::parse(month).ok()),
    ))
}

/// Sets the last day in the group. Refused when it would change what is already
/// recorded: a mark after that day, or a closed табель whose days would change.
pub async fn leave_child(
    db: &Db,
    actor: &Actor,
    child_id: i64,
    left_on: &str,
) -> Result<(), AppError> {
    let row = managed_child_row(db, actor, child_id).await?;
    let group_id: i64 = row.try_get("group_id")?;
    let left_on = parse_form_date(left_on).map_err(|e| AppError::invalid("left_on", &e))?;
    let before = enrolment_of(&row)?;
    let after = Enrolment::new(before.enrolled_on(), Some(left_on))
        .map_err(|e| AppError::invalid("left_on", &e))?;

    let mut tx = db.begin_write().await?;
    let last_mark: Option<String> =
        sqlx::query("SELECT MAX(day) AS day FROM marks WHERE child_id = $1 AND day > $2")
            .bind(child_id)
            .bind(iso(left_on))
            .fetch_one(&mut *tx)
            .await?
            .try_get("day")?;
    if let Some(day) = last_mark {
        let day = crate::rows::stored_date(&day)?.format("%d.%m.%Y");
        return Err(AppError::conflict(
            "left_on",
            format!(
                "У ребёнка есть отметка посещаемости за {day}: дата выбытия не может быть раньше."
            ),
            format!(
                "The child has an attendance mark on {day}: the leaving date cannot be earlier."
            ),
        ));
    }
    if let Some(month) = changed_closed_month(&mut tx, group_id, &before, &after).await? {
        return Err(AppError::conflict(
            "left_on",
            format!(
                "Табель группы за {:02}.{} закрыт: выбытие с этой датой изменило бы его. \
                 Попросите открыть табель или выберите другую дату.",
                month.month(),
                month.year()
            ),
            format!(
                "The group's timesheet for {}-{:02} is closed and this leaving date would \
                 change it. Ask for it to be reopened or choose another date.",
                month.year(),
                month.month()
            ),
        ));
    }
    let card = card_orders(&row, actor)?;
    enrolment::set_latest_end(&mut tx, child_id, CardEnd::Leaves(left_on), &card).await?;
    tx.commit().await?;
    tracing::info!(child_id, %left_on, by = actor.person_id, "child leaves the group");
    Ok(())
}

/// Clears the leaving date: the child is back in the group from the day after it, as
/// if it had never left (a date entered by mistake, or a child who came back). Refused
/// when a closed табель would change, i.e. a closed month has days after the leaving
/// date, and when the child has no leaving date.
pub async fn return_child(db: &Db, actor: &Actor, child_id: i64) -> Result<(), AppError> {
    let row = managed_child_row(db, actor, child_id).await?;
    let group_id: i64 = row.try_get("group_id")?;
    let before = enrolment_of(&row)?;
    let Some(left_on) = before.left_on() else {
        return Err(AppError::new(
            ErrorKind::Conflict,
            "У ребёнка нет даты выбытия: он и так в группе.",
            "The child has no leaving date: it is still in the group.",
        ));
    };
    let after = Enrolment::open(before.enrolled_on());

    let mut tx = db.begin_write().await?;
    if let Some(month) = changed_closed_month(&mut tx, group_id, &before, &after).await? {
        return Err(AppError::new(
            ErrorKind::Conflict,
            format!(
                "Табель группы за {:02}.{} закрыт: возвращение ребёнка, выбывшего {}, \
                 изменило бы его. Попросите открыть табель.",
                month.month(),
                month.year(),
                left_on.format("%d.%m.%Y")
            ),
            format!(
                "The group's timesheet for {}-{:02} is closed and returning the child, who \
                 left on {}, would change it. Ask for it to be reopened.",
                month.year(),
                month.month(),
                left_on.format("%-d %b %Y")
            ),
        ));
    }
    // Only the leaving date checked above is cleared: one changed meanwhile is refused.
    let cleared = sqlx::query("UPDATE children SET left_on = NULL WHERE id = $1 AND left_on = $2")
        .bind(child_id)
        .bind(iso(left_on))
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if cleared == 0 {
        return Err(AppError::new(
            ErrorKind::Conflict,
            "Дата выбытия только что изменилась. Обновите карточку и попробуйте снова.",
            "The leaving date has just changed. Reload the card and try again.",
        ));
    }
    let card = card_orders(&row, actor)?;
    enrolment::set_latest_end(&mut tx, child_id, CardEnd::Undone, &card).await?;
    tx.commit().await?;
    tracing::info!(child_id, %left_on, by = actor.person_id, "child returns to the group");
    Ok(())
}

const CARD_ORDER_COMMENT: &str = "Карточка ребёнка / Child card";

/// The card's own orders «б/н» for the child of `row`, written by the acting admin now.
fn card_orders(row: &sqlx::any::AnyRow, actor: &Actor) -> Result<Unnumbered<'static>, AppError> {
    Ok(Unnumbered {
        organisation_id: row.try_get("organisation_id")?,
        comment: CARD_ORDER_COMMENT,
        by: actor.person_id,
        at: now_millis(),
    })
}

fn guardian_form_error(errors: Vec<FieldError>) -> AppError {
    form_error(
        errors
            .iter()
            .map(|e| issue(field_name(e.column), e))
            .collect(),
    )
}

pub async fn add_guardian(
    db: &Db,
    actor: &Actor,
    child_id: i64,
    form: &GuardianForm<'_>,
) -> Result<i64, AppError> {
    managed_child_row(db, actor, child_id).await?;
    let parent = check_guardian_form(form).map_err(guardian_form_error)?;
    let mut tx = db.begin_write().await?;
    let (person_id, linked) = add_or_link_guardian(&mut tx, child_id, &parent).await?;
    if linked {
        tracing::info!(
            child_id,
            person_id,
            by = actor.person_id,
            "sibling's guardian linked"
        );
    }
    tx.commit().await?;
    tracing::info!(child_id, person_id, by = actor.person_id, "guardian added");
    Ok(person_id)
}

pub async fn edit_guardian(
    db: &Db,
    actor: &Actor,
    child_id: i64,
    person_id: i64,
    [relation, phone, email]: [&str; 3],
) -> Result<(), AppError> {
    managed_child_row(db, actor, child_id).await?;
    let stored = own_guardian(db, child_id, person_id).await?;
    // The stored name goes through the same check, so only the contacts can fail.
    let (surname, given_name, patronymic): (String, String, String) = (
        stored.try_get("surname")?,
        stored.try_get("given_name")?,
        stored.try_get("patronymic")?,
    );
    let parent = check_guardian_form(&GuardianForm {
        surname: &surname,
        given_name: &given_name,
        patronymic: &patronymic,
        relation,
        phone,
        email,
    })
    .map_err(guardian_form_error)?;
    let mut tx = db.begin_write().await?;
    sqlx::query("UPDATE people SET phone = $1, email = $2 WHERE id = $3")
        .bind(parent.phone.clone())
        .bind(parent.email.as_ref().map(|e| e.as_str().to_owned()))
        .bind(person_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE child_guardians SET relation = $1 WHERE child_id = $2 AND person_id = $3")
        .bind(&parent.relation)
        .bind(child_id)
        .bind(person_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    tracing::info!(child_id, person_id, by = actor.person_id, "guardian edited");
    Ok(())
}

pub async fn remove_guardian(
    db: &Db,
    actor: &Actor,
    child_id: i64,
    person_id: i64,
) -> Result<(), AppError> {
    managed_child_row(db, actor, child_id).await?;
    own_guardian(db, child_id, person_id).await?;
    let mut tx = db.begin_write().await?;
    sqlx::query("DELETE FROM child_guardians WHERE child_id = $1 AND person_id = $2")
        .bind(child_id)
        .bind(person_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    tracing::info!(
        child_id,
        person_id,
        by = actor.person_id,
        "guardian link removed"
    );
    Ok(())
}

pub async fn create_guardian_account(
    db: &Db,
    actor: &Actor,
    child_id: i64,
    person_id: i64,
) -> Result<GuardianCredentials, AppError> {
    managed_child_row(db, actor, child_id).await?;
    let guardian = own_guardian(db, child_id, person_id).await?;
    if let Some(login) = guardian.try_get::<Option<String>, _>("login")? {
        return Err(AppError::conflict(
            "person_id",
            format!("У этого представителя уже есть учётная запись: логин {login}."),
            format!("This parent already has an account: login {login}."),
        ));
    }
    let name = PersonName::parse(
        &guardian.try_get::<String, _>("surname")?,
        &guardian.try_get::<String, _>("given_name")?,
        &guardian.try_get::<String, _>("patronymic")?,
    )
    .map_err(|e| {
        tracing::error!(person_id, error = %e, "stored name does not parse");
        AppError::internal()
    })?;
    let mut tx = db.begin_write().await?;
    let account = crate::staff::repo::insert_account(&mut tx, person_id, &name).await?;
    // A parent's grant has no organisation: what it reaches follows child_guardians.
    let granted = sqlx::query("SELECT 1 FROM role_grants WHERE person_id = $1 AND role = 'parent'")
        .bind(person_id)
        .fetch_optional(&mut *tx)
        .await?
        .is_some();
    if !granted {
        sqlx::query("INSERT INTO role_grants (person_id, role) VALUES ($1, 'parent')")
            .bind(person_id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    tracing::info!(
        child_id,
        person_id,
        login = account.login,
        "parent account created"
    );
    Ok(GuardianCredentials {
        child_id,
        person_id,
        full_name: name.full(),
        login: account.login,
        one_time_password: account.one_time_password,
    })
}
