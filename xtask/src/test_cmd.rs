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
    check_zuul_phase(&sh, root)?;
    Ok(())
}

/// zuul.yaml and its playbooks, then proof that the check rejects broken copies of them
/// (the ignored tests, which need the Python tools the first step installs).
fn check_zuul_phase(sh: &Shell, root: &Path) -> Result<()> {
    eprintln!("==> cargo xtask check-zuul");
    crate::check_zuul::run(root, crate::check_zuul::Args::default())?;
    step("check-zuul rejects broken configurations", || {
        cmd!(sh, "cargo test --package xtask -- --ignored check_zuul::").run()
    })
}

/// Runs one phase and names it when it fails, so the last line says what to fix.
fn step(name: &str, body: impl FnOnce() -> xshell::Result<()>) -> Result<()> {
    eprintln!("==> {name}");
    body().map_err(|err| Failure::new(Code::CheckFailed, format!("{name} failed: {err}")).into())
}
