//! A warm pool: containers started ahead of the tests that will use them, each still used by
//! one test only. The keeper (run by `cargo xtask functional` next to the tests) keeps `size`
//! ready containers offered in a [`Spool`], replaces each one a test claims, and removes the
//! containers tests hand back, so a test neither waits for an engine start nor for a removal.

use std::path::PathBuf;
use std::time::Duration;

use bollard::Docker;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::container::{self, Spec};
use crate::identity::{self, Credentials};
use crate::labels;
use crate::spool::{Offer, Spool};

/// The `dev.craton.test` label of a pooled container: the test that claims it is not known
/// when it is created (its name changes to say so, see [`crate::Testbed`]).
pub const POOLED: &str = "(pool)";
/// After this many launches fail in a row the keeper stops launching: tests then start their
/// own containers and report the engine's error themselves.
const FAILURES_BEFORE_GIVING_UP: usize = 3;

/// What the keeper keeps.
#[derive(Debug, Clone)]
pub struct PoolSpec {
    pub image: String,
    pub run: String,
    pub owner: String,
    /// Ready containers to keep offered.
    pub size: usize,
    pub ready_timeout: Duration,
    pub timings_file: Option<PathBuf>,
}

/// What the keeper did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PoolStats {
    pub started: usize,
    pub failed: usize,
    pub removed: usize,
}

/// Runs until `stop` turns true; then removes what tests handed back and answers. Containers
/// still offered are left to the run's clean-up (they carry the run's labels).
pub async fn keep(
    docker: Docker,
    spec: PoolSpec,
    spool: Spool,
    mut stop: watch::Receiver<bool>,
) -> PoolStats {
    let mut stats = PoolStats::default();
    let mut launching: JoinSet<anyhow::Result<()>> = JoinSet::new();
    let mut removing: JoinSet<anyhow::Result<()>> = JoinSet::new();
    let mut failures_in_a_row = 0;
    loop {
        reap(&docker, &spool, &mut removing);
        if *stop.borrow() {
            break;
        }
        let ready = spool.ready().unwrap_or(spec.size);
        let wanted = spec.size.saturating_sub(ready + launching.len());
        if failures_in_a_row < FAILURES_BEFORE_GIVING_UP {
            for _ in 0..wanted {
                launching.spawn(launch(docker.clone(), spec.clone(), spool.clone()));
            }
        }
        while let Some(done) = launching.try_join_next() {
            match done {
                Ok(Ok(())) => {
                    stats.started += 1;
                    failures_in_a_row = 0;
                }
                Ok(Err(err)) => {
                    stats.failed += 1;
                    failures_in_a_row += 1;
                    eprintln!("pool: {err:#}");
                }
                Err(_) => stats.failed += 1,
            }
        }
        while let Some(done) = removing.try_join_next() {
            match done {
                Ok(Ok(())) => stats.removed += 1,
                Ok(Err(err)) => eprintln!("pool: {err:#}"),
                Err(_) => {}
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_millis(10)) => {}
            _ = stop.changed() => {}
        }
    }
    // A launch cut short may leave a container: the run's clean-up removes it by label.
    launching.abort_all();
    reap(&docker, &spool, &mut removing);
    while let Some(done) = removing.join_next().await {
        if let Ok(Ok(())) = done {
            stats.removed += 1;
        }
    }
    stats
}

fn reap(docker: &Docker, spool: &Spool, removing: &mut JoinSet<anyhow::Result<()>>) {
    for removal in spool.take_removals().unwrap_or_default() {
        let docker = docker.clone();
        removing.spawn(async move {
            container::remove(&docker, &removal.id, removal.volume.as_deref()).await
        });
    }
}

async fn launch(docker: Docker, spec: PoolSpec, spool: Spool) -> anyhow::Result<()> {
    let credentials = Credentials::random();
    let mut container_labels = labels::for_test(&spec.run, &spec.owner, POOLED);
    container_labels.insert(labels::POOL.to_owned(), spec.run.clone());
    let container = Spec {
        image: spec.image.clone(),
        name: format!("craton-pool-{}", identity::random_hex(6)),
        labels: container_labels,
        env: credentials.bootstrap_env(),
        volume: None,
    };
    let (running, timings) = container::launch(&docker, &container, spec.ready_timeout).await?;
    if let Some(file) = &spec.timings_file {
        timings.append_to(file, POOLED, None);
    }
    spool.offer(&Offer {
        id: running.id,
        name: container.name,
        port: running.port,
        project: credentials.project,
        user: credentials.user,
        token: credentials.token,
    })
}
