//! Stage 1: municipalities, organisations with their calendars, and groups.

use std::collections::HashSet;
use std::ops::Range;

use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use app::domain::inn::Inn;
use app::domain::GroupName;

use super::calendar::{iso, Calendar};
use super::names::{CITY_NAMES, DISTRICT_NAMES, GROUP_NAMES, KINDERGARTEN_NAMES};
use super::writer::{CalendarDayRow, GroupRow, MunicipalityRow, OrganisationRow, Writer};
use super::{split, take_id, NextIds, RegionParams, Stage};

pub(super) struct Municipality {
    pub(super) id: i64,
    pub(super) name: String,
    /// A city district: more and bigger kindergartens than a rural one.
    pub(super) city: bool,
    /// The first four digits of the ИНН and КПП of its organisations.
    pub(super) tax_office: u32,
}

pub(super) struct Organisation {
    pub(super) id: i64,
    pub(super) municipality_id: i64,
    pub(super) name: String,
    pub(super) short_name: String,
    pub(super) inn: String,
    pub(super) kpp: String,
    /// Indexes into [`Region::groups`].
    pub(super) groups: Range<usize>,
    /// Staff cards, including the head.
    pub(super) staff: usize,
}

pub(super) struct Group {
    pub(super) id: i64,
    pub(super) organisation_id: i64,
    pub(super) name: GroupName,
    /// Birth year of its children; `None` for a mixed-age group of a small kindergarten.
    pub(super) birth_year: Option<i32>,
    pub(super) children: usize,
    /// `people.id` of the bound teachers (filled by the People stage); the one on the
    /// morning shift marks attendance, alternating week by week.
    pub(super) teachers: Vec<i64>,
}

pub(super) struct Region {
    pub(super) municipalities: Vec<Municipality>,
    pub(super) organisations: Vec<Organisation>,
    pub(super) groups: Vec<Group>,
}

pub(super) async fn write_organisations(
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

    let keys: Vec<String> = groups.iter().map(|g| g.name.key()).collect();
    let rows: Vec<_> = groups
        .iter()
        .zip(&keys)
        .map(|(g, key)| GroupRow {
            id: g.id,
            organisation_id: g.organisation_id,
            name: g.name.as_str(),
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

/// A 10-digit ИНН of a legal entity: tax office, five random digits, and the check digit
/// of [`Inn::legal_entity_check_digit`], so that `app::domain::Inn` accepts it.
fn unique_inn(rng: &mut impl Rng, tax_office: u32, taken: &mut HashSet<String>) -> String {
    loop {
        let body = format!("{:04}{:05}", tax_office, rng.gen_range(0..100_000));
        let check = Inn::legal_entity_check_digit(&body).expect("nine digits");
        let inn = format!("{body}{check}");
        if taken.insert(inn.clone()) {
            return inn;
        }
    }
}

/// `count` group names, unique within the organisation by [`GroupName::key`].
fn group_names(rng: &mut impl Rng, count: usize) -> Vec<GroupName> {
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
            let name = GroupName::parse(&name).expect("the generated group names are valid");
            if keys.insert(name.key()) {
                names.push(name);
            }
        }
    }
    unreachable!("the loop above returns")
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    #[test]
    fn group_name_key_folds_case_and_yo() {
        let key = |name: &str| GroupName::parse(name).unwrap().key();
        assert_eq!(key("Ёлочка"), key("ЕЛОЧКА"));
        assert_eq!(key("Звёздочка"), "звездочка");
        let keys: HashSet<String> = GROUP_NAMES.iter().map(|n| key(n)).collect();
        assert_eq!(
            keys.len(),
            GROUP_NAMES.len(),
            "the list has no key duplicates"
        );
        let mut rng = ChaCha8Rng::seed_from_u64(0);
        let many = group_names(&mut rng, 120);
        let keys: HashSet<String> = many.iter().map(GroupName::key).collect();
        assert_eq!(keys.len(), 120);
    }
}
