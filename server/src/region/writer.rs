//! Batched multi-row inserts with bound parameters, and the rows they write.

use std::collections::HashMap;

use sqlx::any::AnyArguments;
use sqlx::{Any, AnyConnection};

use app::db::Backend;

type AnyQuery<'q> = sqlx::query::Query<'q, Any, AnyArguments<'q>>;

/// A row of one table, bound column by column in [`Insertable::COLUMNS`] order.
pub(super) trait Insertable {
    const TABLE: &'static str;
    const COLUMNS: &'static [&'static str];
    /// The first column is the table's identity `id`, given explicitly.
    const EXPLICIT_ID: bool;
    fn bind<'q>(&'q self, query: AnyQuery<'q>) -> AnyQuery<'q>;
}

/// Bound parameters per statement: SQLite allows 32,766 (PostgreSQL 65,535).
const MAX_PARAMETERS: usize = 32_766;

/// Writes rows as multi-row inserts on one connection (inside the caller's transaction).
pub(super) struct Writer<'c> {
    conn: &'c mut AnyConnection,
    backend: Backend,
    /// Statement text by table and row count: the full-size statement of each table is
    /// built once and stays prepared.
    sql: HashMap<(&'static str, usize), String>,
}

impl<'c> Writer<'c> {
    pub(super) fn new(conn: &'c mut AnyConnection, backend: Backend) -> Self {
        Self {
            conn,
            backend,
            sql: HashMap::new(),
        }
    }

    pub(super) fn rows_per_statement<R: Insertable>(&self) -> usize {
        MAX_PARAMETERS / R::COLUMNS.len()
    }

    pub(super) async fn insert<R: Insertable>(&mut self, rows: &[R]) -> Result<(), sqlx::Error> {
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

pub(super) struct MunicipalityRow<'a> {
    pub(super) id: i64,
    pub(super) name: &'a str,
}

impl Insertable for MunicipalityRow<'_> {
    const TABLE: &'static str = "municipalities";
    const COLUMNS: &'static [&'static str] = &["id", "name"];
    const EXPLICIT_ID: bool = true;
    fn bind<'q>(&'q self, q: AnyQuery<'q>) -> AnyQuery<'q> {
        q.bind(self.id).bind(self.name)
    }
}

pub(super) struct OrganisationRow<'a> {
    pub(super) id: i64,
    pub(super) name: &'a str,
    pub(super) short_name: &'a str,
    pub(super) inn: &'a str,
    pub(super) kpp: &'a str,
    pub(super) municipality_id: i64,
    pub(super) created_at: i64,
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

pub(super) struct CalendarDayRow<'a> {
    pub(super) organisation_id: i64,
    pub(super) day: &'a str,
    pub(super) kind: &'static str,
}

impl Insertable for CalendarDayRow<'_> {
    const TABLE: &'static str = "calendar_days";
    const COLUMNS: &'static [&'static str] = &["organisation_id", "day", "kind"];
    const EXPLICIT_ID: bool = false;
    fn bind<'q>(&'q self, q: AnyQuery<'q>) -> AnyQuery<'q> {
        q.bind(self.organisation_id).bind(self.day).bind(self.kind)
    }
}

pub(super) struct GroupRow<'a> {
    pub(super) id: i64,
    pub(super) organisation_id: i64,
    pub(super) name: &'a str,
    pub(super) name_key: &'a str,
    pub(super) created_at: i64,
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

pub(super) struct PersonRow {
    pub(super) id: i64,
    pub(super) surname: String,
    pub(super) given_name: String,
    pub(super) patronymic: String,
    pub(super) email: Option<String>,
    pub(super) phone: Option<String>,
    pub(super) created_at: i64,
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

pub(super) struct AccountRow<'a> {
    pub(super) person_id: i64,
    pub(super) login: &'a str,
    pub(super) password_hash: &'a str,
    pub(super) created_at: i64,
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

pub(super) struct StaffRow {
    pub(super) id: i64,
    pub(super) person_id: i64,
    pub(super) organisation_id: i64,
    pub(super) position: &'static str,
    pub(super) created_at: i64,
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

pub(super) struct RoleGrantRow {
    pub(super) person_id: i64,
    pub(super) role: &'static str,
    pub(super) organisation_id: Option<i64>,
    pub(super) municipality_id: Option<i64>,
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

pub(super) struct TeacherGroupRow {
    pub(super) staff_id: i64,
    pub(super) group_id: i64,
}

impl Insertable for TeacherGroupRow {
    const TABLE: &'static str = "teacher_groups";
    const COLUMNS: &'static [&'static str] = &["staff_id", "group_id"];
    const EXPLICIT_ID: bool = false;
    fn bind<'q>(&'q self, q: AnyQuery<'q>) -> AnyQuery<'q> {
        q.bind(self.staff_id).bind(self.group_id)
    }
}

pub(super) struct ChildRow {
    pub(super) id: i64,
    pub(super) group_id: i64,
    pub(super) surname: String,
    pub(super) given_name: String,
    pub(super) patronymic: String,
    pub(super) birth_date: String,
    pub(super) enrolled_on: String,
    pub(super) left_on: Option<String>,
    pub(super) created_at: i64,
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

pub(super) struct GuardianRow {
    pub(super) child_id: i64,
    pub(super) person_id: i64,
    pub(super) relation: &'static str,
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

pub(super) struct MarkRow<'a> {
    pub(super) child_id: i64,
    pub(super) day: &'a str,
    pub(super) status: &'static str,
    pub(super) reason: Option<&'static str>,
    pub(super) recorded_at: i64,
    pub(super) recorded_by: i64,
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

pub(super) struct NoticeRow<'a> {
    pub(super) id: i64,
    pub(super) child_id: i64,
    pub(super) day: &'a str,
    pub(super) request_key: String,
    pub(super) created_by: i64,
    pub(super) created_at: i64,
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

pub(super) struct NoticeRecipientRow {
    pub(super) notice_id: i64,
    pub(super) person_id: i64,
}

impl Insertable for NoticeRecipientRow {
    const TABLE: &'static str = "notice_recipients";
    const COLUMNS: &'static [&'static str] = &["notice_id", "person_id"];
    const EXPLICIT_ID: bool = false;
    fn bind<'q>(&'q self, q: AnyQuery<'q>) -> AnyQuery<'q> {
        q.bind(self.notice_id).bind(self.person_id)
    }
}
