use std::collections::BTreeSet;

use sqlx::Row;

use super::search::{clamp_page, StaffSearch};
use super::{
    GroupBinding, NewCredentials, StaffCard, StaffForm, StaffListPage, StaffRow, PER_PAGE,
};
use crate::access::{group_scope, managed_organisation};
use crate::auth::password;
use crate::clock::now_millis;
use crate::db::Db;
use crate::domain::credentials::login_from_name;
use crate::domain::email::Email;
use crate::domain::permissions::account_is_the_admins;
use crate::domain::person_name::PersonName;
use crate::domain::{Actor, Bilingual, OutsideRole, Role};
use crate::error::{AppError, ErrorKind};
use crate::rows::full_name;

/// A validated «new staff member» form.
pub struct NewStaff {
    name: PersonName,
    email: Option<Email>,
    phone: Option<String>,
    position: String,
    teacher: bool,
    admin: bool,
}

struct Message(&'static str, &'static str);
impl Bilingual for Message {
    fn ru(&self) -> String {
        self.0.into()
    }
    fn en(&self) -> String {
        self.1.into()
    }
}

impl NewStaff {
    pub fn parse(form: &StaffForm) -> Result<Self, AppError> {
        let StaffForm {
            surname,
            given_name,
            patronymic,
            email,
            phone,
            position,
            teacher,
            admin,
        } = form;
        let (teacher, admin) = (teacher.is_some(), admin.is_some());
        let name = PersonName::parse(surname, given_name, patronymic).map_err(|e| {
            let field = match e.part() {
                crate::domain::person_name::NamePart::Surname => "surname",
                crate::domain::person_name::NamePart::GivenName => "given_name",
                crate::domain::person_name::NamePart::Patronymic => "patronymic",
            };
            AppError::invalid(field, &e)
        })?;
        let email = match email.trim() {
            "" => None,
            raw => Some(Email::parse(raw).map_err(|e| AppError::invalid("email", &e))?),
        };
        let phone = Some(phone.trim().to_owned()).filter(|p| !p.is_empty());
        if phone.as_ref().is_some_and(|p| {
            p.chars().count() > 30 || !p.chars().all(|c| c.is_ascii_digit() || " +-()".contains(c))
        }) {
            return Err(AppError::invalid(
                "phone",
                &Message(
                    "Телефон может содержать только цифры, пробелы, +, - и скобки (до 30 символов).",
                    "A phone number may hold only digits, spaces, +, - and brackets (up to 30).",
                ),
            ));
        }
        let position = position.split_whitespace().collect::<Vec<_>>().join(" ");
        if position.is_empty() || position.chars().count() > 200 {
            return Err(AppError::invalid(
                "position",
                &Message(
                    "Укажите должность (до 200 символов).",
                    "Enter the position (up to 200 characters).",
                ),
            ));
        }
        if !teacher && !admin {
            return Err(AppError::invalid(
                "roles",
                &Message(
                    "Выберите хотя бы одну роль: педагог или администратор ОО.",
                    "Choose at least one role: teacher or organisation admin.",
                ),
            ));
        }
        Ok(Self {
            name,
            email,
            phone,
            position,
            teacher,
            admin,
        })
    }
}

