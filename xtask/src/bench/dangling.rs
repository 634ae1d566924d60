//! Removing 30 dangling images: `clean-dangling` against `docker rmi $(docker images -q --filter
//! dangling=true)` and `docker image prune -f`. Each round first makes 30 distinct images dangling
//! the way builds do (a new build takes the tag of the previous one), untimed.

use std::collections::{HashMap, HashSet};

use anyhow::{Context, Result, bail};
use bollard::query_parameters::{BuildImageOptions, ListImagesOptions, RemoveImageOptions};
use futures_util::StreamExt;

use super::cleanup::BENCH_LABEL;
use super::docker_cli::{DockerCli, MISSING};
use super::plan::DANGLING_IMAGES;
use super::report::{Row, Target};
use super::stats::Series;
use super::{Bench, Findings};
use crate::build_image::labels::{LabelFilter, MANAGED_KEY, MANAGED_VALUE};
use crate::clean_dangling::{self, Selection};

const MEASURE: &str = "remove 30 dangling images";
/// Why a round does not count when another clean-up removed some of the bench's images.
const INTERFERED: &str =
    "skipped: another clean-up on the engine removed some of the bench's dangling images";
/// How long a CLI way waits for someone else's dangling images to go before it skips a round.
const FOREIGN_WAIT: std::time::Duration = std::time::Duration::from_secs(30);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Way {
    CleanDangling,
    Rmi,
    Prune,
}

pub async fn measure(bench: &Bench) -> Result<Findings> {
    let rounds = bench.samples.dangling_rounds;
    let mut ours = Series::default();
    let (mut rmi, mut prune) = match bench.cli {
        Some(_) => (Series::default(), Series::default()),
        None => (Series::unavailable(MISSING), Series::unavailable(MISSING)),
    };
    // Earlier sections leave dangling images of their own (a cold build replaces the image
    // under test): they go first, so every way starts from exactly the 30 it is timed on.
    remove_ours(bench).await?;
    let mut skipped: HashMap<&str, String> = HashMap::new();
    for round in 1..=rounds {
        for (way, name) in [
            (Way::CleanDangling, "clean-dangling"),
            (Way::Rmi, "rmi"),
            (Way::Prune, "prune"),
        ] {
            let series = match way {
                Way::CleanDangling => &mut ours,
                Way::Rmi => &mut rmi,
                Way::Prune => &mut prune,
            };
            if !series.is_open() {
                continue;
            }
            eprint!("\r==> dangling: round {round}/{rounds}, {name}          ");
            let made = make_dangling(bench, &format!("{round}-{name}")).await?;
            let listed = ours_dangling(bench).await?;
            let outcome = if made.iter().all(|id| listed.contains(id)) {
                time_removal(bench, way, &made).await
            } else {
                Outcome::Skipped(INTERFERED.to_owned())
            };
            match outcome {
                Outcome::Timed(elapsed) => series.push(elapsed),
                Outcome::Skipped(why) => {
                    skipped.insert(name, why);
                }
                Outcome::Failed(why) => series.fail(why),
            }
            // Whatever a way left (it failed, or was skipped) goes before the next round.
            remove_ours(bench).await?;
        }
    }
    eprintln!();
    for (name, series) in [
        ("clean-dangling", &mut ours),
        ("rmi", &mut rmi),
        ("prune", &mut prune),
    ] {
        if let (Some(why), true) = (skipped.get(name), series.is_empty()) {
            series.fail(why.clone());
        }
    }
    let rows = vec![
        Row::new(
            "dangling.rmi",
            MEASURE,
            "`docker rmi $(docker images -q --filter dangling=true)`",
            rmi.result(),
        ),
        Row::new(
            "dangling.prune",
            MEASURE,
            "`docker image prune -f`",
            prune.result(),
        ),
        Row::new(
            "dangling.ours",
            MEASURE,
            "clean-dangling (concurrent, never forced)",
            ours.result(),
        )
        .compared_with("dangling.rmi", "rmi")
        .compared_with("dangling.prune", "prune")
        .target(Target::at_most("dangling.rmi", "rmi", 0.5)),
    ];
    let notes = vec![format!(
        "Dangling images: {rounds} round(s) per way, each from 30 fresh images made dangling \
         (31 builds of a tiny distinct FROM scratch image under one tag, then the tag removed), \
         untimed. The CLI references remove every dangling image on the engine, not only the \
         bench's: that is acceptable here only because the bench makes the same 30 for each way \
         and checks first that no other dangling image is on the engine (if one stays for 30 s, \
         that round is skipped rather than remove someone else's; a race in the moment between \
         the check and the removal remains). clean-dangling is limited to the bench's \
         label (`--label {BENCH_LABEL}=RUN`), which it filters on the engine's side."
    )];
    Ok(Findings { rows, notes })
}

