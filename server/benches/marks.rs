//! How long saving a whole group's marks for a day takes (one batch, one transaction,
//! audited), on SQLite in a temporary file — the path a tablet's «Остальные
//! присутствуют» and a sync batch take.

use app::attendance::{repo, MarkInput};
use app::domain::timesheet::Mark;
use criterion::{criterion_group, criterion_main, Criterion};

mod support;

fn save_group_batch(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    // A group of 25 children, a typical size.
    let support::DemoGroup {
        dir,
        db,
        actor,
        group_id,
        children,
    } = support::demo_group(&rt, "marks", 25);

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
                    app::marks::Origin {
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
