//! «Приказы»: the organisation admin's orders that admit, transfer, let leave and bring
//! back children, the yearly move-up of whole groups, and a child's enrolment history.
//! An order applies all its lines or none: a refused order names each child it could
//! not apply to and why, and writes nothing.

mod page;
#[cfg(feature = "ssr")]
pub mod repo;

pub use page::{EnrolmentHistory, MoveUpPage, OrderCardPage, OrdersPage};

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// An order as the form sends it. `children` are the ticked children's ids; `moves` are
/// `"from:to"` group pairs (the move-up screen), which take precedence over
/// `to_group_id` for the children of `from`. All text: a flattened form reaches serde
/// as strings, so numbers are parsed in `repo`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderForm {
    pub kind: String,
    pub number: String,
    pub issued_on: String,
    pub effective_on: String,
    #[serde(default)]
    pub to_group_id: Option<String>,
    #[serde(default)]
    pub comment: String,
    #[serde(default)]
    pub children: Vec<String>,
    #[serde(default)]
    pub moves: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedOrder {
    pub id: i64,
    pub number: String,
    pub children: usize,
}

/// One row of the orders list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderRow {
    pub id: i64,
    pub number: String,
    pub kind: String,
    pub issued_on: String,
    pub effective_on: String,
    pub children: i64,
    pub cancelled: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderPage {
    pub rows: Vec<OrderRow>,
    pub total: usize,
    pub page: usize,
    pub per_page: usize,
}

pub const PER_PAGE: usize = 25;

/// A child named by an order, with where it went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderLine {
    pub child_id: i64,
    pub child_name: String,
    pub from_group: Option<String>,
    pub to_group: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderCard {
    pub id: i64,
    pub organisation: String,
    pub number: String,
    pub kind: String,
    pub issued_on: String,
    pub effective_on: String,
    pub comment: String,
    pub issued_by: String,
    /// Who cancelled it and when (local date and time), once cancelled.
    pub cancelled: Option<(String, String)>,
    pub lines: Vec<OrderLine>,
}

/// A group to choose from, and the children an order of a kind can name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderChoices {
    pub groups: Vec<(i64, String)>,
    pub candidates: Vec<Candidate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidate {
    pub child_id: i64,
    pub name: String,
    pub group_id: i64,
    pub group: String,
    /// The last day in the group for a child who left (a return's candidates).
    pub left_on: Option<String>,
}

/// One period of a child's enrolment history, with the orders that opened and closed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryRow {
    pub group: String,
    pub from: String,
    pub to: Option<String>,
    /// (order id, number, kind)
    pub opened_by: Option<(i64, String, String)>,
    pub closed_by: Option<(i64, String, String)>,
}

#[server(prefix = "/api", endpoint = "issue_order")]
pub async fn issue_order(#[server(flatten)] form: OrderForm) -> Result<IssuedOrder, AppError> {
    crate::state::with_actor(|db, actor| async move { repo::issue(&db, &actor, &form).await }).await
}

#[server(prefix = "/api", endpoint = "cancel_order")]
pub async fn cancel_order(order_id: i64) -> Result<(), AppError> {
    crate::state::with_actor(|db, actor| async move { repo::cancel(&db, &actor, order_id).await })
        .await
}

/// A page of the organisation's orders: `kind` ("" for all), issue dates between
/// `from` and `to` (either may be empty), `query` matching the number or a child's name.
#[server(prefix = "/api", endpoint = "list_orders")]
pub async fn list_orders(
    kind: String,
    from: String,
    to: String,
    query: String,
    page: usize,
) -> Result<OrderPage, AppError> {
    crate::state::with_actor(|db, actor| async move {
        repo::list(&db, &actor, &kind, &from, &to, &query, page).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "load_order")]
pub async fn load_order(order_id: i64) -> Result<OrderCard, AppError> {
    crate::state::with_actor(|db, actor| async move { repo::card(&db, &actor, order_id).await })
        .await
}

/// The groups of the organisation, and the children an order of `kind` may name: the
/// children in `group_id` on `on` (transfer, leaving) or those who have left (return).
#[server(prefix = "/api", endpoint = "order_choices")]
pub async fn load_order_choices(
    kind: String,
    group_id: Option<i64>,
    on: String,
) -> Result<OrderChoices, AppError> {
    crate::state::with_actor(|db, actor| async move {
        repo::choices(&db, &actor, &kind, group_id, &on).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "child_history")]
pub async fn child_history(child_id: i64) -> Result<Vec<HistoryRow>, AppError> {
    crate::state::with_actor(
        |db, actor| async move { repo::child_history(&db, &actor, child_id).await },
    )
    .await
}
