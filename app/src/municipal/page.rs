use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::{load_municipal_month, MunicipalMonth};
use crate::components::{Gate, Loaded};
use crate::domain::analytics::{format_rate, DayTally, Tally};
use crate::domain::Role;
use crate::i18n::{t, use_lang, Lang};

#[component]
pub fn MunicipalAttendancePage() -> impl IntoView {
    view! { <Gate roles=&[Role::Municipal] page=|_| view! { <MonthView/> }/> }
}

#[component]
fn MonthView() -> impl IntoView {
    let query = use_query_map();
    let data = Resource::new(move || query.read().get("month"), load_municipal_month);
    view! {
        <Loaded resource=data ok=move |month| view! { <MonthReport month/> } title=("Посещаемость", "Attendance")/>
    }
}

fn dmy(day: chrono::NaiveDate, lang: Lang) -> String {
    day.format(lang.pick("%d.%m.%Y", "%-d %b %Y")).to_string()
}

/// The share present as English readers write it, `87.5%`; [`format_rate`] is the
/// Russian `87,5 %`.
fn rate(permille: Option<u32>, lang: Lang) -> String {
    match (lang, permille) {
        (Lang::En, Some(p)) => format!("{}.{}%", p / 10, p % 10),
        _ => format_rate(permille),
    }
}

