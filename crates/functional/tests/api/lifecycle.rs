//! The testbed's own promises, which every other test relies on: each container is labelled
//! for its run, reachable on loopback only, and removed however its test ends.

use functional::cases;
use testbed::{Options, Testbed, container_exists, labels, settle};

pub fn cases() -> Vec<functional::Case> {
    cases![bare:
        a_dropped_testbed_leaves_no_container_behind,
        a_panicking_test_keeps_its_logs_and_leaves_no_container,
        a_container_that_never_becomes_ready_is_removed_and_its_logs_explain_why,
        a_test_container_carries_its_run_and_test_labels,
        a_restart_answers_from_a_new_process_on_the_same_data,
    ]
}

/// A container started for the test itself (not taken from a warm pool), so that removing it
/// is this process's job and can be awaited.
fn own() -> Options {
    Options {
        fresh: true,
        ..Options::default()
    }
}

fn a_dropped_testbed_leaves_no_container_behind() {
    let bed = Testbed::start_with("lifecycle::dropped", &own()).expect("a testbed");
    let name = bed.container_name().to_owned();
    assert!(container_exists(&name).unwrap());
    drop(bed);
    settle();
    assert!(!container_exists(&name).unwrap(), "{name} is still there");
}

fn a_panicking_test_keeps_its_logs_and_leaves_no_container() {
    let logs = std::env::temp_dir().join(format!("craton-lifecycle-{}", testbed::random_hex(4)));
    let options = Options {
        logs_dir: Some(logs.clone()),
        ..own()
    };
    let bed = Testbed::start_with("lifecycle::panicking", &options).expect("a testbed");
    let name = bed.container_name().to_owned();
    let outcome = std::thread::spawn(move || {
        let _bed = bed;
        panic!("deliberate: the testbed must keep this test's logs");
    })
    .join();
    assert!(outcome.is_err());
    settle();
    assert!(!container_exists(&name).unwrap(), "{name} is still there");
    let saved = std::fs::read_to_string(logs.join("lifecycle.panicking.log"))
        .expect("the failed test's logs are saved");
    std::fs::remove_dir_all(&logs).unwrap();
    assert!(saved.contains(&name), "{saved}");
    assert!(
        saved.lines().count() > 3,
        "the service's own lines are there: {saved}"
    );
}

fn a_container_that_never_becomes_ready_is_removed_and_its_logs_explain_why() {
    // Half a bootstrap: the service refuses to start ("all three or none").
    let options = Options {
        extra_env: vec!["CRATON_BOOTSTRAP_PROJECT=not-a-uuid".into()],
        ..Options::default()
    };
    let err = Testbed::start_with("lifecycle::never_ready", &options)
        .expect_err("a service that exits never becomes ready");
    let message = format!("{err:#}");
    assert!(message.contains("did not become ready"), "{message}");
    assert!(message.contains("its logs:"), "{message}");
    assert!(
        message.contains("CRATON_BOOTSTRAP_PROJECT"),
        "the service's reason: {message}"
    );
    let name = message
        .split_whitespace()
        .find(|word| word.starts_with("craton-test-lifecycle.never_ready-"))
        .expect("the error names the container");
    assert!(!container_exists(name).unwrap(), "{name} is still there");
}

fn a_test_container_carries_its_run_and_test_labels() {
    let bed = Testbed::start_with("lifecycle::labelled", &own()).expect("a testbed");
    let found = bed.labels().unwrap();
    assert_eq!(found[labels::MANAGED], "true");
    assert_eq!(found[labels::TEST], "lifecycle::labelled");
    let settings = testbed::Settings::from_env().unwrap();
    if std::env::var(testbed::settings::RUN).is_ok() {
        assert_eq!(found[labels::RUN], settings.run);
    }
    assert!(
        found[labels::OWNER].parse::<testbed::Owner>().is_ok(),
        "{found:?}"
    );
    assert!(bed.base_url().starts_with("http://127.0.0.1:"));
}

fn a_restart_answers_from_a_new_process_on_the_same_data() {
    let mut bed = Testbed::start_with_volume("lifecycle::restarted").expect("a testbed");
    let api = bed.api();
    api.post("/v1/clouds", &functional::json!({"name": "kept"}))
        .expect(201);
    // restart() itself fails when the same process answers afterwards.
    bed.restart().expect("the service restarts");
    let clouds = bed.api().get("/v1/clouds?name=kept").expect(200);
    assert_eq!(clouds["clouds"].as_array().map(Vec::len), Some(1));
}
