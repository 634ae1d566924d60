//! What a test process learns from its environment: which image to test, which run it belongs
//! to, who owns that run, where failed tests' logs go. `cargo xtask functional` sets all of it.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Result, bail};

use crate::{identity, owner::Owner};

/// The image under test (required).
pub const IMAGE: &str = "CRATON_TEST_IMAGE";
/// The run id every container is labelled with (default: a fresh one per process).
pub const RUN: &str = "CRATON_TEST_RUN";
/// `host:pid:start-time` of the process that owns the run (default: this process).
pub const OWNER: &str = "CRATON_TEST_OWNER";
/// Where a failed test's container logs are saved (default: only printed).
pub const LOGS: &str = "CRATON_TEST_LOGS";
/// A file that receives one line of start-up timings per container (optional).
pub const TIMINGS: &str = "CRATON_TEST_TIMINGS";
/// The warm pool's hand-over directory (see `spool`): claim containers there, hand them back
/// there. Unset: each test starts and removes its own.
pub const SPOOL: &str = "CRATON_TEST_SPOOL";
/// `K/N`: run only that share of the tests (the harness applies it; nextest has its own).
pub const PARTITION: &str = "CRATON_TEST_PARTITION";
/// Seconds a container may take to become ready (default 60).
pub const READY_TIMEOUT: &str = "CRATON_TEST_READY_TIMEOUT";

/// A test process's view of its run.
#[derive(Debug, Clone)]
pub struct Settings {
    pub image: String,
    pub run: String,
    pub owner: String,
    pub logs_dir: Option<PathBuf>,
    pub timings_file: Option<PathBuf>,
    pub spool_dir: Option<PathBuf>,
    pub ready_timeout: Duration,
}

impl Settings {
    /// Whether the process that owns the run still runs. Tests of a run whose owner was killed
    /// (an orphaned test runner) start no more containers, and remove theirs themselves.
    pub fn owner_alive(&self) -> bool {
        match self.owner.parse::<Owner>() {
            Ok(owner) => {
                owner.liveness(&crate::owner::this_host(), crate::owner::start_time_of, 0)
                    == crate::owner::Liveness::Alive
            }
            Err(_) => true,
        }
    }

    /// Reads the environment; fails with the variable to set when the image is not named.
    pub fn from_env() -> Result<Self> {
        Self::from_lookup(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
    }

    fn from_lookup(var: impl Fn(&str) -> Option<String>) -> Result<Self> {
        let Some(image) = var(IMAGE) else {
            bail!(
                "{IMAGE} is not set: run the functional tests with `cargo xtask functional`, \
                 or set {IMAGE} to an image of craton"
            );
        };
        let ready_timeout = match var(READY_TIMEOUT) {
            None => Duration::from_secs(60),
            Some(secs) => match secs.parse::<u64>() {
                Ok(secs) if secs > 0 => Duration::from_secs(secs),
                _ => bail!("{READY_TIMEOUT} must be a positive number of seconds, not {secs:?}"),
            },
        };
        Ok(Self {
            image,
            run: var(RUN).unwrap_or_else(|| format!("adhoc-{}", identity::random_hex(6))),
            owner: var(OWNER).unwrap_or_else(|| Owner::this_process().to_string()),
            logs_dir: var(LOGS).map(PathBuf::from),
            timings_file: var(TIMINGS).map(PathBuf::from),
            spool_dir: var(SPOOL).map(PathBuf::from),
            ready_timeout,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn settings(vars: &[(&str, &str)]) -> Result<Settings> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::from_lookup(|name| vars.get(name).cloned())
    }

    #[test]
    fn a_missing_image_names_the_variable_to_set() {
        let err = settings(&[]).unwrap_err().to_string();
        assert!(err.contains(IMAGE), "{err}");
    }

    #[test]
    fn a_run_id_is_made_up_when_none_is_given() {
        let s = settings(&[(IMAGE, "craton:dev")]).unwrap();
        assert!(s.run.starts_with("adhoc-"), "{}", s.run);
        assert_eq!(s.ready_timeout, Duration::from_secs(60));
        assert!(s.logs_dir.is_none());
    }

    #[test]
    fn the_environment_sets_run_owner_logs_and_timeout() {
        let s = settings(&[
            (IMAGE, "craton:x"),
            (RUN, "r1"),
            (OWNER, "h:1:2"),
            (LOGS, "/tmp/logs"),
            (READY_TIMEOUT, "5"),
        ])
        .unwrap();
        assert_eq!((s.run.as_str(), s.owner.as_str()), ("r1", "h:1:2"));
        assert_eq!(s.logs_dir, Some(PathBuf::from("/tmp/logs")));
        assert_eq!(s.ready_timeout, Duration::from_secs(5));
    }

    #[test]
    fn a_run_is_over_when_its_owner_on_this_host_is_gone() {
        let me = Owner::this_process();
        let mut s = settings(&[(IMAGE, "i")]).unwrap();
        s.owner = me.to_string();
        assert!(s.owner_alive());
        s.owner = Owner {
            start_time: me.start_time + 1,
            ..me.clone()
        }
        .to_string();
        assert!(!s.owner_alive(), "a recycled pid is not the owner");
        s.owner = Owner {
            host: "elsewhere".into(),
            ..me
        }
        .to_string();
        assert!(s.owner_alive(), "another host's owner cannot be checked");
    }

    #[test]
    fn a_bad_timeout_is_refused() {
        let err = settings(&[(IMAGE, "i"), (READY_TIMEOUT, "soon")]).unwrap_err();
        assert!(err.to_string().contains(READY_TIMEOUT));
    }
}
