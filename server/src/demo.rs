//! A small demo municipality with two kindergartens and an account per role, so a
//! newcomer sees real data on the first start. Passwords are listed in the README.

use app::auth::password;
use app::clock::now_millis;
use app::db::Db;
use app::domain::{GroupName, Role};
use sqlx::{Any, Row, Transaction};

pub const DEMO_INN: &str = "5902290635";
/// Every demo child joined its group at the start of the school year.
const DEMO_ENROLLED_ON: &str = "2026-09-01";

/// Non-working weekdays of 2026 in Russia (the production calendar): the New Year
/// holidays, and the days off that fall on or are moved to weekdays.
pub const HOLIDAYS_2026: &[&str] = &[
    "2026-01-01",
    "2026-01-02",
    "2026-01-05",
    "2026-01-06",
    "2026-01-07",
    "2026-01-08",
    "2026-02-23",
    "2026-03-09",
    "2026-05-01",
    "2026-05-11",
    "2026-06-12",
    "2026-11-04",
    "2026-12-31",
];

/// Surname, given name, patronymic, birth date.
type DemoChild = (&'static str, &'static str, &'static str, &'static str);

struct DemoOrganisation {
    name: &'static str,
    short_name: &'static str,
    inn: &'static str,
    kpp: &'static str,
    groups: &'static [(&'static str, &'static [DemoChild])],
}

const ORGANISATIONS: &[DemoOrganisation] = &[
    DemoOrganisation {
        name: "Муниципальное автономное дошкольное образовательное учреждение «Детский сад № 1»",
        short_name: "МАДОУ «Детский сад № 1»",
        inn: DEMO_INN,
        kpp: "590201001",
        groups: &[
            (
                "Солнышко",
                &[
                    ("Иванова", "Мария", "Сергеевна", "2021-03-14"),
                    ("Петров", "Артём", "Алексеевич", "2021-07-02"),
                    ("Смирнова", "Алиса", "Дмитриевна", "2021-01-25"),
                    ("Кузнецов", "Лев", "Игоревич", "2020-11-30"),
                ],
            ),
            (
                "Ромашка",
                &[
                    ("Попова", "Ева", "Андреевна", "2020-05-19"),
                    ("Соколов", "Матвей", "Павлович", "2020-09-08"),
                    ("Лебедева", "София", "Олеговна", "2020-02-11"),
                ],
            ),
            (
                "Звёздочка",
                &[("Новиков", "Тимофей", "Романович", "2019-12-03")],
            ),
        ],
    },
    DemoOrganisation {
        name: "Муниципальное бюджетное дошкольное образовательное учреждение «Детский сад № 2»",
        short_name: "МБДОУ «Детский сад № 2»",
        inn: "5904100536",
        kpp: "590401001",
        groups: &[(
            "Радуга",
            &[
                ("Морозова", "Полина", "Викторовна", "2021-04-04"),
                ("Волков", "Марк", "Евгеньевич", "2020-08-21"),
            ],
        )],
    },
];

