use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;
use leptos::web_sys::{FormData, HtmlFormElement};

use super::{import_children, list_children, ChildPage, ImportSummary};
use crate::components::{ErrorNotice, Gate};
use crate::domain::Role;
use crate::error::AppError;

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
    let children = Resource::new(
        move || (query.get(), page.get(), import.version().get()),
        |(q, p, _)| list_children(q, p),
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
        <h1>"Контингент"</h1>
        <div class="toolbar">
            <label for="child-search" class="visually-hidden">"Поиск"</label>
            <input
                id="child-search"
                type="search"
                placeholder="Поиск по фамилии, имени или группе"
                on:input=move |ev| {
                    query.set(event_target_value(&ev));
                    page.set(1);
                }
            />
        </div>
        <Transition fallback=|| view! { <p class="muted">"Загрузка…"</p> }>
            {move || Suspend::new(async move {
                match children.await {
                    Ok(list) => view! { <ChildTable list page/> }.into_any(),
                    Err(error) => view! { <ErrorNotice error/> }.into_any(),
                }
            })}
        </Transition>

        <section class="card">
            <h2>"Загрузка из CSV"</h2>
            <p class="muted">
                "Столбцы: Фамилия ребёнка; Имя ребёнка; Отчество ребёнка; Дата рождения; Группа; Дата зачисления; "
                "Фамилия родителя; Имя родителя; Отчество родителя; Кем приходится; Телефон; Email. "
                "Даты — ДД.ММ.ГГГГ. Строки с ошибками не загружаются, остальные загружаются."
            </p>
            <form on:submit=on_submit class="import-form" enctype="multipart/form-data">
                <label for="import-file">"CSV-файл"</label>
                <input id="import-file" name="file" type="file" accept=".csv,text/csv" required/>
                <button type="submit" disabled=move || import.pending().get()>"Загрузить"</button>
            </form>
            {move || import.value().get().map(|result| match result {
                Ok(summary) => view! { <ImportResult summary/> }.into_any(),
                Err(error) => view! { <ImportError error/> }.into_any(),
            })}
        </section>
    }
}

#[component]
fn ImportError(error: AppError) -> impl IntoView {
    view! { <p class="error" role="alert" id="import-error">{error.ru}</p> }
}

#[component]
fn ImportResult(summary: ImportSummary) -> impl IntoView {
    let refused = summary
        .problems
        .iter()
        .map(|p| p.line)
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    view! {
        <div class="import-result" role="status">
            <p class="import-summary">
                {format!(
                    "Загружено детей: {} из {}. Отклонено строк: {}.",
                    summary.imported, summary.total_rows, refused
                )}
            </p>
            {(!summary.problems.is_empty()).then(|| view! {
                <table class="import-problems">
                    <thead><tr><th scope="col">"Строка"</th><th scope="col">"Столбец"</th><th scope="col">"Ошибка"</th></tr></thead>
                    <tbody>
                        {summary.problems.into_iter().map(|p| view! {
                            <tr>
                                <td class="num problem-line">{p.line}</td>
                                <td>{p.column.unwrap_or_default()}</td>
                                <td>{p.ru}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            })}
        </div>
    }
}

#[component]
fn ChildTable(list: ChildPage, page: RwSignal<i64>) -> impl IntoView {
    let pages = ((list.total + list.per_page - 1) / list.per_page).max(1);
    let current = list.page;
    view! {
        <p class="muted" id="children-total">{format!("Найдено детей: {}", list.total)}</p>
        <table class="children-list">
            <thead>
                <tr>
                    <th scope="col">"Ребёнок"</th>
                    <th scope="col">"Дата рождения"</th>
                    <th scope="col">"Группа"</th>
                    <th scope="col">"Зачислен"</th>
                    <th scope="col">"Родители"</th>
                </tr>
            </thead>
            <tbody>
                {list.rows.into_iter().map(|c| view! {
                    <tr>
                        <td class="child-name">{c.full_name}</td>
                        <td>{c.birth_date}</td>
                        <td>{c.group_name}</td>
                        <td>{c.enrolled_on}{c.left_on.map(|d| format!(" — выбыл {d}"))}</td>
                        <td>{c.guardians.join(", ")}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        <nav class="pager" aria-label="Страницы">
            <button type="button" class="secondary" disabled=current <= 1 on:click=move |_| page.update(|p| *p -= 1)>"← Назад"</button>
            <span class="page-no">{format!("Страница {current} из {pages}")}</span>
            <button type="button" class="secondary" disabled=current >= pages on:click=move |_| page.update(|p| *p += 1)>"Вперёд →"</button>
        </nav>
    }
}
