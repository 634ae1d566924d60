//! `cargo xtask test`: everything CI checks, in the order that fails fastest: the checks that
//! need nothing but the toolchain first, then the ones that need Python tools, then Docker.

use std::path::Path;

use anyhow::Result;
use xshell::{Shell, cmd};

use crate::exit::{Code, Failure};

/// Flags of `cargo xtask test`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only what needs no Docker and no network: formatting, lints and unit tests
    /// (Zuul's craton-unit job).
    #[arg(long)]
    pub unit: bool,
}

pub fn run(root: &Path, args: Args) -> Result<()> {
    let sh = Shell::new()?;
    sh.change_dir(root);
    step("cargo fmt --check", Code::CheckFailed, || {
        cmd!(sh, "cargo fmt --all -- --check").run()
    })?;
    step("cargo clippy", Code::CheckFailed, || {
        cmd!(sh, "cargo clippy --workspace --all-targets -- -D warnings").run()
    })?;
    step(
        "cargo test (unit and in-process tests)",
        Code::TestsFailed,
        // The functional suite needs an image and an engine: engine_phases runs it.
        || cmd!(sh, "cargo test --workspace --exclude functional").run(),
    )?;
    if args.unit {
        return Ok(());
    }
    check_zuul_phase(&sh, root)?;
    engine_phases(&sh, root)?;
    Ok(())
}

/// zuul.yaml and its playbooks, then proof that the check rejects broken copies of them
/// (the ignored tests, which need the Python tools the first step installs).
fn check_zuul_phase(sh: &Shell, root: &Path) -> Result<()> {
    eprintln!("==> cargo xtask check-zuul");
    crate::check_zuul::run(root, crate::check_zuul::Args::default())?;
    step(
        "check-zuul rejects broken configurations",
        Code::TestsFailed,
        || {
            cmd!(
                sh,
                "cargo test --package xtask --bin xtask -- --ignored check_zuul::"
            )
            .run()
        },
    )
}

/// Everything that needs a Docker engine. setup-docker's end-to-end test restarts the daemon,
/// so it runs first and alone.
fn engine_phases(sh: &Shell, root: &Path) -> Result<()> {
    eprintln!("==> Docker engine reachable (runs setup-docker when it can act without a password)");
    crate::setup_docker::ensure_engine()?;
    step(
        "setup-docker end to end (restarts dockerd briefly when root)",
        Code::TestsFailed,
        || {
            cmd!(
                sh,
                "cargo test -p xtask --test setup_docker_e2e -- --ignored --test-threads=1"
            )
            .run()
        },
    )?;
    eprintln!("==> systemd-e2e (setup-docker on a systemd host; skips when not root)");
    crate::systemd_e2e::run(root, crate::systemd_e2e::Args::default())?;
    step("image engine tests", Code::TestsFailed, || {
        cmd!(
            sh,
            "cargo test --package xtask --test image_engine -- --ignored"
        )
        .run()
    })?;
    eprintln!("==> cargo xtask functional");
    crate::functional::run(root, crate::functional::Args::default())?;
    step(
        "cargo xtask bench --quick fills every row and leaves nothing behind",
        Code::TestsFailed,
        || {
            cmd!(
                sh,
                "cargo test --package xtask --bin xtask -- --ignored bench::"
            )
            .run()
        },
    )?;
    Ok(())
}

/// Runs one phase and names it when it fails, so the last line says what to fix.
fn step(name: &str, code: Code, body: impl FnOnce() -> xshell::Result<()>) -> Result<()> {
    eprintln!("==> {name}");
    body().map_err(|err| Failure::new(code, format!("{name} failed: {err}")).into())
}
