use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;
use leptos::web_sys::{FormData, HtmlFormElement};
use leptos_router::hooks::use_params_map;

use super::{
    import_children, list_children, load_child_card, AddChild, AddGuardian, CardGuardian,
    ChildCard, ChildPage, CreateGuardianAccount, EditChild, EditGuardian, ImportSummary,
    LeaveChild, RemoveGuardian, ReturnChild,
};
use crate::components::{CredentialsSlip, Field, FormError, Gate, Loaded, Pager};
use crate::domain::Role;
use crate::error::AppError;
use crate::i18n::{t, use_lang};

#[component]
pub fn ContingentPage() -> impl IntoView {
    view! { <Gate roles=&[Role::OrgAdmin] page=|_| view! { <Contingent/> }/> }
}

#[component]
fn Contingent() -> impl IntoView {
    let query = RwSignal::new(String::new());
    let page = RwSignal::new(1_i64);
    // FormData is not Send, so the upload is a local action (it runs in the browser).
    let import = Action::new_local(|data: &FormData| import_children(data.clone().into()));
    let add = ServerAction::<AddChild>::new();
    let children = Resource::new(
        move || {
            (
                query.get(),
                page.get(),
                import.version().get(),
                add.version().get(),
            )
        },
        |(q, p, _, _)| list_children(q, p),
    );

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(form) = ev
            .target()
            .and_then(|t| t.dyn_into::<HtmlFormElement>().ok())
        else {
            return;
        };
        if let Ok(data) = FormData::new_with_form(&form) {
            import.dispatch_local(data);
        }
    };

    view! {
        <h1>{t("Контингент", "Children")}</h1>
        <div class="toolbar">
            <label for="child-search" class="visually-hidden">{t("Поиск", "Search")}</label>
            <input
                id="child-search"
                type="search"
                placeholder=t("Поиск по фамилии, имени или группе", "Search by surname, name or group")
                on:input=move |ev| {
                    query.set(event_target_value(&ev));
                    page.set(1);
                }
            />
        </div>
        <Loaded resource=children ok=move |list| view! { <ChildTable list page/> }/>

        <AddChildForm add/>

        <section class="card">
            <h2>{t("Загрузка из CSV", "Import from CSV")}</h2>
            <p class="muted">
                {t(
                    "Столбцы: Фамилия ребёнка; Имя ребёнка; Отчество ребёнка; Дата рождения; Группа; Дата зачисления; \
                     Фамилия родителя; Имя родителя; Отчество родителя; Кем приходится; Телефон; Email. \
                     Даты — ДД.ММ.ГГГГ. Строки с ошибками не загружаются, остальные загружаются. \
                     Родитель, уже записанный у другого ребёнка (те же фамилия, имя и email), не создаётся заново, а связывается с ребёнком.",
                    "Columns (headers in Russian): Фамилия ребёнка; Имя ребёнка; Отчество ребёнка; Дата рождения; Группа; \
                     Дата зачисления; Фамилия родителя; Имя родителя; Отчество родителя; Кем приходится; Телефон; Email. \
                     Dates as DD.MM.YYYY. Rows with errors are skipped, the others are imported. \
                     A parent already recorded for another child (same surname, given name and email) is linked to the child, not created again.",
                )}
            </p>
            <form on:submit=on_submit class="import-form" enctype="multipart/form-data">
                <label for="import-file">{t("CSV-файл", "CSV file")}</label>
                <input id="import-file" name="file" type="file" accept=".csv,text/csv" required/>
                <button type="submit" disabled=move || import.pending().get()>{t("Загрузить", "Import")}</button>
            </form>
            {move || import.value().get().map(|result| match result {
                Ok(summary) => view! { <ImportResult summary/> }.into_any(),
                Err(error) => view! { <ImportError error/> }.into_any(),
            })}
        </section>
    }
}

