//! Integration tests: each spawns the real application on a free loopback port with a
//! fresh database, on SQLite and (when `TABEL_TEST_POSTGRES_URL` is set) PostgreSQL.

mod helpers;

mod attendance;
mod auth;
mod backup;
mod contingent;
mod drain;
mod family;
mod groups;
mod health_check;
mod language;
mod logs;
mod long_absences;
mod mail;
mod migration;
mod municipal;
mod notices;
mod orders;
mod outage;
mod pages;
mod permissions;
mod premises;
mod reference;
mod registration;
mod retention;
mod security;
mod staff;
mod sync;
mod timeouts;
