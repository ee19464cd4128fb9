//! The setting shared by the write benchmarks: the demo on a fresh SQLite file, its
//! group «Солнышко» grown to a given size, and its teacher as the acting person.

use app::db::Db;
use app::domain::{Actor, Role};
use sqlx::Row;

// Each benchmark is its own crate and reads only the fields it needs.
#[allow(dead_code)]
pub struct DemoGroup {
    /// Removed by the benchmark when it is done.
    pub dir: std::path::PathBuf,
    pub db: Db,
    pub actor: Actor,
    pub group_id: i64,
    pub children: Vec<i64>,
}

/// `name` keeps the files of concurrent benchmarks apart.
pub fn demo_group(rt: &tokio::runtime::Runtime, name: &str, size: usize) -> DemoGroup {
    let dir = std::env::temp_dir().join(format!("tabel_bench_{name}_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.join("tabel.db").display());
    let group = rt.block_on(async {
        let db = Db::connect(&url, 4).await.unwrap();
        db.migrate().await.unwrap();
        server::demo::load(&db).await.unwrap();
        let group_id: i64 = sqlx::query("SELECT id FROM groups WHERE name = 'Солнышко'")
            .fetch_one(db.pool())
            .await
            .unwrap()
            .get("id");
        let count = |db: &Db| {
            let pool = db.pool().clone();
            async move {
                sqlx::query("SELECT id FROM children WHERE group_id = $1")
                    .bind(group_id)
                    .fetch_all(&pool)
                    .await
                    .unwrap()
                    .iter()
                    .map(|r| r.get::<i64, _>("id"))
                    .collect::<Vec<_>>()
            }
        };
        for i in count(&db).await.len()..size {
            sqlx::query(
                "INSERT INTO children (group_id, surname, given_name, birth_date, enrolled_on, created_at) \
                 VALUES ($1, $2, 'Тест', '2021-01-01', '2026-09-01', 0)",
            )
            .bind(group_id)
            .bind(format!("Бенчмарков{i}"))
            .execute(db.pool())
            .await
            .unwrap();
        }
        app::enrolment::backfill(&mut db.pool().acquire().await.unwrap())
            .await
            .unwrap();
        let children = count(&db).await;
        let teacher: i64 = sqlx::query("SELECT person_id FROM accounts WHERE login = 'teacher'")
            .fetch_one(db.pool())
            .await
            .unwrap()
            .get("person_id");
        let organisation_id: i64 = sqlx::query("SELECT organisation_id FROM groups WHERE id = $1")
            .bind(group_id)
            .fetch_one(db.pool())
            .await
            .unwrap()
            .get("organisation_id");
        let actor = Actor {
            person_id: teacher,
            role: Role::Teacher,
            municipality_id: None,
            organisation_id: Some(organisation_id),
            bound_groups: [group_id].into(),
            own_children: Default::default(),
        };
        DemoGroup {
            dir: dir.clone(),
            db,
            actor,
            group_id,
            children,
        }
    });
    assert_eq!(group.children.len(), size);
    group
}
