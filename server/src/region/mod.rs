//! A deterministic demo region for `tabel generate-region`: municipalities, kindergartens,
//! groups, staff with accounts, children with parents, the production calendar and a
//! school term of attendance marks — at the scale of a real region (45 municipalities,
//! 300 organisations, 120,000 children, millions of marks).
//!
//! Everything is drawn from `ChaCha8Rng` seeded with [`RegionParams::seed`] and generated
//! in a fixed order, and nothing depends on the clock, so the same seed on an empty
//! database gives the same rows, ids included, on SQLite and on PostgreSQL.
//!
//! Speed comes from multi-row `INSERT … VALUES (…), (…)` statements with bound parameters
//! inside one transaction, and from the ids being assigned here rather than read back:
//! each explicit-id table continues after its current `MAX(id)`, and on PostgreSQL the
//! identity sequences are moved past the new rows before commit. Marks are generated
//! child by child and written in batches, so memory stays small whatever the region size.
//!
//! The generator refuses a database that already has organisations or municipalities:
//! it is meant for a freshly migrated one, and mixing a demo region into real data would
//! be a mistake nobody wants to clean up.
//!
//! Accounts (every one with [`RegionParams::password_hash`], no password change forced):
//! * `municipal-<municipality id>` — the municipal specialist (role `municipal`);
//! * `admin-<organisation id>` — the head of a kindergarten (`org_admin`, «Заведующий»);
//! * `teacher-<staff id>` — a «Воспитатель» (`teacher`), bound to 1–2 groups;
//! * `staff-<staff id>` — other staff («Младший воспитатель», «Учитель-логопед» …):
//!   a staff card and an account, no role.
//!
//! Parents are `people` rows linked to their children, without accounts.
//!
//! Marks: every enrolled child on every working day of `[from, until]`, present or
//! absent with a reason from the reference book; only on the last three working days
//! are some absences still without a reason, and for each of those there is the
//! `reason_request` notice to the parents that the app itself would have opened (inbox
//! rows only, no mail in `outbox`). No `mark_audit` rows.
//!
//! Layout: this file has the public API, the order of the stages, the ids and the shared
//! helpers; each stage has a file of its own — `structure` (municipalities, organisations
//! and their calendars, groups), `people` (staff and accounts), `children` (children and
//! parents), `marks` (attendance and reason requests) — next to `calendar` (the production
//! calendar), `writer` (batched inserts and their rows) and `names` (names, phones, e-mails).

use std::cell::RefCell;

use chrono::{Days, NaiveDate};
use indicatif::{ProgressBar, ProgressStyle};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sqlx::{AnyConnection, AnyPool, Connection, Executor, Row};

use app::db::Backend;

mod calendar;
mod children;
mod marks;
mod names;
mod people;
mod structure;
mod transfers;
mod writer;

use calendar::{local_millis, Calendar};
use children::write_children;
use marks::{write_marks, write_reason_requests};
use people::write_people;
use structure::write_organisations;
use writer::Writer;

// ---------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------

/// What to generate. Counts are exact totals for the whole region.
#[derive(Debug, Clone)]
pub struct RegionParams {
    pub seed: u64,
    pub municipalities: usize,
    pub organisations: usize,
    pub groups: usize,
    /// Staff cards: one head per organisation, teachers, other staff.
    pub staff: usize,
    pub children: usize,
    /// The first day that is marked.
    pub from: NaiveDate,
    /// The last day that is marked, inclusive.
    pub until: NaiveDate,
    /// One precomputed argon2 PHC string used for every generated account.
    pub password_hash: String,
}

impl RegionParams {
    /// A region the size of a real one: 45 municipalities, 300 kindergartens,
    /// 6,000 groups, 8,700 staff, 120,000 children.
    pub fn full(seed: u64, from: NaiveDate, until: NaiveDate, password_hash: String) -> Self {
        Self {
            seed,
            municipalities: 45,
            organisations: 300,
            groups: 6_000,
            staff: 8_700,
            children: 120_000,
            from,
            until,
            password_hash,
        }
    }

    /// A few of everything, for tests and quick demos.
    pub fn small(seed: u64, from: NaiveDate, until: NaiveDate, password_hash: String) -> Self {
        Self {
            seed,
            municipalities: 3,
            organisations: 6,
            groups: 24,
            staff: 60,
            children: 500,
            from,
            until,
            password_hash,
        }
    }