pub async fn list_staff(
    db: &Db,
    actor: &Actor,
    query: &str,
    page: i64,
    archived: bool,
) -> Result<StaffListPage, AppError> {
    let organisation_id = managed_organisation(actor)?;
    let search = StaffSearch::parse(query);
    let rows = sqlx::query(
        "SELECT s.id, s.position, s.archived, p.id AS person_id, p.surname, p.given_name, p.patronymic, a.login \
         FROM staff s JOIN people p ON p.id = s.person_id JOIN accounts a ON a.person_id = p.id \
         WHERE s.organisation_id = $1 AND s.archived = $2",
    )
    .bind(organisation_id)
    .bind(i64::from(archived))
    .fetch_all(db.pool())
    .await?;
    // Filtered and sorted here, not in SQL: see `StaffSearch`. Sorting the folded
    // names also gives both backends the same order (their collations differ).
    let mut found = Vec::new();
    for r in rows {
        let key = |column: &str| -> Result<String, sqlx::Error> { r.try_get(column) };
        let (surname, given_name, patronymic) =
            (key("surname")?, key("given_name")?, key("patronymic")?);
        if search.matches(&[
            &surname,
            &given_name,
            &patronymic,
            &key("position")?,
            &key("login")?,
        ]) {
            let sort_key = format!("{surname}\u{1}{given_name}\u{1}{patronymic}")
                .to_lowercase()
                .replace('ё', "е");
            let staff_id: i64 = r.try_get("id")?;
            found.push((sort_key, staff_id, r));
        }
    }
    found.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
    let total = found.len() as i64;
    let page = clamp_page(page, total, PER_PAGE);
    let mut staff = Vec::with_capacity(PER_PAGE as usize);
    for (_, staff_id, r) in found
        .iter()
        .skip(((page - 1) * PER_PAGE) as usize)
        .take(PER_PAGE as usize)
    {
        let person_id: i64 = r.try_get("person_id")?;
        let roles = sqlx::query(
            "SELECT role FROM role_grants WHERE person_id = $1 AND organisation_id = $2 ORDER BY role",
        )
        .bind(person_id)
        .bind(organisation_id)
        .fetch_all(db.pool())
        .await?
        .iter()
        .filter_map(|g| g.try_get::<String, _>("role").ok().and_then(|r| Role::parse(&r)))
        .collect();
        let groups = sqlx::query(
            "SELECT g.name FROM teacher_groups tg JOIN groups g ON g.id = tg.group_id \
             WHERE tg.staff_id = $1 ORDER BY g.name_key",
        )
        .bind(staff_id)
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|g| g.try_get("name"))
        .collect::<Result<_, _>>()?;
        staff.push(StaffRow {
            staff_id: *staff_id,
            full_name: full_name(r)?,
            position: r.try_get("position")?,
            login: r.try_get("login")?,
            roles,
            groups,
            archived: r.try_get::<i64, _>("archived")? != 0,
        });
    }
    Ok(StaffListPage {
        rows: staff,
        total,
        page,
        per_page: PER_PAGE,
    })
}

pub async fn create_staff(
    db: &Db,
    actor: &Actor,
    form: NewStaff,
) -> Result<NewCredentials, AppError> {
    let organisation_id = managed_organisation(actor)?;
    let roles: Vec<Role> = [(form.teacher, Role::Teacher), (form.admin, Role::OrgAdmin)]
        .into_iter()
        .filter_map(|(wanted, role)| wanted.then_some(role))
        .collect();
    let mut tx = db.begin_write().await?;
    let credentials = insert_staff_account(
        &mut tx,
        StaffAccount {
            name: &form.name,
            email: form.email.as_ref().map(Email::as_str),
            phone: form.phone.as_deref(),
            position: &form.position,
            organisation_id,
            roles: &roles,
        },
    )
    .await?;
    tx.commit().await?;
    tracing::info!(
        staff_id = credentials.staff_id,
        login = credentials.login,
        "staff account created"
    );
    Ok(credentials)
}

/// A fresh one-time password and its hash: for a new account and for a reset alike.
async fn one_time_password() -> Result<(String, String), AppError> {
    let one_time_password = password::one_time_password();
    let hash = password::hash(one_time_password.clone()).await?;
    Ok((one_time_password, hash))
}

/// What a new staff account is made of.
pub struct StaffAccount<'a> {
    pub name: &'a PersonName,
    pub email: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub position: &'a str,
    pub organisation_id: i64,
    pub roles: &'a [Role],
}

