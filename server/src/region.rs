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

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::ops::Range;

use chrono::{Datelike, Days, NaiveDate, NaiveTime, Weekday};
use indicatif::{ProgressBar, ProgressStyle};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sqlx::any::AnyArguments;
use sqlx::{Any, AnyConnection, AnyPool, Connection, Executor, Row};

use app::db::Backend;

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

// --- Stage 1: municipalities, organisations, calendars, groups -------------------------

struct Municipality {
    id: i64,
    name: String,
    /// A city district: more and bigger kindergartens than a rural one.
    city: bool,
    /// The first four digits of the ИНН and КПП of its organisations.
    tax_office: u32,
}

struct Organisation {
    id: i64,
    municipality_id: i64,
    name: String,
    short_name: String,
    inn: String,
    kpp: String,
    /// Indexes into [`Region::groups`].
    groups: Range<usize>,
    /// Staff cards, including the head.
    staff: usize,
}

struct Group {
    id: i64,
    organisation_id: i64,
    name: String,
    /// Birth year of its children; `None` for a mixed-age group of a small kindergarten.
    birth_year: Option<i32>,
    children: usize,
    /// `people.id` of the bound teachers (filled by the People stage); the one on the
    /// morning shift marks attendance, alternating week by week.
    teachers: Vec<i64>,
}

struct Region {
    municipalities: Vec<Municipality>,
    organisations: Vec<Organisation>,
    groups: Vec<Group>,
}

async fn write_organisations(
    w: &mut Writer<'_>,
    rng: &mut ChaCha8Rng,
    params: &RegionParams,
    calendar: &Calendar,
    ids: &mut NextIds,
    created_at: i64,
    progress: &dyn Fn(Stage, u64, u64),
) -> Result<Region, sqlx::Error> {
    let total = (params.municipalities + params.organisations + params.groups) as u64;
    progress(Stage::Organisations, 0, total);

    let municipalities = plan_municipalities(params.municipalities, ids);
    // A few cities hold most kindergartens; the regional capital comes first.
    let municipality_weights: Vec<f64> = municipalities
        .iter()
        .enumerate()
        .map(|(i, m)| match (i, m.city) {
            (0, _) => 12.0,
            (_, true) => rng.gen_range(2.0..4.0),
            (_, false) => rng.gen_range(0.6..1.4),
        })
        .collect();
    let per_municipality = split(params.organisations, &municipality_weights, 1);

    let mut organisations = Vec::with_capacity(params.organisations);
    // Groups and staff go by organisation size: city kindergartens are bigger.
    let mut organisation_weights = Vec::with_capacity(params.organisations);
    let mut inns = HashSet::new();
    for (m, &count) in municipalities.iter().zip(&per_municipality) {
        let mut number = 0;
        for _ in 0..count {
            // Kindergartens are numbered within a municipality, with gaps where some
            // closed or merged.
            number += if rng.gen_bool(0.25) {
                rng.gen_range(2..6)
            } else {
                1
            };
            let (name, short_name) = organisation_names(rng, number);
            let inn = unique_inn(rng, m.tax_office, &mut inns);
            let kpp = format!("{:04}01001", m.tax_office);
            organisations.push(Organisation {
                id: take_id(&mut ids.organisation),
                municipality_id: m.id,
                name,
                short_name,
                inn,
                kpp,
                groups: 0..0,
                staff: 0,
            });
            organisation_weights.push(rng.gen_range(0.5..1.5) * if m.city { 1.4 } else { 0.7 });
        }
    }

    let groups_per_org = split(params.groups, &organisation_weights, 1);
    let staff_per_org = split(
        params.staff,
        &groups_per_org.iter().map(|&g| g as f64).collect::<Vec<_>>(),
        2,
    );

    let mut groups = Vec::with_capacity(params.groups);
    let cohorts = calendar.birth_years();
    for ((org, &group_count), &staff) in organisations
        .iter_mut()
        .zip(&groups_per_org)
        .zip(&staff_per_org)
    {
        let first = groups.len();
        let names = group_names(rng, group_count);
        // A small kindergarten has mixed-age groups; a bigger one a group per year.
        let offset = rng.gen_range(0..cohorts.len());
        for (i, name) in names.into_iter().enumerate() {
            let birth_year =
                (group_count >= cohorts.len()).then(|| cohorts[(i + offset) % cohorts.len()]);
            groups.push(Group {
                id: take_id(&mut ids.group),
                organisation_id: org.id,
                name,
                birth_year,
                children: 0,
                teachers: Vec::new(),
            });
        }
        org.groups = first..groups.len();
        org.staff = staff;
    }

    // Younger groups are smaller (the norms allow fewer children per teacher).
    let group_weights: Vec<f64> = groups
        .iter()
        .map(|g| {
            let age = g
                .birth_year
                .map_or(1.0, |year| match cohorts[0] + 3 - year {
                    0 => 0.8,
                    1 => 1.0,
                    _ => 1.1,
                });
            age * rng.gen_range(0.85..1.15)
        })
        .collect();
    for (group, n) in groups
        .iter_mut()
        .zip(split(params.children, &group_weights, 1))
    {
        group.children = n;
    }

    let mut done = 0;
    let rows: Vec<_> = municipalities
        .iter()
        .map(|m| MunicipalityRow {
            id: m.id,
            name: &m.name,
        })
        .collect();
    w.insert(&rows).await?;
    done += rows.len() as u64;
    progress(Stage::Organisations, done, total);

    let rows: Vec<_> = organisations
        .iter()
        .map(|o| OrganisationRow {
            id: o.id,
            name: &o.name,
            short_name: &o.short_name,
            inn: &o.inn,
            kpp: &o.kpp,
            municipality_id: o.municipality_id,
            created_at,
        })
        .collect();
    w.insert(&rows).await?;
    done += rows.len() as u64;
    progress(Stage::Organisations, done, total);

    let holidays: Vec<String> = calendar.stored_holidays.iter().map(iso).collect();
    let rows: Vec<_> = organisations
        .iter()
        .flat_map(|o| {
            holidays.iter().map(|day| CalendarDayRow {
                organisation_id: o.id,
                day: day.as_str(),
                kind: "holiday",
            })
        })
        .collect();
    w.insert(&rows).await?;

    let keys: Vec<String> = groups.iter().map(|g| name_key(&g.name)).collect();
    let rows: Vec<_> = groups
        .iter()
        .zip(&keys)
        .map(|(g, key)| GroupRow {
            id: g.id,
            organisation_id: g.organisation_id,
            name: &g.name,
            name_key: key,
            created_at,
        })
        .collect();
    w.insert(&rows).await?;
    done += rows.len() as u64;
    progress(Stage::Organisations, done, total);

    Ok(Region {
        municipalities,
        organisations,
        groups,
    })
}

fn plan_municipalities(count: usize, ids: &mut NextIds) -> Vec<Municipality> {
    (0..count)
        .map(|i| {
            let name = if let Some(city) = CITY_NAMES.get(i) {
                format!("{city} городской округ")
            } else if let Some(district) = DISTRICT_NAMES.get(i - CITY_NAMES.len()) {
                format!("{district} муниципальный район")
            } else {
                format!("Муниципальный округ № {}", i + 1)
            };
            Municipality {
                id: take_id(&mut ids.municipality),
                name,
                city: i < CITY_NAMES.len(),
                // Tax offices 5901, 5902 … (59 is the region code of Perm Krai).
                tax_office: 5900 + (i % 99) as u32 + 1,
            }
        })
        .collect()
}

/// Full and short name, e.g. «Муниципальное автономное дошкольное образовательное
/// учреждение «Детский сад № 12 «Берёзка»»» and «МАДОУ «Детский сад № 12 «Берёзка»»».
fn organisation_names(rng: &mut impl Rng, number: u32) -> (String, String) {
    let (kind, abbreviation) = match rng.gen_range(0..10) {
        0..=5 => ("бюджетное", "МБДОУ"),
        6..=8 => ("автономное", "МАДОУ"),
        _ => ("казённое", "МКДОУ"),
    };
    let kindergarten = if rng.gen_bool(0.7) {
        let name = KINDERGARTEN_NAMES
            .choose(rng)
            .expect("the list is not empty");
        format!("«Детский сад № {number} «{name}»»")
    } else if rng.gen_bool(0.15) {
        format!("«Центр развития ребёнка — детский сад № {number}»")
    } else {
        format!("«Детский сад № {number}»")
    };
    (
        format!("Муниципальное {kind} дошкольное образовательное учреждение {kindergarten}"),
        format!("{abbreviation} {kindergarten}"),
    )
}

