use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::{load_long_absences, LongAbsenceReport};
use crate::components::{Gate, Loaded};
use crate::domain::Role;
use crate::i18n::{t, use_lang, Lang};

#[component]
pub fn LongAbsencesPage() -> impl IntoView {
    view! { <Gate roles=&[Role::OrgAdmin, Role::Municipal] page=|_| view! { <ReportView/> }/> }
}

#[component]
fn ReportView() -> impl IntoView {
    let query = use_query_map();
    let data = Resource::new(move || query.read().get("month"), load_long_absences);
    view! {
        <Loaded resource=data ok=move |report| view! { <Report report/> } title=("Длительные отсутствия", "Long absences")/>
    }
}

#[component]
fn Report(report: LongAbsenceReport) -> impl IntoView {
    let LongAbsenceReport {
        month,
        month_title,
        previous,
        next,
        several_organisations,
        rows,
    } = report;
    let lang = use_lang();
    let month_title = match lang {
        Lang::Ru => month_title,
        Lang::En => crate::attendance::month_title_en(&month).unwrap_or(month_title),
    };
    let link = |m: &str| format!("/reports/absences?month={m}");
    view! {
        <h1>{t("Длительные отсутствия", "Long absences")}</h1>
        <nav class="day-nav" aria-label=t("Месяц", "Month")>
            {previous.map(|m| view! { <a href=link(&m)>{lang.pick("← Предыдущий месяц", "← Previous month")}</a> })}
            <strong>{month_title}</strong>
            {next.map(|m| view! { <a href=link(&m)>{lang.pick("Следующий месяц →", "Next month →")}</a> })}
            <a href=format!("/export/absences/{month}.xlsx") rel="external" download>{t("Скачать XLSX", "Download XLSX")}</a>
            <a href=format!("/export/absences/{month}.csv") rel="external" download>{t("Скачать CSV", "Download CSV")}</a>
        </nav>
        <p class="muted">{t(
            "Дети, отсутствующие подряд не меньше заданного числа рабочих дней (по умолчанию 5; выходные и праздники серию не прерывают), и дети с заданным числом дней без уважительной причины за месяц (по умолчанию 3).",
            "Children absent at least the set number of working days in a row (5 by default; weekends and holidays do not break a run), and children with the set number of days without a valid reason in the month (3 by default).",
        )}</p>
        {if rows.is_empty() {
            view! { <p class="ok long-absences-empty">{t("В этом месяце таких детей нет.", "No such children this month.")}</p> }.into_any()
        } else {
            view! {
                <table class="summary long-absences">
                    <thead>
                        <tr>
                            {several_organisations.then(|| view! { <th scope="col">{t("Организация", "Organisation")}</th> })}
                            <th scope="col">{t("Группа", "Group")}</th>
                            <th scope="col">{t("Ребёнок", "Child")}</th>
                            <th scope="col">{t("Отсутствует подряд", "Absent in a row")}</th>
                            <th scope="col">{t("Без уважительной причины за месяц, дней", "Days without a valid reason this month")}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {rows.into_iter().map(|row| {
                            let streaks = row.streaks(lang);
                            view! {
                                <tr data-child=row.child_id>
                                    {several_organisations.then(|| view! { <td>{row.organisation.clone()}</td> })}
                                    <td>{row.group.clone()}</td>
                                    <th scope="row">{row.child.clone()}</th>
                                    <td class="streaks">{streaks}</td>
                                    <td class="num unexplained" class:flagged=row.unexplained_listed>{row.unexplained}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any()
        }}
    }
}
