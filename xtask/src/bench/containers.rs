//! Per-test containers: time to ready and to removed for the testbed library, the Docker CLI
//! way and the raw Engine API floor, sampled in turns so a change in the machine's load hits
//! all of them alike; then what a test waits for at teardown and with a warm pool.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow};
use futures_util::future::join_all;
use tokio::sync::{Semaphore, mpsc};

use super::docker_cli::MISSING;
use super::floor::{self, Lifecycle};
use super::report::{Row, Target};
use super::stats::{Series, Stats};
use super::{Bench, Findings, blocking};

const READY: &str = "ready container (create → first 200 from /healthz)";
const LIFECYCLE: &str = "full lifecycle (create → removed)";
const REMOVAL: &str = "removal";
const TEARDOWN: &str = "test's wait at teardown";
const POOL: &str = "test's wait for its container, warm pool";

/// Containers a pool keeps started ahead of the tests.
pub const POOL_SIZE: usize = 4;

#[derive(Default)]
struct Way {
    ready: Series,
    removed: Series,
}

impl Way {
    fn record(&mut self, sample: Result<Lifecycle>, n: usize) {
        match sample {
            Ok(s) => {
                self.ready.push(s.ready);
                self.removed.push(s.removed);
            }
            Err(err) => {
                let why = format!("failed at sample {n}: {err:#}");
                self.ready.fail(why.clone());
                self.removed.fail(why);
            }
        }
    }

    fn is_open(&self) -> bool {
        self.ready.is_open()
    }
}

/// Where the time of a start went, per way, for the notes.
#[derive(Default)]
struct Phases {
    floor_create: Vec<Duration>,
    floor_start: Vec<Duration>,
    floor_answer: Vec<Duration>,
    floor_remove: Vec<Duration>,
    testbed_create: Vec<Duration>,
    testbed_start: Vec<Duration>,
    testbed_ready: Vec<Duration>,
}

pub async fn measure(bench: &Bench) -> Result<Findings> {
    let n = bench.samples.containers;
    let mut floor_way = Way::default();
    let mut cli_way = Way::default();
    let mut testbed_way = Way::default();
    let mut removal = Series::default();
    let mut teardown = Series::default();
    let mut phases = Phases::default();
    if bench.cli.is_none() {
        cli_way.ready = Series::unavailable(MISSING);
        cli_way.removed = Series::unavailable(MISSING);
    }
    // Sample 0 warms up each way (first connection, page cache) and is not counted.
    for i in 0..=n {
        eprint!("\r==> containers: sample {i}/{n}");
        let counted = i > 0;
        if floor_way.is_open() {
            let sample = floor_sample(bench, &mut phases, counted).await;
            if let Ok(s) = &sample {
                if counted {
                    removal.push(s.removed - s.ready);
                }
            }
            if counted || sample.is_err() {
                floor_way.record(sample, i);
            }
        }
        if let (Some(cli), true) = (&bench.cli, cli_way.is_open()) {
            let sample = cli
                .lifecycle(&bench.image, &bench.labels("bench::cli"))
                .await;
            if counted || sample.is_err() {
                cli_way.record(sample, i);
            }
        }
        if testbed_way.is_open() {
            let sample = testbed_sample(bench, &mut phases, counted).await;
            if counted || sample.is_err() {
                testbed_way.record(sample, i);
            }
        }
        if teardown.is_open() {
            match teardown_sample(bench).await {
                Ok(wait) if counted => teardown.push(wait),
                Ok(_) => {}
                Err(err) => teardown.fail(format!("failed at sample {i}: {err:#}")),
            }
        }
    }
    eprintln!();
    let pool = pool_waits(bench, n).await;

    let floor = "Engine API floor (bollard: create, start, inspect, probe)";
    let cli = "docker CLI (`run -d -p 127.0.0.1::8080`, `port`, probe, `rm -fv`)";
    let testbed = "testbed (`Testbed::start`, drop outside a Session)";
    let rows = vec![
        Row::new("ready.floor", READY, floor, floor_way.ready.result()),
        Row::new("ready.cli", READY, cli, cli_way.ready.result()),
        Row::new("ready.testbed", READY, testbed, testbed_way.ready.result())
            .compared_with("ready.floor", "floor")
            .compared_with("ready.cli", "CLI")
            .target(Target::at_most("ready.floor", "floor", 1.05))
            .target(Target::at_most("ready.cli", "CLI", 0.6)),
        Row::new(
            "ready.pool",
            POOL,
            &format!("pool of {POOL_SIZE} started ahead over the Engine API, tests back to back"),
            pool.result(),
        )
        .compared_with("ready.floor", "floor"),
        Row::new(
            "lifecycle.floor",
            LIFECYCLE,
            floor,
            floor_way.removed.result(),
        ),
        Row::new("lifecycle.cli", LIFECYCLE, cli, cli_way.removed.result()),
        Row::new(
            "lifecycle.testbed",
            LIFECYCLE,
            testbed,
            testbed_way.removed.result(),
        )
        .compared_with("lifecycle.floor", "floor")
        .compared_with("lifecycle.cli", "CLI"),
        Row::new(
            "removal.floor",
            REMOVAL,
            "Engine API floor (`DELETE /containers/ID?force&v`)",
            removal.result(),
        ),
        Row::new(
            "teardown.testbed",
            TEARDOWN,
            "testbed (drop inside a Session: removal in the background)",
            teardown.result(),
        )
        .compared_with("removal.floor", "removal")
        .target(Target::Under(Duration::from_millis(5))),
    ];
    let mut notes = vec![format!(
        "Containers: {n} samples per way, taken in turns (floor, CLI, testbed, testbed in a \
         Session) after one warm-up round. Ready means the first `200` from `GET /healthz` on the \
         port published on 127.0.0.1; the floor and the CLI probe every {} ms, testbed with its \
         own backoff (2 ms doubling to 25 ms).",
        super::probe::PAUSE.as_millis()
    )];
    notes.push(phase_note(&phases));
    notes.push(format!(
        "Warm pool: {POOL_SIZE} containers started ahead of the tests and refilled as each test \
         takes one (each used by one test only, removed in the background); {n} tests back to \
         back, each one request long: the worst case, since real tests leave the pool more time \
         to refill. A bench-side sketch over the Engine API: testbed has no pool yet."
    ));
    Ok(Findings { rows, notes })
}

