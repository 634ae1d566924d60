//! `cargo xtask systemd-e2e`: proves setup-docker's systemd path on a real systemd host (a
//! Debian container booting systemd), package reinstall and revert included (issue 6).

mod boot;
mod host;
mod recipe;
mod rootfs;
mod scenario;
mod static_xtask;

use std::collections::HashMap;
use std::fmt;
use std::os::unix::fs::MetadataExt;
use std::panic::AssertUnwindSafe;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use futures_util::FutureExt;

use self::host::Host;
use self::recipe::{DEFAULT_MIRROR, RECIPE, XTASK_DIR, XTASK_NAME};
use self::scenario::{Scenario, Step};
use crate::engine;
use crate::exit::{Code, Failure};

/// Flags of `cargo xtask systemd-e2e`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// What to run inside the systemd host.
    #[arg(long, value_enum, default_value_t = Scenario::SetupDocker)]
    pub scenario: Scenario,
    /// Debian mirror for debootstrap (used only when the image must be built).
    #[arg(long, env = "CRATON_DEBIAN_MIRROR", default_value = DEFAULT_MIRROR)]
    pub mirror: String,
    /// Seconds to wait for systemd in the container to reach `running` or `degraded`.
    #[arg(long, default_value_t = 120)]
    pub boot_timeout: u64,
    /// Build the image even when it is cached (to pick up Debian's updates); the old one is
    /// removed once the new one is in.
    #[arg(long)]
    pub rebuild: bool,
}

impl Default for Args {
    /// What `cargo xtask systemd-e2e` without flags does (`cargo xtask test` runs this).
    fn default() -> Self {
        use clap::{Args as _, FromArgMatches};
        let command = Self::augment_args(clap::Command::new("systemd-e2e"));
        let matches = command.get_matches_from(["systemd-e2e"]);
        Self::from_arg_matches(&matches).unwrap_or_else(|err| err.exit())
    }
}

/// Longest any one scenario command may take (setup-docker restarts the daemon, dpkg -i
/// reinstalls it).
const STEP_TIMEOUT: Duration = Duration::from_secs(180);

/// Why the test did not run: printed as `skipped: ...`, and the command exits 0.
#[derive(Debug)]
pub struct Skipped(pub String);

impl fmt::Display for Skipped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Skipped {}

pub fn run(root: &Path, args: Args) -> Result<()> {
    let mut timings = Timings::default();
    let started = Instant::now();
    let uid = std::fs::metadata("/proc/self")
        .context("reading /proc/self")?
        .uid();
    let result = if uid != 0 {
        Err(Skipped(format!(
            "systemd-e2e needs root (debootstrap, a container with SYS_ADMIN); running as uid {uid}"
        ))
        .into())
    } else {
        tokio::runtime::Runtime::new()
            .context("starting the async runtime")?
            .block_on(run_as_root(root, &args, &mut timings))
    };
    timings.add("total", started.elapsed());
    match result {
        Err(err) if err.downcast_ref::<Skipped>().is_some() => {
            println!("skipped: {err}");
            Ok(())
        }
        Err(err) => {
            timings.print();
            println!("systemd-e2e ({:?}): FAILED", args.scenario);
            Err(err)
        }
        Ok(()) => {
            timings.print();
            println!("systemd-e2e ({:?}): passed", args.scenario);
            Ok(())
        }
    }
}

async fn run_as_root(root: &Path, args: &Args, timings: &mut Timings) -> Result<()> {
    let docker = timings.measure("engine connect", engine::connect()).await?;
    host::remove_leftovers(&docker).await?;

    let image = RECIPE.image_name();
    eprintln!("==> image {image}");
    let plan = rootfs::plan(&docker, &RECIPE, args.rebuild).await?;
    // The static build (CPU) and debootstrap (network, dpkg) overlap well.
    let build_root = root.to_path_buf();
    let static_build = tokio::task::spawn_blocking(move || {
        let started = Instant::now();
        static_xtask::build(&build_root).map(|path| (path, started.elapsed()))
    });
    let image_result = match plan {
        rootfs::Plan::Cached => {
            eprintln!("    cached: reusing it");
            timings.add("image (cached)", Duration::ZERO);
            Ok(())
        }
        rootfs::Plan::Build {
            debootstrap,
            replaces,
        } => {
            let work_dir = root.join("target").join("systemd-e2e");
            let replaces = replaces.as_deref();
            rootfs::build(
                &docker,
                &debootstrap,
                replaces,
                &work_dir,
                &RECIPE,
                &args.mirror,
            )
            .await
            .map(|built| {
                timings.add("image: debootstrap", built.debootstrap);
                timings.add("image: import", built.import);
            })
        }
    };
    let built = static_build
        .await
        .context("the static build's thread panicked")?;
    image_result?;
    let (binary, build_time) = built?;
    timings.add("static xtask build", build_time);
    rootfs::check_not_dangling(&docker, &RECIPE).await?;
    eprintln!("    tagged and labelled: clean-dangling leaves it alone");

    eprintln!("==> systemd host from {image}");
    let host = timings
        .measure("container create", Host::create(&docker, &image))
        .await?;
    let exercised = AssertUnwindSafe(exercise(&host, &binary, args, timings)).catch_unwind();
    let exercised = tokio::select! {
        exercised = exercised => exercised,
        _ = tokio::signal::ctrl_c() => Ok(Err(Failure::new(Code::Interrupted, "interrupted").into())),
    };
    let failed = !matches!(exercised, Ok(Ok(())));
    let interrupted = matches!(&exercised, Ok(Err(err)) if crate::exit::failure_of(err).is_some_and(|f| f.code == Code::Interrupted));
    if failed && !interrupted {
        print_docker_journal(&host).await;
    }
    let started = Instant::now();
    let removed = host.remove().await;
    timings.add("container remove", started.elapsed());
    match (exercised, removed) {
        (Ok(Ok(())), removed) => removed,
        (exercised, Err(not_removed)) => {
            // Say so here: the error that ends the run is the earlier one.
            eprintln!("error: {not_removed:#}");
            match exercised {
                Err(panic) => std::panic::resume_unwind(panic),
                Ok(result) => result,
            }
        }
        (Err(panic), Ok(())) => std::panic::resume_unwind(panic),
        (Ok(result), Ok(())) => result,
    }
}

