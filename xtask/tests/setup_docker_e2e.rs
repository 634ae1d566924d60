//! `setup-docker` end to end with the real binary: on this host's engine for a throwaway user
//! (root only: it restarts the shared dockerd briefly and always leaves one running), and the
//! bad-input exit codes (anyone: they change nothing).

use std::path::Path;
use std::process::{Command, Output};
use std::sync::Mutex;
use std::time::{Duration, Instant};

const XTASK: &str = env!("CARGO_BIN_EXE_xtask");
const SOCKET: &str = "/var/run/docker.sock";
const OUR_PIDFILE: &str = "/run/craton-dockerd.pid";

/// Tests that restart the daemon or create users take turns.
static HOST: Mutex<()> = Mutex::new(());

fn xtask(args: &[&str]) -> Output {
    Command::new(XTASK)
        .args(args)
        .env("CI", "true")
        .output()
        .expect("the xtask binary runs")
}

fn text(output: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}--- stderr\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn is_root() -> bool {
    nix::unistd::geteuid().is_root()
}

fn socket_group() -> Option<u32> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(SOCKET).ok().map(|m| m.gid())
}

/// A user made for one test, with a primary group of its own and in no other group (so not
/// in `docker`); removed with its group whatever happens.
struct ThrowawayUser {
    name: String,
    uid: u32,
    gid: u32,
}

impl ThrowawayUser {
    fn create(tag: &str) -> Self {
        let name = format!("craton-e2e-{tag}-{}", std::process::id());
        let made = Command::new("useradd")
            .args([
                "--user-group",
                "--no-create-home",
                "--shell",
                "/usr/sbin/nologin",
            ])
            .arg(&name)
            .status()
            .expect("useradd runs");
        assert!(made.success(), "useradd {name} failed");
        let entry = nix::unistd::User::from_name(&name)
            .ok()
            .flatten()
            .expect("the new user resolves");
        Self {
            name,
            uid: entry.uid.as_raw(),
            gid: entry.gid.as_raw(),
        }
    }

    /// Runs xtask with exactly this user's uid and primary group (no supplementary groups):
    /// what a session that started before any setup has.
    fn xtask(&self, args: &[&str]) -> Output {
        Command::new("setpriv")
            .arg(format!("--reuid={}", self.uid))
            .arg(format!("--regid={}", self.gid))
            .arg("--clear-groups")
            .arg(XTASK)
            .args(args)
            .env("CI", "true")
            .output()
            .expect("setpriv runs")
    }
}

impl Drop for ThrowawayUser {
    fn drop(&mut self) {
        let _ = Command::new("userdel").arg(&self.name).status();
        let _ = Command::new("groupdel")
            .arg(&self.name)
            .stderr(std::process::Stdio::null())
            .status();
    }
}

/// Puts the daemon back as the test found it (its socket group), and makes sure one runs, so
/// the rest of the run (and the other people on this host) still have an engine.
struct DaemonAsFound {
    group: Option<u32>,
}

impl DaemonAsFound {
    fn record() -> Self {
        Self {
            group: socket_group(),
        }
    }
}

impl Drop for DaemonAsFound {
    fn drop(&mut self) {
        if socket_group() != self.group {
            let out = xtask(&["setup-docker", "--revert"]);
            eprintln!("restoring with --revert:\n{}", text(&out));
        }
        if let Some(gid) = self.group.filter(|gid| Some(*gid) != socket_group()) {
            // It served someone's group before (an earlier setup-docker): give it back.
            let owner = std::fs::read_to_string("/etc/passwd")
                .unwrap_or_default()
                .lines()
                .find(|line| line.split(':').nth(3) == Some(gid.to_string().as_str()))
                .and_then(|line| line.split(':').next().map(str::to_owned));
            if let Some(owner) = owner {
                let out = xtask(&["setup-docker", "--user", &owner, "--yes"]);
                eprintln!("restoring for {owner}:\n{}", text(&out));
            }
        }
        // Root needs nothing granted: this only starts a daemon when none runs.
        let out = xtask(&["setup-docker", "--user", "root"]);
        if !out.status.success() {
            eprintln!("could not make sure a daemon runs:\n{}", text(&out));
        }
    }
}

fn our_daemon_pid() -> Option<String> {
    std::fs::read_to_string(OUR_PIDFILE)
        .ok()
        .map(|pid| pid.trim().to_owned())
}

fn socket_change_time() -> Option<(i64, i64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(SOCKET)
        .ok()
        .map(|m| (m.ctime(), m.ctime_nsec()))
}

