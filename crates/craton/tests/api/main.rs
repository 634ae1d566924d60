//! In-process tests of the HTTP API: every endpoint and every error of docs/api.md, driven
//! through the router against an in-memory database. One test binary, a module per area.

mod support;

mod ansible;
mod auth;
mod bad_input;
mod bootstrap;
mod cells;
mod clouds;
mod health;
mod hosts;
mod isolation;
mod labels;
mod lists;
mod networks;
mod projects;
mod regions;
mod users;
mod variables;