/// A 10-digit ИНН of a legal entity: tax office, five random digits, check digit
/// (weights 2 4 10 3 5 9 4 6 8, sum mod 11 mod 10 — as `app::domain::Inn` checks).
fn unique_inn(rng: &mut impl Rng, tax_office: u32, taken: &mut HashSet<String>) -> String {
    loop {
        let body = format!("{:04}{:05}", tax_office, rng.gen_range(0..100_000));
        let inn = format!("{body}{}", inn_check_digit(&body));
        if taken.insert(inn.clone()) {
            return inn;
        }
    }
}

fn inn_check_digit(first_nine: &str) -> u32 {
    const WEIGHTS: [u32; 9] = [2, 4, 10, 3, 5, 9, 4, 6, 8];
    let sum: u32 = first_nine
        .chars()
        .zip(WEIGHTS)
        .map(|(c, w)| c.to_digit(10).expect("digits only") * w)
        .sum();
    sum % 11 % 10
}

/// `count` group names, unique within the organisation by [`name_key`].
fn group_names(rng: &mut impl Rng, count: usize) -> Vec<String> {
    let mut pool: Vec<&str> = GROUP_NAMES.to_vec();
    pool.shuffle(rng);
    let mut names = Vec::with_capacity(count);
    let mut keys = HashSet::new();
    // Beyond the list, a second «Солнышко 2» is what kindergartens really do.
    for round in 1.. {
        for base in &pool {
            if names.len() == count {
                return names;
            }
            let name = if round == 1 {
                (*base).to_owned()
            } else {
                format!("{base} {round}")
            };
            if keys.insert(name_key(&name)) {
                names.push(name);
            }
        }
    }
    unreachable!("the loop above returns")
}

/// `groups.name_key`: the same as `app::domain::GroupName::key` (lower case, ё → е).
fn name_key(name: &str) -> String {
    name.to_lowercase().replace('ё', "е")
}

// --- Stage 2: municipal specialists and staff ------------------------------------------

const HEAD_POSITION: &str = "Заведующий";
const TEACHER_POSITION: &str = "Воспитатель";
/// Other staff and how common each position is.
const OTHER_POSITIONS: [(&str, u32); 9] = [
    ("Младший воспитатель", 10),
    ("Музыкальный руководитель", 2),
    ("Инструктор по физической культуре", 2),
    ("Учитель-логопед", 2),
    ("Педагог-психолог", 1),
    ("Старший воспитатель", 1),
    ("Медицинская сестра", 1),
    ("Заместитель заведующего", 1),
    ("Делопроизводитель", 1),
];

/// Writes everyone with an account; returns the number of staff cards.
async fn write_people(
    w: &mut Writer<'_>,
    rng: &mut ChaCha8Rng,
    params: &RegionParams,
    region: &mut Region,
    ids: &mut NextIds,
    created_at: i64,
    progress: &dyn Fn(Stage, u64, u64),
) -> Result<u64, sqlx::Error> {
    let total = (params.staff + params.municipalities) as u64;
    progress(Stage::People, 0, total);
    let mut out = PeopleRows::default();

    for m in &region.municipalities {
        let person_id = out.person(rng, ids, 0.7, created_at);
        out.account(person_id, format!("municipal-{}", m.id), created_at);
        out.email(format!("uo{}@mun.example.ru", m.id));
        out.grant(person_id, "municipal", None, Some(m.id));
    }

    let mut staff_cards = 0u64;
    for org in &region.organisations {
        let groups = org.groups.clone();
        let group_count = groups.len();
        // Everyone but the head: ~85 % teachers, at least one per group when possible,
        // at most two per group; the rest is other staff.
        let available = org.staff - 1;
        let teachers = ((available as f64 * 0.85).round() as usize)
            .max(group_count.min(available))
            .clamp(1, 2 * group_count);
        let others = available - teachers;

        let person_id = out.person(rng, ids, 0.85, created_at);
        out.account(person_id, format!("admin-{}", org.id), created_at);
        out.email(format!("admin@ds{}.example.ru", org.id));
        out.staff(ids, person_id, org.id, HEAD_POSITION, created_at);
        out.grant(person_id, "org_admin", Some(org.id), None);

        // Which groups each teacher is bound to: with enough teachers, one per group
        // and the extra ones as second teachers of random groups; with fewer, teachers
        // take several groups.
        let mut second: Vec<usize> = (0..group_count).collect();
        second.shuffle(rng);
        for t in 0..teachers {
            let bound: Vec<usize> = if teachers >= group_count {
                vec![if t < group_count {
                    t
                } else {
                    second[t - group_count]
                }]
            } else {
                (t..group_count).step_by(teachers).collect()
            };
            let person_id = out.person(rng, ids, 0.96, created_at);
            let staff_id = out.staff(ids, person_id, org.id, TEACHER_POSITION, created_at);
            out.account(person_id, format!("teacher-{staff_id}"), created_at);
            out.email(format!("t{staff_id}@ds{}.example.ru", org.id));
            out.grant(person_id, "teacher", Some(org.id), None);
            for g in bound {
                let group = &mut region.groups[groups.start + g];
                group.teachers.push(person_id);
                out.teacher_groups.push(TeacherGroupRow {
                    staff_id,
                    group_id: group.id,
                });
            }
        }

        for _ in 0..others {
            let position = weighted_choice(rng, &OTHER_POSITIONS);
            let person_id = out.person(rng, ids, 0.9, created_at);
            let staff_id = out.staff(ids, person_id, org.id, position, created_at);
            out.account(person_id, format!("staff-{staff_id}"), created_at);
            out.email(format!("s{staff_id}@ds{}.example.ru", org.id));
        }
        staff_cards += org.staff as u64;
    }

    // Rows go in foreign-key order; the staff stage is small enough to hold at once.
    let mut done = 0;
    for chunk in out.people.chunks(w.rows_per_statement::<PersonRow>()) {
        w.insert(chunk).await?;
        done += chunk.len() as u64;
        progress(Stage::People, done, total);
    }
    let accounts: Vec<_> = out
        .accounts
        .iter()
        .map(|(person_id, login, created_at)| AccountRow {
            person_id: *person_id,
            login,
            password_hash: &params.password_hash,
            created_at: *created_at,
        })
        .collect();
    w.insert(&accounts).await?;
    w.insert(&out.staff).await?;
    w.insert(&out.grants).await?;
    w.insert(&out.teacher_groups).await?;
    Ok(staff_cards)
}

/// Staff-stage rows, collected before writing.
#[derive(Default)]
struct PeopleRows {
    people: Vec<PersonRow>,
    /// Person id, login, created at; all share the one password hash.
    accounts: Vec<(i64, String, i64)>,
    staff: Vec<StaffRow>,
    grants: Vec<RoleGrantRow>,
    teacher_groups: Vec<TeacherGroupRow>,
}

impl PeopleRows {
    /// A staff member or specialist (a woman with probability `female_share`):
    /// a random adult name and a mobile phone.
    fn person(
        &mut self,
        rng: &mut impl Rng,
        ids: &mut NextIds,
        female_share: f64,
        created_at: i64,
    ) -> i64 {
        let sex = random_sex(rng, female_share);
        let name = adult_name(rng, sex, None);
        let id = take_id(&mut ids.person);
        self.people.push(PersonRow {
            id,
            surname: name.surname,
            given_name: name.given_name,
            patronymic: name.patronymic,
            email: None,
            phone: Some(mobile_phone(rng)),
            created_at,
        });
        id
    }

    /// Sets the e-mail of the person added last.
    fn email(&mut self, email: String) {
        if let Some(p) = self.people.last_mut() {
            p.email = Some(email);
        }
    }

    fn account(&mut self, person_id: i64, login: String, created_at: i64) {
        self.accounts.push((person_id, login, created_at));
    }

    fn staff(
        &mut self,
        ids: &mut NextIds,
        person_id: i64,
        organisation_id: i64,
        position: &'static str,
        created_at: i64,
    ) -> i64 {
        let id = take_id(&mut ids.staff);
        self.staff.push(StaffRow {
            id,
            person_id,
            organisation_id,
            position,
            created_at,
        });
        id
    }

    fn grant(
        &mut self,
        person_id: i64,
        role: &'static str,
        organisation_id: Option<i64>,
        municipality_id: Option<i64>,
    ) {
        self.grants.push(RoleGrantRow {
            person_id,
            role,
            organisation_id,
            municipality_id,
        });
    }
}

// --- Stage 3: children and parents ------------------------------------------------------

/// What the Marks stage needs to know about a child.
struct ChildPlan {
    id: i64,
    /// Index into [`Region::groups`].
    group: usize,
    /// Marked working days: indexes into [`Calendar::working_days`].
    days: Range<usize>,
    /// Younger children fall ill more often.
    age_factor: f64,
    /// `people.id` of the mother and the father, where known: they are asked about an
    /// unexplained absence.
    guardians: [Option<i64>; 2],
}

