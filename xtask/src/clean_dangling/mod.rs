//! `cargo xtask clean-dangling`: removes the untagged leftovers of earlier builds, concurrently
//! and never by force, leaving alone every image a container still uses.

mod facts;
pub mod plan;
pub mod report;

use std::collections::{HashMap, HashSet};

use anyhow::{Context, Result};
use bollard::Docker;
use bollard::errors::Error as EngineError;
use bollard::query_parameters::RemoveImageOptions;
use futures_util::{StreamExt, stream};

use self::facts::{CONCURRENCY, Facts};
pub use self::plan::{Plan, Selection};
pub use self::report::{Outcome, Report};
use crate::build_image::labels::LabelFilter;
use crate::engine;
use crate::exit::{Code, Failure};

/// Flags of `cargo xtask clean-dangling`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// List what would be removed, and remove nothing.
    #[arg(long)]
    dry_run: bool,
    /// Every dangling image on the engine, not only those labelled dev.craton.managed=true
    /// (what `docker rmi $(docker images -q --filter dangling=true)` removes).
    #[arg(long)]
    all: bool,
    /// Only images that also carry this label (repeatable): a run's or a test's own label.
    #[arg(long = "label", value_name = "KEY[=VALUE]")]
    labels: Vec<String>,
}

pub fn run(args: Args) -> Result<()> {
    let labels = args
        .labels
        .iter()
        .map(|text| LabelFilter::parse(text))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|why| {
            Failure::new(Code::BadInput, why)
                .hint("label filters look like `--label dev.craton.run=42`")
        })?;
    let selection = Selection {
        all: args.all,
        labels,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async {
        let docker = engine::connect().await?;
        if args.dry_run {
            let found = find(&docker, &selection).await?;
            if found.plan.remove.is_empty() && found.plan.in_use.is_empty() {
                println!("no {}", selection.describe());
            } else {
                print!("{}", report::dry_run_text(&found.plan, &found.freed));
            }
            return Ok(());
        }
        let report = remove(&docker, &selection).await?;
        print_report(&report, &selection);
        if report.failed.is_empty() {
            Ok(())
        } else {
            Err(Failure::new(
                Code::CleanupFailed,
                format!(
                    "{} of the {} could not be removed",
                    report.failed.len(),
                    selection.describe()
                ),
            )
            .hint("see the engine's messages above; `docker image ls --filter dangling=true` lists them")
            .into())
        }
    })
}

fn print_report(report: &Report, selection: &Selection) {
    if report.removed.is_empty()
        && report.in_use.is_empty()
        && report.gone.is_empty()
        && report.failed.is_empty()
    {
        println!("no {}", selection.describe());
        return;
    }
    for (id, bytes) in &report.removed {
        println!(
            "{}",
            report::outcome_line(id, &Outcome::Removed { bytes: *bytes })
        );
    }
    for in_use in &report.in_use {
        let users = in_use.users.clone();
        println!(
            "{}",
            report::outcome_line(&in_use.id, &Outcome::InUse { users })
        );
    }
    for id in &report.gone {
        println!("{}", report::outcome_line(id, &Outcome::Gone));
    }
    for (id, message) in &report.failed {
        let message = message.clone();
        println!("{}", report::outcome_line(id, &Outcome::Failed { message }));
    }
    println!("{}", report.summary());
}

/// What a clean-up would do: the plan and the bytes each removal would free.
#[derive(Debug, Clone, Default)]
pub struct Found {
    pub plan: Plan,
    pub freed: HashMap<String, u64>,
}

/// Looks, removes nothing: what `--dry-run` shows.
pub async fn find(docker: &Docker, selection: &Selection) -> Result<Found> {
    let facts = facts::gather(docker, selection).await?;
    let plan = plan::plan(&facts.dangling, &facts.containers);
    let deleted = plan::deleted_with(&plan.remove, &facts.images, &facts.containers);
    let freed = freed(docker, &facts, &plan.remove, &deleted).await?;
    Ok(Found { plan, freed })
}

