//! The municipality's fee flags: for each regional reason, whether an absence with it
//! is excused and whether the parents still pay for the day, in the municipality's
//! kindergartens (an organisation's own row of a reason still overrides them).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::components::{form_error, refresh_on_success, Changed, ErrorNotice, Gate};
use crate::domain::Role;
use crate::error::AppError;
use crate::i18n::{t, use_lang};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MunicipalReasonRow {
    pub code: String,
    pub name_ru: String,
    pub name_en: String,
    /// The region's flags.
    pub regional_excused: bool,
    pub regional_charged: bool,
    /// The flags in force in the municipality.
    pub excused: bool,
    pub charged: bool,
    /// The municipality has set the flags itself.
    pub set_here: bool,
}

#[server(prefix = "/api", endpoint = "municipal_reasons")]
pub async fn load_municipal_reasons() -> Result<Vec<MunicipalReasonRow>, AppError> {
    crate::state::with_actor(|db, actor| async move { repo::municipal_reasons(&db, &actor).await })
        .await
}

/// Sets the municipality's flags of a regional reason; `reset` goes back to the
/// region's. Checkboxes arrive as `Some("on")` when ticked.
#[server(prefix = "/api", endpoint = "set_municipal_reason_flags")]
pub async fn set_municipal_reason_flags(
    code: String,
    excused: Option<String>,
    charged: Option<String>,
    reset: Option<String>,
) -> Result<(), AppError> {
    crate::state::with_actor(|db, actor| async move {
        let flags = reset
            .is_none()
            .then_some((excused.is_some(), charged.is_some()));
        repo::set_municipal_reason_flags(&db, &actor, &code, flags).await
    })
    .await
}

#[cfg(feature = "ssr")]
pub mod repo {
    use super::MunicipalReasonRow;
    use crate::clock::now_millis;
    use crate::db::Db;
    use crate::domain::fee_flags::{self, FlagSource};
    use crate::domain::Actor;
    use crate::error::AppError;
    use crate::municipal::repo::own_municipality;
    use crate::reference::repo::{municipal_flags, regional_reasons};

    pub async fn municipal_reasons(
        db: &Db,
        actor: &Actor,
    ) -> Result<Vec<MunicipalReasonRow>, AppError> {
        let municipality_id = own_municipality(actor)?;
        let regional = regional_reasons(db).await?;
        let flags = municipal_flags(db, municipality_id).await?;
        let in_force = fee_flags::resolve(&regional, &flags, &[]);
        Ok(regional
            .into_iter()
            .zip(in_force)
            .map(|(r, (now, source))| MunicipalReasonRow {
                excused: now.excused,
                charged: now.charged,
                set_here: source == FlagSource::Municipality,
                regional_excused: r.excused,
                regional_charged: r.charged,
                code: r.code,
                name_ru: r.name_ru,
                name_en: r.name_en,
            })
            .collect())
    }

