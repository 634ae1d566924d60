//! [`Testbed`]: one test's own container of the image under test, from start to removal.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Result, anyhow};

use crate::container::{self, Spec};
use crate::identity::{self, Credentials};
use crate::spool::{Removal, Spool};
use crate::timings::{self, StartTimings};
use crate::{Api, Settings, labels, reaper, runtime};

/// A running container for one test, ready to answer. Dropping it removes the container (and
/// its volume); when the test failed (it panicked, or [`Testbed::mark_failed`] was called) the
/// container's logs are saved under the logs directory first.
#[derive(Debug)]
pub struct Testbed {
    test: String,
    name: String,
    id: String,
    port: u16,
    volume: Option<String>,
    credentials: Credentials,
    timings: StartTimings,
    ready_timeout: Duration,
    logs_dir: Option<PathBuf>,
    failed: AtomicBool,
    client: reqwest::blocking::Client,
    /// Where to hand the container back when it came from the warm pool.
    spool: Option<Spool>,
}

/// How to start a testbed; [`Testbed::start`] takes the defaults.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Keep the database on a named volume (labelled like the container, removed with it), for
    /// tests that restart the service.
    pub data_volume: bool,
    /// More `NAME=value` environment for the service, after the bootstrap credentials.
    pub extra_env: Vec<String>,
    /// Save a failed test's logs here instead of under `CRATON_TEST_LOGS`.
    pub logs_dir: Option<PathBuf>,
    /// Start a container for this test even when a warm pool offers ready ones.
    pub fresh: bool,
}

impl Options {
    /// Whether a pooled container (started with the defaults) fits.
    fn poolable(&self) -> bool {
        !self.fresh && !self.data_volume && self.extra_env.is_empty()
    }
}

impl Testbed {
    /// Starts a container for `test` with the process's [`Settings`] (from the environment).
    pub fn start(test: &str) -> Result<Self> {
        Self::start_with(test, &Options::default())
    }

    /// Like [`Testbed::start`], with a volume for the database.
    pub fn start_with_volume(test: &str) -> Result<Self> {
        let options = Options {
            data_volume: true,
            ..Options::default()
        };
        Self::start_with(test, &options)
    }

    pub fn start_with(test: &str, options: &Options) -> Result<Self> {
        Self::start_in(shared_settings()?, test, options)
    }