/// Creates the person, its account with a fresh one-time password (to be changed at
/// first login), its staff card and role grants, inside the caller's transaction.
pub async fn insert_staff_account(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    account: StaffAccount<'_>,
) -> Result<NewCredentials, AppError> {
    let now = now_millis();
    let person_id: i64 = sqlx::query(
        "INSERT INTO people (surname, given_name, patronymic, email, phone, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(account.name.surname())
    .bind(account.name.given_name())
    .bind(account.name.patronymic().unwrap_or(""))
    .bind(account.email.map(str::to_owned))
    .bind(account.phone.map(str::to_owned))
    .bind(now)
    .fetch_one(&mut **tx)
    .await?
    .try_get("id")?;
    let NewAccount {
        login,
        one_time_password,
    } = insert_account(tx, person_id, account.name).await?;
    let staff_id: i64 = sqlx::query(
        "INSERT INTO staff (person_id, organisation_id, position, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(person_id)
    .bind(account.organisation_id)
    .bind(account.position)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?
    .try_get("id")?;
    for role in account.roles {
        sqlx::query(
            "INSERT INTO role_grants (person_id, role, organisation_id) VALUES ($1, $2, $3)",
        )
        .bind(person_id)
        .bind(role.as_str())
        .bind(account.organisation_id)
        .execute(&mut **tx)
        .await?;
    }
    Ok(NewCredentials {
        staff_id,
        full_name: account.name.full(),
        login,
        one_time_password,
    })
}

/// The staff card's person and organisation, refused unless the actor administers it.
async fn own_staff(db: &Db, actor: &Actor, staff_id: i64) -> Result<sqlx::any::AnyRow, AppError> {
    let organisation_id = managed_organisation(actor)?;
    let row = sqlx::query(
        "SELECT s.id, s.person_id, s.organisation_id, s.position, s.archived, \
                p.surname, p.given_name, p.patronymic, p.email, p.phone, a.login \
         FROM staff s JOIN people p ON p.id = s.person_id JOIN accounts a ON a.person_id = p.id \
         WHERE s.id = $1",
    )
    .bind(staff_id)
    .fetch_optional(db.pool())
    .await?
    .ok_or_else(|| AppError::not_found("Сотрудник не найден.", "Staff member not found."))?;
    if row.try_get::<i64, _>("organisation_id")? != organisation_id {
        return Err(AppError::forbidden());
    }
    Ok(row)
}

async fn has_role(
    db: &Db,
    person_id: i64,
    organisation_id: i64,
    role: Role,
) -> Result<bool, AppError> {
    Ok(sqlx::query(
        "SELECT 1 FROM role_grants WHERE person_id = $1 AND organisation_id = $2 AND role = $3",
    )
    .bind(person_id)
    .bind(organisation_id)
    .bind(role.as_str())
    .fetch_optional(db.pool())
    .await?
    .is_some())
}

/// Every role the person holds outside the organisation, archived cards' included (a
/// card restored later would bring its role back).
async fn outside_roles(
    db: &Db,
    person_id: i64,
    organisation_id: i64,
) -> Result<Vec<OutsideRole>, AppError> {
    sqlx::query(
        "SELECT g.role, COALESCE(o.short_name, m.name, '') AS scope FROM role_grants g \
         LEFT JOIN organisations o ON o.id = g.organisation_id \
         LEFT JOIN municipalities m ON m.id = g.municipality_id \
         WHERE g.person_id = $1 AND (g.organisation_id IS NULL OR g.organisation_id <> $2) \
         ORDER BY g.id",
    )
    .bind(person_id)
    .bind(organisation_id)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| {
        Ok(OutsideRole {
            role: Role::parse(&r.try_get::<String, _>("role")?).ok_or_else(AppError::internal)?,
            scope: r.try_get("scope")?,
        })
    })
    .collect()
}

/// Refused with the reason when the person holds roles outside the organisation.
async fn ensure_account_is_the_admins(
    db: &Db,
    person_id: i64,
    organisation_id: i64,
) -> Result<(), AppError> {
    let outside = outside_roles(db, person_id, organisation_id).await?;
    account_is_the_admins(&outside)
        .map_err(|refusal| AppError::new(ErrorKind::Forbidden, refusal.ru(), refusal.en()))
}

async fn is_teacher(db: &Db, person_id: i64, organisation_id: i64) -> Result<bool, AppError> {
    has_role(db, person_id, organisation_id, Role::Teacher).await
}

fn is_archived(row: &sqlx::any::AnyRow) -> Result<bool, AppError> {
    Ok(row.try_get::<i64, _>("archived")? != 0)
}

/// Changes to an archived card other than restoring it are refused: its person no
/// longer works here.
fn ensure_active(row: &sqlx::any::AnyRow) -> Result<(), AppError> {
    if is_archived(row)? {
        return Err(AppError::new(
            ErrorKind::Conflict,
            "Сотрудник в архиве: сначала восстановите карточку.",
            "This staff member is archived: restore the card first.",
        ));
    }
    Ok(())
}

pub async fn staff_card(db: &Db, actor: &Actor, staff_id: i64) -> Result<StaffCard, AppError> {
    let row = own_staff(db, actor, staff_id).await?;
    let organisation_id = managed_organisation(actor)?;
    let person_id: i64 = row.try_get("person_id")?;
    let groups = sqlx::query(
        "SELECT g.id, g.name, tg.staff_id FROM groups g \
         LEFT JOIN teacher_groups tg ON tg.group_id = g.id AND tg.staff_id = $1 \
         WHERE g.organisation_id = $2 ORDER BY g.name_key",
    )
    .bind(staff_id)
    .bind(organisation_id)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|g| {
        Ok(GroupBinding {
            group_id: g.try_get("id")?,
            name: g.try_get("name")?,
            bound: g.try_get::<Option<i64>, _>("staff_id")?.is_some(),
        })
    })
    .collect::<Result<_, sqlx::Error>>()?;
    Ok(StaffCard {
        staff_id,
        full_name: full_name(&row)?,
        surname: row.try_get("surname")?,
        given_name: row.try_get("given_name")?,
        patronymic: row.try_get("patronymic")?,
        email: row
            .try_get::<Option<String>, _>("email")?
            .unwrap_or_default(),
        phone: row
            .try_get::<Option<String>, _>("phone")?
            .unwrap_or_default(),
        position: row.try_get("position")?,
        login: row.try_get("login")?,
        is_teacher: is_teacher(db, person_id, organisation_id).await?,
        is_admin: has_role(db, person_id, organisation_id, Role::OrgAdmin).await?,
        archived: is_archived(&row)?,
        is_self: person_id == actor.person_id,
        outside_roles: outside_roles(db, person_id, organisation_id).await?,
        groups,
    })
}

