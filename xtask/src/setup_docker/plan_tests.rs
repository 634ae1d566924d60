//! The plan for every host setup-docker meets, from hand-written facts.

use std::path::PathBuf;

use super::*;
use crate::setup_docker::facts::{Accounts, Daemon, Process, Systemd};
use crate::setup_docker::parse::{DaemonJson, DockerdArgs, OsRelease, parse_group, parse_passwd};
use crate::setup_docker::show::Shown;

const ROOT: Process = Process {
    uid: 0,
    gid: 0,
    groups: Vec::new(),
};

fn accounts() -> Accounts {
    Accounts {
        users: parse_passwd(
            "root:x:0:0:root:/root:/bin/bash\n\
             zuul:x:1001:1001::/home/zuul:/bin/bash\n\
             alice:x:1002:100::/home/alice:/bin/bash\n\
             bob:x:1003:100::/home/bob:/bin/bash\n\
             carol:x:1004:1004::/home/carol:/bin/bash\n",
        ),
        groups: parse_group(
            "root:x:0:\nusers:x:100:\ndocker:x:105:\nzuul:x:1001:\ncarol:x:1004:\n\
             ci:x:1500:zuul,carol\nbuild:x:1600:zuul\n",
        ),
    }
}

fn os(id: &str, pretty: &str) -> OsRelease {
    OsRelease {
        id: id.into(),
        id_like: Vec::new(),
        pretty_name: pretty.into(),
    }
}

fn socket(gid: u32, mode: u32) -> Option<Socket> {
    Some(Socket { uid: 0, gid, mode })
}

fn daemon(pid: u32, command: &str, started_by: StartedBy) -> Option<Daemon> {
    let args = DockerdArgs::parse(command.split_whitespace().skip(1));
    Some(Daemon {
        pid,
        command: command.into(),
        args,
        started_by,
    })
}

/// This machine: Debian 12, root, no systemd, docker.io installed, a dockerd someone started.
fn debian_without_systemd() -> Facts {
    Facts {
        os: os("debian", "Debian GNU/Linux 12 (bookworm)"),
        package_manager: Some(PackageManager::AptGet),
        dockerd: Some(PathBuf::from("/usr/sbin/dockerd")),
        docker_cli: Some(PathBuf::from("/usr/bin/docker")),
        systemd: None,
        privilege: Privilege::Root,
        process: ROOT,
        sudo_user: None,
        accounts: accounts(),
        socket: socket(105, 0o660),
        daemon: daemon(4754, "dockerd", StartedBy::Other),
        daemon_json: DaemonConfig::Absent,
    }
}

/// A CI node: Ubuntu with systemd and docker.io's socket unit, run by zuul with sudo.
fn ubuntu_with_systemd() -> Facts {
    Facts {
        os: os("ubuntu", "Ubuntu 24.04.1 LTS"),
        systemd: Some(Systemd {
            socket_unit: true,
            dropin: None,
            other_dropins: Vec::new(),
        }),
        privilege: Privilege::PasswordlessSudo,
        process: Process {
            uid: 1001,
            gid: 1001,
            groups: vec![1001],
        },
        daemon: daemon(
            812,
            "/usr/sbin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock",
            StartedBy::Systemd,
        ),
        ..debian_without_systemd()
    }
}

/// A fresh Fedora node: systemd, dnf, no Docker yet.
fn fedora_without_docker() -> Facts {
    Facts {
        os: os("fedora", "Fedora Linux 41 (Server Edition)"),
        package_manager: Some(PackageManager::Dnf),
        dockerd: None,
        docker_cli: None,
        socket: None,
        daemon: None,
        systemd: Some(Systemd {
            socket_unit: false,
            dropin: None,
            other_dropins: Vec::new(),
        }),
        ..ubuntu_with_systemd()
    }
}

fn for_user(user: &str) -> Request {
    Request {
        user: Some(user.into()),
        ..Request::default()
    }
}

