//! Step 4, run whatever happened before: remove this run's containers and volumes, its image
//! (unless kept) and the dangling images its build left; and, before a run starts, the
//! leftovers of earlier runs that were killed.

use anyhow::Result;
use bollard::Docker;
use bollard::query_parameters::RemoveImageOptions;

use super::image;

/// What clean-up removed, and what it could not.
#[derive(Debug, Default)]
pub struct Cleaned {
    pub containers: usize,
    pub volumes: usize,
    pub image: bool,
    pub dangling: usize,
    pub failures: Vec<String>,
}

impl Cleaned {
    pub fn describe(&self) -> String {
        format!(
            "removed {} containers, {} volumes, {} image, {} dangling images",
            self.containers,
            self.volumes,
            usize::from(self.image),
            self.dangling
        )
    }
}

/// Removes everything of `run`: containers and volumes first (they hold the image), then the
/// image `tag` when given, then dangling images of the build.
pub async fn after_run(
    docker: &Docker,
    run: &str,
    tag: Option<&str>,
    build_failed: bool,
) -> Cleaned {
    let mut cleaned = Cleaned::default();
    match testbed::sweep::remove_run(docker, run).await {
        Ok(removed) => {
            cleaned.containers = removed.containers;
            cleaned.volumes = removed.volumes;
            cleaned.failures.extend(removed.failures);
        }
        Err(err) => cleaned.failures.push(format!("{err:#}")),
    }
    if let Some(tag) = tag {
        match remove_image(docker, tag).await {
            Ok(removed) => cleaned.image = removed,
            Err(err) => cleaned.failures.push(format!("image {tag}: {err:#}")),
        }
    }
    match image::remove_dangling(docker, run, build_failed).await {
        Ok(count) => cleaned.dangling = count,
        Err(err) => cleaned.failures.push(format!("dangling images: {err:#}")),
    }
    cleaned
}

/// Removes the image and the untagged parents only it used; false when it was not there.
async fn remove_image(docker: &Docker, tag: &str) -> Result<bool> {
    let options = RemoveImageOptions {
        force: false,
        noprune: false,
        ..Default::default()
    };
    match docker.remove_image(tag, Some(options), None).await {
        Ok(_) => Ok(true),
        Err(bollard::errors::Error::DockerResponseServerError {
            status_code: 404, ..
        }) => Ok(false),
        Err(err) => Err(err.into()),
    }
}

/// Sweeps the leftovers of killed runs; a failure here is reported, not fatal.
pub async fn before_run(docker: &Docker) -> String {
    match testbed::sweep::sweep_abandoned(docker).await {
        Ok((runs, _)) if runs.is_empty() => String::new(),
        Ok((runs, removed)) => format!(
            "swept {} containers and {} volumes of {} killed runs ({})",
            removed.containers,
            removed.volumes,
            runs.len(),
            runs.join(", ")
        ),
        Err(err) => format!("could not sweep the leftovers of earlier runs: {err:#}"),
    }
}
