//! `cargo xtask test`: everything CI checks, in the order that fails fastest.

use std::path::Path;

use anyhow::Result;
use xshell::{Shell, cmd};

use crate::exit::{Code, Failure};

/// Flags of `cargo xtask test`.
#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(root: &Path, _args: Args) -> Result<()> {
    let sh = Shell::new()?;
    sh.change_dir(root);
    step("cargo fmt --check", || {
        cmd!(sh, "cargo fmt --all -- --check").run()
    })?;
    step("cargo clippy", || {
        cmd!(sh, "cargo clippy --workspace --all-targets -- -D warnings").run()
    })?;
    step("cargo test", || cmd!(sh, "cargo test --workspace").run())?;
    step("image engine tests", || {
        cmd!(
            sh,
            "cargo test --package xtask --test image_engine -- --ignored"
        )
        .run()
    })?;
    Ok(())
}

/// Runs one phase and names it when it fails, so the last line says what to fix.
fn step(name: &str, body: impl FnOnce() -> xshell::Result<()>) -> Result<()> {
    eprintln!("==> {name}");
    body().map_err(|err| Failure::new(Code::CheckFailed, format!("{name} failed: {err}")).into())
}
