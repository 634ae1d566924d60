//! The bench against a real engine: a quick run fills every row of the table and leaves
//! nothing of its own behind.

use std::collections::HashMap;

use bollard::query_parameters::{ListContainersOptions, ListImagesOptions};

use super::cleanup::BENCH_LABEL;
use super::{Args, measure};

/// Every row the table promises, section by section.
const ROWS: &[&str] = &[
    "ready.floor",
    "ready.cli",
    "ready.testbed",
    "ready.pool",
    "ready.pool.busy",
    "lifecycle.floor",
    "lifecycle.cli",
    "lifecycle.testbed",
    "removal.floor",
    "teardown.testbed",
    "build.warm.cli",
    "build.warm.ours",
    "build.warm.engine",
    "build.cold.cli",
    "build.cold.ours",
    "suite.total.jobs1",
    "suite.total.default",
    "suite.build.jobs1",
    "suite.build.default",
    "suite.tests.jobs1",
    "suite.tests.default",
    "suite.cleanup.jobs1",
    "suite.cleanup.default",
    "suite.wait.jobs1",
    "suite.wait.default",
    "dangling.rmi",
    "dangling.prune",
    "dangling.ours",
];

#[test]
#[ignore = "needs a Docker engine; run by cargo xtask test"]
fn a_quick_bench_fills_every_row_and_leaves_nothing_behind() {
    let root = crate::project::root().expect("the craton checkout");
    let args = Args {
        quick: true,
        ..Args::default()
    };
    let report = measure(&root, &args).expect("bench --quick");
    let table = report.markdown();
    println!("{table}");
    for key in ROWS {
        let row = report
            .row(key)
            .unwrap_or_else(|| panic!("no row {key}:\n{table}"));
        let line = format!("| {} | {} |", row.measure, row.way);
        assert!(
            table.contains(&line),
            "the table has no line for {key}:\n{table}"
        );
        if let Err(why) = &row.result {
            // Only the CLI may be missing, and the CLI's dangling-image ways may be skipped
            // while someone else's dangling images are on the engine.
            assert!(
                why == super::docker_cli::MISSING || why.starts_with("skipped:"),
                "{key} was not measured: {why}"
            );
        }
    }
    assert_eq!(
        report.rows.len(),
        ROWS.len(),
        "rows the test does not know:\n{table}"
    );

    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let docker = crate::engine::connect().await.unwrap();
        let label = |key: &str| {
            HashMap::from([("label".to_owned(), vec![format!("{key}={}", report.run)])])
        };
        for key in [BENCH_LABEL, testbed::labels::RUN] {
            let containers = docker
                .list_containers(Some(ListContainersOptions {
                    all: true,
                    filters: Some(label(key)),
                    ..Default::default()
                }))
                .await
                .unwrap();
            assert!(
                containers.is_empty(),
                "containers left behind: {containers:?}"
            );
        }
        let images = docker
            .list_images(Some(ListImagesOptions {
                all: true,
                filters: Some(label(BENCH_LABEL)),
                ..Default::default()
            }))
            .await
            .unwrap();
        assert!(images.is_empty(), "images left behind: {images:?}");
    });
}