    /// Every organisation needs a head and a teacher, every group a child.
    fn validate(&self) -> Result<(), sqlx::Error> {
        let problem = if self.municipalities == 0 {
            Some("at least one municipality is needed".to_owned())
        } else if self.organisations < self.municipalities {
            Some("every municipality needs an organisation".to_owned())
        } else if self.groups < self.organisations {
            Some("every organisation needs a group".to_owned())
        } else if self.staff < 2 * self.organisations {
            Some("every organisation needs a head and a teacher (staff ≥ 2 × organisations)".into())
        } else if self.children < self.groups {
            Some("every group needs a child".to_owned())
        } else if self.from > self.until {
            Some(format!(
                "the period {} – {} is empty",
                self.from, self.until
            ))
        } else {
            None
        };
        match problem {
            Some(p) => Err(config_error(format!("invalid region parameters: {p}"))),
            None => Ok(()),
        }
    }
}

/// What was written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RegionSummary {
    pub municipalities: u64,
    pub organisations: u64,
    pub groups: u64,
    pub staff: u64,
    pub children: u64,
    pub parents: u64,
    pub marks: u64,
    /// Questions to the parents about the absences without a reason (`notices`).
    pub reason_requests: u64,
    /// Children moved up from last year's group on the span's first day, by orders.
    pub moved_up: u64,
    /// Children moved to another group in the middle of the span, by orders.
    pub transfers: u64,
}

/// The steps of the generation, in order, for progress reporting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stage {
    /// Municipalities, organisations, their calendars and groups.
    Organisations,
    /// Municipal specialists and staff: people, accounts, staff cards, roles, groups.
    People,
    /// Children, their parents and the links between them.
    Children,
    /// Attendance marks.
    Marks,
    /// Identity sequences, commit, and tidying the database file.
    Finishing,
}

impl Stage {
    pub fn label_ru(self) -> &'static str {
        match self {
            Self::Organisations => "Организации и группы",
            Self::People => "Сотрудники",
            Self::Children => "Дети и родители",
            Self::Marks => "Отметки",
            Self::Finishing => "Завершение",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Self::Organisations => "Organisations and groups",
            Self::People => "Staff",
            Self::Children => "Children and parents",
            Self::Marks => "Marks",
            Self::Finishing => "Finishing",
        }
    }

    /// «Русский / English», as the CLI shows it.
    pub fn label(self) -> String {
        format!("{} / {}", self.label_ru(), self.label_en())
    }
}

/// Generates the region into an empty, migrated database, in one transaction.
///
/// `progress` is called with the stage, rows done and rows in the stage; it is called
/// after every batch, not every row. The returned future is not `Send` (the callback is
/// a plain `&dyn Fn`): run it on the CLI's main task, not through `tokio::spawn`.
pub async fn generate(
    pool: &AnyPool,
    backend: Backend,
    params: &RegionParams,
    progress: &dyn Fn(Stage, u64, u64),
) -> Result<RegionSummary, sqlx::Error> {
    params.validate()?;
    // No connection tuning: in WAL mode a single transaction is not synced until the
    // checkpoint, so `synchronous = OFF` or a bigger page cache measured no faster.
    let mut conn = pool.acquire().await?;
    let summary = generate_in_transaction(&mut conn, backend, params, progress).await?;
    let tidy = match backend {
        // Fold the write-ahead log (as big as the data: it was one transaction) back
        // into the database file and truncate it.
        // Statistics first, so the planner knows marks is the big table.
        Backend::Sqlite => "ANALYZE; PRAGMA wal_checkpoint(TRUNCATE)",
        // Fresh statistics, or the first queries plan as if the tables were empty.
        Backend::Postgres => "ANALYZE",
    };
    conn.execute(tidy).await?;
    progress(Stage::Finishing, 1, 1);
    Ok(summary)
}