/// Everything that happens while the container exists; the caller removes it afterwards.
async fn exercise(host: &Host, binary: &Path, args: &Args, timings: &mut Timings) -> Result<()> {
    timings.measure("container start", host.start()).await?;
    let content = std::fs::read(binary).with_context(|| format!("reading {}", binary.display()))?;
    timings
        .measure(
            "upload static xtask",
            host.upload(XTASK_DIR, XTASK_NAME, &content, 0o755),
        )
        .await?;
    eprintln!(
        "    uploaded {} ({} MB) as {XTASK_DIR}/{XTASK_NAME}",
        binary.display(),
        content.len() / 1_000_000
    );
    let state = timings
        .measure(
            "systemd boot",
            host.wait_for_systemd(Duration::from_secs(args.boot_timeout)),
        )
        .await?;
    eprintln!("    systemd is {state}");
    if state == "degraded" {
        let failed = ["systemctl", "--failed", "--no-legend", "--plain"].map(String::from);
        if let Ok(outcome) = host.exec(&failed, STEP_TIMEOUT).await {
            eprintln!("    failed units (the scenario checks the ones it needs):");
            print_indented(&outcome.stdout);
        }
    }
    eprintln!("==> scenario {:?}", args.scenario);
    let started = Instant::now();
    let result = run_steps(host, &scenario::steps(args.scenario)).await;
    timings.add("scenario", started.elapsed());
    result
}

async fn run_steps(host: &Host, steps: &[Step]) -> Result<()> {
    let mut recorded: HashMap<&str, String> = HashMap::new();
    for (index, step) in steps.iter().enumerate() {
        let number = format!("[{:2}/{}]", index + 1, steps.len());
        let started = Instant::now();
        let outcome = host.exec(&step.argv, STEP_TIMEOUT).await;
        let elapsed = started.elapsed().as_secs_f64();
        let outcome = match outcome {
            Ok(outcome) => outcome,
            Err(err) => {
                println!("  {number} FAIL {elapsed:5.1}s  {}", step.title);
                println!("           command: {}", step.argv.join(" "));
                return Err(err.context(format!("step {:?}", step.title)));
            }
        };
        let problems = step.judge(&outcome, &recorded);
        if problems.is_empty() {
            println!("  {number} ok   {elapsed:5.1}s  {}", step.title);
            if step.show_output {
                print_indented(&outcome.stdout);
                print_indented(&outcome.stderr);
            }
        } else {
            println!("  {number} FAIL {elapsed:5.1}s  {}", step.title);
            println!("           command: {}", step.argv.join(" "));
            for problem in &problems {
                println!("           {problem}");
            }
            println!("           stdout:");
            print_indented(&outcome.stdout);
            println!("           stderr:");
            print_indented(&outcome.stderr);
            return Err(Failure::new(
                Code::TestsFailed,
                format!(
                    "systemd-e2e step {:?} failed: {}",
                    step.title,
                    problems.join("; ")
                ),
            )
            .hint(
                "the docker units' journal is printed above; rerun with `cargo xtask systemd-e2e`",
            )
            .into());
        }
        if let Some(name) = step.record {
            recorded.insert(name, outcome.stdout.trim().to_string());
        }
    }
    Ok(())
}

/// The journal of the docker units: what a failing step needs to be understood.
async fn print_docker_journal(host: &Host) {
    let argv = [
        "journalctl",
        "--no-pager",
        "--unit=docker.socket",
        "--unit=docker.service",
        "--lines=200",
    ]
    .map(String::from);
    eprintln!(
        "==> journalctl -u docker.socket -u docker.service (in {})",
        host.name
    );
    match host.exec(&argv, Duration::from_secs(30)).await {
        Ok(outcome) => {
            print_indented(&outcome.stdout);
            print_indented(&outcome.stderr);
        }
        Err(err) => eprintln!("    (could not read the journal: {err:#})"),
    }
}

fn print_indented(text: &str) {
    for line in text.lines() {
        println!("           | {line}");
    }
}

/// How long each phase took, printed at the end of a run that got past the skip checks.
#[derive(Debug, Default)]
struct Timings(Vec<(String, Duration)>);

impl Timings {
    fn add(&mut self, phase: &str, took: Duration) {
        self.0.push((phase.to_string(), took));
    }

    async fn measure<T>(&mut self, phase: &str, work: impl Future<Output = T>) -> T {
        let started = Instant::now();
        let result = work.await;
        self.add(phase, started.elapsed());
        result
    }

    fn print(&self) {
        println!("  timings:");
        for (phase, took) in &self.0 {
            println!("    {phase:<22} {:>7.1}s", took.as_secs_f64());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_test_phase_runs_the_setup_docker_scenario_with_the_documented_defaults() {
        let args = Args::default();
        assert_eq!(args.scenario, Scenario::SetupDocker);
        assert_eq!(args.boot_timeout, 120);
        assert!(!args.rebuild);
        if std::env::var_os("CRATON_DEBIAN_MIRROR").is_none() {
            assert_eq!(args.mirror, DEFAULT_MIRROR);
        }
    }
}
