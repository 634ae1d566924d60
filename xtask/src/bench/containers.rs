//! Per-test containers: time to ready and to removed for the testbed library, the Docker CLI
//! way and the raw Engine API floor, sampled in turns so a change in the machine's load hits
//! all of them alike; then what a test waits for at teardown and with a warm pool.

use std::time::{Duration, Instant};

use anyhow::Result;
use testbed::Options;

use super::docker_cli::MISSING;
use super::floor::{self, Lifecycle};
use super::pool_wait::{self, POOL_SIZE};
use super::report::{Row, Target};
use super::stats::{Series, Stats};
use super::{Bench, Findings, blocking};

const READY: &str = "ready container (create → first 200 from /healthz)";
const LIFECYCLE: &str = "full lifecycle (create → removed)";
const REMOVAL: &str = "removal";
const TEARDOWN: &str = "test's wait at teardown";
const POOL: &str = "test's wait for its container, warm pool";

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
    let pool = pool_wait::measure(bench, n).await;

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
            &format!("testbed, pool of {POOL_SIZE} kept full (tests come as fast as it refills)"),
            pool.kept_up.result(),
        )
        .compared_with("ready.floor", "floor")
        .compared_with("ready.cli", "CLI")
        .target(Target::at_most("ready.cli", "CLI", 0.6)),
        Row::new(
            "ready.pool.busy",
            POOL,
            &format!(
                "testbed, pool of {POOL_SIZE}, tests back to back ({} of {n} served by the pool)",
                pool.served
            ),
            pool.back_to_back.result(),
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
        "Warm pool: testbed's keeper (`testbed::pool::keep`, as `cargo xtask functional` runs \
         it) keeps {POOL_SIZE} ready containers in a spool directory; a test claims one with \
         `Testbed::start_in` (each container still goes to one test only) and its removal runs \
         in the background. The wait is from the call to a ready container, HTTP client \
         included. First {n} tests each come once the pool is full again, then {n} back to back \
         with one request each: faster than 2 cores can start containers, so once the pool is \
         empty a test starts its own, as testbed does."
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
    let (id, timings) = floor::start_timed(&bench.docker, &spec).await?;
    let ready = began.elapsed();
    let before_remove = Instant::now();
    floor::remove(&bench.docker, &id).await?;
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
        let bed = testbed::Testbed::start_in(&settings, "bench::testbed", &fresh())?;
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
        let bed = testbed::Testbed::start_in(&settings, "bench::teardown", &fresh())?;
        let began = Instant::now();
        drop(bed);
        let wait = began.elapsed();
        session.end()?;
        Ok(wait)
    })
    .await
}

/// Options that start a container for the test itself, never one from a pool.
fn fresh() -> Options {
    Options {
        fresh: true,
        ..Options::default()
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
