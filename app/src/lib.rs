//! Tabel: components, routes, server functions and the attendance domain,
//! shared between the server (feature `ssr`) and the hydrated client (`hydrate`).

pub mod domain;
pub mod error;
pub mod groups;
mod shell;

#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod state;

pub use shell::{shell, App};
