//! The page each role lands on after signing in: what that role can open.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::auth::Me;
use crate::components::{ErrorNotice, Gate};
use crate::domain::Role;
use crate::error::AppError;
use crate::groups::{my_groups, page::GroupTable};
use crate::i18n::{t, use_lang};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnChild {
    pub id: i64,
    pub full_name: String,
    pub group_name: String,
    pub organisation: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganisationSummary {
    pub id: i64,
    pub short_name: String,
    pub groups: i64,
    pub children: i64,
}

/// A parent's own children.
#[server(prefix = "/api", endpoint = "my_children")]
pub async fn my_children() -> Result<Vec<OwnChild>, AppError> {
    crate::state::with_actor(|db, actor| async move { ssr::my_children(&db, &actor).await }).await
}

/// The organisations of a municipal specialist's municipality, in aggregate.
#[server(prefix = "/api", endpoint = "municipal_organisations")]
pub async fn municipal_organisations() -> Result<Vec<OrganisationSummary>, AppError> {
    crate::state::with_actor(
        |db, actor| async move { ssr::municipal_organisations(&db, &actor).await },
    )
    .await
}

#[component]
pub fn HomePage() -> impl IntoView {
    view! { <Gate page=|me: Me| home_for(me.role)/> }
}

fn home_for(role: Option<Role>) -> AnyView {
    match role {
        Some(Role::OrgAdmin) => view! { <AdminHome/> }.into_any(),
        Some(Role::Teacher) => view! { <TeacherHome/> }.into_any(),
        Some(Role::Parent) => view! { <ParentHome/> }.into_any(),
        Some(Role::Municipal) => view! { <MunicipalHome/> }.into_any(),
        None => ().into_any(),
    }
}

#[component]
fn AdminHome() -> impl IntoView {
    view! {
        <h1>{t("Дошкольное образование", "Preschool education")}</h1>
        <nav class="tiles" aria-label=t("Справочники", "Directories")>
            <a class="tile" href="/admin/summary">
                {t("Сводка за день", "Daily summary")}
                <span>{t("Кто отсутствует, по группам и причинам; запросы без ответа", "Who is absent, by group and reason; unanswered requests")}</span>
            </a>
            <a class="tile" href="/reports/absences">
                {t("Длительные отсутствия", "Long absences")}
                <span>{t("Кто не ходит много дней подряд или без уважительной причины", "Who has been away many days in a row or without a valid reason")}</span>
            </a>
            <a class="tile" href="/admin/groups">
                {t("Группы", "Groups")}
                <span>{t("Группы, возраст, режим пребывания, кабинет", "Groups, ages, stay mode, room")}</span>
            </a>
            <a class="tile" href="/admin/premises">
                {t("Здания, кабинеты, места", "Buildings, rooms, places")}
                <span>{t("Где занимаются группы и сколько в кабинетах мест", "Where the groups live and how many places the rooms have")}</span>
            </a>
            <a class="tile" href="/admin/stay-modes">
                {t("Режимы пребывания", "Stay modes")}
                <span>{t("Полный день, кратковременное пребывание и свои режимы", "Full day, short stay and the organisation's own modes")}</span>
            </a>
            <a class="tile" href="/staff">
                {t("Кадры", "Staff")}
                <span>{t("Сотрудники, учётные записи, роли и права", "Employees, accounts, roles and permissions")}</span>
            </a>
            <a class="tile" href="/children">
                {t("Контингент", "Children")}
                <span>{t("Дети, родители, загрузка из CSV", "Children, parents, upload from CSV")}</span>
            </a>
            <a class="tile" href="/admin/orders">
                {t("Приказы", "Orders")}
                <span>{t("Перевод, отчисление, восстановление; перевод групп на новый год", "Transfer, leaving, return; moving groups up for the new year")}</span>
            </a>
            <a class="tile" href="/admin/calendar">
                {t("Календарный учебный график", "School calendar")}
                <span>{t("Праздничные и перенесённые рабочие дни", "Public holidays and moved working days")}</span>
            </a>
            <a class="tile" href="/admin/reasons">
                {t("Причины отсутствия", "Absence reasons")}
                <span>{t("Уважительные, оплачиваемые", "Excused, charged")}</span>
            </a>
        </nav>
    }
}

#[component]
fn TeacherHome() -> impl IntoView {
    let groups = Resource::new(|| (), |_| my_groups());
    let lang = use_lang();
    view! {
        <h1>{t("Мои группы", "My groups")}</h1>
        <Transition fallback=move || view! { <p class="muted">{lang.pick("Загрузка…", "Loading…")}</p> }>
            {move || Suspend::new(async move {
                match groups.await {
                    Ok(groups) if groups.is_empty() => view! {
                        <p class="notice">
                            {lang.pick(
                                "Вы пока не привязаны ни к одной группе. Обратитесь к администратору организации.",
                                "You are not assigned to any group yet. Contact your organisation's administrator.",
                            )}
                        </p>
                    }.into_any(),
                    Ok(groups) => view! { <GroupTable groups/> }.into_any(),
                    Err(error) => view! { <ErrorNotice error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn ParentHome() -> impl IntoView {
    let children = Resource::new(|| (), |_| my_children());
    let lang = use_lang();
    view! {
        <h1>{t("Мои дети", "My children")}</h1>
        <Transition fallback=move || view! { <p class="muted">{lang.pick("Загрузка…", "Loading…")}</p> }>
            {move || Suspend::new(async move {
                match children.await {
                    Ok(children) => view! {
                        <ul class="own-children">
                            {children.into_iter().map(|c| view! {
                                <li>
                                    <strong class="child-name">{c.full_name}</strong>" — "{c.group_name}", "{c.organisation}
                                    " · "<a href=format!("/family/{}", c.id)>{lang.pick("Сообщить об отсутствии", "Report an absence")}</a>
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(error) => view! { <ErrorNotice error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn MunicipalHome() -> impl IntoView {
    let orgs = Resource::new(|| (), |_| municipal_organisations());
    let lang = use_lang();
    view! {
        <h1>{t("Организации муниципалитета", "Organisations of the municipality")}</h1>
        <p class="toolbar">
            <a class="button inline" href="/municipal/attendance">{t("Посещаемость за месяц", "Attendance for the month")}</a>
            <a class="button inline" href="/reports/absences">{t("Длительные отсутствия", "Long absences")}</a>
            <a class="button inline" href="/municipal/reasons">{t("Освобождение от платы", "Fee exemptions")}</a>
            <a class="button inline" href="/registrations">{t("Заявки на регистрацию", "Registration requests")}</a>
        </p>
        <Transition fallback=move || view! { <p class="muted">{lang.pick("Загрузка…", "Loading…")}</p> }>
            {move || Suspend::new(async move {
                match orgs.await {
                    Ok(orgs) => view! {
                        <table class="org-list">
                            <thead>
                                <tr>
                                    <th scope="col">{lang.pick("Организация", "Organisation")}</th>
                                    <th scope="col" class="num">{lang.pick("Групп", "Groups")}</th>
                                    <th scope="col" class="num">{lang.pick("Детей", "Children")}</th>
                                </tr>
                            </thead>
                            <tbody>
                                {orgs.into_iter().map(|o| view! {
                                    <tr><td>{o.short_name}</td><td class="num">{o.groups}</td><td class="num">{o.children}</td></tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                    Err(error) => view! { <ErrorNotice error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[cfg(feature = "ssr")]
mod ssr {
    use sqlx::Row;

    use super::{OrganisationSummary, OwnChild};
    use crate::db::Db;
    use crate::domain::{Actor, Role};
    use crate::error::AppError;
    use crate::rows::full_name;

    pub async fn my_children(db: &Db, actor: &Actor) -> Result<Vec<OwnChild>, AppError> {
        if actor.role != Role::Parent {
            return Err(AppError::forbidden());
        }
        let rows = sqlx::query(
            "SELECT c.id, c.surname, c.given_name, c.patronymic, g.name AS group_name, o.short_name \
             FROM child_guardians cg JOIN children c ON c.id = cg.child_id \
             JOIN groups g ON g.id = c.group_id JOIN organisations o ON o.id = g.organisation_id \
             WHERE cg.person_id = $1 ORDER BY c.surname, c.given_name",
        )
        .bind(actor.person_id)
        .fetch_all(db.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(OwnChild {
                    id: r.try_get("id")?,
                    full_name: full_name(r)?,
                    group_name: r.try_get("group_name")?,
                    organisation: r.try_get("short_name")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }

    pub async fn municipal_organisations(
        db: &Db,
        actor: &Actor,
    ) -> Result<Vec<OrganisationSummary>, AppError> {
        let municipality_id = actor
            .municipality_id
            .filter(|_| actor.role == Role::Municipal)
            .ok_or_else(AppError::forbidden)?;
        let rows = sqlx::query(
            "SELECT o.id, o.short_name, \
               (SELECT COUNT(*) FROM groups g WHERE g.organisation_id = o.id) AS groups, \
               (SELECT COUNT(*) FROM children c JOIN groups g ON g.id = c.group_id WHERE g.organisation_id = o.id) AS children \
             FROM organisations o WHERE o.municipality_id = $1 ORDER BY o.short_name",
        )
        .bind(municipality_id)
        .fetch_all(db.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(OrganisationSummary {
                    id: r.try_get("id")?,
                    short_name: r.try_get("short_name")?,
                    groups: r.try_get("groups")?,
                    children: r.try_get("children")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }
}
