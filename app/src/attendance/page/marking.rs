//! Daily marking of a group on a tablet: the page, the list of children with their
//! buttons, and the indicator of the browser's offline queue.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::offline;
use super::param;
use crate::attendance::{
    date_en, load_marking_sheet, MarkInput, MarkRow, MarkingSheet, ReasonNameEn, ReasonOption,
    SaveMarks,
};
use crate::components::{ErrorNotice, Gate};
use crate::domain::timesheet::Mark;
use crate::domain::Role;
use crate::error::ErrorKind;
use crate::i18n::{t, use_lang, Lang};

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
pub(super) struct Marked {
    pub(super) child_id: i64,
    // Read by the browser's queue only; the server never marks.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    pub(super) name: String,
    pub(super) mark: Mark,
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

/// Another person's ops on a shared tablet: counted, never shown or sent under this one.
fn others_waiting(count: u32, lang: Lang) -> String {
    match lang {
        Lang::Ru => format!(
            "Отметки другого сотрудника на этом планшете ({count}) ждут, когда он снова войдёт"
        ),
        Lang::En => {
            format!("{count} marks by someone else wait on this tablet until they sign in again")
        }
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
                {(s.others_pending > 0).then(|| view! {
                    <span class="sync-others">{others_waiting(s.others_pending, lang)}</span>
                })}
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
    reasons: StoredValue<Vec<ReasonOption>>,
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

#[cfg(test)]
mod tests {
    use super::{day_ru, mark_en, mark_ru, shown, Shown};
    use crate::attendance::page::offline::LocalMark;
    use crate::attendance::MarkRow;
    use crate::domain::timesheet::Mark;

    const READ_AT: i64 = 1_000;

    fn row(child_id: i64, mark: Option<Mark>) -> MarkRow {
        MarkRow {
            child_id,
            name: format!("Ребёнок {child_id}"),
            mark,
            planned: None,
        }
    }

    fn own(child_id: i64, mark: Mark, status: &str, acked_at: Option<i64>) -> LocalMark {
        LocalMark {
            child_id,
            mark,
            acked_at,
            status: status.to_owned(),
        }
    }

    fn absent(reason: Option<&str>) -> Mark {
        Mark::Absent {
            reason: reason.map(str::to_owned),
        }
    }

    #[test]
    fn without_own_ops_the_sheet_mark_shows() {
        let shown_of = |mark: Option<Mark>| shown(&row(1, mark), &[], READ_AT);
        assert_eq!(
            shown_of(Some(Mark::Present)),
            Shown {
                mark: Some(Mark::Present),
                pending: false
            }
        );
        assert_eq!(
            shown_of(None),
            Shown {
                mark: None,
                pending: false
            }
        );
    }

    #[test]
    fn a_queued_op_shows_over_the_sheet_as_pending() {
        let local = [own(1, absent(Some("Б")), "queued", None)];
        assert_eq!(
            shown(&row(1, Some(Mark::Present)), &local, READ_AT),
            Shown {
                mark: Some(absent(Some("Б"))),
                pending: true
            }
        );
    }

    #[test]
    fn only_the_rows_own_child_is_overlaid() {
        let local = [own(2, Mark::Present, "queued", None)];
        assert_eq!(
            shown(&row(1, None), &local, READ_AT),
            Shown {
                mark: None,
                pending: false
            }
        );
    }

    #[test]
    fn a_taken_op_shows_only_when_the_sheet_was_read_before_it() {
        for status in ["applied", "duplicate"] {
            let after = [own(1, absent(None), status, Some(READ_AT + 1))];
            assert_eq!(
                shown(&row(1, Some(Mark::Present)), &after, READ_AT),
                Shown {
                    mark: Some(absent(None)),
                    pending: false
                },
                "{status} after the read"
            );
            // Taken at or before the read: the sheet already has it (or a later mark).
            for at in [READ_AT, READ_AT - 1] {
                let before = [own(1, absent(None), status, Some(at))];
                assert_eq!(
                    shown(&row(1, Some(Mark::Present)), &before, READ_AT).mark,
                    Some(Mark::Present),
                    "{status} at {at}"
                );
            }
        }
    }

    #[test]
    fn superseded_and_refused_ops_leave_the_servers_mark() {
        for status in ["superseded", "refused"] {
            let local = [own(1, absent(None), status, Some(READ_AT + 1))];
            assert_eq!(
                shown(&row(1, Some(Mark::Present)), &local, READ_AT),
                Shown {
                    mark: Some(Mark::Present),
                    pending: false
                },
                "{status}"
            );
        }
        // An applied op with no answer time cannot be placed after the read.
        let unknown = [own(1, absent(None), "applied", None)];
        assert_eq!(shown(&row(1, None), &unknown, READ_AT).mark, None);
    }

    #[test]
    fn day_ru_turns_an_iso_date_around() {
        assert_eq!(day_ru("2026-10-20"), "20.10.2026");
        assert_eq!(day_ru("2026-01-05"), "05.01.2026");
    }

    #[test]
    fn day_ru_leaves_what_is_not_a_date_alone() {
        assert_eq!(day_ru("2026-10"), "2026-10");
        assert_eq!(day_ru(""), "");
        assert_eq!(day_ru("вчера"), "вчера");
    }

    #[test]
    fn marks_read_in_russian_and_english() {
        assert_eq!(mark_ru(&Mark::Present), "был");
        assert_eq!(mark_ru(&absent(None)), "не был");
        assert_eq!(mark_ru(&absent(Some("Б"))), "не был (Б)");
        assert_eq!(mark_en(&Mark::Present), "present");
        assert_eq!(mark_en(&absent(None)), "absent");
        assert_eq!(mark_en(&absent(Some("Б"))), "absent (Б)");
    }
}