/// Parents shared by siblings in the same kindergarten.
struct Family {
    /// Group index and birth date of the first child: a brother or sister is in
    /// another age group, a twin in the same group with the same birthday.
    first_child: (usize, NaiveDate),
    surname: usize,
    /// Given-name index of the father, whose name is the children's patronymic.
    father_name: usize,
    father: Option<i64>,
    mother: Option<i64>,
}

/// Children-stage rows waiting to be written, in foreign-key order: children, their
/// new parents, the links between them.
#[derive(Default)]
struct ChildrenBatch {
    children: Vec<ChildRow>,
    parents: Vec<PersonRow>,
    guardians: Vec<GuardianRow>,
}

impl ChildrenBatch {
    /// Writes and empties the batch; returns the number of parents written.
    async fn flush(&mut self, w: &mut Writer<'_>) -> Result<u64, sqlx::Error> {
        w.insert(&self.children).await?;
        w.insert(&self.parents).await?;
        w.insert(&self.guardians).await?;
        let parents = self.parents.len() as u64;
        self.children.clear();
        self.parents.clear();
        self.guardians.clear();
        Ok(parents)
    }
}

/// Share of children enrolled after the first day, and of children who leave.
const LATE_ENROLMENT: f64 = 0.03;
const LEAVING: f64 = 0.02;
/// Share of children whose brother or sister is in the same kindergarten.
const SIBLING: f64 = 0.06;

async fn write_children(
    w: &mut Writer<'_>,
    rng: &mut ChaCha8Rng,
    region: &Region,
    calendar: &Calendar,
    ids: &mut NextIds,
    setup_at: i64,
    progress: &dyn Fn(Stage, u64, u64),
) -> Result<(Vec<ChildPlan>, u64), sqlx::Error> {
    let total: usize = region.groups.iter().map(|g| g.children).sum();
    progress(Stage::Children, 0, total as u64);
    let days = calendar.working_days.len();
    let first_day_iso = iso(&calendar.from);
    let youngest = *calendar.birth_years().last().expect("four cohorts");
    let batch_size = w.rows_per_statement::<ChildRow>();

    let mut plans = Vec::with_capacity(total);
    let mut parents = 0u64;
    let mut batch = ChildrenBatch::default();
    for org in &region.organisations {
        let mut families: Vec<Family> = Vec::new();
        for group_index in org.groups.clone() {
            let group = &region.groups[group_index];
            for _ in 0..group.children {
                let sex = random_sex(rng, 0.5);
                let birth_year = group
                    .birth_year
                    .unwrap_or_else(|| rng.gen_range(youngest - 3..=youngest));
                let mut birth = NaiveDate::from_yo_opt(birth_year, rng.gen_range(1..=365))
                    .expect("day 1–365 exists every year");
                let mut sibling_of = None;
                if !families.is_empty() && rng.gen_bool(SIBLING) {
                    let candidate = rng.gen_range(0..families.len());
                    let (their_group, their_birth) = families[candidate].first_child;
                    if their_group == group_index {
                        birth = their_birth;
                        sibling_of = Some(candidate);
                    } else if their_birth.year() != birth_year {
                        sibling_of = Some(candidate);
                    }
                }
                let family_index = sibling_of.unwrap_or_else(|| {
                    let first_child = (group_index, birth);
                    let family = new_family(rng, ids, &mut batch, first_child, setup_at);
                    families.push(family);
                    families.len() - 1
                });
                let family = &families[family_index];

                // A few join later (on a working day) or leave during the period.
                let mut marked = 0..days;
                let mut enrolled_on = first_day_iso.clone();
                let mut left_on = None;
                let mut created_at = setup_at;
                if days >= 3 && rng.gen_bool(LATE_ENROLMENT) {
                    let first = rng.gen_range(1..days * 2 / 3 + 1);
                    marked.start = first;
                    let day = calendar.working_days[first].date;
                    enrolled_on = iso(&day);
                    created_at = local_millis(day, 8, 0);
                } else if days >= 3 && rng.gen_bool(LEAVING) {
                    let last = rng.gen_range(days / 3..days - 1);
                    marked.end = last + 1;
                    left_on = Some(iso(&calendar.working_days[last].date));
                }

                let id = take_id(&mut ids.child);
                batch.children.push(ChildRow {
                    id,
                    group_id: group.id,
                    surname: surname_form(SURNAMES[family.surname], sex),
                    given_name: match sex {
                        Sex::Male => BOY_NAMES.choose(rng),
                        Sex::Female => GIRL_NAMES.choose(rng),
                    }
                    .expect("the lists are not empty")
                    .to_string(),
                    patronymic: patronymic(family.father_name, sex).to_owned(),
                    birth_date: iso(&birth),
                    enrolled_on,
                    left_on,
                    created_at,
                });
                let guardians = [family.mother, family.father];
                for (person_id, relation) in [(family.mother, "мать"), (family.father, "отец")]
                {
                    if let Some(person_id) = person_id {
                        batch.guardians.push(GuardianRow {
                            child_id: id,
                            person_id,
                            relation,
                        });
                    }
                }
                plans.push(ChildPlan {
                    id,
                    group: group_index,
                    days: marked,
                    age_factor: 1.0 + 0.12 * f64::from(birth_year - (youngest - 3)),
                    guardians,
                });
                if batch.children.len() >= batch_size {
                    parents += batch.flush(w).await?;
                    progress(Stage::Children, plans.len() as u64, total as u64);
                }
            }
        }
    }
    parents += batch.flush(w).await?;
    progress(Stage::Children, plans.len() as u64, total as u64);
    Ok((plans, parents))
}

/// A new family: both parents for most children, a mother only for a quarter,
/// a father only for a few.
fn new_family(
    rng: &mut impl Rng,
    ids: &mut NextIds,
    batch: &mut ChildrenBatch,
    first_child: (usize, NaiveDate),
    created_at: i64,
) -> Family {
    let surname = rng.gen_range(0..SURNAMES.len());
    let father_name = rng.gen_range(0..MALE_NAMES.len());
    let (has_mother, has_father) = match rng.gen_range(0..100) {
        0..=71 => (true, true),
        72..=96 => (true, false),
        _ => (false, true),
    };
    let mut family = Family {
        first_child,
        surname,
        father_name,
        father: None,
        mother: None,
    };
    if has_mother {
        // Some mothers keep their own surname.
        let own = if rng.gen_bool(0.1) {
            rng.gen_range(0..SURNAMES.len())
        } else {
            surname
        };
        let name = adult_name(rng, Sex::Female, Some(own));
        family.mother = Some(add_parent(rng, ids, batch, name, (0.92, 0.7), created_at));
    }
    if has_father {
        let mut name = adult_name(rng, Sex::Male, Some(surname));
        name.given_name = MALE_NAMES[father_name].0.to_owned();
        family.father = Some(add_parent(rng, ids, batch, name, (0.8, 0.4), created_at));
    }
    family
}

/// A parent's `people` row; `(phone, email)` are the shares of parents who gave one.
fn add_parent(
    rng: &mut impl Rng,
    ids: &mut NextIds,
    batch: &mut ChildrenBatch,
    name: FullName,
    (phone_share, email_share): (f64, f64),
    created_at: i64,
) -> i64 {
    let id = take_id(&mut ids.person);
    let email = rng
        .gen_bool(email_share)
        .then(|| personal_email(&name, id, rng));
    let phone = rng.gen_bool(phone_share).then(|| mobile_phone(rng));
    batch.parents.push(PersonRow {
        id,
        surname: name.surname,
        given_name: name.given_name,
        patronymic: name.patronymic,
        email,
        phone,
        created_at,
    });
    id
}

// --- Stage 4: marks ---------------------------------------------------------------------

/// One child-day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DayMark {
    Present,
    /// An absence with its reason code, `None` while the reason is not known yet.
    Absent(Option<&'static str>),
}

const ILLNESS: &str = "Б";
const VACATION: &str = "О";
const QUARANTINE: &str = "К";
const SANATORIUM: &str = "С";
const OTHER_EXCUSED: &str = "П";
const NO_VALID_REASON: &str = "Н";