/// «Добавить ребёнка»: the form of one child, checked as an import row is.
#[component]
fn AddChildForm(add: ServerAction<AddChild>) -> impl IntoView {
    let lang = use_lang();
    let groups = Resource::new(|| (), |_| crate::groups::list_groups());
    let error = Signal::derive(move || add.value().get().and_then(Result::err));
    view! {
        <section class="card">
            <h2>{t("Добавить ребёнка", "Add a child")}</h2>
            {move || add.value().get().and_then(Result::ok).map(|child| view! {
                <p class="notice" role="status" id="child-added">
                    {format!("{} {}. ", lang.pick("Ребёнок добавлен:", "Child added:"), child.full_name)}
                    <a href=format!("/children/{}", child.id)>{lang.pick("Открыть карточку", "Open the card")}</a>
                </p>
            })}
            <ActionForm action=add attr:class="child-form">
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
                    <Field label=t("Дата рождения", "Birth date") name="birth_date" error>
                        <input id="birth_date" name="birth_date" type="date" required/>
                    </Field>
                    <Field label=t("Группа", "Group") name="group_id" error>
                        <Suspense fallback=|| ()>
                            {move || Suspend::new(async move {
                                let list = groups.await.map(|o| o.groups).unwrap_or_default();
                                view! {
                                    <select id="group_id" name="group_id" required>
                                        <option value="">{lang.pick("— выберите —", "— choose —")}</option>
                                        {list.into_iter().map(|g| view! { <option value=g.id>{g.name}</option> }).collect_view()}
                                    </select>
                                }
                            })}
                        </Suspense>
                    </Field>
                    <Field label=t("Дата зачисления", "Enrolment date") name="enrolled_on" error>
                        <input id="enrolled_on" name="enrolled_on" type="date" required/>
                    </Field>
                </div>
                <FormError error/>
                <FormSummary error/>
                <button type="submit" disabled=move || add.pending().get()>{t("Добавить ребёнка", "Add the child")}</button>
            </ActionForm>
        </section>
    }
}

/// «Проверьте поля…» above a form whose fields each got a message.
#[component]
fn FormSummary(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    let lang = use_lang();
    move || {
        error
            .get()
            .filter(|e| !e.details.is_empty())
            .map(|e| view! { <p class="error" role="alert">{e.message(lang)}</p> })
    }
}

#[component]
fn ImportError(error: AppError) -> impl IntoView {
    view! { <p class="error" role="alert" id="import-error">{error.message(use_lang())}</p> }
}

