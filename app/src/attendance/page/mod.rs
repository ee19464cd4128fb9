//! The attendance pages: daily marking ([`marking`], with its bridge to the browser's
//! offline queue in [`offline`]), the month's табель ([`timesheet`]) and the history of
//! one mark ([`history`]).

#[cfg(test)]
mod contract;
mod history;
mod marking;
mod offline;
mod timesheet;

pub use history::MarkHistoryPage;
pub use marking::MarkingPage;
pub use timesheet::TimesheetPage;

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// A route parameter, read reactively.
fn param(name: &'static str) -> impl Fn() -> Option<String> + Clone + Send + Sync + 'static {
    let params = use_params_map();
    move || params.read().get(name)
}
