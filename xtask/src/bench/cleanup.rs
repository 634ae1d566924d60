//! Leaving the engine as the bench found it: every container, volume and image it made carries
//! its run's labels, and this removes them by label, after a failure or Ctrl-C as well.

use std::collections::HashMap;

use anyhow::{Context, Result};
use bollard::Docker;
use bollard::errors::Error as EngineError;
use bollard::query_parameters::{ListImagesOptions, RemoveImageOptions};

/// On everything the bench makes, set to its run id (containers also carry testbed's run
/// labels, so a killed bench's containers are swept by the next functional run).
pub const BENCH_LABEL: &str = "dev.craton.bench";

/// What the clean-up removed, and what it could not.
#[derive(Debug, Default)]
pub struct Removed {
    pub containers: usize,
    pub images: usize,
    pub failures: Vec<String>,
}

/// Removes the run's containers and volumes, then its images (by tag first, so an image the CLI
/// and the API both tagged goes without force, then untagged ones by id).
pub async fn remove_all(docker: &Docker, run: &str) -> Result<Removed> {
    let swept = testbed::sweep::remove_run(docker, run)
        .await
        .context("removing the bench's containers")?;
    let mut removed = Removed {
        containers: swept.containers,
        failures: swept.failures,
        ..Removed::default()
    };
    let options = ListImagesOptions {
        filters: Some(HashMap::from([(
            "label".to_owned(),
            vec![format!("{BENCH_LABEL}={run}")],
        )])),
        ..Default::default()
    };
    let images = docker
        .list_images(Some(options))
        .await
        .context("listing the bench's images")?;
    for image in images {
        let tags: Vec<&String> = image
            .repo_tags
            .iter()
            .filter(|tag| *tag != "<none>:<none>")
            .collect();
        let names: Vec<&str> = if tags.is_empty() {
            vec![image.id.as_str()]
        } else {
            tags.iter().map(|t| t.as_str()).collect()
        };
        let mut gone = false;
        for name in names {
            match docker
                .remove_image(name, Some(RemoveImageOptions::default()), None)
                .await
            {
                Ok(_) => gone = true,
                Err(EngineError::DockerResponseServerError {
                    status_code: 404, ..
                }) => {}
                Err(err) => removed.failures.push(format!("image {name}: {err}")),
            }
        }
        removed.images += usize::from(gone);
    }
    Ok(removed)
}