/// Daily chances of an absence starting, for an average child in an average month.
/// Tuned so that about 80 % of child-days are present in the autumn.
const ILLNESS_PER_DAY: f64 = 0.021;
const VACATION_PER_DAY: f64 = 0.0025;
const SANATORIUM_PER_DAY: f64 = 0.0003;
const OTHER_EXCUSED_PER_DAY: f64 = 0.006;
const NO_VALID_REASON_PER_DAY: f64 = 0.003;
/// A group-wide quarantine starting on a given day (times the illness season).
const QUARANTINE_PER_DAY: f64 = 0.0025;
/// Share of a quarantined group kept at home.
const QUARANTINE_HOME: f64 = 0.5;
/// On the last working days teachers do not know every reason yet.
const UNEXPLAINED_TAIL_DAYS: usize = 3;
const UNEXPLAINED_SHARE: f64 = 0.6;

/// Illness episodes in working days: mostly 5–7, from 3 to 10.
const ILLNESS_DAYS: [(u32, u32); 8] = [
    (3, 1),
    (4, 2),
    (5, 3),
    (6, 3),
    (7, 3),
    (8, 2),
    (9, 1),
    (10, 1),
];

/// An absence marked without a reason: the app asks the parents about each.
struct Unexplained<'a> {
    child: &'a ChildPlan,
    day: usize,
    recorded_at: i64,
    recorded_by: i64,
}

/// Writes the marks; returns their number and the absences without a reason.
async fn write_marks<'a>(
    w: &mut Writer<'_>,
    rng: &mut ChaCha8Rng,
    seed: u64,
    region: &Region,
    children: &'a [ChildPlan],
    calendar: &Calendar,
    progress: &dyn Fn(Stage, u64, u64),
) -> Result<(u64, Vec<Unexplained<'a>>), sqlx::Error> {
    let total: u64 = children.iter().map(|c| c.days.len() as u64).sum();
    progress(Stage::Marks, 0, total);
    let days = &calendar.working_days;
    let batch_size = w.rows_per_statement::<MarkRow>();
    let mut batch: Vec<MarkRow<'_>> = Vec::with_capacity(batch_size);
    let mut written = 0u64;
    let mut unexplained = Vec::new();
    let mut child_marks = Vec::with_capacity(days.len());

    // Children are ordered by group, so a group's quarantines and recording times are
    // planned once and its children follow; the marks go in (child_id, day) order,
    // which appends to the primary key index instead of scattering over it.
    let mut current_group = usize::MAX;
    let mut quarantines = Vec::new();
    let mut recorded: Vec<(i64, i64)> = Vec::new();
    let mut position_in_group = 0i64;
    for child in children {
        if child.group != current_group {
            current_group = child.group;
            position_in_group = 0;
            let group = &region.groups[child.group];
            quarantines = plan_quarantines(rng, days);
            recorded = days
                .iter()
                .enumerate()
                .map(|(i, day)| {
                    // The morning-shift teacher marks; shifts swap weekly. The time
                    // varies by group and day around 09:00.
                    let teacher = group.teachers[day.week as usize % group.teachers.len()];
                    let jitter = mix(seed, group.id as u64, i as u64) % (90 * 60_000);
                    (day.nine_am + jitter as i64 - 30 * 60_000, teacher)
                })
                .collect();
        }
        simulate_child(rng, child, days, &quarantines, &mut child_marks);
        for (i, mark) in child.days.clone().zip(&child_marks) {
            let (status, reason) = match *mark {
                DayMark::Present => ("present", None),
                DayMark::Absent(reason) => ("absent", reason),
            };
            let (at, by) = recorded[i];
            // A few seconds per child: the teacher goes down the list.
            let recorded_at = at + position_in_group * 4_000;
            if *mark == DayMark::Absent(None) {
                unexplained.push(Unexplained {
                    child,
                    day: i,
                    recorded_at,
                    recorded_by: by,
                });
            }
            batch.push(MarkRow {
                child_id: child.id,
                day: &days[i].iso,
                status,
                reason,
                recorded_at,
                recorded_by: by,
            });
            if batch.len() == batch_size {
                w.insert(&batch).await?;
                written += batch.len() as u64;
                batch.clear();
                progress(Stage::Marks, written, total);
            }
        }
        position_in_group += 1;
    }
    w.insert(&batch).await?;
    written += batch.len() as u64;
    progress(Stage::Marks, written, total);
    Ok((written, unexplained))
}

