use leptos::{html, prelude::*};

use super::{list_groups, AddGroup, GroupSummary};
use crate::domain::GroupName;

#[component]
pub fn GroupsPage() -> impl IntoView {
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
            <Transition fallback=|| view! { <p class="muted">"Загрузка…"</p> }>
                <ErrorBoundary fallback=|errors| view! { <ErrorList errors/> }>
                    {move || Suspend::new(async move {
                        groups.await.map(|found| match found {
                            None => view! {
                                <h1>"Группы"</h1>
                                <p class="notice">
                                    "Организаций пока нет. Запустите сервер с флагом --demo, чтобы загрузить демонстрационный детский сад."
                                </p>
                            }.into_any(),
                            Some(org) => view! {
                                <h1>"Группы"</h1>
                                <p class="muted org-name">{org.organisation_name}</p>
                                <GroupTable groups=org.groups/>
                            }.into_any(),
                        })
                    })}
                </ErrorBoundary>
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
fn GroupTable(groups: Vec<GroupSummary>) -> impl IntoView {
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
                            <td class="group-name">{g.name}</td>
                            <td class="num child-count">{g.child_count}</td>
                        </tr>
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[component]
fn ErrorList(errors: ArcRwSignal<Errors>) -> impl IntoView {
    view! {
        <div class="error" role="alert">
            <p>"Не удалось загрузить данные · Could not load the data"</p>
            <ul>
                {move || errors.get().into_iter().map(|(_, e)| view! { <li>{e.to_string()}</li> }).collect_view()}
            </ul>
        </div>
    }
}
