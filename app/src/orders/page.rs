use leptos::prelude::*;
use leptos_router::components::Form;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::{
    child_history, list_orders, load_order, load_order_choices, CancelOrder, IssueOrder, OrderCard,
    OrderChoices, OrderPage,
};
use crate::components::{FormError, Gate, Loaded, Pager};
use crate::domain::enrolment::OrderKind;
use crate::domain::{Lang, Role};
use crate::error::AppError;
use crate::i18n::{t, use_lang};

fn kind_title(kind: &str, lang: Lang) -> String {
    OrderKind::parse(kind)
        .map(|k| lang.pick(k.title_ru(), k.title_en()).to_owned())
        .unwrap_or_else(|| kind.to_owned())
}

/// A stored ISO date as people read it: 2026-09-01 → 01.09.2026.
fn shown(iso: &str) -> String {
    chrono::NaiveDate::parse_from_str(iso, "%Y-%m-%d")
        .map(|d| d.format("%d.%m.%Y").to_string())
        .unwrap_or_else(|_| iso.to_owned())
}

/// The per-child refusals of an order that was not issued or not cancelled.
#[component]
fn LineProblems(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    let lang = use_lang();
    move || {
        error
            .get()
            .filter(|e| e.details.iter().any(|d| d.field.starts_with("child-")))
            .map(|e| {
                view! {
                    <ul class="order-problems" role="alert">
                        {e.details.into_iter().filter(|d| d.field.starts_with("child-")).map(|d| {
                            view! { <li>{lang.pick(&d.ru, &d.en).to_owned()}</li> }
                        }).collect_view()}
                    </ul>
                }
            })
    }
}

/// Every field message of a checked form, under it.
#[component]
fn FieldProblems(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    let lang = use_lang();
    move || {
        error.get().map(|e| {
            let fields: Vec<_> = e
                .details
                .iter()
                .filter(|d| !d.field.starts_with("child-"))
                .map(|d| view! { <li>{lang.pick(&d.ru, &d.en).to_owned()}</li> })
                .collect();
            (!fields.is_empty())
                .then(|| view! { <ul class="field-problems" role="alert">{fields}</ul> })
        })
    }
}

/// The number, date and comment every order has.
#[component]
fn OrderFields() -> impl IntoView {
    let lang = use_lang();
    view! {
        <div class="field">
            <label for="number">{lang.pick("Номер приказа", "Order number")}</label>
            <input id="number" name="number" type="text" required maxlength="30"/>
        </div>
        <div class="field">
            <label for="issued_on">{lang.pick("Дата приказа", "Order date")}</label>
            <input id="issued_on" name="issued_on" type="date" required/>
        </div>
        <div class="field">
            <label for="comment">{lang.pick("Комментарий", "Comment")}</label>
            <input id="comment" name="comment" type="text" maxlength="1000"/>
        </div>
    }
}

/// What refused an order: the form's fields, then the children it could not apply to.
#[component]
fn OrderProblems(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    view! {
        <FormError error/>
        <FieldProblems error/>
        <LineProblems error/>
    }
}

/// «Приказ проведён» with a link to the order, once the form's order is issued.
#[component]
fn IssuedNotice(issue: ServerAction<IssueOrder>) -> impl IntoView {
    let lang = use_lang();
    move || {
        issue.value().get().and_then(Result::ok).map(|order| {
            view! {
                <p class="notice" role="status" id="order-issued">
                    {format!("{} {} ({} {}). ", lang.pick("Приказ проведён:", "Order issued:"), order.number, order.children, lang.pick("детей", "children"))}
                    <a href=format!("/admin/orders/{}", order.id)>{lang.pick("Открыть приказ", "Open the order")}</a>
                </p>
            }
        })
    }
}

#[component]
pub fn OrdersPage() -> impl IntoView {
    view! { <Gate roles=&[Role::OrgAdmin] page=|_| view! { <Orders/> }/> }
}

