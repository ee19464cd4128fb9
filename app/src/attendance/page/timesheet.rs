//! The month's табель посещаемости of a group (form 0504608), with its chart.

use leptos::prelude::*;

use super::param;
use crate::attendance::{
    load_timesheet, month_title_en, RequestMonthClose, SetMonthClosed, TimesheetView,
};
use crate::components::{ErrorNotice, Gate};
use crate::domain::timesheet::{Cell, ChildTotals, DayColumn};
use crate::domain::Role;
use crate::i18n::{t, use_lang, Lang};

/// The month's табель посещаемости for a group (form 0504608).
#[component]
pub fn TimesheetPage() -> impl IntoView {
    view! { <Gate roles=&[Role::OrgAdmin, Role::Teacher] page=|_| view! { <TimesheetLoader/> }/> }
}

#[component]
fn TimesheetLoader() -> impl IntoView {
    let group = param("id");
    let month = param("month");
    let close = ServerAction::<SetMonthClosed>::new();
    let view_data = Resource::new(
        move || (group(), month(), close.version().get()),
        |(group, month, _)| async move {
            let group = group
                .and_then(|g| g.parse::<i64>().ok())
                .unwrap_or_default();
            load_timesheet(group, month.unwrap_or_default()).await
        },
    );
    let lang = use_lang();
    view! {
        <Transition fallback=move || view! { <p class="muted">{lang.pick("Загрузка…", "Loading…")}</p> }>
            {move || Suspend::new(async move {
                match view_data.await {
                    Ok(data) => view! { <TimesheetGrid data close/> }.into_any(),
                    Err(error) => view! { <h1>{lang.pick("Табель", "Timesheet")}</h1><ErrorNotice error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// «Б 2, О 1, без причины 1»: absences by reason code, then those with no reason yet.
fn by_reason(totals: &ChildTotals, lang: Lang) -> String {
    let mut parts: Vec<String> = totals
        .absent_by_reason
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(code, n)| format!("{code} {n}"))
        .collect();
    if totals.absent_no_reason > 0 {
        parts.push(match lang {
            Lang::Ru => format!("без причины {}", totals.absent_no_reason),
            Lang::En => format!("no reason {}", totals.absent_no_reason),
        });
    }
    parts.join(", ")
}

#[component]
fn TimesheetGrid(data: TimesheetView, close: ServerAction<SetMonthClosed>) -> impl IntoView {
    let TimesheetView {
        organisation,
        group_id,
        group,
        month,
        month_title,
        responsible,
        closed,
        can_close,
        can_request_close,
        close_requested_by: _,
        submitted,
        signed,
        sheet,
        legend,
    } = data;
    let lang = use_lang();
    let month_title = match lang {
        Lang::Ru => month_title,
        Lang::En => month_title_en(&month).unwrap_or(month_title),
    };
    let request = ServerAction::<RequestMonthClose>::new();
    let month_for_request = month.clone();
    let export = |ext: &str| format!("/export/timesheet/{group_id}/{month}.{ext}");
    let days = sheet.days.clone();
    view! {
        <header class="timesheet-head">
            <h1>{t("Табель учёта посещаемости детей", "Children's attendance timesheet")}</h1>
            <p class="period">{month_title}</p>
            <p>{organisation}</p>
            <p>{t("Группа: ", "Group: ")}<strong>{group}</strong>{t(" · Ответственный: ", " · Person in charge: ")}{responsible}</p>
            <p class="status">{if closed { t("Месяц закрыт", "Month closed") } else { t("Месяц открыт", "Month open") }}</p>
            {submitted.clone().map(|s| view! { <p class="signature submitted">{lang.pick("Табель сдал: ", "Submitted by: ")}{s.line()}</p> })}
            {signed.map(|s| view! { <p class="signature signed">{lang.pick("Подписал: ", "Signed off by: ")}{s.line()}</p> })}
        </header>
        <nav class="day-nav no-print">
            <a href=export("xlsx") rel="external" download>{t("Скачать XLSX", "Download XLSX")}</a>
            <a href=export("pdf") rel="external" download>{t("Скачать PDF", "Download PDF")}</a>
            <button type="button" class="secondary" data-action="print">{t("Печать", "Print")}</button>
            {can_close.then(|| view! {
                <ActionForm action=close attr:class="close-month">
                    <input type="hidden" name="group_id" value=group_id/>
                    <input type="hidden" name="month" value=month.clone()/>
                    <input type="hidden" name="closed" value=(!closed).to_string()/>
                    {closed.then(|| view! {
                        <label for="reopen-reason" class="visually-hidden">{lang.pick("Причина открытия", "Reason for reopening")}</label>
                        <input id="reopen-reason" name="reason" type="text" required
                            placeholder=lang.pick("Причина открытия месяца", "Reason for reopening the month")/>
                    })}
                    <button type="submit" class="secondary">
                        {if closed { lang.pick("Открыть месяц", "Reopen month") } else { lang.pick("Подписать и закрыть месяц", "Sign off and close month") }}
                    </button>
                </ActionForm>
            })}
        </nav>
        {move || close.value().get().and_then(Result::err).map(|e| view! { <p class="error" role="alert">{e.message(lang)}</p> })}
        {submitted.filter(|_| !closed && can_close).map(|s| view! {
            <p class="notice close-requested" role="status">{match lang {
                Lang::Ru => format!("{} сдал(а) табель. Проверьте его и подпишите: месяц закроется.", s.by),
                Lang::En => format!("{} submitted the timesheet. Check it and sign it off: the month will close.", s.by),
            }}</p>
        })}
        {can_request_close.then(|| view! {
            <ActionForm action=request attr:class="request-close no-print">
                <input type="hidden" name="group_id" value=group_id/>
                <input type="hidden" name="month" value=month_for_request.clone()/>
                <button type="submit" class="secondary">
                    {lang.pick("Сдать табель заведующему", "Submit the timesheet to the head")}
                </button>
            </ActionForm>
            {move || match request.value().get() {
                Some(Ok(())) => Some(view! {
                    <p class="notice request-sent" role="status">
                        {lang.pick("Табель сдан: заведующий его подпишет.", "Timesheet submitted: the head will sign it off.")}
                    </p>
                }.into_any()),
                Some(Err(e)) => Some(view! { <p class="error" role="alert">{e.message(lang)}</p> }.into_any()),
                None => None,
            }}
        })}
        <AttendanceChart days=days.clone()/>
        // Wider than a tablet: keyboard users scroll it once it has focus (WCAG 2.1.1).
        <div class="timesheet-scroll" tabindex="0" role="region"
            aria-label=lang.pick("Табель по дням месяца", "The timesheet by day of the month")>
            <table class="timesheet">
                <thead>
                    <tr>
                        <th scope="col">{t("№", "No.")}</th>
                        <th scope="col" class="name">{t("Фамилия, имя ребёнка", "Child's surname and name")}</th>
                        {days.iter().map(|d| view! {
                            <th scope="col" class="day" class:off=!d.kind.is_working()>{d.date.format("%d").to_string()}</th>
                        }).collect_view()}
                        <th scope="col">{t("Пропущено", "Days absent")}</th>
                        <th scope="col">{t("в т. ч. уваж.", "of which excused")}</th>
                        <th scope="col">{t("По причинам", "By reason")}</th>
                        <th scope="col">{t("Посещено", "Days attended")}</th>
                        <th scope="col">{t("К оплате", "Days charged")}</th>
                    </tr>
                </thead>
                <tbody>
                    {sheet.rows.iter().enumerate().map(|(i, row)| view! {
                        <tr data-child=row.name.clone()>
                            <td>{i + 1}</td>
                            <td class="name">{row.name.clone()}</td>
                            {row.cells.iter().map(|c| view! {
                                <td class="day" class:off=matches!(c, Cell::DayOff)>{c.printed().to_owned()}</td>
                            }).collect_view()}
                            <td class="num absent-total">{row.totals.absent_total}</td>
                            <td class="num absent-excused">{row.totals.absent_excused}</td>
                            <td class="by-reason">{by_reason(&row.totals, lang)}</td>
                            <td class="num attended">{row.totals.attended}</td>
                            <td class="num charged">{row.totals.charged_days}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
                <tfoot>
                    <tr class="present-per-day">
                        <td></td>
                        <th scope="row" class="name">{t("Присутствовало", "Present")}</th>
                        {days.iter().map(|d| view! {
                            <td class="day">{if d.kind.is_working() && d.present + d.absent > 0 { d.present.to_string() } else { String::new() }}</td>
                        }).collect_view()}
                        <td class="num">{sheet.totals.sum.absent_total}</td>
                        <td class="num">{sheet.totals.sum.absent_excused}</td>
                        <td class="by-reason">{by_reason(&sheet.totals.sum, lang)}</td>
                        <td class="num">{sheet.totals.sum.attended}</td>
                        <td class="num">{sheet.totals.sum.charged_days}</td>
                    </tr>
                </tfoot>
            </table>
        </div>
        {(!legend.is_empty()).then(|| view! {
            <section class="legend" aria-labelledby="legend-title">
                <h2 id="legend-title">{t("Условные обозначения", "Legend")}</h2>
                <dl>
                    {legend.into_iter().map(|entry| {
                        let symbol = if entry.symbol.is_empty() { t("пусто", "blank").to_owned() } else { entry.symbol };
                        let key = symbol.clone();
                        view! {
                            <div class="legend-entry" data-symbol=key>
                                <dt>{symbol}</dt>
                                <dd>{lang.pick(&entry.ru, &entry.en).to_owned()}</dd>
                            </div>
                        }
                    }).collect_view()}
                </dl>
            </section>
        })}
        <p class="signatures">{t("Ответственный ____________ · Руководитель ____________", "Person in charge ____________ · Head ____________")}</p>
    }
}

/// Share of the marked children present on each working day, drawn on the server as
/// SVG: a glance at the month without a charting library in the wasm bundle.
#[component]
fn AttendanceChart(days: Vec<DayColumn>) -> impl IntoView {
    let lang = use_lang();
    const BAR: usize = 18;
    const HEIGHT: u32 = 100;
    let width = days.len() * BAR;
    let bars = days
        .iter()
        .enumerate()
        .filter(|(_, d)| d.kind.is_working() && d.present + d.absent > 0)
        .map(|(i, d)| {
            let share = d.present * 100 / (d.present + d.absent);
            let h = share * HEIGHT / 100;
            view! {
                <rect class="bar" x=i * BAR + 3 y=HEIGHT - h width=BAR - 6 height=h>
                    <title>{format!("{}: {share}%", d.date.format(lang.pick("%d.%m", "%-d %b")))}</title>
                </rect>
            }
        })
        .collect_view();
    let labels = days
        .iter()
        .enumerate()
        .map(|(i, d)| view! {
            <text x=i * BAR + BAR / 2 y=HEIGHT + 14 text-anchor="middle" class:off=!d.kind.is_working()>
                {d.date.format("%d").to_string()}
            </text>
        })
        .collect_view();
    view! {
        <figure class="attendance-chart">
            <svg viewBox=format!("0 0 {width} {}", HEIGHT + 20) role="img" aria-label=lang.pick("Доля присутствовавших по дням", "Share of children present by day")>
                <line x1="0" y1=HEIGHT x2=width y2=HEIGHT class="axis"/>
                {bars}
                {labels}
            </svg>
            <figcaption>{lang.pick("Доля присутствовавших детей по дням, %", "Share of children present by day, %")}</figcaption>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::by_reason;
    use crate::domain::timesheet::ChildTotals;
    use crate::i18n::Lang;

    fn totals(by_code: &[(&str, u32)], no_reason: u32) -> ChildTotals {
        ChildTotals {
            absent_by_reason: by_code.iter().map(|(c, n)| ((*c).to_owned(), *n)).collect(),
            absent_no_reason: no_reason,
            ..ChildTotals::default()
        }
    }

    #[test]
    fn no_absences_read_as_nothing() {
        assert_eq!(by_reason(&totals(&[], 0), Lang::Ru), "");
        assert_eq!(by_reason(&totals(&[], 0), Lang::En), "");
    }

    #[test]
    fn codes_come_in_order_then_the_absences_without_a_reason() {
        let t = totals(&[("О", 1), ("Б", 2)], 3);
        assert_eq!(by_reason(&t, Lang::Ru), "Б 2, О 1, без причины 3");
        assert_eq!(by_reason(&t, Lang::En), "Б 2, О 1, no reason 3");
    }

    #[test]
    fn codes_counted_zero_times_are_left_out() {
        assert_eq!(
            by_reason(&totals(&[("Б", 0), ("О", 1)], 0), Lang::Ru),
            "О 1"
        );
        assert_eq!(by_reason(&totals(&[("Б", 0)], 2), Lang::En), "no reason 2");
    }
}
