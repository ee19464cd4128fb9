use leptos::{html, prelude::*};
use leptos_router::hooks::use_params_map;

use super::{
    list_groups, load_group_roster, load_group_settings, AddGroup, AdminGroupRow, ArchiveGroup,
    Choice, GroupRoster, GroupSettings, GroupSummary, SaveGroup,
};
use crate::components::{matches_words, ErrorNotice, Field, FormError, Gate, InPageSearch, Loaded};
use crate::domain::{GroupName, Lang, Role};
use crate::error::AppError;
use crate::i18n::{t, use_lang};

/// The admin's groups with child counts, and adding a group.
#[component]
pub fn GroupsPage() -> impl IntoView {
    view! { <Gate roles=&[Role::OrgAdmin] page=|_| view! { <GroupsEditor/> }/> }
}

#[component]
fn GroupsEditor() -> impl IntoView {
    let lang = use_lang();
    let add_group = ServerAction::<AddGroup>::new();
    // Refetch after every completed add so the list always shows what is stored.
    let groups = Resource::new(move || add_group.version().get(), |_| list_groups());
    let name_input = NodeRef::<html::Input>::new();
    // An organisation has tens of groups: the whole list comes at once and the search
    // narrows it in the page.
    let search = RwSignal::new(String::new());
    provide_context(InPageSearch(search));

    Effect::new(move |_| {
        if let Some(Ok(_)) = add_group.value().get() {
            if let Some(input) = name_input.get() {
                input.set_value("");
            }
        }
    });

    let error = move || {
        add_group.value().get().and_then(Result::err).map(
            |e| view! { <p class="error" role="alert" id="group-name-error">{e.message(lang)}</p> },
        )
    };

    view! {
        <section class="groups">
            <h1>{t("Группы", "Groups")}</h1>
            <div class="toolbar">
                <label for="group-search" class="visually-hidden">{t("Поиск группы", "Find a group")}</label>
                <input id="group-search" type="search" autocomplete="off"
                    placeholder=t("Поиск по названию, кабинету или режиму", "Search by name, room or stay mode")
                    on:input=move |ev| search.set(event_target_value(&ev))/>
            </div>
            <Transition fallback=|| view! { <p class="muted">{t("Загрузка…", "Loading…")}</p> }>
                {move || Suspend::new(async move {
                    match groups.await {
                        Ok(org) => view! {
                            <p class="muted org-name">{org.organisation_name}</p>
                            <AdminGroupTable groups=org.groups/>
                            {(!org.archived.is_empty()).then(|| view! {
                                <details class="archived-groups">
                                    <summary>{t("Группы в архиве", "Archived groups")}</summary>
                                    <AdminGroupTable groups=org.archived/>
                                </details>
                            })}
                        }.into_any(),
                        Err(error) => view! { <ErrorNotice error/> }.into_any(),
                    }
                })}
            </Transition>

            <ActionForm action=add_group attr:class="add-group">
                <label for="group-name">{t("Новая группа", "New group")}</label>
                <div class="row">
                    <input
                        id="group-name"
                        name="name"
                        type="text"
                        required
                        autocomplete="off"
                        placeholder=t("Например, «Солнышко»", "e.g. “Sunshine”")
                        aria-describedby="group-name-hint group-name-error"
                        node_ref=name_input
                    />
                    <button type="submit" disabled=move || add_group.pending().get()>
                        {t("Добавить группу", "Add group")}
                    </button>
                </div>
                <p class="hint muted" id="group-name-hint">
                    {match lang {
                        Lang::Ru => format!("До {} символов, название должно быть уникальным в организации.", GroupName::MAX_CHARS),
                        Lang::En => format!("Up to {} characters, unique within the organisation.", GroupName::MAX_CHARS),
                    }}
                </p>
                {error}
            </ActionForm>
        </section>
    }
}

/// Whether a group's row answers the search: every word in its name, room or mode.
fn matches_search(row: &AdminGroupRow, query: &str) -> bool {
    let haystack = format!(
        "{} {} {} {}",
        row.name,
        row.room.as_deref().unwrap_or_default(),
        row.stay_mode_ru.as_deref().unwrap_or_default(),
        row.stay_mode_en.as_deref().unwrap_or_default()
    );
    matches_words(&haystack, query)
}

