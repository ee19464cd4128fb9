use leptos::{html, prelude::*};
use leptos_router::hooks::use_params_map;

use super::{list_groups, load_group_roster, AddGroup, GroupRoster, GroupSummary};
use crate::components::{ErrorNotice, Gate};
use crate::domain::{GroupName, Role};

/// The admin's groups with child counts, and adding a group.
#[component]
pub fn GroupsPage() -> impl IntoView {
    view! { <Gate roles=&[Role::OrgAdmin] page=|_| view! { <GroupsEditor/> }/> }
}

#[component]
fn GroupsEditor() -> impl IntoView {
    let add_group = ServerAction::<AddGroup>::new();
    // Refetch after every completed add so the list always shows what is stored.
    let groups = Resource::new(move || add_group.version().get(), |_| list_groups());
    let name_input = NodeRef::<html::Input>::new();

    Effect::new(move |_| {
        if let Some(Ok(_)) = add_group.value().get() {
            if let Some(input) = name_input.get() {
                input.set_value("");
            }
        }
    });

    let error = move || {
        add_group
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| view! { <p class="error" role="alert" id="group-name-error">{e.ru}</p> })
    };

    view! {
        <section class="groups">
            <h1>"Группы"</h1>
            <Transition fallback=|| view! { <p class="muted">"Загрузка…"</p> }>
                {move || Suspend::new(async move {
                    match groups.await {
                        Ok(org) => view! {
                            <p class="muted org-name">{org.organisation_name}</p>
                            <GroupTable groups=org.groups/>
                        }.into_any(),
                        Err(error) => view! { <ErrorNotice error/> }.into_any(),
                    }
                })}
            </Transition>

            <ActionForm action=add_group attr:class="add-group">
                <label for="group-name">"Новая группа"</label>
                <div class="row">
                    <input
                        id="group-name"
                        name="name"
                        type="text"
                        required
                        autocomplete="off"
                        placeholder="Например, «Солнышко»"
                        aria-describedby="group-name-hint group-name-error"
                        node_ref=name_input
                    />
                    <button type="submit" disabled=move || add_group.pending().get()>
                        "Добавить группу"
                    </button>
                </div>
                <p class="hint muted" id="group-name-hint">
                    {format!("До {} символов, название должно быть уникальным в организации.", GroupName::MAX_CHARS)}
                </p>
                {error}
            </ActionForm>
        </section>
    }
}

#[component]
pub fn GroupTable(groups: Vec<GroupSummary>) -> impl IntoView {
    if groups.is_empty() {
        return view! { <p class="muted">"Групп пока нет."</p> }.into_any();
    }
    view! {
        <table class="group-list">
            <thead>
                <tr>
                    <th scope="col">"Группа"</th>
                    <th scope="col" class="num">"Детей"</th>
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
        <Transition fallback=|| view! { <p class="muted">"Загрузка…"</p> }>
            {move || Suspend::new(async move {
                match roster.await {
                    Ok(roster) => view! { <RosterTable roster/> }.into_any(),
                    Err(error) => view! { <h1>"Группа"</h1><ErrorNotice error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn RosterTable(roster: GroupRoster) -> impl IntoView {
    view! {
        <h1>{roster.group_name}</h1>
        <p class="muted">{roster.organisation_name}" · детей: "{roster.children.len()}</p>
        <nav class="day-nav">
            <a class="button inline" href=format!("/groups/{}/marks/{}", roster.group_id, roster.today)>"Отметить посещаемость"</a>
            <a href=format!("/groups/{}/timesheet/{}", roster.group_id, &roster.today[..7])>"Табель за месяц"</a>
        </nav>
        <table class="roster">
            <thead>
                <tr>
                    <th scope="col">"Ребёнок"</th>
                    <th scope="col">"Дата рождения"</th>
                    <th scope="col">"Родители (законные представители)"</th>
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
