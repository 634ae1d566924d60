//! The one tokio runtime and Docker client a test process shares between its tests, so
//! synchronous tests (and `Drop`) can drive bollard without a runtime of their own.

use std::future::Future;
use std::sync::{OnceLock, mpsc};

use anyhow::{Context, Result, anyhow};
use bollard::Docker;
use tokio::runtime::Runtime;
use tokio::sync::OnceCell;

fn runtime() -> Result<&'static Runtime> {
    static RUNTIME: OnceLock<Result<Runtime, String>> = OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .thread_name("testbed")
                .enable_all()
                .build()
                .map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| anyhow!("cannot start the testbed's runtime: {e}"))
}

/// Runs `fut` on the shared runtime and waits for it. Works from any thread, including one
/// that is unwinding or already inside another runtime.
pub fn block_on<T: Send + 'static>(
    fut: impl Future<Output = Result<T>> + Send + 'static,
) -> Result<T> {
    let (tx, rx) = mpsc::sync_channel(1);
    runtime()?.spawn(async move {
        let _ = tx.send(fut.await);
    });
    rx.recv()
        .map_err(|_| anyhow!("the testbed's runtime dropped a task"))?
}

/// Starts `fut` on the shared runtime without waiting.
pub fn spawn(fut: impl Future<Output = ()> + Send + 'static) -> Result<()> {
    runtime()?.spawn(fut);
    Ok(())
}

/// The engine, connected once per process with the API version negotiated (hosts run engines
/// older than bollard's default).
pub async fn engine() -> Result<Docker> {
    static ENGINE: OnceCell<Docker> = OnceCell::const_new();
    ENGINE
        .get_or_try_init(|| async {
            let docker = Docker::connect_with_defaults()
                .context("cannot reach the Docker engine (is DOCKER_HOST right?)")?;
            docker
                .negotiate_version()
                .await
                .context("cannot reach the Docker engine: run `cargo xtask setup-docker`")
        })
        .await
        .cloned()
}
