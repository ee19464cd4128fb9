use leptos::prelude::*;

use super::{list_calendar_days, list_reasons, SaveReason, SetCalendarDay};
use crate::components::{ErrorNotice, Field, FormError, Gate};
use crate::domain::Role;

#[component]
pub fn ReasonsPage() -> impl IntoView {
    view! { <Gate roles=&[Role::OrgAdmin] page=|_| view! { <Reasons/> }/> }
}

#[component]
fn Reasons() -> impl IntoView {
    let save = ServerAction::<SaveReason>::new();
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let reasons = Resource::new(move || save.version().get(), |_| list_reasons());
    view! {
        <h1>"Причины отсутствия"</h1>
        <p class="muted">
            "«Уважительная» причина засчитывается в табеле; «оплачивается» — день остаётся к оплате родителями. "
            "Правила освобождения от платы задаёт муниципалитет; организация может изменить их для себя."
        </p>
        <Transition fallback=|| view! { <p class="muted">"Загрузка…"</p> }>
            {move || Suspend::new(async move {
                match reasons.await {
                    Ok(rows) => view! {
                        <table class="reasons">
                            <thead><tr>
                                <th scope="col">"Код"</th><th scope="col">"Причина"</th>
                                <th scope="col">"Уважительная"</th><th scope="col">"Оплачивается"</th><th scope="col">"Источник"</th>
                            </tr></thead>
                            <tbody>
                                {rows.into_iter().map(|r| view! {
                                    <tr data-code=r.code.clone()>
                                        <td class="code">{r.code.clone()}</td>
                                        <td>{r.name_ru}</td>
                                        <td class="excused">{if r.excused { "да" } else { "нет" }}</td>
                                        <td class="charged">{if r.charged { "да" } else { "нет" }}</td>
                                        <td class="muted">{if r.own { "организация" } else { "по умолчанию" }}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                    Err(error) => view! { <ErrorNotice error/> }.into_any(),
                }
            })}
        </Transition>
        <section class="card">
            <h2>"Добавить или изменить причину"</h2>
            <ActionForm action=save>
                <div class="grid">
                    <Field label="Код" name="code" error><input id="code" name="code" required maxlength="3"/></Field>
                    <Field label="Название" name="name_ru" error><input id="name_ru" name="name_ru" required/></Field>
                    <Field label="Название (English)" name="name_en" error><input id="name_en" name="name_en"/></Field>
                </div>
                <fieldset class="roles">
                    <legend>"Правила"</legend>
                    <label><input type="checkbox" name="excused"/>" Уважительная"</label>
                    <label><input type="checkbox" name="charged"/>" Оплачивается"</label>
                </fieldset>
                <FormError error/>
                <button type="submit" disabled=move || save.pending().get()>"Сохранить причину"</button>
            </ActionForm>
        </section>
    }
}

#[component]
pub fn CalendarPage() -> impl IntoView {
    view! { <Gate roles=&[Role::OrgAdmin] page=|_| view! { <Calendar/> }/> }
}

#[component]
fn Calendar() -> impl IntoView {
    let set = ServerAction::<SetCalendarDay>::new();
    let error = Signal::derive(move || set.value().get().and_then(Result::err));
    let year = RwSignal::new(2026);
    let days = Resource::new(
        move || (year.get(), set.version().get()),
        |(y, _)| list_calendar_days(y),
    );
    view! {
        <h1>"Календарный учебный график"</h1>
        <p class="muted">
            "Рабочие дни — понедельник–пятница, кроме праздников. Здесь отмечаются праздничные дни "
            "и перенесённые рабочие дни (например, рабочая суббота). Табель считает рабочие дни по этому графику."
        </p>
        <nav class="pager" aria-label="Год">
            <button type="button" class="secondary" on:click=move |_| year.update(|y| *y -= 1)>"←"</button>
            <span class="year">{move || year.get()}</span>
            <button type="button" class="secondary" on:click=move |_| year.update(|y| *y += 1)>"→"</button>
        </nav>
        <Transition fallback=|| view! { <p class="muted">"Загрузка…"</p> }>
            {move || Suspend::new(async move {
                match days.await {
                    Ok(days) if days.is_empty() => view! { <p class="muted">"Исключений нет."</p> }.into_any(),
                    Ok(days) => view! {
                        <ul class="calendar-days">
                            {days.into_iter().map(|d| view! {
                                <li data-day=d.day.clone()>
                                    <span class="day">{d.day.clone()}</span>
                                    " — "
                                    <span class="kind">{if d.kind == "holiday" { "праздничный день" } else { "рабочий день (перенос)" }}</span>
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(error) => view! { <ErrorNotice error/> }.into_any(),
                }
            })}
        </Transition>
        <section class="card">
            <h2>"Изменить день"</h2>
            <ActionForm action=set attr:class="calendar-form">
                <Field label="Дата" name="day" error><input id="day" name="day" type="date" required/></Field>
                <div class="field">
                    <label for="kind">"Тип дня"</label>
                    <select id="kind" name="kind">
                        <option value="holiday">"Праздничный (нерабочий) день"</option>
                        <option value="working">"Рабочий день (перенос)"</option>
                        <option value="weekday">"Как обычно (убрать исключение)"</option>
                    </select>
                </div>
                <FormError error/>
                <button type="submit" disabled=move || set.pending().get()>"Сохранить"</button>
            </ActionForm>
        </section>
    }
}
