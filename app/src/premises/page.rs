use leptos::prelude::*;

use super::{
    list_premises, ArchiveBuilding, ArchiveRoom, BuildingRow, RoomRow, SaveBuilding, SaveRoom,
};
use crate::components::{
    form_error, matches_words, refresh_on_success, Changed, ErrorNotice, Gate, InPageSearch,
};
use crate::domain::premises::{occupancy, Occupancy};
use crate::domain::{Lang, Role};
use crate::i18n::{t, use_lang};

#[component]
pub fn PremisesPage() -> impl IntoView {
    view! { <Gate roles=&[Role::OrgAdmin] page=|_| view! { <Premises/> }/> }
}

#[component]
fn Premises() -> impl IntoView {
    let changed = RwSignal::new(0_u32);
    provide_context(Changed(changed));
    let add = ServerAction::<SaveBuilding>::new();
    refresh_on_success(add);
    let premises = Resource::new(move || changed.get(), |_| list_premises());
    let search = RwSignal::new(String::new());
    provide_context(InPageSearch(search));
    view! {
        <h1>{t("Здания, кабинеты, места", "Buildings, rooms and places")}</h1>
        <p class="muted">
            {t(
                "Группа занимается в кабинете; число мест кабинета сравнивается с числом детей его групп.",
                "A group lives in a room; the room's places are compared with the children of its groups.",
            )}
        </p>
        <div class="toolbar">
            <label for="room-search" class="visually-hidden">{t("Поиск кабинета", "Find a room")}</label>
            <input id="room-search" type="search" autocomplete="off"
                placeholder=t("Поиск по кабинету, группе или зданию", "Search by room, group or building")
                on:input=move |ev| search.set(event_target_value(&ev))/>
        </div>
        <Transition fallback=|| view! { <p class="muted">{t("Загрузка…", "Loading…")}</p> }>
            {move || Suspend::new(async move {
                match premises.await {
                    Ok(buildings) if buildings.is_empty() => view! {
                        <p class="muted">{t("Зданий пока нет.", "No buildings yet.")}</p>
                    }.into_any(),
                    Ok(buildings) => buildings
                        .into_iter()
                        .map(|building| view! { <BuildingCard building/> })
                        .collect_view()
                        .into_any(),
                    Err(error) => view! { <ErrorNotice error/> }.into_any(),
                }
            })}
        </Transition>
        <section class="card">
            <h2>{t("Новое здание", "New building")}</h2>
            <ActionForm action=add attr:class="building-form">
                <input type="hidden" name="building_id" value=""/>
                <div class="grid">
                    <div class="field">
                        <label for="new-building-name">{t("Название", "Name")}</label>
                        <input id="new-building-name" name="name" required autocomplete="off"
                            placeholder=t("Например, «Корпус 1»", "e.g. “Main building”")/>
                    </div>
                    <div class="field">
                        <label for="new-building-address">{t("Адрес", "Address")}</label>
                        <input id="new-building-address" name="address" autocomplete="off"/>
                    </div>
                </div>
                {form_error(add, "new-building-error".into())}
                <button type="submit" disabled=move || add.pending().get()>{t("Добавить здание", "Add building")}</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn BuildingCard(building: BuildingRow) -> impl IntoView {
    let lang = use_lang();
    let edit = ServerAction::<SaveBuilding>::new();
    let archive = ServerAction::<ArchiveBuilding>::new();
    let add_room = ServerAction::<SaveRoom>::new();
    refresh_on_success(edit);
    refresh_on_success(archive);
    refresh_on_success(add_room);
    let id = building.id;
    let archived = building.archived;
    let rooms = building.rooms;
    let has_rooms = !rooms.is_empty();
    let (name, address) = (building.name, building.address);
    let (name_attr, name_value, address_value) = (name.clone(), name.clone(), address.clone());
    view! {
        <section class="card building" class:archived=archived data-building=name_attr>
            <h2>
                <span class="building-name">{name.clone()}</span>
                {archived.then(|| view! { " " <span class="tag">{t("в архиве", "archived")}</span> })}
            </h2>
            {(!address.is_empty()).then(|| view! { <p class="muted address">{address.clone()}</p> })}
            {if has_rooms {
                view! { <RoomTable rooms building_id=id building_name=name.clone() lang/> }.into_any()
            } else {
                view! { <p class="muted">{t("Кабинетов пока нет.", "No rooms yet.")}</p> }.into_any()
            }}
            {(!archived).then(|| view! {
                <ActionForm action=add_room attr:class="room-form inline-form">
                    <input type="hidden" name="room_id" value=""/>
                    <input type="hidden" name="building_id" value=id/>
                    <label for=format!("new-room-name-{id}")>{t("Новый кабинет", "New room")}</label>
                    <input id=format!("new-room-name-{id}") name="name" required autocomplete="off"
                        placeholder=t("Название или номер", "Name or number")/>
                    <label for=format!("new-room-places-{id}")>{t("Мест", "Places")}</label>
                    <input id=format!("new-room-places-{id}") name="places" type="number" min="1" max="300" required class="narrow-number"/>
                    <button type="submit" disabled=move || add_room.pending().get()>{t("Добавить кабинет", "Add room")}</button>
                    {form_error(add_room, format!("new-room-error-{id}"))}
                </ActionForm>
            })}
            <details class="edit">
                <summary>{t("Изменить здание", "Edit building")}</summary>
                <ActionForm action=edit attr:class="building-form">
                    <input type="hidden" name="building_id" value=id/>
                    <div class="grid">
                        <div class="field">
                            <label for=format!("building-name-{id}")>{t("Название", "Name")}</label>
                            <input id=format!("building-name-{id}") name="name" required value=name_value/>
                        </div>
                        <div class="field">
                            <label for=format!("building-address-{id}")>{t("Адрес", "Address")}</label>
                            <input id=format!("building-address-{id}") name="address" value=address_value/>
                        </div>
                    </div>
                    {form_error(edit, format!("building-error-{id}"))}
                    <button type="submit">{t("Сохранить", "Save")}</button>
                </ActionForm>
            </details>
            <ActionForm action=archive attr:class="archive-form">
                <input type="hidden" name="building_id" value=id/>
                <input type="hidden" name="archived" value=(!archived).to_string()/>
                <button type="submit" class="secondary">
                    {if archived { t("Вернуть здание из архива", "Restore building") } else { t("Перевести здание в архив", "Archive building") }}
                </button>
                {form_error(archive, format!("building-archive-error-{id}"))}
            </ActionForm>
        </section>
    }
}

#[component]
fn RoomTable(
    rooms: Vec<RoomRow>,
    building_id: i64,
    building_name: String,
    lang: Lang,
) -> impl IntoView {
    view! {
        <table class="rooms">
            <thead>
                <tr>
                    <th scope="col">{t("Кабинет", "Room")}</th>
                    <th scope="col" class="num">{t("Мест", "Places")}</th>
                    <th scope="col">{t("Группы", "Groups")}</th>
                    <th scope="col">{t("Заполненность", "Occupancy")}</th>
                    <th scope="col"><span class="visually-hidden">{t("Действия", "Actions")}</span></th>
                </tr>
            </thead>
            <tbody>
                {rooms.into_iter().map(|room| view! { <RoomLine room building_id building_name=building_name.clone() lang/> }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn RoomLine(room: RoomRow, building_id: i64, building_name: String, lang: Lang) -> impl IntoView {
    let edit = ServerAction::<SaveRoom>::new();
    let archive = ServerAction::<ArchiveRoom>::new();
    refresh_on_success(edit);
    refresh_on_success(archive);
    let id = room.id;
    let children = room.children();
    let fill = match occupancy(children, room.places) {
        Occupancy::Free { left } => (
            "",
            match lang {
                Lang::Ru => format!("{children} детей, свободно {left}"),
                Lang::En => format!("{children} children, {left} free"),
            },
        ),
        Occupancy::Full => (
            "",
            match lang {
                Lang::Ru => format!("{children} детей, мест нет"),
                Lang::En => format!("{children} children, full"),
            },
        ),
        Occupancy::Over { by } => (
            "over",
            match lang {
                Lang::Ru => format!("{children} детей — на {by} больше мест"),
                Lang::En => format!("{children} children — {by} over the places"),
            },
        ),
    };
    let (name, places, archived) = (room.name, room.places, room.archived);
    let (name_attr, name_value) = (name.clone(), name.clone());
    let groups = room
        .groups
        .iter()
        .map(|g| g.name.clone())
        .collect::<Vec<_>>()
        .join(", ");
    let search = use_context::<InPageSearch>().map(|InPageSearch(s)| s);
    let haystack = format!("{name} {groups} {building_name}");
    let hidden = move || search.is_some_and(|s| !matches_words(&haystack, &s.read()));
    view! {
        <tr class="room" class:archived=archived data-room=name_attr hidden=hidden>
            <td class="room-name">
                {name.clone()}
                {archived.then(|| view! { " " <span class="tag">{t("в архиве", "archived")}</span> })}
            </td>
            <td class="num places">{places}</td>
            <td class="room-groups">{groups}</td>
            <td class=format!("occupancy {}", fill.0)>{fill.1}</td>
            <td class="actions">
                <details class="edit">
                    <summary>{t("Изменить", "Edit")}</summary>
                    <ActionForm action=edit attr:class="room-form">
                        <input type="hidden" name="room_id" value=id/>
                        <input type="hidden" name="building_id" value=building_id/>
                        <label for=format!("room-name-{id}")>{t("Название", "Name")}</label>
                        <input id=format!("room-name-{id}") name="name" required value=name_value/>
                        <label for=format!("room-places-{id}")>{t("Мест", "Places")}</label>
                        <input id=format!("room-places-{id}") name="places" type="number" min="1" max="300" required
                            class="narrow-number" value=places/>
                        <button type="submit">{t("Сохранить", "Save")}</button>
                        {form_error(edit, format!("room-error-{id}"))}
                    </ActionForm>
                </details>
                <ActionForm action=archive attr:class="archive-form">
                    <input type="hidden" name="room_id" value=id/>
                    <input type="hidden" name="archived" value=(!archived).to_string()/>
                    <button type="submit" class="secondary">
                        {if archived { t("Вернуть", "Restore") } else { t("В архив", "Archive") }}
                    </button>
                    {form_error(archive, format!("room-archive-error-{id}"))}
                </ActionForm>
            </td>
        </tr>
    }
}
