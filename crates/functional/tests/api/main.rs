//! Craton's API over HTTP (docs/api.md), each test against its own fresh container.

// A custom harness compiles without cfg(test), so clippy.toml's allow-unwrap-in-tests does not
// reach here; in a test a panic is the failure report.
#![allow(clippy::unwrap_used)]

mod auth;
mod bad_input;
mod clouds;
mod health;
mod hosts;
mod inventory;
mod isolation;
mod labels;
mod lifecycle;
mod lists;
mod networks;
mod projects;
mod regions;
mod restart;
mod variables;

fn main() -> std::process::ExitCode {
    functional::main([
        health::cases(),
        auth::cases(),
        projects::cases(),
        clouds::cases(),
        regions::cases(),
        hosts::cases(),
        networks::cases(),
        variables::cases(),
        labels::cases(),
        lists::cases(),
        inventory::cases(),
        isolation::cases(),
        bad_input::cases(),
        restart::cases(),
        lifecycle::cases(),
    ])
}
