//! The systemd host container, driven through the Engine API: create and start it, copy a file
//! in, run commands in it, wait for systemd, and remove it.

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use bollard::Docker;
use bollard::container::LogOutput;
use bollard::exec::StartExecResults;
use bollard::models::ExecConfig;
use bollard::query_parameters::{
    CreateContainerOptionsBuilder, ListContainersOptionsBuilder, RemoveContainerOptionsBuilder,
    UploadToContainerOptionsBuilder,
};
use bytes::Bytes;
use futures_util::StreamExt;

use super::boot::Boot;
use super::recipe::{OWNER_PID_LABEL, PURPOSE_LABEL, container_body, container_name};
use super::scenario::Outcome;
use crate::exit::{Code, Failure};

/// A created container, removed by `remove` (the runner calls it on every path).
pub struct Host {
    docker: Docker,
    pub name: String,
}

impl Host {
    /// Creates (does not start) the container for `image`, owned by this process.
    pub async fn create(docker: &Docker, image: &str) -> Result<Host> {
        let pid = std::process::id();
        let name = container_name(pid);
        let options = CreateContainerOptionsBuilder::default().name(&name).build();
        docker
            .create_container(Some(options), container_body(image, pid))
            .await
            .with_context(|| format!("creating container {name} from {image}"))?;
        Ok(Host {
            docker: docker.clone(),
            name,
        })
    }

    pub async fn start(&self) -> Result<()> {
        self.docker
            .start_container(&self.name, None)
            .await
            .with_context(|| format!("starting container {}", self.name))
    }

    /// Copies `content` into the container as `dir/file_name` (owned by root, with `mode`),
    /// through `PUT /containers/{id}/archive`: no shared directory with the host needed.
    pub async fn upload(
        &self,
        dir: &str,
        file_name: &str,
        content: &[u8],
        mode: u32,
    ) -> Result<()> {
        let mut header = tar::Header::new_gnu();
        header.set_size(content.len() as u64);
        header.set_mode(mode);
        header.set_uid(0);
        header.set_gid(0);
        header.set_mtime(0);
        header.set_entry_type(tar::EntryType::Regular);
        let mut archive = tar::Builder::new(Vec::with_capacity(content.len() + 2048));
        archive
            .append_data(&mut header, file_name, content)
            .context("archiving the file to upload")?;
        let archive = archive
            .into_inner()
            .context("finishing the upload archive")?;
        let options = UploadToContainerOptionsBuilder::default().path(dir).build();
        self.docker
            .upload_to_container(
                &self.name,
                Some(options),
                bollard::body_full(Bytes::from(archive)),
            )
            .await
            .with_context(|| format!("uploading {file_name} into {}:{dir}", self.name))
    }

    /// Runs `argv` as root and collects its output and exit code, within `timeout`.
    pub async fn exec(&self, argv: &[String], timeout: Duration) -> Result<Outcome> {
        let config = ExecConfig {
            cmd: Some(argv.to_vec()),
            attach_stdout: Some(true),
            attach_stderr: Some(true),
            ..Default::default()
        };
        let exec = self
            .docker
            .create_exec(&self.name, config)
            .await
            .with_context(|| format!("creating exec of {argv:?}"))?;
        let collect = async {
            let mut outcome = Outcome::default();
            match self.docker.start_exec(&exec.id, None).await? {
                StartExecResults::Attached { mut output, .. } => {
                    while let Some(chunk) = output.next().await {
                        match chunk? {
                            LogOutput::StdOut { message } => {
                                outcome.stdout.push_str(&String::from_utf8_lossy(&message))
                            }
                            LogOutput::StdErr { message } => {
                                outcome.stderr.push_str(&String::from_utf8_lossy(&message))
                            }
                            _ => {}
                        }
                    }
                }
                StartExecResults::Detached => {}
            }
            Ok::<_, bollard::errors::Error>(outcome)
        };
        let mut outcome = tokio::time::timeout(timeout, collect)
            .await
            .map_err(|_| {
                Failure::new(
                    Code::TestsFailed,
                    format!("{argv:?} did not finish within {timeout:?}"),
                )
            })?
            .with_context(|| format!("running {argv:?}"))?;
        let inspect = self
            .docker
            .inspect_exec(&exec.id)
            .await
            .with_context(|| format!("reading the exit code of {argv:?}"))?;
        outcome.exit_code = inspect
            .exit_code
            .with_context(|| format!("the engine reported no exit code for {argv:?}"))?;
        Ok(outcome)
    }

    /// Polls `systemctl is-system-running` until systemd is up; returns the state it reached.
    pub async fn wait_for_systemd(&self, deadline: Duration) -> Result<String> {
        let started = Instant::now();
        let argv = ["systemctl".to_string(), "is-system-running".to_string()];
        let mut last = String::new();
        while started.elapsed() < deadline {
            let outcome = self.exec(&argv, Duration::from_secs(30)).await?;
            match Boot::from_output(&outcome.stdout) {
                Boot::Up(state) => return Ok(state),
                Boot::Down(state) => bail!(Failure::new(
                    Code::TestsFailed,
                    format!(
                        "systemd in {} went to {state:?} instead of running",
                        self.name
                    )
                )),
                Boot::Booting(state) => last = state,
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        bail!(Failure::new(
            Code::TestsFailed,
            format!(
                "systemd in {} was not running after {deadline:?} (last state {last:?})",
                self.name
            )
        ))
    }

    /// Force-removes the container and its anonymous volumes.
    pub async fn remove(&self) -> Result<()> {
        remove(&self.docker, &self.name).await
    }
}

async fn remove(docker: &Docker, name: &str) -> Result<()> {
    let options = RemoveContainerOptionsBuilder::default()
        .force(true)
        .v(true)
        .build();
    docker
        .remove_container(name, Some(options))
        .await
        .map_err(|err| {
            Failure::new(
                Code::CleanupFailed,
                format!("cannot remove container {name}: {err}"),
            )
            .into()
        })
}

/// Removes containers of earlier runs that were killed before they could clean up (their
/// owner's pid is gone); a run still going on the same engine keeps its container.
pub async fn remove_leftovers(docker: &Docker) -> Result<()> {
    let filters = HashMap::from([(
        "label".to_string(),
        vec![format!("{}={}", PURPOSE_LABEL.0, PURPOSE_LABEL.1)],
    )]);
    let options = ListContainersOptionsBuilder::default()
        .all(true)
        .filters(&filters)
        .build();
    let containers = docker
        .list_containers(Some(options))
        .await
        .context("listing leftover systemd-e2e containers")?;
    for container in containers {
        let owner = container
            .labels
            .as_ref()
            .and_then(|labels| labels.get(OWNER_PID_LABEL))
            .and_then(|pid| pid.parse::<u32>().ok());
        let alive = owner.is_some_and(|pid| Path::new(&format!("/proc/{pid}")).exists());
        if alive {
            continue;
        }
        let Some(id) = container.id else { continue };
        let name = container
            .names
            .and_then(|names| names.first().cloned())
            .unwrap_or_else(|| id.clone());
        eprintln!("    removing container {name} left by a run that is gone");
        remove(docker, &id).await?;
    }
    Ok(())
}