pub struct DemoAccount {
    pub login: &'static str,
    pub password: &'static str,
    name: (&'static str, &'static str, &'static str),
    email: &'static str,
}

pub const ADMIN: DemoAccount = DemoAccount {
    login: "admin",
    password: "demo-admin-2026",
    name: ("Орлова", "Наталья", "Викторовна"),
    email: "admin@sad1.example.ru",
};
pub const TEACHER: DemoAccount = DemoAccount {
    login: "teacher",
    password: "demo-teacher-2026",
    name: ("Васильева", "Ольга", "Николаевна"),
    email: "teacher@sad1.example.ru",
};
pub const PARENT: DemoAccount = DemoAccount {
    login: "parent",
    password: "demo-parent-2026",
    name: ("Иванов", "Сергей", "Петрович"),
    email: "ivanov@example.ru",
};
pub const MULTI: DemoAccount = DemoAccount {
    login: "multi",
    password: "demo-multi-2026",
    name: ("Петрова", "Анна", "Игоревна"),
    email: "petrova@example.ru",
};
pub const MUNICIPAL: DemoAccount = DemoAccount {
    login: "municipal",
    password: "demo-municipal-2026",
    name: ("Сидоров", "Павел", "Андреевич"),
    email: "uo@perm.example.ru",
};
pub const ADMIN2: DemoAccount = DemoAccount {
    login: "admin2",
    password: "demo-admin2-2026",
    name: ("Белова", "Ирина", "Сергеевна"),
    email: "admin@sad2.example.ru",
};
pub const TEACHER2: DemoAccount = DemoAccount {
    login: "teacher2",
    password: "demo-teacher2-2026",
    name: ("Громова", "Елена", "Павловна"),
    email: "teacher@sad2.example.ru",
};

/// Creates the demo data unless it is already there.
pub async fn load(db: &Db) -> Result<(), sqlx::Error> {
    if sqlx::query("SELECT id FROM organisations WHERE inn = $1")
        .bind(DEMO_INN)
        .fetch_optional(db.pool())
        .await?
        .is_some()
    {
        return Ok(());
    }
    let mut tx = db.begin_write().await?;
    let now = now_millis();
    let municipality: i64 =
        sqlx::query("INSERT INTO municipalities (name) VALUES ($1) RETURNING id")
            .bind("Пермский городской округ")
            .fetch_one(&mut *tx)
            .await?
            .try_get("id")?;

    let mut org_ids = Vec::new();
    let mut group_ids = std::collections::BTreeMap::new();
    let mut child_ids = std::collections::BTreeMap::new();
    for org in ORGANISATIONS {
        let org_id: i64 = sqlx::query(
            "INSERT INTO organisations (name, short_name, inn, kpp, municipality_id, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(org.name)
        .bind(org.short_name)
        .bind(org.inn)
        .bind(org.kpp)
        .bind(municipality)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        org_ids.push(org_id);
        for day in HOLIDAYS_2026 {
            sqlx::query(
                "INSERT INTO calendar_days (organisation_id, day, kind) VALUES ($1, $2, 'holiday')",
            )
            .bind(org_id)
            .bind(*day)
            .execute(&mut *tx)
            .await?;
        }
        let building: i64 = sqlx::query(
            "INSERT INTO buildings (organisation_id, name, name_key, address, created_at) \
             VALUES ($1, 'Основной корпус', 'основной корпус', $2, $3) RETURNING id",
        )
        .bind(org_id)
        .bind(format!("г. Пермь, {}", org.short_name))
        .bind(now)
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        // A hall no group lives in: something the admin can archive in a tour.
        sqlx::query(
            "INSERT INTO rooms (building_id, name, name_key, places, created_at) \
             VALUES ($1, 'Музыкальный зал', 'музыкальный зал', 30, $2)",
        )
        .bind(building)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let full_day: i64 = sqlx::query(
            "SELECT id FROM stay_modes WHERE organisation_id IS NULL AND name_ru = 'Полный день'",
        )
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        for (index, (group, children)) in org.groups.iter().enumerate() {
            let name = GroupName::parse(group).expect("demo group names are valid");
            let room_name = format!("Групповая {}", index + 1);
            let room: i64 = sqlx::query(
                "INSERT INTO rooms (building_id, name, name_key, places, created_at) \
                 VALUES ($1, $2, $3, 20, $4) RETURNING id",
            )
            .bind(building)
            .bind(&room_name)
            .bind(room_name.to_lowercase())
            .bind(now)
            .fetch_one(&mut *tx)
            .await?
            .try_get("id")?;
            let youngest = 3 + index as i64;
            let group_id: i64 = sqlx::query(
                "INSERT INTO groups (organisation_id, name, name_key, created_at, \
                 age_from, age_to, stay_mode_id, room_id) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            )
            .bind(org_id)
            .bind(name.as_str())
            .bind(name.key())
            .bind(now)
            .bind(youngest)
            .bind(youngest + 1)
            .bind(full_day)
            .bind(room)
            .fetch_one(&mut *tx)
            .await?
            .try_get("id")?;
            group_ids.insert(*group, group_id);
            for (surname, given, patronymic, birth) in *children {
                let child_id: i64 = sqlx::query(
                    "INSERT INTO children (group_id, surname, given_name, patronymic, birth_date, enrolled_on, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                )
                .bind(group_id)
                .bind(*surname)
                .bind(*given)
                .bind(*patronymic)
                .bind(*birth)
                .bind(DEMO_ENROLLED_ON)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?
                .try_get("id")?;
                child_ids.insert((*surname, *given), child_id);
            }
        }
    }
    let (sad1, sad2) = (org_ids[0], org_ids[1]);

    let admin = account(&mut tx, &ADMIN).await?;
    staff(&mut tx, admin, sad1, "Заведующий", &[Role::OrgAdmin], &[]).await?;
    let teacher = account(&mut tx, &TEACHER).await?;
    staff(
        &mut tx,
        teacher,
        sad1,
        "Воспитатель",
        &[Role::Teacher],
        &[group_ids["Солнышко"]],
    )
    .await?;
    let parent = account(&mut tx, &PARENT).await?;
    grant(&mut tx, parent, Role::Parent, None, None).await?;
    guardian(&mut tx, child_ids[&("Иванова", "Мария")], parent, "отец").await?;
    // A teacher of one group who is also the mother of a child in another: two roles.
    let multi = account(&mut tx, &MULTI).await?;
    staff(
        &mut tx,
        multi,
        sad1,
        "Воспитатель",
        &[Role::Teacher],
        &[group_ids["Ромашка"]],
    )
    .await?;
    grant(&mut tx, multi, Role::Parent, None, None).await?;
    guardian(&mut tx, child_ids[&("Петров", "Артём")], multi, "мать").await?;
    let municipal = account(&mut tx, &MUNICIPAL).await?;
    grant(
        &mut tx,
        municipal,
        Role::Municipal,
        None,
        Some(municipality),
    )
    .await?;
    let admin2 = account(&mut tx, &ADMIN2).await?;
    staff(&mut tx, admin2, sad2, "Заведующий", &[Role::OrgAdmin], &[]).await?;
    let teacher2 = account(&mut tx, &TEACHER2).await?;
    staff(
        &mut tx,
        teacher2,
        sad2,
        "Воспитатель",
        &[Role::Teacher],
        &[group_ids["Радуга"]],
    )
    .await?;

    app::enrolment::backfill(&mut tx).await?;
    tx.commit().await?;
    tracing::info!("demo data loaded");
    Ok(())
}

async fn account(tx: &mut Transaction<'static, Any>, a: &DemoAccount) -> Result<i64, sqlx::Error> {
    let person_id: i64 = sqlx::query(
        "INSERT INTO people (surname, given_name, patronymic, email, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(a.name.0)
    .bind(a.name.1)
    .bind(a.name.2)
    .bind(a.email)
    .bind(now_millis())
    .fetch_one(&mut **tx)
    .await?
    .try_get("id")?;
    let hash = password::hash(a.password.to_owned())
        .await
        .map_err(|e| sqlx::Error::Protocol(format!("hashing demo password: {e}")))?;
    sqlx::query(
        "INSERT INTO accounts (person_id, login, password_hash, must_change_password, created_at) \
         VALUES ($1, $2, $3, 0, $4)",
    )
    .bind(person_id)
    .bind(a.login)
    .bind(hash)
    .bind(now_millis())
    .execute(&mut **tx)
    .await?;
    Ok(person_id)
}

async fn grant(
    tx: &mut Transaction<'static, Any>,
    person_id: i64,
    role: Role,
    organisation_id: Option<i64>,
    municipality_id: Option<i64>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO role_grants (person_id, role, organisation_id, municipality_id) VALUES ($1, $2, $3, $4)",
    )
    .bind(person_id)
    .bind(role.as_str())
    .bind(organisation_id)
    .bind(municipality_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn staff(
    tx: &mut Transaction<'static, Any>,
    person_id: i64,
    organisation_id: i64,
    position: &str,
    roles: &[Role],
    groups: &[i64],
) -> Result<(), sqlx::Error> {
    let staff_id: i64 = sqlx::query(
        "INSERT INTO staff (person_id, organisation_id, position, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(person_id)
    .bind(organisation_id)
    .bind(position)
    .bind(now_millis())
    .fetch_one(&mut **tx)
    .await?
    .try_get("id")?;
    for role in roles {
        grant(tx, person_id, *role, Some(organisation_id), None).await?;
    }
    for group_id in groups {
        sqlx::query("INSERT INTO teacher_groups (staff_id, group_id) VALUES ($1, $2)")
            .bind(staff_id)
            .bind(group_id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

async fn guardian(
    tx: &mut Transaction<'static, Any>,
    child_id: i64,
    person_id: i64,
    relation: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO child_guardians (child_id, person_id, relation) VALUES ($1, $2, $3)")
        .bind(child_id)
        .bind(person_id)
        .bind(relation)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