/// What became of one way's round.
enum Outcome {
    Timed(std::time::Duration),
    /// Not run this round, and why (someone else's dangling images are on the engine).
    Skipped(String),
    Failed(String),
}

/// Times one way's removal of `made`, then checks they are all gone.
async fn time_removal(bench: &Bench, way: Way, made: &[String]) -> Outcome {
    let cli: Option<&DockerCli> = bench.cli.as_ref();
    if way != Way::CleanDangling {
        // Other people's builds leave dangling images for a moment: wait a little for them
        // to be cleaned up rather than remove them.
        let deadline = std::time::Instant::now() + FOREIGN_WAIT;
        loop {
            match foreign_dangling(bench, made).await {
                Ok(0) => break,
                Ok(_) if std::time::Instant::now() < deadline => {
                    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
                }
                Ok(foreign) => {
                    return Outcome::Skipped(format!(
                        "skipped: {foreign} dangling images on the engine were not made by the \
                         bench, and this way would remove them too"
                    ));
                }
                Err(err) => return Outcome::Failed(format!("failed: {err:#}")),
            }
        }
    }
    let began = std::time::Instant::now();
    let removed = match (way, cli) {
        (Way::CleanDangling, _) => match selection(bench) {
            Ok(selection) => clean_dangling::remove(&bench.docker, &selection)
                .await
                .map(|report| report.removed.len()),
            Err(err) => Err(err),
        },
        (Way::Rmi, Some(cli)) => cli.rmi_dangling().await,
        (Way::Prune, Some(cli)) => cli.prune_dangling().await.map(|()| made.len()),
        (_, None) => return Outcome::Failed(MISSING.to_owned()),
    };
    let elapsed = began.elapsed();
    let removed = match removed {
        Ok(removed) => removed,
        Err(err) => return Outcome::Failed(format!("failed: {err:#}")),
    };
    let left = ours_dangling(bench).await.map(|listed| {
        listed
            .into_iter()
            .filter(|id| made.contains(id))
            .collect::<Vec<_>>()
    });
    match left {
        Ok(left) if left.is_empty() && removed >= made.len() => Outcome::Timed(elapsed),
        // Gone, but not all by this way: someone else's clean-up took some mid-round.
        Ok(left) if left.is_empty() => Outcome::Skipped(INTERFERED.to_owned()),
        Ok(left) => Outcome::Failed(format!(
            "failed: removed {removed} of {}, {} left",
            made.len(),
            left.len()
        )),
        Err(err) => Outcome::Failed(format!("failed: {err:#}")),
    }
}

/// clean-dangling's selection of the bench's images.
fn selection(bench: &Bench) -> Result<Selection> {
    let (key, value) = bench.image_label();
    let filter = LabelFilter::parse(&format!("{key}={value}")).map_err(anyhow::Error::msg)?;
    Ok(Selection {
        all: false,
        labels: vec![filter],
    })
}

/// Builds 31 distinct tiny images under one tag, then removes the tag (and the last image):
/// answers the 30 that are left dangling.
async fn make_dangling(bench: &Bench, round: &str) -> Result<Vec<String>> {
    let tag = format!("craton-bench-dangling:{}", bench.run);
    let mut ids = Vec::with_capacity(DANGLING_IMAGES + 1);
    for i in 0..=DANGLING_IMAGES {
        let content = format!("{} {round} {i}\n", bench.run);
        build_tiny(bench, &tag, &content).await?;
        let image = bench
            .docker
            .inspect_image(&tag)
            .await
            .with_context(|| format!("inspecting {tag}"))?;
        ids.push(image.id.unwrap_or_default());
    }
    bench
        .docker
        .remove_image(&tag, Some(RemoveImageOptions::default()), None)
        .await
        .with_context(|| format!("removing the tag {tag}"))?;
    ids.pop();
    Ok(ids)
}

