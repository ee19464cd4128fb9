use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::{
    list_staff, load_staff_card, CreateStaff, NewCredentials, SetGroupBinding, StaffCard, StaffRow,
};
use crate::components::{ErrorNotice, Field, FormError, Gate};
use crate::domain::Role;

#[component]
pub fn StaffPage() -> impl IntoView {
    view! { <Gate roles=&[Role::OrgAdmin] page=|_| view! { <StaffList/> }/> }
}

#[component]
fn StaffList() -> impl IntoView {
    let create = ServerAction::<CreateStaff>::new();
    let staff = Resource::new(move || create.version().get(), |_| list_staff());
    let error = Signal::derive(move || create.value().get().and_then(Result::err));
    let created = move || create.value().get().and_then(Result::ok);

    view! {
        <h1>"Кадры"</h1>
        <Transition fallback=|| view! { <p class="muted">"Загрузка…"</p> }>
            {move || Suspend::new(async move {
                match staff.await {
                    Ok(rows) => view! { <StaffTable rows/> }.into_any(),
                    Err(error) => view! { <ErrorNotice error/> }.into_any(),
                }
            })}
        </Transition>

        {move || created().map(|credentials| view! { <CredentialsSlip credentials/> })}

        <section class="card">
            <h2>"Новый сотрудник"</h2>
            <ActionForm action=create attr:class="staff-form">
                <div class="grid">
                    <Field label="Фамилия" name="surname" error>
                        <input id="surname" name="surname" type="text" required/>
                    </Field>
                    <Field label="Имя" name="given_name" error>
                        <input id="given_name" name="given_name" type="text" required/>
                    </Field>
                    <Field label="Отчество" name="patronymic" error>
                        <input id="patronymic" name="patronymic" type="text"/>
                    </Field>
                    <Field label="Должность" name="position" error>
                        <input id="position" name="position" type="text" required placeholder="Воспитатель"/>
                    </Field>
                    <Field label="Email" name="email" error>
                        <input id="email" name="email" type="email"/>
                    </Field>
                    <Field label="Телефон" name="phone" error>
                        <input id="phone" name="phone" type="tel"/>
                    </Field>
                </div>
                <fieldset class="roles">
                    <legend>"Роли"</legend>
                    <label><input type="checkbox" name="teacher" checked/>" Педагог"</label>
                    <label><input type="checkbox" name="admin"/>" Администратор ОО"</label>
                    {move || error.get().filter(|e| e.field.as_deref() == Some("roles")).map(|e| view! {
                        <p class="field-error" role="alert" id="roles-error">{e.ru}</p>
                    })}
                </fieldset>
                <FormError error/>
                <button type="submit" disabled=move || create.pending().get()>"Создать учётную запись"</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn StaffTable(rows: Vec<StaffRow>) -> impl IntoView {
    view! {
        <table class="staff-list">
            <thead>
                <tr>
                    <th scope="col">"ФИО"</th>
                    <th scope="col">"Должность"</th>
                    <th scope="col">"Логин"</th>
                    <th scope="col">"Роли"</th>
                    <th scope="col">"Группы"</th>
                </tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|s| view! {
                    <tr data-staff-id=s.staff_id>
                        <td><a class="staff-name" href=format!("/staff/{}", s.staff_id)>{s.full_name}</a></td>
                        <td>{s.position}</td>
                        <td class="login">{s.login}</td>
                        <td>{s.roles.iter().map(|r| r.title_ru()).collect::<Vec<_>>().join(", ")}</td>
                        <td>{s.groups.join(", ")}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// The one-time credentials, shown once and printable to hand over on paper.
#[component]
fn CredentialsSlip(credentials: NewCredentials) -> impl IntoView {
    view! {
        <section class="card credentials" aria-live="polite">
            <h2>"Учётная запись создана"</h2>
            <p>{credentials.full_name}</p>
            <dl>
                <dt>"Логин"</dt>
                <dd class="new-login">{credentials.login}</dd>
                <dt>"Одноразовый пароль"</dt>
                <dd class="one-time-password">{credentials.one_time_password}</dd>
            </dl>
            <p class="muted">
                "Пароль показывается один раз. При первом входе сотрудник должен будет сменить его."
            </p>
            <button type="button" class="secondary" onclick="window.print()">"Распечатать"</button>
            " "
            <a href=format!("/staff/{}", credentials.staff_id)>"Открыть карточку сотрудника"</a>
        </section>
    }
}

#[component]
pub fn StaffCardPage() -> impl IntoView {
    view! { <Gate roles=&[Role::OrgAdmin] page=|_| view! { <Card/> }/> }
}

#[component]
fn Card() -> impl IntoView {
    let params = use_params_map();
    let bind = ServerAction::<SetGroupBinding>::new();
    let staff_id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
    };
    let card = Resource::new(
        move || (staff_id(), bind.version().get()),
        |(id, _)| async move {
            match id {
                Some(id) => load_staff_card(id).await,
                None => Err(crate::error::AppError::not_found(
                    "Сотрудник не найден.",
                    "Staff member not found.",
                )),
            }
        },
    );
    let error = Signal::derive(move || bind.value().get().and_then(Result::err));
    view! {
        <Transition fallback=|| view! { <p class="muted">"Загрузка…"</p> }>
            {move || Suspend::new(async move {
                match card.await {
                    Ok(card) => view! { <CardView card bind/> }.into_any(),
                    Err(error) => view! { <h1>"Сотрудник"</h1><ErrorNotice error/> }.into_any(),
                }
            })}
        </Transition>
        <FormError error/>
    }
}

#[component]
fn CardView(card: StaffCard, bind: ServerAction<SetGroupBinding>) -> impl IntoView {
    let staff_id = card.staff_id;
    view! {
        <h1>{card.full_name}</h1>
        <p class="muted">{card.position}" · логин "<span class="login">{card.login}</span></p>
        <section class="card">
            <h2>"Роли и права: группы педагога"</h2>
            {if card.is_teacher {
                view! {
                    <ul class="bindings">
                        {card.groups.into_iter().map(|g| {
                            let label = if g.bound { format!("Отвязать от «{}»", g.name) } else { format!("Привязать к «{}»", g.name) };
                            view! {
                            <li class="binding" data-group=g.name.clone()>
                                <span class="group-name">{g.name.clone()}</span>
                                <span class="state">{if g.bound { "привязан" } else { "не привязан" }}</span>
                                <ActionForm action=bind>
                                    <input type="hidden" name="staff_id" value=staff_id/>
                                    <input type="hidden" name="group_id" value=g.group_id/>
                                    <input type="hidden" name="bind" value=(!g.bound).to_string()/>
                                    <button type="submit" class=if g.bound { "secondary" } else { "" }>
                                        {label}
                                    </button>
                                </ActionForm>
                            </li>
                        }}).collect_view()}
                    </ul>
                }.into_any()
            } else {
                view! { <p class="muted">"У сотрудника нет роли «педагог»: группы не привязываются."</p> }.into_any()
            }}
        </section>
        <p><a href="/staff">"← Все сотрудники"</a></p>
    }
}
