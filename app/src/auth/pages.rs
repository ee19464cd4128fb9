use leptos::prelude::*;
use leptos_router::hooks::use_location;

use leptos_router::hooks::use_query_map;

use super::{sso_enabled, whoami, ChangePassword, ChooseRole, Login, Logout, Me};
use crate::components::{Field, FormError};
use crate::domain::Role;
use crate::error::AppError;

pub type MeResource = Resource<Result<Option<Me>, AppError>>;

/// Provides the signed-in person to every page; refetched on each navigation, since
/// signing in, out and choosing a role all end in one.
pub fn provide_me() {
    let location = use_location();
    let me: MeResource = Resource::new(move || location.pathname.get(), |_| whoami());
    provide_context(me);
}

pub fn use_me() -> MeResource {
    expect_context::<MeResource>()
}

#[component]
pub fn UserBar() -> impl IntoView {
    let me = use_me();
    let logout = ServerAction::<Logout>::new();
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match me.await {
                    Ok(Some(me)) => {
                        let several = me.grants.len() > 1;
                        let role = me.role.map(|r| r.title(crate::i18n::use_lang())).unwrap_or_default();
                        view! {
                            <div class="userbar">
                                <span class="who">
                                    <span class="person-name">{me.full_name}</span>
                                    <span class="role-name muted-inverse">{role}</span>
                                </span>
                                {(me.role == Some(Role::Parent)).then(|| view! {
                                    <a href="/inbox" class="inbox-link">
                                        "Уведомления"
                                        {(me.unread_notices > 0).then(|| view! {
                                            <span class="badge" aria-label="непрочитанные">{me.unread_notices}</span>
                                        })}
                                    </a>
                                })}
                                {several.then(|| view! { <a href="/role">"Сменить роль"</a> })}
                                <ActionForm action=logout>
                                    <button type="submit" class="link-button">"Выйти"</button>
                                </ActionForm>
                            </div>
                        }
                        .into_any()
                    }
                    _ => ().into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let login = ServerAction::<Login>::new();
    let error = Signal::derive(move || login.value().get().and_then(Result::err));
    let sso = Resource::new(|| (), |_| sso_enabled());
    view! {
        <section class="card narrow">
            <h1>"Вход в систему"</h1>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    sso.await.unwrap_or(false).then(|| view! {
                        // rel="external": a full navigation to the server route, not the client router.
                        <a class="button sso" href="/auth/sso/start" rel="external">"Войти через Госуслуги (ЕСИА)"</a>
                        <p class="divider muted">"или по логину и паролю"</p>
                    })
                })}
            </Suspense>
            <ActionForm action=login>
                <Field label="Логин" name="login" error>
                    <input id="login" name="login" type="text" autocomplete="username" required autocapitalize="off"/>
                </Field>
                <Field label="Пароль" name="password" error>
                    <input id="password" name="password" type="password" autocomplete="current-password" required/>
                </Field>
                <FormError error/>
                <button type="submit" disabled=move || login.pending().get()>"Войти"</button>
            </ActionForm>
            <p class="muted register-link">
                "Организация ещё не подключена? "<a href="/register">"Подать заявку на регистрацию"</a>
            </p>
        </section>
    }
}

#[component]
pub fn ChangePasswordPage() -> impl IntoView {
    let change = ServerAction::<ChangePassword>::new();
    let error = Signal::derive(move || change.value().get().and_then(Result::err));
    view! {
        <section class="card narrow">
            <h1>"Смена пароля"</h1>
            <p class="muted">
                "Придумайте новый пароль: не короче 10 символов, не только цифры, без вашего логина."
            </p>
            <ActionForm action=change>
                <Field label="Текущий (одноразовый) пароль" name="current_password" error>
                    <input id="current_password" name="current_password" type="password" autocomplete="current-password" required/>
                </Field>
                <Field label="Новый пароль" name="new_password" error>
                    <input id="new_password" name="new_password" type="password" autocomplete="new-password" required/>
                </Field>
                <Field label="Новый пароль ещё раз" name="new_password_confirm" error>
                    <input id="new_password_confirm" name="new_password_confirm" type="password" autocomplete="new-password" required/>
                </Field>
                <FormError error/>
                <button type="submit" disabled=move || change.pending().get()>"Сохранить пароль"</button>
            </ActionForm>
        </section>
    }
}

