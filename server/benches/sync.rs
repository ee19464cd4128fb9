//! How long a tablet's queue of 1,000 offline marks takes to sync: a group of 40
//! children × 25 working days, sent as the client sends it (batches of MAX_BATCH), each
//! op judged and written in its own transaction with its audit row (`sync::repo::
//! sync_marks`, SQLite file in WAL mode).

use app::domain::sync::{DeviceId, MarkOp, OpId, OpResult, WireOp, MAX_BATCH};
use app::domain::timesheet::Mark;
use app::sync::repo;
use chrono::{Datelike, NaiveDate, Weekday};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, SamplingMode};

mod support;

const CHILDREN: usize = 40;
const DAYS: usize = 25;

fn sync_queue(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let support::DemoGroup {
        dir,
        db,
        actor,
        children,
        ..
    } = support::demo_group(&rt, "sync", CHILDREN);

    // October 2026 and the first working days of November (4 November is a holiday).
    let holiday = NaiveDate::from_ymd_opt(2026, 11, 4).unwrap();
    let days: Vec<NaiveDate> = NaiveDate::from_ymd_opt(2026, 10, 1)
        .unwrap()
        .iter_days()
        .filter(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && *d != holiday)
        .take(DAYS)
        .collect();
    let device = DeviceId::parse("tab-bench").unwrap();
    // Each round's ops are recorded later than the last round's, so all of them win and
    // are really written; the marks alternate so that each write changes the mark.
    let base = chrono::Utc::now().timestamp_millis() - 86_400_000;
    let mut round: u64 = 0;
    let mut queue = || {
        round += 1;
        let mark = if round.is_multiple_of(2) {
            Mark::Present
        } else {
            Mark::Absent {
                reason: Some("Б".into()),
            }
        };
        days.iter()
            .flat_map(|day| children.iter().map(move |child| (*day, *child)))
            .enumerate()
            .map(|(i, (day, child_id))| {
                let recorded_at = base + (round * 10_000 + i as u64) as i64;
                let mut random = [0u8; 10];
                random[2..].copy_from_slice(&(round << 16 | i as u64).to_be_bytes());
                WireOp::Read(MarkOp {
                    op_id: OpId::new_v7(recorded_at as u64, random),
                    child_id,
                    day,
                    mark: mark.clone(),
                    device: device.clone(),
                    recorded_at,
                })
            })
            .collect::<Vec<_>>()
    };

    let mut group = c.benchmark_group("sync");
    // One iteration is a thousand transactions: few, equal samples are plenty.
    group.sample_size(10).sampling_mode(SamplingMode::Flat);
    group.bench_function(
        "sync_marks: 1,000 queued ops (40 children × 25 days) in batches of 200",
        |b| {
            b.to_async(&rt).iter_batched(
                &mut queue,
                |ops| {
                    let (db, actor, device) = (&db, &actor, &device);
                    async move {
                        for batch in ops.chunks(MAX_BATCH) {
                            let response = repo::sync_marks(
                                db,
                                actor,
                                device,
                                None,
                                batch,
                                &Default::default(),
                            )
                            .await
                            .unwrap();
                            assert!(response
                                .outcomes
                                .iter()
                                .all(|o| o.result == OpResult::Applied));
                        }
                    }
                },
                BatchSize::PerIteration,
            )
        },
    );
    group.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, sync_queue);
criterion_main!(benches);