fn argv(step: &Step) -> Vec<&str> {
    match step {
        Step::Run { argv, .. } | Step::Install { argv, .. } => {
            argv.iter().map(String::as_str).collect()
        }
        other => panic!("not a command: {other:?}"),
    }
}

fn start_args(step: &Step) -> Vec<&str> {
    match step {
        Step::StartDaemon { args, .. } => args.iter().map(String::as_str).collect(),
        other => panic!("not a start: {other:?}"),
    }
}

fn refusal(facts: &Facts, request: &Request) -> Failure {
    plan(facts, request).expect_err("the plan should be refused")
}

const OUR_FLAGS: [&str; 7] = [
    "--group",
    "zuul",
    "-H",
    "unix:///var/run/docker.sock",
    "--live-restore",
    "--pidfile",
    "/run/craton-dockerd.pid",
];

// ---- without systemd (this machine) ----

#[test]
fn debian_without_systemd_restarts_a_daemon_it_did_not_start_with_the_users_group_only_with_yes() {
    let plan = plan(&debian_without_systemd(), &for_user("zuul")).unwrap();
    assert_eq!(plan.steps.len(), 2, "{plan:#?}");
    assert!(matches!(
        plan.steps[0],
        Step::StopDaemon {
            pid: 4754,
            started_by: StartedBy::Other,
            ..
        }
    ));
    assert_eq!(start_args(&plan.steps[1]), OUR_FLAGS);
    assert_eq!(plan.needs_yes.len(), 1);
    assert!(plan.needs_yes[0].contains("not started by setup-docker"));
    assert!(plan.grants_access);
    let verify = plan.verify.unwrap();
    assert_eq!((verify.uid, verify.gid), (1001, 1001));
    assert_eq!(verify.groups, Groups::PrimaryOnly);
}

#[test]
fn daemon_started_by_setup_docker_with_another_group_restarts_without_asking() {
    let facts = Facts {
        daemon: daemon(
            77,
            "/usr/sbin/dockerd --group docker -H unix:///var/run/docker.sock --pidfile /run/craton-dockerd.pid",
            StartedBy::SetupDocker,
        ),
        ..debian_without_systemd()
    };
    let plan = plan(&facts, &for_user("zuul")).unwrap();
    assert!(matches!(plan.steps[0], Step::StopDaemon { pid: 77, .. }));
    assert_eq!(start_args(&plan.steps[1]), OUR_FLAGS);
    assert!(plan.needs_yes.is_empty(), "{:?}", plan.needs_yes);
}

#[test]
fn no_daemon_running_means_starting_one_detached_with_documented_log_and_pid_file() {
    let facts = Facts {
        daemon: None,
        socket: None,
        ..debian_without_systemd()
    };
    let plan = plan(&facts, &for_user("zuul")).unwrap();
    assert_eq!(plan.steps.len(), 1);
    let Step::StartDaemon {
        dockerd,
        log,
        pidfile,
        ..
    } = &plan.steps[0]
    else {
        panic!("{plan:?}")
    };
    assert_eq!(dockerd, &PathBuf::from("/usr/sbin/dockerd"));
    assert_eq!(log, &PathBuf::from("/var/log/craton-dockerd.log"));
    assert_eq!(pidfile, &PathBuf::from("/run/craton-dockerd.pid"));
    assert!(plan.needs_yes.is_empty());
}

#[test]
fn already_configured_without_systemd_changes_nothing() {
    let facts = Facts {
        daemon: daemon(
            77,
            "dockerd --group zuul -H unix:///var/run/docker.sock --pidfile /run/craton-dockerd.pid",
            StartedBy::SetupDocker,
        ),
        socket: socket(1001, 0o660),
        ..debian_without_systemd()
    };
    let plan = plan(&facts, &for_user("zuul")).unwrap();
    assert!(plan.steps.is_empty(), "{plan:#?}");
    assert!(!plan.grants_access, "no warning when nothing changes");
    assert!(plan.verify.is_some(), "still checks as the user");
}