/// What the app does when a teacher saves an absence without a reason: a
/// `reason_request` notice to the child's parents, in their inbox. No mail is queued
/// in `outbox` — the addresses are made up, and a demo must not send thousands of
/// letters the moment the server starts.
async fn write_reason_requests(
    w: &mut Writer<'_>,
    unexplained: &[Unexplained<'_>],
    calendar: &Calendar,
    ids: &mut NextIds,
) -> Result<u64, sqlx::Error> {
    let mut notices = Vec::with_capacity(unexplained.len());
    let mut recipients = Vec::new();
    for absence in unexplained {
        let id = take_id(&mut ids.notice);
        let day = &calendar.working_days[absence.day].iso;
        notices.push(NoticeRow {
            id,
            child_id: absence.child.id,
            day,
            // The app's key: at most one request per child and day.
            request_key: format!("{}:{day}", absence.child.id),
            created_by: absence.recorded_by,
            created_at: absence.recorded_at,
        });
        for person_id in absence.child.guardians.iter().flatten() {
            recipients.push(NoticeRecipientRow {
                notice_id: id,
                person_id: *person_id,
            });
        }
    }
    w.insert(&notices).await?;
    w.insert(&recipients).await?;
    Ok(notices.len() as u64)
}

/// Group-wide quarantines of 7–10 working days, at most one a month or so.
fn plan_quarantines(rng: &mut impl Rng, days: &[WorkDay]) -> Vec<Range<usize>> {
    let mut quarantines = Vec::new();
    let mut i = 0;
    while i < days.len() {
        if rng.gen_bool((QUARANTINE_PER_DAY * illness_season(days[i].date.month())).min(1.0)) {
            let len = rng.gen_range(7..=10);
            quarantines.push(i..(i + len).min(days.len()));
            i += len + 20;
        } else {
            i += 1;
        }
    }
    quarantines
}

/// The child's marks on its working days `child.days`, into `out`.
///
/// Each child has its own frailty and its family's taste for holidays; on each day
/// without an ongoing absence one draw decides whether an absence starts.
fn simulate_child(
    rng: &mut impl Rng,
    child: &ChildPlan,
    days: &[WorkDay],
    quarantines: &[Range<usize>],
    out: &mut Vec<DayMark>,
) {
    out.clear();
    let frailty = *[0.4, 0.8, 0.8, 1.1, 1.1, 1.4, 2.2]
        .choose(rng)
        .expect("not empty");
    let travels = *[0.3, 1.0, 1.0, 2.0].choose(rng).expect("not empty");
    let home_in_quarantine: Vec<bool> = quarantines
        .iter()
        .map(|_| rng.gen_bool(QUARANTINE_HOME))
        .collect();
    let unexplained_from = days.len().saturating_sub(UNEXPLAINED_TAIL_DAYS);

    // The ongoing absence: its reason and the working days still to go after today.
    let mut ongoing: Option<(Option<&'static str>, u32)> = None;
    for i in child.days.clone() {
        if let Some((reason, left)) = ongoing {
            out.push(DayMark::Absent(reason));
            ongoing = (left > 1).then_some((reason, left - 1));
            continue;
        }
        let quarantined = quarantines
            .iter()
            .zip(&home_in_quarantine)
            .any(|(q, &home)| home && q.contains(&i));
        if quarantined {
            out.push(DayMark::Absent(Some(QUARANTINE)));
            continue;
        }
        let day = &days[i];
        let season = illness_season(day.date.month());
        let chances = [
            (
                ILLNESS,
                ILLNESS_PER_DAY * season * frailty * child.age_factor,
            ),
            (VACATION, VACATION_PER_DAY * day.vacation_factor * travels),
            (SANATORIUM, SANATORIUM_PER_DAY),
            (OTHER_EXCUSED, OTHER_EXCUSED_PER_DAY),
            (NO_VALID_REASON, NO_VALID_REASON_PER_DAY),
        ];
        let mut draw: f64 = rng.gen();
        let started = chances.iter().find_map(|&(reason, chance)| {
            if draw < chance {
                Some(reason)
            } else {
                draw -= chance;
                None
            }
        });
        let Some(reason) = started else {
            out.push(DayMark::Present);
            continue;
        };
        let len = match reason {
            ILLNESS => weighted_choice(rng, &ILLNESS_DAYS),
            VACATION => rng.gen_range(5..=10),
            SANATORIUM => rng.gen_range(10..=15),
            OTHER_EXCUSED => rng.gen_range(1..=2),
            _ => 1,
        };
        // A vacation or sanatorium is announced; an illness or a missed day may not be
        // explained yet at the end of the period.
        let unexplained = i >= unexplained_from
            && matches!(reason, ILLNESS | OTHER_EXCUSED | NO_VALID_REASON)
            && rng.gen_bool(UNEXPLAINED_SHARE);
        let reason = (!unexplained).then_some(reason);
        out.push(DayMark::Absent(reason));
        ongoing = (len > 1).then_some((reason, len - 1));
    }
}

/// Relative chance of falling ill by month: the autumn and winter waves of colds and flu.
fn illness_season(month: u32) -> f64 {
    match month {
        9 => 0.8,
        10 => 1.2,
        11 => 1.35,
        12 => 1.0,
        1 => 1.2,
        2 => 1.4,
        3 => 1.0,
        4 => 0.8,
        5 => 0.6,
        _ => 0.45,
    }
}

/// A small deterministic hash for per-(group, day) values that must not consume the
/// random stream (SplitMix64 finaliser).
fn mix(seed: u64, a: u64, b: u64) -> u64 {
    let mut z =
        seed ^ a.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ b.wrapping_mul(0xC2B2_AE3D_27D4_EB4F);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

// ---------------------------------------------------------------------------------------
// The production calendar
// ---------------------------------------------------------------------------------------

/// A marked day.
struct WorkDay {
    date: NaiveDate,
    iso: String,
    /// ISO week number: the teachers' shifts swap weekly.
    week: u32,
    /// 09:00 Moscow time, as Unix milliseconds.
    nine_am: i64,
    /// Families take holidays in summer and next to public holidays.
    vacation_factor: f64,
}

struct Calendar {
    from: NaiveDate,
    /// Non-working weekdays of the school years that contain the period: the rows
    /// stored in `calendar_days`, so the whole year's timesheet is right.
    stored_holidays: BTreeSet<NaiveDate>,
    /// Working days in `[from, until]`: Monday–Friday minus the holidays. (The
    /// generator stores no transferred working Saturdays.)
    working_days: Vec<WorkDay>,
}

impl Calendar {
    fn new(from: NaiveDate, until: NaiveDate) -> Self {
        let first = school_year_start(from);
        let last = NaiveDate::from_ymd_opt(school_year_start(until).year() + 1, 8, 31)
            .expect("31 August exists");
        let stored_holidays = russian_holidays(first, last);
        let working_days = from
            .iter_days()
            .take_while(|d| *d <= until)
            .filter(|d| is_weekday(*d) && !stored_holidays.contains(d))
            .map(|date| {
                let near_holiday = stored_holidays.iter().any(|h| {
                    let gap = (*h - date).num_days().abs();
                    gap <= 4
                });
                let vacation_factor = match date.month() {
                    6..=8 => 6.0,
                    12 if date.day() >= 20 => 3.0,
                    _ if near_holiday => 3.0,
                    _ => 1.0,
                };
                WorkDay {
                    date,
                    iso: iso(&date),
                    week: date.iso_week().week(),
                    nine_am: local_millis(date, 9, 0),
                    vacation_factor,
                }
            })
            .collect();
        Self {
            from,
            stored_holidays,
            working_days,
        }
    }

    /// Birth years of the four age groups of the school year containing `from`, oldest
    /// first: for 2026/27 the preparatory group (born 2020) down to the youngest (2023).
    fn birth_years(&self) -> [i32; 4] {
        let year = school_year_start(self.from).year();
        [year - 6, year - 5, year - 4, year - 3]
    }
}

fn school_year_start(day: NaiveDate) -> NaiveDate {
    let year = if day.month() >= 9 {
        day.year()
    } else {
        day.year() - 1
    };
    NaiveDate::from_ymd_opt(year, 9, 1).expect("1 September exists")
}

fn is_weekday(day: NaiveDate) -> bool {
    !matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
}

/// Non-working weekdays in `[first, last]` by the Labour Code (art. 112): the public
/// holidays, and a holiday falling on a weekend moved to the next working day. The New
/// Year holidays on a weekend are moved by a yearly decree to dates that cannot be
/// computed, so they are not moved; 31 December has been a day off by decree every
/// recent year and is kept as one.
fn russian_holidays(first: NaiveDate, last: NaiveDate) -> BTreeSet<NaiveDate> {
    const FIXED: [(u32, u32); 14] = [
        (1, 1),
        (1, 2),
        (1, 3),
        (1, 4),
        (1, 5),
        (1, 6),
        (1, 7),
        (1, 8),
        (2, 23),
        (3, 8),
        (5, 1),
        (5, 9),
        (6, 12),
        (11, 4),
    ];
    let mut days = BTreeSet::new();
    for year in first.year()..=last.year() {
        let fixed: Vec<NaiveDate> = FIXED
            .iter()
            .map(|&(m, d)| NaiveDate::from_ymd_opt(year, m, d).expect("fixed dates exist"))
            .collect();
        for &day in &fixed {
            if is_weekday(day) {
                days.insert(day);
            } else if day.month() != 1 {
                let moved = day
                    .iter_days()
                    .find(|d| is_weekday(*d) && !fixed.contains(d) && !days.contains(d))
                    .expect("a weekday follows");
                days.insert(moved);
            }
        }
        let new_years_eve = NaiveDate::from_ymd_opt(year, 12, 31).expect("31 December exists");
        if is_weekday(new_years_eve) {
            days.insert(new_years_eve);
        }
    }
    days.retain(|d| (first..=last).contains(d));
    days
}

fn iso(day: &NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

/// Kindergartens of the region are on Moscow time (UTC+3, no daylight saving).
const UTC_OFFSET_HOURS: i64 = 3;

/// `hour:minute` local time on `day` as Unix milliseconds.
fn local_millis(day: NaiveDate, hour: u32, minute: u32) -> i64 {
    let time = NaiveTime::from_hms_opt(hour, minute, 0).expect("a valid time");
    day.and_time(time).and_utc().timestamp_millis() - UTC_OFFSET_HOURS * 3_600_000
}

// ---------------------------------------------------------------------------------------
// Batched inserts
// ---------------------------------------------------------------------------------------

type AnyQuery<'q> = sqlx::query::Query<'q, Any, AnyArguments<'q>>;

/// A row of one table, bound column by column in [`Insertable::COLUMNS`] order.
trait Insertable {
    const TABLE: &'static str;
    const COLUMNS: &'static [&'static str];
    /// The first column is the table's identity `id`, given explicitly.
    const EXPLICIT_ID: bool;
    fn bind<'q>(&'q self, query: AnyQuery<'q>) -> AnyQuery<'q>;
}

/// Bound parameters per statement: SQLite allows 32,766 (PostgreSQL 65,535).
const MAX_PARAMETERS: usize = 32_766;

/// Writes rows as multi-row inserts on one connection (inside the caller's transaction).
struct Writer<'c> {
    conn: &'c mut AnyConnection,
    backend: Backend,
    /// Statement text by table and row count: the full-size statement of each table is
    /// built once and stays prepared.
    sql: HashMap<(&'static str, usize), String>,
}

impl<'c> Writer<'c> {
    fn new(conn: &'c mut AnyConnection, backend: Backend) -> Self {
        Self {
            conn,
            backend,
            sql: HashMap::new(),
        }
    }

    fn rows_per_statement<R: Insertable>(&self) -> usize {
        MAX_PARAMETERS / R::COLUMNS.len()
    }

    async fn insert<R: Insertable>(&mut self, rows: &[R]) -> Result<(), sqlx::Error> {
        for chunk in rows.chunks(self.rows_per_statement::<R>()) {
            let backend = self.backend;
            let sql = self
                .sql
                .entry((R::TABLE, chunk.len()))
                .or_insert_with(|| insert_sql::<R>(backend, chunk.len()));
            let mut query = sqlx::query(sql.as_str());
            for row in chunk {
                query = row.bind(query);
            }
            query.execute(&mut *self.conn).await?;
        }
        Ok(())
    }
}

/// `INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4) …` on PostgreSQL, which also needs
/// `OVERRIDING SYSTEM VALUE` to accept ids for a `GENERATED ALWAYS` identity.
///
/// On SQLite the placeholders are anonymous `?` instead of the project's usual `$n`:
/// sqlx looks up the name of every parameter with `sqlite3_bind_parameter_name`, a
/// linear scan over the named parameters, which makes binding a statement with
/// thousands of `$n` quadratic (seconds per statement). This SQL is built per backend
/// anyway, so it can use what is fast on each.
fn insert_sql<R: Insertable>(backend: Backend, rows: usize) -> String {
    let columns = R::COLUMNS.len();
    let mut sql = format!("INSERT INTO {} ({})", R::TABLE, R::COLUMNS.join(", "));
    if R::EXPLICIT_ID && backend == Backend::Postgres {
        sql.push_str(" OVERRIDING SYSTEM VALUE");
    }
    sql.push_str(" VALUES ");
    let mut n = 0;
    for row in 0..rows {
        if row > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for column in 0..columns {
            if column > 0 {
                sql.push_str(", ");
            }
            match backend {
                Backend::Sqlite => sql.push('?'),
                Backend::Postgres => {
                    n += 1;
                    sql.push('$');
                    sql.push_str(&n.to_string());
                }
            }
        }
        sql.push(')');
    }
    sql
}

struct MunicipalityRow<'a> {
    id: i64,
    name: &'a str,
}

impl Insertable for MunicipalityRow<'_> {
    const TABLE: &'static str = "municipalities";
    const COLUMNS: &'static [&'static str] = &["id", "name"];
    const EXPLICIT_ID: bool = true;
    fn bind<'q>(&'q self, q: AnyQuery<'q>) -> AnyQuery<'q> {
        q.bind(self.id).bind(self.name)
    }
}