/// One floor sample; its phases are recorded when `counted`.
async fn floor_sample(bench: &Bench, phases: &mut Phases, counted: bool) -> Result<Lifecycle> {
    let spec = floor::Spec {
        image: bench.image.clone(),
        labels: bench.labels("bench::floor"),
    };
    let began = Instant::now();
    let (started, timings) = floor::start_timed(&bench.docker, &spec).await?;
    let ready = began.elapsed();
    let before_remove = Instant::now();
    floor::remove(&bench.docker, &started.id).await?;
    if counted {
        phases.floor_create.push(timings.create);
        phases.floor_start.push(timings.start);
        phases.floor_answer.push(timings.answer);
        phases.floor_remove.push(before_remove.elapsed());
    }
    Ok(Lifecycle {
        ready,
        removed: began.elapsed(),
    })
}

/// One testbed sample: start, then drop outside a Session (removal before drop returns).
async fn testbed_sample(bench: &Bench, phases: &mut Phases, counted: bool) -> Result<Lifecycle> {
    let settings = bench.testbed_settings();
    let (lifecycle, timings) = blocking(move || {
        let began = Instant::now();
        let bed = testbed::Testbed::start_in(&settings, "bench::testbed", &Default::default())?;
        let ready = began.elapsed();
        let timings = bed.timings();
        drop(bed);
        Ok((
            Lifecycle {
                ready,
                removed: began.elapsed(),
            },
            timings,
        ))
    })
    .await?;
    if counted {
        phases.testbed_create.push(timings.create);
        phases.testbed_start.push(timings.start);
        phases.testbed_ready.push(timings.ready);
    }
    Ok(lifecycle)
}

/// How long a test's `drop` of its testbed takes inside a Session (as under the functional
/// harness); the session then waits for the removal, off the clock.
async fn teardown_sample(bench: &Bench) -> Result<Duration> {
    let settings = bench.testbed_settings();
    blocking(move || {
        let session = testbed::Session::begin();
        let bed = testbed::Testbed::start_in(&settings, "bench::teardown", &Default::default())?;
        let began = Instant::now();
        drop(bed);
        let wait = began.elapsed();
        session.end()?;
        Ok(wait)
    })
    .await
}

