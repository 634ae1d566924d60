//! The one way xtask talks to Docker: bollard over the local socket (or `DOCKER_HOST`),
//! with the API version negotiated, since hosts run engines older than bollard's default.

use anyhow::Result;
use bollard::Docker;

use crate::exit::{Code, Failure};

/// Connects and negotiates the API version; fails with `EngineUnreachable` and a hint.
pub async fn connect() -> Result<Docker> {
    let unreachable = |err: bollard::errors::Error| {
        Failure::new(
            Code::EngineUnreachable,
            format!("cannot reach the Docker engine: {err}"),
        )
        .hint("run `cargo xtask setup-docker` (as root or with password-free sudo)")
    };
    let docker = Docker::connect_with_defaults().map_err(unreachable)?;
    let docker = docker.negotiate_version().await.map_err(unreachable)?;
    docker.ping().await.map_err(unreachable)?;
    Ok(docker)
}
