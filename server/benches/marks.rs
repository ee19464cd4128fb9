//! How long saving a whole group's marks for a day takes (one batch, one transaction,
//! audited), on SQLite in a temporary file — the path a tablet's «Остальные
//! присутствуют» and a sync batch take — and how long reading that group's month
//! табель takes once November is marked (the path of the табель page and exports).

use app::attendance::{repo, MarkInput};
use app::domain::timesheet::Mark;
use criterion::{criterion_group, criterion_main, Criterion};

mod support;

/// Where the benchmark's marks say they came from.
const BENCH: app::marks::Origin<'static> = app::marks::Origin {
    device: "bench",
    path: "bench",
};

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
                    BENCH,
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

fn group_month_timesheet(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let support::DemoGroup {
        dir,
        db,
        actor,
        group_id,
        children,
    } = support::demo_group(&rt, "timesheet", 25);
    rt.block_on(async {
        for day in 2..=30 {
            let day = format!("2026-11-{day:02}");
            // One absence a child a week, so the totals have both kinds of day.
            let batch: Vec<MarkInput> = children
                .iter()
                .enumerate()
                .map(|(i, &child_id)| MarkInput {
                    child_id,
                    mark: if (i + day[8..].parse::<usize>().unwrap()) % 5 == 0 {
                        Mark::Absent {
                            reason: Some("Б".into()),
                        }
                    } else {
                        Mark::Present
                    },
                })
                .collect();
            // Days off are refused by the store; the табель reads the working days.
            let _ = repo::save_marks(
                &db,
                &actor,
                group_id,
                &day,
                &batch,
                BENCH,
                &Default::default(),
            )
            .await;
        }
    });
    c.bench_function("timesheet: a group of 25, November marked", |b| {
        b.to_async(&rt).iter(|| async {
            let view = repo::timesheet_view(&db, &actor, group_id, "2026-11")
                .await
                .unwrap();
            std::hint::black_box(view);
        })
    });
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, save_group_batch, group_month_timesheet);
criterion_main!(benches);
