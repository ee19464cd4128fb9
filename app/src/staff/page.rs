use leptos::prelude::*;
use leptos_router::components::Form;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::{
    list_staff, load_staff_card, ArchiveStaff, CreateStaff, NewCredentials, ResetStaffPassword,
    RestoreStaff, SetGroupBinding, StaffCard, StaffListPage, StaffRow, UpdateStaff,
};
use crate::components::{CredentialsSlip, Field, FormError, Gate, Loaded};
use crate::domain::lang::encode_query_value;
use crate::domain::Role;
use crate::i18n::{t, use_lang};

#[component]
pub fn StaffPage() -> impl IntoView {
    view! { <Gate roles=&[Role::OrgAdmin] page=|_| view! { <StaffList/> }/> }
}

/// The list's address for a search, page and archive toggle: the state lives in the
/// URL, so a search can be bookmarked and works as a plain GET form before the wasm.
fn list_href(query: &str, page: i64, archived: bool) -> String {
    let mut parts = Vec::new();
    if !query.is_empty() {
        parts.push(format!("q={}", encode_query_value(query)));
    }
    if page > 1 {
        parts.push(format!("page={page}"));
    }
    if archived {
        parts.push("archived=1".to_owned());
    }
    if parts.is_empty() {
        "/staff".to_owned()
    } else {
        format!("/staff?{}", parts.join("&"))
    }
}

#[component]
fn StaffList() -> impl IntoView {
    let params = use_query_map();
    let query = move || params.read().get("q").unwrap_or_default();
    let page = move || {
        params
            .read()
            .get("page")
            .and_then(|p| p.parse::<i64>().ok())
            .unwrap_or(1)
    };
    let archived = move || params.read().get("archived").is_some_and(|v| v == "1");
    let create = ServerAction::<CreateStaff>::new();
    let staff = Resource::new(
        move || (query(), page(), archived(), create.version().get()),
        |(q, p, a, _)| list_staff(q, p, a),
    );
    let error = Signal::derive(move || create.value().get().and_then(Result::err));
    let created = move || create.value().get().and_then(Result::ok);

    view! {
        <h1>{t("Кадры", "Staff")}</h1>
        <Form method="get" action="/staff" attr:class="toolbar staff-search" attr:role="search">
            <label for="staff-search" class="visually-hidden">{t("Поиск сотрудников", "Search staff")}</label>
            <input
                id="staff-search"
                name="q"
                type="search"
                value=query
                placeholder=t("Фамилия, имя, отчество, должность или логин", "Surname, name, patronymic, position or login")
            />
            <label class="inline">
                <input type="checkbox" name="archived" value="1" checked=archived/>
                {t(" Показать архив", " Show archived")}
            </label>
            <button type="submit">{t("Найти", "Search")}</button>
        </Form>
        <Loaded resource=staff ok=move |list| view! { <StaffTable list query=query() archived=archived()/> }/>

        {move || created().map(|credentials| view! {
            <StaffCredentials credentials title=t("Учётная запись создана", "Account created")/>
        })}

        <section class="card">
            <h2>{t("Новый сотрудник", "New staff member")}</h2>
            <ActionForm action=create attr:class="staff-form">
                <div class="grid">
                    <Field label=t("Фамилия", "Surname") name="surname" error>
                        <input id="surname" name="surname" type="text" required/>
                    </Field>
                    <Field label=t("Имя", "Given name") name="given_name" error>
                        <input id="given_name" name="given_name" type="text" required/>
                    </Field>
                    <Field label=t("Отчество", "Patronymic") name="patronymic" error>
                        <input id="patronymic" name="patronymic" type="text"/>
                    </Field>
                    <Field label=t("Должность", "Position") name="position" error>
                        <input id="position" name="position" type="text" required placeholder=t("Воспитатель", "Teacher")/>
                    </Field>
                    <Field label="Email" name="email" error>
                        <input id="email" name="email" type="email"/>
                    </Field>
                    <Field label=t("Телефон", "Phone") name="phone" error>
                        <input id="phone" name="phone" type="tel"/>
                    </Field>
                </div>
                <fieldset class="roles">
                    <legend>{t("Роли", "Roles")}</legend>
                    <label><input type="checkbox" name="teacher" checked/>{t(" Педагог", " Teacher")}</label>
                    <label><input type="checkbox" name="admin"/>{t(" Администратор ОО", " Organisation admin")}</label>
                    <RolesError error/>
                </fieldset>
                <FormError error/>
                <button type="submit" disabled=move || create.pending().get()>
                    {t("Создать учётную запись", "Create account")}
                </button>
            </ActionForm>
        </section>
    }
}

