//! `cargo xtask bench`: what users wait for (a ready test container, an image build, the
//! functional suite, removing dangling images), timed side by side with the usual way on the
//! same engine, as a Markdown table of medians and ratios (and JSON with `--json`).

mod builds;
mod cleanup;
mod containers;
mod dangling;
mod docker_cli;
mod floor;
mod machine;
mod plan;
mod pool_wait;
mod probe;
mod report;
#[cfg(test)]
mod smoke;
mod stats;
mod suite;

use std::collections::HashMap;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use bollard::Docker;

use self::cleanup::BENCH_LABEL;
use self::docker_cli::DockerCli;
use self::plan::{Samples, Section};
use self::report::{Report, Row};
use crate::build_image::{self, BuildOptions, Label, Style};
use crate::engine;
use crate::exit::{Code, Failure};

/// Flags of `cargo xtask bench`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct Args {
    /// Take few samples (3 per container way, one of each expensive measurement): a smoke run
    /// that fills every row, not figures to quote.
    #[arg(long)]
    pub quick: bool,
    /// Also write the figures as JSON to PATH.
    #[arg(long, value_name = "PATH")]
    pub json: Option<PathBuf>,
    /// Samples per container way and per warm build [default: 20, or 3 with --quick]; cold
    /// builds and dangling rounds take a quarter as many, suite runs a seventh.
    #[arg(long, value_name = "N")]
    pub samples: Option<usize>,
    /// Measure only this section (repeatable) [default: all].
    #[arg(long, value_enum, value_name = "SECTION")]
    pub only: Vec<Section>,
}

/// What every section needs: the engine, the image under test, the run's labels, the CLI.
pub struct Bench {
    pub docker: Docker,
    pub root: PathBuf,
    /// This run's id: every container and image the bench makes carries it.
    pub run: String,
    pub owner: String,
    /// The craton image the containers run, built at the start.
    pub image: String,
    pub cli: Option<DockerCli>,
    pub samples: Samples,
}

/// What a section found: its rows and the caveats that go under the table.
#[derive(Debug, Default)]
pub struct Findings {
    pub rows: Vec<Row>,
    pub notes: Vec<String>,
}

impl Bench {
    /// The labels of a container the bench starts: testbed's (so a killed bench's containers are
    /// swept by the next functional run, and this run's clean-up finds them) and the bench's.
    pub fn labels(&self, what: &str) -> HashMap<String, String> {
        let mut labels = testbed::labels::for_test(&self.run, &self.owner, what);
        labels.insert(BENCH_LABEL.to_owned(), self.run.clone());
        labels
    }

    /// The label every image the bench builds carries.
    pub fn image_label(&self) -> (String, String) {
        (BENCH_LABEL.to_owned(), self.run.clone())
    }

    pub fn testbed_settings(&self) -> testbed::Settings {
        testbed::Settings {
            image: self.image.clone(),
            run: self.run.clone(),
            owner: self.owner.clone(),
            logs_dir: None,
            timings_file: None,
            spool_dir: None,
            ready_timeout: probe::DEADLINE,
        }
    }

    /// `build-image`'s options for a build of the image under test, labelled for clean-up.
    pub fn build_options(&self, tag: &str, no_cache: bool) -> BuildOptions {
        let (key, value) = self.image_label();
        BuildOptions {
            tag: tag.to_owned(),
            no_cache,
            labels: vec![Label { key, value }],
            style: Style::detect(true),
            quiet: true,
            ..BuildOptions::new(&self.root)
        }
    }
}

pub fn run(root: &Path, args: Args) -> Result<()> {
    let report = measure(root, &args)?;
    print!("{}", report.markdown());
    if let Some(path) = &args.json {
        write_json(path, &report)?;
        eprintln!("==> figures written to {}", path.display());
    }
    Ok(())
}

/// Runs the chosen sections and removes everything the bench made, whatever happens.
pub fn measure(root: &Path, args: &Args) -> Result<Report> {
    let samples = Samples::new(args.quick, args.samples).map_err(|why| {
        Failure::new(Code::BadInput, why).hint("`--samples 20` is the default; --quick takes 3")
    })?;
    if let Some(path) = &args.json {
        check_writable(path)?;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async {
        let docker = engine::connect().await?;
        let run = format!("bench-{}", testbed::random_hex(6));
        let bench = Bench {
            docker: docker.clone(),
            root: root.to_path_buf(),
            image: format!("craton-bench:{run}"),
            run: run.clone(),
            owner: testbed::Owner::this_process().to_string(),
            cli: DockerCli::find(),
            samples,
        };
        let sections = plan::sections(&args.only);
        let measured = machine::peak_load_during(measure_sections(&bench, &sections));
        let outcome = tokio::select! {
            (report, peak) = measured => Some(report.map(|mut report| {
                report.machine.load_peak = peak;
                report
            })),
            _ = tokio::signal::ctrl_c() => None,
        };
        if outcome.is_none() {
            eprintln!("\n==> interrupted: removing what the bench made");
            settle_blocking_work().await;
        }
        let removed = cleanup::remove_all(&docker, &run).await;
        finish(outcome, removed)
    })
}

