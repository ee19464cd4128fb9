use leptos::prelude::*;

use super::{
    municipalities, pending_registrations, DecideRegistration, PendingRequest, SubmitRegistration,
};
use crate::components::{ErrorNotice, Field, FormError, Gate, Pager};
use crate::domain::Role;
use crate::i18n::{t, use_lang, Lang};

/// The public registration request form of the seed.
#[component]
pub fn RegisterPage() -> impl IntoView {
    let submit = ServerAction::<SubmitRegistration>::new();
    let error = Signal::derive(move || submit.value().get().and_then(Result::err));
    let done = move || matches!(submit.value().get(), Some(Ok(())));
    let options = Resource::new(|| (), |_| municipalities());
    let lang = use_lang();
    view! {
        <section class="card wide">
            <h1>{t("Заявка на регистрацию организации", "Request to register an organisation")}</h1>
            <Show
                when=done
                fallback=move || view! {
                    <ActionForm action=submit>
                        <div class="field">
                            <label for="municipality_id">{lang.pick("Муниципалитет", "Municipality")}</label>
                            <Suspense fallback=|| ()>
                                {move || Suspend::new(async move {
                                    let list = options.await.unwrap_or_default();
                                    view! {
                                        <select id="municipality_id" name="municipality_id" required>
                                            {list.into_iter().map(|m| view! { <option value=m.id>{m.name}</option> }).collect_view()}
                                        </select>
                                    }
                                })}
                            </Suspense>
                        </div>
                        <fieldset class="grid plain">
                            <legend>{lang.pick("Заявитель", "Applicant")}</legend>
                            <Field label=lang.pick("Фамилия", "Surname") name="surname" error><input id="surname" name="surname" required/></Field>
                            <Field label=lang.pick("Имя", "Given name") name="given_name" error><input id="given_name" name="given_name" required/></Field>
                            <Field label=lang.pick("Отчество", "Patronymic") name="patronymic" error><input id="patronymic" name="patronymic"/></Field>
                            <Field label="Email" name="email" error><input id="email" name="email" type="email" required/></Field>
                            <Field label=lang.pick("Должность", "Position") name="position" error><input id="position" name="position" required/></Field>
                        </fieldset>
                        <fieldset class="grid plain">
                            <legend>{lang.pick("Организация", "Organisation")}</legend>
                            <Field label=lang.pick("Полное наименование организации", "Full name of the organisation") name="organisation_name" error>
                                <input id="organisation_name" name="organisation_name" required/>
                            </Field>
                            <Field label=lang.pick("Краткое наименование", "Short name") name="short_name" error><input id="short_name" name="short_name" required/></Field>
                            <Field label=lang.pick("ИНН", "INN") name="inn" error><input id="inn" name="inn" inputmode="numeric" required/></Field>
                            <Field label=lang.pick("КПП", "KPP") name="kpp" error><input id="kpp" name="kpp"/></Field>
                        </fieldset>
                        <FormError error/>
                        {move || error.get().filter(|e| !e.details.is_empty()).map(|e| view! {
                            <p class="error" role="alert">{e.message(lang)}</p>
                        })}
                        <button type="submit" disabled=move || submit.pending().get()>{lang.pick("Отправить заявку", "Send the request")}</button>
                    </ActionForm>
                }
            >
                <p class="notice" role="status" id="registration-sent">
                    {t(
                        "Заявка отправлена. После проверки специалист муниципалитета передаст вам логин и одноразовый пароль.",
                        "The request has been sent. Once it is checked, a municipal specialist will give you a login and a one-time password.",
                    )}
                </p>
            </Show>
            <p><a href="/login">{t("← Ко входу", "← Back to sign-in")}</a></p>
        </section>
    }
}

/// The municipal specialist's queue of registration requests.
#[component]
pub fn RegistrationsPage() -> impl IntoView {
    view! { <Gate roles=&[Role::Municipal] page=|_| view! { <Queue/> }/> }
}

#[component]
fn Queue() -> impl IntoView {
    let decide = ServerAction::<DecideRegistration>::new();
    let page = RwSignal::new(1_i64);
    let pending = Resource::new(
        move || (decide.version().get(), page.get()),
        |(_, page)| pending_registrations(Some(page)),
    );
    let lang = use_lang();
    view! {
        <h1>{t("Заявки на регистрацию", "Registration requests")}</h1>
        {move || decide.value().get().map(|result| match result {
            Ok(Some(c)) => view! {
                <section class="card credentials" role="status">
                    <h2>{lang.pick("Организация зарегистрирована", "Organisation registered")}</h2>
                    <p>{lang.pick("Администратор: ", "Administrator: ")}{c.full_name}</p>
                    <dl>
                        <dt>{lang.pick("Логин", "Login")}</dt><dd class="new-login">{c.login}</dd>
                        <dt>{lang.pick("Одноразовый пароль", "One-time password")}</dt><dd class="one-time-password">{c.one_time_password}</dd>
                    </dl>
                </section>
            }.into_any(),
            Ok(None) => view! { <p class="notice" role="status">{lang.pick("Заявка отклонена.", "Request rejected.")}</p> }.into_any(),
            Err(error) => view! { <ErrorNotice error/> }.into_any(),
        })}
        <Transition fallback=move || view! { <p class="muted">{lang.pick("Загрузка…", "Loading…")}</p> }>
            {move || Suspend::new(async move {
                match pending.await {
                    Ok(list) if list.rows.is_empty() => view! { <p class="muted">{lang.pick("Новых заявок нет.", "No new requests.")}</p> }.into_any(),
                    Ok(list) => {
                        let pages = ((list.total + list.per_page - 1) / list.per_page).max(1);
                        view! {
                            <p class="muted">{match lang {
                                Lang::Ru => format!("Ждут решения: {}", list.total),
                                Lang::En => format!("Waiting for a decision: {}", list.total),
                            }}</p>
                            <ul class="requests">
                                {list.rows.into_iter().map(|r| view! { <RequestCard request=r decide/> }).collect_view()}
                            </ul>
                            {(pages > 1).then(|| view! {
                                <Pager current=list.page pages go=Callback::new(move |n: i64| page.set(n))/>
                            })}
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorNotice error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn RequestCard(request: PendingRequest, decide: ServerAction<DecideRegistration>) -> impl IntoView {
    let id = request.id;
    let inn = request.inn.clone();
    let lang = use_lang();
    view! {
        <li class="card request" data-inn=inn>
            <h2>{request.short_name}</h2>
            <p>{request.organisation_name}</p>
            <p class="muted">
                {t("ИНН ", "INN ")}{request.inn}
                {request.kpp.map(|k| match lang {
                    Lang::Ru => format!(", КПП {k}"),
                    Lang::En => format!(", KPP {k}"),
                })}
            </p>
            <p>{request.full_name}", "{request.position}", "{request.email}</p>
            <div class="row">
                <ActionForm action=decide>
                    <input type="hidden" name="request_id" value=id/>
                    <input type="hidden" name="approve" value="true"/>
                    <button type="submit">{t("Одобрить", "Approve")}</button>
                </ActionForm>
                <ActionForm action=decide>
                    <input type="hidden" name="request_id" value=id/>
                    <input type="hidden" name="approve" value="false"/>
                    <button type="submit" class="secondary">{t("Отклонить", "Reject")}</button>
                </ActionForm>
            </div>
        </li>
    }
}