/// The «at least one role» / «not your own admin role» message under the checkboxes.
#[component]
fn RolesError(#[prop(into)] error: Signal<Option<crate::error::AppError>>) -> impl IntoView {
    let lang = use_lang();
    move || {
        error
            .get()
            .filter(|e| e.field.as_deref() == Some("roles"))
            .map(|e| view! { <p class="field-error" role="alert" id="roles-error">{e.message(lang)}</p> })
    }
}

#[component]
fn StaffTable(list: StaffListPage, query: String, archived: bool) -> impl IntoView {
    let lang = use_lang();
    let pages = ((list.total + list.per_page - 1) / list.per_page).max(1);
    let current = list.page;
    let total = match lang {
        crate::i18n::Lang::Ru => format!("Найдено сотрудников: {}", list.total),
        crate::i18n::Lang::En => format!("Staff found: {}", list.total),
    };
    let pager = move |page: i64, label: &'static str, enabled: bool| {
        if enabled {
            view! { <a class="button secondary" href=list_href(&query, page, archived)>{label}</a> }
                .into_any()
        } else {
            view! { <span class="button secondary disabled" aria-disabled="true">{label}</span> }
                .into_any()
        }
    };
    view! {
        <p class="muted" id="staff-total">{total}</p>
        <table class="staff-list">
            <thead>
                <tr>
                    <th scope="col">{t("ФИО", "Name")}</th>
                    <th scope="col">{t("Должность", "Position")}</th>
                    <th scope="col">{t("Логин", "Login")}</th>
                    <th scope="col">{t("Роли", "Roles")}</th>
                    <th scope="col">{t("Группы", "Groups")}</th>
                </tr>
            </thead>
            <tbody>
                {list.rows.into_iter().map(|s: StaffRow| view! {
                    <tr data-staff-id=s.staff_id class:archived=s.archived>
                        <td><a class="staff-name" href=format!("/staff/{}", s.staff_id)>{s.full_name}</a></td>
                        <td class="position">{s.position}</td>
                        <td class="login">{s.login}</td>
                        <td>{s.roles.iter().map(|r| r.title(lang)).collect::<Vec<_>>().join(", ")}</td>
                        <td>{s.groups.join(", ")}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        <nav class="pager" aria-label=t("Страницы", "Pages")>
            {pager(current - 1, t("← Назад", "← Back"), current > 1)}
            <span class="page-no">
                {match lang {
                    crate::i18n::Lang::Ru => format!("Страница {current} из {pages}"),
                    crate::i18n::Lang::En => format!("Page {current} of {pages}"),
                }}
            </span>
            {pager(current + 1, t("Вперёд →", "Next →"), current < pages)}
        </nav>
    }
}

/// The one-time credentials of a staff member, with the way to the card.
#[component]
fn StaffCredentials(credentials: NewCredentials, title: &'static str) -> impl IntoView {
    view! {
        <CredentialsSlip
            title
            full_name=credentials.full_name
            login=credentials.login
            one_time_password=credentials.one_time_password
            note=t(
                "Пароль показывается один раз. При первом входе сотрудник должен будет сменить его.",
                "The password is shown only once. The staff member will have to change it at the first sign-in.",
            )
        >
            <a href=format!("/staff/{}", credentials.staff_id)>{t("Открыть карточку сотрудника", "Open the staff card")}</a>
        </CredentialsSlip>
    }
}

#[component]
pub fn StaffCardPage() -> impl IntoView {
    view! { <Gate roles=&[Role::OrgAdmin] page=|_| view! { <Card/> }/> }
}

/// The actions of a staff card, shared by its parts.
#[derive(Clone, Copy)]
struct CardActions {
    bind: ServerAction<SetGroupBinding>,
    update: ServerAction<UpdateStaff>,
    archive: ServerAction<ArchiveStaff>,
    restore: ServerAction<RestoreStaff>,
    reset: ServerAction<ResetStaffPassword>,
}

#[component]
fn Card() -> impl IntoView {
    let params = use_params_map();
    let actions = CardActions {
        bind: ServerAction::new(),
        update: ServerAction::new(),
        archive: ServerAction::new(),
        restore: ServerAction::new(),
        reset: ServerAction::new(),
    };
    // The card reloads after a successful save only: after a refused one the form
    // keeps what was typed, next to the messages about it.
    let saved = RwSignal::new(0_u32);
    Effect::new(move |_| {
        if let Some(Ok(())) = actions.update.value().get() {
            saved.update(|n| *n += 1);
        }
    });
    let staff_id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
    };
    let card = Resource::new(
        move || {
            (
                staff_id(),
                actions.bind.version().get(),
                saved.get(),
                actions.archive.version().get(),
                actions.restore.version().get(),
                actions.reset.version().get(),
            )
        },
        |(id, ..)| async move {
            match id {
                Some(id) => load_staff_card(id).await,
                None => Err(crate::error::AppError::not_found(
                    "Сотрудник не найден.",
                    "Staff member not found.",
                )),
            }
        },
    );
    let bind_error = Signal::derive(move || actions.bind.value().get().and_then(Result::err));
    let reset_error = Signal::derive(move || actions.reset.value().get().and_then(Result::err));
    view! {
        <Loaded resource=card ok=move |card| view! { <CardView card actions/> } title=("Сотрудник", "Staff member")/>
        {move || actions.reset.value().get().and_then(Result::ok).map(|credentials| view! {
            <StaffCredentials credentials title=t("Пароль сброшен", "Password reset")/>
        })}
        <FormError error=reset_error/>
        <FormError error=bind_error/>
    }
}

#[component]
fn CardView(card: StaffCard, actions: CardActions) -> impl IntoView {
    let staff_id = card.staff_id;
    let archive_error = Signal::derive(move || {
        actions
            .archive
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| actions.restore.value().get().and_then(Result::err))
    });
    let header = view! {
        <h1>{card.full_name.clone()}</h1>
        <p class="muted">
            <span class="card-position">{card.position.clone()}</span>
            {t(" · логин ", " · login ")}<span class="login">{card.login.clone()}</span>
        </p>
    };
    if card.archived {
        return view! {
            {header}
            <p class="archived-notice" role="status">
                {t(
                    "Сотрудник в архиве: вход в систему закрыт, группы отвязаны.",
                    "This staff member is archived: sign-in is closed, groups are unbound.",
                )}
            </p>
            <ActionForm action=actions.restore>
                <input type="hidden" name="staff_id" value=staff_id/>
                <button type="submit">{t("Восстановить из архива", "Restore from the archive")}</button>
            </ActionForm>
            <FormError error=archive_error/>
            <p><a href="/staff?archived=1">{t("← Архив сотрудников", "← Archived staff")}</a></p>
        }
        .into_any();
    }
    let is_self = card.is_self;
    let shared = !card.outside_roles.is_empty();
    view! {
        {header}
        <EditForm card=card.clone() update=actions.update/>
        <section class="card">
            <h2>{t("Учётная запись", "Account")}</h2>
            {if is_self {
                view! {
                    <p class="muted">
                        {t(
                            "Это ваша карточка: отправить себя в архив или сбросить свой пароль нельзя.",
                            "This is your own card: you cannot archive yourself or reset your own password.",
                        )}
                    </p>
                }.into_any()
            } else {
                view! {
                    <div class="toolbar">
                        {(!shared).then(|| view! {
                            <ActionForm action=actions.reset>
                                <input type="hidden" name="staff_id" value=staff_id/>
                                <button type="submit" class="secondary">{t("Сбросить пароль", "Reset password")}</button>
                            </ActionForm>
                        })}
                        <ActionForm action=actions.archive>
                            <input type="hidden" name="staff_id" value=staff_id/>
                            <button type="submit" class="danger">{t("Отправить в архив", "Archive")}</button>
                        </ActionForm>
                    </div>
                    <p class="muted">
                        {t(
                            "Сотрудник в архиве не может войти в систему и теряет доступ к группам; карточка и история сохраняются.",
                            "An archived staff member cannot sign in and loses access to the groups; the card and its history are kept.",
                        )}
                    </p>
                }.into_any()
            }}
            <FormError error=archive_error/>
        </section>
        <Bindings card bind=actions.bind/>
        <p><a href="/staff">{t("← Все сотрудники", "← All staff")}</a></p>
    }
    .into_any()
}