#[component]
fn ImportResult(summary: ImportSummary) -> impl IntoView {
    let lang = use_lang();
    let refused = summary
        .problems
        .iter()
        .map(|p| p.line)
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    view! {
        <div class="import-result" role="status">
            <p class="import-summary">
                {match lang {
                    crate::i18n::Lang::Ru => format!(
                        "Загружено детей: {} из {}. Отклонено строк: {}.",
                        summary.imported, summary.total_rows, refused
                    ),
                    crate::i18n::Lang::En => format!(
                        "Children imported: {} of {}. Rows refused: {}.",
                        summary.imported, summary.total_rows, refused
                    ),
                }}
            </p>
            {(!summary.problems.is_empty()).then(|| view! {
                <table class="import-problems">
                    <thead><tr>
                        <th scope="col">{lang.pick("Строка", "Line")}</th>
                        <th scope="col">{lang.pick("Столбец", "Column")}</th>
                        <th scope="col">{lang.pick("Ошибка", "Error")}</th>
                    </tr></thead>
                    <tbody>
                        {summary.problems.into_iter().map(|p| view! {
                            <tr>
                                <td class="num problem-line">{p.line}</td>
                                <td>{p.column.unwrap_or_default()}</td>
                                <td>{lang.pick(&p.ru, &p.en).to_owned()}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            })}
        </div>
    }
}

/// A stored ISO date as people read it: 2026-09-01 → 01.09.2026.
fn shown_date(iso: &str) -> String {
    chrono::NaiveDate::parse_from_str(iso, "%Y-%m-%d")
        .map(|d| d.format("%d.%m.%Y").to_string())
        .unwrap_or_else(|_| iso.to_owned())
}

#[component]
fn ChildTable(list: ChildPage, page: RwSignal<i64>) -> impl IntoView {
    let lang = use_lang();
    let pages = ((list.total + list.per_page - 1) / list.per_page).max(1);
    let current = list.page;
    view! {
        <p class="muted" id="children-total">{format!("{} {}", lang.pick("Найдено детей:", "Children found:"), list.total)}</p>
        <table class="children-list">
            <thead>
                <tr>
                    <th scope="col">{lang.pick("Ребёнок", "Child")}</th>
                    <th scope="col">{lang.pick("Дата рождения", "Birth date")}</th>
                    <th scope="col">{lang.pick("Группа", "Group")}</th>
                    <th scope="col">{lang.pick("Зачислен", "Enrolled")}</th>
                    <th scope="col">{lang.pick("Родители", "Parents")}</th>
                </tr>
            </thead>
            <tbody>
                {list.rows.into_iter().map(|c| view! {
                    <tr>
                        <td class="child-name"><a href=format!("/children/{}", c.id)>{c.full_name}</a></td>
                        <td>{c.birth_date}</td>
                        <td>{c.group_name}</td>
                        <td>{c.enrolled_on}{c.left_on.map(|d| format!(" — {} {d}", lang.pick("выбыл", "left")))}</td>
                        <td>{c.guardians.join(", ")}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        <Pager current pages go=Callback::new(move |n: i64| page.set(n))/>
    }
}

#[component]
pub fn ChildCardPage() -> impl IntoView {
    view! { <Gate roles=&[Role::OrgAdmin] page=|_| view! { <Card/> }/> }
}

/// The actions of the card, so the card reloads after any of them.
#[derive(Clone, Copy)]
struct CardActions {
    edit: ServerAction<EditChild>,
    leave: ServerAction<LeaveChild>,
    return_child: ServerAction<ReturnChild>,
    add_guardian: ServerAction<AddGuardian>,
    remove_guardian: ServerAction<RemoveGuardian>,
    create_account: ServerAction<CreateGuardianAccount>,
    /// Bumped when one guardian's own contact form saved.
    contacts_saved: RwSignal<u32>,
}

#[component]
fn Card() -> impl IntoView {
    let params = use_params_map();
    let actions = CardActions {
        edit: ServerAction::new(),
        leave: ServerAction::new(),
        return_child: ServerAction::new(),
        add_guardian: ServerAction::new(),
        remove_guardian: ServerAction::new(),
        create_account: ServerAction::new(),
        contacts_saved: RwSignal::new(0),
    };
    let child_id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
    };
    let card = Resource::new(
        move || {
            (
                child_id(),
                actions.edit.version().get(),
                actions.leave.version().get(),
                actions.return_child.version().get(),
                actions.add_guardian.version().get(),
                actions.remove_guardian.version().get(),
                actions.create_account.version().get(),
                actions.contacts_saved.get(),
            )
        },
        |(id, ..)| async move {
            match id {
                Some(id) => load_child_card(id).await,
                None => Err(AppError::not_found(
                    "Ребёнок не найден.",
                    "Child not found.",
                )),
            }
        },
    );
    view! {
        <Loaded resource=card ok=move |card| view! { <CardView card actions/> } title=("Ребёнок", "Child")/>
        // Outside the card's Transition: its own resource must not hold the card back.
        {move || child_id().map(|id| view! { <crate::orders::EnrolmentHistory child_id=id/> })}
        <p><a href="/children">{t("← Весь контингент", "← All children")}</a></p>
    }
}

#[component]
fn CardView(card: ChildCard, actions: CardActions) -> impl IntoView {
    let lang = use_lang();
    let child_id = card.id;
    let edit_error = Signal::derive(move || actions.edit.value().get().and_then(Result::err));
    let leave_error = Signal::derive(move || actions.leave.value().get().and_then(Result::err));
    let return_error =
        Signal::derive(move || actions.return_child.value().get().and_then(Result::err));
    let has_left = card.left_on.is_some();
    let guardian_error =
        Signal::derive(move || actions.add_guardian.value().get().and_then(Result::err));
    let link_error = Signal::derive(move || {
        actions
            .remove_guardian
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| actions.create_account.value().get().and_then(Result::err))
    });
    let status = match &card.left_on {
        Some(left_on) => format!(
            "{} {}",
            lang.pick("выбыл(а), последний день", "left, last day"),
            shown_date(left_on)
        ),
        None => lang.pick("посещает", "attends").to_owned(),
    };
    let no_guardians = card.guardians.is_empty();
    view! {
        <h1 class="child-card-name">{card.full_name.clone()}</h1>
        <dl class="child-facts">
            <dt>{lang.pick("Дата рождения", "Birth date")}</dt><dd class="birth-date">{shown_date(&card.birth_date)}</dd>
            <dt>{lang.pick("Группа", "Group")}</dt><dd class="group-name">{card.group_name.clone()}</dd>
            <dt>{lang.pick("Зачислен(а)", "Enrolled")}</dt><dd class="enrolled-on">{shown_date(&card.enrolled_on)}</dd>
            <dt>{lang.pick("Состояние", "Status")}</dt><dd class="left-on">{status}</dd>
        </dl>

        <section class="card guardians">
            <h2>{lang.pick("Родители (законные представители)", "Parents (legal representatives)")}</h2>
            {move || actions.create_account.value().get().and_then(Result::ok).map(|credentials| view! {
                <CredentialsSlip
                    title=t("Учётная запись родителя создана", "Parent account created")
                    full_name=credentials.full_name
                    login=credentials.login
                    one_time_password=credentials.one_time_password
                    note=t(
                        "Пароль показывается один раз. При первом входе родитель должен будет сменить его.",
                        "The password is shown once. The parent must change it at first sign-in.",
                    )
                />
            })}
            <FormError error=link_error/>
            {no_guardians.then(|| view! { <p class="muted">{lang.pick("Родители не указаны.", "No parents recorded.")}</p> })}
            <ul class="guardian-list">
                {card.guardians.into_iter().map(|guardian| view! {
                    <GuardianItem child_id guardian actions/>
                }).collect_view()}
            </ul>
            <h3>{lang.pick("Добавить родителя", "Add a parent")}</h3>
            <ActionForm action=actions.add_guardian attr:class="guardian-form">
                <input type="hidden" name="child_id" value=child_id/>
                <div class="grid">
                    <Field label=t("Фамилия", "Surname") name="guardian_surname" error=guardian_error>
                        <input id="guardian_surname" name="guardian_surname" type="text" required/>
                    </Field>
                    <Field label=t("Имя", "Given name") name="guardian_given_name" error=guardian_error>
                        <input id="guardian_given_name" name="guardian_given_name" type="text" required/>
                    </Field>
                    <Field label=t("Отчество", "Patronymic") name="guardian_patronymic" error=guardian_error>
                        <input id="guardian_patronymic" name="guardian_patronymic" type="text"/>
                    </Field>
                    <Field label=t("Кем приходится", "Relation to the child") name="relation" error=guardian_error>
                        <input id="relation" name="relation" type="text" required list="relations" placeholder=t("мать", "mother")/>
                    </Field>
                    <Field label=t("Телефон", "Phone") name="phone" error=guardian_error>
                        <input id="phone" name="phone" type="tel"/>
                    </Field>
                    <Field label="Email" name="email" error=guardian_error>
                        <input id="email" name="email" type="email"/>
                    </Field>
                </div>
                <datalist id="relations">
                    <option value="мать"/><option value="отец"/><option value="опекун"/>
                    <option value="попечитель"/><option value="бабушка"/><option value="дедушка"/>
                </datalist>
                <FormError error=guardian_error/>
                <FormSummary error=guardian_error/>
                <button type="submit" disabled=move || actions.add_guardian.pending().get()>{t("Добавить родителя", "Add the parent")}</button>
            </ActionForm>
        </section>

        <section class="card">
            <h2>{lang.pick("Данные ребёнка", "The child's details")}</h2>
            <ActionForm action=actions.edit attr:class="child-edit-form">
                <input type="hidden" name="child_id" value=child_id/>
                <div class="grid">
                    <Field label=t("Фамилия", "Surname") name="surname" error=edit_error>
                        <input id="surname" name="surname" type="text" required value=card.surname/>
                    </Field>
                    <Field label=t("Имя", "Given name") name="given_name" error=edit_error>
                        <input id="given_name" name="given_name" type="text" required value=card.given_name/>
                    </Field>
                    <Field label=t("Отчество", "Patronymic") name="patronymic" error=edit_error>
                        <input id="patronymic" name="patronymic" type="text" value=card.patronymic/>
                    </Field>
                    <Field label=t("Дата рождения", "Birth date") name="birth_date" error=edit_error>
                        <input id="birth_date" name="birth_date" type="date" required value=card.birth_date/>
                    </Field>
                </div>
                <FormError error=edit_error/>
                <FormSummary error=edit_error/>
                {move || matches!(actions.edit.value().get(), Some(Ok(()))).then(|| view! {
                    <p class="notice" role="status">{lang.pick("Сохранено.", "Saved.")}</p>
                })}
                <button type="submit" disabled=move || actions.edit.pending().get()>{t("Сохранить", "Save")}</button>
            </ActionForm>
        </section>

        <section class="card">
            <h2>{lang.pick("Выбытие", "Leaving")}</h2>
            <p class="muted">
                {lang.pick(
                    "Последний день ребёнка в группе. До этого дня включительно ребёнок остаётся в отметках и табелях, после — не отмечается. Данные не удаляются.",
                    "The child's last day in the group. Up to and including that day the child stays in marking and timesheets; after it the child is no longer marked. Nothing is deleted.",
                )}
            </p>
            <ActionForm action=actions.leave attr:class="leave-form">
                <input type="hidden" name="child_id" value=child_id/>
                <Field label=t("Последний день в группе", "Last day in the group") name="left_on" error=leave_error>
                    <input id="left_on" name="left_on" type="date" required min=card.enrolled_on.clone() value=card.left_on.clone().unwrap_or_default()/>
                </Field>
                <FormError error=leave_error/>
                <button type="submit" disabled=move || actions.leave.pending().get()>{t("Отметить выбытие", "Record leaving")}</button>
            </ActionForm>
            {has_left.then(|| view! {
                <h3>{lang.pick("Вернуть в группу", "Return to the group")}</h3>
                <p class="muted">
                    {lang.pick(
                        "Дата выбытия будет удалена: ребёнок снова в группе и отмечается, как если бы не выбывал. Нельзя, если табель группы за месяц после даты выбытия закрыт.",
                        "The leaving date is removed: the child is in the group again and is marked as if it had never left. Not possible while the group's timesheet of a month after the leaving date is closed.",
                    )}
                </p>
                <ActionForm action=actions.return_child attr:class="return-form">
                    <input type="hidden" name="child_id" value=child_id/>
                    <FormError error=return_error/>
                    <button type="submit" disabled=move || actions.return_child.pending().get()>{t("Вернуть в группу", "Return to the group")}</button>
                </ActionForm>
            })}
            {move || (!has_left && matches!(actions.return_child.value().get(), Some(Ok(())))).then(|| view! {
                <p class="notice" role="status" id="child-returned">{lang.pick("Ребёнок возвращён в группу.", "The child is back in the group.")}</p>
            })}
        </section>
    }
}

/// One parent on the card: contacts, account, and the forms that change them.
#[component]
fn GuardianItem(child_id: i64, guardian: CardGuardian, actions: CardActions) -> impl IntoView {
    let lang = use_lang();
    let person_id = guardian.person_id;
    // Each parent's contact form has its own action, so its messages stay beside it.
    let save = ServerAction::<EditGuardian>::new();
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    Effect::new(move |_| {
        if matches!(save.value().get(), Some(Ok(()))) {
            actions.contacts_saved.update(|n| *n += 1);
        }
    });
    let field =
        move |name: &'static str, label: &'static str, kind: &'static str, value: String| {
            let id = format!("{name}-{person_id}");
            let message = move || {
                error.get().and_then(|e| {
                    e.for_field(name).map(|(ru, en)| {
                    view! { <p class="field-error" role="alert">{lang.pick(ru, en).to_owned()}</p> }
                })
                })
            };
            view! {
                <div class="field">
                    <label for=id.clone()>{label}</label>
                    <input id=id name=name type=kind value=value/>
                    {message}
                </div>
            }
        };
    let contacts = [
        Some(guardian.relation.clone()),
        guardian.phone.clone(),
        guardian.email.clone(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ");
    view! {
        <li class="guardian" data-person=person_id>
            <p>
                <strong class="guardian-name">{guardian.full_name.clone()}</strong>
                " — "<span class="guardian-contacts">{contacts}</span>
            </p>
            {match guardian.login.clone() {
                Some(login) => view! {
                    <p class="muted">{lang.pick("Учётная запись: ", "Account: ")}<span class="login">{login}</span></p>
                }.into_any(),
                None => view! {
                    <ActionForm action=actions.create_account attr:class="inline">
                        <input type="hidden" name="child_id" value=child_id/>
                        <input type="hidden" name="person_id" value=person_id/>
                        <button type="submit">{lang.pick("Создать учётную запись родителя", "Create a parent account")}</button>
                    </ActionForm>
                }.into_any(),
            }}
            <details>
                <summary>{lang.pick("Изменить контакты", "Edit contacts")}</summary>
                <ActionForm action=save attr:class="guardian-contacts-form">
                    <input type="hidden" name="child_id" value=child_id/>
                    <input type="hidden" name="person_id" value=person_id/>
                    <div class="grid">
                        {field("relation", t("Кем приходится", "Relation to the child"), "text", guardian.relation)}
                        {field("phone", t("Телефон", "Phone"), "tel", guardian.phone.unwrap_or_default())}
                        {field("email", "Email", "email", guardian.email.unwrap_or_default())}
                    </div>
                    <FormError error/>
                    <button type="submit" disabled=move || save.pending().get()>{lang.pick("Сохранить контакты", "Save contacts")}</button>
                </ActionForm>
            </details>
            <ActionForm action=actions.remove_guardian attr:class="inline">
                <input type="hidden" name="child_id" value=child_id/>
                <input type="hidden" name="person_id" value=person_id/>
                <button type="submit" class="secondary">{lang.pick("Удалить связь с ребёнком", "Remove the link to the child")}</button>
            </ActionForm>
        </li>
    }
}
