use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::{
    load_marking_sheet, load_timesheet, MarkInput, MarkRow, MarkingSheet, SaveMarks,
    SetMonthClosed, TimesheetView,
};
use crate::components::{ErrorNotice, Gate};
use crate::domain::timesheet::{Cell, Mark};
use crate::domain::Role;

fn param(name: &'static str) -> impl Fn() -> Option<String> + Clone + Send + Sync + 'static {
    let params = use_params_map();
    move || params.read().get(name)
}

/// Daily marking of a group on a tablet.
#[component]
pub fn MarkingPage() -> impl IntoView {
    view! { <Gate roles=&[Role::OrgAdmin, Role::Teacher] page=|_| view! { <Marking/> }/> }
}

#[component]
fn Marking() -> impl IntoView {
    let group = param("id");
    let date = param("date");
    let save = ServerAction::<SaveMarks>::new();
    let sheet = Resource::new(
        move || (group(), date(), save.version().get()),
        |(group, date, _)| async move {
            let group = group
                .and_then(|g| g.parse::<i64>().ok())
                .unwrap_or_default();
            load_marking_sheet(group, date.unwrap_or_default()).await
        },
    );
    view! {
        <Transition fallback=|| view! { <p class="muted">"Загрузка…"</p> }>
            {move || Suspend::new(async move {
                match sheet.await {
                    Ok(sheet) => view! { <MarkingList sheet save/> }.into_any(),
                    Err(error) => view! { <h1>"Отметка посещаемости"</h1><ErrorNotice error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn MarkingList(sheet: MarkingSheet, save: ServerAction<SaveMarks>) -> impl IntoView {
    // «Остальные присутствуют» marks the unmarked present, except those whose parents
    // announced an absence: they are marked absent with the announced reason.
    let unmarked: Vec<MarkInput> = sheet
        .children
        .iter()
        .filter(|c| c.mark.is_none())
        .map(|c| MarkInput {
            child_id: c.child_id,
            mark: match &c.planned {
                Some(reason) => Mark::Absent {
                    reason: Some(reason.clone()),
                },
                None => Mark::Present,
            },
        })
        .collect();
    let unmarked_count = unmarked.len();
    let (group_id, date) = (sheet.group_id, sheet.date.clone());
    let month = sheet.date[..7].to_owned();
    let editable = sheet.refusal.is_none();
    let reasons = StoredValue::new(sheet.reasons.clone());
    let all_present = {
        let date = date.clone();
        move |_| {
            save.dispatch(SaveMarks {
                group_id,
                date: date.clone(),
                marks: unmarked.clone(),
            });
        }
    };
    view! {
        <h1>{sheet.group_name.clone()}" · "{sheet.date_title.clone()}</h1>
        <nav class="day-nav">
            <a href=format!("/groups/{group_id}")>"Список детей"</a>
            <a href=format!("/groups/{group_id}/timesheet/{month}")>"Табель за месяц"</a>
            <a href=format!("/groups/{group_id}/notices")>"Уведомления родителям"</a>
        </nav>
        {sheet.refusal.clone().map(|r| view! { <p class="notice day-refusal" role="status">{r}</p> })}
        {move || save.value().get().and_then(Result::err).map(|e| view! { <p class="error" role="alert" id="mark-error">{e.ru}</p> })}
        <p class="unmarked" aria-live="polite">
            {if unmarked_count == 0 { "Все дети отмечены.".to_owned() } else { format!("Не отмечено: {unmarked_count}") }}
        </p>
        {(editable && unmarked_count > 0).then(|| view! {
            <button type="button" class="all-present" on:click=all_present disabled=move || save.pending().get()>
                "Остальные присутствуют"
            </button>
        })}
        <ul class="marking">
            {sheet.children.into_iter().map(|row| view! { <MarkLine row group_id date=date.clone() editable reasons save/> }).collect_view()}
        </ul>
    }
}

#[component]
fn MarkLine(
    row: MarkRow,
    group_id: i64,
    date: String,
    editable: bool,
    reasons: StoredValue<Vec<super::ReasonOption>>,
    save: ServerAction<SaveMarks>,
) -> impl IntoView {
    let child_id = row.child_id;
    let date_for_link = date.clone();
    let send = move |mark: Mark| {
        save.dispatch(SaveMarks {
            group_id,
            date: date.clone(),
            marks: vec![MarkInput { child_id, mark }],
        });
    };
    let (present, absent, reason) = match &row.mark {
        Some(Mark::Present) => (true, false, None),
        Some(Mark::Absent { reason }) => (false, true, reason.clone()),
        None => (false, false, None),
    };
    let state = match &row.mark {
        None => "не отмечен",
        Some(Mark::Present) => "присутствует",
        Some(Mark::Absent { .. }) => "отсутствует",
    };
    let send_present = send.clone();
    let send_absent = send.clone();
    let send_reason = send;
    view! {
        <li class="mark-row" class:is-present=present class:is-absent=absent data-child=row.name.clone()>
            <span class="child-name">
                {row.name.clone()}
                " "
                <a class="history-link" href=format!("/groups/{group_id}/marks/{date_for_link}/history/{child_id}")>"история"</a>
            </span>
            <span class="visually-hidden mark-state">{state}</span>
            {row.planned.clone().filter(|_| row.mark.is_none()).map(|reason| view! {
                <span class="planned">{format!("Родители сообщили об отсутствии ({reason})")}</span>
            })}
            <div class="mark-buttons" role="group" aria-label=format!("Отметка: {}", row.name)>
                <button type="button" class="present-button" aria-pressed=present.to_string() disabled=!editable
                    on:click=move |_| send_present(Mark::Present)>"Был"</button>
                <button type="button" class="absent-button" aria-pressed=absent.to_string() disabled=!editable
                    on:click=move |_| send_absent(Mark::Absent { reason: None })>"Не был"</button>
            </div>
            {absent.then(|| {
                let current = reason.clone().unwrap_or_default();
                view! {
                    <label class="reason">
                        <span class="visually-hidden">{format!("Причина отсутствия: {}", row.name)}</span>
                        <select
                            aria-label=format!("Причина: {}", row.name)
                            disabled=!editable
                            on:change=move |ev| {
                                let code = event_target_value(&ev);
                                send_reason(Mark::Absent { reason: (!code.is_empty()).then_some(code) });
                            }
                        >
                            <option value="" selected=current.is_empty()>"причина не известна"</option>
                            {reasons.get_value().into_iter().map(|r| {
                                let selected = r.code == current;
                                view! { <option value=r.code.clone() selected=selected>{format!("{} — {}", r.code, r.name_ru)}</option> }
                            }).collect_view()}
                        </select>
                    </label>
                }
            })}
        </li>
    }
}

/// Share of the marked children present on each working day, drawn on the server as
/// SVG: a glance at the month without a charting library in the wasm bundle.
#[component]
fn AttendanceChart(days: Vec<crate::domain::timesheet::DayColumn>) -> impl IntoView {
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
                    <title>{format!("{}: {share}%", d.date.format("%d.%m"))}</title>
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
            <svg viewBox=format!("0 0 {width} {}", HEIGHT + 20) role="img" aria-label="Доля присутствовавших по дням">
                <line x1="0" y1=HEIGHT x2=width y2=HEIGHT class="axis"/>
                {bars}
                {labels}
            </svg>
            <figcaption>"Доля присутствовавших детей по дням, %"</figcaption>
        </figure>
    }
}

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
    view! {
        <Transition fallback=|| view! { <p class="muted">"Загрузка…"</p> }>
            {move || Suspend::new(async move {
                match view_data.await {
                    Ok(data) => view! { <TimesheetGrid data close/> }.into_any(),
                    Err(error) => view! { <h1>"Табель"</h1><ErrorNotice error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// «Б 2, О 1, без причины 1»: absences by reason code, then those with no reason yet.
fn by_reason(totals: &crate::domain::timesheet::ChildTotals) -> String {
    let mut parts: Vec<String> = totals
        .absent_by_reason
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(code, n)| format!("{code} {n}"))
        .collect();
    if totals.absent_no_reason > 0 {
        parts.push(format!("без причины {}", totals.absent_no_reason));
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
        close_requested_by,
        sheet,
    } = data;
    let request = ServerAction::<super::RequestMonthClose>::new();
    let month_for_request = month.clone();
    let export = |ext: &str| format!("/export/timesheet/{group_id}/{month}.{ext}");
    let days = sheet.days.clone();
    view! {
        <header class="timesheet-head">
            <h1>"Табель учёта посещаемости детей"</h1>
            <p class="period">{month_title}</p>
            <p>{organisation}</p>
            <p>"Группа: "<strong>{group}</strong>" · Ответственный: "{responsible}</p>
            <p class="status">{if closed { "Месяц закрыт" } else { "Месяц открыт" }}</p>
        </header>
        <nav class="day-nav no-print">
            <a href=export("xlsx") rel="external" download>"Скачать XLSX"</a>
            <a href=export("pdf") rel="external" download>"Скачать PDF"</a>
            <button type="button" class="secondary" onclick="window.print()">"Печать"</button>
            {can_close.then(|| view! {
                <ActionForm action=close attr:class="close-month">
                    <input type="hidden" name="group_id" value=group_id/>
                    <input type="hidden" name="month" value=month.clone()/>
                    <input type="hidden" name="closed" value=(!closed).to_string()/>
                    {closed.then(|| view! {
                        <label for="reopen-reason" class="visually-hidden">"Причина открытия"</label>
                        <input id="reopen-reason" name="reason" type="text" required placeholder="Причина открытия месяца"/>
                    })}
                    <button type="submit" class="secondary">{if closed { "Открыть месяц" } else { "Закрыть месяц" }}</button>
                </ActionForm>
            })}
        </nav>
        {move || close.value().get().and_then(Result::err).map(|e| view! { <p class="error" role="alert">{e.ru}</p> })}
        {close_requested_by.map(|who| view! {
            <p class="notice close-requested" role="status">{format!("{who} просит закрыть месяц.")}</p>
        })}
        {can_request_close.then(|| view! {
            <ActionForm action=request attr:class="request-close no-print">
                <input type="hidden" name="group_id" value=group_id/>
                <input type="hidden" name="month" value=month_for_request.clone()/>
                <button type="submit" class="secondary">"Попросить администратора закрыть месяц"</button>
            </ActionForm>
            {move || match request.value().get() {
                Some(Ok(())) => Some(view! { <p class="notice request-sent" role="status">"Просьба отправлена администратору."</p> }.into_any()),
                Some(Err(e)) => Some(view! { <p class="error" role="alert">{e.ru}</p> }.into_any()),
                None => None,
            }}
        })}
        <AttendanceChart days=days.clone()/>
        <div class="timesheet-scroll">
            <table class="timesheet">
                <thead>
                    <tr>
                        <th scope="col">"№"</th>
                        <th scope="col" class="name">"Фамилия, имя ребёнка"</th>
                        {days.iter().map(|d| view! {
                            <th scope="col" class="day" class:off=!d.kind.is_working()>{d.date.format("%d").to_string()}</th>
                        }).collect_view()}
                        <th scope="col">"Пропущено"</th>
                        <th scope="col">"в т. ч. уваж."</th>
                        <th scope="col">"По причинам"</th>
                        <th scope="col">"Посещено"</th>
                        <th scope="col">"К оплате"</th>
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
                            <td class="by-reason">{by_reason(&row.totals)}</td>
                            <td class="num attended">{row.totals.attended}</td>
                            <td class="num charged">{row.totals.charged_days}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
                <tfoot>
                    <tr class="present-per-day">
                        <td></td>
                        <th scope="row" class="name">"Присутствовало"</th>
                        {days.iter().map(|d| view! {
                            <td class="day">{if d.kind.is_working() && d.present + d.absent > 0 { d.present.to_string() } else { String::new() }}</td>
                        }).collect_view()}
                        <td class="num">{sheet.totals.sum.absent_total}</td>
                        <td class="num">{sheet.totals.sum.absent_excused}</td>
                        <td class="by-reason">{by_reason(&sheet.totals.sum)}</td>
                        <td class="num">{sheet.totals.sum.attended}</td>
                        <td class="num">{sheet.totals.sum.charged_days}</td>
                    </tr>
                </tfoot>
            </table>
        </div>
        <p class="signatures">"Ответственный ____________ · Руководитель ____________"</p>
    }
}

/// The audit trail of one child's mark on one day.
#[component]
pub fn MarkHistoryPage() -> impl IntoView {
    view! { <Gate roles=&[Role::OrgAdmin, Role::Teacher] page=|_| view! { <MarkHistory/> }/> }
}

#[component]
fn MarkHistory() -> impl IntoView {
    let child = param("child");
    let date = param("date");
    let group = param("id");
    let date_for_back = date.clone();
    let history = Resource::new(
        move || (child(), date()),
        |(child, date)| async move {
            let child = child
                .and_then(|c| c.parse::<i64>().ok())
                .unwrap_or_default();
            super::load_mark_history(child, date.unwrap_or_default()).await
        },
    );
    let back = move || {
        format!(
            "/groups/{}/marks/{}",
            group().unwrap_or_default(),
            date_for_back().unwrap_or_default()
        )
    };
    view! {
        <h1>"История отметки"</h1>
        <p><a href=back>"← К отметкам дня"</a></p>
        <Transition fallback=|| view! { <p class="muted">"Загрузка…"</p> }>
            {move || Suspend::new(async move {
                match history.await {
                    Ok(changes) if changes.is_empty() => view! { <p class="muted">"Изменений не было."</p> }.into_any(),
                    Ok(changes) => view! {
                        <table class="history">
                            <thead><tr>
                                <th scope="col">"Когда"</th><th scope="col">"Кто"</th><th scope="col">"Было"</th>
                                <th scope="col">"Стало"</th><th scope="col">"Откуда"</th>
                            </tr></thead>
                            <tbody>
                                {changes.into_iter().map(|c| view! {
                                    <tr>
                                        <td>{c.at}</td><td class="who">{c.by}</td><td class="old">{c.old}</td>
                                        <td class="new">{c.new}</td><td class="device">{format!("{} · {}", c.path, c.device)}</td>
                                    </tr>
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
