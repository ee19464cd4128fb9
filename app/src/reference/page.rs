use leptos::prelude::*;

use super::{
    list_calendar_days, list_reasons, list_stay_modes, AddStayMode, ArchiveReason, ArchiveStayMode,
    ReasonRow, SaveReason, SaveStayMode, SetCalendarDay, StayModeRow,
};
use crate::components::{
    form_error, refresh_on_success, Changed, ErrorNotice, Field, FormError, Gate, Loaded,
};
use crate::domain::premises::StayHours;
use crate::domain::Role;
use crate::i18n::{t, use_lang};

#[component]
pub fn ReasonsPage() -> impl IntoView {
    view! { <Gate roles=&[Role::OrgAdmin] page=|_| view! { <Reasons/> }/> }
}

#[component]
fn Reasons() -> impl IntoView {
    let changed = RwSignal::new(0_u32);
    provide_context(Changed(changed));
    let save = ServerAction::<SaveReason>::new();
    refresh_on_success(save);
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let reasons = Resource::new(move || changed.get(), |_| list_reasons());
    view! {
        <h1>{t("Причины отсутствия", "Absence reasons")}</h1>
        <p class="muted">
            {t(
                "«Уважительная» причина засчитывается в табеле; «оплачивается» — день остаётся к оплате родителями. \
                 Правила освобождения от платы задаёт муниципалитет; организация может изменить их для себя.",
                "An “excused” reason is counted as such in the timesheet; “charged” means the parents still pay for the day. \
                 The municipality sets the fee exemption rules; an organisation may change them for itself.",
            )}
        </p>
        <Transition fallback=|| view! { <p class="muted">{t("Загрузка…", "Loading…")}</p> }>
            {move || Suspend::new(async move {
                match reasons.await {
                    Ok(rows) => view! {
                        <table class="reasons">
                            <thead><tr>
                                <th scope="col">{t("Код", "Code")}</th><th scope="col">{t("Причина", "Reason")}</th>
                                <th scope="col">{t("Уважительная", "Excused")}</th><th scope="col">{t("Оплачивается", "Charged")}</th><th scope="col">{t("Источник", "Source")}</th>
                                <th scope="col"><span class="visually-hidden">{t("Действия", "Actions")}</span></th>
                            </tr></thead>
                            <tbody>
                                {rows.into_iter().map(|reason| view! { <ReasonLine reason/> }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                    Err(error) => view! { <ErrorNotice error/> }.into_any(),
                }
            })}
        </Transition>
        <section class="card">
            <h2>{t("Добавить или изменить причину", "Add or change a reason")}</h2>
            <ActionForm action=save>
                <div class="grid">
                    <Field label=t("Код", "Code") name="code" error><input id="code" name="code" required maxlength="3"/></Field>
                    <Field label=t("Название", "Name (Russian)") name="name_ru" error><input id="name_ru" name="name_ru" required/></Field>
                    <Field label=t("Название (English)", "Name (English)") name="name_en" error><input id="name_en" name="name_en"/></Field>
                </div>
                <fieldset class="roles">
                    <legend>{t("Правила", "Rules")}</legend>
                    <label><input type="checkbox" name="excused"/>" "{t("Уважительная", "Excused")}</label>
                    <label><input type="checkbox" name="charged"/>" "{t("Оплачивается", "Charged")}</label>
                </fieldset>
                <FormError error/>
                <button type="submit" disabled=move || save.pending().get()>{t("Сохранить причину", "Save reason")}</button>
            </ActionForm>
        </section>
    }
}

/// One reason of the book, with archiving in place: an archived reason is no longer
/// offered to teachers and parents, and the days marked with it keep it.
#[component]
fn ReasonLine(reason: ReasonRow) -> impl IntoView {
    let lang = use_lang();
    let archive = ServerAction::<ArchiveReason>::new();
    refresh_on_success(archive);
    let yes_no = |b: bool| {
        if b {
            t("да", "yes")
        } else {
            t("нет", "no")
        }
    };
    let ReasonRow {
        code,
        name_ru,
        name_en,
        excused,
        charged,
        own,
        municipal,
        archived,
    } = reason;
    let button_label = format!(
        "{} {code}",
        if archived {
            t("Вернуть причину", "Restore reason")
        } else {
            t("В архив: причина", "Archive reason")
        }
    );
    let error_id = format!("reason-archive-error-{code}");
    let code_value = code.clone();
    view! {
        <tr class="reason" class:archived=archived data-code=code.clone()>
            <td class="code">{code.clone()}</td>
            <td>
                {lang.pick(&name_ru, &name_en).to_owned()}
                {archived.then(|| view! { " " <span class="tag">{t("в архиве", "archived")}</span> })}
            </td>
            <td class="excused">{yes_no(excused)}</td>
            <td class="charged">{yes_no(charged)}</td>
            <td class="muted source">{if own { t("организация", "organisation") } else if municipal { t("муниципалитет", "municipality") } else { t("по умолчанию", "default") }}</td>
            <td class="actions">
                <ActionForm action=archive attr:class="archive-form">
                    <input type="hidden" name="code" value=code_value/>
                    <input type="hidden" name="archived" value=(!archived).to_string()/>
                    <button type="submit" class="secondary" aria-label=button_label>
                        {if archived { t("Вернуть", "Restore") } else { t("В архив", "Archive") }}
                    </button>
                    {form_error(archive, error_id)}
                </ActionForm>
            </td>
        </tr>
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
        <h1>{t("Календарный учебный график", "Academic calendar")}</h1>
        <p class="muted">
            {t(
                "Рабочие дни — понедельник–пятница, кроме праздников. Здесь отмечаются праздничные дни \
                 и перенесённые рабочие дни (например, рабочая суббота). Табель считает рабочие дни по этому графику.",
                "Working days are Monday to Friday except holidays. Holidays and transferred working days \
                 (a working Saturday, say) are set here. The timesheet counts working days by this calendar.",
            )}
        </p>
        <nav class="pager" aria-label=t("Год", "Year")>
            <button type="button" class="secondary" on:click=move |_| year.update(|y| *y -= 1)>"←"</button>
            <span class="year">{move || year.get()}</span>
            <button type="button" class="secondary" on:click=move |_| year.update(|y| *y += 1)>"→"</button>
        </nav>
        <Transition fallback=|| view! { <p class="muted">{t("Загрузка…", "Loading…")}</p> }>
            {move || Suspend::new(async move {
                match days.await {
                    Ok(days) if days.is_empty() => view! { <p class="muted">{t("Исключений нет.", "No exceptions.")}</p> }.into_any(),
                    Ok(days) => view! {
                        <ul class="calendar-days">
                            {days.into_iter().map(|d| view! {
                                <li data-day=d.day.clone()>
                                    <span class="day">{d.day.clone()}</span>
                                    " — "
                                    <span class="kind">{if d.kind == "holiday" { t("праздничный день", "holiday") } else { t("рабочий день (перенос)", "working day (transferred)") }}</span>
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(error) => view! { <ErrorNotice error/> }.into_any(),
                }
            })}
        </Transition>
        <section class="card">
            <h2>{t("Изменить день", "Change a day")}</h2>
            <ActionForm action=set attr:class="calendar-form">
                <Field label=t("Дата", "Date") name="day" error><input id="day" name="day" type="date" required/></Field>
                <div class="field">
                    <label for="kind">{t("Тип дня", "Kind of day")}</label>
                    <select id="kind" name="kind">
                        <option value="holiday">{t("Праздничный (нерабочий) день", "Holiday (non-working day)")}</option>
                        <option value="working">{t("Рабочий день (перенос)", "Working day (transferred)")}</option>
                        <option value="weekday">{t("Как обычно (убрать исключение)", "As usual (remove the exception)")}</option>
                    </select>
                </div>
                <FormError error/>
                <button type="submit" disabled=move || set.pending().get()>{t("Сохранить", "Save")}</button>
            </ActionForm>
        </section>
    }
}

#[component]
pub fn StayModesPage() -> impl IntoView {
    view! { <Gate roles=&[Role::OrgAdmin] page=|_| view! { <StayModes/> }/> }
}

#[component]
fn StayModes() -> impl IntoView {
    let changed = RwSignal::new(0_u32);
    provide_context(Changed(changed));
    let add = ServerAction::<AddStayMode>::new();
    refresh_on_success(add);
    let error = Signal::derive(move || add.value().get().and_then(Result::err));
    let modes = Resource::new(move || changed.get(), |_| list_stay_modes());
    view! {
        <h1>{t("Режимы пребывания", "Stay modes")}</h1>
        <p class="muted">
            {t(
                "Режим пребывания задаётся группе в её настройках. Режимы по умолчанию задаёт регион; \
                 организация может добавить свои, изменить их и перевести в архив.",
                "A group's stay mode is set in the group's settings. The region sets the default modes; \
                 an organisation may add its own, change them and archive them.",
            )}
        </p>
        <Loaded resource=modes ok=move |rows| view! { <StayModeTable rows/> }/>
        <section class="card">
            <h2>{t("Новый режим", "New stay mode")}</h2>
            <ActionForm action=add attr:class="stay-mode-form">
                <div class="grid">
                    <Field label=t("Название", "Name (Russian)") name="name_ru" error>
                        <input id="name_ru" name="name_ru" required placeholder=t("Например, «Группа продлённого дня»", "e.g. “Extended day”")/>
                    </Field>
                    <Field label=t("Название (English)", "Name (English)") name="name_en" error>
                        <input id="name_en" name="name_en"/>
                    </Field>
                    <Field label=t("Часов в день", "Hours a day") name="hours" error>
                        <input id="hours" name="hours" required inputmode="decimal" placeholder="10,5"/>
                    </Field>
                </div>
                <FormError error/>
                <button type="submit" disabled=move || add.pending().get()>{t("Добавить режим", "Add stay mode")}</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn StayModeTable(rows: Vec<StayModeRow>) -> impl IntoView {
    view! {
        <table class="stay-modes">
            <thead><tr>
                <th scope="col">{t("Режим", "Stay mode")}</th>
                <th scope="col" class="num">{t("Часов в день", "Hours a day")}</th>
                <th scope="col">{t("Источник", "Source")}</th>
                <th scope="col"><span class="visually-hidden">{t("Действия", "Actions")}</span></th>
            </tr></thead>
            <tbody>
                {rows.into_iter().map(|mode| view! { <StayModeLine mode/> }).collect_view()}
            </tbody>
        </table>
    }
}

/// One stay mode; the organisation's own can be changed and archived in place.
#[component]
fn StayModeLine(mode: StayModeRow) -> impl IntoView {
    let lang = use_lang();
    let edit = ServerAction::<SaveStayMode>::new();
    let archive = ServerAction::<ArchiveStayMode>::new();
    refresh_on_success(edit);
    refresh_on_success(archive);
    let id = mode.id;
    let hours = StayHours::from_minutes(mode.minutes)
        .map(|h| h.hours(lang))
        .unwrap_or_default();
    let name = mode.name(lang).to_owned();
    let StayModeRow {
        name_ru,
        name_en,
        own,
        archived,
        ..
    } = mode;
    let mode_key = name_ru.clone();
    view! {
        <tr class="stay-mode" class:archived=archived data-mode=mode_key>
            <td>
                {name}
                {archived.then(|| view! { " " <span class="tag">{t("в архиве", "archived")}</span> })}
            </td>
            <td class="num hours">{hours.clone()}</td>
            <td class="muted">{if own { t("организация", "organisation") } else { t("регион", "region") }}</td>
            <td class="actions">
                {own.then(|| view! {
                    <details class="edit">
                        <summary>{t("Изменить", "Edit")}</summary>
                        <ActionForm action=edit attr:class="stay-mode-edit">
                            <input type="hidden" name="stay_mode_id" value=id/>
                            <label for=format!("mode-name-ru-{id}")>{t("Название", "Name (Russian)")}</label>
                            <input id=format!("mode-name-ru-{id}") name="name_ru" required value=name_ru/>
                            <label for=format!("mode-name-en-{id}")>{t("Название (English)", "Name (English)")}</label>
                            <input id=format!("mode-name-en-{id}") name="name_en" value=name_en/>
                            <label for=format!("mode-hours-{id}")>{t("Часов в день", "Hours a day")}</label>
                            <input id=format!("mode-hours-{id}") name="hours" required inputmode="decimal"
                                class="narrow-number" value=hours/>
                            <button type="submit">{t("Сохранить", "Save")}</button>
                            {form_error(edit, format!("mode-error-{id}"))}
                        </ActionForm>
                    </details>
                    <ActionForm action=archive attr:class="archive-form">
                        <input type="hidden" name="stay_mode_id" value=id/>
                        <input type="hidden" name="archived" value=(!archived).to_string()/>
                        <button type="submit" class="secondary">
                            {if archived { t("Вернуть", "Restore") } else { t("В архив", "Archive") }}
                        </button>
                        {form_error(archive, format!("mode-archive-error-{id}"))}
                    </ActionForm>
                })}
            </td>
        </tr>
    }
}