fn age_band(lang: Lang, from: Option<i64>, to: Option<i64>) -> String {
    match (from, to) {
        (Some(from), Some(to)) if from == to => match lang {
            Lang::Ru => format!("{from} г."),
            Lang::En => format!("{from} y"),
        },
        (Some(from), Some(to)) => match lang {
            Lang::Ru => format!("{from}–{to} лет"),
            Lang::En => format!("{from}–{to} years"),
        },
        _ => String::new(),
    }
}

#[component]
fn AdminGroupTable(groups: Vec<AdminGroupRow>) -> impl IntoView {
    let lang = use_lang();
    let search = use_context::<InPageSearch>().map(|InPageSearch(s)| s);
    if groups.is_empty() {
        return view! { <p class="muted">{t("Групп пока нет.", "No groups yet.")}</p> }.into_any();
    }
    view! {
        <table class="group-list">
            <thead>
                <tr>
                    <th scope="col">{t("Группа", "Group")}</th>
                    <th scope="col" class="num">{t("Детей", "Children")}</th>
                    <th scope="col">{t("Возраст", "Ages")}</th>
                    <th scope="col">{t("Режим пребывания", "Stay mode")}</th>
                    <th scope="col">{t("Кабинет", "Room")}</th>
                    <th scope="col"><span class="visually-hidden">{t("Действия", "Actions")}</span></th>
                </tr>
            </thead>
            <tbody>
                {groups
                    .into_iter()
                    .map(|g| {
                        let over = g.places.is_some_and(|p| g.child_count > p);
                        let mode = match lang {
                            Lang::Ru => g.stay_mode_ru.clone(),
                            Lang::En => g.stay_mode_en.clone(),
                        };
                        let room = g.room.clone().map(|room| match g.places {
                            Some(places) => match lang {
                                Lang::Ru => format!("{room} ({places} мест)"),
                                Lang::En => format!("{room} ({places} places)"),
                            },
                            None => room,
                        });
                        view! {
                            <tr data-group-id=g.id hidden={
                                let row = g.clone();
                                move || search.is_some_and(|s| !matches_search(&row, &s.read()))
                            }>
                                <td class="group-name"><a href=format!("/groups/{}", g.id)>{g.name.clone()}</a></td>
                                <td class="num child-count" class:over=over>{g.child_count}</td>
                                <td class="ages">{age_band(lang, g.age_from, g.age_to)}</td>
                                <td class="stay-mode">{mode}</td>
                                <td class="room">{room}</td>
                                <td><a class="settings-link" href=format!("/admin/groups/{}", g.id)
                                    aria-label=format!("{} {}", t("Настроить группу", "Settings of group"), g.name)>
                                    {t("Настроить", "Settings")}
                                </a></td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// A group's settings: name, ages, stay mode and room; archive and restore.
#[component]
pub fn GroupSettingsPage() -> impl IntoView {
    view! { <Gate roles=&[Role::OrgAdmin] page=|_| view! { <Settings/> }/> }
}

#[component]
fn Settings() -> impl IntoView {
    let params = use_params_map();
    let save = ServerAction::<SaveGroup>::new();
    let archive = ServerAction::<ArchiveGroup>::new();
    let group_id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
    };
    let settings = Resource::new(
        move || (group_id(), save.version().get(), archive.version().get()),
        |(id, _, _)| async move {
            match id {
                Some(id) => load_group_settings(id).await,
                None => Err(AppError::not_found(
                    "Группа не найдена.",
                    "Group not found.",
                )),
            }
        },
    );
    view! {
        <Loaded resource=settings ok=move |settings| view! { <SettingsForm settings save archive/> } title=("Группа", "Group")/>
        <p><a href="/admin/groups">{t("← Все группы", "← All groups")}</a></p>
    }
}

#[component]
fn SettingsForm(
    settings: GroupSettings,
    save: ServerAction<SaveGroup>,
    archive: ServerAction<ArchiveGroup>,
) -> impl IntoView {
    let lang = use_lang();
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let archive_error = Signal::derive(move || archive.value().get().and_then(Result::err));
    let saved = move || matches!(save.value().get(), Some(Ok(())));
    let option = move |choice: Choice, selected: Option<i64>| {
        let label = lang.pick(&choice.label_ru, &choice.label_en).to_owned();
        view! { <option value=choice.id selected=selected == Some(choice.id)>{label}</option> }
    };
    let (mode, room) = (settings.stay_mode_id, settings.room_id);
    let archived = settings.archived;
    view! {
        <h1>{settings.name.clone()}{archived.then(|| view! { " " <span class="tag">{t("в архиве", "archived")}</span> })}</h1>
        <p class="muted">
            {match lang {
                Lang::Ru => format!("Детей в группе сейчас: {}", settings.child_count),
                Lang::En => format!("Children in the group now: {}", settings.child_count),
            }}
        </p>
        <section class="card">
            <h2>{t("Настройки группы", "Group settings")}</h2>
            <ActionForm action=save attr:class="group-settings">
                <input type="hidden" name="group_id" value=settings.id/>
                <div class="grid">
                    <Field label=t("Название", "Name") name="name" error>
                        <input id="name" name="name" required value=settings.name.clone()/>
                    </Field>
                    <Field label=t("Возраст от (лет)", "Age from (years)") name="age_from" error>
                        <input id="age_from" name="age_from" type="number" min="0" max="8" class="narrow-number"
                            value=settings.age_from.map(|a| a.to_string())/>
                    </Field>
                    <div class="field">
                        <label for="age_to">{t("Возраст до (лет)", "Age to (years)")}</label>
                        <input id="age_to" name="age_to" type="number" min="0" max="8" class="narrow-number"
                            value=settings.age_to.map(|a| a.to_string())/>
                    </div>
                    <Field label=t("Режим пребывания", "Stay mode") name="stay_mode_id" error>
                        <select id="stay_mode_id" name="stay_mode_id">
                            <option value="" selected=mode.is_none()>{t("— не задан —", "— not set —")}</option>
                            {settings.stay_modes.into_iter().map(|c| option(c, mode)).collect_view()}
                        </select>
                    </Field>
                    <Field label=t("Кабинет", "Room") name="room_id" error>
                        <select id="room_id" name="room_id">
                            <option value="" selected=room.is_none()>{t("— не задан —", "— not set —")}</option>
                            {settings.rooms.into_iter().map(|c| option(c, room)).collect_view()}
                        </select>
                    </Field>
                </div>
                <p class="hint muted">
                    <a href="/admin/premises">{t("Здания и кабинеты", "Buildings and rooms")}</a>
                    " · "
                    <a href="/admin/stay-modes">{t("Режимы пребывания", "Stay modes")}</a>
                </p>
                <FormError error/>
                {move || saved().then(|| view! { <p class="success" role="status">{t("Сохранено.", "Saved.")}</p> })}
                <button type="submit" disabled=move || save.pending().get()>{t("Сохранить", "Save")}</button>
            </ActionForm>
        </section>
        <section class="card">
            <h2>{t("Архив", "Archive")}</h2>
            <p class="muted">
                {t(
                    "Группа без детей переводится в архив: её табели и история остаются, в списках её больше нет.",
                    "A group with no children is archived: its timesheets and history stay, it leaves the lists.",
                )}
            </p>
            <ActionForm action=archive attr:class="archive-form">
                <input type="hidden" name="group_id" value=settings.id/>
                <input type="hidden" name="archived" value=(!archived).to_string()/>
                <button type="submit" class="secondary">
                    {if archived { t("Вернуть группу из архива", "Restore group") } else { t("Перевести группу в архив", "Archive group") }}
                </button>
            </ActionForm>
            <FormError error=archive_error/>
        </section>
    }
}

#[component]
pub fn GroupTable(groups: Vec<GroupSummary>) -> impl IntoView {
    if groups.is_empty() {
        return view! { <p class="muted">{t("Групп пока нет.", "No groups yet.")}</p> }.into_any();
    }
    view! {
        <table class="group-list">
            <thead>
                <tr>
                    <th scope="col">{t("Группа", "Group")}</th>
                    <th scope="col" class="num">{t("Детей", "Children")}</th>
                </tr>
            </thead>
            <tbody>
                {groups
                    .into_iter()
                    .map(|g| view! {
                        <tr data-group-id=g.id>
                            <td class="group-name"><a href=format!("/groups/{}", g.id)>{g.name}</a></td>
                            <td class="num child-count">{g.child_count}</td>
                        </tr>
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// «Список детей и родителей» of one group.
#[component]
pub fn GroupRosterPage() -> impl IntoView {
    view! { <Gate roles=&[Role::OrgAdmin, Role::Teacher] page=|_| view! { <Roster/> }/> }
}

#[component]
fn Roster() -> impl IntoView {
    let params = use_params_map();
    let group_id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
    };
    let roster = Resource::new(group_id, |id| async move {
        match id {
            Some(id) => load_group_roster(id).await,
            None => Err(crate::error::AppError::not_found(
                "Группа не найдена.",
                "Group not found.",
            )),
        }
    });
    view! {
        <Loaded resource=roster ok=move |roster| view! { <RosterTable roster/> } title=("Группа", "Group")/>
    }
}

#[component]
fn RosterTable(roster: GroupRoster) -> impl IntoView {
    view! {
        <h1>{roster.group_name}</h1>
        <p class="muted">{roster.organisation_name}" · "{t("детей", "children")}": "{roster.children.len()}</p>
        <nav class="day-nav">
            <a class="button inline" href=format!("/groups/{}/marks/{}", roster.group_id, roster.today)>{t("Отметить посещаемость", "Mark attendance")}</a>
            <a href=format!("/groups/{}/timesheet/{}", roster.group_id, &roster.today[..7])>{t("Табель за месяц", "Month timesheet")}</a>
        </nav>
        <table class="roster">
            <thead>
                <tr>
                    <th scope="col">{t("Ребёнок", "Child")}</th>
                    <th scope="col">{t("Дата рождения", "Birth date")}</th>
                    <th scope="col">{t("Родители (законные представители)", "Parents (legal representatives)")}</th>
                </tr>
            </thead>
            <tbody>
                {roster.children.into_iter().map(|c| view! {
                    <tr>
                        <td class="child-name">{c.full_name}</td>
                        <td>{c.birth_date}</td>
                        <td>
                            <ul class="guardians">
                                {c.guardians.into_iter().map(|g| view! {
                                    <li>
                                        <span class="guardian-name">{g.full_name}</span>
                                        " ("{g.relation}")"
                                        {g.phone.map(|p| view! { " · "<a href=format!("tel:{p}")>{p.clone()}</a> })}
                                        {g.email.map(|e| view! { " · "<a href=format!("mailto:{e}")>{e.clone()}</a> })}
                                    </li>
                                }).collect_view()}
                            </ul>
                        </td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(name: &str, room: Option<&str>, mode: Option<&str>) -> AdminGroupRow {
        AdminGroupRow {
            id: 1,
            name: name.into(),
            child_count: 0,
            age_from: None,
            age_to: None,
            stay_mode_ru: mode.map(Into::into),
            stay_mode_en: None,
            room: room.map(Into::into),
            places: None,
        }
    }

    #[test]
    fn the_search_takes_every_word_in_any_column_without_case_or_yo() {
        let sun = row(
            "Звёздочка",
            Some("Основной корпус · Групповая 4"),
            Some("Полный день"),
        );
        assert!(matches_search(&sun, ""));
        assert!(matches_search(&sun, "звезд"));
        assert!(matches_search(&sun, "ЗВЁЗД групповая"));
        assert!(matches_search(&sun, "полный"));
        assert!(!matches_search(&sun, "звезд кратковременное"));
        assert!(!matches_search(&row("Радуга", None, None), "корпус"));
    }
}
