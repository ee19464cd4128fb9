//! Small pieces of UI shared by the pages.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::components::Redirect;

use crate::auth::Me;
use crate::domain::Role;
use crate::error::AppError;
use crate::i18n::{t, use_lang};

/// A labelled form field with the server's message for it, if the last error named it.
#[component]
pub fn Field(
    label: &'static str,
    name: &'static str,
    #[prop(into)] error: Signal<Option<AppError>>,
    children: Children,
) -> impl IntoView {
    let lang = use_lang();
    let message = move || {
        error.get().and_then(|e| {
            e.for_field(name).map(|(ru, en)| {
                let text = lang.pick(ru, en).to_owned();
                view! { <p class="field-error" role="alert" id=format!("{name}-error")>{text}</p> }
            })
        })
    };
    view! {
        <div class="field">
            <label for=name>{label}</label>
            {children()}
            {message}
        </div>
    }
}

/// The last error of a form when it is not about one field.
#[component]
pub fn FormError(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    let lang = use_lang();
    move || {
        error
            .get()
            .filter(|e| e.field.is_none() && e.details.is_empty())
            .map(|e| view! { <p class="error" role="alert">{e.message(lang)}</p> })
    }
}

/// What a page shows while a server function's answer is on its way («Загрузка…»),
/// when it fails (the error in the reader's language, under `title` when the page has
/// no heading of its own yet), and once it came (`ok` of the value).
#[component]
pub fn Loaded<T, F, V>(
    resource: Resource<Result<T, AppError>>,
    ok: F,
    /// The page's heading in Russian and English, shown above an error.
    #[prop(optional)]
    title: Option<(&'static str, &'static str)>,
) -> impl IntoView
where
    T: Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
    F: Fn(T) -> V + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    view! {
        <Transition fallback=|| view! { <p class="muted">{t("Загрузка…", "Loading…")}</p> }>
            {
                let ok = ok.clone();
                move || {
                    let ok = ok.clone();
                    Suspend::new(async move {
                        match resource.await {
                            Ok(value) => ok(value).into_any(),
                            Err(error) => view! {
                                {title.map(|(ru, en)| view! { <h1>{t(ru, en)}</h1> })}
                                <ErrorNotice error/>
                            }
                            .into_any(),
                        }
                    })
                }
            }
        </Transition>
    }
}

/// Where a person without the right session state must go instead of this page.
pub fn gate(me: &Option<Me>, allowed: &[Role]) -> Option<&'static str> {
    match me {
        None => Some("/login"),
        Some(me) if me.must_change_password => Some("/password"),
        Some(me) => match me.role {
            None => Some("/role"),
            Some(role) if !allowed.is_empty() && !allowed.contains(&role) => Some("/"),
            Some(_) => None,
        },
    }
}

/// Renders `page` when the signed-in person may open it, else redirects.
#[component]
pub fn Gate<F, V>(#[prop(optional)] roles: &'static [Role], page: F) -> impl IntoView
where
    F: Fn(Me) -> V + Send + Sync + Clone + 'static,
    V: IntoView + 'static,
{
    let me = crate::auth::use_me();
    let lang = use_lang();
    view! {
        <Transition fallback=|| view! { <p class="muted">{t("Загрузка…", "Loading…")}</p> }>
            {
                let page = page.clone();
                move || {
                    let page = page.clone();
                    Suspend::new(async move {
                        match me.await {
                            Err(e) => view! { <p class="error" role="alert">{e.message(lang)}</p> }.into_any(),
                            Ok(me) => match gate(&me, roles) {
                                Some(path) => view! { <Redirect path=path/> }.into_any(),
                                None => page(me.expect("gate passed")).into_any(),
                            },
                        }
                    })
                }
            }
        </Transition>
    }
}

/// A server error shown in place of the data it stopped.
/// «← Back · Page N of M · Next →» under a list paged by the page's own state; `go`
/// is called with the page to show.
#[component]
pub fn Pager(current: i64, pages: i64, go: Callback<i64>) -> impl IntoView {
    let lang = use_lang();
    view! {
        <nav class="pager" aria-label=lang.pick("Страницы", "Pages")>
            <button type="button" class="secondary" disabled=current <= 1 on:click=move |_| go.run(current - 1)>{lang.pick("← Назад", "← Back")}</button>
            <span class="page-no">{match lang {
                crate::i18n::Lang::Ru => format!("Страница {current} из {pages}"),
                crate::i18n::Lang::En => format!("Page {current} of {pages}"),
            }}</span>
            <button type="button" class="secondary" disabled=current >= pages on:click=move |_| go.run(current + 1)>{lang.pick("Вперёд →", "Next →")}</button>
        </nav>
    }
}

#[component]
pub fn ErrorNotice(error: AppError) -> impl IntoView {
    view! { <p class="error" role="alert">{error.message(use_lang())}</p> }
}

/// Switches the interface language: a plain link to the server, which remembers the
/// choice and brings the person back to the same page, so it works before the wasm.
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let location = leptos_router::hooks::use_location();
    let other = match use_lang() {
        crate::i18n::Lang::Ru => crate::i18n::Lang::En,
        crate::i18n::Lang::En => crate::i18n::Lang::Ru,
    };
    let href = move || {
        let search = location.search.get();
        let back = if search.is_empty() {
            location.pathname.get()
        } else {
            format!("{}?{search}", location.pathname.get())
        };
        format!(
            "/lang/{}?back={}",
            other.as_str(),
            crate::domain::lang::encode_query_value(&back)
        )
    };
    let (label, lang) = match other {
        crate::i18n::Lang::En => ("English", "en"),
        crate::i18n::Lang::Ru => ("Русский", "ru"),
    };
    view! { <a class="language-switch" href=href rel="external" hreflang=lang lang=lang>{label}</a> }
}

