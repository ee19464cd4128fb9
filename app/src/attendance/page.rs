use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use serde::{Deserialize, Serialize};

use super::{
    date_en, load_marking_sheet, load_timesheet, month_title_en, MarkInput, MarkRow, MarkingSheet,
    ReasonNameEn, SaveMarks, SetMonthClosed, TimesheetView,
};
use crate::components::{ErrorNotice, Gate};
use crate::domain::timesheet::{Cell, Mark};
use crate::domain::Role;
use crate::error::ErrorKind;
use crate::i18n::{t, use_lang, Lang};

fn param(name: &'static str) -> impl Fn() -> Option<String> + Clone + Send + Sync + 'static {
    let params = use_params_map();
    move || params.read().get(name)
}

/// Daily marking of a group on a tablet.
///
/// Works offline (issue #7): every mark is an op queued in IndexedDB and sent by
/// `frontend/public/offline.js` (see [`offline`]), and the service worker keeps the pages
/// the teacher opened. Without JavaScript the page still shows the group and its marks;
/// marking needs the wasm client.
#[component]
pub fn MarkingPage() -> impl IntoView {
    view! { <Gate roles=&[Role::OrgAdmin, Role::Teacher] page=|_| view! { <Marking/> }/> }
}

/// A sheet and the time it was read (Unix ms, server clock as far as the tablet knows
/// it): local marks the server took after that time are not in it yet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Loaded {
    sheet: MarkingSheet,
    read_at: i64,
}

/// One child's mark to record, with the name the conflicts list shows if it is refused.
#[derive(Debug, Clone)]
struct Marked {
    child_id: i64,
    // Read by the browser's queue only; the server never marks.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    name: String,
    mark: Mark,
}