#[component]
pub fn ChooseRolePage() -> impl IntoView {
    let me = use_me();
    let choose = ServerAction::<ChooseRole>::new();
    let error = Signal::derive(move || choose.value().get().and_then(Result::err));
    view! {
        <section class="card narrow">
            <h1>"Выбор роли"</h1>
            <p class="muted">"У вас несколько ролей. В какой вы работаете сейчас?"</p>
            <Transition fallback=|| view! { <p class="muted">"Загрузка…"</p> }>
                {move || Suspend::new(async move {
                    let grants = me.await.ok().flatten().map(|m| m.grants).unwrap_or_default();
                    view! {
                        <ul class="role-list">
                            {grants
                                .into_iter()
                                .map(|g| view! {
                                    <li>
                                        <ActionForm action=choose>
                                            <input type="hidden" name="grant_id" value=g.grant_id/>
                                            <button type="submit" class="role-choice">
                                                <span class="role-title">{g.role.title_ru()}</span>
                                                <span class="role-scope">{g.scope}</span>
                                            </button>
                                        </ActionForm>
                                    </li>
                                })
                                .collect_view()}
                        </ul>
                    }
                })}
            </Transition>
            <FormError error/>
        </section>
    }
}

/// Why a sign-in through the provider did not go through (the seed's «ошибка входа»).
#[component]
pub fn SsoErrorPage() -> impl IntoView {
    let query = use_query_map();
    let reason = move || query.read().get("reason").unwrap_or_default();
    let fields = move || {
        query
            .read()
            .get("fields")
            .unwrap_or_default()
            .split(',')
            .filter_map(|f| match f {
                "surname" => Some(("Фамилия", "surname")),
                "given_name" => Some(("Имя", "given name")),
                "patronymic" => Some(("Отчество", "patronymic")),
                _ => None,
            })
            .collect::<Vec<_>>()
    };
    let message = move || {
        match reason().as_str() {
        "unknown_email" => (
            "Учётная запись с адресом электронной почты из Госуслуг не найдена. Попросите администратора организации указать этот email в вашей карточке.".to_owned(),
            "No account has the email your provider returned. Ask your organisation's admin to put this email on your staff card.".to_owned(),
        ),
        "name_mismatch" => {
            let f = fields();
            let ru = f.iter().map(|(ru, _)| *ru).collect::<Vec<_>>().join(", ");
            let en = f.iter().map(|(_, en)| *en).collect::<Vec<_>>().join(", ");
            (
                format!("Данные из Госуслуг не совпадают с учётной записью: отличается {ru}. Проверьте ФИО в карточке сотрудника у администратора."),
                format!("Your provider's data does not match the account: the {en} differs. Ask the admin to check the name on your card."),
            )
        }
        "expired" => (
            "Время входа истекло или ссылка уже использована. Начните вход заново.".to_owned(),
            "The sign-in expired or was already used. Start again.".to_owned(),
        ),
        _ => (
            "Не удалось выполнить вход через Госуслуги. Попробуйте позже или войдите по логину и паролю.".to_owned(),
            "Sign-in through the provider failed. Try later or use your login and password.".to_owned(),
        ),
    }
    };
    view! {
        <section class="card narrow">
            <h1>"Ошибка входа"</h1>
            <p class="error" role="alert" id="sso-error">{move || message().0}</p>
            <p class="muted" lang="en">{move || message().1}</p>
            <p><a href="/login">"Вернуться ко входу"</a></p>
        </section>
    }
}