#[test]
#[ignore = "needs root and a Docker engine; run by cargo xtask test"]
fn a_fresh_user_reaches_the_engine_without_a_new_login_and_a_second_run_changes_nothing() {
    if !is_root() {
        eprintln!(
            "skipped: setup-docker end to end needs root (it creates a user and restarts dockerd)"
        );
        return;
    }
    let _turn = HOST.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let running = xtask(&["setup-docker", "--user", "root"]);
    assert!(
        running.status.success(),
        "a daemon runs:\n{}",
        text(&running)
    );
    let user = ThrowawayUser::create("grant");
    let _restore = DaemonAsFound::record();

    let before = user.xtask(&["setup-docker", "--probe"]);
    assert_eq!(
        before.status.code(),
        Some(5),
        "denied before setup:\n{}",
        text(&before)
    );
    assert!(
        text(&before).contains("permission denied"),
        "the refusal is diagnosed:\n{}",
        text(&before)
    );

    let first = xtask(&["setup-docker", "--user", &user.name, "--yes"]);
    assert!(first.status.success(), "first run:\n{}", text(&first));
    let first_out = text(&first);
    assert!(
        first_out.contains(&format!("reached as {}", user.name)),
        "{first_out}"
    );
    assert!(
        first_out.contains(&format!("root:{} 0660", user.name)),
        "{first_out}"
    );
    eprintln!("first run:\n{first_out}");

    let probe = user.xtask(&["setup-docker", "--probe"]);
    assert!(probe.status.success(), "as the user:\n{}", text(&probe));
    let report: serde_json::Value =
        serde_json::from_slice(&probe.stdout).expect("the probe prints JSON");
    assert_eq!(report["uid"], user.uid);
    assert_eq!(
        report["groups"],
        serde_json::json!([]),
        "primary group only"
    );
    assert!(
        report["server_version"]
            .as_str()
            .is_some_and(|v| !v.is_empty())
    );

    let pid = our_daemon_pid();
    let changed_at = socket_change_time();
    let begin = Instant::now();
    let second = xtask(&["setup-docker", "--user", &user.name, "--yes"]);
    let took = begin.elapsed();
    assert!(second.status.success(), "second run:\n{}", text(&second));
    assert!(
        text(&second).contains("nothing changed"),
        "{}",
        text(&second)
    );
    assert_eq!(our_daemon_pid(), pid, "the daemon was not restarted");
    assert_eq!(
        socket_change_time(),
        changed_at,
        "the socket was not touched"
    );
    eprintln!("second (no-op) run took {:.3} s", took.as_secs_f64());
    assert!(
        took < Duration::from_secs(5),
        "a no-op run is quick: {took:?}"
    );
}

#[test]
#[ignore = "needs root and a Docker engine; run by cargo xtask test"]
fn a_user_without_root_or_sudo_gets_the_plan_but_no_changes() {
    if !is_root() {
        eprintln!("skipped: needs root to create the user");
        return;
    }
    let _turn = HOST.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let user = ThrowawayUser::create("nopriv");
    let group_before = socket_group();

    let refused = user.xtask(&["setup-docker", "--yes"]);
    assert_eq!(refused.status.code(), Some(4), "{}", text(&refused));
    assert!(text(&refused).contains("hint: sudo "), "{}", text(&refused));

    let dry = user.xtask(&["setup-docker", "--dry-run"]);
    assert!(dry.status.success(), "{}", text(&dry));
    assert!(
        text(&dry).contains("would stop here (exit 4)"),
        "{}",
        text(&dry)
    );
    assert_eq!(socket_group(), group_before, "nothing changed");
}

// ---- bad input: distinct exit codes, no host changes, no root needed ----

#[test]
fn an_unknown_user_exits_12() {
    let out = xtask(&["setup-docker", "--user", "no-such-user-craton", "--dry-run"]);
    assert_eq!(out.status.code(), Some(12), "{}", text(&out));
    assert!(text(&out).contains("no user named `no-such-user-craton`"));
}

#[test]
fn an_unknown_group_exits_13() {
    let out = xtask(&[
        "setup-docker",
        "--user",
        "nobody",
        "--group",
        "no-such-group-craton",
    ]);
    assert_eq!(out.status.code(), Some(13), "{}", text(&out));
}

#[test]
fn group_root_for_a_non_root_user_exits_14() {
    let out = xtask(&[
        "setup-docker",
        "--user",
        "nobody",
        "--group",
        "root",
        "--yes",
    ]);
    assert_eq!(out.status.code(), Some(14), "{}", text(&out));
    assert!(text(&out).contains("refusing"), "{}", text(&out));
}

#[test]
fn dry_run_prints_facts_and_plan_and_works_without_a_checkout() {
    let elsewhere = std::env::temp_dir();
    let out = Command::new(XTASK)
        .args(["setup-docker", "--dry-run"])
        .current_dir(&elsewhere)
        .env_remove("CARGO_MANIFEST_DIR")
        .output()
        .expect("xtask runs");
    let shown = text(&out);
    assert!(out.status.success(), "{shown}");
    assert!(
        shown.contains("Facts:") && shown.contains("socket:"),
        "{shown}"
    );
    assert!(shown.contains("Dry run: nothing was changed."), "{shown}");
    assert!(Path::new(XTASK).is_absolute());
}