#[test]
fn a_daemon_someone_else_started_is_left_alone_when_its_socket_group_already_fits() {
    let facts = Facts {
        socket: socket(1001, 0o660),
        ..debian_without_systemd()
    };
    let plan = plan(&facts, &for_user("zuul")).unwrap();
    assert!(plan.steps.is_empty());
    assert!(plan.needs_yes.is_empty());
}

#[test]
fn a_world_accessible_socket_never_counts_as_configured() {
    let facts = Facts {
        socket: socket(1001, 0o666),
        daemon: daemon(
            77,
            "dockerd --group zuul --pidfile /run/craton-dockerd.pid",
            StartedBy::SetupDocker,
        ),
        ..debian_without_systemd()
    };
    let plan = plan(&facts, &for_user("zuul")).unwrap();
    assert_eq!(plan.steps.len(), 2, "restart to get 0660: {plan:#?}");
}

#[test]
fn a_daemon_the_package_just_started_is_restarted_without_asking() {
    let request = Request {
        just_installed: true,
        ..for_user("zuul")
    };
    let plan = plan(&debian_without_systemd(), &request).unwrap();
    assert_eq!(plan.steps.len(), 2);
    assert!(plan.needs_yes.is_empty());
}

// ---- daemon.json ----

#[test]
fn daemon_json_group_conflict_is_refused_saying_what_to_change() {
    let facts = Facts {
        daemon_json: DaemonConfig::Present(DaemonJson {
            group: Some("docker".into()),
            hosts: None,
            ..DaemonJson::default()
        }),
        ..debian_without_systemd()
    };
    let failure = refusal(&facts, &for_user("zuul"));
    assert_eq!(failure.code, Code::DaemonFailed);
    assert!(
        failure.message.contains("\"group\": \"docker\""),
        "{}",
        failure.message
    );
    let hint = failure.hint.unwrap();
    assert!(
        hint.contains("remove the \"group\" key") && hint.contains("\"zuul\""),
        "{hint}"
    );
}

#[test]
fn daemon_json_naming_the_same_group_means_no_group_flag() {
    let facts = Facts {
        daemon_json: DaemonConfig::Present(DaemonJson {
            group: Some("zuul".into()),
            hosts: Some(vec!["unix:///var/run/docker.sock".into()]),
            ..DaemonJson::default()
        }),
        ..debian_without_systemd()
    };
    let plan = plan(&facts, &for_user("zuul")).unwrap();
    assert_eq!(
        start_args(&plan.steps[1]),
        ["--live-restore", "--pidfile", "/run/craton-dockerd.pid"]
    );
}

#[test]
fn daemon_json_live_restore_means_no_live_restore_flag() {
    let facts = Facts {
        daemon_json: DaemonConfig::Present(DaemonJson {
            live_restore: Some(false),
            ..DaemonJson::default()
        }),
        ..debian_without_systemd()
    };
    let plan = plan(&facts, &for_user("zuul")).unwrap();
    assert!(!start_args(&plan.steps[1]).contains(&"--live-restore"));
}

#[test]
fn daemon_json_hosts_without_the_default_socket_is_a_conflict() {
    let facts = Facts {
        daemon_json: DaemonConfig::Present(DaemonJson {
            group: None,
            hosts: Some(vec!["tcp://127.0.0.1:2375".into()]),
            ..DaemonJson::default()
        }),
        ..debian_without_systemd()
    };
    let failure = refusal(&facts, &for_user("zuul"));
    assert_eq!(failure.code, Code::DaemonFailed);
    assert!(failure.message.contains("hosts"));
}

#[test]
fn invalid_daemon_json_is_refused_before_starting_a_daemon_that_would_not_start() {
    let facts = Facts {
        daemon_json: DaemonConfig::Invalid("not valid JSON: EOF".into()),
        ..debian_without_systemd()
    };
    let failure = refusal(&facts, &for_user("zuul"));
    assert_eq!(failure.code, Code::DaemonFailed);
    assert!(failure.message.contains("not valid JSON"));
}