    /// Like [`Testbed::start_with`], with the settings given instead of read from the
    /// environment: for a program that built its own image (`cargo xtask bench`) and cannot
    /// set environment variables for itself without `unsafe`.
    pub fn start_in(settings: &Settings, test: &str, options: &Options) -> Result<Self> {
        if !settings.owner_alive() {
            anyhow::bail!(
                "run {} is over: its owner {} is gone (killed?), so no container is started",
                settings.run,
                settings.owner
            );
        }
        let began = Instant::now();
        let client = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| anyhow!("cannot build the HTTP client: {e}"))?;
        // When the pool is empty the test starts its own container rather than wait: measured
        // on 2 cores, waiting for the keeper made both the suite and the waits slower.
        if options.poolable()
            && let Some(spool) = shared_spool(settings)?
            && let Some(offer) = spool.claim(std::process::id() as usize)?
        {
            if let Some(file) = &settings.timings_file {
                timings::append_wait(file, test, began.elapsed());
            }
            return Ok(Self {
                test: test.to_owned(),
                name: offer.name.clone(),
                id: offer.id.clone(),
                port: offer.port,
                volume: None,
                credentials: offer.credentials(),
                timings: StartTimings::default(),
                ready_timeout: settings.ready_timeout,
                logs_dir: options
                    .logs_dir
                    .clone()
                    .or_else(|| settings.logs_dir.clone()),
                failed: AtomicBool::new(false),
                client,
                spool: Some(spool.clone()),
            });
        }
        let credentials = Credentials::random();
        let name = identity::container_name(test);
        let spec = Spec {
            image: settings.image.clone(),
            name: name.clone(),
            labels: labels::for_test(&settings.run, &settings.owner, test),
            env: [credentials.bootstrap_env(), options.extra_env.clone()].concat(),
            volume: options.data_volume.then(|| format!("{name}-data")),
        };
        let ready_timeout = settings.ready_timeout;
        let launch_spec = spec.clone();
        let (running, timings) = runtime::block_on(async move {
            let docker = runtime::engine().await?;
            container::launch(&docker, &launch_spec, ready_timeout).await
        })?;
        if let Some(file) = &settings.timings_file {
            timings.append_to(file, test, Some(began.elapsed()));
        }
        Ok(Self {
            test: test.to_owned(),
            name,
            id: running.id,
            port: running.port,
            volume: spec.volume,
            credentials,
            timings,
            ready_timeout,
            logs_dir: options
                .logs_dir
                .clone()
                .or_else(|| settings.logs_dir.clone()),
            failed: AtomicBool::new(false),
            client,
            spool: None,
        })
    }

    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The bootstrap project and root user of this container.
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// A client authenticated as the bootstrap root user.
    pub fn api(&self) -> Api {
        Api::new(
            self.client.clone(),
            self.base_url(),
            Some(self.credentials.clone()),
        )
    }

    /// Where the time from create to ready went.
    pub fn timings(&self) -> StartTimings {
        self.timings
    }

    pub fn container_name(&self) -> &str {
        &self.name
    }

    /// The container's labels, as the engine reports them.
    pub fn labels(&self) -> Result<HashMap<String, String>> {
        let id = self.id.clone();
        runtime::block_on(async move {
            let docker = runtime::engine().await?;
            let inspect = docker.inspect_container(&id, None).await?;
            Ok(inspect.config.and_then(|c| c.labels).unwrap_or_default())
        })
    }

    /// Stops the service and starts it again in the same container (same volume), waiting
    /// until the new process answers. The published port may change: ask [`Testbed::api`] again.
    pub fn restart(&mut self) -> Result<()> {
        let (id, timeout) = (self.id.clone(), self.ready_timeout);
        let running = runtime::block_on(async move {
            let docker = runtime::engine().await?;
            container::restart(&docker, &id, timeout).await
        })?;
        self.port = running.port;
        Ok(())
    }

    /// Everything the container wrote so far.
    pub fn logs(&self) -> String {
        let id = self.id.clone();
        runtime::block_on(async move {
            let docker = runtime::engine().await?;
            Ok(container::logs(&docker, &id).await)
        })
        .unwrap_or_else(|err| format!("(cannot read the logs: {err:#})"))
    }

    /// Records that the test failed without panicking, so its logs are kept.
    pub fn mark_failed(&self) {
        self.failed.store(true, Ordering::SeqCst);
    }

    fn save_logs(&self) {
        let logs = self.logs();
        let header = format!(
            "test: {}\ncontainer: {} ({})\n\n",
            self.test, self.name, self.id
        );
        let Some(dir) = &self.logs_dir else {
            eprintln!(
                "testbed: the test failed; logs of {}:\n{header}{logs}",
                self.name
            );
            return;
        };
        let file = dir.join(format!(
            "{}.log",
            self.test.replace("::", ".").replace('/', "_")
        ));
        let written = std::fs::create_dir_all(dir)
            .and_then(|()| std::fs::write(&file, format!("{header}{logs}")));
        match written {
            Ok(()) => eprintln!(
                "testbed: the test failed; logs of {} saved to {}",
                self.name,
                file.display()
            ),
            Err(err) => eprintln!(
                "testbed: cannot save logs to {} ({err}); they are:\n{header}{logs}",
                file.display()
            ),
        }
    }
}

impl Drop for Testbed {
    fn drop(&mut self) {
        if std::thread::panicking() || self.failed.load(Ordering::SeqCst) {
            self.save_logs();
        }
        let (id, volume) = (std::mem::take(&mut self.id), self.volume.take());
        // A killed run's keeper no longer removes what is handed back.
        let keeper_alive = shared_settings().is_ok_and(Settings::owner_alive);
        if let Some(spool) = self.spool.as_ref().filter(|_| keeper_alive) {
            let removal = Removal { id, volume };
            match spool.hand_back(&removal) {
                Ok(()) => return,
                Err(err) => eprintln!("testbed: {err:#}; removing the container here"),
            }
            return reaper::dispose(removal.id, removal.volume);
        }
        reaper::dispose(id, volume);
    }
}

/// Whether a container of that name exists (in any state).
pub fn container_exists(name: &str) -> Result<bool> {
    let name = name.to_owned();
    runtime::block_on(async move {
        let docker = runtime::engine().await?;
        match docker.inspect_container(&name, None).await {
            Ok(_) => Ok(true),
            Err(bollard::errors::Error::DockerResponseServerError {
                status_code: 404, ..
            }) => Ok(false),
            Err(err) => Err(err.into()),
        }
    })
}

/// The warm pool's spool, when the run has one.
fn shared_spool(settings: &Settings) -> Result<Option<&'static Spool>> {
    static SPOOL: OnceLock<Option<Result<Spool, String>>> = OnceLock::new();
    let spool = SPOOL.get_or_init(|| {
        settings
            .spool_dir
            .as_ref()
            .map(|dir| Spool::open(dir).map_err(|e| format!("{e:#}")))
    });
    match spool {
        None => Ok(None),
        Some(Ok(spool)) => Ok(Some(spool)),
        Some(Err(err)) => Err(anyhow!("{err}")),
    }
}

/// One [`Settings`] per process, so every test of a process shares a run id.
fn shared_settings() -> Result<&'static Settings> {
    static SETTINGS: OnceLock<Result<Settings, String>> = OnceLock::new();
    SETTINGS
        .get_or_init(|| Settings::from_env().map_err(|e| format!("{e:#}")))
        .as_ref()
        .map_err(|e| anyhow!("{e}"))
}
