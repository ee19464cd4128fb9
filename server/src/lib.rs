//! The Tabel server: configuration, database, HTTP routes and background work.

pub mod backup;
pub mod cli;
pub mod configuration;
pub mod demo;
pub mod exports;
pub mod language;
pub mod mailer;
pub mod metrics;
pub mod offline;
pub mod region;
pub mod region_cli;
pub mod security_headers;
pub mod serve;
pub mod sso;
pub mod startup;
pub mod telemetry;
pub mod workers;