/// A progress bar per stage on stderr, for the CLI: `generate(…, &progress_bar())`.
pub fn progress_bar() -> impl Fn(Stage, u64, u64) {
    let current: RefCell<Option<(Stage, ProgressBar)>> = RefCell::new(None);
    move |stage, done, total| {
        let mut current = current.borrow_mut();
        if current.as_ref().map(|(s, _)| *s) != Some(stage) {
            if let Some((_, bar)) = current.take() {
                bar.finish();
            }
            let bar = ProgressBar::new(total);
            let style = ProgressStyle::with_template(
                "{prefix:<42} [{elapsed_precise}] {wide_bar} {human_pos}/{human_len} \
                 ({per_sec}, {eta})",
            )
            .expect("the template is valid");
            bar.set_style(style);
            bar.set_prefix(stage.label());
            *current = Some((stage, bar));
        }
        if let Some((_, bar)) = current.as_ref() {
            bar.set_length(total);
            bar.set_position(done);
            if done >= total {
                bar.finish();
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// The generation, stage by stage
// ---------------------------------------------------------------------------------------

/// Independent random streams per stage, so that e.g. a longer name list does not
/// change every mark.
const STRUCTURE_STREAM: u64 = 1;
const CHILDREN_STREAM: u64 = 2;
const MARKS_STREAM: u64 = 3;

fn rng_for(seed: u64, stream: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    rng
}

async fn generate_in_transaction(
    conn: &mut AnyConnection,
    backend: Backend,
    params: &RegionParams,
    progress: &dyn Fn(Stage, u64, u64),
) -> Result<RegionSummary, sqlx::Error> {
    let mut tx = conn.begin().await?;
    refuse_non_empty(&mut tx).await?;
    let mut ids = NextIds::read(&mut tx).await?;
    let calendar = Calendar::new(params.from, params.until);
    // Structural rows are dated a week before the first marked day.
    let setup_at = local_millis(params.from - Days::new(7), 10, 0);

    let mut writer = Writer::new(&mut tx, backend);
    let mut structure_rng = rng_for(params.seed, STRUCTURE_STREAM);
    let mut region = write_organisations(
        &mut writer,
        &mut structure_rng,
        params,
        &calendar,
        &mut ids,
        setup_at,
        progress,
    )
    .await?;
    let staff = write_people(
        &mut writer,
        &mut structure_rng,
        params,
        &mut region,
        &mut ids,
        setup_at,
        progress,
    )
    .await?;
    let mut children_rng = rng_for(params.seed, CHILDREN_STREAM);
    let (children, parents) = write_children(
        &mut writer,
        &mut children_rng,
        &region,
        &calendar,
        &mut ids,
        setup_at,
        progress,
    )
    .await?;
    let mut marks_rng = rng_for(params.seed, MARKS_STREAM);
    let (marks, unexplained) = write_marks(
        &mut writer,
        &mut marks_rng,
        params.seed,
        &region,
        &children,
        &calendar,
        progress,
    )
    .await?;
    let reason_requests =
        write_reason_requests(&mut writer, &unexplained, &calendar, &mut ids).await?;
    drop(writer);
    app::enrolment::backfill(&mut tx).await?;
    let moved_up = transfers::write_move_up(&mut tx, params.from).await?;
    let transfers = transfers::write_transfers(&mut tx, params.from, params.until).await?;

    progress(Stage::Finishing, 0, 1);
    if backend == Backend::Postgres {
        advance_identity_sequences(&mut tx).await?;
    }
    tx.commit().await?;
    Ok(RegionSummary {
        municipalities: region.municipalities.len() as u64,
        organisations: region.organisations.len() as u64,
        groups: region.groups.len() as u64,
        staff,
        children: children.len() as u64,
        parents,
        marks,
        reason_requests,
        moved_up,
        transfers,
    })
}

async fn refuse_non_empty(conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
    for table in ["organisations", "municipalities"] {
        let count: i64 = sqlx::query(&format!("SELECT COUNT(*) AS n FROM {table}"))
            .fetch_one(&mut *conn)
            .await?
            .try_get("n")?;
        if count > 0 {
            return Err(config_error(format!(
                "в базе уже есть данные ({table}: {count}); регион генерируется только в пустую \
                 базу / the database already has {table} ({count}); generate the region into a \
                 freshly migrated, empty database"
            )));
        }
    }
    Ok(())
}

fn config_error(message: String) -> sqlx::Error {
    sqlx::Error::Configuration(message.into())
}

/// Tables whose ids are assigned here, so that rows can refer to each other without
/// reading ids back. The others (`role_grants`) get theirs from the database.
const EXPLICIT_ID_TABLES: [&str; 7] = [
    "municipalities",
    "organisations",
    "groups",
    "people",
    "staff",
    "children",
    "notices",
];

/// The next free id of each explicit-id table.
struct NextIds {
    municipality: i64,
    organisation: i64,
    group: i64,
    person: i64,
    staff: i64,
    child: i64,
    notice: i64,
}

impl NextIds {
    async fn read(conn: &mut AnyConnection) -> Result<Self, sqlx::Error> {
        let mut next = Vec::with_capacity(EXPLICIT_ID_TABLES.len());
        for table in EXPLICIT_ID_TABLES {
            let max: i64 = sqlx::query(&format!("SELECT COALESCE(MAX(id), 0) AS m FROM {table}"))
                .fetch_one(&mut *conn)
                .await?
                .try_get("m")?;
            next.push(max + 1);
        }
        Ok(Self {
            municipality: next[0],
            organisation: next[1],
            group: next[2],
            person: next[3],
            staff: next[4],
            child: next[5],
            notice: next[6],
        })
    }
}

fn take_id(next: &mut i64) -> i64 {
    let id = *next;
    *next += 1;
    id
}

/// Explicit ids bypass PostgreSQL's identity sequences; without this the server's
/// next insert would collide with a generated row. (SQLite's AUTOINCREMENT keeps track
/// of explicit ids by itself.)
async fn advance_identity_sequences(conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
    for table in EXPLICIT_ID_TABLES {
        conn.execute(
            format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), MAX(id)) FROM {table} \
                 HAVING MAX(id) IS NOT NULL"
            )
            .as_str(),
        )
        .await?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------------------

/// An item picked with probability proportional to its weight.
fn weighted_choice<T: Copy>(rng: &mut impl Rng, items: &[(T, u32)]) -> T {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    let mut draw = rng.gen_range(0..total);
    for &(item, weight) in items {
        if draw < weight {
            return item;
        }
        draw -= weight;
    }
    unreachable!("draw < total")
}

/// Splits `total` into parts of at least `min`, proportional to `weights`, by the
/// largest remainder (ties to the earlier part, so the result is deterministic).
fn split(total: usize, weights: &[f64], min: usize) -> Vec<usize> {
    let n = weights.len();
    assert!(
        total >= n * min,
        "{total} cannot be split into {n} parts of {min}"
    );
    let rest = (total - n * min) as f64;
    let sum: f64 = weights.iter().sum();
    let exact: Vec<f64> = weights.iter().map(|w| rest * w / sum).collect();
    let mut parts: Vec<usize> = exact.iter().map(|e| min + e.floor() as usize).collect();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| {
        let (ra, rb) = (exact[a] - exact[a].floor(), exact[b] - exact[b].floor());
        rb.total_cmp(&ra).then(a.cmp(&b))
    });
    let short = total - parts.iter().sum::<usize>();
    for &i in order.iter().cycle().take(short) {
        parts[i] += 1;
    }
    parts
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::hash::{DefaultHasher, Hash, Hasher};
    use std::sync::atomic::{AtomicUsize, Ordering};

    use sqlx::{Column, TypeInfo, ValueRef};

    use super::calendar::is_weekday;
    use super::marks::{
        ILLNESS, NO_VALID_REASON, OTHER_EXCUSED, QUARANTINE, SANATORIUM, UNEXPLAINED_TAIL_DAYS,
        VACATION,
    };
    use super::*;
    use app::db::Db;
    use app::domain::inn::Inn;
    use app::domain::GroupName;

    const HASH: &str =
        "$argon2id$v=19$m=19456,t=2,p=1$dGVzdHNhbHQ$dGVzdGhhc2h0ZXN0aGFzaHRlc3RoYXNo";

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn small(seed: u64) -> RegionParams {
        RegionParams::small(seed, d("2026-09-01"), d("2026-11-25"), HASH.into())
    }

    /// A migrated SQLite database in a temporary file, removed on drop.
    struct TempDb {
        db: Db,
        path: std::path::PathBuf,
    }

    impl Drop for TempDb {
        fn drop(&mut self) {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", self.path.display()));
            }
        }
    }

    async fn temp_db() -> TempDb {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "tabel-region-test-{}-{}.db",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        ));
        let db = Db::connect(&format!("sqlite://{}?mode=rwc", path.display()), 2)
            .await
            .unwrap();
        db.migrate().await.unwrap();
        TempDb { db, path }
    }

    async fn generated(seed: u64) -> (TempDb, RegionSummary) {
        let t = temp_db().await;
        let summary = generate(t.db.pool(), t.db.backend(), &small(seed), &|_, _, _| {})
            .await
            .unwrap();
        (t, summary)
    }

    async fn count(db: &Db, sql: &str) -> i64 {
        sqlx::query(sql)
            .fetch_one(db.pool())
            .await
            .unwrap()
            .get::<i64, _>(0)
    }

    async fn strings(db: &Db, sql: &str) -> Vec<String> {
        sqlx::query(sql)
            .fetch_all(db.pool())
            .await
            .unwrap()
            .iter()
            .map(|r| r.get::<String, _>(0))
            .collect()
    }

    /// Every value of every row of the generated tables, hashed in key order.
    async fn fingerprint(db: &Db) -> Vec<(&'static str, u64)> {
        let tables = [
            ("municipalities", "id"),
            ("organisations", "id"),
            ("calendar_days", "organisation_id, day"),
            ("groups", "id"),
            ("people", "id"),
            ("accounts", "person_id"),
            ("staff", "id"),
            ("role_grants", "id"),
            ("teacher_groups", "staff_id, group_id"),
            ("children", "id"),
            ("child_guardians", "child_id, person_id"),
            ("marks", "child_id, day"),
            ("notices", "id"),
            ("notice_recipients", "notice_id, person_id"),
        ];
        let mut out = Vec::new();
        for (table, order) in tables {
            let rows = sqlx::query(&format!("SELECT * FROM {table} ORDER BY {order}"))
                .fetch_all(db.pool())
                .await
                .unwrap();
            let mut hasher = DefaultHasher::new();
            for row in &rows {
                for column in row.columns() {
                    let i = column.ordinal();
                    let raw = row.try_get_raw(i).unwrap();
                    if raw.is_null() {
                        "NULL".hash(&mut hasher);
                    } else if raw.type_info().name() == "TEXT" {
                        row.get::<String, _>(i).hash(&mut hasher);
                    } else {
                        row.get::<i64, _>(i).hash(&mut hasher);
                    }
                }
            }
            out.push((table, hasher.finish()));
        }
        out
    }

    #[tokio::test]
    async fn small_region_has_the_requested_sizes() {
        let (t, summary) = generated(1).await;
        let p = small(1);
        assert_eq!(summary.municipalities, p.municipalities as u64);
        assert_eq!(summary.organisations, p.organisations as u64);
        assert_eq!(summary.groups, p.groups as u64);
        assert_eq!(summary.staff, p.staff as u64);
        assert_eq!(summary.children, p.children as u64);
        let db = &t.db;
        for (sql, expected) in [
            (
                "SELECT COUNT(*) FROM municipalities",
                summary.municipalities,
            ),
            ("SELECT COUNT(*) FROM organisations", summary.organisations),
            ("SELECT COUNT(*) FROM groups", summary.groups),
            ("SELECT COUNT(*) FROM staff", summary.staff),
            ("SELECT COUNT(*) FROM children", summary.children),
            ("SELECT COUNT(*) FROM marks", summary.marks),
            ("SELECT COUNT(*) FROM notices", summary.reason_requests),
            (
                "SELECT COUNT(DISTINCT person_id) FROM child_guardians",
                summary.parents,
            ),
            // Staff and municipal specialists have accounts, parents do not.
            (
                "SELECT COUNT(*) FROM accounts",
                summary.staff + summary.municipalities,
            ),
            (
                "SELECT COUNT(*) FROM people",
                summary.staff + summary.municipalities + summary.parents,
            ),
        ] {
            assert_eq!(count(db, sql).await as u64, expected, "{sql}");
        }
        // 1–2 parents per child.
        assert!(summary.parents > summary.children && summary.parents < 2 * summary.children);
        let guardians = "SELECT COUNT(*) FROM children c WHERE (SELECT COUNT(*) \
                         FROM child_guardians g WHERE g.child_id = c.id) NOT IN (1, 2)";
        assert_eq!(count(db, guardians).await, 0);
    }

    #[tokio::test]
    async fn the_same_seed_gives_the_same_data_and_another_seed_other_data() {
        let (a, _) = generated(7).await;
        let (b, _) = generated(7).await;
        let (c, _) = generated(8).await;
        let (fa, fb, fc) = (
            fingerprint(&a.db).await,
            fingerprint(&b.db).await,
            fingerprint(&c.db).await,
        );
        assert_eq!(fa, fb);
        for ((table, x), (_, z)) in fa.iter().zip(&fc) {
            // Municipalities come from a fixed list and the calendar is the country's.
            if !matches!(*table, "municipalities" | "calendar_days") {
                assert_ne!(x, z, "{table} does not depend on the seed");
            }
        }
        let by_reason = "SELECT status || ':' || COALESCE(reason, '-') || ':' || COUNT(*) \
                         FROM marks GROUP BY status, reason ORDER BY status, reason";
        assert_eq!(
            strings(&a.db, by_reason).await,
            strings(&b.db, by_reason).await
        );
    }

    #[tokio::test]
    async fn refuses_a_database_that_already_has_organisations() {
        let (t, summary) = generated(3).await;
        let err = generate(t.db.pool(), t.db.backend(), &small(3), &|_, _, _| {})
            .await
            .unwrap_err();
        assert!(matches!(err, sqlx::Error::Configuration(_)), "{err}");
        assert!(err.to_string().contains("empty database"), "{err}");
        let marks = count(&t.db, "SELECT COUNT(*) FROM marks").await;
        assert_eq!(marks as u64, summary.marks, "nothing was added");
    }

    #[tokio::test]
    async fn invalid_sizes_are_refused_before_touching_the_database() {
        let t = temp_db().await;
        let mut p = small(1);
        p.groups = p.organisations - 1;
        let err = generate(t.db.pool(), t.db.backend(), &p, &|_, _, _| {})
            .await
            .unwrap_err();
        assert!(
            err.to_string().contains("every organisation needs a group"),
            "{err}"
        );
    }

    /// The ИНН rule spelled out independently of the generator.
    fn inn_is_valid(inn: &str) -> bool {
        let digits: Vec<u32> = inn.chars().filter_map(|c| c.to_digit(10)).collect();
        let weights = [2, 4, 10, 3, 5, 9, 4, 6, 8];
        digits.len() == 10
            && inn.len() == 10
            && digits[..9]
                .iter()
                .zip(weights)
                .map(|(d, w)| d * w)
                .sum::<u32>()
                % 11
                % 10
                == digits[9]
    }

    #[test]
    fn the_checksum_rule_matches_real_inns() {
        for real in ["7707083893", "7736207543", "7702070139"] {
            assert!(inn_is_valid(real), "{real}");
            let digit = Inn::legal_entity_check_digit(&real[..9]).unwrap();
            assert_eq!(digit.to_string(), &real[9..]);
        }
        assert!(!inn_is_valid("7707083894"));
    }

    #[tokio::test]
    async fn every_inn_passes_the_checksum_and_kpp_matches_its_tax_office() {
        let (t, _) = generated(4).await;
        let rows = sqlx::query("SELECT inn, kpp FROM organisations")
            .fetch_all(t.db.pool())
            .await
            .unwrap();
        for row in &rows {
            let (inn, kpp): (String, String) = (row.get("inn"), row.get("kpp"));
            assert!(inn_is_valid(&inn), "{inn}");
            assert_eq!(kpp.len(), 9);
            assert!(kpp.chars().all(|c| c.is_ascii_digit()), "{kpp}");
            assert_eq!(kpp[..4], inn[..4]);
        }
    }

    #[tokio::test]
    async fn every_group_has_one_or_two_teachers_and_every_teacher_a_group() {
        let (t, _) = generated(5).await;
        let db = &t.db;
        let per_group = "SELECT COUNT(tg.staff_id) AS n FROM groups g \
                         LEFT JOIN teacher_groups tg ON tg.group_id = g.id GROUP BY g.id";
        let counts: Vec<i64> = sqlx::query(per_group)
            .fetch_all(db.pool())
            .await
            .unwrap()
            .iter()
            .map(|r| r.get("n"))
            .collect();
        assert!(counts.iter().all(|n| (1..=2).contains(n)), "{counts:?}");
        let idle_teachers = "SELECT COUNT(*) FROM staff s WHERE s.position = 'Воспитатель' \
                             AND NOT EXISTS (SELECT 1 FROM teacher_groups tg \
                             WHERE tg.staff_id = s.id)";
        assert_eq!(count(db, idle_teachers).await, 0);
        // A bound teacher has the teacher role in the group's organisation.
        let ungranted = "SELECT COUNT(*) FROM teacher_groups tg \
                         JOIN staff s ON s.id = tg.staff_id JOIN groups g ON g.id = tg.group_id \
                         WHERE g.organisation_id <> s.organisation_id OR NOT EXISTS (SELECT 1 \
                         FROM role_grants r WHERE r.person_id = s.person_id \
                         AND r.role = 'teacher' AND r.organisation_id = s.organisation_id)";
        assert_eq!(count(db, ungranted).await, 0);
        // Group names are unique by key within an organisation (the schema checks it too).
        let keys = strings(db, "SELECT name || '|' || name_key FROM groups").await;
        assert!(keys.iter().all(|k| {
            let (name, key) = k.split_once('|').unwrap();
            GroupName::parse(name).unwrap().key() == key
        }));
    }

    #[tokio::test]
    async fn logins_follow_the_documented_scheme() {
        let (t, summary) = generated(6).await;
        let db = &t.db;
        let logins = strings(db, "SELECT login FROM accounts").await;
        for login in &logins {
            assert!(
                login.len() >= 3
                    && login.starts_with(|c: char| c.is_ascii_lowercase())
                    && login
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{login}"
            );
        }
        let with_prefix = |prefix: &str| logins.iter().filter(|l| l.starts_with(prefix)).count();
        assert_eq!(with_prefix("municipal-") as u64, summary.municipalities);
        assert_eq!(with_prefix("admin-") as u64, summary.organisations);
        assert_eq!(
            (with_prefix("admin-") + with_prefix("teacher-") + with_prefix("staff-")) as u64,
            summary.staff
        );
        let checks = [
            "SELECT COUNT(*) FROM accounts WHERE must_change_password <> 0 OR archived <> 0",
            // The id in the login is the organisation's, the municipality's or the staff card's.
            "SELECT COUNT(*) FROM accounts a JOIN staff s ON s.person_id = a.person_id \
             WHERE a.login LIKE 'admin-%' AND a.login <> 'admin-' || s.organisation_id",
            "SELECT COUNT(*) FROM accounts a JOIN staff s ON s.person_id = a.person_id \
             WHERE a.login LIKE 'teacher-%' AND a.login <> 'teacher-' || s.id",
            "SELECT COUNT(*) FROM accounts a JOIN role_grants r ON r.person_id = a.person_id \
             WHERE r.role = 'municipal' AND a.login <> 'municipal-' || r.municipality_id",
        ];
        for sql in checks {
            assert_eq!(count(db, sql).await, 0, "{sql}");
        }
        let hashes = strings(db, "SELECT DISTINCT password_hash FROM accounts").await;
        assert_eq!(hashes, [HASH]);
    }

    #[tokio::test]
    async fn marks_cover_exactly_the_working_days_of_each_enrolment() {
        let (t, summary) = generated(9).await;
        let db = &t.db;
        let p = small(9);
        let calendar = Calendar::new(p.from, p.until);
        let working: BTreeSet<NaiveDate> = calendar.working_days.iter().map(|w| w.date).collect();

        // Every marked day is a weekday that is not a holiday of the organisation.
        for day in strings(db, "SELECT DISTINCT day FROM marks").await {
            let day = d(&day);
            assert!(is_weekday(day) && working.contains(&day), "{day}");
        }
        let on_holidays = "SELECT COUNT(*) FROM marks m JOIN children c ON c.id = m.child_id \
                           JOIN groups g ON g.id = c.group_id JOIN calendar_days k \
                           ON k.organisation_id = g.organisation_id AND k.day = m.day \
                           WHERE k.kind = 'holiday'";
        assert_eq!(count(db, on_holidays).await, 0);
        let outside = "SELECT COUNT(*) FROM marks m WHERE NOT EXISTS (SELECT 1 FROM enrolments e \
                       WHERE e.child_id = m.child_id AND e.from_day <= m.day \
                       AND (e.to_day IS NULL OR e.to_day >= m.day))";
        assert_eq!(count(db, outside).await, 0);

        // The children there from the first day moved up from last year's group, and
        // some moved in the middle of the span, by orders; each move is a period that
        // ends the day before the next begins.
        assert!(summary.transfers > 0);
        assert!(summary.moved_up > summary.children / 2, "{summary:?}");
        assert_eq!(
            count(db, "SELECT COUNT(*) FROM enrolment_order_lines").await as u64,
            summary.moved_up + summary.transfers
        );
        assert_eq!(
            count(db, "SELECT COUNT(*) FROM enrolments").await as u64,
            summary.children + summary.moved_up + summary.transfers
        );
        let gaps =
            "SELECT COUNT(*) FROM enrolments a JOIN enrolments b ON b.child_id = a.child_id \
                    AND b.opened_by = a.closed_by WHERE a.closed_by IS NOT NULL \
                    AND a.group_id = b.group_id";
        assert_eq!(count(db, gaps).await, 0, "a move goes to another group");
        let last_year = format!(
            "SELECT COUNT(*) FROM enrolments WHERE to_day = '{}' AND closed_by IS NOT NULL",
            p.from.pred_opt().unwrap()
        );
        assert_eq!(count(db, &last_year).await as u64, summary.moved_up);

        // And every working day of every enrolment has its mark.
        let enrolments =
            sqlx::query("SELECT from_day AS enrolled_on, to_day AS left_on FROM enrolments")
                .fetch_all(db.pool())
                .await
                .unwrap();
        let expected: u64 = enrolments
            .iter()
            .map(|r| {
                let first = d(&r.get::<String, _>("enrolled_on"));
                let last = r.get::<Option<String>, _>("left_on").map(|s| d(&s));
                working
                    .iter()
                    .filter(|w| **w >= first && last.is_none_or(|l| **w <= l))
                    .count() as u64
            })
            .sum();
        assert_eq!(summary.marks, expected);
        // A few joined late and a few left.
        assert!(
            count(
                db,
                "SELECT COUNT(*) FROM children WHERE left_on IS NOT NULL"
            )
            .await
                > 0
        );
        assert!(
            count(
                db,
                "SELECT COUNT(*) FROM children WHERE enrolled_on > '2026-09-01'"
            )
            .await
                > 0
        );
        // The stored calendar has the holidays of the 2026/27 school year.
        let holidays = strings(
            db,
            "SELECT day FROM calendar_days WHERE organisation_id = 1 ORDER BY day",
        )
        .await;
        assert!(holidays.contains(&"2026-11-04".to_owned()));
        assert!(holidays.contains(&"2027-01-08".to_owned()));
        assert!(holidays.iter().all(|h| is_weekday(d(h))));
    }

    #[tokio::test]
    async fn marks_are_recorded_by_a_teacher_of_the_group_in_the_morning() {
        let (t, _) = generated(10).await;
        let db = &t.db;
        // The group the child was in on the mark's day: a moved child's earlier marks
        // are its old teacher's.
        let foreign = "SELECT COUNT(*) FROM marks m JOIN enrolments e ON e.child_id = m.child_id \
                       AND e.from_day <= m.day AND (e.to_day IS NULL OR e.to_day >= m.day) \
                       WHERE NOT EXISTS (SELECT 1 FROM teacher_groups tg \
                       JOIN staff s ON s.id = tg.staff_id \
                       WHERE tg.group_id = e.group_id AND s.person_id = m.recorded_by)";
        assert_eq!(count(db, foreign).await, 0);
        let rows = sqlx::query("SELECT day, recorded_at FROM marks")
            .fetch_all(db.pool())
            .await
            .unwrap();
        for row in rows.iter().step_by(97) {
            let day = d(&row.get::<String, _>("day"));
            let at: i64 = row.get("recorded_at");
            let from = local_millis(day, 8, 0);
            assert!((from..from + 4 * 3_600_000).contains(&at), "{day} {at}");
        }
    }

    #[tokio::test]
    async fn attendance_looks_like_a_real_autumn() {
        let (t, summary) = generated(11).await;
        let db = &t.db;
        let share = |n: i64| n as f64 / summary.marks as f64;
        let present = share(count(db, "SELECT COUNT(*) FROM marks WHERE status = 'present'").await);
        assert!((0.75..=0.87).contains(&present), "{present}");
        let by_reason = |code: &'static str| async move {
            share(
                count(
                    db,
                    &format!("SELECT COUNT(*) FROM marks WHERE reason = '{code}'"),
                )
                .await,
            )
        };
        let illness = by_reason(ILLNESS).await;
        assert!((0.08..=0.2).contains(&illness), "{illness}");
        for code in [
            VACATION,
            QUARANTINE,
            SANATORIUM,
            OTHER_EXCUSED,
            NO_VALID_REASON,
        ] {
            let s = by_reason(code).await;
            assert!(s > 0.0 && s < illness, "{code} {s}");
        }
        // Illness comes in episodes of several days, not single days.
        let ill_children = count(
            db,
            "SELECT COUNT(DISTINCT child_id) FROM marks WHERE reason = 'Б'",
        )
        .await;
        let ill_days = count(db, "SELECT COUNT(*) FROM marks WHERE reason = 'Б'").await;
        assert!(ill_days > 3 * ill_children, "{ill_days} {ill_children}");

        // Unexplained absences only on the last working days, each asked about.
        let p = small(11);
        let calendar = Calendar::new(p.from, p.until);
        let tail = &calendar.working_days[calendar.working_days.len() - UNEXPLAINED_TAIL_DAYS];
        let unexplained =
            "SELECT DISTINCT day FROM marks WHERE status = 'absent' AND reason IS NULL";
        let days = strings(db, unexplained).await;
        assert!(!days.is_empty());
        assert!(days.iter().all(|day| *day >= tail.iso), "{days:?}");
        let unasked =
            "SELECT COUNT(*) FROM marks m WHERE m.status = 'absent' AND m.reason IS NULL \
                       AND NOT EXISTS (SELECT 1 FROM notices n WHERE n.kind = 'reason_request' \
                       AND n.request_key = m.child_id || ':' || m.day AND n.child_id = m.child_id \
                       AND n.day = m.day AND n.created_by = m.recorded_by)";
        assert_eq!(count(db, unasked).await, 0);
        let recipients =
            "SELECT COUNT(*) FROM notice_recipients r JOIN notices n ON n.id = r.notice_id \
                          WHERE NOT EXISTS (SELECT 1 FROM child_guardians g \
                          WHERE g.child_id = n.child_id AND g.person_id = r.person_id)";
        assert_eq!(count(db, recipients).await, 0);
        assert_eq!(count(db, "SELECT COUNT(*) FROM outbox").await, 0);
    }

    #[test]
    fn split_is_exact_and_keeps_the_minimum() {
        let parts = split(100, &[1.0, 5.0, 0.01, 3.3], 2);
        assert_eq!(parts.iter().sum::<usize>(), 100);
        assert!(parts.iter().all(|&p| p >= 2));
        assert!(parts[1] > parts[3] && parts[3] > parts[0]);
        assert_eq!(split(7, &[1.0, 1.0, 1.0], 0), [3, 2, 2]);
    }
}
