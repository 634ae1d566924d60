//! The third phase: the engine builds the image from the context, streaming its progress; a
//! failure names the step that failed and carries the engine's message.

use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

use anyhow::{Context, Result};
use bollard::Docker;
use bollard::errors::Error as EngineError;
use bollard::query_parameters::BuildImageOptions;
use futures_util::StreamExt;

use super::progress::{Display, StepRecord, StepTracker, Style};
use crate::exit::{Code, Failure};

/// What the engine's build produced.
pub struct EngineBuild {
    pub id: String,
    pub size: u64,
    pub steps: Vec<StepRecord>,
}

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
    let display = Display::new(style);
    let mut tracker = StepTracker::default();
    let mut stream = docker.build_image(options, None, Some(bollard::body_full(context.into())));
    while let Some(item) = stream.next().await {
        let info = match item {
            Ok(info) => info,
            Err(err) => {
                let failed = tracker.running().cloned();
                display.finish();
                return Err(build_failure(err, failed.as_ref(), tag));
            }
        };
        if let Some(text) = info.stream.as_deref() {
            for event in tracker.feed(text, Instant::now()) {
                display.show(&event);
            }
        }
    }
    if let Some(last) = tracker.close(Instant::now()) {
        display.show(&super::progress::Event::Finished(last));
    }
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
        steps: tracker.finished().to_vec(),
    })
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
