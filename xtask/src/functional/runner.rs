//! Running cargo for the test phase: compile the suite, then run it, streaming its output,
//! counting results, and passing an interrupt on to the whole test process group.
//!
//! The runner gets a process group of its own so that an interrupt delivered to xtask alone (a
//! CI timeout's `kill -INT`) reaches cargo, nextest and every test process too. These children
//! are spawned with tokio rather than xshell because xtask must keep control while they run
//! (signals, streaming output).

use std::path::Path;
use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use anyhow::{Context, Result};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::watch;
use xshell::{Shell, cmd};

use super::outcome::{self, Counts};
use super::plan::{Runner, TestPlan};

/// How the test command ended.
#[derive(Debug)]
pub struct Finished {
    pub status: ExitStatus,
    pub interrupted: bool,
    /// Counted from libtest's output (cargo test); nextest's come from its JUnit report.
    pub counts: Option<Counts>,
}

fn command(root: &Path, plan: &TestPlan, args: &[String]) -> Command {
    let mut command = Command::new("cargo");
    command
        .args(args)
        .current_dir(root)
        .envs(plan.env())
        .process_group(0)
        .kill_on_drop(true);
    command
}

/// Compiles the test binary (so build time is not counted as test time).
pub async fn compile(
    root: &Path,
    plan: &TestPlan,
    interrupt: watch::Receiver<bool>,
) -> Result<Finished> {
    let child = command(root, plan, &plan.build_args())
        .spawn()
        .context("starting cargo to compile the functional tests")?;
    supervise(child, interrupt, None).await
}

/// Runs the tests.
pub async fn run(
    root: &Path,
    plan: &TestPlan,
    interrupt: watch::Receiver<bool>,
) -> Result<Finished> {
    let mut command = command(root, plan, &plan.run_args());
    if plan.runner == Runner::CargoTest {
        command.stdout(Stdio::piped());
    }
    let mut child = command
        .spawn()
        .context("starting cargo to run the functional tests")?;
    // libtest prints its result lines on stdout: copy it through and keep the counts.
    let counter = child.stdout.take().map(|stdout| {
        tokio::spawn(async move {
            let mut total: Option<Counts> = None;
            let mut lines = BufReader::new(stdout).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                println!("{line}");
                if let Some(c) = outcome::from_libtest_line(&line) {
                    let t = total.get_or_insert_with(Counts::default);
                    t.passed += c.passed;
                    t.failed += c.failed;
                }
            }
            total
        })
    });
    supervise(child, interrupt, counter).await
}

async fn supervise(
    mut child: Child,
    mut interrupt: watch::Receiver<bool>,
    counter: Option<tokio::task::JoinHandle<Option<Counts>>>,
) -> Result<Finished> {
    let mut interrupted = *interrupt.borrow();
    let status = if interrupted {
        stop(&mut child).await?
    } else {
        tokio::select! {
            status = child.wait() => status.context("waiting for cargo")?,
            _ = interrupt.wait_for(|i| *i) => {
                interrupted = true;
                stop(&mut child).await?
            }
        }
    };
    let counts = match counter {
        Some(task) => task.await.unwrap_or(None),
        None => None,
    };
    Ok(Finished {
        status,
        interrupted,
        counts,
    })
}

/// Interrupts the child's process group like a Ctrl-C would, then kills it if it lingers.
async fn stop(child: &mut Child) -> Result<ExitStatus> {
    if let Some(pid) = child.id() {
        let group = format!("-{pid}");
        if let Ok(sh) = Shell::new() {
            let _ = cmd!(sh, "kill -INT -- {group}")
                .quiet()
                .ignore_stderr()
                .run();
        }
    }
    match tokio::time::timeout(Duration::from_secs(15), child.wait()).await {
        Ok(status) => status.context("waiting for cargo to stop"),
        Err(_) => {
            child.start_kill().context("killing cargo")?;
            child.wait().await.context("waiting for cargo to die")
        }
    }
}
