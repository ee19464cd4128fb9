//! A small demo kindergarten, so a newcomer sees real data on the first start.

use app::db::{now_millis, Db};
use sqlx::Row;

pub const DEMO_INN: &str = "5902290635";

/// Surname, given name, patronymic, birth date.
type DemoChild = (&'static str, &'static str, &'static str, &'static str);

const DEMO_GROUPS: &[(&str, &[DemoChild])] = &[
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
];

/// Creates the demo organisation with its groups and children unless it already exists.
pub async fn load(db: &Db) -> Result<(), sqlx::Error> {
    let mut tx = db.pool().begin().await?;
    let exists = sqlx::query("SELECT id FROM organisations WHERE inn = $1")
        .bind(DEMO_INN)
        .fetch_optional(&mut *tx)
        .await?;
    if exists.is_some() {
        return Ok(());
    }
    let now = now_millis();
    let org_id: i64 = sqlx::query(
        "INSERT INTO organisations (name, short_name, inn, kpp, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind("Муниципальное автономное дошкольное образовательное учреждение «Детский сад № 1»")
    .bind("МАДОУ «Детский сад № 1»")
    .bind(DEMO_INN)
    .bind("590201001")
    .bind(now)
    .fetch_one(&mut *tx)
    .await?
    .try_get("id")?;

    for (group, children) in DEMO_GROUPS {
        let name = app::domain::GroupName::parse(group).expect("demo group names are valid");
        let group_id: i64 = sqlx::query(
            "INSERT INTO groups (organisation_id, name, name_key, created_at) \
             VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(org_id)
        .bind(name.as_str())
        .bind(name.key())
        .bind(now)
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        for (surname, given, patronymic, birth) in *children {
            sqlx::query(
                "INSERT INTO children (group_id, surname, given_name, patronymic, birth_date, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(group_id)
            .bind(*surname)
            .bind(*given)
            .bind(*patronymic)
            .bind(*birth)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
    }
    tx.commit().await?;
    tracing::info!("demo organisation loaded");
    Ok(())
}
