use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::{
    load_daily_summary, load_group_notices, load_inbox, AnswerNotice, DailySummaryView,
    GroupNotices, Inbox, InboxItem, MarkNoticeRead, NoticeKind, NoticeReason, NoticeStatus,
    WriteNotice,
};
use crate::auth::refetch_me;
use crate::components::{ErrorNotice, Field, FormError, Gate, Loaded};
use crate::domain::Role;
use crate::i18n::{t, use_lang, Lang};

fn day_dmy(iso: &str) -> String {
    match iso.split('-').collect::<Vec<_>>().as_slice() {
        [y, m, d] => format!("{d}.{m}.{y}"),
        _ => iso.to_owned(),
    }
}

/// A day as readers of the page's language write it: 04.11.2026, or 4 Nov 2026.
fn day_text(lang: Lang, iso: &str) -> String {
    match lang {
        Lang::Ru => day_dmy(iso),
        Lang::En => chrono::NaiveDate::parse_from_str(iso, "%Y-%m-%d")
            .map(|d| d.format("%-d %b %Y").to_string())
            .unwrap_or_else(|_| iso.to_owned()),
    }
}

/// What a notice says, in the words the inbox and the group list share.
fn notice_text(lang: Lang, kind: NoticeKind, text: &str, child: &str, day: &str) -> String {
    match (kind, lang) {
        (NoticeKind::ReasonRequest, Lang::Ru) => format!(
            "{child} отсутствовал(а) {}, причина воспитателю неизвестна. Укажите, пожалуйста, причину.",
            day_dmy(day)
        ),
        (NoticeKind::ReasonRequest, Lang::En) => format!(
            "{child} was absent on {} and the teacher does not know why. Please give the reason.",
            day_text(Lang::En, day)
        ),
        (NoticeKind::Teacher, _) => text.to_owned(),
    }
}

#[component]
fn Status(status: NoticeStatus) -> impl IntoView {
    let lang = use_lang();
    match status {
        NoticeStatus::Open => view! {
            <span class="status open">{t("Ждёт ответа", "Awaiting an answer")}</span>
        }
        .into_any(),
        NoticeStatus::Answered(a) => view! {
            <span class="status answered">
                {match lang {
                    Lang::Ru => format!("Ответ: {} — {}", a.reason, a.reason_name),
                    Lang::En => format!("Answer: {} — {}", a.reason, a.reason_name_en),
                }}
                {(!a.comment.is_empty()).then(|| format!(" · «{}»", a.comment))}
                <span class="muted">{format!(" ({}, {})", a.by, a.at)}</span>
            </span>
        }
        .into_any(),
        NoticeStatus::Closed => view! {
            <span class="status closed">
                {t("Вопрос снят: воспитатель отметил день", "Question withdrawn: the teacher marked the day")}
            </span>
        }
        .into_any(),
        NoticeStatus::Information => ().into_any(),
    }
}

/// A parent's notices: requests to answer and what teachers wrote.
#[component]
pub fn InboxPage() -> impl IntoView {
    view! { <Gate roles=&[Role::Parent] page=|_| view! { <InboxView/> }/> }
}

#[component]
fn InboxView() -> impl IntoView {
    let read = ServerAction::<MarkNoticeRead>::new();
    let answer = ServerAction::<AnswerNotice>::new();
    let inbox = Resource::new(
        move || (read.version().get(), answer.version().get()),
        |_| load_inbox(),
    );
    // The unread count in the top bar follows what happens here.
    Effect::new(move |prev: Option<(usize, usize)>| {
        let now = (read.version().get(), answer.version().get());
        if prev.is_some_and(|p| p != now) {
            refetch_me();
        }
        now
    });
    view! {
        <h1>{t("Уведомления", "Notices")}</h1>
        {move || read.value().get().and_then(Result::err).map(|error| view! { <ErrorNotice error/> })}
        // A refused answer is shown above the list: the entry it was for has usually
        // changed (the question was withdrawn) by the time the list is read again.
        {move || answer.value().get().and_then(Result::err).filter(|e| e.field.is_none()).map(|error| view! { <ErrorNotice error/> })}
        <Loaded resource=inbox ok=move |inbox| view! { <InboxList inbox read answer/> }/>
    }
}