    /// `None` clears the municipality's flags of the reason.
    pub async fn set_municipal_reason_flags(
        db: &Db,
        actor: &Actor,
        code: &str,
        flags: Option<(bool, bool)>,
    ) -> Result<(), AppError> {
        let municipality_id = own_municipality(actor)?;
        let code = code.trim();
        if !regional_reasons(db).await?.iter().any(|r| r.code == code) {
            return Err(AppError::not_found(
                "Такой причины нет в региональном справочнике.",
                "There is no such reason in the regional reference book.",
            ));
        }
        let mut tx = db.begin_write().await?;
        sqlx::query("DELETE FROM municipal_reason_flags WHERE municipality_id = $1 AND code = $2")
            .bind(municipality_id)
            .bind(code)
            .execute(&mut *tx)
            .await?;
        if let Some((excused, charged)) = flags {
            sqlx::query(
                "INSERT INTO municipal_reason_flags (municipality_id, code, excused, charged, updated_by, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(municipality_id)
            .bind(code)
            .bind(i64::from(excused))
            .bind(i64::from(charged))
            .bind(actor.person_id)
            .bind(now_millis())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        tracing::info!(
            municipality_id,
            code,
            ?flags,
            by = actor.person_id,
            "municipal reason flags set"
        );
        Ok(())
    }
}

#[component]
pub fn MunicipalReasonsPage() -> impl IntoView {
    view! { <Gate roles=&[Role::Municipal] page=|_| view! { <Reasons/> }/> }
}

#[component]
fn Reasons() -> impl IntoView {
    let changed = RwSignal::new(0_u32);
    provide_context(Changed(changed));
    let rows = Resource::new(move || changed.get(), |_| load_municipal_reasons());
    view! {
        <h1>{t("Освобождение от родительской платы", "Parental fee exemptions")}</h1>
        <p class="muted">{t(
            "Для каждой причины отсутствия из регионального справочника: засчитывается ли она как уважительная и оплачивают ли родители такой день — в организациях муниципалитета. Организация может изменить правило для себя.",
            "For each absence reason of the regional book: whether it counts as excused and whether the parents pay for such a day, in the municipality's organisations. An organisation may change the rule for itself.",
        )}</p>
        <Transition fallback=|| view! { <p class="muted">{t("Загрузка…", "Loading…")}</p> }>
            {move || Suspend::new(async move {
                match rows.await {
                    Ok(rows) => view! {
                        <table class="reasons municipal-reasons">
                            <thead><tr>
                                <th scope="col">{t("Код", "Code")}</th>
                                <th scope="col">{t("Причина", "Reason")}</th>
                                <th scope="col">{t("Правило муниципалитета", "The municipality's rule")}</th>
                                <th scope="col">{t("По региону", "Regional")}</th>
                            </tr></thead>
                            <tbody>{rows.into_iter().map(|row| view! { <ReasonFlags row/> }).collect_view()}</tbody>
                        </table>
                    }.into_any(),
                    Err(error) => view! { <ErrorNotice error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn ReasonFlags(row: MunicipalReasonRow) -> impl IntoView {
    let lang = use_lang();
    let save = ServerAction::<SetMunicipalReasonFlags>::new();
    refresh_on_success(save);
    let yes_no = move |b: bool| {
        if b {
            lang.pick("да", "yes")
        } else {
            lang.pick("нет", "no")
        }
    };
    let MunicipalReasonRow {
        code,
        name_ru,
        name_en,
        regional_excused,
        regional_charged,
        excused,
        charged,
        set_here,
    } = row;
    let name = lang.pick(&name_ru, &name_en).to_owned();
    let (excused_id, charged_id) = (format!("excused-{code}"), format!("charged-{code}"));
    let save_label = format!(
        "{} {code}",
        lang.pick("Сохранить правило", "Save the rule for")
    );
    let reset_label = format!(
        "{} {code}",
        lang.pick("Как в регионе:", "As in the region:")
    );
    let error_id = format!("flags-error-{code}");
    let (excused_for, charged_for) = (excused_id.clone(), charged_id.clone());
    let (row_code, code_cell, code_field) = (code.clone(), code.clone(), code);
    let regional = format!(
        "{}: {}, {}: {}",
        lang.pick("уважительная", "excused"),
        yes_no(regional_excused),
        lang.pick("оплачивается", "charged"),
        yes_no(regional_charged)
    );
    view! {
        <tr class="reason" data-code=row_code class:set-here=set_here>
            <td class="code">{code_cell}</td>
            <th scope="row">{name.clone()}</th>
            <td>
                <ActionForm action=save attr:class="flags-form">
                    <input type="hidden" name="code" value=code_field/>
                    <label for=excused_for><input type="checkbox" id=excused_id name="excused" checked=excused/>" "{t("уважительная", "excused")}</label>
                    " "
                    <label for=charged_for><input type="checkbox" id=charged_id name="charged" checked=charged/>" "{t("оплачивается", "charged")}</label>
                    " "
                    <button type="submit" class="secondary" aria-label=save_label>{t("Сохранить", "Save")}</button>
                    {set_here.then(|| view! {
                        <button type="submit" name="reset" value="on" class="secondary" aria-label=reset_label>{t("Как в регионе", "As in the region")}</button>
                    })}
                    {form_error(save, error_id)}
                </ActionForm>
            </td>
            <td class="muted regional">{regional}</td>
        </tr>
    }
}
