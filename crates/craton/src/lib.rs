//! Craton: an inventory of servers for configuration management tools, modelled on OpenStack
//! Craton's API v1, served over HTTP from a SQLite database.

pub mod auth;
pub mod bootstrap;
pub mod cli;
pub mod domain;
pub mod error;
pub mod extract;
pub mod handlers;
pub mod http_client;
pub mod router;
pub mod server;
pub mod storage;
