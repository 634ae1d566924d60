//! The scenario run inside the systemd host, as data: each step's command and what must come
//! out of it. Judging an outcome is pure too, so the expectations are unit-tested here.

use std::collections::HashMap;

use clap::ValueEnum;

use super::recipe::{XTASK_DIR, XTASK_NAME};

/// The throwaway CI user; never in the `docker` group.
pub const USER: &str = "zuul";
pub const SOCKET: &str = "/var/run/docker.sock";
/// The unit file the package owns; setup-docker must never edit it.
pub const PACKAGED_UNIT: &str = "/lib/systemd/system/docker.socket";
/// The drop-in setup-docker writes (issue 3).
pub const DROP_IN: &str = "/etc/systemd/system/docker.socket.d/craton-socket-group.conf";
/// curl's exit code when it cannot connect: what a user without access to the socket gets.
pub const CURL_COULDNT_CONNECT: i64 = 7;
/// What setup-docker prints on a run that finds everything already in place (compared
/// case-insensitively).
pub const NOTHING_CHANGED: &[&str] = &["nothing changed"];

/// Which scenario to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Scenario {
    /// setup-docker's systemd path, package reinstall and revert included (issue 6).
    SetupDocker,
    /// The drop-in written by hand, as reproduced in issue 6: proves the host and the harness
    /// independently of setup-docker.
    ManualDropIn,
}

/// One command run as root inside the host, and what it must produce.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub title: String,
    pub argv: Vec<String>,
    /// The exit code the command must return.
    pub exit: i64,
    pub checks: Vec<Check>,
    /// Keep the (trimmed) stdout under this name for a later `Check::StdoutSameAs`.
    pub record: Option<&'static str>,
    /// Print the command's output even when the step passes (setup-docker's own report).
    pub show_output: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    /// Trimmed stdout equals this.
    StdoutIs(String),
    StdoutContains(String),
    /// stdout or stderr contains this.
    OutputContains(String),
    /// stdout or stderr contains one of these, ignoring case.
    OutputMentionsOneOf(&'static [&'static str]),
    /// stdout, split on whitespace, does not contain this word.
    StdoutLacksWord(String),
    /// Trimmed stdout equals what an earlier step recorded under this name.
    StdoutSameAs(&'static str),
}

/// What a command produced.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    pub exit_code: i64,
    pub stdout: String,
    pub stderr: String,
}

impl Step {
    fn new(title: impl Into<String>, argv: &[&str]) -> Self {
        Self {
            title: title.into(),
            argv: argv.iter().map(|a| a.to_string()).collect(),
            exit: 0,
            checks: Vec::new(),
            record: None,
            show_output: false,
        }
    }

    fn exit(mut self, code: i64) -> Self {
        self.exit = code;
        self
    }

    fn check(mut self, check: Check) -> Self {
        self.checks.push(check);
        self
    }

    fn record(mut self, name: &'static str) -> Self {
        self.record = Some(name);
        self
    }

    fn show_output(mut self) -> Self {
        self.show_output = true;
        self
    }

    /// Every way `outcome` differs from what this step expects; empty when it passed.
    pub fn judge(&self, outcome: &Outcome, recorded: &HashMap<&str, String>) -> Vec<String> {
        let mut problems = Vec::new();
        if outcome.exit_code != self.exit {
            problems.push(format!(
                "exit code {} (expected {})",
                outcome.exit_code, self.exit
            ));
        }
        let stdout = outcome.stdout.trim();
        for check in &self.checks {
            match check {
                Check::StdoutIs(want) if stdout != want => {
                    problems.push(format!("stdout is {stdout:?} (expected {want:?})"));
                }
                Check::StdoutContains(want) if !stdout.contains(want.as_str()) => {
                    problems.push(format!("stdout does not contain {want:?}"));
                }
                Check::OutputContains(want)
                    if !outcome.stdout.contains(want.as_str())
                        && !outcome.stderr.contains(want.as_str()) =>
                {
                    problems.push(format!("output does not contain {want:?}"));
                }
                Check::OutputMentionsOneOf(phrases) => {
                    let output = format!("{}\n{}", outcome.stdout, outcome.stderr).to_lowercase();
                    if !phrases.iter().any(|p| output.contains(&p.to_lowercase())) {
                        problems.push(format!("output mentions none of {phrases:?}"));
                    }
                }
                Check::StdoutLacksWord(word) if stdout.split_whitespace().any(|w| w == word) => {
                    problems.push(format!("stdout contains the word {word:?}"));
                }
                Check::StdoutSameAs(name) => match recorded.get(name) {
                    None => problems.push(format!("nothing was recorded as {name:?}")),
                    Some(before) if before != stdout => problems.push(format!(
                        "stdout changed from {before:?} (recorded as {name:?}) to {stdout:?}"
                    )),
                    Some(_) => {}
                },
                _ => {}
            }
        }
        problems
    }
}

