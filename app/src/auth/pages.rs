use leptos::prelude::*;
use leptos_router::hooks::use_location;

use leptos_router::hooks::use_query_map;

use super::{sso_enabled, whoami, ChangePassword, ChooseRole, Login, Logout, Me};
use crate::components::{Field, FormError};
use crate::domain::Role;
use crate::error::AppError;
use crate::i18n::{t, use_lang, Lang};

pub type MeResource = Resource<Result<Option<Me>, AppError>>;

/// Provides the signed-in person to every page; refetched on each navigation, since
/// signing in, out and choosing a role all end in one.
pub fn provide_me() {
    let location = use_location();
    let me: MeResource = Resource::new(move || location.pathname.get(), |_| whoami());
    provide_context(me);
    let bar: MeResource = Resource::new(move || location.pathname.get(), |_| whoami());
    provide_context(BarMe(bar));
}

/// The top bar's own copy of the signed-in person. One resource awaited by two
/// Suspense boundaries (the bar's and the page's) now and then left a server-rendered
/// page unfinished (leptos#4851, seen here once in a test run): each awaits its own.
#[derive(Clone, Copy)]
struct BarMe(MeResource);

pub fn use_me() -> MeResource {
    expect_context::<MeResource>()
}

/// Reads the signed-in person again, for the page and the top bar alike.
pub fn refetch_me() {
    use_me().refetch();
    expect_context::<BarMe>().0.refetch();
}

#[component]
pub fn UserBar() -> impl IntoView {
    let BarMe(me) = expect_context::<BarMe>();
    let lang = use_lang();
    let logout = ServerAction::<Logout>::new();
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match me.await {
                    Ok(Some(me)) => {
                        let several = me.grants.len() > 1;
                        let role = me.role.map(|r| r.title(lang)).unwrap_or_default();
                        view! {
                            <div class="userbar">
                                <span class="who">
                                    <span class="person-name">{me.full_name}</span>
                                    <span class="role-name muted-inverse">{role}</span>
                                </span>
                                {(me.role == Some(Role::Parent)).then(|| view! {
                                    <a href="/inbox" class="inbox-link">
                                        {lang.pick("Уведомления", "Notices")}
                                        {(me.unread_notices > 0).then(|| view! {
                                            <span class="badge" aria-label=lang.pick("непрочитанные", "unread")>{me.unread_notices}</span>
                                        })}
                                    </a>
                                })}
                                {several.then(|| view! { <a href="/role">{lang.pick("Сменить роль", "Switch role")}</a> })}
                                <ActionForm action=logout>
                                    <button type="submit" class="link-button">{lang.pick("Выйти", "Sign out")}</button>
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
    let lang = use_lang();
    view! {
        <section class="card narrow">
            <h1>{t("Вход в систему", "Sign in")}</h1>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    sso.await.unwrap_or(false).then(|| view! {
                        // rel="external": a full navigation to the server route, not the client router.
                        <a class="button sso" href="/auth/sso/start" rel="external">{lang.pick("Войти через Госуслуги (ЕСИА)", "Sign in with Gosuslugi (ESIA)")}</a>
                        <p class="divider muted">{lang.pick("или по логину и паролю", "or with your login and password")}</p>
                    })
                })}
            </Suspense>
            <ActionForm action=login>
                <Field label=t("Логин", "Login") name="login" error>
                    <input id="login" name="login" type="text" autocomplete="username" required autocapitalize="off"/>
                </Field>
                <Field label=t("Пароль", "Password") name="password" error>
                    <input id="password" name="password" type="password" autocomplete="current-password" required/>
                </Field>
                <FormError error/>
                <button type="submit" disabled=move || login.pending().get()>{t("Войти", "Sign in")}</button>
            </ActionForm>
            <p class="muted register-link">
                {t("Организация ещё не подключена? ", "Organisation not connected yet? ")}
                <a href="/register">{t("Подать заявку на регистрацию", "Apply for registration")}</a>
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
            <h1>{t("Смена пароля", "Change password")}</h1>
            <p class="muted">
                {t(
                    "Придумайте новый пароль: не короче 10 символов, не только цифры, без вашего логина.",
                    "Choose a new password: at least 10 characters, not only digits, and without your login.",
                )}
            </p>
            <ActionForm action=change>
                <Field label=t("Текущий (одноразовый) пароль", "Current (one-time) password") name="current_password" error>
                    <input id="current_password" name="current_password" type="password" autocomplete="current-password" required/>
                </Field>
                <Field label=t("Новый пароль", "New password") name="new_password" error>
                    <input id="new_password" name="new_password" type="password" autocomplete="new-password" required/>
                </Field>
                <Field label=t("Новый пароль ещё раз", "New password again") name="new_password_confirm" error>
                    <input id="new_password_confirm" name="new_password_confirm" type="password" autocomplete="new-password" required/>
                </Field>
                <FormError error/>
                <button type="submit" disabled=move || change.pending().get()>{t("Сохранить пароль", "Save password")}</button>
            </ActionForm>
        </section>
    }
}

