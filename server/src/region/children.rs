//! Stage 3: children, their enrolments and their parents.

use std::ops::Range;

use chrono::{Datelike, NaiveDate};
use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::calendar::{iso, local_millis, Calendar};
use super::names::{
    adult_name, mobile_phone, patronymic, personal_email, random_sex, surname_form, FullName, Sex,
    BOY_NAMES, GIRL_NAMES, MALE_NAMES, SURNAMES,
};
use super::structure::Region;
use super::writer::{ChildRow, GuardianRow, PersonRow, Writer};
use super::{take_id, NextIds, Stage};

/// What the Marks stage needs to know about a child.
pub(super) struct ChildPlan {
    pub(super) id: i64,
    /// Index into [`Region::groups`].
    pub(super) group: usize,
    /// Marked working days: indexes into [`Calendar::working_days`].
    pub(super) days: Range<usize>,
    /// Younger children fall ill more often.
    pub(super) age_factor: f64,
    /// `people.id` of the mother and the father, where known: they are asked about an
    /// unexplained absence.
    pub(super) guardians: [Option<i64>; 2],
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

pub(super) async fn write_children(
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
