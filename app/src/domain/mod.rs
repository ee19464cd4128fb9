//! Domain types: each validates on construction, so a value of the type is valid.

pub mod group;
pub mod message;

pub use group::{GroupName, GroupNameError};
pub use message::Bilingual;
