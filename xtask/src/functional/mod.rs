//! `cargo xtask functional`: build the image under test, run the functional suite with a fresh
//! container per test, and leave nothing behind on the engine, whatever happens.

mod cleanup;
mod image;
mod outcome;
mod plan;
mod runner;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use bollard::Docker;
use testbed::{Owner, Partition};
use tokio::sync::watch;

use self::outcome::{Counts, Summary};
use self::plan::{Runner, TestPlan};
use crate::engine;
use crate::exit::{Code, Failure};

/// Flags of `cargo xtask functional`.
#[derive(Debug, Default, clap::Args)]
pub struct Args {
    /// Test this image instead of building one (it is never removed).
    #[arg(long, value_name = "REF")]
    image: Option<String>,
    /// Keep the image this run built.
    #[arg(long)]
    keep_image: bool,
    /// Build the image without the engine's layer cache.
    #[arg(long)]
    no_cache: bool,
    /// Tests run at once [default: 2 × cores + 2: containers wait on I/O, not on a core].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    jobs: Option<u16>,
    /// Write a JUnit report here (needs cargo-nextest).
    #[arg(long, value_name = "PATH")]
    junit: Option<PathBuf>,
    /// Save failed tests' container logs here [default: target/functional/<run>/logs].
    #[arg(long, value_name = "DIR")]
    logs_dir: Option<PathBuf>,
    /// Containers kept started ahead of the tests (each still used by one test only), so a
    /// test rarely waits for an engine start; 0 starts one per test when the test begins
    /// [default: as many as --jobs].
    #[arg(long, value_name = "N")]
    warm: Option<usize>,
    /// Run share K of N (1 <= K <= N): N machines with 1/N .. N/N run each test once.
    #[arg(long, value_name = "K/N")]
    partition: Option<Partition>,
    /// Run only tests whose name contains one of these.
    #[arg(last = true, value_name = "FILTER")]
    filters: Vec<String>,
}

pub fn run(root: &Path, args: Args) -> Result<()> {
    // 1. The engine: setup-docker runs first when it is unreachable and needs no password.
    crate::setup_docker::ensure_engine()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let result = runtime.block_on(functional(root, args));
    // An interrupted image build leaves cargo's blocking task behind: do not wait for it.
    runtime.shutdown_background();
    result
}