/// The card's form: name, contacts, position and roles, checked by the same rules as a
/// new staff member's.
#[component]
fn EditForm(card: StaffCard, update: ServerAction<UpdateStaff>) -> impl IntoView {
    let error = Signal::derive(move || update.value().get().and_then(Result::err));
    let saved = move || matches!(update.value().get(), Some(Ok(())));
    // The person's own fields are theirs alone when they hold roles elsewhere.
    let shared = !card.outside_roles.is_empty();
    view! {
        <section class="card">
            <h2>{t("Данные сотрудника", "Staff details")}</h2>
            <SharedAccountNote outside=card.outside_roles.clone()/>
            <ActionForm action=update attr:class="staff-form staff-edit">
                <input type="hidden" name="staff_id" value=card.staff_id/>
                <div class="grid">
                    <Field label=t("Фамилия", "Surname") name="surname" error>
                        <input id="surname" name="surname" type="text" required readonly=shared value=card.surname/>
                    </Field>
                    <Field label=t("Имя", "Given name") name="given_name" error>
                        <input id="given_name" name="given_name" type="text" required readonly=shared value=card.given_name/>
                    </Field>
                    <Field label=t("Отчество", "Patronymic") name="patronymic" error>
                        <input id="patronymic" name="patronymic" type="text" readonly=shared value=card.patronymic/>
                    </Field>
                    <Field label=t("Должность", "Position") name="position" error>
                        <input id="position" name="position" type="text" required value=card.position/>
                    </Field>
                    <Field label="Email" name="email" error>
                        <input id="email" name="email" type="email" readonly=shared value=card.email/>
                    </Field>
                    <Field label=t("Телефон", "Phone") name="phone" error>
                        <input id="phone" name="phone" type="tel" readonly=shared value=card.phone/>
                    </Field>
                </div>
                <fieldset class="roles">
                    <legend>{t("Роли", "Roles")}</legend>
                    <label>
                        <input type="checkbox" name="teacher" checked=card.is_teacher/>
                        {t(" Педагог", " Teacher")}
                    </label>
                    {if card.is_self {
                        // A disabled box is not sent: the hidden field keeps the role.
                        view! {
                            <label>
                                <input type="checkbox" checked disabled/>
                                {t(" Администратор ОО (свою роль снять нельзя)", " Organisation admin (you cannot remove your own)")}
                            </label>
                            <input type="hidden" name="admin" value="on"/>
                        }.into_any()
                    } else {
                        view! {
                            <label>
                                <input type="checkbox" name="admin" checked=card.is_admin/>
                                {t(" Администратор ОО", " Organisation admin")}
                            </label>
                        }.into_any()
                    }}
                    <p class="muted">
                        {t(
                            "Если снять роль «педагог», сотрудник будет отвязан от всех групп.",
                            "Removing the teacher role unbinds the staff member from every group.",
                        )}
                    </p>
                    <RolesError error/>
                </fieldset>
                <FormError error/>
                <button type="submit" disabled=move || update.pending().get()>{t("Сохранить", "Save")}</button>
                {move || saved().then(|| view! { <p class="saved" role="status">{t("Изменения сохранены.", "Changes saved.")}</p> })}
            </ActionForm>
        </section>
    }
}

