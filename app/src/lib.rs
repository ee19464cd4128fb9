#![recursion_limit = "256"]
//! Tabel: components, routes, server functions and the attendance domain,
//! shared between the server (feature `ssr`) and the hydrated client (`hydrate`).

pub mod attendance;
pub mod auth;
pub mod components;
pub mod contingent;
pub mod domain;
pub mod error;
pub mod family;
pub mod groups;
pub mod home;
pub mod i18n;
pub mod long_absences;
pub mod municipal;
pub mod notices;
pub mod orders;
pub mod premises;
pub mod reference;
pub mod registration;
mod shell;
pub mod staff;
pub mod sync;

#[cfg(feature = "ssr")]
pub mod access;
#[cfg(feature = "ssr")]
pub mod clock;
#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod enrolment;
#[cfg(feature = "ssr")]
pub mod export;
#[cfg(feature = "ssr")]
pub mod input;
#[cfg(feature = "ssr")]
pub mod marks;
#[cfg(feature = "ssr")]
pub mod metrics;
#[cfg(feature = "ssr")]
pub mod retention;
#[cfg(feature = "ssr")]
pub mod rows;
#[cfg(feature = "ssr")]
pub mod state;

pub use shell::{shell, App};
