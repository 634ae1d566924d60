//! The usual way, as the reference the bench compares against: the `docker` CLI, run as a user
//! or a docker-py script would. This is the one place in xtask that runs the CLI, and only to
//! time it; when it is not installed, its rows say so instead of failing the bench.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, anyhow, bail};
use xshell::{Shell, cmd};

use super::floor::Lifecycle;
use super::probe;

/// A `docker` program found on PATH.
#[derive(Debug, Clone)]
pub struct DockerCli {
    program: PathBuf,
}

/// The longest any one docker command may take (a cold build takes seconds).
const COMMAND_LIMIT: std::time::Duration = std::time::Duration::from_secs(120);

/// What a row says when there is no CLI to compare with.
pub const MISSING: &str = "docker CLI not installed";

impl DockerCli {
    pub fn find() -> Option<Self> {
        which::which("docker").ok().map(|program| Self { program })
    }

    pub fn program(&self) -> &Path {
        &self.program
    }

    /// `docker version`'s client version, for the notes (`?` when it will not say).
    pub async fn client_version(&self) -> String {
        self.run(&["version", "--format", "{{.Client.Version}}"], &[])
            .await
            .map_or_else(|_| "?".to_owned(), |v| v.trim().to_owned())
    }

    /// `docker run -d -p 127.0.0.1::8080`, `docker port`, probe, `docker rm -fv`.
    pub async fn lifecycle(
        &self,
        image: &str,
        labels: &HashMap<String, String>,
    ) -> Result<Lifecycle> {
        let began = Instant::now();
        let mut args = vec!["run", "-d", "-p", "127.0.0.1::8080"];
        let labels: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
        for label in &labels {
            args.extend(["--label", label]);
        }
        args.push(image);
        let id = self.run(&args, &[]).await?.trim().to_owned();
        let answered = async {
            let port = parse_port(&self.run(&["port", &id, "8080/tcp"], &[]).await?)?;
            probe::until_ready(port).await
        }
        .await;
        let ready = began.elapsed();
        // -v: the image declares VOLUME /data; without it every sample would leave a volume.
        let removed = self.run(&["rm", "-fv", &id], &[]).await;
        answered?;
        removed?;
        Ok(Lifecycle {
            ready,
            removed: began.elapsed(),
        })
    }

    /// `docker build [--no-cache] -t TAG --label K=V... DIR` with the classic builder, the
    /// one `build-image` drives through the API (this CLI has no buildx to pick BuildKit).
    pub async fn build(
        &self,
        dir: &Path,
        tag: &str,
        labels: &[(String, String)],
        no_cache: bool,
    ) -> Result<()> {
        let labels: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let dir = dir.to_string_lossy().into_owned();
        let mut args = vec!["build", "--quiet", "-t", tag];
        if no_cache {
            args.push("--no-cache");
        }
        for label in &labels {
            args.extend(["--label", label]);
        }
        args.push(&dir);
        self.run(&args, &[("DOCKER_BUILDKIT", "0")]).await.map(drop)
    }

    /// `docker rmi $(docker images -q --filter dangling=true)`: answers how many it named.
    pub async fn rmi_dangling(&self) -> Result<usize> {
        let listed = self
            .run(&["images", "-q", "--filter", "dangling=true"], &[])
            .await?;
        let ids: Vec<&str> = listed.split_whitespace().collect();
        if !ids.is_empty() {
            let mut args = vec!["rmi"];
            args.extend(&ids);
            self.run(&args, &[]).await?;
        }
        Ok(ids.len())
    }

    /// `docker image prune -f`.
    pub async fn prune_dangling(&self) -> Result<()> {
        self.run(&["image", "prune", "-f"], &[]).await.map(drop)
    }

    /// Runs `docker ARGS...` off the async threads; stdout, or an error with stderr.
    async fn run(&self, args: &[&str], env: &[(&str, &str)]) -> Result<String> {
        let program = self.program.clone();
        let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let what = format!("`docker {}`", args.join(" "));
        let run = super::blocking(move || run_blocking(&program, &args, &env));
        super::bounded(&what, COMMAND_LIMIT, run).await
    }
}

fn run_blocking(program: &Path, args: &[String], env: &[(String, String)]) -> Result<String> {
    let sh = Shell::new()?;
    let mut command = cmd!(sh, "{program} {args...}").quiet().ignore_status();
    for (key, value) in env {
        command = command.env(key, value);
    }
    let output = command
        .output()
        .with_context(|| format!("running {}", program.display()))?;
    if !output.status.success() {
        bail!(
            "`docker {}` failed ({}): {}",
            args.join(" "),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// The host port in `docker port`'s answer (`127.0.0.1:49153`, one line per binding).
pub fn parse_port(answer: &str) -> Result<u16> {
    answer
        .lines()
        .filter_map(|line| line.trim().rsplit_once(':'))
        .find_map(|(_, port)| port.parse().ok())
        .ok_or_else(|| anyhow!("`docker port` named no host port: {answer:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_host_port_is_read_from_docker_port() {
        assert_eq!(parse_port("127.0.0.1:49153\n").unwrap(), 49153);
        assert_eq!(parse_port("[::1]:40000\n127.0.0.1:40001\n").unwrap(), 40000);
        assert!(parse_port("").is_err());
        assert!(parse_port("no port here").is_err());
    }
}