/// Why the name, contacts and password of this card are locked, if they are.
#[component]
fn SharedAccountNote(outside: Vec<crate::domain::OutsideRole>) -> impl IntoView {
    use crate::domain::Bilingual;
    let lang = use_lang();
    (!outside.is_empty()).then(|| {
        let refusal = crate::domain::permissions::SharedAccount(&outside);
        let text = match lang {
            crate::i18n::Lang::Ru => refusal.ru(),
            crate::i18n::Lang::En => refusal.en(),
        };
        view! { <p class="notice shared-account" role="note">{text}</p> }
    })
}

#[component]
fn Bindings(card: StaffCard, bind: ServerAction<SetGroupBinding>) -> impl IntoView {
    let staff_id = card.staff_id;
    let lang = use_lang();
    view! {
        <section class="card">
            <h2>{t("Роли и права: группы педагога", "Roles and rights: the teacher's groups")}</h2>
            {if card.is_teacher {
                view! {
                    <ul class="bindings">
                        {card.groups.into_iter().map(|g| {
                            let label = match (g.bound, lang) {
                                (true, crate::i18n::Lang::Ru) => format!("Отвязать от «{}»", g.name),
                                (false, crate::i18n::Lang::Ru) => format!("Привязать к «{}»", g.name),
                                (true, crate::i18n::Lang::En) => format!("Unbind from “{}”", g.name),
                                (false, crate::i18n::Lang::En) => format!("Bind to “{}”", g.name),
                            };
                            view! {
                            <li class="binding" data-group=g.name.clone()>
                                <span class="group-name">{g.name.clone()}</span>
                                <span class="state">
                                    {if g.bound { t("привязан", "bound") } else { t("не привязан", "not bound") }}
                                </span>
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
                view! {
                    <p class="muted">
                        {t(
                            "У сотрудника нет роли «педагог»: группы не привязываются.",
                            "The staff member has no teacher role: no groups can be bound.",
                        )}
                    </p>
                }.into_any()
            }}
        </section>
    }
}
