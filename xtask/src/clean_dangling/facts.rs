//! Gathering what the plan needs from the engine: the selected dangling images, every image
//! with its parent and size, every container (stopped ones too), and layer lists.

use std::collections::HashMap;

use anyhow::{Context, Result};
use bollard::Docker;
use bollard::query_parameters::{ListContainersOptions, ListImagesOptions};
use futures_util::{StreamExt, TryStreamExt, stream};

use super::plan::{ContainerFacts, ImageFacts, Selection};

/// Engine requests in flight at once: enough to hide latency, few enough not to swamp a small
/// daemon that also serves builds and test containers.
pub const CONCURRENCY: usize = 8;

#[derive(Debug, Default)]
pub struct Facts {
    /// Ids of the selected dangling images, as the engine listed them.
    pub dangling: Vec<String>,
    pub images: Vec<ImageFacts>,
    pub containers: Vec<ContainerFacts>,
}

pub async fn gather(docker: &Docker, selection: &Selection) -> Result<Facts> {
    let dangling = ListImagesOptions {
        filters: Some(selection.engine_filters()),
        ..Default::default()
    };
    let every_image = ListImagesOptions {
        all: true,
        ..Default::default()
    };
    let every_container = ListContainersOptions {
        all: true,
        ..Default::default()
    };
    let (dangling, images, containers) = tokio::try_join!(
        async {
            docker
                .list_images(Some(dangling))
                .await
                .context("listing dangling images")
        },
        async {
            docker
                .list_images(Some(every_image))
                .await
                .context("listing images")
        },
        async {
            docker
                .list_containers(Some(every_container))
                .await
                .context("listing containers")
        },
    )?;
    Ok(Facts {
        dangling: dangling.into_iter().map(|image| image.id).collect(),
        images: images
            .into_iter()
            .map(|image| ImageFacts {
                tagged: image.repo_tags.iter().any(|tag| tag != "<none>:<none>"),
                parent: Some(image.parent_id).filter(|parent| !parent.is_empty()),
                size: u64::try_from(image.size).unwrap_or(0),
                id: image.id,
            })
            .collect(),
        containers: containers
            .into_iter()
            .filter_map(|container| {
                let name = container
                    .names
                    .and_then(|names| names.into_iter().next())
                    .map(|name| name.trim_start_matches('/').to_owned())
                    .or(container.id)?;
                Some(ContainerFacts {
                    name,
                    image_id: container.image_id?,
                    state: container.state.map_or_else(String::new, |s| s.to_string()),
                })
            })
            .collect(),
    })
}

/// The images nothing was built on (the ones `docker images` lists).
pub fn top_level(images: &[ImageFacts]) -> Vec<&ImageFacts> {
    let parents: std::collections::HashSet<&str> = images
        .iter()
        .filter_map(|image| image.parent.as_deref())
        .collect();
    images
        .iter()
        .filter(|image| !parents.contains(image.id.as_str()))
        .collect()
}

/// The layer (diff id) lists of these images; an image that vanished meanwhile has none.
pub async fn layers(docker: &Docker, ids: Vec<String>) -> Result<HashMap<String, Vec<String>>> {
    stream::iter(ids)
        .map(|id| async move {
            match docker.inspect_image(&id).await {
                Ok(image) => {
                    let layers = image.root_fs.and_then(|fs| fs.layers).unwrap_or_default();
                    Ok((id, layers))
                }
                Err(bollard::errors::Error::DockerResponseServerError {
                    status_code: 404, ..
                }) => Ok((id, Vec::new())),
                Err(err) => Err(anyhow::Error::new(err).context(format!("inspecting {id}"))),
            }
        })
        .buffer_unordered(CONCURRENCY)
        .try_collect()
        .await
}