#[component]
fn Orders() -> impl IntoView {
    let query = use_query_map();
    let q = move |key: &str| query.read().get(key).unwrap_or_default();
    let page = RwSignal::new(1_usize);
    let list = Resource::new(
        move || (q("kind"), q("from"), q("to"), q("q"), page.get()),
        |(kind, from, to, search, page)| list_orders(kind, from, to, search, page),
    );
    view! {
        <h1>{t("Приказы", "Orders")}</h1>
        <p>
            <a href="/admin/orders/move-up">{t("Перевод групп на новый учебный год →", "Move whole groups up for the new year →")}</a>
        </p>
        <Form method="GET" action="" attr:class="toolbar order-filters">
            <label for="filter-kind">{t("Вид", "Kind")}</label>
            <select id="filter-kind" name="kind">
                <option value="">{t("все", "all")}</option>
                {OrderKind::ALL.into_iter().map(|k| {
                    let selected = q("kind") == k.as_str();
                    view! { <option value=k.as_str() selected=selected>{t(k.title_ru(), k.title_en())}</option> }
                }).collect_view()}
            </select>
            <label for="filter-from">{t("с", "from")}</label>
            <input id="filter-from" type="date" name="from" value=q("from")/>
            <label for="filter-to">{t("по", "to")}</label>
            <input id="filter-to" type="date" name="to" value=q("to")/>
            <label for="filter-q" class="visually-hidden">{t("Поиск", "Search")}</label>
            <input id="filter-q" type="search" name="q" value=q("q")
                placeholder=t("Номер приказа или фамилия ребёнка", "Order number or child's surname")/>
            <button type="submit" class="secondary">{t("Найти", "Find")}</button>
        </Form>
        <Loaded resource=list ok=move |list| view! { <OrderTable list page/> }/>
        <NewOrder/>
    }
}

