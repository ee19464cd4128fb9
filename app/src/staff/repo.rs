use std::collections::BTreeSet;

use sqlx::Row;

use super::{GroupBinding, NewCredentials, StaffCard, StaffRow};
use crate::auth::password;
use crate::db::{now_millis, Db};
use crate::domain::credentials::login_from_name;
use crate::domain::email::Email;
use crate::domain::person_name::PersonName;
use crate::domain::{Actor, Bilingual, Role};
use crate::error::{AppError, ErrorKind};
use crate::groups::repo::full_name;
pub use crate::groups::repo::managed_organisation;

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
    #[allow(clippy::too_many_arguments)]
    pub fn parse(
        surname: &str,
        given_name: &str,
        patronymic: &str,
        email: &str,
        phone: &str,
        position: &str,
        teacher: bool,
        admin: bool,
    ) -> Result<Self, AppError> {
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

pub async fn list_staff(db: &Db, actor: &Actor) -> Result<Vec<StaffRow>, AppError> {
    let organisation_id = managed_organisation(actor)?;
    let rows = sqlx::query(
        "SELECT s.id, s.position, p.id AS person_id, p.surname, p.given_name, p.patronymic, a.login \
         FROM staff s JOIN people p ON p.id = s.person_id JOIN accounts a ON a.person_id = p.id \
         WHERE s.organisation_id = $1 AND s.archived = 0 ORDER BY p.surname, p.given_name, s.id",
    )
    .bind(organisation_id)
    .fetch_all(db.pool())
    .await?;
    let mut staff = Vec::with_capacity(rows.len());
    for r in &rows {
        let staff_id: i64 = r.try_get("id")?;
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
            staff_id,
            full_name: full_name(r)?,
            position: r.try_get("position")?,
            login: r.try_get("login")?,
            roles,
            groups,
        });
    }
    Ok(staff)
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
    let one_time_password = password::one_time_password();
    let hash = password::hash(one_time_password.clone()).await?;
    let now = now_millis();
    let base = login_from_name(account.name, |_| false);
    let taken: BTreeSet<String> = sqlx::query("SELECT login FROM accounts WHERE login LIKE $1")
        .bind(format!("{}%", base.as_str()))
        .fetch_all(&mut **tx)
        .await?
        .iter()
        .map(|r| r.try_get("login"))
        .collect::<Result<_, _>>()?;
    let login = login_from_name(account.name, |candidate| taken.contains(candidate));

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
    sqlx::query(
        "INSERT INTO accounts (person_id, login, password_hash, must_change_password, created_at) \
         VALUES ($1, $2, $3, 1, $4)",
    )
    .bind(person_id)
    .bind(login.as_str())
    .bind(hash)
    .bind(now)
    .execute(&mut **tx)
    .await?;
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
        login: login.as_str().to_owned(),
        one_time_password,
    })
}

/// The staff card's person and organisation, refused unless the actor administers it.
async fn own_staff(db: &Db, actor: &Actor, staff_id: i64) -> Result<sqlx::any::AnyRow, AppError> {
    let organisation_id = managed_organisation(actor)?;
    let row = sqlx::query(
        "SELECT s.id, s.person_id, s.organisation_id, s.position, p.surname, p.given_name, p.patronymic, a.login \
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

async fn is_teacher(db: &Db, person_id: i64, organisation_id: i64) -> Result<bool, AppError> {
    Ok(sqlx::query("SELECT 1 FROM role_grants WHERE person_id = $1 AND organisation_id = $2 AND role = 'teacher'")
        .bind(person_id)
        .bind(organisation_id)
        .fetch_optional(db.pool())
        .await?
        .is_some())
}

pub async fn staff_card(db: &Db, actor: &Actor, staff_id: i64) -> Result<StaffCard, AppError> {
    let row = own_staff(db, actor, staff_id).await?;
    let organisation_id = managed_organisation(actor)?;
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
        position: row.try_get("position")?,
        login: row.try_get("login")?,
        is_teacher: is_teacher(db, row.try_get("person_id")?, organisation_id).await?,
        groups,
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
    let group = crate::groups::repo::group_scope(db, group_id).await?;
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
