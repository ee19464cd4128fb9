//! `tabel generate-region [--small] [--seed N] [--from YYYY-MM-DD] [--until YYYY-MM-DD]`:
//! fills an empty database (`DATABASE_URL`, or the default SQLite file) with a demo
//! region. Every generated account has the password of `TABEL_REGION_PASSWORD`
//! (default `region-2026`).

use chrono::NaiveDate;

use crate::configuration::database_url;
use crate::region::{generate, progress_bar, RegionParams};

pub const DEFAULT_PASSWORD: &str = "region-2026";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionArgs {
    pub small: bool,
    pub seed: u64,
    pub from: NaiveDate,
    pub until: NaiveDate,
}

const USAGE: &str =
    "usage: tabel generate-region [--small] [--seed N] [--from YYYY-MM-DD] [--until YYYY-MM-DD]";

fn date(raw: Option<&String>, flag: &str) -> Result<NaiveDate, String> {
    let raw = raw.ok_or_else(|| format!("{flag} needs a date\n{USAGE}"))?;
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .map_err(|_| format!("{flag} {raw:?}: expected YYYY-MM-DD"))
}

/// The school year's first day up to yesterday, unless told otherwise.
pub fn parse_args(args: &[String], today: NaiveDate) -> Result<RegionArgs, String> {
    let school_year = if today.format("%m").to_string().as_str() >= "09" {
        today.format("%Y").to_string()
    } else {
        (today
            .format("%Y")
            .to_string()
            .parse::<i32>()
            .unwrap_or(2026)
            - 1)
        .to_string()
    };
    let mut parsed = RegionArgs {
        small: false,
        seed: 2026,
        from: NaiveDate::parse_from_str(&format!("{school_year}-09-01"), "%Y-%m-%d")
            .map_err(|e| e.to_string())?,
        until: today.pred_opt().unwrap_or(today),
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--small" => parsed.small = true,
            "--seed" => {
                parsed.seed = it
                    .next()
                    .and_then(|s| s.parse().ok())
                    .ok_or_else(|| format!("--seed needs a number\n{USAGE}"))?
            }
            "--from" => parsed.from = date(it.next(), "--from")?,
            "--until" => parsed.until = date(it.next(), "--until")?,
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }
    if parsed.until < parsed.from {
        return Err(format!(
            "--until {} is before --from {}",
            parsed.until, parsed.from
        ));
    }
    Ok(parsed)
}

pub async fn run(args: &[String]) -> Result<(), Box<dyn std::error::Error>> {
    let args = parse_args(args, app::clock::today())?;
    let url = database_url()?;
    let db = app::db::Db::connect(&url, 2).await?;
    db.migrate().await?;
    let password =
        std::env::var("TABEL_REGION_PASSWORD").unwrap_or_else(|_| DEFAULT_PASSWORD.into());
    let hash = app::auth::password::hash(password)
        .await
        .map_err(|e| e.en)?;
    let params = if args.small {
        RegionParams::small(args.seed, args.from, args.until, hash)
    } else {
        RegionParams::full(args.seed, args.from, args.until, hash)
    };
    eprintln!(
        "Генерация региона / generating a region: seed {}, marks {}…{}",
        args.seed, args.from, args.until
    );
    let started = std::time::Instant::now();
    let summary = generate(db.pool(), db.backend(), &params, &progress_bar()).await?;
    eprintln!(
        "Готово за {:.1} с / done in {:.1} s: {summary:?}",
        started.elapsed().as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn defaults_cover_the_school_year_up_to_yesterday() {
        let a = parse_args(&[], day("2026-11-26")).unwrap();
        assert_eq!(
            (a.from, a.until, a.small, a.seed),
            (day("2026-09-01"), day("2026-11-25"), false, 2026)
        );
        let spring = parse_args(&[], day("2027-03-10")).unwrap();
        assert_eq!(spring.from, day("2026-09-01"));
    }

    #[test]
    fn options_are_read_and_checked() {
        let a = parse_args(
            &args(&["--small", "--seed", "7", "--until", "2026-10-30"]),
            day("2026-11-26"),
        )
        .unwrap();
        assert_eq!((a.small, a.seed, a.until), (true, 7, day("2026-10-30")));
        assert!(parse_args(&args(&["--seed"]), day("2026-11-26")).is_err());
        assert!(parse_args(&args(&["--until", "30.10.2026"]), day("2026-11-26")).is_err());
        assert!(parse_args(&args(&["--until", "2026-08-01"]), day("2026-11-26")).is_err());
        assert!(parse_args(&args(&["--big"]), day("2026-11-26")).is_err());
    }
}