#[test]
fn daemon_json_group_under_systemd_is_only_a_note() {
    let facts = Facts {
        daemon_json: DaemonConfig::Present(DaemonJson {
            group: Some("docker".into()),
            hosts: None,
            ..DaemonJson::default()
        }),
        ..ubuntu_with_systemd()
    };
    let plan = plan(&facts, &for_user("zuul")).unwrap();
    assert!(plan.notes.iter().any(|n| n.contains("does not apply")));
}

// ---- with systemd ----

#[test]
fn ubuntu_with_systemd_writes_a_dropin_then_restarts_the_socket_and_the_service() {
    let plan = plan(&ubuntu_with_systemd(), &for_user("zuul")).unwrap();
    let Step::WriteFile { path, contents } = &plan.steps[0] else {
        panic!("{plan:#?}")
    };
    assert_eq!(
        path,
        &PathBuf::from("/etc/systemd/system/docker.socket.d/craton-socket-group.conf")
    );
    assert!(contents.contains("[Socket]\nSocketGroup=zuul\nSocketMode=0660\n"));
    let commands: Vec<Vec<&str>> = plan.steps[1..].iter().map(argv).collect();
    assert_eq!(
        commands,
        [
            vec!["systemctl", "daemon-reload"],
            vec!["systemctl", "restart", "docker.socket"],
            vec!["systemctl", "restart", "docker.service"],
        ]
    );
    assert!(plan.needs_yes.is_empty(), "systemd restarts its own daemon");
}

#[test]
fn systemd_path_never_edits_the_packaged_unit() {
    let plan = plan(&ubuntu_with_systemd(), &for_user("zuul")).unwrap();
    for step in &plan.steps {
        if let Step::WriteFile { path, .. } | Step::RemoveFile { path } = step {
            assert!(
                path.starts_with("/etc/systemd/system/docker.socket.d"),
                "{path:?}"
            );
        }
    }
}

#[test]
fn systemd_already_configured_changes_nothing() {
    let facts = Facts {
        systemd: Some(Systemd {
            socket_unit: true,
            dropin: Some(dropin_contents("zuul")),
            other_dropins: Vec::new(),
        }),
        socket: socket(1001, 0o660),
        ..ubuntu_with_systemd()
    };
    let plan = plan(&facts, &for_user("zuul")).unwrap();
    assert!(plan.steps.is_empty(), "{plan:#?}");
}

#[test]
fn systemd_dropin_in_place_but_socket_not_restarted_only_restarts() {
    let facts = Facts {
        systemd: Some(Systemd {
            socket_unit: true,
            dropin: Some(dropin_contents("zuul")),
            other_dropins: Vec::new(),
        }),
        ..ubuntu_with_systemd()
    };
    let plan = plan(&facts, &for_user("zuul")).unwrap();
    assert_eq!(plan.steps.len(), 3);
    assert_eq!(
        argv(&plan.steps[1]),
        ["systemctl", "restart", "docker.socket"]
    );
}

#[test]
fn systemd_without_a_docker_socket_unit_is_refused() {
    let facts = Facts {
        systemd: Some(Systemd {
            socket_unit: false,
            dropin: None,
            other_dropins: Vec::new(),
        }),
        ..ubuntu_with_systemd()
    };
    assert_eq!(refusal(&facts, &for_user("zuul")).code, Code::Failure);
}

// ---- installing ----

#[test]
fn fedora_without_docker_refreshes_dnf_then_installs_moby_engine_then_configures_systemd() {
    let plan = plan(&fedora_without_docker(), &for_user("zuul")).unwrap();
    assert_eq!(argv(&plan.steps[0]), ["dnf", "makecache"]);
    assert!(matches!(plan.steps[1], Step::Install { .. }));
    assert_eq!(
        argv(&plan.steps[1]),
        ["dnf", "install", "-y", "moby-engine"]
    );
    assert!(matches!(plan.steps[2], Step::WriteFile { .. }));
    assert_eq!(
        argv(&plan.steps[5]),
        ["systemctl", "restart", "docker.service"]
    );
}