#[component]
pub fn ChooseRolePage() -> impl IntoView {
    let me = use_me();
    let choose = ServerAction::<ChooseRole>::new();
    let lang = use_lang();
    let error = Signal::derive(move || choose.value().get().and_then(Result::err));
    view! {
        <section class="card narrow">
            <h1>{t("Выбор роли", "Choose a role")}</h1>
            <p class="muted">{t("У вас несколько ролей. В какой вы работаете сейчас?", "You have several roles. Which one are you working in now?")}</p>
            <Transition fallback=move || view! { <p class="muted">{lang.pick("Загрузка…", "Loading…")}</p> }>
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
                                                <span class="role-title">{g.role.title(lang)}</span>
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
    let lang = use_lang();
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
        match (reason().as_str(), lang) {
        ("unknown_email", Lang::Ru) => "Учётная запись с адресом электронной почты из Госуслуг не найдена. Попросите администратора организации указать этот email в вашей карточке.".to_owned(),
        ("unknown_email", Lang::En) => "No account has the email address Gosuslugi (ESIA) returned. Ask your organisation's administrator to put this email on your staff card.".to_owned(),
        ("name_mismatch", Lang::Ru) => {
            let ru = fields().iter().map(|(ru, _)| *ru).collect::<Vec<_>>().join(", ");
            format!("Данные из Госуслуг не совпадают с учётной записью: отличается {ru}. Проверьте ФИО в карточке сотрудника у администратора.")
        }
        ("name_mismatch", Lang::En) => {
            let f = fields();
            let verb = if f.len() > 1 { "differ" } else { "differs" };
            let en = f.iter().map(|(_, en)| *en).collect::<Vec<_>>().join(", ");
            format!("The data from Gosuslugi (ESIA) does not match your account: the {en} {verb}. Ask your administrator to check the name on your staff card.")
        }
        ("ambiguous_email", Lang::Ru) => "Этот адрес электронной почты указан у нескольких людей, поэтому вход через Госуслуги невозможен. Попросите администратора организации исправить email в карточках или войдите по логину и паролю.".to_owned(),
        ("ambiguous_email", Lang::En) => "This email address belongs to more than one person, so signing in with Gosuslugi (ESIA) is not possible. Ask your organisation's administrator to correct the emails on the cards, or sign in with your login and password.".to_owned(),
        ("email_unverified", Lang::Ru) => "Госуслуги не подтвердили этот адрес электронной почты. Подтвердите его в профиле Госуслуг или войдите по логину и паролю.".to_owned(),
        ("email_unverified", Lang::En) => "Gosuslugi (ESIA) has not verified this email address. Verify it in your Gosuslugi profile, or sign in with your login and password.".to_owned(),
        ("not_started_here", Lang::Ru) => "Вход через Госуслуги был начат не в этом браузере. Начните вход заново здесь.".to_owned(),
        ("not_started_here", Lang::En) => "This sign-in with Gosuslugi (ESIA) was not started in this browser. Start signing in again here.".to_owned(),
        ("expired", Lang::Ru) => "Время входа истекло или ссылка уже использована. Начните вход заново.".to_owned(),
        ("expired", Lang::En) => "The sign-in has expired or the link was already used. Start signing in again.".to_owned(),
        (_, Lang::Ru) => "Не удалось выполнить вход через Госуслуги. Попробуйте позже или войдите по логину и паролю.".to_owned(),
        (_, Lang::En) => "Signing in with Gosuslugi (ESIA) failed. Try again later or sign in with your login and password.".to_owned(),
    }
    };
    view! {
        <section class="card narrow">
            <h1>{t("Ошибка входа", "Sign-in error")}</h1>
            <p class="error" role="alert" id="sso-error">{message}</p>
            <p><a href="/login">{t("Вернуться ко входу", "Back to sign-in")}</a></p>
        </section>
    }
}