struct OrganisationRow<'a> {
    id: i64,
    name: &'a str,
    short_name: &'a str,
    inn: &'a str,
    kpp: &'a str,
    municipality_id: i64,
    created_at: i64,
}

impl Insertable for OrganisationRow<'_> {
    const TABLE: &'static str = "organisations";
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "name",
        "short_name",
        "inn",
        "kpp",
        "municipality_id",
        "created_at",
    ];
    const EXPLICIT_ID: bool = true;
    fn bind<'q>(&'q self, q: AnyQuery<'q>) -> AnyQuery<'q> {
        q.bind(self.id)
            .bind(self.name)
            .bind(self.short_name)
            .bind(self.inn)
            .bind(self.kpp)
            .bind(self.municipality_id)
            .bind(self.created_at)
    }
}

struct CalendarDayRow<'a> {
    organisation_id: i64,
    day: &'a str,
    kind: &'static str,
}

impl Insertable for CalendarDayRow<'_> {
    const TABLE: &'static str = "calendar_days";
    const COLUMNS: &'static [&'static str] = &["organisation_id", "day", "kind"];
    const EXPLICIT_ID: bool = false;
    fn bind<'q>(&'q self, q: AnyQuery<'q>) -> AnyQuery<'q> {
        q.bind(self.organisation_id).bind(self.day).bind(self.kind)
    }
}

struct GroupRow<'a> {
    id: i64,
    organisation_id: i64,
    name: &'a str,
    name_key: &'a str,
    created_at: i64,
}

impl Insertable for GroupRow<'_> {
    const TABLE: &'static str = "groups";
    const COLUMNS: &'static [&'static str] =
        &["id", "organisation_id", "name", "name_key", "created_at"];
    const EXPLICIT_ID: bool = true;
    fn bind<'q>(&'q self, q: AnyQuery<'q>) -> AnyQuery<'q> {
        q.bind(self.id)
            .bind(self.organisation_id)
            .bind(self.name)
            .bind(self.name_key)
            .bind(self.created_at)
    }
}

struct PersonRow {
    id: i64,
    surname: String,
    given_name: String,
    patronymic: String,
    email: Option<String>,
    phone: Option<String>,
    created_at: i64,
}

impl Insertable for PersonRow {
    const TABLE: &'static str = "people";
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "surname",
        "given_name",
        "patronymic",
        "email",
        "phone",
        "created_at",
    ];
    const EXPLICIT_ID: bool = true;
    fn bind<'q>(&'q self, q: AnyQuery<'q>) -> AnyQuery<'q> {
        q.bind(self.id)
            .bind(self.surname.as_str())
            .bind(self.given_name.as_str())
            .bind(self.patronymic.as_str())
            .bind(self.email.as_deref())
            .bind(self.phone.as_deref())
            .bind(self.created_at)
    }
}

struct AccountRow<'a> {
    person_id: i64,
    login: &'a str,
    password_hash: &'a str,
    created_at: i64,
}

impl Insertable for AccountRow<'_> {
    const TABLE: &'static str = "accounts";
    const COLUMNS: &'static [&'static str] = &[
        "person_id",
        "login",
        "password_hash",
        "must_change_password",
        "created_at",
    ];
    const EXPLICIT_ID: bool = false;
    fn bind<'q>(&'q self, q: AnyQuery<'q>) -> AnyQuery<'q> {
        q.bind(self.person_id)
            .bind(self.login)
            .bind(self.password_hash)
            .bind(0_i64)
            .bind(self.created_at)
    }
}

struct StaffRow {
    id: i64,
    person_id: i64,
    organisation_id: i64,
    position: &'static str,
    created_at: i64,
}

impl Insertable for StaffRow {
    const TABLE: &'static str = "staff";
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "person_id",
        "organisation_id",
        "position",
        "created_at",
    ];
    const EXPLICIT_ID: bool = true;
    fn bind<'q>(&'q self, q: AnyQuery<'q>) -> AnyQuery<'q> {
        q.bind(self.id)
            .bind(self.person_id)
            .bind(self.organisation_id)
            .bind(self.position)
            .bind(self.created_at)
    }
}

struct RoleGrantRow {
    person_id: i64,
    role: &'static str,
    organisation_id: Option<i64>,
    municipality_id: Option<i64>,
}

impl Insertable for RoleGrantRow {
    const TABLE: &'static str = "role_grants";
    const COLUMNS: &'static [&'static str] =
        &["person_id", "role", "organisation_id", "municipality_id"];
    const EXPLICIT_ID: bool = false;
    fn bind<'q>(&'q self, q: AnyQuery<'q>) -> AnyQuery<'q> {
        q.bind(self.person_id)
            .bind(self.role)
            .bind(self.organisation_id)
            .bind(self.municipality_id)
    }
}

struct TeacherGroupRow {
    staff_id: i64,
    group_id: i64,
}

impl Insertable for TeacherGroupRow {
    const TABLE: &'static str = "teacher_groups";
    const COLUMNS: &'static [&'static str] = &["staff_id", "group_id"];
    const EXPLICIT_ID: bool = false;
    fn bind<'q>(&'q self, q: AnyQuery<'q>) -> AnyQuery<'q> {
        q.bind(self.staff_id).bind(self.group_id)
    }
}

struct ChildRow {
    id: i64,
    group_id: i64,
    surname: String,
    given_name: String,
    patronymic: String,
    birth_date: String,
    enrolled_on: String,
    left_on: Option<String>,
    created_at: i64,
}

impl Insertable for ChildRow {
    const TABLE: &'static str = "children";
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "group_id",
        "surname",
        "given_name",
        "patronymic",
        "birth_date",
        "enrolled_on",
        "left_on",
        "created_at",
    ];
    const EXPLICIT_ID: bool = true;
    fn bind<'q>(&'q self, q: AnyQuery<'q>) -> AnyQuery<'q> {
        q.bind(self.id)
            .bind(self.group_id)
            .bind(self.surname.as_str())
            .bind(self.given_name.as_str())
            .bind(self.patronymic.as_str())
            .bind(self.birth_date.as_str())
            .bind(self.enrolled_on.as_str())
            .bind(self.left_on.as_deref())
            .bind(self.created_at)
    }
}

struct GuardianRow {
    child_id: i64,
    person_id: i64,
    relation: &'static str,
}

impl Insertable for GuardianRow {
    const TABLE: &'static str = "child_guardians";
    const COLUMNS: &'static [&'static str] = &["child_id", "person_id", "relation"];
    const EXPLICIT_ID: bool = false;
    fn bind<'q>(&'q self, q: AnyQuery<'q>) -> AnyQuery<'q> {
        q.bind(self.child_id)
            .bind(self.person_id)
            .bind(self.relation)
    }
}

struct MarkRow<'a> {
    child_id: i64,
    day: &'a str,
    status: &'static str,
    reason: Option<&'static str>,
    recorded_at: i64,
    recorded_by: i64,
}

impl Insertable for MarkRow<'_> {
    const TABLE: &'static str = "marks";
    const COLUMNS: &'static [&'static str] = &[
        "child_id",
        "day",
        "status",
        "reason",
        "recorded_at",
        "recorded_by",
    ];
    const EXPLICIT_ID: bool = false;
    fn bind<'q>(&'q self, q: AnyQuery<'q>) -> AnyQuery<'q> {
        q.bind(self.child_id)
            .bind(self.day)
            .bind(self.status)
            .bind(self.reason)
            .bind(self.recorded_at)
            .bind(self.recorded_by)
    }
}

struct NoticeRow<'a> {
    id: i64,
    child_id: i64,
    day: &'a str,
    request_key: String,
    created_by: i64,
    created_at: i64,
}

