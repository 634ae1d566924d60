//! The raw Engine API floor: create (8080 published on 127.0.0.1 at an ephemeral port), start,
//! read the port, probe until the first 200, remove. Nothing else, so nothing can be faster by
//! the same route; the per-test library is held to within a few percent of it.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow};
use bollard::Docker;
use bollard::models::{ContainerCreateBody, HostConfig, PortBinding};
use bollard::query_parameters::RemoveContainerOptions;

use super::probe;

const SERVICE_PORT: &str = "8080/tcp";

/// What to start: the image and the labels that let the clean-up find it.
#[derive(Debug, Clone)]
pub struct Spec {
    pub image: String,
    pub labels: HashMap<String, String>,
}

/// When a container answered, and when it was gone again, both from the create call.
#[derive(Debug, Clone, Copy)]
pub struct Lifecycle {
    pub ready: Duration,
    pub removed: Duration,
}

/// Where the time of one start went.
#[derive(Debug, Clone, Copy, Default)]
pub struct StartTimings {
    pub create: Duration,
    pub start: Duration,
    /// Reading the published port, then probing until the first 200.
    pub answer: Duration,
}

/// Creates and starts a container and waits for its first 200: answers its id and where the
/// time went. A container that does not get there is removed before the error is returned.
pub async fn start_timed(docker: &Docker, spec: &Spec) -> Result<(String, StartTimings)> {
    let began = Instant::now();
    let created = docker
        .create_container(None, body(spec))
        .await
        .with_context(|| format!("creating a container of {}", spec.image))?;
    let create = began.elapsed();
    let id = created.id;
    match start_created(docker, &id).await {
        Ok(start) => {
            let answer = began.elapsed().saturating_sub(create + start);
            Ok((
                id,
                StartTimings {
                    create,
                    start,
                    answer,
                },
            ))
        }
        Err(err) => {
            let _ = remove(docker, &id).await;
            Err(err)
        }
    }
}

/// Starts, then probes: answers how long the start call took.
async fn start_created(docker: &Docker, id: &str) -> Result<Duration> {
    let began = Instant::now();
    docker
        .start_container(id, None)
        .await
        .context("starting the container")?;
    let start = began.elapsed();
    let port = published_port(docker, id).await?;
    probe::until_ready(port).await?;
    Ok(start)
}

/// Removes the container and its anonymous volumes (the image declares `VOLUME /data`).
pub async fn remove(docker: &Docker, id: &str) -> Result<()> {
    let options = RemoveContainerOptions {
        force: true,
        v: true,
        ..Default::default()
    };
    docker
        .remove_container(id, Some(options))
        .await
        .with_context(|| format!("removing container {id}"))
}

fn body(spec: &Spec) -> ContainerCreateBody {
    let binding = PortBinding {
        host_ip: Some("127.0.0.1".to_owned()),
        host_port: Some(String::new()),
    };
    ContainerCreateBody {
        image: Some(spec.image.clone()),
        labels: Some(spec.labels.clone()),
        exposed_ports: Some(vec![SERVICE_PORT.to_owned()]),
        host_config: Some(HostConfig {
            port_bindings: Some(HashMap::from([(
                SERVICE_PORT.to_owned(),
                Some(vec![binding]),
            )])),
            ..Default::default()
        }),
        ..Default::default()
    }
}

async fn published_port(docker: &Docker, id: &str) -> Result<u16> {
    let inspect = docker
        .inspect_container(id, None)
        .await
        .context("inspecting the container")?;
    let port = inspect
        .network_settings
        .and_then(|n| n.ports)
        .and_then(|mut ports| ports.remove(SERVICE_PORT))
        .flatten()
        .and_then(|bindings| bindings.into_iter().find_map(|b| b.host_port))
        .ok_or_else(|| anyhow!("the engine published no host port for {SERVICE_PORT}"))?;
    port.parse()
        .with_context(|| format!("the engine published port {port:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_floor_publishes_only_on_loopback_at_an_ephemeral_port() {
        let spec = Spec {
            image: "craton:bench".into(),
            labels: HashMap::from([("dev.craton.managed".into(), "true".into())]),
        };
        let body = body(&spec);
        let bindings = body.host_config.unwrap().port_bindings.unwrap();
        let binding = &bindings[SERVICE_PORT].as_ref().unwrap()[0];
        assert_eq!(binding.host_ip.as_deref(), Some("127.0.0.1"));
        assert_eq!(binding.host_port.as_deref(), Some(""));
        assert_eq!(body.labels.unwrap()["dev.craton.managed"], "true");
    }
}
