use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::{load_municipal_month, MunicipalMonth};
use crate::components::{ErrorNotice, Gate};
use crate::domain::analytics::{format_rate, DayTally, Tally};
use crate::domain::Role;

#[component]
pub fn MunicipalAttendancePage() -> impl IntoView {
    view! { <Gate roles=&[Role::Municipal] page=|_| view! { <MonthView/> }/> }
}

#[component]
fn MonthView() -> impl IntoView {
    let query = use_query_map();
    let data = Resource::new(move || query.read().get("month"), load_municipal_month);
    view! {
        <Transition fallback=|| view! { <p class="muted">"Загрузка…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(month) => view! { <MonthReport month/> }.into_any(),
                    Err(error) => view! { <h1>"Посещаемость"</h1><ErrorNotice error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

fn dmy(day: chrono::NaiveDate) -> String {
    day.format("%d.%m.%Y").to_string()
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
    } = month;
    let today_title = chrono::NaiveDate::parse_from_str(&today, "%Y-%m-%d")
        .map(dmy)
        .unwrap_or(today);
    let name_of = move |code: &str| {
        reasons
            .iter()
            .find(|r| r.code == code)
            .map(|r| r.name_ru.clone())
            .unwrap_or_default()
    };
    let total = aggregate.total.clone();
    view! {
        <h1>{format!("Посещаемость · {municipality}")}</h1>
        <nav class="day-nav" aria-label="Месяц">
            {previous.map(|m| view! { <a href=format!("/municipal/attendance?month={m}")>"← Предыдущий месяц"</a> })}
            <strong>{month_title}</strong>
            {next.map(|m| view! { <a href=format!("/municipal/attendance?month={m}")>"Следующий месяц →"</a> })}
            <a href=format!("/export/municipal/{month}.xlsx")>"Скачать XLSX"</a>
            <a href=format!("/export/municipal/{month}.csv")>"Скачать CSV"</a>
        </nav>
        <section class="card not-marked">
            <h2>{format!("Не отметили сегодня, {today_title}")}</h2>
            {if not_marked_today.is_empty() {
                view! { <p class="ok">"Все организации, у которых сегодня рабочий день, отметили посещаемость."</p> }.into_any()
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
                    <th scope="col">"Организация"</th>
                    <th scope="col">"Отмечено дето-дней"</th>
                    <th scope="col">"Присутствовали"</th>
                    <th scope="col">"Отсутствовали"</th>
                    <th scope="col">"Посещаемость"</th>
                    <th scope="col">"Сегодня"</th>
                </tr>
            </thead>
            <tbody>
                {aggregate.organisations.into_iter().map(|o| view! {
                    <tr data-organisation=o.id>
                        <th scope="row">{o.name}</th>
                        <TallyCells tally=o.tally/>
                        <td>{if o.marked_today { "отмечено" } else { "нет отметок" }}</td>
                    </tr>
                }).collect_view()}
                <tr class="total">
                    <th scope="row">"Всего"</th>
                    <TallyCells tally=total/>
                    <td></td>
                </tr>
            </tbody>
        </table>
        <h2>"Отсутствия по причинам"</h2>
        <table class="summary by-reason">
            <thead><tr><th scope="col">"Причина"</th><th scope="col">"Дето-дней"</th></tr></thead>
            <tbody>
                {aggregate.by_reason.into_iter().map(|(code, n)| {
                    let name = name_of(&code);
                    view! { <tr data-reason=code.clone()><th scope="row">{format!("{code} — {name}")}</th><td class="num">{n}</td></tr> }
                }).collect_view()}
                <tr data-reason=""><th scope="row">"Причина неизвестна"</th><td class="num">{aggregate.unexplained}</td></tr>
            </tbody>
        </table>
    }
}

#[component]
fn TallyCells(tally: Tally) -> impl IntoView {
    view! {
        <td class="num marked">{tally.marked()}</td>
        <td class="num present">{tally.present}</td>
        <td class="num absent">{tally.absent}</td>
        <td class="num rate">{format_rate(tally.rate())}</td>
    }
}

/// The share present on each marked day, as SVG bars drawn on the server.
#[component]
fn DayChart(days: Vec<DayTally>) -> impl IntoView {
    if days.is_empty() {
        return view! { <p class="muted">"В этом месяце отметок нет."</p> }.into_any();
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
            let label = format!("{}: {}", dmy(d.day), format_rate(d.tally.rate()));
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
            <svg viewBox=format!("0 0 {width} {}", HEIGHT + 20) role="img" aria-label="Посещаемость по дням месяца" preserveAspectRatio="xMinYMin meet">
                {bars}
            </svg>
            <figcaption class="muted">"Доля присутствовавших среди отмеченных, по дням"</figcaption>
        </figure>
    }
    .into_any()
}