impl Insertable for NoticeRow<'_> {
    const TABLE: &'static str = "notices";
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "child_id",
        "day",
        "kind",
        "request_key",
        "created_by",
        "created_at",
    ];
    const EXPLICIT_ID: bool = true;
    fn bind<'q>(&'q self, q: AnyQuery<'q>) -> AnyQuery<'q> {
        q.bind(self.id)
            .bind(self.child_id)
            .bind(self.day)
            .bind("reason_request")
            .bind(self.request_key.as_str())
            .bind(self.created_by)
            .bind(self.created_at)
    }
}

struct NoticeRecipientRow {
    notice_id: i64,
    person_id: i64,
}

impl Insertable for NoticeRecipientRow {
    const TABLE: &'static str = "notice_recipients";
    const COLUMNS: &'static [&'static str] = &["notice_id", "person_id"];
    const EXPLICIT_ID: bool = false;
    fn bind<'q>(&'q self, q: AnyQuery<'q>) -> AnyQuery<'q> {
        q.bind(self.notice_id).bind(self.person_id)
    }
}

// ---------------------------------------------------------------------------------------
// Russian names, phones, e-mails
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sex {
    Male,
    Female,
}

/// Female with probability `female_share`.
fn random_sex(rng: &mut impl Rng, female_share: f64) -> Sex {
    if rng.gen_bool(female_share) {
        Sex::Female
    } else {
        Sex::Male
    }
}

struct FullName {
    surname: String,
    given_name: String,
    patronymic: String,
}

/// An adult's full name; `surname` picks the family surname (index into [`SURNAMES`]).
fn adult_name(rng: &mut impl Rng, sex: Sex, surname: Option<usize>) -> FullName {
    let surname = surname.unwrap_or_else(|| rng.gen_range(0..SURNAMES.len()));
    let given_name = match sex {
        Sex::Male => MALE_NAMES[rng.gen_range(0..MALE_NAMES.len())].0,
        Sex::Female => FEMALE_NAMES[rng.gen_range(0..FEMALE_NAMES.len())],
    };
    let father = rng.gen_range(0..MALE_NAMES.len());
    FullName {
        surname: surname_form(SURNAMES[surname], sex),
        given_name: given_name.to_owned(),
        patronymic: patronymic(father, sex).to_owned(),
    }
}

/// The surname for `sex`; the list holds the masculine forms.
fn surname_form(masculine: &str, sex: Sex) -> String {
    match sex {
        Sex::Male => masculine.to_owned(),
        Sex::Female => {
            if let Some(stem) = masculine.strip_suffix("ий") {
                format!("{stem}ая")
            } else if ["ов", "ев", "ёв", "ин", "ын"]
                .iter()
                .any(|end| masculine.ends_with(end))
            {
                format!("{masculine}а")
            } else {
                // Шевченко, Ким: the same for both.
                masculine.to_owned()
            }
        }
    }
}

fn patronymic(father: usize, sex: Sex) -> &'static str {
    let (_, son, daughter) = MALE_NAMES[father];
    match sex {
        Sex::Male => son,
        Sex::Female => daughter,
    }
}

/// A Russian mobile number as people type it: `+7 (912) 345-67-89`.
fn mobile_phone(rng: &mut impl Rng) -> String {
    format!(
        "+7 (9{:02}) {:03}-{:02}-{:02}",
        rng.gen_range(0..100),
        rng.gen_range(0..1000),
        rng.gen_range(0..100),
        rng.gen_range(0..100)
    )
}

/// `ivanova.e.1234@mail.example.ru`: transliterated, with the person id for uniqueness.
fn personal_email(name: &FullName, person_id: i64, rng: &mut impl Rng) -> String {
    let domain = ["mail", "yandex", "inbox", "list"][rng.gen_range(0..4)];
    let initial: String = name.given_name.chars().take(1).collect();
    format!(
        "{}.{}.{person_id}@{domain}.example.ru",
        transliterate(&name.surname),
        transliterate(&initial)
    )
}

fn transliterate(text: &str) -> String {
    text.to_lowercase()
        .chars()
        .map(|c| match c {
            'а' => "a",
            'б' => "b",
            'в' => "v",
            'г' => "g",
            'д' => "d",
            'е' | 'ё' | 'э' => "e",
            'ж' => "zh",
            'з' => "z",
            'и' => "i",
            'й' | 'ы' => "y",
            'к' => "k",
            'л' => "l",
            'м' => "m",
            'н' => "n",
            'о' => "o",
            'п' => "p",
            'р' => "r",
            'с' => "s",
            'т' => "t",
            'у' => "u",
            'ф' => "f",
            'х' => "kh",
            'ц' => "ts",
            'ч' => "ch",
            'ш' => "sh",
            'щ' => "shch",
            'ю' => "yu",
            'я' => "ya",
            _ => "",
        })
        .collect()
}

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

/// City districts, the regional capital first (Perm Krai, region code 59).
#[rustfmt::skip]
const CITY_NAMES: [&str; 12] = [
    "Пермский", "Березниковский", "Соликамский", "Чайковский", "Кунгурский", "Лысьвенский",
    "Краснокамский", "Чусовской", "Добрянский", "Губахинский", "Кудымкарский", "Кизеловский",
];

#[rustfmt::skip]
const DISTRICT_NAMES: [&str; 36] = [
    "Александровский", "Бардымский", "Берёзовский", "Большесосновский", "Верещагинский",
    "Гайнский", "Горнозаводский", "Гремячинский", "Еловский", "Ильинский", "Карагайский",
    "Кишертский", "Косинский", "Кочёвский", "Красновишерский", "Куединский", "Нытвенский",
    "Октябрьский", "Ординский", "Осинский", "Оханский", "Очёрский", "Сивинский", "Суксунский",
    "Уинский", "Усольский", "Чердынский", "Чернушинский", "Частинский", "Юрлинский",
    "Юсьвинский", "Пермский", "Кунгурский", "Соликамский", "Чайковский", "Лысьвенский",
];

#[rustfmt::skip]
const KINDERGARTEN_NAMES: [&str; 40] = [
    "Берёзка", "Солнышко", "Колокольчик", "Теремок", "Ромашка", "Сказка", "Радуга", "Алёнушка",
    "Золотой ключик", "Буратино", "Ласточка", "Малыш", "Светлячок", "Рябинка", "Улыбка",
    "Журавушка", "Дюймовочка", "Родничок", "Ручеёк", "Аленький цветочек", "Золушка",
    "Чебурашка", "Ёлочка", "Звёздочка", "Росинка", "Гнёздышко", "Огонёк", "Полянка",
    "Незабудка", "Кораблик", "Жемчужинка", "Медвежонок", "Тополёк", "Лесная сказка",
    "Снегурочка", "Семицветик", "Капелька", "Василёк", "Вишенка", "Умка",
];

/// Group names; none equal another by [`name_key`] (no «Ёлочка» next to «Елочка»).
#[rustfmt::skip]
const GROUP_NAMES: [&str; 48] = [
    "Солнышко", "Радуга", "Ромашка", "Звёздочка", "Колокольчик", "Теремок", "Капелька",
    "Ласточка", "Берёзка", "Ягодка", "Пчёлка", "Светлячок", "Непоседы", "Почемучки", "Улыбка",
    "Кораблик", "Золотая рыбка", "Божья коровка", "Василёк", "Одуванчик", "Дюймовочка",
    "Гномики", "Цыплята", "Медвежонок", "Белочка", "Зайчата", "Сказка", "Малинка", "Вишенка",
    "Рябинка", "Подсолнух", "Незабудка", "Журавлик", "Синичка", "Снежинка", "Лучики",
    "Фантазёры", "Карапуз", "Семицветик", "Жемчужинка", "Ёлочка", "Бабочки", "Смешарики",
    "Родничок", "Маленькая страна", "Островок", "Гусельки", "Ладушки",
];

