//! What the inventory is made of, independent of HTTP and SQL: kinds of objects, their
//! fields and validation, variables and their resolution, list parameters, the Ansible view.

pub mod accounts;
pub mod ansible;
pub mod input;
pub mod inventory;
pub mod kind;
pub mod listing;
pub mod validate;
pub mod variables;

pub use kind::Kind;
