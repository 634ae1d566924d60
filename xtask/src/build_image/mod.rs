//! `cargo xtask build-image`: the craton image, from a static release binary and a minimal build
//! context sent to the engine. `build` is also the library entry other subcommands build with.

mod cargo_build;
pub(crate) mod context;
mod engine_build;
pub mod labels;
pub mod progress;
pub mod summary;
mod tag;

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use bollard::Docker;

pub use self::labels::Label;
pub use self::progress::Style;
pub use self::summary::{BuiltImage, Phases};
use crate::engine;
use crate::exit::{Code, Failure};

/// The tag `build-image` gives when told none.
pub const DEFAULT_TAG: &str = "craton:dev";

/// Flags of `cargo xtask build-image`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The image's tag.
    #[arg(long, default_value = DEFAULT_TAG)]
    tag: String,
    /// Build every step again instead of reusing the engine's layer cache.
    #[arg(long)]
    no_cache: bool,
    /// Add a label to the image (repeatable). `dev.craton.managed=true`, the git revision and
    /// the creation time are always set; the last two may be overridden.
    #[arg(long = "label", value_name = "KEY=VALUE")]
    labels: Vec<String>,
    /// Plain progress lines instead of a live bar (the default in CI and when stderr is not a
    /// terminal), and no progress from cargo.
    #[arg(long)]
    quiet: bool,
    /// The Dockerfile to build [default: crates/craton/Dockerfile].
    #[arg(long, value_name = "PATH")]
    dockerfile: Option<PathBuf>,
}

/// What to build and how to show it.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub tag: String,
    pub dockerfile: PathBuf,
    pub no_cache: bool,
    /// Labels besides those every image gets.
    pub labels: Vec<Label>,
    pub style: Style,
    /// Keep cargo's progress off the terminal.
    pub quiet: bool,
}

impl BuildOptions {
    /// The defaults of `build-image`: tag `craton:dev`, the repository's Dockerfile.
    pub fn new(root: &Path) -> Self {
        Self {
            tag: DEFAULT_TAG.to_owned(),
            dockerfile: root.join("crates/craton/Dockerfile"),
            no_cache: false,
            labels: Vec::new(),
            style: Style::detect(false),
            quiet: false,
        }
    }

    fn from_args(root: &Path, args: Args) -> Result<Self> {
        let labels = args
            .labels
            .iter()
            .map(|text| Label::parse(text))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|why| {
                Failure::new(Code::BadInput, why)
                    .hint("labels look like `--label com.example.team=infra`")
            })?;
        if let Some(key) = labels::duplicate_key(&labels) {
            return Err(Failure::new(
                Code::BadInput,
                format!("label `{key}` is given twice; give each key once"),
            )
            .into());
        }
        let defaults = Self::new(root);
        Ok(Self {
            tag: args.tag,
            dockerfile: args.dockerfile.unwrap_or(defaults.dockerfile),
            no_cache: args.no_cache,
            labels,
            style: Style::detect(args.quiet),
            quiet: args.quiet,
        })
    }
}

pub fn run(root: &Path, args: Args) -> Result<()> {
    let options = BuildOptions::from_args(root, args)?;
    // Checked before connecting and before cargo: these mistakes should cost no minutes.
    check_tag(&options.tag)?;
    read_dockerfile(&options.dockerfile)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let image = runtime.block_on(async {
        let docker = engine::connect().await?;
        build(&docker, root, &options).await
    })?;
    print!("{}", image.summary());
    Ok(())
}

/// Builds the image: the static binary with cargo, the context in memory, the image on the
/// engine. Progress goes to stderr; the caller prints `BuiltImage::summary` if it wants to.
pub async fn build(docker: &Docker, root: &Path, options: &BuildOptions) -> Result<BuiltImage> {
    check_tag(&options.tag)?;
    let dockerfile = read_dockerfile(&options.dockerfile)?;

    let started = Instant::now();
    let (root_dir, quiet) = (root.to_path_buf(), options.quiet);
    let binary = tokio::task::spawn_blocking(move || cargo_build::build(&root_dir, quiet))
        .await
        .context("the cargo build task ended abnormally")??;
    let cargo_time = started.elapsed();

    let started = Instant::now();
    let binary_bytes = std::fs::read(&binary.path)
        .with_context(|| format!("reading {}", binary.path.display()))?;
    let created = created_time(&binary.path)?;
    let revision = labels::git_revision(root);
    let labels = labels::image_labels(&revision, &created, &options.labels);
    let context =
        context::archive(&dockerfile, &binary_bytes).context("making the build context")?;
    let context_time = started.elapsed();

    let started = Instant::now();
    let built = engine_build::build(
        docker,
        context,
        &options.tag,
        &labels,
        options.no_cache,
        options.style,
    )
    .await?;
    let engine_time = started.elapsed();

    Ok(BuiltImage {
        tag: options.tag.clone(),
        id: built.id,
        size: built.size,
        steps: built.steps.iter().filter(|step| !step.is_base()).count(),
        cached_steps: built
            .steps
            .iter()
            .filter(|step| step.cached && !step.is_base())
            .count(),
        labels,
        target: binary.target,
        phases: Phases {
            cargo: cargo_time,
            context: context_time,
            engine: engine_time,
        },
    })
}

fn check_tag(reference: &str) -> Result<()> {
    tag::check(reference).map_err(|why| {
        Failure::new(Code::BadInput, why)
            .hint("tags look like `craton:dev` or `registry.example:5000/craton:1.2`")
            .into()
    })
}

fn read_dockerfile(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|err| {
        Failure::new(
            Code::BadInput,
            format!("cannot read the Dockerfile {}: {err}", path.display()),
        )
        .hint("build from a craton checkout, or name an existing file with --dockerfile")
        .into()
    })
}

/// `org.opencontainers.image.created`: `SOURCE_DATE_EPOCH` when set (reproducible builds),
/// else when cargo last wrote the binary. Not the wall clock: a label that changed on every
/// build would give every rebuild a new image id and leave the previous image dangling.
fn created_time(binary: &Path) -> Result<String> {
    if let Ok(epoch) = std::env::var("SOURCE_DATE_EPOCH") {
        let secs = epoch.trim().parse::<u64>().map_err(|_| {
            Failure::new(
                Code::BadInput,
                format!("SOURCE_DATE_EPOCH must be seconds since 1970, not `{epoch}`"),
            )
        })?;
        return Ok(labels::rfc3339(secs));
    }
    let modified = std::fs::metadata(binary)
        .and_then(|meta| meta.modified())
        .with_context(|| format!("reading the modification time of {}", binary.display()))?;
    Ok(labels::rfc3339(labels::epoch_secs(modified)))
}