/// Removes the selected dangling images that no container uses, a few at a time, without
/// force; those containers use are reported with the containers' names.
pub async fn remove(docker: &Docker, selection: &Selection) -> Result<Report> {
    let facts = facts::gather(docker, selection).await?;
    let plan = plan::plan(&facts.dangling, &facts.containers);
    let mut report = Report {
        in_use: plan.in_use.clone(),
        ..Report::default()
    };
    if plan.remove.is_empty() {
        return Ok(report);
    }
    // Layer lists must be read before the images go.
    let predicted = plan::deleted_with(&plan.remove, &facts.images, &facts.containers);
    let layers = layer_facts(docker, &facts, &plan.remove, &predicted).await?;

    let options = RemoveImageOptions {
        force: false,
        noprune: false,
        ..Default::default()
    };
    let outcomes: Vec<(String, Result<HashSet<String>, Outcome>)> = stream::iter(plan.remove)
        .map(|id| {
            let options = options.clone();
            async move {
                let result = docker.remove_image(&id, Some(options), None).await;
                let outcome = match result {
                    Ok(items) => Ok(items.into_iter().filter_map(|item| item.deleted).collect()),
                    Err(err) => Err(refusal(err)),
                };
                (id, outcome)
            }
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;

    // Bytes follow from what the engine says it deleted, parents included.
    let deleted: HashSet<String> = outcomes
        .iter()
        .filter_map(|(_, outcome)| outcome.as_ref().ok())
        .flatten()
        .cloned()
        .collect();
    let removed: Vec<String> = outcomes
        .iter()
        .filter(|(_, outcome)| outcome.is_ok())
        .map(|(id, _)| id.clone())
        .collect();
    let freed = plan::freed_bytes(&removed, &deleted, &facts.images, &layers.0, &layers.1);
    for (id, outcome) in outcomes {
        let outcome = match outcome {
            Ok(_) => Outcome::Removed {
                bytes: freed.get(&id).copied().unwrap_or(0),
            },
            Err(refused) => refused,
        };
        report.record(id, outcome);
    }
    Ok(report)
}

/// Why the engine did not remove an image: a conflict means a container uses it (it is left
/// alone, as planned); not found means someone else removed it; anything else is a failure.
fn refusal(err: EngineError) -> Outcome {
    match err {
        EngineError::DockerResponseServerError {
            status_code: 409,
            message,
        } => Outcome::InUse {
            users: vec![message],
        },
        EngineError::DockerResponseServerError {
            status_code: 404, ..
        } => Outcome::Gone,
        other => Outcome::Failed {
            message: other.to_string(),
        },
    }
}

async fn freed(
    docker: &Docker,
    facts: &Facts,
    remove: &[String],
    deleted: &HashSet<String>,
) -> Result<HashMap<String, u64>> {
    if remove.is_empty() {
        return Ok(HashMap::new());
    }
    let (layers, staying) = layer_facts(docker, facts, remove, deleted).await?;
    Ok(plan::freed_bytes(
        remove,
        deleted,
        &facts.images,
        &layers,
        &staying,
    ))
}

/// Layer lists of the images to remove, and of every top-level image that stays.
async fn layer_facts(
    docker: &Docker,
    facts: &Facts,
    remove: &[String],
    deleted: &HashSet<String>,
) -> Result<(HashMap<String, Vec<String>>, Vec<Vec<String>>)> {
    let staying: Vec<String> = facts::top_level(&facts.images)
        .into_iter()
        .filter(|image| !deleted.contains(&image.id))
        .map(|image| image.id.clone())
        .collect();
    let mut wanted = remove.to_vec();
    wanted.extend(staying.iter().cloned());
    let mut layers = facts::layers(docker, wanted).await?;
    let staying_layers = staying.iter().filter_map(|id| layers.remove(id)).collect();
    Ok((layers, staying_layers))
}