#[component]
fn Marking() -> impl IntoView {
    let group = param("id");
    let date = param("date");
    // Only for a browser where offline.js cannot keep marks (no IndexedDB): then marks
    // are saved directly, as before offline marking.
    let save = ServerAction::<SaveMarks>::new();
    let reload = RwSignal::new(0u32);
    let local = RwSignal::new(offline::State::default());
    let last = StoredValue::new(None::<Loaded>);
    let key = (group.clone(), date.clone());
    let sheet = Resource::new(
        move || (key.0(), key.1(), save.version().get(), reload.get()),
        move |(group, date, _, _)| async move {
            let group = group
                .and_then(|g| g.parse::<i64>().ok())
                .unwrap_or_default();
            let date = date.unwrap_or_default();
            let read_at = offline::now_ms();
            match load_marking_sheet(group, date.clone()).await {
                Ok(sheet) => {
                    let loaded = Loaded { sheet, read_at };
                    last.set_value(Some(loaded.clone()));
                    Ok(loaded)
                }
                // Reloading without a network keeps the sheet on screen instead of an error.
                Err(error) if error.kind == ErrorKind::Transport => last
                    .get_value()
                    .filter(|l| l.sheet.group_id == group && l.sheet.date == date)
                    .ok_or(error),
                Err(error) => Err(error),
            }
        },
    );
    // Effects run in the browser only, after hydration, so the server's HTML and the
    // first client render agree (no local marks yet) and the local ones arrive after.
    Effect::new(move |_| {
        if let (Some(group), Some(day)) = (group().and_then(|g| g.parse::<i64>().ok()), date()) {
            offline::watch(group, &day, local);
        }
    });
    on_cleanup(offline::unwatch);
    // offline.js bumps `refresh` when the server's marks may differ from the sheet (a
    // reconnection, an op superseded or refused): read the sheet again.
    let seen = StoredValue::new(None::<u32>);
    Effect::new(move |_| {
        let (ready, refresh) = local.with(|s| (s.ready, s.refresh));
        if !ready {
            return;
        }
        if seen.get_value().is_some_and(|before| before != refresh) {
            reload.update(|n| *n += 1);
        }
        seen.set_value(Some(refresh));
    });
    // The page is rendered again whenever what offline.js reports changes (a tap, an
    // answer from the server, the network), as it was after every save before offline
    // marking: one static view is far less wasm than a reactive attribute per button.
    let local = Memo::new(move |_| local.get());
    let lang = use_lang();
    view! {
        <Transition fallback=move || view! { <p class="muted">{lang.pick("Загрузка…", "Loading…")}</p> }>
            {move || Suspend::new(async move {
                let local = local.get();
                match sheet.await {
                    Ok(loaded) => view! { <MarkingList loaded local save/> }.into_any(),
                    Err(error) => view! { <h1>{lang.pick("Отметка посещаемости", "Attendance marking")}</h1><ErrorNotice error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// What a child's line shows: the mark, and whether it still waits to be sent.
#[derive(Debug, Clone, PartialEq)]
struct Shown {
    mark: Option<Mark>,
    pending: bool,
}

/// The sheet's mark overlaid with this tablet's own: an op still queued, or one the
/// server took after the sheet was read (a page copy from before it was sent). A
/// superseded or refused op shows nothing of its own: the sheet has the server's mark.
fn shown(row: &MarkRow, own: &[offline::LocalMark], read_at: i64) -> Shown {
    let own = own
        .iter()
        .find(|m| m.child_id == row.child_id)
        .and_then(|m| match (m.status.as_str(), m.acked_at) {
            ("queued", _) => Some((m.mark.clone(), true)),
            ("applied" | "duplicate", Some(at)) if at > read_at => Some((m.mark.clone(), false)),
            _ => None,
        });
    match own {
        Some((mark, pending)) => Shown {
            mark: Some(mark),
            pending,
        },
        None => Shown {
            mark: row.mark.clone(),
            pending: false,
        },
    }
}

#[component]
fn MarkingList(
    loaded: Loaded,
    local: offline::State,
    save: ServerAction<SaveMarks>,
) -> impl IntoView {
    let lang = use_lang();
    let Loaded { sheet, read_at } = loaded;
    let (group_id, date) = (sheet.group_id, sheet.date.clone());
    let month = sheet.date[..7].to_owned();
    let editable = sheet.refusal.is_none();
    let refusal = match lang {
        Lang::Ru => sheet.refusal.clone(),
        Lang::En => sheet.refusal_en.clone().or_else(|| sheet.refusal.clone()),
    };
    let date_title = match lang {
        Lang::Ru => sheet.date_title.clone(),
        Lang::En => date_en(&sheet.date).unwrap_or_else(|| sheet.date_title.clone()),
    };
    let reasons = StoredValue::new(sheet.reasons.clone());
    let reasons_en = StoredValue::new(sheet.reasons_en.clone());
    let mark = {
        let date = date.clone();
        Callback::new(move |marks: Vec<Marked>| {
            if offline::enqueue(&date, &marks) {
                return;
            }
            save.dispatch(SaveMarks {
                group_id,
                date: date.clone(),
                marks: marks
                    .into_iter()
                    .map(|m| MarkInput {
                        child_id: m.child_id,
                        mark: m.mark,
                    })
                    .collect(),
            });
        })
    };
    let lines: Vec<(MarkRow, Shown)> = sheet
        .children
        .into_iter()
        .map(|row| {
            let shown = shown(&row, &local.marks, read_at);
            (row, shown)
        })
        .collect();
    // «Остальные присутствуют» marks the unmarked present, except those whose parents
    // announced an absence: they are marked absent with the announced reason.
    let unmarked: Vec<Marked> = lines
        .iter()
        .filter(|(_, shown)| shown.mark.is_none())
        .map(|(row, _)| Marked {
            child_id: row.child_id,
            name: row.name.clone(),
            mark: match &row.planned {
                Some(reason) => Mark::Absent {
                    reason: Some(reason.clone()),
                },
                None => Mark::Present,
            },
        })
        .collect();
    let unmarked_count = unmarked.len();
    view! {
        <h1>{sheet.group_name.clone()}" · "{date_title}</h1>
        <nav class="day-nav">
            <a href=format!("/groups/{group_id}")>{t("Список детей", "Children")}</a>
            <a href=format!("/groups/{group_id}/timesheet/{month}")>{t("Табель за месяц", "Monthly timesheet")}</a>
            <a href=format!("/groups/{group_id}/notices")>{t("Уведомления родителям", "Notices to parents")}</a>
        </nav>
        <OfflineStatus s=local.clone()/>
        {refusal.map(|r| view! { <p class="notice day-refusal" role="status">{r}</p> })}
        {move || save.value().get().and_then(Result::err).map(|e| view! { <p class="error" role="alert" id="mark-error">{e.message(lang)}</p> })}
        <p class="unmarked" aria-live="polite">
            {match (unmarked_count, lang) {
                (0, Lang::Ru) => "Все дети отмечены.".to_owned(),
                (0, Lang::En) => "All children are marked.".to_owned(),
                (n, Lang::Ru) => format!("Не отмечено: {n}"),
                (n, Lang::En) => format!("Not marked: {n}"),
            }}
        </p>
        {(editable && unmarked_count > 0).then(|| view! {
            <button type="button" class="all-present" on:click=move |_| mark.run(unmarked.clone()) disabled=move || save.pending().get()>
                {lang.pick("Остальные присутствуют", "Mark the rest present")}
            </button>
        })}
        <ul class="marking">
            {lines.into_iter().map(|(row, shown)| view! { <MarkLine row shown group_id date=date.clone() editable reasons reasons_en mark/> }).collect_view()}
        </ul>
    }
}

/// Online or not, what still waits to be sent, and the marks the server refused (a
/// closed month, a child who left…) with the reason, until the teacher dismisses them or
/// marks the day again — all from offline.js. Empty until the browser's queue is open, so
/// without JavaScript it says nothing it cannot keep.
#[component]
fn OfflineStatus(s: offline::State) -> impl IntoView {
    let lang = use_lang();
    let net = if s.online {
        lang.pick("В сети", "Online")
    } else {
        lang.pick("Нет сети", "Offline")
    };
    let queue = match (s.pending, s.conflicts.len(), lang) {
        (0, 0, _) => lang.pick("Всё сохранено", "All saved").to_owned(),
        (0, n, Lang::Ru) => format!("Всё отправлено, не принято: {n}"),
        (0, n, Lang::En) => format!("All sent, {n} not accepted"),
        (n, _, Lang::Ru) => format!("Ожидают отправки: {n}"),
        (n, _, Lang::En) => format!("{n} waiting to be sent"),
    };
    let (offline, waiting) = (s.ready && !s.online, s.pending > 0);
    let error = match lang {
        Lang::Ru => s.error.clone(),
        Lang::En => s.error_en.clone().or_else(|| s.error.clone()),
    }
    .filter(|_| waiting);
    let conflicts = s.conflicts.clone();
    view! {
        <div
            class="sync-status"
            role="status"
            aria-live="polite"
            class:is-offline=offline
            class:has-pending=waiting
            data-pending=s.pending.to_string()
            data-offline-ready=s.saved_offline.to_string()
        >
            {s.ready.then(|| view! {
                <span class="sync-net">{net}</span>
                <span class="sync-queue">{queue}</span>
                {s.saved_offline.then(|| view! {
                    <span class="sync-offline-ready">{lang.pick("Страница доступна без сети", "This page works offline")}</span>
                })}
                {error.map(|e| view! { <span class="sync-error">{e}</span> })}
            })}
        </div>
        {(!conflicts.is_empty()).then(|| view! {
            <section class="conflicts" aria-labelledby="conflicts-title">
                <h2 id="conflicts-title">{lang.pick("Не сохранено", "Not saved")}</h2>
                <ul>
                    {conflicts.into_iter().map(|c| {
                        let (ru, en) = c.message();
                        let message = match lang {
                            Lang::Ru => ru,
                            Lang::En => en,
                        };
                        let what = match lang {
                            Lang::Ru => format!(" · {} · {}", day_ru(&c.day), mark_ru(&c.mark)),
                            Lang::En => format!(
                                " · {} · {}",
                                date_en(&c.day).unwrap_or_else(|| c.day.clone()),
                                mark_en(&c.mark)
                            ),
                        };
                        let op_id = c.op_id.clone();
                        view! {
                            <li class="conflict" data-child=c.child_name.clone() data-day=c.day.clone()>
                                <span class="conflict-what">
                                    <strong>{c.child_name.clone()}</strong>
                                    {what}
                                </span>
                                <span class="conflict-message">{message}</span>
                                <button type="button" class="secondary" on:click=move |_| offline::dismiss(&op_id)>
                                    {lang.pick("Скрыть", "Dismiss")}
                                </button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </section>
        })}
    }
}

/// `2026-10-20` → `20.10.2026`.
fn day_ru(day: &str) -> String {
    let mut parts = day.splitn(3, '-');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(y), Some(m), Some(d)) => format!("{d}.{m}.{y}"),
        _ => day.to_owned(),
    }
}

fn mark_ru(mark: &Mark) -> String {
    match mark {
        Mark::Present => "был".to_owned(),
        Mark::Absent { reason: None } => "не был".to_owned(),
        Mark::Absent { reason: Some(code) } => format!("не был ({code})"),
    }
}

fn mark_en(mark: &Mark) -> String {
    match mark {
        Mark::Present => "present".to_owned(),
        Mark::Absent { reason: None } => "absent".to_owned(),
        Mark::Absent { reason: Some(code) } => format!("absent ({code})"),
    }
}

#[component]
fn MarkLine(
    row: MarkRow,
    shown: Shown,
    group_id: i64,
    date: String,
    editable: bool,
    reasons: StoredValue<Vec<super::ReasonOption>>,
    reasons_en: StoredValue<Vec<ReasonNameEn>>,
    mark: Callback<Vec<Marked>>,
) -> impl IntoView {
    let lang = use_lang();
    let MarkRow {
        child_id,
        name,
        planned,
        ..
    } = row;
    let Shown {
        mark: shown,
        pending,
    } = shown;
    let send = {
        let name = name.clone();
        move |value: Mark| {
            mark.run(vec![Marked {
                child_id,
                name: name.clone(),
                mark: value,
            }]);
        }
    };
    let (present, absent, reason) = match &shown {
        Some(Mark::Present) => (true, false, None),
        Some(Mark::Absent { reason }) => (false, true, reason.clone()),
        None => (false, false, None),
    };
    let state = match &shown {
        None => lang.pick("не отмечен", "not marked"),
        Some(Mark::Present) => lang.pick("присутствует", "present"),
        Some(Mark::Absent { .. }) => lang.pick("отсутствует", "absent"),
    };
    let planned = planned.filter(|_| shown.is_none());
    let send_present = send.clone();
    let send_absent = send.clone();
    let send_reason = send;
    view! {
        <li class="mark-row" class:is-present=present class:is-absent=absent class:is-pending=pending data-child=name.clone()>
            <span class="child-name">
                {name.clone()}
                " "
                <a class="history-link" href=format!("/groups/{group_id}/marks/{date}/history/{child_id}")>{lang.pick("история", "history")}</a>
                {pending.then(|| view! {
                    <span class="pending-mark" title=lang.pick("Ждёт отправки на сервер", "Waiting to be sent to the server")>
                        {lang.pick("ждёт отправки", "waiting to be sent")}
                    </span>
                })}
            </span>
            <span class="visually-hidden mark-state">{state}</span>
            {planned.map(|reason| view! {
                <span class="planned">{match lang {
                    Lang::Ru => format!("Родители сообщили об отсутствии ({reason})"),
                    Lang::En => format!("Parents reported an absence ({reason})"),
                }}</span>
            })}
            <div class="mark-buttons" role="group" aria-label=match lang {
                Lang::Ru => format!("Отметка: {name}"),
                Lang::En => format!("Attendance: {name}"),
            }>
                <button type="button" class="present-button" aria-pressed=present.to_string() disabled=!editable
                    on:click=move |_| send_present(Mark::Present)>{lang.pick("Был", "Present")}</button>
                <button type="button" class="absent-button" aria-pressed=absent.to_string() disabled=!editable
                    on:click=move |_| send_absent(Mark::Absent { reason: None })>{lang.pick("Не был", "Absent")}</button>
            </div>
            {absent.then(|| {
                let current = reason.unwrap_or_default();
                let (hidden_label, aria_label) = match lang {
                    Lang::Ru => (format!("Причина отсутствия: {name}"), format!("Причина: {name}")),
                    Lang::En => (format!("Reason for absence: {name}"), format!("Reason: {name}")),
                };
                view! {
                    <label class="reason">
                        <span class="visually-hidden">{hidden_label}</span>
                        <select
                            aria-label=aria_label
                            disabled=!editable
                            on:change=move |ev| {
                                let code = event_target_value(&ev);
                                send_reason(Mark::Absent { reason: (!code.is_empty()).then_some(code) });
                            }
                        >
                            <option value="" selected=current.is_empty()>{lang.pick("причина не известна", "reason unknown")}</option>
                            {reasons.get_value().into_iter().filter(|r| r.offered_with(&current)).map(|r| {
                                let selected = r.code == current;
                                let text = reasons_en.with_value(|en| format!("{} — {}", r.code, r.name(lang, en)));
                                view! { <option value=r.code.clone() selected=selected>{text}</option> }
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
fn by_reason(totals: &crate::domain::timesheet::ChildTotals, lang: Lang) -> String {
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
        close_requested_by,
        sheet,
        legend,
    } = data;
    let lang = use_lang();
    let month_title = match lang {
        Lang::Ru => month_title,
        Lang::En => month_title_en(&month).unwrap_or(month_title),
    };
    let request = ServerAction::<super::RequestMonthClose>::new();
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
        </header>
        <nav class="day-nav no-print">
            <a href=export("xlsx") rel="external" download>{t("Скачать XLSX", "Download XLSX")}</a>
            <a href=export("pdf") rel="external" download>{t("Скачать PDF", "Download PDF")}</a>
            <button type="button" class="secondary" onclick="window.print()">{t("Печать", "Print")}</button>
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
                        {if closed { lang.pick("Открыть месяц", "Reopen month") } else { lang.pick("Закрыть месяц", "Close month") }}
                    </button>
                </ActionForm>
            })}
        </nav>
        {move || close.value().get().and_then(Result::err).map(|e| view! { <p class="error" role="alert">{e.message(lang)}</p> })}
        {close_requested_by.map(|who| view! {
            <p class="notice close-requested" role="status">{match lang {
                Lang::Ru => format!("{who} просит закрыть месяц."),
                Lang::En => format!("{who} asks for the month to be closed."),
            }}</p>
        })}
        {can_request_close.then(|| view! {
            <ActionForm action=request attr:class="request-close no-print">
                <input type="hidden" name="group_id" value=group_id/>
                <input type="hidden" name="month" value=month_for_request.clone()/>
                <button type="submit" class="secondary">
                    {lang.pick("Попросить администратора закрыть месяц", "Ask the administrator to close the month")}
                </button>
            </ActionForm>
            {move || match request.value().get() {
                Some(Ok(())) => Some(view! {
                    <p class="notice request-sent" role="status">
                        {lang.pick("Просьба отправлена администратору.", "Request sent to the administrator.")}
                    </p>
                }.into_any()),
                Some(Err(e)) => Some(view! { <p class="error" role="alert">{e.message(lang)}</p> }.into_any()),
                None => None,
            }}
        })}
        <AttendanceChart days=days.clone()/>
        <div class="timesheet-scroll">
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
    let lang = use_lang();
    view! {
        <h1>{t("История отметки", "Mark history")}</h1>
        <p><a href=back>{t("← К отметкам дня", "← Back to the day's marks")}</a></p>
        <Transition fallback=move || view! { <p class="muted">{lang.pick("Загрузка…", "Loading…")}</p> }>
            {move || Suspend::new(async move {
                match history.await {
                    Ok(changes) if changes.is_empty() => view! { <p class="muted">{lang.pick("Изменений не было.", "No changes.")}</p> }.into_any(),
                    Ok(changes) => view! {
                        <table class="history">
                            <thead><tr>
                                <th scope="col">{lang.pick("Когда", "When")}</th><th scope="col">{lang.pick("Кто", "Who")}</th>
                                <th scope="col">{lang.pick("Было", "Before")}</th><th scope="col">{lang.pick("Стало", "After")}</th>
                                <th scope="col">{lang.pick("Откуда", "Source")}</th>
                            </tr></thead>
                            <tbody>
                                {changes.into_iter().map(|c| {
                                    // Rows from a server without the English texts show the Russian ones.
                                    let en = |en: String, ru: String| if en.is_empty() { ru } else { en };
                                    let (at, old, new, path) = match lang {
                                        Lang::Ru => (c.at, c.old, c.new, c.path),
                                        Lang::En => (en(c.at_en, c.at), en(c.old_en, c.old), en(c.new_en, c.new), en(c.path_en, c.path)),
                                    };
                                    view! {
                                        <tr>
                                            <td>{at}</td><td class="who">{c.by}</td><td class="old">{old}</td>
                                            <td class="new">{new}</td><td class="device">{format!("{} · {}", path, c.device)}</td>
                                        </tr>
                                    }
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

/// The marking page's side of offline marking. The queue, IndexedDB, the sync loop and
/// the service worker are plain JS (`frontend/public/offline.js`, `window.tabelOffline`)
/// so that the wasm bundle carries none of that plumbing; the page makes the ops itself
/// (`OpId::new_v7`, `MarkOp`), so they are the domain's own wire format.
mod offline {
    use serde::Deserialize;

    use crate::domain::sync::Refusal;
    use crate::domain::timesheet::Mark;
    use crate::domain::Bilingual;

    /// What offline.js reports on every change (its `state`).
    #[derive(Debug, Clone, Default, PartialEq, Deserialize)]
    #[serde(default)]
    pub struct State {
        pub ready: bool,
        pub online: bool,
        pub pending: u32,
        pub error: Option<String>,
        pub error_en: Option<String>,
        pub saved_offline: bool,
        pub marks: Vec<LocalMark>,
        pub conflicts: Vec<Conflict>,
        pub refresh: u32,
    }

    /// The latest op this tablet made for a child on the watched day.
    #[derive(Debug, Clone, PartialEq, Deserialize)]
    pub struct LocalMark {
        pub child_id: i64,
        pub mark: Mark,
        /// When the server answered for it (server clock); `None` while queued.
        pub acked_at: Option<i64>,
        /// `queued`, or the outcome's status: `applied`, `superseded`, `duplicate`, `refused`.
        pub status: String,
    }

    /// A refused op. The refusal comes flat (`kind` and its fields) rather than as the
    /// tagged [`Refusal`]: serde's machinery for internally tagged enums is sizeable wasm,
    /// and an unknown kind must still show up, with a general message.
    #[derive(Debug, Clone, PartialEq, Deserialize)]
    pub struct Conflict {
        pub op_id: String,
        pub day: String,
        pub mark: Mark,
        pub child_name: String,
        pub kind: String,
        #[serde(default)]
        pub code: String,
        #[serde(default)]
        pub detail: String,
    }

    impl Conflict {
        /// The teacher's message, in Russian and English.
        pub fn message(&self) -> (String, String) {
            let refusal = match self.kind.as_str() {
                "month_closed" => Refusal::MonthClosed,
                "no_rights" => Refusal::NoRights,
                "child_not_enrolled" => Refusal::ChildNotEnrolled,
                "day_not_working" => Refusal::DayNotWorking,
                "future_day" => Refusal::FutureDay,
                "unknown_reason" => Refusal::UnknownReason {
                    code: self.code.clone(),
                },
                "unknown_child" => Refusal::UnknownChild,
                "invalid" => Refusal::Invalid {
                    detail: self.detail.clone(),
                },
                _ => {
                    return (
                        "Сервер не принял отметку.".to_owned(),
                        "The server did not accept the mark.".to_owned(),
                    )
                }
            };
            (refusal.ru(), refusal.en())
        }
    }

    #[cfg(feature = "hydrate")]
    pub use browser::*;

    #[cfg(feature = "hydrate")]
    mod browser {
        use std::cell::RefCell;

        use leptos::prelude::*;
        use leptos::wasm_bindgen::prelude::*;
        use serde::Serialize;

        use super::super::Marked;
        use super::State;
        use crate::domain::sync::{DeviceId, MarkOp, OpId};

        /// One queue entry as offline.js stores it: the op as sent, and what the conflicts
        /// list shows if it is refused.
        #[derive(Serialize)]
        struct Queued<'a> {
            op: MarkOp,
            info: Info<'a>,
        }

        #[derive(Serialize)]
        struct Info<'a> {
            child_name: &'a str,
        }

        // `catch`: offline.js may be missing (blocked, failed to load); the page then
        // saves marks directly instead of failing.
        #[wasm_bindgen(wasm_bindgen = leptos::wasm_bindgen, js_namespace = tabelOffline)]
        extern "C" {
            #[wasm_bindgen(catch, js_name = watch)]
            fn js_watch(page: &str, listener: &Closure<dyn Fn(String)>) -> Result<(), JsValue>;
            #[wasm_bindgen(catch, js_name = unwatch)]
            fn js_unwatch() -> Result<(), JsValue>;
            #[wasm_bindgen(catch, js_name = enqueue)]
            fn js_enqueue(items: &str) -> Result<(), JsValue>;
            #[wasm_bindgen(catch, js_name = dismiss)]
            fn js_dismiss(op_id: &str) -> Result<(), JsValue>;
            #[wasm_bindgen(catch, js_name = device)]
            fn js_device() -> Result<String, JsValue>;
            #[wasm_bindgen(catch, js_name = now)]
            fn js_now() -> Result<f64, JsValue>;
            #[wasm_bindgen(catch, js_name = random)]
            fn js_random() -> Result<Vec<u8>, JsValue>;
            #[wasm_bindgen(catch, js_name = usable)]
            fn js_usable() -> Result<bool, JsValue>;
        }

        type Listener = Closure<dyn Fn(String)>;

        thread_local! {
            // The callback offline.js holds; replaced on every watch, dropped on unwatch.
            static LISTENER: RefCell<Option<Listener>> = const { RefCell::new(None) };
        }

        pub fn watch(group_id: i64, day: &str, state: RwSignal<State>) {
            let listener = Closure::<dyn Fn(String)>::new(move |json: String| {
                match leptos::serde_json::from_str::<State>(&json) {
                    Ok(next) => {
                        state.try_set(next);
                    }
                    Err(error) => leptos::logging::warn!("offline state not understood: {error}"),
                }
            });
            let page = format!(r#"{{"group_id":{group_id},"day":{day:?}}}"#);
            if js_watch(&page, &listener).is_ok() {
                LISTENER.with(|l| *l.borrow_mut() = Some(listener));
            }
        }

        pub fn unwatch() {
            let _ = js_unwatch();
            LISTENER.with(|l| l.borrow_mut().take());
        }

        pub fn dismiss(op_id: &str) {
            let _ = js_dismiss(op_id);
        }

        /// Unix ms by the tablet's clock corrected by the last known server offset.
        pub fn now_ms() -> i64 {
            js_now().unwrap_or_else(|_| leptos::web_sys::js_sys::Date::now()) as i64
        }

        /// Queues the marks as ops; `false` if offline.js cannot keep them.
        pub fn enqueue(day: &str, marks: &[Marked]) -> bool {
            if !js_usable().unwrap_or(false) {
                return false;
            }
            let Ok(day) = day.parse() else {
                return false;
            };
            let Some(device) = js_device().ok().and_then(|d| DeviceId::parse(&d).ok()) else {
                return false;
            };
            let mut items = Vec::with_capacity(marks.len());
            for marked in marks {
                let Some(random) = js_random().ok().and_then(|r| <[u8; 10]>::try_from(r).ok())
                else {
                    return false;
                };
                let now = now_ms();
                let op = MarkOp {
                    op_id: OpId::new_v7(u64::try_from(now).unwrap_or(0), random),
                    child_id: marked.child_id,
                    day,
                    mark: marked.mark.clone(),
                    device: device.clone(),
                    recorded_at: now,
                };
                items.push(Queued {
                    op,
                    info: Info {
                        child_name: &marked.name,
                    },
                });
            }
            leptos::serde_json::to_string(&items)
                .ok()
                .is_some_and(|json| js_enqueue(&json).is_ok())
        }
    }

    // The server renders the page and never marks.
    #[cfg(not(feature = "hydrate"))]
    pub fn watch(_group_id: i64, _day: &str, _state: leptos::prelude::RwSignal<State>) {}

    #[cfg(not(feature = "hydrate"))]
    pub fn unwatch() {}

    #[cfg(not(feature = "hydrate"))]
    pub fn dismiss(_op_id: &str) {}

    #[cfg(not(feature = "hydrate"))]
    pub fn enqueue(_day: &str, _marks: &[super::Marked]) -> bool {
        false
    }

    #[cfg(not(feature = "hydrate"))]
    pub fn now_ms() -> i64 {
        chrono::Utc::now().timestamp_millis()
    }
}
