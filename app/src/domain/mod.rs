//! Domain types: each validates on construction, so a value of the type is valid.

pub mod analytics;
pub mod calendar;
pub mod contingent_import;
pub mod cookie;
pub mod credentials;
pub mod email;
pub mod enrolment;
pub mod fee_flags;
pub mod group;
pub mod inn;
pub mod kpp;
pub mod lang;
pub mod long_absence;
pub mod marking;
pub mod message;
pub mod notice;
pub mod permissions;
pub mod person_name;
pub mod planned_absence;
pub mod premises;
pub mod registration;
pub mod retention;
pub mod sign_off;
pub mod sync;
pub mod timesheet;

pub use group::{GroupName, GroupNameError};
pub use lang::Lang;
pub use message::Bilingual;
pub use permissions::{Actor, Denied, OutsideRole, Permission, Role};
