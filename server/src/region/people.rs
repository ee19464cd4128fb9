//! Stage 2: municipal specialists and kindergarten staff, all with accounts.

use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::names::{adult_name, mobile_phone, random_sex};
use super::structure::Region;
use super::writer::{AccountRow, PersonRow, RoleGrantRow, StaffRow, TeacherGroupRow, Writer};
use super::{take_id, weighted_choice, NextIds, RegionParams, Stage};

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
pub(super) async fn write_people(
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