/// The steps of `scenario`, in order; the runner stops at the first that fails.
pub fn steps(scenario: Scenario) -> Vec<Step> {
    let mut steps = prepare_user();
    match scenario {
        Scenario::SetupDocker => {
            let xtask = format!("{XTASK_DIR}/{XTASK_NAME}");
            let setup = |title: &str, extra: &[&str]| {
                let mut argv = vec![xtask.as_str(), "setup-docker"];
                argv.extend_from_slice(extra);
                Step::new(title, &argv).show_output()
            };
            // The binary alone, run from / with no checkout anywhere (issue 6, "Also").
            steps.push(
                setup(
                    "setup-docker --dry-run prints the drop-in it would write",
                    &["--user", USER, "--dry-run"],
                )
                .check(Check::OutputContains(DROP_IN.to_string()))
                .check(Check::OutputContains(format!("SocketGroup={USER}"))),
            );
            steps.push(socket_is(
                "the dry run left the socket root:docker 0660",
                "docker",
            ));
            steps.push(Step::new(
                "the dry run wrote no drop-in",
                &["test", "!", "-e", DROP_IN],
            ));
            steps.push(setup(
                "setup-docker gives zuul the socket",
                &["--user", USER, "--yes"],
            ));
            steps.extend(user_has_access("after setup-docker"));
            steps.extend(snapshot(Snapshot::Record));
            steps.push(
                setup(
                    "second setup-docker run says nothing changed",
                    &["--user", USER, "--yes"],
                )
                .check(Check::OutputMentionsOneOf(NOTHING_CHANGED)),
            );
            steps.extend(snapshot(Snapshot::Compare));
            steps.extend(reinstall_package());
            steps.push(
                setup(
                    "after the reinstall setup-docker still has nothing to change",
                    &["--user", USER, "--yes"],
                )
                .check(Check::OutputMentionsOneOf(NOTHING_CHANGED)),
            );
            steps.push(setup("setup-docker --revert", &["--revert", "--yes"]));
            steps.extend(default_restored());
        }
        Scenario::ManualDropIn => {
            let content = format!("[Socket]\nSocketGroup={USER}\nSocketMode=0660\n");
            let write = format!(
                "mkdir -p /etc/systemd/system/docker.socket.d && printf '%s' '{content}' > {DROP_IN}"
            );
            steps.push(Step::new(
                "write the drop-in by hand",
                &["sh", "-c", &write],
            ));
            steps.push(Step::new(
                "systemctl daemon-reload",
                &["systemctl", "daemon-reload"],
            ));
            steps.push(user_is_denied(
                "daemon-reload alone does not change the socket",
            ));
            steps.push(restart_units());
            steps.extend(user_has_access("after the restart"));
            steps.extend(reinstall_package());
            steps.push(Step::new("remove the drop-in", &["rm", DROP_IN]));
            steps.push(Step::new(
                "systemctl daemon-reload",
                &["systemctl", "daemon-reload"],
            ));
            steps.push(restart_units());
            steps.extend(default_restored());
        }
    }
    steps
}

/// The starting point both scenarios share: Docker up with the package's defaults, a new user
/// outside the `docker` group who is refused, and the packaged unit's checksum on record.
fn prepare_user() -> Vec<Step> {
    vec![
        Step::new(
            "docker.socket and docker.service are active",
            &["systemctl", "is-active", "docker.socket", "docker.service"],
        ),
        socket_is("the package's socket is root:docker 0660", "docker"),
        Step::new(
            "create user zuul",
            &["useradd", "--create-home", "--user-group", USER],
        ),
        Step::new("zuul is not in the docker group", &["id", "-nG", USER])
            .check(Check::StdoutLacksWord("docker".to_string())),
        user_is_denied("zuul is denied the engine"),
        Step::new(
            "record the packaged unit's sha256",
            &["sha256sum", PACKAGED_UNIT],
        )
        .record("packaged unit"),
    ]
}

