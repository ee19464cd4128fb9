use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::{load_child_absences, AnnounceAbsence, CancelAbsence, ChildAbsences};
use crate::components::{Field, FormError, Gate, Loaded};
use crate::domain::Role;
use crate::i18n::{t, use_lang};

/// A parent announces that its child will be away, and sees what it announced.
#[component]
pub fn ChildAbsencesPage() -> impl IntoView {
    view! { <Gate roles=&[Role::Parent] page=|_| view! { <Absences/> }/> }
}

#[component]
fn Absences() -> impl IntoView {
    let params = use_params_map();
    let announce = ServerAction::<AnnounceAbsence>::new();
    let cancel = ServerAction::<CancelAbsence>::new();
    let data = Resource::new(
        move || {
            (
                params.read().get("id"),
                announce.version().get(),
                cancel.version().get(),
            )
        },
        |(id, _, _)| async move {
            load_child_absences(id.and_then(|i| i.parse().ok()).unwrap_or_default()).await
        },
    );
    let error = Signal::derive(move || announce.value().get().and_then(Result::err));
    view! {
        <Loaded resource=data ok=move |data| view! { <AbsenceForm data announce cancel error/> } title=("Отсутствие", "Absence")/>
    }
}

#[component]
fn AbsenceForm(
    data: ChildAbsences,
    announce: ServerAction<AnnounceAbsence>,
    cancel: ServerAction<CancelAbsence>,
    error: Signal<Option<crate::error::AppError>>,
) -> impl IntoView {
    let lang = use_lang();
    let child_id = data.child_id;
    let (min_from, min_to) = (data.today.clone(), data.today.clone());
    let reasons = data.reasons.clone();
    let reasons_en = data.reasons_en.clone();
    view! {
        <h1>{data.child_name.clone()}</h1>
        <section class="card">
            <h2>{t("Сообщить об отсутствии", "Report an absence")}</h2>
            <ActionForm action=announce>
                <input type="hidden" name="child_id" value=child_id/>
                <div class="grid">
                    <Field label=t("С", "From") name="date_from" error>
                        <input id="date_from" name="date_from" type="date" required min=min_from/>
                    </Field>
                    <Field label=t("По", "To") name="date_to" error>
                        <input id="date_to" name="date_to" type="date" required min=min_to/>
                    </Field>
                    <Field label=t("Причина", "Reason") name="reason" error>
                        <select id="reason" name="reason">
                            {reasons.iter().map(|r| view! {
                                <option value=r.code.clone()>{format!("{} — {}", r.code, r.name(lang, &reasons_en))}</option>
                            }).collect_view()}
                        </select>
                    </Field>
                </div>
                <Field label=t("Комментарий", "Comment") name="comment" error>
                    <input id="comment" name="comment" type="text"/>
                </Field>
                <FormError error/>
                <button type="submit" disabled=move || announce.pending().get()>{t("Сообщить", "Report")}</button>
            </ActionForm>
        </section>
        <h2>{t("Сообщённые отсутствия", "Reported absences")}</h2>
        {move || cancel.value().get().and_then(Result::err).map(|e| view! { <p class="error" role="alert">{e.message(lang)}</p> })}
        <ul class="announcements">
            {data.announcements.into_iter().map(|a| view! {
                <li class="announcement" class:cancelled=a.cancelled>
                    <span class="period">{format!("{} — {}", a.date_from, a.date_to)}</span>
                    " · "<span class="reason">{a.reason}</span>
                    {(!a.comment.is_empty()).then(|| view! { " · "<span class="comment">{a.comment.clone()}</span> })}
                    {a.cancelled.then(|| view! { " · "<span class="muted">{lang.pick("отменено", "cancelled")}</span> })}
                    {a.can_cancel.then(|| view! {
                        <ActionForm action=cancel>
                            <input type="hidden" name="announcement_id" value=a.id/>
                            <button type="submit" class="secondary">{lang.pick("Отменить", "Cancel")}</button>
                        </ActionForm>
                    })}
                </li>
            }).collect_view()}
        </ul>
    }
}