async fn functional(root: &Path, args: Args) -> Result<()> {
    let runner = if which::which("cargo-nextest").is_ok() {
        Runner::Nextest
    } else {
        Runner::CargoTest
    };
    if runner == Runner::CargoTest && args.junit.is_some() {
        return Err(Failure::new(
            Code::BadInput,
            "--junit needs cargo-nextest, which is not installed",
        )
        .hint("cargo install cargo-nextest --locked (or run without --junit)")
        .into());
    }
    if runner == Runner::CargoTest && args.filters.len() > 1 {
        return Err(Failure::new(
            Code::BadInput,
            "cargo test takes one filter, and cargo-nextest (which takes several) is not installed",
        )
        .hint("give one filter, or cargo install cargo-nextest --locked")
        .into());
    }
    let interrupt = watch_interrupts()?;

    let docker = engine::connect().await?;
    let swept = cleanup::before_run(&docker).await;
    if !swept.is_empty() {
        eprintln!("==> {swept}");
    }

    let run = testbed::random_hex(4);
    let target_dir = target_dir(root);
    let run_dir = target_dir.join("functional").join(&run);
    let built_tag = args.image.is_none().then(|| plan::image_tag(&run));
    let image_ref = args
        .image
        .clone()
        .or_else(|| built_tag.clone())
        .unwrap_or_default();
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let test_plan = TestPlan {
        runner,
        jobs: args.jobs.map_or(plan::default_jobs(cores), usize::from),
        partition: args.partition,
        filters: args.filters.clone(),
        image: image_ref.clone(),
        run: run.clone(),
        owner: Owner::this_process().to_string(),
        logs_dir: args
            .logs_dir
            .clone()
            .unwrap_or_else(|| run_dir.join("logs")),
        timings_file: run_dir.join("timings.tsv"),
        spool_dir: None,
    };
    let mut summary = Summary {
        run: run.clone(),
        image: image_ref.clone(),
        jobs: test_plan.jobs,
        ..Summary::default()
    };

    // 2 and 3, stopped by the first failure or interrupt.
    let mut build_failed = false;
    let result = build_and_test(
        &docker,
        root,
        &args,
        &test_plan,
        &mut summary,
        &mut build_failed,
        interrupt,
    )
    .await;

    // 4. Always.
    let started = Instant::now();
    let remove_tag = if args.keep_image {
        None
    } else {
        built_tag.as_deref()
    };
    let cleaned = cleanup::after_run(&docker, &run, remove_tag, build_failed).await;
    summary.cleanup = started.elapsed();
    summary.removed = cleaned.describe();
    let timings = std::fs::read_to_string(&test_plan.timings_file).unwrap_or_default();
    summary.ready = testbed::median_ready_time(&timings);
    summary.wait = testbed::median_wait(&timings);
    if summary.counts.is_some_and(|c| c.failed > 0) && test_plan.logs_dir.is_dir() {
        summary.logs = Some(test_plan.logs_dir.display().to_string());
    }

    // 5.
    println!("{}", summary.render());
    for failure in &cleaned.failures {
        eprintln!("clean-up: {failure}");
    }
    result?;
    if !cleaned.failures.is_empty() {
        return Err(Failure::new(
            Code::CleanupFailed,
            format!(
                "{} objects of run {run} could not be removed",
                cleaned.failures.len()
            ),
        )
        .hint("the next `cargo xtask functional` sweeps them; see the messages above")
        .into());
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn build_and_test(
    docker: &Docker,
    root: &Path,
    args: &Args,
    test_plan: &TestPlan,
    summary: &mut Summary,
    build_failed: &mut bool,
    mut interrupt: watch::Receiver<bool>,
) -> Result<()> {
    // 2. The image (unless given), then the test binary.
    let started = Instant::now();
    if let Some(given) = &args.image {
        docker.inspect_image(given).await.map_err(|err| {
            Failure::new(
                Code::BadInput,
                format!("no image {given} on the engine: {err}"),
            )
            .hint("build one with `cargo xtask build-image`, or drop --image")
        })?;
    } else {
        eprintln!("==> building {}", test_plan.image);
        let build = image::build(
            docker,
            root,
            &test_plan.image,
            &test_plan.run,
            args.no_cache,
        );
        let built = tokio::select! {
            built = build => built,
            _ = interrupt.wait_for(|i| *i) => {
                return Err(Failure::new(Code::Interrupted, "interrupted; cleaned up").into());
            }
        };
        if let Err(err) = built {
            *build_failed = true;
            return Err(err);
        }
    }
    // The pool warms up while the tests compile.
    let warm = args.warm.unwrap_or(test_plan.jobs);
    let mut test_plan = test_plan.clone();
    let keeper = if warm > 0 {
        let spool_dir = test_plan.timings_file.with_file_name("spool");
        let spool = testbed::spool::Spool::open(&spool_dir)?;
        test_plan.spool_dir = Some(spool_dir);
        let spec = testbed::pool::PoolSpec {
            image: test_plan.image.clone(),
            run: test_plan.run.clone(),
            owner: test_plan.owner.clone(),
            size: warm,
            ready_timeout: Duration::from_secs(60),
            timings_file: Some(test_plan.timings_file.clone()),
        };
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(testbed::pool::keep(docker.clone(), spec, spool, stopped));
        Some((stop, task))
    } else {
        None
    };
    summary.warm = warm;
    let result = compile_and_test(root, args, &test_plan, summary, started, interrupt).await;
    if let Some((stop, task)) = keeper {
        let _ = stop.send(true);
        if let Ok(stats) = task.await {
            summary.pool = Some(stats);
        }
    }
    result
}

async fn compile_and_test(
    root: &Path,
    args: &Args,
    test_plan: &TestPlan,
    summary: &mut Summary,
    started: Instant,
    interrupt: watch::Receiver<bool>,
) -> Result<()> {
    let interrupted = || Failure::new(Code::Interrupted, "interrupted; cleaned up");
    eprintln!("==> compiling the functional tests");
    let compiled = runner::compile(root, test_plan, interrupt.clone()).await?;
    if compiled.interrupted {
        return Err(interrupted().into());
    }
    if !compiled.status.success() {
        return Err(Failure::new(Code::BuildFailed, "the functional tests do not compile").into());
    }
    summary.build = Some(started.elapsed());

    // 3. The tests.
    eprintln!(
        "==> running the functional tests ({} jobs{})",
        test_plan.jobs,
        test_plan
            .partition
            .map_or(String::new(), |p| format!(", share {p}"))
    );
    if let Some(dir) = test_plan.timings_file.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let junit_written = plan::nextest_junit(&target_dir(root));
    let _ = std::fs::remove_file(&junit_written);
    let started = Instant::now();
    let finished = runner::run(root, test_plan, interrupt).await?;
    summary.tests = Some(started.elapsed());
    summary.counts = match test_plan.runner {
        Runner::Nextest => std::fs::read_to_string(&junit_written)
            .ok()
            .and_then(|xml| outcome::from_junit(&xml)),
        Runner::CargoTest => finished.counts,
    };
    if let Some(path) = &args.junit {
        copy_junit(&junit_written, path)?;
        summary.junit = Some(path.display().to_string());
    }
    if finished.interrupted {
        return Err(interrupted().into());
    }
    match summary.counts {
        Some(Counts { failed, .. }) if failed > 0 => Err(Failure::new(
            Code::TestsFailed,
            format!("{failed} functional tests failed"),
        )
        .hint("their containers' logs are listed above; rerun one with `cargo xtask functional -- NAME`")
        .into()),
        _ if !finished.status.success() => Err(Failure::new(
            Code::TestsFailed,
            format!("the test runner failed ({})", finished.status),
        )
        .into()),
        _ => Ok(()),
    }
}

/// Ctrl-C and SIGTERM set the flag; xtask itself keeps running, to clean up.
fn watch_interrupts() -> Result<watch::Receiver<bool>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut int = signal(SignalKind::interrupt()).context("listening for Ctrl-C")?;
    let mut term = signal(SignalKind::terminate()).context("listening for SIGTERM")?;
    let (tx, rx) = watch::channel(false);
    tokio::spawn(async move {
        tokio::select! {
            _ = int.recv() => {}
            _ = term.recv() => {}
        }
        eprintln!("==> interrupted: stopping the tests and cleaning up");
        let _ = tx.send(true);
        // Later signals are absorbed: clean-up runs to its end.
        loop {
            tokio::select! {
                _ = int.recv() => {}
                _ = term.recv() => {}
            }
        }
    });
    Ok(rx)
}

fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
}

fn copy_junit(written: &Path, wanted: &Path) -> Result<()> {
    if let Some(dir) = wanted.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    std::fs::copy(written, wanted)
        .map(|_| ())
        .with_context(|| format!("copying the JUnit report to {}", wanted.display()))
}