#[component]
fn MonthReport(month: MunicipalMonth) -> impl IntoView {
    let MunicipalMonth {
        municipality,
        month,
        month_title,
        previous,
        next,
        today,
        aggregate,
        not_marked_today,
        reasons,
        reasons_en,
        sign_offs,
    } = month;
    let lang = use_lang();
    let today_title = chrono::NaiveDate::parse_from_str(&today, "%Y-%m-%d")
        .map(|day| dmy(day, lang))
        .unwrap_or(today);
    let month_title = match lang {
        Lang::Ru => month_title,
        Lang::En => crate::attendance::month_title_en(&month).unwrap_or(month_title),
    };
    let name_of = move |code: &str| {
        reasons
            .iter()
            .find(|r| r.code == code)
            .map(|r| r.name(lang, &reasons_en).to_owned())
            .unwrap_or_default()
    };
    let total = aggregate.total.clone();
    view! {
        <h1>{match lang {
            Lang::Ru => format!("Посещаемость · {municipality}"),
            Lang::En => format!("Attendance · {municipality}"),
        }}</h1>
        <nav class="day-nav" aria-label=t("Месяц", "Month")>
            {previous.map(|m| view! { <a href=format!("/municipal/attendance?month={m}")>{lang.pick("← Предыдущий месяц", "← Previous month")}</a> })}
            <strong>{month_title}</strong>
            {next.map(|m| view! { <a href=format!("/municipal/attendance?month={m}")>{lang.pick("Следующий месяц →", "Next month →")}</a> })}
            <a href=format!("/export/municipal/{month}.xlsx")>{t("Скачать XLSX", "Download XLSX")}</a>
            <a href=format!("/export/municipal/{month}.csv")>{t("Скачать CSV", "Download CSV")}</a>
        </nav>
        <section class="card not-marked">
            <h2>{match lang {
                Lang::Ru => format!("Не отметили сегодня, {today_title}"),
                Lang::En => format!("Not marked today, {today_title}"),
            }}</h2>
            {if not_marked_today.is_empty() {
                view! {
                    <p class="ok">
                        {lang.pick(
                            "Все организации, у которых сегодня рабочий день, отметили посещаемость.",
                            "All organisations with a working day today have marked attendance.",
                        )}
                    </p>
                }.into_any()
            } else {
                view! {
                    <ul class="not-marked-list">
                        {not_marked_today.into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
        <DayChart days=aggregate.days.clone()/>
        <table class="summary municipal-orgs">
            <thead>
                <tr>
                    <th scope="col">{t("Организация", "Organisation")}</th>
                    <th scope="col">{t("Отмечено дето-дней", "Child-days marked")}</th>
                    <th scope="col">{t("Присутствовали", "Present")}</th>
                    <th scope="col">{t("Отсутствовали", "Absent")}</th>
                    <th scope="col">{t("Посещаемость", "Attendance rate")}</th>
                    <th scope="col">{t("Сегодня", "Today")}</th>
                </tr>
            </thead>
            <tbody>
                {aggregate.organisations.into_iter().map(|o| view! {
                    <tr data-organisation=o.id>
                        <th scope="row">{o.name}</th>
                        <TallyCells tally=o.tally/>
                        <td>{if o.marked_today { lang.pick("отмечено", "marked") } else { lang.pick("нет отметок", "no marks") }}</td>
                    </tr>
                }).collect_view()}
                <tr class="total">
                    <th scope="row">{t("Всего", "Total")}</th>
                    <TallyCells tally=total/>
                    <td></td>
                </tr>
            </tbody>
        </table>
        <h2>{t("Табели за месяц", "The month's timesheets")}</h2>
        <table class="summary sign-offs">
            <thead>
                <tr>
                    <th scope="col">{t("Организация", "Organisation")}</th>
                    <th scope="col">{t("Групп", "Groups")}</th>
                    <th scope="col">{t("Сдано", "Submitted")}</th>
                    <th scope="col">{t("Подписано", "Signed off")}</th>
                    <th scope="col">{t("Состояние", "Status")}</th>
                </tr>
            </thead>
            <tbody>
                {sign_offs.into_iter().map(|o| view! {
                    <tr data-organisation=o.id class:signed-off=o.progress.is_signed_off()>
                        <th scope="row">{o.name}</th>
                        <td class="num">{o.progress.groups}</td>
                        <td class="num">{o.progress.submitted}</td>
                        <td class="num">{o.progress.signed}</td>
                        <td class="status">{o.progress.summary(lang)}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        <h2>{t("Отсутствия по причинам", "Absences by reason")}</h2>
        <table class="summary by-reason">
            <thead><tr><th scope="col">{t("Причина", "Reason")}</th><th scope="col">{t("Дето-дней", "Child-days")}</th></tr></thead>
            <tbody>
                {aggregate.by_reason.into_iter().map(|(code, n)| {
                    let name = name_of(&code);
                    view! { <tr data-reason=code.clone()><th scope="row">{format!("{code} — {name}")}</th><td class="num">{n}</td></tr> }
                }).collect_view()}
                <tr data-reason=""><th scope="row">{t("Причина неизвестна", "Reason unknown")}</th><td class="num">{aggregate.unexplained}</td></tr>
            </tbody>
        </table>
    }
}

#[component]
fn TallyCells(tally: Tally) -> impl IntoView {
    let lang = use_lang();
    view! {
        <td class="num marked">{tally.marked()}</td>
        <td class="num present">{tally.present}</td>
        <td class="num absent">{tally.absent}</td>
        <td class="num rate">{rate(tally.rate(), lang)}</td>
    }
}

/// The share present on each marked day, as SVG bars drawn on the server.
#[component]
fn DayChart(days: Vec<DayTally>) -> impl IntoView {
    let lang = use_lang();
    if days.is_empty() {
        return view! { <p class="muted">{t("В этом месяце отметок нет.", "No marks this month.")}</p> }.into_any();
    }
    const BAR: usize = 24;
    const HEIGHT: u32 = 120;
    let width = days.len() * BAR;
    let bars = days
        .into_iter()
        .enumerate()
        .map(|(i, d)| {
            let permille = d.tally.rate().unwrap_or(0);
            let h = HEIGHT * permille / 1000;
            let x = i * BAR + 3;
            let label = format!("{}: {}", dmy(d.day, lang), rate(d.tally.rate(), lang));
            view! {
                <g>
                    <title>{label}</title>
                    <rect x=x y=HEIGHT - h width=BAR - 6 height=h class="bar"/>
                    <text x=x + (BAR - 6) / 2 y=HEIGHT + 14 text-anchor="middle" class="axis">{d.day.format("%d").to_string()}</text>
                </g>
            }
        })
        .collect_view();
    view! {
        <figure class="attendance-chart">
            <svg viewBox=format!("0 0 {width} {}", HEIGHT + 20) role="img" aria-label=t("Посещаемость по дням месяца", "Attendance by day of the month") preserveAspectRatio="xMinYMin meet">
                {bars}
            </svg>
            <figcaption class="muted">{t("Доля присутствовавших среди отмеченных, по дням", "Share present among the children marked, by day")}</figcaption>
        </figure>
    }
    .into_any()
}