/// One-time credentials, shown once and printable to hand over on paper: only the
/// password's hash is stored, so this is the one chance to read it.
#[component]
pub fn CredentialsSlip(
    title: &'static str,
    full_name: String,
    login: String,
    one_time_password: String,
    /// Who must change the password at the first sign-in, as a sentence.
    note: &'static str,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    view! {
        <section class="card credentials" aria-live="polite">
            <h2>{title}</h2>
            <p>{full_name}</p>
            <dl>
                <dt>{t("Логин", "Login")}</dt>
                <dd class="new-login">{login}</dd>
                <dt>{t("Одноразовый пароль", "One-time password")}</dt>
                <dd class="one-time-password">{one_time_password}</dd>
            </dl>
            <p class="muted">{note}</p>
            <button type="button" class="secondary" data-action="print">{t("Распечатать", "Print")}</button>
            {children.map(|c| view! { " " {c()} })}
        </section>
    }
}

/// Bumped by any form of a page that saved something: the page's list is read again.
#[derive(Clone, Copy)]
pub struct Changed(pub RwSignal<u32>);

pub fn refresh_on_success<S>(action: ServerAction<S>)
where
    S: ServerFn + Send + Sync + Clone + 'static,
    S::Output: Send + Sync + 'static,
    S::Error: Send + Sync + 'static,
{
    let Changed(changed) = expect_context::<Changed>();
    Effect::new(move |_| {
        if action.value().with(|v| matches!(v, Some(Ok(_)))) {
            changed.update(|n| *n += 1);
        }
    });
}

/// The last error of one form, whatever field it names: the forms here are small.
pub fn form_error<S>(action: ServerAction<S>, id: String) -> impl IntoView
where
    S: ServerFn<Error = AppError> + Send + Sync + Clone + 'static,
    S::Output: Send + Sync + Clone + 'static,
{
    let lang = use_lang();
    move || {
        action.value().get().and_then(Result::err).map(|e| {
            view! { <p class="error" role="alert" id=id.clone()>{e.message(lang)}</p> }
        })
    }
}

/// Whether a row's text answers an in-page search: every word of the query occurs in
/// it, without regard to case or «ё». Small reference books come whole to the page, so
/// their search needs no server round trip.
pub fn matches_words(haystack: &str, query: &str) -> bool {
    let key = |s: &str| s.to_lowercase().replace('ё', "е");
    let haystack = key(haystack);
    key(query)
        .split_whitespace()
        .all(|word| haystack.contains(word))
}

/// The text typed into a page's in-page search box.
#[derive(Clone, Copy)]
pub struct InPageSearch(pub RwSignal<String>);

#[cfg(test)]
mod tests {
    use super::matches_words;

    #[test]
    fn every_word_must_occur_whatever_the_case_or_yo() {
        assert!(matches_words("Групповая 3 Солнышко", ""));
        assert!(matches_words("Групповая 3 Солнышко", "солн 3"));
        assert!(matches_words("Зал ёлочки", "ЕЛОЧ"));
        assert!(!matches_words("Групповая 3 Солнышко", "солн 4"));
    }
}
