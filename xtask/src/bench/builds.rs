//! Image builds: `build-image` warm (nothing changed) and cold (`--no-cache`), against
//! `docker build` of the same context written to a directory, since the CLI sends a directory.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use super::docker_cli::MISSING;
use super::report::{Row, Target, human};
use super::stats::{Series, Stats};
use super::{Bench, Findings};
use crate::build_image::{self, BuiltImage, context as build_context};

const WARM: &str = "warm image build (nothing changed)";
const COLD: &str = "cold image build (`--no-cache`; cargo up to date)";

pub async fn measure(bench: &Bench) -> Result<Findings> {
    let (n_warm, n_cold) = (bench.samples.warm_builds, bench.samples.cold_builds);
    let mut ours = Series::default();
    let mut ours_engine = Series::default();
    let mut ours_cold = Series::default();
    let mut cli_warm = Series::default();
    let mut cli_cold = Series::default();
    let mut phases = (Vec::new(), Vec::new(), Vec::new());

    // Warm-up: a build like the one the bench started with, whose labels the CLI copies.
    let first = build(bench, false).await?;
    let context = CliContext::write(bench, &first)?;
    let cli_tag = format!("craton-bench-cli:{}", bench.run);
    let labels: Vec<(String, String)> = first.labels.clone().into_iter().collect();
    let cli = bench.cli.as_ref();
    match cli {
        Some(cli) => {
            if let Err(err) = cli.build(&context.dir, &cli_tag, &labels, false).await {
                cli_warm.fail(format!("failed: {err:#}"));
                cli_cold.fail(format!("failed: {err:#}"));
            }
        }
        None => {
            cli_warm = Series::unavailable(MISSING);
            cli_cold = Series::unavailable(MISSING);
        }
    }

    for i in 1..=n_warm {
        eprint!("\r==> builds: warm {i}/{n_warm}");
        let began = Instant::now();
        match build(bench, false).await {
            Ok(image) => {
                ours.push(began.elapsed());
                ours_engine.push(image.phases.engine);
                phases.0.push(image.phases.cargo);
                phases.1.push(image.phases.context);
                phases.2.push(image.phases.engine);
            }
            Err(err) => ours.fail(format!("failed: {err:#}")),
        }
        if let (Some(cli), true) = (cli, cli_warm.is_open()) {
            let began = Instant::now();
            match cli.build(&context.dir, &cli_tag, &labels, false).await {
                Ok(()) => cli_warm.push(began.elapsed()),
                Err(err) => cli_warm.fail(format!("failed: {err:#}")),
            }
        }
    }
    eprintln!();
    for i in 1..=n_cold {
        eprint!("\r==> builds: cold {i}/{n_cold}");
        let began = Instant::now();
        match build(bench, true).await {
            Ok(_) => ours_cold.push(began.elapsed()),
            Err(err) => ours_cold.fail(format!("failed: {err:#}")),
        }
        if let (Some(cli), true) = (cli, cli_cold.is_open()) {
            let began = Instant::now();
            match cli.build(&context.dir, &cli_tag, &labels, true).await {
                Ok(()) => cli_cold.push(began.elapsed()),
                Err(err) => cli_cold.fail(format!("failed: {err:#}")),
            }
        }
    }
    eprintln!();
    drop(context);

    let docker_build = "`docker build` of the same context (classic builder)";
    let rows = vec![
        Row::new("build.warm.cli", WARM, docker_build, cli_warm.result()),
        Row::new(
            "build.warm.ours",
            WARM,
            "build-image (cargo, context, engine)",
            ours.result(),
        )
        .compared_with("build.warm.cli", "docker build")
        .target(Target::Under(Duration::from_secs(2))),
        Row::new(
            "build.warm.engine",
            WARM,
            "build-image, engine phase only",
            ours_engine.result(),
        )
        .compared_with("build.warm.cli", "docker build"),
        Row::new("build.cold.cli", COLD, docker_build, cli_cold.result()),
        Row::new(
            "build.cold.ours",
            COLD,
            "build-image (cargo, context, engine)",
            ours_cold.result(),
        )
        .compared_with("build.cold.cli", "docker build"),
    ];
    let median =
        |samples: &[Duration]| Stats::of(samples).map_or("?".to_owned(), |s| human(s.median));
    let notes = vec![format!(
        "Builds: {n_warm} warm and {n_cold} cold samples per way after one warm-up. A warm \
         build-image goes: cargo {} (checking that the binary is up to date), context {}, \
         engine {} (medians). `docker build` is given build-image's context (the same \
         archive, unpacked into a directory; not timed) and the same labels, with \
         DOCKER_BUILDKIT=0: the classic builder, the one the Engine API build uses; it does not \
         build the binary, so the fair engine-to-engine comparison is the engine-phase row.",
        median(&phases.0),
        median(&phases.1),
        median(&phases.2),
    )];
    Ok(Findings { rows, notes })
}

async fn build(bench: &Bench, no_cache: bool) -> Result<BuiltImage> {
    let options = bench.build_options(&bench.image, no_cache);
    build_image::build(&bench.docker, &bench.root, &options).await
}

/// The build context of `build-image` (the same archive), unpacked for `docker build`, which
/// sends a directory; removed when dropped.
struct CliContext {
    dir: PathBuf,
}

impl CliContext {
    fn write(bench: &Bench, image: &BuiltImage) -> Result<Self> {
        let dir = std::env::temp_dir().join(format!("craton-{}-context", bench.run));
        let context = Self { dir };
        let dockerfile = std::fs::read(bench.root.join("crates/craton/Dockerfile"))
            .context("reading the Dockerfile")?;
        let binary_path = target_dir(&bench.root)
            .join(&image.target)
            .join("release/craton");
        let binary = std::fs::read(&binary_path)
            .with_context(|| format!("reading {}", binary_path.display()))?;
        let archive =
            build_context::archive(&dockerfile, &binary).context("making build-image's context")?;
        tar::Archive::new(archive.as_slice())
            .unpack(&context.dir)
            .with_context(|| format!("unpacking the context into {}", context.dir.display()))?;
        Ok(context)
    }
}

impl Drop for CliContext {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Where cargo puts its output: `CARGO_TARGET_DIR`, else `target/` of the checkout.
fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map_or_else(|| root.join("target"), |dir| root.join(dir))
}