/// The report, unless the bench failed, was interrupted or left something behind.
fn finish(outcome: Option<Result<Report>>, removed: Result<cleanup::Removed>) -> Result<Report> {
    let summary = match &removed {
        Ok(r) => format!(
            "removed {} containers and {} images",
            r.containers, r.images
        ),
        Err(err) => format!("could not clean up: {err:#}"),
    };
    eprintln!("==> clean-up: {summary}");
    let report = match outcome {
        None => {
            return Err(Failure::new(Code::Interrupted, format!("interrupted; {summary}")).into());
        }
        Some(report) => report?,
    };
    let removed = removed?;
    if !removed.failures.is_empty() {
        return Err(Failure::new(
            Code::CleanupFailed,
            format!(
                "the bench could not remove what it made:\n  {}",
                removed.failures.join("\n  ")
            ),
        )
        .hint("`docker ps -a --filter label=dev.craton.bench` and `docker images --filter label=dev.craton.bench` list it")
        .into());
    }
    Ok(report)
}

async fn measure_sections(bench: &Bench, sections: &[Section]) -> Result<Report> {
    let mut report = Report {
        run: bench.run.clone(),
        machine: machine::describe(&bench.docker).await,
        ..Report::default()
    };
    match &bench.cli {
        Some(cli) => report.notes.push(format!(
            "References run the docker CLI {} ({}).",
            cli.client_version().await,
            cli.program().display()
        )),
        None => report.notes.push(format!(
            "References that need the docker CLI say \"{}\".",
            docker_cli::MISSING
        )),
    }
    // The suite builds its own image, but the first cargo build of the release binary would
    // land in its first sample: building ours first keeps that compile out of every figure.
    if !sections.is_empty() {
        eprintln!("==> building the image under test, {}", bench.image);
        let options = bench.build_options(&bench.image, false);
        build_image::build(&bench.docker, &bench.root, &options)
            .await
            .context("building the image under test")?;
    }
    for section in sections {
        let findings = match section {
            Section::Containers => containers::measure(bench).await?,
            Section::Build => builds::measure(bench).await?,
            Section::Suite => suite::measure(bench).await?,
            Section::Dangling => dangling::measure(bench).await?,
        };
        report.rows.extend(findings.rows);
        report.notes.extend(findings.notes);
    }
    report.machine.load_after = machine::load_now();
    Ok(report)
}

/// Blocking work (testbed's API, the docker CLI) started and not finished.
static BLOCKING: AtomicUsize = AtomicUsize::new(0);

/// Runs blocking work on tokio's blocking threads, counted so an interrupted bench can wait
/// for it before the clean-up (a testbed still starting would create a container after it).
pub async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    struct Counted;
    impl Drop for Counted {
        fn drop(&mut self) {
            BLOCKING.fetch_sub(1, Ordering::SeqCst);
        }
    }
    BLOCKING.fetch_add(1, Ordering::SeqCst);
    tokio::task::spawn_blocking(move || {
        let _counted = Counted;
        work()
    })
    .await
    .context("a blocking task ended abnormally")?
}

/// Waits (at most a minute) until no blocking work is running.
async fn settle_blocking_work() {
    let deadline = Instant::now() + Duration::from_secs(60);
    while BLOCKING.load(Ordering::SeqCst) > 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Fails before any measuring when the JSON could not be written at the end.
fn check_writable(path: &Path) -> Result<()> {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if parent.is_dir() {
        Ok(())
    } else {
        Err(Failure::new(
            Code::BadInput,
            format!(
                "cannot write {}: {} is not a directory",
                path.display(),
                parent.display()
            ),
        )
        .hint("give --json a path in an existing directory")
        .into())
    }
}

fn write_json(path: &Path, report: &Report) -> Result<()> {
    let text = serde_json::to_string_pretty(&report.json()).context("rendering the JSON")?;
    std::fs::write(path, text + "\n").map_err(|err| {
        Failure::new(
            Code::BadInput,
            format!("cannot write {}: {err}", path.display()),
        )
        .into()
    })
}

/// Runs `future`; a future that has not finished by `limit` is an error naming `what`.
pub async fn bounded<T>(
    what: &str,
    limit: Duration,
    future: impl Future<Output = Result<T>>,
) -> Result<T> {
    tokio::time::timeout(limit, future)
        .await
        .map_err(|_| anyhow::anyhow!("{what} did not finish within {limit:?}"))?
}