/// Saves the card's form: name, contacts, position and the two roles. A role taken
/// away ends the sessions acting in it; the teacher role takes its groups with it.
pub async fn update_staff(
    db: &Db,
    actor: &Actor,
    staff_id: i64,
    form: NewStaff,
) -> Result<(), AppError> {
    let row = own_staff(db, actor, staff_id).await?;
    let organisation_id = managed_organisation(actor)?;
    ensure_active(&row)?;
    let person_id: i64 = row.try_get("person_id")?;
    // Otherwise an organisation could be left with nobody to administer it.
    if person_id == actor.person_id && !form.admin {
        return Err(AppError::invalid(
            "roles",
            &Message(
                "Нельзя снять роль администратора ОО с самого себя: это может сделать другой администратор.",
                "You cannot remove your own organisation admin role: another admin can.",
            ),
        ));
    }
    let person_changes = row.try_get::<String, _>("surname")? != form.name.surname()
        || row.try_get::<String, _>("given_name")? != form.name.given_name()
        || row
            .try_get::<Option<String>, _>("patronymic")?
            .unwrap_or_default()
            != form.name.patronymic().unwrap_or("")
        || row.try_get::<Option<String>, _>("email")?.as_deref()
            != form.email.as_ref().map(|e| e.as_str())
        || row.try_get::<Option<String>, _>("phone")? != form.phone;
    if person_changes {
        ensure_account_is_the_admins(db, person_id, organisation_id).await?;
    }
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "UPDATE people SET surname = $1, given_name = $2, patronymic = $3, email = $4, phone = $5 \
         WHERE id = $6",
    )
    .bind(form.name.surname())
    .bind(form.name.given_name())
    .bind(form.name.patronymic().unwrap_or(""))
    .bind(form.email.as_ref().map(|e| e.as_str().to_owned()))
    .bind(form.phone.clone())
    .bind(person_id)
    .execute(&mut *tx)
    .await?;
    sqlx::query("UPDATE staff SET position = $1 WHERE id = $2")
        .bind(&form.position)
        .bind(staff_id)
        .execute(&mut *tx)
        .await?;
    for (wanted, role) in [(form.teacher, Role::Teacher), (form.admin, Role::OrgAdmin)] {
        if wanted {
            // Not ON CONFLICT: the unique key holds a NULL municipality, and NULLs
            // never conflict.
            sqlx::query(
                "INSERT INTO role_grants (person_id, role, organisation_id) \
                 SELECT $1, $2, $3 WHERE NOT EXISTS (SELECT 1 FROM role_grants \
                 WHERE person_id = $1 AND role = $2 AND organisation_id = $3)",
            )
            .bind(person_id)
            .bind(role.as_str())
            .bind(organisation_id)
            .execute(&mut *tx)
            .await?;
            continue;
        }
        sqlx::query(
            "DELETE FROM sessions WHERE grant_id IN (SELECT id FROM role_grants \
             WHERE person_id = $1 AND role = $2 AND organisation_id = $3)",
        )
        .bind(person_id)
        .bind(role.as_str())
        .bind(organisation_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "DELETE FROM role_grants WHERE person_id = $1 AND role = $2 AND organisation_id = $3",
        )
        .bind(person_id)
        .bind(role.as_str())
        .bind(organisation_id)
        .execute(&mut *tx)
        .await?;
        if role == Role::Teacher {
            sqlx::query("DELETE FROM teacher_groups WHERE staff_id = $1")
                .bind(staff_id)
                .execute(&mut *tx)
                .await?;
        }
    }
    tx.commit().await?;
    tracing::info!(
        staff_id,
        teacher = form.teacher,
        admin = form.admin,
        "staff card updated"
    );
    Ok(())
}