#[test]
fn debian_without_docker_installs_docker_io_non_interactively_after_apt_get_update() {
    let facts = Facts {
        dockerd: None,
        daemon: None,
        socket: None,
        ..debian_without_systemd()
    };
    let plan = plan(&facts, &for_user("zuul")).unwrap();
    assert_eq!(
        argv(&plan.steps[0]),
        ["env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "update"]
    );
    let install = argv(&plan.steps[1]);
    assert!(install.contains(&"DEBIAN_FRONTEND=noninteractive"));
    assert_eq!(install[install.len() - 3..], ["install", "-y", "docker.io"]);
    assert_eq!(start_args(&plan.steps[2]), OUR_FLAGS);
}

#[test]
fn no_package_manager_is_refused_with_its_exit_code() {
    let facts = Facts {
        dockerd: None,
        package_manager: None,
        ..debian_without_systemd()
    };
    let failure = refusal(&facts, &for_user("zuul"));
    assert_eq!(failure.code, Code::NoPackageManager);
    assert!(failure.message.contains("apt-get, dnf, yum, zypper"));
}

// ---- root ----

#[test]
fn root_needs_nothing_granted_and_a_running_daemon_is_left_as_it_is() {
    let plan = plan(&debian_without_systemd(), &Request::default()).unwrap();
    assert_eq!(plan.target.as_ref().unwrap().user, "root");
    assert!(plan.steps.is_empty(), "{plan:#?}");
    assert!(plan.notes[0].contains("nothing granted") && plan.notes[0].contains("(docker)"));
    assert!(!plan.grants_access);
}

#[test]
fn root_without_a_daemon_starts_one_with_the_default_group() {
    let facts = Facts {
        daemon: None,
        ..debian_without_systemd()
    };
    let plan = plan(&facts, &Request::default()).unwrap();
    assert_eq!(
        start_args(&plan.steps[0]),
        [
            "-H",
            "unix:///var/run/docker.sock",
            "--live-restore",
            "--pidfile",
            "/run/craton-dockerd.pid"
        ]
    );
}

#[test]
fn root_with_systemd_and_no_socket_starts_the_units() {
    let facts = Facts {
        socket: None,
        privilege: Privilege::Root,
        process: ROOT,
        ..ubuntu_with_systemd()
    };
    let plan = plan(&facts, &for_user("root")).unwrap();
    assert_eq!(
        argv(&plan.steps[0]),
        ["systemctl", "start", "docker.socket"]
    );
    assert_eq!(
        argv(&plan.steps[1]),
        ["systemctl", "start", "docker.service"]
    );
}

#[test]
fn sudo_user_is_the_default_target() {
    let facts = Facts {
        sudo_user: Some("zuul".into()),
        ..debian_without_systemd()
    };
    let plan = plan(&facts, &Request::default()).unwrap();
    assert_eq!(plan.target.unwrap().user, "zuul");
}

// ---- groups ----

#[test]
fn a_shared_group_such_as_users_needs_yes() {
    let request = Request {
        user: Some("alice".into()),
        ..Request::default()
    };
    let plan = plan(&debian_without_systemd(), &request).unwrap();
    assert_eq!(plan.target.as_ref().unwrap().group, "users");
    assert!(
        plan.needs_yes
            .iter()
            .any(|r| r.contains("users is a shared group")),
        "{:?}",
        plan.needs_yes
    );
}

#[test]
fn a_group_with_other_members_needs_yes_and_names_them() {
    let request = Request {
        group: Some("ci".into()),
        ..for_user("zuul")
    };
    let plan = plan(&debian_without_systemd(), &request).unwrap();
    assert!(
        plan.needs_yes
            .iter()
            .any(|r| r.contains("other members (carol)")),
        "{:?}",
        plan.needs_yes
    );
    let target = plan.target.unwrap();
    assert!(!target.primary);
    assert_eq!(
        plan.verify.unwrap().groups,
        Groups::Login,
        "a new login is what has it"
    );
}

#[test]
fn a_shared_group_already_in_place_is_only_a_note() {
    let facts = Facts {
        socket: socket(100, 0o660),
        ..debian_without_systemd()
    };
    let request = Request {
        user: Some("alice".into()),
        ..Request::default()
    };
    let plan = plan(&facts, &request).unwrap();
    assert!(plan.steps.is_empty());
    assert!(plan.needs_yes.is_empty());
    assert!(plan.notes.iter().any(|n| n.contains("shared")));
}

#[test]
fn a_user_in_the_docker_group_but_not_in_this_process_is_told_about_sg() {
    let mut facts = Facts {
        process: Process {
            uid: 1001,
            gid: 1001,
            groups: vec![1001],
        },
        privilege: Privilege::PasswordlessSudo,
        ..debian_without_systemd()
    };
    facts.accounts.groups = parse_group("docker:x:105:zuul\nzuul:x:1001:\n");
    let plan = plan(&facts, &Request::default()).unwrap();
    let note = plan
        .notes
        .iter()
        .find(|n| n.contains("after login"))
        .unwrap();
    assert!(note.contains("sg docker -c"), "{note}");
}

// ---- bad input ----

#[test]
fn an_unknown_user_is_refused_with_its_own_exit_code() {
    let failure = refusal(&debian_without_systemd(), &for_user("nobody-here"));
    assert_eq!(failure.code, Code::UnknownUser);
    assert!(failure.message.contains("nobody-here"));
}

#[test]
fn an_unknown_group_is_refused_with_its_own_exit_code() {
    let request = Request {
        group: Some("no-such-group".into()),
        ..for_user("zuul")
    };
    let failure = refusal(&debian_without_systemd(), &request);
    assert_eq!(failure.code, Code::UnknownGroup);
}

#[test]
fn group_root_for_a_non_root_user_is_refused() {
    let request = Request {
        group: Some("root".into()),
        ..for_user("zuul")
    };
    let failure = refusal(&debian_without_systemd(), &request);
    assert_eq!(failure.code, Code::UnsafeGroup);
}

#[test]
fn a_group_the_user_is_not_in_is_refused() {
    let request = Request {
        group: Some("carol".into()),
        ..for_user("zuul")
    };
    assert_eq!(
        refusal(&debian_without_systemd(), &request).code,
        Code::BadInput
    );
}

// ---- preflight ----

#[test]
fn changes_without_root_or_sudo_are_refused_with_the_sudo_command() {
    let plan = plan(&debian_without_systemd(), &for_user("zuul")).unwrap();
    let failure = preflight(
        &plan,
        Privilege::None,
        true,
        "xtask setup-docker --user zuul",
    )
    .expect_err("no privileges");
    assert_eq!(failure.code, Code::NoPrivileges);
    assert_eq!(
        failure.hint.as_deref(),
        Some("sudo xtask setup-docker --user zuul")
    );
}

#[test]
fn nothing_to_change_needs_no_privileges() {
    let facts = Facts {
        socket: socket(1001, 0o660),
        privilege: Privilege::None,
        ..debian_without_systemd()
    };
    let plan = plan(&facts, &for_user("zuul")).unwrap();
    assert!(preflight(&plan, Privilege::None, false, "x").is_ok());
}

#[test]
fn reasons_for_yes_stop_the_run_without_it() {
    let plan = plan(&debian_without_systemd(), &for_user("zuul")).unwrap();
    let failure = preflight(
        &plan,
        Privilege::Root,
        false,
        "xtask setup-docker --user zuul",
    )
    .expect_err("needs --yes");
    assert_eq!(failure.code, Code::NotConfirmed);
    assert_eq!(
        failure.hint.as_deref(),
        Some("xtask setup-docker --user zuul --yes")
    );
    assert!(preflight(&plan, Privilege::Root, true, "x").is_ok());
}

// ---- revert ----

fn revert() -> Request {
    Request {
        revert: true,
        ..Request::default()
    }
}

#[test]
fn revert_with_systemd_removes_the_dropin_and_restarts_the_socket() {
    let facts = Facts {
        systemd: Some(Systemd {
            socket_unit: true,
            dropin: Some(dropin_contents("zuul")),
            other_dropins: Vec::new(),
        }),
        ..ubuntu_with_systemd()
    };
    let plan = plan(&facts, &revert()).unwrap();
    assert_eq!(
        plan.steps[0],
        Step::RemoveFile {
            path: PathBuf::from(paths::DROPIN)
        }
    );
    assert!(matches!(plan.steps[1], Step::RemoveEmptyDir { .. }));
    assert_eq!(
        argv(&plan.steps[3]),
        ["systemctl", "restart", "docker.socket"]
    );
    assert_eq!(plan.verify.unwrap().uid, 0);
}

#[test]
fn revert_keeps_other_dropins_directory() {
    let facts = Facts {
        systemd: Some(Systemd {
            socket_unit: true,
            dropin: Some(dropin_contents("zuul")),
            other_dropins: vec!["local.conf".into()],
        }),
        ..ubuntu_with_systemd()
    };
    let plan = plan(&facts, &revert()).unwrap();
    assert!(
        !plan
            .steps
            .iter()
            .any(|s| matches!(s, Step::RemoveEmptyDir { .. }))
    );
}

#[test]
fn revert_without_systemd_restarts_our_daemon_with_the_default_group() {
    let facts = Facts {
        daemon: daemon(
            77,
            "dockerd --group zuul -H unix:///var/run/docker.sock --pidfile /run/craton-dockerd.pid",
            StartedBy::SetupDocker,
        ),
        ..debian_without_systemd()
    };
    let plan = plan(&facts, &revert()).unwrap();
    assert!(matches!(plan.steps[0], Step::StopDaemon { pid: 77, .. }));
    assert_eq!(
        start_args(&plan.steps[1]),
        [
            "-H",
            "unix:///var/run/docker.sock",
            "--live-restore",
            "--pidfile",
            "/run/craton-dockerd.pid"
        ]
    );
}

#[test]
fn revert_leaves_a_daemon_it_did_not_start_alone() {
    let plan = plan(&debian_without_systemd(), &revert()).unwrap();
    assert!(plan.steps.is_empty());
    assert!(plan.notes[0].contains("not started by setup-docker"));
}

#[test]
fn revert_with_nothing_of_ours_changes_nothing() {
    let plan = plan(&ubuntu_with_systemd(), &revert()).unwrap();
    assert!(plan.steps.is_empty());
}

// ---- what --dry-run shows ----

#[test]
fn dry_run_shows_every_file_with_its_contents_and_every_command_as_run() {
    let plan = plan(&ubuntu_with_systemd(), &for_user("zuul")).unwrap();
    let shown = Shown {
        plan: &plan,
        sudo: true,
    }
    .to_string();
    assert!(
        shown.contains("sudo -n tee /etc/systemd/system/docker.socket.d/craton-socket-group.conf"),
        "{shown}"
    );
    assert!(shown.contains("  | SocketGroup=zuul"), "{shown}");
    assert!(
        shown.contains("$ sudo -n systemctl daemon-reload"),
        "{shown}"
    );
    assert!(
        shown.contains("$ sudo -n systemctl restart docker.service"),
        "{shown}"
    );
    assert!(
        shown.contains("check as zuul (uid 1001, gid 1001, no other groups)"),
        "{shown}"
    );
}

#[test]
fn dry_run_shows_the_detached_start_with_log_and_pid_file() {
    let plan = plan(&debian_without_systemd(), &for_user("zuul")).unwrap();
    let shown = Shown {
        plan: &plan,
        sudo: false,
    }
    .to_string();
    assert!(shown.contains("$ kill -TERM 4754"), "{shown}");
    assert!(shown.contains("setsid"), "{shown}");
    assert!(
        shown.contains("sh /var/log/craton-dockerd.log /usr/sbin/dockerd --group zuul -H unix:///var/run/docker.sock --live-restore --pidfile /run/craton-dockerd.pid"),
        "{shown}"
    );
    assert!(shown.contains("needs --yes"), "{shown}");
}