async fn build_tiny(bench: &Bench, tag: &str, content: &str) -> Result<()> {
    let context = tiny_context(content.as_bytes()).context("making a tiny build context")?;
    let (key, value) = bench.image_label();
    let options = BuildImageOptions {
        t: Some(tag.to_owned()),
        labels: Some(HashMap::from([
            (MANAGED_KEY.to_owned(), MANAGED_VALUE.to_owned()),
            (key, value),
        ])),
        rm: true,
        forcerm: true,
        ..Default::default()
    };
    let mut stream =
        bench
            .docker
            .build_image(options, None, Some(bollard::body_full(context.into())));
    while let Some(item) = stream.next().await {
        let info = item.with_context(|| format!("building {tag}"))?;
        if let Some(detail) = info.error_detail {
            bail!("building {tag}: {}", detail.message.unwrap_or_default());
        }
    }
    Ok(())
}

/// `FROM scratch`, one file: the smallest image that still has a layer of its own.
fn tiny_context(content: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut tar = tar::Builder::new(Vec::new());
    for (path, data) in [
        (
            "Dockerfile",
            b"FROM scratch\nCOPY stamp /stamp\n".as_slice(),
        ),
        ("stamp", content),
    ] {
        let mut header = tar::Header::new_ustar();
        header.set_path(path)?;
        header.set_mode(0o644);
        header.set_size(data.len() as u64);
        header.set_cksum();
        tar.append(&header, data)?;
    }
    tar.into_inner()
}

/// How many dangling images on the engine are not among `ours`.
async fn foreign_dangling(bench: &Bench, ours: &[String]) -> Result<usize> {
    let ours: HashSet<&str> = ours.iter().map(String::as_str).collect();
    let options = ListImagesOptions {
        filters: Some(HashMap::from([(
            "dangling".to_owned(),
            vec!["true".to_owned()],
        )])),
        ..Default::default()
    };
    let all = bench
        .docker
        .list_images(Some(options))
        .await
        .context("listing dangling images")?;
    Ok(all.iter().filter(|i| !ours.contains(i.id.as_str())).count())
}

/// The bench's dangling images still on the engine.
async fn ours_dangling(bench: &Bench) -> Result<Vec<String>> {
    let (key, value) = bench.image_label();
    let options = ListImagesOptions {
        filters: Some(HashMap::from([
            ("dangling".to_owned(), vec!["true".to_owned()]),
            ("label".to_owned(), vec![format!("{key}={value}")]),
        ])),
        ..Default::default()
    };
    let left = bench
        .docker
        .list_images(Some(options))
        .await
        .context("listing the bench's dangling images")?;
    Ok(left.into_iter().map(|i| i.id).collect())
}

/// Removes the bench's dangling images, untimed.
async fn remove_ours(bench: &Bench) -> Result<()> {
    let report = clean_dangling::remove(&bench.docker, &selection(bench)?).await?;
    if !report.failed.is_empty() {
        bail!(
            "could not remove the bench's dangling images: {:?}",
            report.failed
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    #[test]
    fn the_tiny_context_holds_a_dockerfile_and_its_stamp() {
        let bytes = tiny_context(b"run 1 7\n").unwrap();
        let mut archive = tar::Archive::new(bytes.as_slice());
        let files: Vec<(String, String)> = archive
            .entries()
            .unwrap()
            .map(|entry| {
                let mut entry = entry.unwrap();
                let mut text = String::new();
                entry.read_to_string(&mut text).unwrap();
                (entry.path().unwrap().display().to_string(), text)
            })
            .collect();
        assert_eq!(files[0].0, "Dockerfile");
        assert!(files[0].1.starts_with("FROM scratch\n"));
        assert_eq!(files[1], ("stamp".to_owned(), "run 1 7\n".to_owned()));
    }
}