/// Archives (`archive = true`) or restores a staff card.
///
/// Archiving ends the person's work here at once: the group bindings go, every
/// session ends, and the login is closed unless the person still works in another
/// organisation or is a parent or municipal specialist (then only the roles of this
/// organisation stop counting, see `session::ACTIVE_GRANT`). Restoring reopens the
/// card and the login with the same roles, but no groups.
pub async fn set_archived(
    db: &Db,
    actor: &Actor,
    staff_id: i64,
    archive: bool,
) -> Result<(), AppError> {
    let row = own_staff(db, actor, staff_id).await?;
    let person_id: i64 = row.try_get("person_id")?;
    if archive && person_id == actor.person_id {
        return Err(AppError::new(
            ErrorKind::Conflict,
            "Нельзя отправить в архив самого себя: это может сделать другой администратор.",
            "You cannot archive yourself: another admin can.",
        ));
    }
    if is_archived(&row)? == archive {
        return Ok(());
    }
    let mut tx = db.begin_write().await?;
    sqlx::query("UPDATE staff SET archived = $1 WHERE id = $2")
        .bind(i64::from(archive))
        .bind(staff_id)
        .execute(&mut *tx)
        .await?;
    if archive {
        sqlx::query("DELETE FROM teacher_groups WHERE staff_id = $1")
            .bind(staff_id)
            .execute(&mut *tx)
            .await?;
        let still_needed = sqlx::query(
            "SELECT 1 FROM staff WHERE person_id = $1 AND id <> $2 AND archived = 0 \
             UNION ALL SELECT 1 FROM role_grants WHERE person_id = $1 AND role IN ('parent', 'municipal')",
        )
        .bind(person_id)
        .bind(staff_id)
        .fetch_optional(&mut *tx)
        .await?
        .is_some();
        if !still_needed {
            sqlx::query("UPDATE accounts SET archived = 1 WHERE person_id = $1")
                .bind(person_id)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query("DELETE FROM sessions WHERE person_id = $1")
            .bind(person_id)
            .execute(&mut *tx)
            .await?;
    } else {
        sqlx::query("UPDATE accounts SET archived = 0 WHERE person_id = $1")
            .bind(person_id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    tracing::info!(staff_id, archive, "staff card archived or restored");
    Ok(())
}

/// A new one-time password for the staff member: the old one stops working, every
/// session ends, and the next sign-in must change it.
pub async fn reset_password(
    db: &Db,
    actor: &Actor,
    staff_id: i64,
) -> Result<NewCredentials, AppError> {
    let row = own_staff(db, actor, staff_id).await?;
    ensure_active(&row)?;
    let person_id: i64 = row.try_get("person_id")?;
    if person_id == actor.person_id {
        return Err(AppError::new(
            ErrorKind::Conflict,
            "Свой пароль меняйте на странице смены пароля (/password), а не сбросом.",
            "Change your own password on the password page (/password), not by a reset.",
        ));
    }
    ensure_account_is_the_admins(db, person_id, managed_organisation(actor)?).await?;
    let login: String = row.try_get("login")?;
    let (one_time_password, hash) = one_time_password().await?;
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "UPDATE accounts SET password_hash = $1, must_change_password = 1 WHERE person_id = $2",
    )
    .bind(hash)
    .bind(person_id)
    .execute(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM sessions WHERE person_id = $1")
        .bind(person_id)
        .execute(&mut *tx)
        .await?;
    // A person locked out by failed attempts can use the new password at once.
    crate::auth::attempts::forgive(&mut *tx, &login).await?;
    tx.commit().await?;
    tracing::info!(staff_id, "staff password reset");
    Ok(NewCredentials {
        staff_id,
        full_name: full_name(&row)?,
        login,
        one_time_password,
    })
}

pub async fn set_group_binding(
    db: &Db,
    actor: &Actor,
    staff_id: i64,
    group_id: i64,
    bind: bool,
) -> Result<(), AppError> {
    let row = own_staff(db, actor, staff_id).await?;
    let organisation_id = managed_organisation(actor)?;
    ensure_active(&row)?;
    let group = group_scope(db, group_id).await?;
    if group.organisation_id != organisation_id {
        return Err(AppError::forbidden());
    }
    if bind && !is_teacher(db, row.try_get("person_id")?, organisation_id).await? {
        return Err(AppError::new(
            ErrorKind::Conflict,
            "К группе можно привязать только сотрудника с ролью «педагог».",
            "Only a staff member with the teacher role can be bound to a group.",
        ));
    }
    let sql = if bind {
        "INSERT INTO teacher_groups (staff_id, group_id) VALUES ($1, $2) ON CONFLICT DO NOTHING"
    } else {
        "DELETE FROM teacher_groups WHERE staff_id = $1 AND group_id = $2"
    };
    sqlx::query(sql)
        .bind(staff_id)
        .bind(group_id)
        .execute(db.pool())
        .await?;
    tracing::info!(staff_id, group_id, bind, "teacher group binding changed");
    Ok(())
}

/// The login and one-time password of an account just created.
pub struct NewAccount {
    pub login: String,
    pub one_time_password: String,
}

/// Gives an existing person an account: a free login made from the name and a fresh
/// one-time password that must be changed at first login (only its hash is stored).
/// Inside the caller's transaction; role grants are the caller's. Staff accounts and
/// parents' accounts (made on a child's card) both come from here.
pub async fn insert_account(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    person_id: i64,
    name: &PersonName,
) -> Result<NewAccount, AppError> {
    let (one_time_password, hash) = one_time_password().await?;
    let base = login_from_name(name, |_| false);
    let taken: BTreeSet<String> = sqlx::query("SELECT login FROM accounts WHERE login LIKE $1")
        .bind(format!("{}%", base.as_str()))
        .fetch_all(&mut **tx)
        .await?
        .iter()
        .map(|r| r.try_get("login"))
        .collect::<Result<_, _>>()?;
    let login = login_from_name(name, |candidate| taken.contains(candidate));
    sqlx::query(
        "INSERT INTO accounts (person_id, login, password_hash, must_change_password, created_at) \
         VALUES ($1, $2, $3, 1, $4)",
    )
    .bind(person_id)
    .bind(login.as_str())
    .bind(hash)
    .bind(now_millis())
    .execute(&mut **tx)
    .await?;
    Ok(NewAccount {
        login: login.as_str().to_owned(),
        one_time_password,
    })
}