/// zuul reaches the engine, the socket carries zuul's group, the packaged unit is untouched.
fn user_has_access(when: &str) -> Vec<Step> {
    vec![
        Step::new(
            format!("zuul reaches the engine {when}"),
            &user_calls_engine(),
        )
        .check(Check::StdoutContains("\"ApiVersion\"".to_string())),
        socket_is(&format!("socket is root:zuul 0660 {when}"), USER),
        Step::new(
            format!("packaged unit is byte-identical {when}"),
            &["sha256sum", PACKAGED_UNIT],
        )
        .check(Check::StdoutSameAs("packaged unit")),
    ]
}

/// Reinstall docker.io from the `.deb` debootstrap left in apt's cache (no network needed),
/// restart the socket: the drop-in must survive the package's upgrade path.
fn reinstall_package() -> Vec<Step> {
    let mut steps = vec![
        Step::new(
            "reinstall docker.io from the cached .deb",
            &[
                "sh",
                "-c",
                "dpkg -i /var/cache/apt/archives/docker.io_*.deb",
            ],
        ),
        Step::new(
            "systemctl restart docker.socket",
            &["systemctl", "restart", "docker.socket"],
        ),
    ];
    steps.extend(user_has_access("after the reinstall"));
    steps
}

/// After a revert: the package's defaults are back, and zuul is refused again.
fn default_restored() -> Vec<Step> {
    vec![
        socket_is("socket is back to root:docker 0660", "docker"),
        Step::new("the drop-in is gone", &["test", "!", "-e", DROP_IN]),
        user_is_denied("zuul is denied again"),
        Step::new(
            "packaged unit is byte-identical at the end",
            &["sha256sum", PACKAGED_UNIT],
        )
        .check(Check::StdoutSameAs("packaged unit")),
    ]
}

#[derive(Clone, Copy)]
enum Snapshot {
    Record,
    Compare,
}

