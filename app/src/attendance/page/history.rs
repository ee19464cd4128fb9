//! The audit trail of one child's mark on one day.

use leptos::prelude::*;

use super::param;
use crate::attendance::load_mark_history;
use crate::components::{ErrorNotice, Gate};
use crate::domain::Role;
use crate::i18n::{t, use_lang, Lang};

/// The audit trail of one child's mark on one day.
#[component]
pub fn MarkHistoryPage() -> impl IntoView {
    view! { <Gate roles=&[Role::OrgAdmin, Role::Teacher] page=|_| view! { <MarkHistory/> }/> }
}

#[component]
fn MarkHistory() -> impl IntoView {
    let child = param("child");
    let date = param("date");
    let group = param("id");
    let date_for_back = date.clone();
    let history = Resource::new(
        move || (child(), date()),
        |(child, date)| async move {
            let child = child
                .and_then(|c| c.parse::<i64>().ok())
                .unwrap_or_default();
            load_mark_history(child, date.unwrap_or_default()).await
        },
    );
    let back = move || {
        format!(
            "/groups/{}/marks/{}",
            group().unwrap_or_default(),
            date_for_back().unwrap_or_default()
        )
    };
    let lang = use_lang();
    view! {
        <h1>{t("История отметки", "Mark history")}</h1>
        <p><a href=back>{t("← К отметкам дня", "← Back to the day's marks")}</a></p>
        <Transition fallback=move || view! { <p class="muted">{lang.pick("Загрузка…", "Loading…")}</p> }>
            {move || Suspend::new(async move {
                match history.await {
                    Ok(changes) if changes.is_empty() => view! { <p class="muted">{lang.pick("Изменений не было.", "No changes.")}</p> }.into_any(),
                    Ok(changes) => view! {
                        <table class="history">
                            <thead><tr>
                                <th scope="col">{lang.pick("Когда", "When")}</th><th scope="col">{lang.pick("Кто", "Who")}</th>
                                <th scope="col">{lang.pick("Было", "Before")}</th><th scope="col">{lang.pick("Стало", "After")}</th>
                                <th scope="col">{lang.pick("Откуда", "Source")}</th>
                            </tr></thead>
                            <tbody>
                                {changes.into_iter().map(|c| {
                                    // Rows from a server without the English texts show the Russian ones.
                                    let en = |en: String, ru: String| if en.is_empty() { ru } else { en };
                                    let (at, old, new, path) = match lang {
                                        Lang::Ru => (c.at, c.old, c.new, c.path),
                                        Lang::En => (en(c.at_en, c.at), en(c.old_en, c.old), en(c.new_en, c.new), en(c.path_en, c.path)),
                                    };
                                    view! {
                                        <tr>
                                            <td>{at}</td><td class="who">{c.by}</td><td class="old">{old}</td>
                                            <td class="new">{new}</td><td class="device">{if c.device.is_empty() { path } else { format!("{path} · {}", c.device) }}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                    Err(error) => view! { <ErrorNotice error/> }.into_any(),
                }
            })}
        </Transition>
    }
}