#[component]
fn InboxList(
    inbox: Inbox,
    read: ServerAction<MarkNoticeRead>,
    answer: ServerAction<AnswerNotice>,
) -> impl IntoView {
    let lang = use_lang();
    if inbox.items.is_empty() {
        return view! { <p class="muted">{lang.pick("Уведомлений нет.", "No notices.")}</p> }
            .into_any();
    }
    let reasons = inbox.reasons;
    let unread = match lang {
        Lang::Ru => format!("Непрочитанных: {}", inbox.unread),
        Lang::En => format!("Unread: {}", inbox.unread),
    };
    view! {
        <p class="muted">{unread}</p>
        <ul class="notices">
            {inbox.items.into_iter().map(|item| view! { <InboxEntry item reasons=reasons.clone() read answer/> }).collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
fn InboxEntry(
    item: InboxItem,
    reasons: Vec<NoticeReason>,
    read: ServerAction<MarkNoticeRead>,
    answer: ServerAction<AnswerNotice>,
) -> impl IntoView {
    let id = item.id;
    let open = item.status == NoticeStatus::Open;
    // Field messages (a reason not in the list) next to the fields.
    let error = Signal::derive(move || answer.value().get().and_then(Result::err));
    let lang = use_lang();
    let kind_title = match item.kind {
        NoticeKind::ReasonRequest => lang.pick(
            "Запрос причины отсутствия",
            "Request for the reason of an absence",
        ),
        NoticeKind::Teacher => lang.pick("Сообщение воспитателя", "Message from the teacher"),
    };
    view! {
        <li class="notice-item" class:unread=!item.read data-notice=id>
            <div class="notice-head">
                <strong>{format!("{} · {}", item.child_name, day_text(lang, &item.day))}</strong>
                <span class="muted">{format!(" {kind_title} · {} · {}", item.author, item.created_at)}</span>
                {(!item.read).then(|| view! { <span class="badge">{lang.pick("новое", "new")}</span> })}
            </div>
            <p class="notice-text">{notice_text(lang, item.kind, &item.text, &item.child_name, &item.day)}</p>
            <Status status=item.status.clone()/>
            {open.then(|| view! {
                <ActionForm action=answer attr:class="answer-form">
                    <input type="hidden" name="notice_id" value=id/>
                    <div class="grid">
                        <Field label=lang.pick("Причина", "Reason") name="reason" error>
                            <select id=format!("reason-{id}") name="reason" required aria-label=lang.pick("Причина", "Reason")>
                                <option value="">{lang.pick("— выберите —", "— choose —")}</option>
                                {reasons.iter().map(|r| view! { <option value=r.code.clone()>{format!("{} — {}", r.code, r.name(lang))}</option> }).collect_view()}
                            </select>
                        </Field>
                        <Field label=lang.pick("Комментарий", "Comment") name="comment" error>
                            <input id=format!("comment-{id}") name="comment" type="text" maxlength="1000" aria-label=lang.pick("Комментарий", "Comment")/>
                        </Field>
                    </div>
                    <button type="submit" disabled=move || answer.pending().get()>{lang.pick("Ответить", "Answer")}</button>
                </ActionForm>
            })}
            {(!item.read).then(|| view! {
                <ActionForm action=read>
                    <input type="hidden" name="notice_id" value=id/>
                    <button type="submit" class="secondary">{lang.pick("Прочитано", "Mark as read")}</button>
                </ActionForm>
            })}
        </li>
    }
}

/// A group's notices for its teacher: which are answered, and a form to write one.
#[component]
pub fn GroupNoticesPage() -> impl IntoView {
    view! {
        <Gate roles=&[Role::Teacher, Role::OrgAdmin] page=|_| view! { <GroupNoticesView/> }/>
    }
}

#[component]
fn GroupNoticesView() -> impl IntoView {
    let params = use_params_map();
    let write = ServerAction::<WriteNotice>::new();
    let data = Resource::new(
        move || (params.read().get("id"), write.version().get()),
        |(id, _)| async move {
            load_group_notices(id.and_then(|i| i.parse().ok()).unwrap_or_default()).await
        },
    );
    view! {
        <Loaded resource=data ok=move |data| view! { <GroupNoticeList data write/> } title=("Уведомления", "Notices")/>
    }
}

#[component]
fn GroupNoticeList(data: GroupNotices, write: ServerAction<WriteNotice>) -> impl IntoView {
    let error = Signal::derive(move || write.value().get().and_then(Result::err));
    let sent = move || write.value().get().is_some_and(|r| r.is_ok());
    let GroupNotices {
        group_id,
        group_name,
        today,
        children,
        notices,
    } = data;
    let lang = use_lang();
    let title = match lang {
        Lang::Ru => format!("Уведомления родителям · {group_name}"),
        Lang::En => format!("Notices to parents · {group_name}"),
    };
    view! {
        <h1>{title}</h1>
        <p><a href=format!("/groups/{group_id}/marks/{today}")>{t("← Отметить посещаемость", "← Mark attendance")}</a></p>
        <section class="card">
            <h2>{t("Написать родителям об отсутствии", "Write to the parents about an absence")}</h2>
            <ActionForm action=write>
                <div class="grid">
                    <Field label=t("Ребёнок", "Child") name="child_id" error>
                        <select id="child_id" name="child_id" required>
                            {children.into_iter().map(|c| view! { <option value=c.id>{c.name}</option> }).collect_view()}
                        </select>
                    </Field>
                    <Field label=t("День", "Day") name="day" error>
                        <input id="day" name="day" type="date" required value=today.clone()/>
                    </Field>
                </div>
                <Field label=t("Текст", "Text") name="text" error>
                    <textarea id="text" name="text" rows="3" maxlength="1000" required></textarea>
                </Field>
                <FormError error/>
                {move || sent().then(|| view! { <p class="ok" role="status">{lang.pick("Уведомление отправлено.", "Notice sent.")}</p> })}
                <button type="submit" disabled=move || write.pending().get()>{t("Отправить", "Send")}</button>
            </ActionForm>
        </section>
        <h2>{t("Отправленные", "Sent")}</h2>
        {notices.is_empty().then(|| view! { <p class="muted">{lang.pick("Уведомлений пока нет.", "No notices yet.")}</p> })}
        <table class="notices-table">
            <thead>
                <tr>
                    <th>{t("Ребёнок", "Child")}</th>
                    <th>{t("День", "Day")}</th>
                    <th>{t("Уведомление", "Notice")}</th>
                    <th>{t("Состояние", "Status")}</th>
                </tr>
            </thead>
            <tbody>
                {notices.into_iter().map(|n| {
                    let text = notice_text(lang, n.kind, &n.text, &n.child_name, &n.day);
                    view! {
                        <tr data-notice=n.id>
                            <td>{n.child_name}</td>
                            <td>{day_text(lang, &n.day)}</td>
                            <td>{text}<div class="muted">{format!("{} · {}", n.author, n.created_at)}</div></td>
                            <td>
                                <Status status=n.status/>
                                <div class="muted">{if n.read {
                                    lang.pick("прочитано родителем", "read by a parent")
                                } else {
                                    lang.pick("не прочитано", "not read")
                                }}</div>
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// The org admin's day: who is away, by group and reason, and unanswered requests.
#[component]
pub fn DailySummaryPage() -> impl IntoView {
    view! { <Gate roles=&[Role::OrgAdmin] page=|_| view! { <SummaryView/> }/> }
}

#[component]
fn SummaryView() -> impl IntoView {
    let query = use_query_map();
    let data = Resource::new(move || query.read().get("day"), load_daily_summary);
    view! {
        <Loaded resource=data ok=move |view| view! { <SummaryTable view/> } title=("Сводка за день", "Daily summary")/>
    }
}

#[component]
fn SummaryTable(view: DailySummaryView) -> impl IntoView {
    let DailySummaryView { summary, reasons } = view;
    let lang = use_lang();
    let total = summary.total();
    let codes: Vec<String> = reasons.iter().map(|r| r.code.clone()).collect();
    let count = move |g: &crate::domain::notice::GroupDay, code: Option<&str>| match code {
        Some(code) => g.absent_by_reason.get(code).copied().unwrap_or(0),
        None => g.unexplained,
    };
    let row = {
        let codes = codes.clone();
        move |g: crate::domain::notice::GroupDay, is_total: bool| {
            let cells = codes
                .iter()
                .map(|c| view! { <td class="num">{count(&g, Some(c))}</td> })
                .collect_view();
            view! {
                <tr class:total=is_total>
                    <th scope="row">{if is_total { lang.pick("Всего", "Total").to_owned() } else { g.group.clone() }}</th>
                    <td class="num">{g.enrolled}</td>
                    <td class="num">{g.present}</td>
                    <td class="num">{g.absent()}</td>
                    {cells}
                    <td class="num">{count(&g, None)}</td>
                    <td class="num">{g.unmarked}</td>
                </tr>
            }
        }
    };
    let title = match lang {
        Lang::Ru => format!(
            "Сводка за {} · {}",
            day_dmy(&summary.day),
            summary.organisation
        ),
        Lang::En => format!(
            "Summary for {} · {}",
            day_text(Lang::En, &summary.day),
            summary.organisation
        ),
    };
    let unanswered = match lang {
        Lang::Ru => format!("Без ответа родителей: {}", summary.unanswered.len()),
        Lang::En => format!("Not answered by parents: {}", summary.unanswered.len()),
    };
    let rows = summary
        .groups
        .iter()
        .cloned()
        .map(|g| row.clone()(g, false))
        .collect_view();
    view! {
        <h1>{title}</h1>
        <form method="get" class="inline">
            <label for="day">{t("День", "Day")}</label>
            <input id="day" name="day" type="date" value=summary.day.clone()/>
            <button type="submit" class="secondary">{t("Показать", "Show")}</button>
        </form>
        <table class="summary">
            <thead>
                <tr>
                    <th>{t("Группа", "Group")}</th>
                    <th>{t("Детей", "Children")}</th>
                    <th>{t("Присутствуют", "Present")}</th>
                    <th>{t("Отсутствуют", "Absent")}</th>
                    {reasons.iter().map(|r| view! { <th title=r.name(lang).to_owned()>{r.code.clone()}</th> }).collect_view()}
                    <th>{t("Причина неизвестна", "Reason unknown")}</th>
                    <th>{t("Не отмечены", "Not marked")}</th>
                </tr>
            </thead>
            <tbody>{rows}{row(total, true)}</tbody>
        </table>
        <h2>{unanswered}</h2>
        <ul class="unanswered">
            {summary.unanswered.into_iter().map(|n| view! {
                <li>{format!("{} · {} · {}", n.child, n.group, day_text(lang, &n.day))}</li>
            }).collect_view()}
        </ul>
    }
}
