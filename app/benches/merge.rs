//! How long the pure merge rule takes for a tablet's queue of 1,000 ops (40 children ×
//! 25 days, two tablets disagreeing on a fifth of them): applied to an empty replica, and
//! replayed in full (every op a duplicate). The server runs the same steps in SQL, so
//! this is the floor under `server/benches/sync.rs`.

use std::hint::black_box;

use app::domain::sync::{DeviceId, MarkOp, OpId, Replica};
use app::domain::timesheet::Mark;
use chrono::NaiveDate;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};

fn queue() -> Vec<MarkOp> {
    let first = NaiveDate::from_ymd_opt(2026, 10, 1).unwrap();
    let (tab_a, tab_b) = (
        DeviceId::parse("tab-a").unwrap(),
        DeviceId::parse("tab-b").unwrap(),
    );
    (0..1_000u64)
        .map(|i| {
            let (child_id, day) = ((i % 40) as i64, first + chrono::Days::new(i / 40));
            // Every fifth op lands on the child-day of the op before it, from the other
            // tablet and a little earlier, so it is superseded.
            let (child_id, day, device, recorded_at) = if i % 5 == 4 {
                let prev = i - 1;
                (
                    (prev % 40) as i64,
                    first + chrono::Days::new(prev / 40),
                    tab_b.clone(),
                    1_790_000_000_000 + prev as i64 - 500,
                )
            } else {
                (child_id, day, tab_a.clone(), 1_790_000_000_000 + i as i64)
            };
            let mut random = [0u8; 10];
            random[2..].copy_from_slice(&i.to_be_bytes());
            MarkOp {
                op_id: OpId::new_v7(recorded_at as u64, random),
                child_id,
                day,
                mark: if i.is_multiple_of(3) {
                    Mark::Absent {
                        reason: Some("Б".into()),
                    }
                } else {
                    Mark::Present
                },
                device,
                recorded_at,
            }
        })
        .collect()
}

fn merge(c: &mut Criterion) {
    let ops = queue();
    c.bench_function("Replica::apply: 1,000 ops into an empty replica", |b| {
        b.iter_batched(
            Replica::default,
            |mut replica| {
                for op in &ops {
                    black_box(replica.apply(black_box(op)));
                }
                replica
            },
            BatchSize::SmallInput,
        )
    });
    let mut applied = Replica::default();
    for op in &ops {
        applied.apply(op);
    }
    c.bench_function("Replica::apply: the same 1,000 ops replayed", |b| {
        b.iter_batched(
            || applied.clone(),
            |mut replica| {
                for op in &ops {
                    black_box(replica.apply(black_box(op)));
                }
                replica
            },
            BatchSize::SmallInput,
        )
    });
}

criterion_group!(benches, merge);
criterion_main!(benches);