/// A test's wait for a ready container from a pool of [`POOL_SIZE`] started ahead.
async fn pool_waits(bench: &Bench, n: usize) -> Series {
    eprintln!("==> containers: warm pool of {POOL_SIZE}, {n} tests");
    match pool_run(bench, n).await {
        Ok(waits) => {
            let mut series = Series::default();
            waits.into_iter().for_each(|w| series.push(w));
            series
        }
        Err(err) => Series::unavailable(format!("failed: {err:#}")),
    }
}

async fn pool_run(bench: &Bench, n: usize) -> Result<Vec<Duration>> {
    let permits = Arc::new(Semaphore::new(POOL_SIZE));
    let (ready_tx, mut ready_rx) = mpsc::channel::<Result<floor::Started>>(POOL_SIZE);
    let spec = floor::Spec {
        image: bench.image.clone(),
        labels: bench.labels("bench::pool"),
    };
    let docker = bench.docker.clone();
    let filler = tokio::spawn({
        let permits = permits.clone();
        async move {
            let mut starts = Vec::new();
            for _ in 0..n {
                // A permit per container alive and not yet taken: the pool's size.
                let Ok(permit) = permits.clone().acquire_owned().await else {
                    break;
                };
                let (docker, spec, tx) = (docker.clone(), spec.clone(), ready_tx.clone());
                starts.push(tokio::spawn(async move {
                    let started = floor::start(&docker, &spec).await;
                    permit.forget();
                    let _ = tx.send(started).await;
                }));
            }
            join_all(starts).await;
        }
    });
    // The pool fills while the suite builds and compiles; the first test comes once it is full.
    let fill_deadline = Instant::now() + Duration::from_secs(60);
    while ready_rx.len() < POOL_SIZE.min(n) && Instant::now() < fill_deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let mut waits = Vec::with_capacity(n);
    let mut removals = Vec::with_capacity(n);
    let mut failure = None;
    for _ in 0..n {
        let began = Instant::now();
        let taken = tokio::time::timeout(Duration::from_secs(60), ready_rx.recv()).await;
        let wait = began.elapsed();
        let started = match taken {
            Ok(Some(Ok(started))) => started,
            Ok(Some(Err(err))) => {
                failure = Some(err);
                break;
            }
            Ok(None) | Err(_) => {
                failure = Some(anyhow!("the pool gave no container within 60 s"));
                break;
            }
        };
        permits.add_permits(1);
        waits.push(wait);
        // The test: one request. Then its container goes, off the next test's path.
        let answered = super::probe::until_ready(started.port).await;
        let docker = bench.docker.clone();
        removals.push(tokio::spawn(async move {
            floor::remove(&docker, &started.id).await
        }));
        if let Err(err) = answered {
            failure = Some(err.context("a pooled container did not answer its test"));
            break;
        }
    }
    permits.close();
    filler
        .await
        .context("the pool's filler task ended abnormally")?;
    while let Ok(left) = ready_rx.try_recv() {
        if let Ok(started) = left {
            removals.push({
                let docker = bench.docker.clone();
                tokio::spawn(async move { floor::remove(&docker, &started.id).await })
            });
        }
    }
    for removal in join_all(removals).await {
        removal.context("a removal task ended abnormally")??;
    }
    match failure {
        Some(err) => Err(err),
        None => Ok(waits),
    }
}

fn phase_note(p: &Phases) -> String {
    let median = |samples: &[Duration]| {
        Stats::of(samples).map_or("?".to_owned(), |s| super::report::human(s.median))
    };
    format!(
        "Where a start goes (medians). Floor: create {}, start {}, port + first 200 {}, \
         remove {}. Testbed: create {}, start {}, port + first 200 {}.",
        median(&p.floor_create),
        median(&p.floor_start),
        median(&p.floor_answer),
        median(&p.floor_remove),
        median(&p.testbed_create),
        median(&p.testbed_start),
        median(&p.testbed_ready),
    )
}
