//! The `tabel` command: serving, and the operators' commands beside it.

use std::path::PathBuf;

use app::db::Db;

use crate::configuration::{database_url, Settings};
use crate::startup::Application;

const USAGE: &str = "\
usage: tabel [serve] [--demo]          serve (the default)
       tabel migrate                   apply the database migrations and exit
       tabel check-config              check the settings, the site files and the database
       tabel backup --to FILE          copy the live SQLite database, consistently
       tabel restore --from FILE       put a backup in place (the service stopped)
       tabel retention --years N [--dry-run]
                                       anonymise people who left more than N years ago
       tabel generate-region [--small] [--seed N] [--from DATE] [--until DATE]
Settings come from the environment (README «Configuration», /etc/tabel/tabel.env).";

type Outcome = Result<(), Box<dyn std::error::Error>>;

pub async fn run(args: Vec<String>) -> Outcome {
    let (command, rest) = match args.split_first() {
        Some((first, rest)) if !first.starts_with('-') => (first.as_str(), rest.to_vec()),
        _ => ("serve", args),
    };
    match command {
        "serve" => serve(rest).await,
        "migrate" => migrate().await,
        "check-config" => check_config().await,
        "backup" => backup(&rest).await,
        "restore" => restore(&rest).await,
        "retention" => retention(&rest).await,
        "generate-region" => crate::region_cli::run(&rest).await,
        "help" => {
            println!("{USAGE}");
            Ok(())
        }
        other => Err(format!("unknown command {other:?}\n{USAGE}").into()),
    }
}

async fn serve(args: Vec<String>) -> Outcome {
    let settings = Settings::from_env_and_args(args)?;
    let app = Application::build(settings).await?;
    tracing::info!("Tabel listens on http://{}", app.address());
    app.run_until_stopped().await?;
    Ok(())
}

async fn migrate() -> Outcome {
    let url = database_url()?;
    let db = Db::connect(&url, 1).await?;
    let pending = db.pending_migrations().await.unwrap_or(usize::MAX);
    db.migrate().await?;
    match pending {
        0 => println!("the database is up to date"),
        usize::MAX => println!("the database schema was created"),
        n => println!("{n} migration(s) applied"),
    }
    Ok(())
}

/// Every check runs and is reported; the command fails if any did.
async fn check_config() -> Outcome {
    let settings = match Settings::from_env_and_args(Vec::new()) {
        Ok(settings) => settings,
        Err(err) => return Err(format!("settings: {err}").into()),
    };
    let mut failed = Vec::new();
    println!(
        "database:        {}",
        without_password(&settings.database_url)
    );
    println!("listens on:      {}", settings.leptos.site_addr);
    println!("public URL:      {}", settings.public_url);
    println!(
        "cookies:         {}",
        if settings.sessions.secure {
            "Secure (https)"
        } else {
            "not Secure (http public URL)"
        }
    );
    println!("trusted proxies: {:?}", settings.trusted_proxies);
    println!("sign-in by SSO:  {}", on_off(settings.oidc.is_some()));
    println!("mail:            {}", on_off(settings.mail.is_some()));
    println!(
        "metrics:         {}",
        settings
            .metrics_addr
            .map_or("off".into(), |a| format!("http://{a}/metrics"))
    );
    println!(
        "retention:       {}",
        settings.retention_years.map_or("off".into(), |y| format!(
            "daily, people who left more than {y} years ago"
        ))
    );

    let site = PathBuf::from(settings.leptos.site_root.as_ref());
    let pkg = site.join(settings.leptos.site_pkg_dir.as_ref());
    let output = settings.leptos.output_name.as_ref();
    for file in [
        format!("{output}.js"),
        format!("{output}.wasm"),
        format!("{output}.css"),
    ] {
        if !pkg.join(&file).is_file() {
            failed.push(format!(
                "site: {} is missing (LEPTOS_SITE_ROOT)",
                pkg.join(file).display()
            ));
        }
    }
    match Db::connect(&settings.database_url, 1).await {
        Ok(db) => match db.pending_migrations().await {
            Ok(0) => println!("database:        answers, migrations applied"),
            Ok(n) => {
                println!("database:        answers, {n} migration(s) to apply (tabel migrate)")
            }
            Err(_) => {
                println!("database:        answers, empty (tabel migrate creates the schema)")
            }
        },
        Err(err) => failed.push(format!("database: {err}")),
    }
    if failed.is_empty() {
        println!("configuration OK");
        Ok(())
    } else {
        Err(failed.join("\n").into())
    }
}