#[component]
fn OrderTable(list: OrderPage, page: RwSignal<usize>) -> impl IntoView {
    let lang = use_lang();
    let pages = list.total.div_ceil(list.per_page).max(1);
    let current = list.page;
    view! {
        <p class="muted" id="orders-total">{format!("{} {}", lang.pick("Найдено приказов:", "Orders found:"), list.total)}</p>
        <table class="orders-list">
            <thead><tr>
                <th scope="col">{lang.pick("№", "No.")}</th>
                <th scope="col">{lang.pick("Дата", "Date")}</th>
                <th scope="col">{lang.pick("Вид", "Kind")}</th>
                <th scope="col">{lang.pick("С даты", "Effective")}</th>
                <th scope="col" class="num">{lang.pick("Детей", "Children")}</th>
            </tr></thead>
            <tbody>
                {list.rows.into_iter().map(|o| view! {
                    <tr class:cancelled=o.cancelled>
                        <td class="order-number"><a href=format!("/admin/orders/{}", o.id)>{o.number}</a></td>
                        <td>{shown(&o.issued_on)}</td>
                        <td>{kind_title(&o.kind, lang)}{o.cancelled.then(|| format!(" ({})", lang.pick("отменён", "cancelled")))}</td>
                        <td>{shown(&o.effective_on)}</td>
                        <td class="num">{o.children}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        <Pager current=current as i64 pages=pages as i64 go=Callback::new(move |n: i64| page.set(n.max(1) as usize))/>
    }
}

/// «Новый приказ»: the kind, the day and the group are chosen first (a plain GET form,
/// so it works before the page's script has loaded); the children of that group on
/// that day are then ticked and the order issued.
#[component]
fn NewOrder() -> impl IntoView {
    let query = use_query_map();
    let q = move |key: &str| query.read().get(key).unwrap_or_default();
    let choices = Resource::new(
        move || (q("new"), q("group"), q("on")),
        |(kind, group, on)| async move {
            if kind.is_empty() {
                return Ok(None);
            }
            load_order_choices(kind, group.parse().ok(), on)
                .await
                .map(Some)
        },
    );
    let groups = Resource::new(
        || (),
        |_| load_order_choices(String::new(), None, String::new()),
    );
    let lang = use_lang();
    view! {
        <section class="card" id="new-order">
            <h2>{t("Новый приказ", "New order")}</h2>
            <p class="muted">{t(
                "Зачисление оформляется в карточке ребёнка или загрузкой CSV. Здесь — перевод, отчисление и восстановление.",
                "Admission is made on the child's card or by a CSV import. Here: transfer, leaving and return.",
            )}</p>
            <Form method="GET" action="" attr:class="grid order-setup">
                <div class="field">
                    <label for="new">{t("Вид приказа", "Kind of order")}</label>
                    <select id="new" name="new" required>
                        {[OrderKind::Transfer, OrderKind::Leaving, OrderKind::Return].into_iter().map(|k| {
                            let selected = q("new") == k.as_str();
                            view! { <option value=k.as_str() selected=selected>{t(k.title_ru(), k.title_en())}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="on">{t("С какого дня (для отчисления — последний день)", "Effective day (for leaving: the last day)")}</label>
                    <input id="on" type="date" name="on" value=q("on") required/>
                </div>
                <div class="field">
                    <label for="group">{t("Из группы (не нужно для восстановления)", "From group (not needed for a return)")}</label>
                    <Suspense fallback=|| ()>
                        {move || Suspend::new(async move {
                            let list = groups.await.map(|c| c.groups).unwrap_or_default();
                            let chosen = q("group");
                            view! {
                                <select id="group" name="group">
                                    <option value="">{lang.pick("—", "—")}</option>
                                    {list.into_iter().map(|(id, name)| {
                                        let selected = chosen == id.to_string();
                                        view! { <option value=id selected=selected>{name}</option> }
                                    }).collect_view()}
                                </select>
                            }
                        })}
                    </Suspense>
                </div>
                <button type="submit" class="secondary">{t("Показать детей", "Show the children")}</button>
            </Form>
            <Loaded resource=choices ok=move |found| {
                found.map(|choices| view! {
                    <OrderLinesForm choices kind=q("new") on=q("on")/>
                })
            }/>
        </section>
    }
}

#[component]
fn OrderLinesForm(choices: OrderChoices, kind: String, on: String) -> impl IntoView {
    let lang = use_lang();
    let issue = ServerAction::<IssueOrder>::new();
    let error = Signal::derive(move || issue.value().get().and_then(Result::err));
    let needs_group = OrderKind::parse(&kind).is_some_and(OrderKind::needs_group);
    let empty = choices.candidates.is_empty();
    view! {
        <IssuedNotice issue/>
        {empty.then(|| view! { <p class="muted" id="no-candidates">{lang.pick("Нет детей, к которым подходит такой приказ.", "No children this order can apply to.")}</p> })}
        <ActionForm action=issue attr:class="order-form">
            <input type="hidden" name="kind" value=kind.clone()/>
            <input type="hidden" name="effective_on" value=on.clone()/>
            <fieldset class="order-children">
                <legend>{lang.pick("Дети", "Children")}</legend>
                {choices.candidates.into_iter().map(|c| {
                    let id = format!("child-{}", c.child_id);
                    let note = match c.left_on {
                        Some(left) => format!(" — {}, {} {}", c.group, lang.pick("выбыл", "left"), shown(&left)),
                        None => format!(" — {}", c.group),
                    };
                    view! {
                        <label class="order-child">
                            <input type="checkbox" id=id name="children[]" value=c.child_id/>
                            " "{c.name}<span class="muted">{note}</span>
                        </label>
                    }
                }).collect_view()}
            </fieldset>
            <div class="grid">
                {needs_group.then(|| view! {
                    <div class="field">
                        <label for="to_group_id">{lang.pick("В группу", "To group")}</label>
                        <select id="to_group_id" name="to_group_id" required>
                            <option value="">{lang.pick("— выберите —", "— choose —")}</option>
                            {choices.groups.iter().map(|(id, name)| view! { <option value=*id>{name.clone()}</option> }).collect_view()}
                        </select>
                    </div>
                })}
                <OrderFields/>
            </div>
            <OrderProblems error/>
            <button type="submit" disabled=move || issue.pending().get() || empty>{lang.pick("Провести приказ", "Issue the order")}</button>
        </ActionForm>
    }
}

#[component]
pub fn OrderCardPage() -> impl IntoView {
    view! { <Gate roles=&[Role::OrgAdmin] page=|_| view! { <Card/> }/> }
}

#[component]
fn Card() -> impl IntoView {
    let params = use_params_map();
    let cancel = ServerAction::<CancelOrder>::new();
    let order = Resource::new(
        move || {
            (
                params
                    .read()
                    .get("id")
                    .and_then(|id| id.parse::<i64>().ok()),
                cancel.version().get(),
            )
        },
        |(id, _)| async move {
            match id {
                Some(id) => load_order(id).await,
                None => Err(AppError::not_found("Приказ не найден.", "Order not found.")),
            }
        },
    );
    view! {
        <Loaded resource=order ok=move |card| view! { <OrderDocument card cancel/> } title=("Приказ", "Order")/>
        <p class="no-print"><a href="/admin/orders">{t("← Все приказы", "← All orders")}</a></p>
    }
}

#[component]
fn OrderDocument(card: OrderCard, cancel: ServerAction<CancelOrder>) -> impl IntoView {
    let lang = use_lang();
    let error = Signal::derive(move || cancel.value().get().and_then(Result::err));
    let kind = OrderKind::parse(&card.kind);
    let with_from = kind != Some(OrderKind::Admission) && kind != Some(OrderKind::Return);
    let with_to = kind.is_some_and(OrderKind::needs_group);
    let cancelled = card.cancelled.clone();
    view! {
        <article class="order-document">
            <p class="order-organisation">{card.organisation.clone()}</p>
            <h1>{format!("{} № {}", lang.pick("Приказ", "Order"), card.number)}</h1>
            <p class="order-meta">
                {format!("{} {} · {}: {} · {} {}",
                    lang.pick("от", "of"), shown(&card.issued_on),
                    kind_title(&card.kind, lang),
                    match kind {
                        Some(OrderKind::Leaving) => lang.pick("последний день", "last day"),
                        _ => lang.pick("с", "from"),
                    },
                    shown(&card.effective_on),
                    String::new())}
            </p>
            {(!card.comment.is_empty()).then(|| view! { <p class="order-comment">{card.comment.clone()}</p> })}
            <table class="order-lines">
                <thead><tr>
                    <th scope="col" class="num">"№"</th>
                    <th scope="col">{lang.pick("Ребёнок", "Child")}</th>
                    {with_from.then(|| view! { <th scope="col">{lang.pick("Из группы", "From group")}</th> })}
                    {with_to.then(|| view! { <th scope="col">{lang.pick("В группу", "To group")}</th> })}
                </tr></thead>
                <tbody>
                    {card.lines.into_iter().enumerate().map(|(n, l)| view! {
                        <tr>
                            <td class="num">{n + 1}</td>
                            <td><a href=format!("/children/{}", l.child_id)>{l.child_name}</a></td>
                            {with_from.then(|| view! { <td>{l.from_group.clone().unwrap_or_default()}</td> })}
                            {with_to.then(|| view! { <td>{l.to_group.clone().unwrap_or_default()}</td> })}
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            <p class="order-signature">{format!("{}: {} ____________", lang.pick("Приказ внёс", "Entered by"), card.issued_by)}</p>
            {cancelled.clone().map(|(by, at)| view! {
                <p class="order-cancelled" id="order-cancelled">
                    {format!("{} {at} ({by})", lang.pick("Приказ отменён", "Order cancelled on"))}
                </p>
            })}
        </article>
        <div class="no-print toolbar">
            <button type="button" class="secondary" data-action="print">{lang.pick("Печать", "Print")}</button>
            {cancelled.is_none().then(|| view! {
                <ActionForm action=cancel attr:class="inline-form">
                    <input type="hidden" name="order_id" value=card.id/>
                    <button type="submit" class="danger" disabled=move || cancel.pending().get()>{lang.pick("Отменить приказ", "Cancel the order")}</button>
                </ActionForm>
            })}
        </div>
        <FormError error/>
        <LineProblems error/>
    }
}

#[component]
pub fn MoveUpPage() -> impl IntoView {
    view! { <Gate roles=&[Role::OrgAdmin] page=|_| view! { <MoveUp/> }/> }
}

/// The yearly move-up: every group's children on the day, each group sent on to a
/// group chosen here; children unticked stay where they are. Issued as one order.
#[component]
fn MoveUp() -> impl IntoView {
    let query = use_query_map();
    let on = move || query.read().get("on").unwrap_or_default();
    let choices = Resource::new(on, |on| async move {
        if on.is_empty() {
            return Ok(None);
        }
        load_order_choices(OrderKind::Transfer.as_str().to_owned(), None, on)
            .await
            .map(Some)
    });
    view! {
        <h1>{t("Перевод групп на новый учебный год", "Moving groups up for the new year")}</h1>
        <p class="muted">{t(
            "Выберите день перевода (обычно 1 сентября), затем для каждой группы — группу, в которую она переходит. Снимите отметку с детей, которые остаются. Всё оформляется одним приказом о переводе.",
            "Choose the day (usually 1 September), then for each group the group it moves to. Untick the children who stay behind. It is all issued as one transfer order.",
        )}</p>
        <Form method="GET" action="" attr:class="toolbar">
            <label for="on">{t("День перевода", "Day of the move")}</label>
            <input id="on" type="date" name="on" value=on required/>
            <button type="submit" class="secondary">{t("Показать группы", "Show the groups")}</button>
        </Form>
        <Loaded resource=choices ok=move |found| found.map(|choices| view! { <MoveUpForm choices on=on()/> })/>
        <p><a href="/admin/orders">{t("← Все приказы", "← All orders")}</a></p>
    }
}

#[component]
fn MoveUpForm(choices: OrderChoices, on: String) -> impl IntoView {
    let lang = use_lang();
    let issue = ServerAction::<IssueOrder>::new();
    let error = Signal::derive(move || issue.value().get().and_then(Result::err));
    let groups = choices.groups.clone();
    view! {
        <IssuedNotice issue/>
        <ActionForm action=issue attr:class="move-up-form">
            <input type="hidden" name="kind" value="transfer"/>
            <input type="hidden" name="effective_on" value=on/>
            {choices.groups.iter().map(|(group_id, name)| {
                let group_id = *group_id;
                let children: Vec<_> = choices.candidates.iter().filter(|c| c.group_id == group_id).cloned().collect();
                let select_id = format!("move-{group_id}");
                view! {
                    <fieldset class="move-up-group" data-group=group_id>
                        <legend>{format!("{name} ({})", children.len())}</legend>
                        <label for=select_id.clone()>{lang.pick("Переходит в группу", "Moves to group")}</label>
                        <select id=select_id name="moves[]">
                            <option value=format!("{group_id}:{group_id}")>{lang.pick("— остаётся —", "— stays —")}</option>
                            {groups.iter().filter(|(id, _)| *id != group_id).map(|(id, other)| view! {
                                <option value=format!("{group_id}:{id}")>{other.clone()}</option>
                            }).collect_view()}
                        </select>
                        <div class="move-up-children">
                            {children.into_iter().map(|c| {
                                let id = format!("child-{}", c.child_id);
                                view! {
                                    <label class="order-child">
                                        <input type="checkbox" id=id name="children[]" value=c.child_id checked/>
                                        " "{c.name}
                                    </label>
                                }
                            }).collect_view()}
                        </div>
                    </fieldset>
                }
            }).collect_view()}
            <div class="grid">
                <OrderFields/>
            </div>
            <OrderProblems error/>
            <button type="submit" disabled=move || issue.pending().get()>{lang.pick("Провести приказ о переводе", "Issue the transfer order")}</button>
        </ActionForm>
    }
}

/// The child card's «История зачисления»: each period with the orders around it.
#[component]
pub fn EnrolmentHistory(child_id: i64) -> impl IntoView {
    let lang = use_lang();
    let history = Resource::new(move || child_id, child_history);
    view! {
        <section class="card">
            <h2>{t("История зачисления", "Enrolment history")}</h2>
            <Loaded resource=history ok=move |rows| view! {
                <table class="enrolment-history">
                    <thead><tr>
                        <th scope="col">{lang.pick("Группа", "Group")}</th>
                        <th scope="col">{lang.pick("С", "From")}</th>
                        <th scope="col">{lang.pick("По", "To")}</th>
                        <th scope="col">{lang.pick("Приказы", "Orders")}</th>
                    </tr></thead>
                    <tbody>
                        {rows.into_iter().map(|r| {
                            let order = |o: Option<(i64, String, String)>| o.map(|(id, number, kind)| view! {
                                <a href=format!("/admin/orders/{id}")>{format!("{} № {number}", kind_title(&kind, lang))}</a>" "
                            });
                            view! {
                                <tr>
                                    <td>{r.group}</td>
                                    <td>{shown(&r.from)}</td>
                                    <td>{r.to.as_deref().map(shown).unwrap_or_default()}</td>
                                    <td>{order(r.opened_by)}{order(r.closed_by)}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            }/>
        </section>
    }
}
