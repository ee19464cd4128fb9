//! Small pieces of UI shared by the pages.

use leptos::prelude::*;
use leptos_router::components::Redirect;

use crate::auth::Me;
use crate::domain::Role;
use crate::error::AppError;

/// A labelled form field with the server's message for it, if the last error named it.
#[component]
pub fn Field(
    label: &'static str,
    name: &'static str,
    #[prop(into)] error: Signal<Option<AppError>>,
    children: Children,
) -> impl IntoView {
    let message = move || {
        error.get().and_then(|e| {
            e.for_field(name).map(|(ru, _)| {
                let ru = ru.to_owned();
                view! { <p class="field-error" role="alert" id=format!("{name}-error")>{ru}</p> }
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
    move || {
        error
            .get()
            .filter(|e| e.field.is_none() && e.details.is_empty())
            .map(|e| view! { <p class="error" role="alert">{e.ru}</p> })
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
    view! {
        <Transition fallback=|| view! { <p class="muted">"Загрузка…"</p> }>
            {
                let page = page.clone();
                move || {
                    let page = page.clone();
                    Suspend::new(async move {
                        match me.await {
                            Err(e) => view! { <p class="error" role="alert">{e.ru}</p> }.into_any(),
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
#[component]
pub fn ErrorNotice(error: AppError) -> impl IntoView {
    view! { <p class="error" role="alert">{error.ru}</p> }
}
