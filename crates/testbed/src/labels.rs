//! The labels that tie a container or volume to craton's test runs: the sweeps that remove
//! what a run left behind select on them, so they are the contract between testbed and xtask.

use std::collections::HashMap;

/// Everything craton's tooling leaves on an engine carries this, set to `true`.
pub const MANAGED: &str = "dev.craton.managed";
/// The run a container belongs to (`CRATON_TEST_RUN`).
pub const RUN: &str = "dev.craton.run";
/// The test a container was created for.
pub const TEST: &str = "dev.craton.test";
/// A container started ahead of the tests by the warm pool of that run.
pub const POOL: &str = "dev.craton.pool";
/// The process that owns the run, `host:pid:start-time` (see [`crate::Owner`]): a sweep removes a
/// run's leftovers only when that process is gone.
pub const OWNER: &str = "dev.craton.run-owner";

/// The labels of a test container or volume.
pub fn for_test(run: &str, owner: &str, test: &str) -> HashMap<String, String> {
    HashMap::from([
        (MANAGED.to_owned(), "true".to_owned()),
        (RUN.to_owned(), run.to_owned()),
        (OWNER.to_owned(), owner.to_owned()),
        (TEST.to_owned(), test.to_owned()),
    ])
}

/// An engine filter (`label=...`) that selects one run's objects.
pub fn run_filter(run: &str) -> HashMap<String, Vec<String>> {
    HashMap::from([("label".to_owned(), vec![format!("{RUN}={run}")])])
}

/// An engine filter that selects every test run's objects (those with an owner label).
pub fn all_runs_filter() -> HashMap<String, Vec<String>> {
    HashMap::from([(
        "label".to_owned(),
        vec![format!("{MANAGED}=true"), OWNER.to_owned()],
    )])
}
