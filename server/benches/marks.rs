//! How long saving a whole group's marks for a day takes (one batch, one transaction,
//! audited), on SQLite in a temporary file — the path a tablet's «Остальные
//! присутствуют» and a sync batch take.

use app::attendance::{repo, MarkInput};
use app::db::Db;
use app::domain::timesheet::Mark;
use app::domain::{Actor, Role};
use criterion::{criterion_group, criterion_main, Criterion};
use sqlx::Row;

fn save_group_batch(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = std::env::temp_dir().join(format!("tabel_bench_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.join("tabel.db").display());
    let (db, actor, group_id, children) = rt.block_on(async {
        let db = Db::connect(&url, 4).await.unwrap();
        db.migrate().await.unwrap();
        server::demo::load(&db).await.unwrap();
        let group_id: i64 = sqlx::query("SELECT id FROM groups WHERE name = 'Солнышко'")
            .fetch_one(db.pool())
            .await
            .unwrap()
            .get("id");
        // Grow the group to 25 children, a typical size.
        for i in 0..21 {
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
        let children: Vec<i64> = sqlx::query("SELECT id FROM children WHERE group_id = $1")
            .bind(group_id)
            .fetch_all(db.pool())
            .await
            .unwrap()
            .iter()
            .map(|r| r.get("id"))
            .collect();
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
        (db, actor, group_id, children)
    });
    assert_eq!(children.len(), 25);

    let mut flip = false;
    c.bench_function("save_marks: a group of 25, one day, one transaction", |b| {
        b.to_async(&rt).iter(|| {
            // Alternate the marks so every iteration really writes and audits 25 rows.
            flip = !flip;
            let mark = if flip {
                Mark::Present
            } else {
                Mark::Absent {
                    reason: Some("Б".into()),
                }
            };
            let batch: Vec<MarkInput> = children
                .iter()
                .map(|&child_id| MarkInput {
                    child_id,
                    mark: mark.clone(),
                })
                .collect();
            let (db, actor) = (&db, &actor);
            async move {
                let changed = repo::save_marks(
                    db,
                    actor,
                    group_id,
                    "2026-11-02",
                    &batch,
                    repo::Origin {
                        device: "bench",
                        path: "bench",
                    },
                    &Default::default(),
                )
                .await
                .unwrap();
                assert_eq!(changed, 25);
            }
        })
    });
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, save_group_batch);
criterion_main!(benches);
