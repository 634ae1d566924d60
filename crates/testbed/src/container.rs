//! The engine side of one test container: create it labelled and published on 127.0.0.1,
//! start it, wait until it answers, read its logs, restart it, remove it with its volumes.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use bollard::Docker;
use bollard::errors::Error as EngineError;
use bollard::models::{
    ContainerCreateBody, HealthConfig, HostConfig, Mount, MountType, MountVolumeOptions,
    PortBinding,
};
use bollard::query_parameters::{
    CreateContainerOptions, LogsOptions, RemoveContainerOptions, StopContainerOptions,
};
use futures_util::StreamExt;

use crate::readiness;
use crate::timings::StartTimings;

/// The port craton listens on inside its image.
const SERVICE_PORT: &str = "8080/tcp";
/// Where the image keeps its database.
const DATA_DIR: &str = "/data";

/// What to create.
#[derive(Debug, Clone)]
pub struct Spec {
    pub image: String,
    pub name: String,
    pub labels: HashMap<String, String>,
    pub env: Vec<String>,
    /// A named volume to mount on the data directory (created by the engine, labelled).
    pub volume: Option<String>,
}

impl Spec {
    fn body(&self) -> ContainerCreateBody {
        let binding = PortBinding {
            host_ip: Some("127.0.0.1".to_owned()),
            // Empty: the engine picks a free ephemeral port; we read it back from inspect.
            host_port: Some(String::new()),
        };
        let mounts = self.volume.as_ref().map(|volume| {
            vec![Mount {
                target: Some(DATA_DIR.to_owned()),
                source: Some(volume.clone()),
                typ: Some(MountType::VOLUME),
                volume_options: Some(MountVolumeOptions {
                    labels: Some(self.labels.clone()),
                    ..Default::default()
                }),
                ..Default::default()
            }]
        });
        ContainerCreateBody {
            image: Some(self.image.clone()),
            env: Some(self.env.clone()),
            labels: Some(self.labels.clone()),
            exposed_ports: Some(vec![SERVICE_PORT.to_owned()]),
            // The image's HEALTHCHECK execs a process every interval; our own polling replaces
            // it and saves that CPU while many containers run side by side.
            healthcheck: Some(HealthConfig {
                test: Some(vec!["NONE".to_owned()]),
                ..Default::default()
            }),
            host_config: Some(HostConfig {
                port_bindings: Some(HashMap::from([(
                    SERVICE_PORT.to_owned(),
                    Some(vec![binding]),
                )])),
                mounts,
                ..Default::default()
            }),
            ..Default::default()
        }
    }
}

/// A container that answered `/healthz`.
#[derive(Debug, Clone)]
pub struct Running {
    pub id: String,
    pub port: u16,
    pub pid: i64,
}

/// Creates, starts and waits for a container. Whatever fails after the create, the container
/// is removed before the error is returned, and the error carries its logs.
pub async fn launch(
    docker: &Docker,
    spec: &Spec,
    ready_timeout: Duration,
) -> Result<(Running, StartTimings)> {
    let began = Instant::now();
    let options = CreateContainerOptions {
        name: Some(spec.name.clone()),
        ..Default::default()
    };
    let created = docker
        .create_container(Some(options), spec.body())
        .await
        .with_context(|| format!("creating container {} of {}", spec.name, spec.image))?;
    let create = began.elapsed();
    let outcome = start_and_wait(docker, &created.id, ready_timeout).await;
    match outcome {
        Ok((running, start)) => {
            let total = began.elapsed();
            Ok((
                running,
                StartTimings {
                    create,
                    start,
                    ready: total.saturating_sub(create + start),
                    total,
                },
            ))
        }
        Err(err) => {
            let logs = logs(docker, &created.id).await;
            let removed = remove(docker, &created.id, spec.volume.as_deref()).await;
            let mut err = err.context(format!("container {} did not become ready", spec.name));
            if let Err(removal) = removed {
                err = err.context(format!("and it could not be removed: {removal:#}"));
            }
            Err(err.context(format!("its logs:\n{}", indent(&logs))))
        }
    }
}

async fn start_and_wait(
    docker: &Docker,
    id: &str,
    ready_timeout: Duration,
) -> Result<(Running, Duration)> {
    let started = Instant::now();
    docker
        .start_container(id, None)
        .await
        .context("starting the container")?;
    let start = started.elapsed();
    let running = wait_ready(docker, id, ready_timeout).await?;
    Ok((running, start))
}

/// Reads the published port, then probes `/healthz` until it answers 200, the container
/// stops, or the deadline passes.
pub async fn wait_ready(docker: &Docker, id: &str, ready_timeout: Duration) -> Result<Running> {
    let deadline = Instant::now() + ready_timeout;
    let (port, pid) = published_port(docker, id).await?;
    let mut last_check = Instant::now();
    let mut attempt = 0;
    loop {
        let why = match readiness::probe(port).await {
            Ok(()) => {
                return Ok(Running {
                    id: id.to_owned(),
                    port,
                    pid,
                });
            }
            Err(why) => why,
        };
        if Instant::now() >= deadline {
            bail!(
                "127.0.0.1:{port}/healthz did not answer 200 within {ready_timeout:?} (last: {why})"
            );
        }
        // A crashed service never answers: look every half second instead of waiting out the
        // deadline.
        if last_check.elapsed() > Duration::from_millis(500) {
            last_check = Instant::now();
            let state = docker.inspect_container(id, None).await?.state;
            if let Some(state) = state.filter(|s| s.running != Some(true)) {
                bail!(
                    "the container stopped (exit code {}) before answering /healthz",
                    state.exit_code.unwrap_or_default()
                );
            }
        }
        tokio::time::sleep(readiness::backoff(attempt)).await;
        attempt += 1;
    }
}

