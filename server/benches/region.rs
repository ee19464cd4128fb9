//! The region-wide month aggregate (every organisation's marks of a month, ~2.6M rows on
//! a full region) and one municipality's month, as the municipal screen asks for it.
//! On `TABEL_BENCH_REGION_URL` (a database filled by `tabel generate-region`), or on a
//! full region generated into a temporary SQLite file first (~20 s).

use app::db::Db;
use app::domain::calendar::Month;
use app::municipal::repo::{month_aggregate, Scope};
use chrono::NaiveDate;
use criterion::{criterion_group, criterion_main, Criterion};

fn region_db(rt: &tokio::runtime::Runtime) -> Db {
    rt.block_on(async {
        let url = match std::env::var("TABEL_BENCH_REGION_URL") {
            Ok(url) => url,
            Err(_) => {
                let dir = std::env::temp_dir().join(format!("tabel_region_{}", std::process::id()));
                std::fs::create_dir_all(&dir).unwrap();
                let url = format!("sqlite://{}?mode=rwc", dir.join("region.db").display());
                let db = Db::connect(&url, 2).await.unwrap();
                db.migrate().await.unwrap();
                let params = server::region::RegionParams::full(
                    2026,
                    NaiveDate::from_ymd_opt(2026, 9, 1).unwrap(),
                    NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(),
                    "$argon2id$v=19$m=19456,t=2,p=1$bm90LXVzZWQ$bm90LXVzZWQ".into(),
                );
                server::region::generate(db.pool(), db.backend(), &params, &|_, _, _| {})
                    .await
                    .unwrap();
                url
            }
        };
        Db::connect(&url, 4).await.unwrap()
    })
}

fn aggregates(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let db = region_db(&rt);
    let month = Month::new(2026, 11).unwrap();
    let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
    let (_, whole) = rt
        .block_on(month_aggregate(&db, Scope::Region, month, today))
        .unwrap();
    eprintln!(
        "region month: {} organisations, {} marks",
        whole.organisations.len(),
        whole.total.marked()
    );
    let mut group = c.benchmark_group("municipal month");
    group.sample_size(10);
    group.bench_function("whole region, November", |b| {
        b.to_async(&rt).iter(|| async {
            month_aggregate(&db, Scope::Region, month, today)
                .await
                .unwrap()
        })
    });
    group.bench_function("one municipality, November", |b| {
        b.to_async(&rt).iter(|| async {
            month_aggregate(&db, Scope::Municipality(1), month, today)
                .await
                .unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, aggregates);
criterion_main!(benches);