/// What "nothing changed" means: the drop-in's content and inode/mtime, the socket's
/// owner/mode/inode (a restarted socket unit makes a new socket file) and the units' invocation
/// ids (each start of a unit gets a new one).
fn snapshot(mode: Snapshot) -> Vec<Step> {
    let probes: [(&'static str, &str, Vec<&str>); 4] = [
        (
            "drop-in content",
            "the drop-in's content",
            vec!["cat", DROP_IN],
        ),
        (
            "drop-in stat",
            "the drop-in's inode and mtime",
            vec!["stat", "--format=%i %Y %s", DROP_IN],
        ),
        (
            "socket stat",
            "the socket's owner, mode and inode",
            vec!["stat", "--format=%U:%G %a %i", SOCKET],
        ),
        (
            "invocations",
            "the docker units' invocation ids",
            vec![
                "systemctl",
                "show",
                "--property=InvocationID",
                "docker.socket",
                "docker.service",
            ],
        ),
    ];
    probes
        .into_iter()
        .map(|(key, what, argv)| match mode {
            Snapshot::Record if key == "drop-in content" => {
                Step::new(format!("record {what}: zuul's group, mode 0660"), &argv)
                    .record(key)
                    .check(Check::StdoutContains(format!("SocketGroup={USER}")))
                    .check(Check::StdoutContains("SocketMode=0660".to_string()))
            }
            Snapshot::Record => Step::new(format!("record {what}"), &argv).record(key),
            Snapshot::Compare => {
                Step::new(format!("{what} did not change"), &argv).check(Check::StdoutSameAs(key))
            }
        })
        .collect()
}

fn user_calls_engine() -> [&'static str; 12] {
    [
        "runuser",
        "-u",
        USER,
        "--",
        "curl",
        "--silent",
        "--show-error",
        "--max-time",
        "60",
        "--unix-socket",
        SOCKET,
        "http://localhost/version",
    ]
}

fn user_is_denied(title: &str) -> Step {
    Step::new(title, &user_calls_engine()).exit(CURL_COULDNT_CONNECT)
}

fn socket_is(title: &str, group: &str) -> Step {
    Step::new(title, &["stat", "--format=%U:%G %a", SOCKET])
        .check(Check::StdoutIs(format!("root:{group} 660")))
}

fn restart_units() -> Step {
    Step::new(
        "systemctl restart docker.socket docker.service",
        &["systemctl", "restart", "docker.socket", "docker.service"],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(stdout: &str) -> Outcome {
        Outcome {
            exit_code: 0,
            stdout: stdout.to_string(),
            stderr: String::new(),
        }
    }

    fn find<'a>(steps: &'a [Step], title: &str) -> &'a Step {
        steps
            .iter()
            .find(|s| s.title == title)
            .unwrap_or_else(|| panic!("no step titled {title:?}"))
    }

    #[test]
    fn a_step_passes_when_exit_code_and_output_match() {
        let step = socket_is("socket", "docker");
        assert!(
            step.judge(&ok("root:docker 660\n"), &HashMap::new())
                .is_empty()
        );
    }

    #[test]
    fn a_wrong_exit_code_fails_the_step_and_says_which() {
        let step = Step::new("t", &["true"]);
        let outcome = Outcome {
            exit_code: 1,
            ..ok("")
        };
        let problems = step.judge(&outcome, &HashMap::new());
        assert_eq!(problems, ["exit code 1 (expected 0)"]);
    }

    #[test]
    fn a_denied_user_must_fail_to_connect_not_fail_otherwise() {
        let step = user_is_denied("denied");
        let refused = Outcome {
            exit_code: CURL_COULDNT_CONNECT,
            ..ok("")
        };
        assert!(step.judge(&refused, &HashMap::new()).is_empty());
        // Reaching the engine is not "denied"; neither is a missing runuser (127).
        assert!(!step.judge(&ok("{}"), &HashMap::new()).is_empty());
        let missing = Outcome {
            exit_code: 127,
            ..ok("")
        };
        assert!(!step.judge(&missing, &HashMap::new()).is_empty());
    }

    #[test]
    fn a_socket_with_another_group_fails_the_step() {
        let step = socket_is("socket", "zuul");
        let problems = step.judge(&ok("root:docker 660"), &HashMap::new());
        assert_eq!(
            problems,
            ["stdout is \"root:docker 660\" (expected \"root:zuul 660\")"]
        );
    }

    #[test]
    fn a_user_in_the_docker_group_is_caught() {
        let step = &prepare_user()[3];
        assert!(!step.judge(&ok("zuul docker"), &HashMap::new()).is_empty());
        assert!(step.judge(&ok("zuul"), &HashMap::new()).is_empty());
    }

    #[test]
    fn nothing_changed_is_recognised_in_any_case_on_stdout_or_stderr() {
        let step = Step::new("t", &["x"]).check(Check::OutputMentionsOneOf(NOTHING_CHANGED));
        let on_stderr = Outcome {
            stderr: "Nothing changed: the socket already belongs to zuul".to_string(),
            ..ok("")
        };
        assert!(step.judge(&on_stderr, &HashMap::new()).is_empty());
        assert!(
            !step
                .judge(&ok("wrote the drop-in"), &HashMap::new())
                .is_empty()
        );
    }

    #[test]
    fn a_changed_value_fails_against_its_recording() {
        let step = Step::new("t", &["x"]).check(Check::StdoutSameAs("socket stat"));
        let recorded = HashMap::from([("socket stat", "root:zuul 660 11".to_string())]);
        assert!(step.judge(&ok("root:zuul 660 11\n"), &recorded).is_empty());
        assert!(!step.judge(&ok("root:zuul 660 12"), &recorded).is_empty());
        assert!(
            !step
                .judge(&ok("root:zuul 660 11"), &HashMap::new())
                .is_empty(),
            "comparing against nothing recorded must fail, not pass"
        );
    }

    #[test]
    fn every_comparison_refers_to_an_earlier_recording() {
        for scenario in Scenario::value_variants() {
            let mut recorded = Vec::new();
            for step in steps(*scenario) {
                for check in &step.checks {
                    if let Check::StdoutSameAs(name) = check {
                        assert!(
                            recorded.contains(name),
                            "{:?}: {:?} compares with {name:?} before it is recorded",
                            scenario,
                            step.title
                        );
                    }
                }
                recorded.extend(step.record);
            }
        }
    }

    #[test]
    fn setup_docker_scenario_follows_the_issue_in_order() {
        let steps = steps(Scenario::SetupDocker);
        let titles: Vec<&str> = steps.iter().map(|s| s.title.as_str()).collect();
        let order = [
            "zuul is denied the engine",
            "record the packaged unit's sha256",
            "setup-docker --dry-run prints the drop-in it would write",
            "the dry run wrote no drop-in",
            "setup-docker gives zuul the socket",
            "zuul reaches the engine after setup-docker",
            "packaged unit is byte-identical after setup-docker",
            "second setup-docker run says nothing changed",
            "the drop-in's content did not change",
            "the docker units' invocation ids did not change",
            "reinstall docker.io from the cached .deb",
            "systemctl restart docker.socket",
            "zuul reaches the engine after the reinstall",
            "after the reinstall setup-docker still has nothing to change",
            "setup-docker --revert",
            "socket is back to root:docker 0660",
            "the drop-in is gone",
        ];
        let positions: Vec<usize> = order
            .iter()
            .map(|t| {
                titles
                    .iter()
                    .position(|x| x == t)
                    .unwrap_or_else(|| panic!("no step {t:?}"))
            })
            .collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");
    }

    #[test]
    fn setup_docker_runs_the_uploaded_binary_for_zuul_without_prompting() {
        let steps = steps(Scenario::SetupDocker);
        let step = find(&steps, "setup-docker gives zuul the socket");
        assert_eq!(
            step.argv,
            [
                "/usr/local/bin/xtask",
                "setup-docker",
                "--user",
                "zuul",
                "--yes"
            ]
        );
        assert!(step.show_output);
    }

    #[test]
    fn the_dry_run_must_show_the_drop_in_and_write_nothing() {
        let steps = steps(Scenario::SetupDocker);
        let dry = find(
            &steps,
            "setup-docker --dry-run prints the drop-in it would write",
        );
        assert!(dry.argv.contains(&"--dry-run".to_string()));
        assert!(
            !dry.argv.contains(&"--yes".to_string()),
            "a dry run needs no confirmation"
        );
        let printed = Outcome {
            stderr: format!("would write {DROP_IN}:\n[Socket]\nSocketGroup=zuul\n"),
            ..ok("")
        };
        assert!(dry.judge(&printed, &HashMap::new()).is_empty());
        assert!(!dry.judge(&ok("plan: nothing"), &HashMap::new()).is_empty());
    }

    #[test]
    fn the_recorded_drop_in_must_set_zuuls_group_and_mode_0660() {
        let steps = steps(Scenario::SetupDocker);
        let step = steps
            .iter()
            .find(|s| s.record == Some("drop-in content"))
            .unwrap();
        let good = ok("[Socket]\nSocketGroup=zuul\nSocketMode=0660\n");
        assert!(step.judge(&good, &HashMap::new()).is_empty());
        let world = ok("[Socket]\nSocketGroup=zuul\nSocketMode=0666\n");
        assert!(!step.judge(&world, &HashMap::new()).is_empty());
    }

    #[test]
    fn second_run_must_say_that_nothing_changed() {
        let steps = steps(Scenario::SetupDocker);
        let step = find(&steps, "second setup-docker run says nothing changed");
        assert!(
            step.checks
                .contains(&Check::OutputMentionsOneOf(NOTHING_CHANGED))
        );
    }

    #[test]
    fn manual_scenario_proves_daemon_reload_alone_is_not_enough() {
        let steps = steps(Scenario::ManualDropIn);
        let reload = steps
            .iter()
            .position(|s| s.title == "systemctl daemon-reload")
            .unwrap();
        assert_eq!(
            steps[reload + 1].exit,
            CURL_COULDNT_CONNECT,
            "right after daemon-reload zuul must still be refused"
        );
        let write = find(&steps, "write the drop-in by hand");
        assert!(write.argv[2].contains("SocketGroup=zuul\nSocketMode=0660\n"));
        assert!(write.argv[2].ends_with(DROP_IN));
    }
}