/// The host port the engine gave the service port, and the service's pid.
async fn published_port(docker: &Docker, id: &str) -> Result<(u16, i64)> {
    let inspect = docker
        .inspect_container(id, None)
        .await
        .context("inspecting the container")?;
    let pid = inspect.state.as_ref().and_then(|s| s.pid).unwrap_or(0);
    let port = inspect
        .network_settings
        .and_then(|n| n.ports)
        .and_then(|mut ports| ports.remove(SERVICE_PORT))
        .flatten()
        .and_then(|bindings| bindings.into_iter().find_map(|b| b.host_port))
        .ok_or_else(|| anyhow!("the engine published no host port for {SERVICE_PORT}"))?;
    let port = port
        .parse()
        .with_context(|| format!("the engine published port {port:?}"))?;
    Ok((port, pid))
}

/// Stops the container (SIGTERM, then SIGKILL after 10 s), starts it again and waits until it
/// answers. The service really restarts: the answer comes from a new process.
pub async fn restart(docker: &Docker, id: &str, ready_timeout: Duration) -> Result<Running> {
    let before = published_port(docker, id).await?.1;
    let stop = StopContainerOptions {
        t: Some(10),
        ..Default::default()
    };
    docker
        .stop_container(id, Some(stop))
        .await
        .context("stopping the container")?;
    docker
        .start_container(id, None)
        .await
        .context("starting the container again")?;
    let running = wait_ready(docker, id, ready_timeout).await?;
    if running.pid == before {
        bail!("the container answers from the same process (pid {before}) after a restart");
    }
    Ok(running)
}

/// Everything the container wrote to stdout and stderr, or why it could not be read.
pub async fn logs(docker: &Docker, id: &str) -> String {
    let options = LogsOptions {
        stdout: true,
        stderr: true,
        timestamps: true,
        ..Default::default()
    };
    let mut stream = docker.logs(id, Some(options));
    let mut text = String::new();
    while let Some(chunk) = stream.next().await {
        match chunk {
            Ok(output) => text.push_str(&output.to_string()),
            Err(err) => {
                text.push_str(&format!("(could not read further logs: {err})\n"));
                break;
            }
        }
    }
    if text.is_empty() {
        text.push_str("(the container wrote nothing)\n");
    }
    text
}

/// Removes the container, its anonymous volumes and the named `volume` if any. Something
/// already gone (or being removed by a concurrent sweep) counts as removed.
pub async fn remove(docker: &Docker, id: &str, volume: Option<&str>) -> Result<()> {
    let options = RemoveContainerOptions {
        force: true,
        v: true,
        ..Default::default()
    };
    match docker.remove_container(id, Some(options)).await {
        Ok(()) => {}
        Err(err) if is_gone(&err) => {}
        Err(err) => return Err(err).with_context(|| format!("removing container {id}")),
    }
    if let Some(volume) = volume {
        match docker
            .remove_volume(
                volume,
                None::<bollard::query_parameters::RemoveVolumeOptions>,
            )
            .await
        {
            Ok(()) => {}
            Err(err) if is_gone(&err) => {}
            Err(err) => return Err(err).with_context(|| format!("removing volume {volume}")),
        }
    }
    Ok(())
}

/// 404: no such object; 409 "already in progress": someone else is removing it.
pub fn is_gone(err: &EngineError) -> bool {
    match err {
        EngineError::DockerResponseServerError {
            status_code,
            message,
        } => *status_code == 404 || (*status_code == 409 && message.contains("in progress")),
        _ => false,
    }
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("    {l}\n")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(volume: Option<&str>) -> Spec {
        Spec {
            image: "craton:test".into(),
            name: "craton-test-x".into(),
            labels: HashMap::from([("dev.craton.managed".into(), "true".into())]),
            env: vec!["A=1".into()],
            volume: volume.map(str::to_owned),
        }
    }

    #[test]
    fn the_service_port_is_published_on_loopback_at_an_ephemeral_port() {
        let body = spec(None).body();
        let bindings = body.host_config.unwrap().port_bindings.unwrap();
        let binding = &bindings[SERVICE_PORT].as_ref().unwrap()[0];
        assert_eq!(binding.host_ip.as_deref(), Some("127.0.0.1"));
        assert_eq!(binding.host_port.as_deref(), Some(""));
    }

    #[test]
    fn the_images_healthcheck_is_switched_off() {
        let test = spec(None).body().healthcheck.unwrap().test.unwrap();
        assert_eq!(test, ["NONE"]);
    }

    #[test]
    fn a_volume_is_mounted_on_the_data_directory_with_the_containers_labels() {
        let mounts = spec(Some("vol-1"))
            .body()
            .host_config
            .unwrap()
            .mounts
            .unwrap();
        assert_eq!(mounts[0].target.as_deref(), Some(DATA_DIR));
        assert_eq!(mounts[0].source.as_deref(), Some("vol-1"));
        let labels = mounts[0].volume_options.as_ref().unwrap().labels.as_ref();
        assert_eq!(labels.unwrap()["dev.craton.managed"], "true");
        assert!(spec(None).body().host_config.unwrap().mounts.is_none());
    }

    #[test]
    fn missing_and_in_progress_removals_count_as_gone() {
        let err = |status_code, message: &str| EngineError::DockerResponseServerError {
            status_code,
            message: message.into(),
        };
        assert!(is_gone(&err(404, "No such container")));
        assert!(is_gone(&err(
            409,
            "removal of container x is already in progress"
        )));
        assert!(!is_gone(&err(409, "conflict: unable to remove")));
        assert!(!is_gone(&err(500, "boom")));
    }
}
