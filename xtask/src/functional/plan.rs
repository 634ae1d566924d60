//! Deciding how a functional run goes, from its flags and a few facts about the host: the run's
//! id and image tag, the parallelism, and the exact test command. Pure, so it is unit-tested.

use std::path::{Path, PathBuf};

use testbed::{Partition, settings};

/// The cargo package and test target of the functional suite.
pub const PACKAGE: &str = "functional";
pub const TEST_TARGET: &str = "api";
/// The nextest profile in `.config/nextest.toml` (its JUnit report lands under it).
pub const NEXTEST_PROFILE: &str = "functional";

/// Default parallelism: containers spend most of their time waiting on the engine and the
/// network, not on a core, so run more tests than cores (measured on 2 cores: see the README).
pub fn default_jobs(cores: usize) -> usize {
    2 * cores.max(1) + 2
}

/// The tag of the image a run builds: unique per run, so two runs on one host never clash.
pub fn image_tag(run: &str) -> String {
    format!("craton:functional-{run}")
}

/// Which runner executes the tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Runner {
    Nextest,
    CargoTest,
}

/// Everything the test phase needs to know.
#[derive(Debug, Clone)]
pub struct TestPlan {
    pub runner: Runner,
    pub jobs: usize,
    pub partition: Option<Partition>,
    pub filters: Vec<String>,
    pub image: String,
    pub run: String,
    pub owner: String,
    pub logs_dir: PathBuf,
    pub timings_file: PathBuf,
    /// The warm pool's hand-over directory, when there is a pool.
    pub spool_dir: Option<PathBuf>,
}

impl TestPlan {
    /// `cargo` arguments that compile the test binary without running it.
    pub fn build_args(&self) -> Vec<String> {
        let mut args: Vec<String> = match self.runner {
            Runner::Nextest => vec!["nextest".into(), "run".into(), "--no-run".into()],
            Runner::CargoTest => vec!["test".into(), "--no-run".into()],
        };
        args.extend([
            "--package".into(),
            PACKAGE.into(),
            "--test".into(),
            TEST_TARGET.into(),
        ]);
        args
    }

    /// `cargo` arguments that run the tests.
    pub fn run_args(&self) -> Vec<String> {
        let jobs = self.jobs.to_string();
        let target = ["--package", PACKAGE, "--test", TEST_TARGET].map(String::from);
        match self.runner {
            Runner::Nextest => {
                let mut args: Vec<String> = ["nextest", "run"].map(String::from).into();
                args.extend(target);
                args.extend(["--profile", NEXTEST_PROFILE, "--no-fail-fast"].map(String::from));
                args.extend(["--test-threads".into(), jobs]);
                if let Some(p) = self.partition {
                    args.extend(["--partition".into(), format!("count:{p}")]);
                }
                args.extend(self.filters.iter().cloned());
                args
            }
            Runner::CargoTest => {
                let mut args: Vec<String> = vec!["test".into()];
                args.extend(target);
                args.extend(["--".into(), "--test-threads".into(), jobs]);
                args.extend(self.filters.iter().cloned());
                args
            }
        }
    }

    /// The environment the test processes read (see `testbed::settings`).
    pub fn env(&self) -> Vec<(&'static str, String)> {
        let mut env = vec![
            (settings::IMAGE, self.image.clone()),
            (settings::RUN, self.run.clone()),
            (settings::OWNER, self.owner.clone()),
            (settings::LOGS, self.logs_dir.display().to_string()),
            (settings::TIMINGS, self.timings_file.display().to_string()),
        ];
        if let Some(dir) = &self.spool_dir {
            env.push((settings::SPOOL, dir.display().to_string()));
        }
        // nextest partitions by itself; under cargo test the harness does it.
        if let (Runner::CargoTest, Some(p)) = (self.runner, self.partition) {
            env.push((settings::PARTITION, p.to_string()));
        }
        env
    }
}

/// Where nextest writes the JUnit report of the functional profile.
pub fn nextest_junit(target_dir: &Path) -> PathBuf {
    target_dir
        .join("nextest")
        .join(NEXTEST_PROFILE)
        .join("junit.xml")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(runner: Runner) -> TestPlan {
        TestPlan {
            runner,
            jobs: 6,
            partition: None,
            filters: vec![],
            image: "craton:functional-r1".into(),
            run: "r1".into(),
            owner: "h:1:2".into(),
            logs_dir: "/logs".into(),
            timings_file: "/t.tsv".into(),
            spool_dir: None,
        }
    }

    #[test]
    fn default_parallelism_exceeds_the_core_count() {
        assert_eq!(default_jobs(2), 6);
        assert_eq!(default_jobs(0), 4);
    }

    #[test]
    fn each_run_gets_its_own_image_tag() {
        assert_eq!(image_tag("ab12"), "craton:functional-ab12");
        assert_ne!(image_tag("a"), image_tag("b"));
    }

    #[test]
    fn nextest_runs_the_functional_profile_with_jobs_partition_and_filters() {
        let mut p = plan(Runner::Nextest);
        p.partition = Some("2/3".parse().unwrap());
        p.filters = vec!["hosts::".into()];
        assert_eq!(
            p.run_args().join(" "),
            "nextest run --package functional --test api --profile functional --no-fail-fast \
             --test-threads 6 --partition count:2/3 hosts::"
        );
        assert!(p.env().iter().all(|(k, _)| *k != settings::PARTITION));
    }

    #[test]
    fn cargo_test_gets_threads_and_filters_and_the_partition_by_environment() {
        let mut p = plan(Runner::CargoTest);
        p.partition = Some("1/2".parse().unwrap());
        p.filters = vec!["labels".into()];
        assert_eq!(
            p.run_args().join(" "),
            "test --package functional --test api -- --test-threads 6 labels"
        );
        assert!(p.env().contains(&(settings::PARTITION, "1/2".into())));
    }

    #[test]
    fn the_environment_names_image_run_owner_logs_and_timings() {
        let env = plan(Runner::Nextest).env();
        let keys: Vec<&str> = env.iter().map(|(k, _)| *k).collect();
        assert_eq!(
            keys,
            [
                settings::IMAGE,
                settings::RUN,
                settings::OWNER,
                settings::LOGS,
                settings::TIMINGS
            ]
        );
    }

    #[test]
    fn a_warm_pool_is_announced_to_the_tests() {
        let mut p = plan(Runner::Nextest);
        p.spool_dir = Some("/run/spool".into());
        assert!(p.env().contains(&(settings::SPOOL, "/run/spool".into())));
    }

    #[test]
    fn compiling_names_the_same_target_without_running() {
        assert_eq!(
            plan(Runner::Nextest).build_args().join(" "),
            "nextest run --no-run --package functional --test api"
        );
        assert_eq!(
            plan(Runner::CargoTest).build_args().join(" "),
            "test --no-run --package functional --test api"
        );
    }
}