fn on_off(on: bool) -> &'static str {
    if on {
        "on"
    } else {
        "off"
    }
}

/// The URL with its password replaced, for printing.
fn without_password(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// The value of `--flag VALUE` among `args`, which must be the only argument.
fn file_arg(args: &[String], flag: &str) -> Result<PathBuf, String> {
    match args {
        [f, value] if f == flag => Ok(PathBuf::from(value)),
        _ => Err(format!("expected {flag} FILE\n{USAGE}")),
    }
}

async fn backup(args: &[String]) -> Outcome {
    let to = file_arg(args, "--to")?;
    let copy = crate::backup::backup(&database_url()?, &to).await?;
    println!(
        "backup written: {} ({} bytes, {} marks, integrity ok)",
        copy.path.display(),
        copy.bytes,
        copy.marks
    );
    Ok(())
}

async fn restore(args: &[String]) -> Outcome {
    let from = file_arg(args, "--from")?;
    let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S").to_string();
    let restored = crate::backup::restore(&database_url()?, &from, &stamp).await?;
    println!(
        "restored {} to {} ({} marks)",
        from.display(),
        restored.live.display(),
        restored.marks
    );
    if let Some(kept) = restored.kept {
        println!("the database it replaced is kept as {}", kept.display());
    }
    println!("start the service: it applies any newer migrations first");
    Ok(())
}

async fn retention(args: &[String]) -> Outcome {
    let mut years = None;
    let mut dry_run = false;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--years" => {
                let raw = it
                    .next()
                    .ok_or(format!("--years needs a number\n{USAGE}"))?;
                years = Some(crate::configuration::parse_retention_years(raw)?);
            }
            "--dry-run" => dry_run = true,
            other => return Err(format!("unknown argument {other:?}\n{USAGE}").into()),
        }
    }
    let years = match years {
        Some(years) => years,
        None => crate::configuration::retention_years()?.ok_or(format!(
            "--years N is required (or TABEL_RETENTION_YEARS)\n{USAGE}"
        ))?,
    };
    let db = Db::connect(&database_url()?, 1).await?;
    let today = app::clock::today();
    let done = if dry_run {
        app::retention::due(&db, today, years).await?
    } else {
        app::retention::anonymise(&db, today, years, app::clock::now_millis()).await?
    };
    println!(
        "{} {} children and {} parents who left before {}",
        if dry_run {
            "would anonymise"
        } else {
            "anonymised"
        },
        done.children.len(),
        done.parents.len(),
        done.cutoff
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_printed_url_hides_the_password() {
        assert_eq!(
            without_password("postgres://tabel:s3cret@db.local:5432/tabel"),
            "postgres://tabel:***@db.local:5432/tabel"
        );
        assert_eq!(
            without_password("sqlite://data/tabel.db?mode=rwc"),
            "sqlite://data/tabel.db?mode=rwc"
        );
        assert_eq!(
            without_password("postgres://tabel@127.0.0.1/tabel"),
            "postgres://tabel@127.0.0.1/tabel"
        );
    }

    #[test]
    fn file_arguments_are_checked() {
        let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            file_arg(&args(&["--to", "x.db"]), "--to"),
            Ok(PathBuf::from("x.db"))
        );
        assert!(file_arg(&args(&["x.db"]), "--to").is_err());
        assert!(file_arg(&args(&["--to"]), "--to").is_err());
    }
}