/// Masculine surnames; [`surname_form`] makes the feminine ones.
#[rustfmt::skip]
const SURNAMES: [&str; 120] = [
    "Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов",
    "Новиков", "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров",
    "Павлов", "Козлов", "Степанов", "Николаев", "Орлов", "Андреев", "Макаров", "Никитин",
    "Захаров", "Зайцев", "Соловьёв", "Борисов", "Яковлев", "Григорьев", "Романов", "Воробьёв",
    "Сергеев", "Кузьмин", "Фролов", "Александров", "Дмитриев", "Королёв", "Гусев", "Киселёв",
    "Ильин", "Максимов", "Поляков", "Сорокин", "Виноградов", "Ковалёв", "Белов", "Медведев",
    "Антонов", "Тарасов", "Жуков", "Баранов", "Филиппов", "Комаров", "Давыдов", "Беляев",
    "Герасимов", "Богданов", "Осипов", "Сидоров", "Матвеев", "Титов", "Марков", "Миронов",
    "Крылов", "Куликов", "Карпов", "Власов", "Мельников", "Денисов", "Гаврилов", "Тихонов",
    "Казаков", "Афанасьев", "Данилов", "Савельев", "Тимофеев", "Фомин", "Чернов", "Абрамов",
    "Мартынов", "Ефимов", "Федотов", "Щербаков", "Назаров", "Калинин", "Исаев", "Чернышёв",
    "Быков", "Маслов", "Родионов", "Коновалов", "Лазарев", "Воронин", "Климов", "Филатов",
    "Пономарёв", "Голубев", "Кудрявцев", "Прохоров", "Наумов", "Потапов", "Журавлёв",
    "Овчинников", "Трофимов", "Леонов", "Соболев", "Ермаков", "Колесников", "Гончаров",
    "Шевченко", "Бондаренко", "Ткаченко", "Ким", "Островский", "Покровский", "Жуковский",
    "Мусин", "Галиев", "Шарипов",
];

/// Men's names with the patronymics they give a son and a daughter.
const MALE_NAMES: [(&str, &str, &str); 40] = [
    ("Александр", "Александрович", "Александровна"),
    ("Алексей", "Алексеевич", "Алексеевна"),
    ("Андрей", "Андреевич", "Андреевна"),
    ("Антон", "Антонович", "Антоновна"),
    ("Артём", "Артёмович", "Артёмовна"),
    ("Владимир", "Владимирович", "Владимировна"),
    ("Дмитрий", "Дмитриевич", "Дмитриевна"),
    ("Евгений", "Евгеньевич", "Евгеньевна"),
    ("Иван", "Иванович", "Ивановна"),
    ("Игорь", "Игоревич", "Игоревна"),
    ("Илья", "Ильич", "Ильинична"),
    ("Кирилл", "Кириллович", "Кирилловна"),
    ("Константин", "Константинович", "Константиновна"),
    ("Максим", "Максимович", "Максимовна"),
    ("Михаил", "Михайлович", "Михайловна"),
    ("Никита", "Никитич", "Никитична"),
    ("Николай", "Николаевич", "Николаевна"),
    ("Олег", "Олегович", "Олеговна"),
    ("Павел", "Павлович", "Павловна"),
    ("Роман", "Романович", "Романовна"),
    ("Сергей", "Сергеевич", "Сергеевна"),
    ("Денис", "Денисович", "Денисовна"),
    ("Виктор", "Викторович", "Викторовна"),
    ("Юрий", "Юрьевич", "Юрьевна"),
    ("Вячеслав", "Вячеславович", "Вячеславовна"),
    ("Егор", "Егорович", "Егоровна"),
    ("Руслан", "Русланович", "Руслановна"),
    ("Станислав", "Станиславович", "Станиславовна"),
    ("Владислав", "Владиславович", "Владиславовна"),
    ("Василий", "Васильевич", "Васильевна"),
    ("Пётр", "Петрович", "Петровна"),
    ("Григорий", "Григорьевич", "Григорьевна"),
    ("Анатолий", "Анатольевич", "Анатольевна"),
    ("Валерий", "Валерьевич", "Валерьевна"),
    ("Геннадий", "Геннадьевич", "Геннадьевна"),
    ("Тимур", "Тимурович", "Тимуровна"),
    ("Вадим", "Вадимович", "Вадимовна"),
    ("Ярослав", "Ярославович", "Ярославовна"),
    ("Степан", "Степанович", "Степановна"),
    ("Фёдор", "Фёдорович", "Фёдоровна"),
];

#[rustfmt::skip]
const FEMALE_NAMES: [&str; 34] = [
    "Анна", "Елена", "Ольга", "Наталья", "Татьяна", "Ирина", "Екатерина", "Светлана", "Юлия",
    "Мария", "Марина", "Анастасия", "Оксана", "Евгения", "Дарья", "Ксения", "Алёна", "Виктория",
    "Валентина", "Людмила", "Надежда", "Галина", "Кристина", "Александра", "Вера", "Лариса",
    "Яна", "Полина", "Елизавета", "Олеся", "Любовь", "Маргарита", "Алина", "Инна",
];

#[rustfmt::skip]
const BOY_NAMES: [&str; 40] = [
    "Александр", "Михаил", "Максим", "Артём", "Лев", "Марк", "Иван", "Матвей", "Дмитрий",
    "Тимофей", "Даниил", "Кирилл", "Роман", "Егор", "Илья", "Никита", "Фёдор", "Андрей",
    "Алексей", "Макар", "Владимир", "Сергей", "Ярослав", "Арсений", "Савелий", "Мирон",
    "Степан", "Глеб", "Платон", "Константин", "Захар", "Тимур", "Демид", "Елисей", "Денис",
    "Всеволод", "Богдан", "Павел", "Григорий", "Николай",
];

#[rustfmt::skip]
const GIRL_NAMES: [&str; 40] = [
    "София", "Анна", "Мария", "Ева", "Алиса", "Виктория", "Полина", "Варвара", "Василиса",
    "Александра", "Елизавета", "Анастасия", "Дарья", "Вероника", "Милана", "Ксения", "Таисия",
    "Ульяна", "Мирослава", "Арина", "Екатерина", "Злата", "Кира", "Есения", "Агата", "Амелия",
    "Вера", "Маргарита", "Валерия", "Алёна", "Ольга", "Зоя", "Дарина", "Стефания", "Николь",
    "Софья", "Эмилия", "Яна", "Алия", "Мадина",
];

#[cfg(test)]
mod tests {
    use std::hash::{DefaultHasher, Hash, Hasher};
    use std::sync::atomic::{AtomicUsize, Ordering};

    use sqlx::{Column, TypeInfo, ValueRef};

    use super::*;
    use app::db::Db;

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
            assert_eq!(inn_check_digit(&real[..9]).to_string(), &real[9..]);
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
            name_key(name) == key
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
        let outside = "SELECT COUNT(*) FROM marks m JOIN children c ON c.id = m.child_id \
                       WHERE m.day < c.enrolled_on \
                       OR (c.left_on IS NOT NULL AND m.day > c.left_on)";
        assert_eq!(count(db, outside).await, 0);

        // And every working day of every enrolment has its mark.
        let enrolments = sqlx::query("SELECT enrolled_on, left_on FROM children")
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
        let foreign = "SELECT COUNT(*) FROM marks m JOIN children c ON c.id = m.child_id \
                       WHERE NOT EXISTS (SELECT 1 FROM teacher_groups tg \
                       JOIN staff s ON s.id = tg.staff_id \
                       WHERE tg.group_id = c.group_id AND s.person_id = m.recorded_by)";
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

    #[test]
    fn holidays_of_the_2026_27_school_year() {
        let days: Vec<String> = russian_holidays(d("2026-09-01"), d("2027-08-31"))
            .iter()
            .map(iso)
            .collect();
        assert_eq!(
            days,
            [
                "2026-11-04",
                "2026-12-31",
                "2027-01-01",
                "2027-01-04",
                "2027-01-05",
                "2027-01-06",
                "2027-01-07",
                "2027-01-08",
                "2027-02-23",
                "2027-03-08",
                // 1 and 9 May 2027 are a Saturday and a Sunday: moved to the Mondays.
                "2027-05-03",
                "2027-05-10",
                // 12 June 2027 is a Saturday.
                "2027-06-14",
            ]
        );
    }

    #[test]
    fn group_name_key_folds_case_and_yo() {
        assert_eq!(name_key("Ёлочка"), name_key("ЕЛОЧКА"));
        assert_eq!(name_key("Звёздочка"), "звездочка");
        let keys: HashSet<String> = GROUP_NAMES.iter().map(|n| name_key(n)).collect();
        assert_eq!(
            keys.len(),
            GROUP_NAMES.len(),
            "the list has no key duplicates"
        );
        let mut rng = ChaCha8Rng::seed_from_u64(0);
        let many = group_names(&mut rng, 120);
        let keys: HashSet<String> = many.iter().map(|n| name_key(n)).collect();
        assert_eq!(keys.len(), 120);
    }

    #[test]
    fn feminine_surnames() {
        assert_eq!(surname_form("Иванов", Sex::Female), "Иванова");
        assert_eq!(surname_form("Ильин", Sex::Female), "Ильина");
        assert_eq!(surname_form("Островский", Sex::Female), "Островская");
        assert_eq!(surname_form("Шевченко", Sex::Female), "Шевченко");
        assert_eq!(transliterate("Щербакова Юлия"), "shcherbakovayuliya");
    }
}
