//! A test's wait for its container with testbed's warm pool: the keeper (`pool::keep`, as
//! `cargo xtask functional` runs it) keeps a few ready containers in a spool directory and
//! `Testbed::start_in` claims one, so neither the engine's start nor the removal is on the
//! test's path while the pool keeps up.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow};
use testbed::Options;
use testbed::pool::{self, PoolSpec};
use testbed::spool::Spool;
use tokio::sync::watch;

use super::stats::Series;
use super::{Bench, blocking, probe};

/// Containers the pool keeps started ahead of the tests.
pub const POOL_SIZE: usize = 4;

/// What tests waited for their containers from testbed's warm pool.
#[derive(Default)]
pub struct PoolWaits {
    /// Each test came when the pool was full (the pool kept up with the tests).
    pub kept_up: Series,
    /// Tests back to back, one request each: faster than the engine can refill.
    pub back_to_back: Series,
    /// Of the back-to-back tests, how many got a pooled container (the others started their own).
    pub served: usize,
}

/// A test's wait for its container with testbed's warm pool: the keeper (`pool::keep`, as
/// `cargo xtask functional` runs it) keeps [`POOL_SIZE`] ready containers in a spool directory
/// and `Testbed::start_in` claims one.
pub async fn measure(bench: &Bench, n: usize) -> PoolWaits {
    eprintln!("==> containers: testbed's warm pool of {POOL_SIZE}, 2 × {n} tests");
    let dir = std::env::temp_dir().join(format!("craton-{}-spool", bench.run));
    let mut waits = PoolWaits::default();
    if let Err(err) = pool_run(bench, n, &dir, &mut waits).await {
        let why = format!("failed: {err:#}");
        waits.kept_up.fail(why.clone());
        waits.back_to_back.fail(why);
    }
    let _ = std::fs::remove_dir_all(&dir);
    waits
}

async fn pool_run(bench: &Bench, n: usize, dir: &Path, waits: &mut PoolWaits) -> Result<()> {
    let spool = Spool::open(dir)?;
    let (stop, stopped) = watch::channel(false);
    let spec = PoolSpec {
        image: bench.image.clone(),
        run: bench.run.clone(),
        owner: bench.owner.clone(),
        size: POOL_SIZE,
        ready_timeout: probe::DEADLINE,
        timings_file: None,
    };
    let keeper = tokio::spawn(pool::keep(
        bench.docker.clone(),
        spec,
        spool.clone(),
        stopped,
    ));
    let mut settings = bench.testbed_settings();
    settings.spool_dir = Some(dir.to_path_buf());
    let session = testbed::Session::begin();
    let outcome = async {
        for _ in 0..n {
            // The pool kept up: the test comes when every container it keeps is ready.
            pool_full(&spool).await?;
            let (wait, _) = pool_test(&settings).await?;
            waits.kept_up.push(wait);
        }
        pool_full(&spool).await?;
        for _ in 0..n {
            let (wait, pooled) = pool_test(&settings).await?;
            waits.back_to_back.push(wait);
            waits.served += usize::from(pooled);
        }
        anyhow::Ok(())
    }
    .await;
    let _ = stop.send(true);
    let kept = keeper.await.context("the pool's keeper ended abnormally");
    // Removals of the tests' containers ran in the background: wait for them, off the clock.
    let ended = blocking(move || session.end()).await;
    // The keeper leaves the containers still offered to the run's clean-up; they go now, or
    // they would keep the image under test in use (and dangling after a cold build).
    let swept = testbed::sweep::remove_run(&bench.docker, &bench.run).await;
    outcome?;
    kept?;
    ended?;
    let swept = swept?;
    match swept.failures.first() {
        Some(failure) => Err(anyhow!("removing the pool's last containers: {failure}")),
        None => Ok(()),
    }
}

/// Waits (at most a minute) until the spool offers [`POOL_SIZE`] ready containers.
async fn pool_full(spool: &Spool) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(60);
    while spool.ready()? < POOL_SIZE {
        if Instant::now() >= deadline {
            return Err(anyhow!("the pool did not fill within 60 s"));
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    Ok(())
}

/// One test: its wait for a container, whether the pool served it, one request, drop.
async fn pool_test(settings: &testbed::Settings) -> Result<(Duration, bool)> {
    let settings = settings.clone();
    blocking(move || {
        let began = Instant::now();
        let bed = testbed::Testbed::start_in(&settings, "bench::pool", &Options::default())?;
        let wait = began.elapsed();
        // A container started for the test itself has start timings; a pooled one has none.
        let pooled = bed.timings().total.is_zero();
        let reply = bed.api().get("/healthz");
        if reply.status != 200 {
            return Err(anyhow!("a pooled container answered {}", reply.status));
        }
        Ok((wait, pooled))
    })
    .await
}
