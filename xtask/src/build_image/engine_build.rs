//! The third phase: the engine builds the image from the context, streaming its progress; a
//! failure names the step that failed and carries the engine's message.

use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

use anyhow::{Context, Result};
use bollard::Docker;
use bollard::errors::Error as EngineError;
use bollard::query_parameters::BuildImageOptions;
use bytes::Bytes;
use futures_util::StreamExt;

use super::progress::{Display, Event, StepRecord, StepTracker, Style};
use crate::exit::{Code, Failure};

/// What the engine's build produced.
pub struct EngineBuild {
    pub id: String,
    pub size: u64,
    pub steps: Vec<StepRecord>,
}

/// How often a build is tried when the cached images it builds on vanish meanwhile.
const ATTEMPTS: usize = 3;

pub async fn build(
    docker: &Docker,
    context: Vec<u8>,
    tag: &str,
    labels: &BTreeMap<String, String>,
    no_cache: bool,
    style: Style,
) -> Result<EngineBuild> {
    let options = BuildImageOptions {
        t: Some(tag.to_owned()),
        nocache: no_cache,
        // Labels given here, not in the Dockerfile: the engine appends one LABEL step per label
        // after the Dockerfile's steps, so they never invalidate the cache of a layer.
        labels: Some(labels.clone().into_iter().collect::<HashMap<_, _>>()),
        rm: true,
        // A failed step leaves no intermediate container behind.
        forcerm: true,
        ..Default::default()
    };
    let context = Bytes::from(context);
    let display = Display::new(style);
    let mut attempt = 1;
    let steps = loop {
        match attempt_build(docker, context.clone(), &options, &display).await {
            Ok(steps) => break steps,
            Err((err, _)) if attempt < ATTEMPTS && is_cache_race(&err) => {
                display.println(&format!(
                    "note: {err}: the engine removed a cached image this build stood on \
                     (another run cleaning up); building again"
                ));
                attempt += 1;
            }
            Err((err, step)) => {
                display.finish();
                return Err(build_failure(err, step.as_ref(), tag));
            }
        }
    };
    display.finish();

    let image = docker
        .inspect_image(tag)
        .await
        .with_context(|| format!("inspecting {tag}, which the engine just built"))?;
    Ok(EngineBuild {
        id: image.id.unwrap_or_default(),
        size: image
            .size
            .and_then(|size| u64::try_from(size).ok())
            .unwrap_or(0),
        steps,
    })
}

/// One build on the engine: its steps, or its error and the step that was running.
async fn attempt_build(
    docker: &Docker,
    context: Bytes,
    options: &BuildImageOptions,
    display: &Display,
) -> Result<Vec<StepRecord>, (EngineError, Option<StepRecord>)> {
    let mut tracker = StepTracker::default();
    let mut stream = docker.build_image(options.clone(), None, Some(bollard::body_full(context)));
    while let Some(item) = stream.next().await {
        let info = item.map_err(|err| (err, tracker.running().cloned()))?;
        if let Some(text) = info.stream.as_deref() {
            for event in tracker.feed(text, Instant::now()) {
                display.show(&event);
            }
        }
    }
    if let Some(last) = tracker.close(Instant::now()) {
        display.show(&Event::Finished(last));
    }
    Ok(tracker.finished().to_vec())
}

/// The classic builder walks a chain of cached images; removing an image prunes its untagged
/// parents, so another run's clean-up can delete a parent between our cache lookup and our
/// commit on top of it. The engine then names the image it lost.
fn is_cache_race(err: &EngineError) -> bool {
    match err {
        EngineError::DockerStreamError { error } => [
            "unknown parent image ID",
            "No such image: sha256:",
            "image/overlay2/imagedb/content/sha256/",
        ]
        .iter()
        .any(|symptom| error.contains(symptom)),
        _ => false,
    }
}

/// The engine's complaint as a `Failure`: a step that failed, a Dockerfile it could not parse,
/// or a lost connection.
fn build_failure(err: EngineError, step: Option<&StepRecord>, tag: &str) -> anyhow::Error {
    match err {
        EngineError::DockerStreamError { error } => {
            let at = step.map_or_else(
                || "the build".to_owned(),
                |step| format!("step {}/{} `{}`", step.number, step.total, step.instruction),
            );
            Failure::new(Code::BuildFailed, format!("{at} failed: {}", error.trim()))
                .hint("fix the Dockerfile or the files it copies, then build again")
                .into()
        }
        EngineError::DockerResponseServerError { message, .. } => Failure::new(
            Code::BuildFailed,
            format!("the engine could not build {tag}: {}", message.trim()),
        )
        .into(),
        other => anyhow::Error::new(other).context(format!("building {tag} on the engine")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stream_error(message: &str) -> EngineError {
        EngineError::DockerStreamError {
            error: message.to_owned(),
        }
    }

    #[test]
    fn a_vanished_cached_parent_is_a_race_worth_another_attempt() {
        let lost_parent = "failed to export image: failed to set parent sha256:e814: \
                           unknown parent image ID sha256:e814";
        assert!(is_cache_race(&stream_error(lost_parent)));
        assert!(is_cache_race(&stream_error("No such image: sha256:e814")));
        let lost_config = "failed to get digest sha256:8b95: open \
            /var/lib/docker/image/overlay2/imagedb/content/sha256/8b95: no such file or directory";
        assert!(is_cache_race(&stream_error(lost_config)));
    }

    #[test]
    fn a_failing_step_is_not_retried() {
        let missing_file =
            "COPY failed: file not found in build context: stat x: file does not exist";
        assert!(!is_cache_race(&stream_error(missing_file)));
    }
}
