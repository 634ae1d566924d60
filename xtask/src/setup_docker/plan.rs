//! Deciding what setup-docker does: a pure function from the host's facts and the request to a
//! list of steps (or a refusal with its exit code). Nothing here touches the host.

use std::path::PathBuf;
use std::time::Duration;

use super::facts::{Daemon, DaemonConfig, Facts, PackageManager, Privilege, Socket, StartedBy};
use super::parse::world_accessible;
use super::paths;
use super::show::describe_socket;
use crate::exit::{Code, Failure};

/// How long a daemon may take to stop (it stops its containers first) or to answer after a start.
pub const STOP_DEADLINE: Duration = Duration::from_secs(60);
pub const START_DEADLINE: Duration = Duration::from_secs(60);

/// How a daemon is started detached, as `sh -c START_SCRIPT sh LOG DOCKERD ARGS...`: in a session
/// of its own (`setsid`) with SIGHUP ignored, so that it outlives xtask, sudo's pty and the
/// terminal; output appended to LOG; its pid printed (setsid execs without forking here).
pub const START_SCRIPT: &str = "log=$1; shift; trap \"\" HUP; \
    if command -v setsid >/dev/null 2>&1; then set -- setsid \"$@\"; fi; \
    \"$@\" >>\"$log\" 2>&1 </dev/null & echo $!";

/// Groups whose members are many people or services: handing them the socket needs `--yes`.
const SHARED_GROUPS: &[&str] = &[
    "users", "staff", "wheel", "sudo", "adm", "admin", "nogroup", "nobody",
];

/// What the user asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Request {
    pub user: Option<String>,
    pub group: Option<String>,
    pub revert: bool,
    /// Set when this run has just installed Docker: a daemon the package started is ours to restart.
    pub just_installed: bool,
}

/// The user to grant the socket to, and through which group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub user: String,
    pub uid: u32,
    pub group: String,
    pub gid: u32,
    /// The group is the user's primary group, so it counts in sessions that already exist.
    pub primary: bool,
}

/// Which groups the verification runs with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Groups {
    /// Only the primary group: proves that no new login is needed.
    PrimaryOnly,
    /// What a new login gets (/etc/group), for a `--group` that is not the primary one.
    Login,
}

/// Who must reach the engine at the end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verify {
    pub user: String,
    pub uid: u32,
    pub gid: u32,
    pub groups: Groups,
}

/// One thing to do as root. Commands are argv lists (no shell); `sudo -n` is added when needed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Run {
        why: String,
        argv: Vec<String>,
    },
    /// Installs Docker. Facts are gathered again afterwards: the package may start a daemon.
    Install {
        why: String,
        argv: Vec<String>,
    },
    WriteFile {
        path: PathBuf,
        contents: String,
    },
    RemoveFile {
        path: PathBuf,
    },
    /// Removes a directory that setup-docker created, if nothing else is in it.
    RemoveEmptyDir {
        path: PathBuf,
    },
    /// SIGTERM, then wait until the process is gone.
    StopDaemon {
        pid: u32,
        command: String,
        started_by: StartedBy,
        deadline: Duration,
    },
    /// `setsid DOCKERD ARGS >>LOG 2>&1 </dev/null &`, then wait until the socket answers.
    StartDaemon {
        dockerd: PathBuf,
        args: Vec<String>,
        log: PathBuf,
        pidfile: PathBuf,
        socket: PathBuf,
        deadline: Duration,
    },
}

/// What setup-docker will do, and what it must say or ask first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// `None` for `--revert`.
    pub target: Option<Target>,
    pub steps: Vec<Step>,
    /// Things the user should know; printed before the steps.
    pub notes: Vec<String>,
    /// Reasons this plan may only run with `--yes`.
    pub needs_yes: Vec<String>,
    /// The plan gives a non-root user the socket: print the security warning (and ask on a TTY).
    pub grants_access: bool,
    pub verify: Option<Verify>,
}

/// Computes the plan, or refuses with the exit code that says why.
pub fn plan(facts: &Facts, request: &Request) -> Result<Plan, Failure> {
    if request.revert {
        return plan_revert(facts);
    }
    let target = resolve_target(facts, request)?;
    let mut plan = Plan {
        target: Some(target.clone()),
        ..Plan::default()
    };
    note_group_joined_after_login(facts, &target, &mut plan);

    // Decide on the host as it will be once Docker is installed.
    let installed_facts;
    let facts = if facts.dockerd.is_none() {
        let Some(manager) = facts.package_manager else {
            return Err(Failure::new(
                Code::NoPackageManager,
                format!(
                    "Docker is not installed and no supported package manager was found on {} \
                     (looked for apt-get, dnf, yum, zypper)",
                    facts.os.pretty_name
                ),
            )
            .hint("install Docker Engine with this system's tools, then run setup-docker again"));
        };
        plan.steps.extend(install_steps(manager, facts));
        installed_facts = assume_installed(facts, manager);
        &installed_facts
    } else {
        facts
    };

    if target.uid == 0 {
        plan_for_root(facts, request, &mut plan)?;
    } else {
        let changes_before = plan.steps.len();
        match &facts.systemd {
            Some(_) => grant_with_systemd(facts, &target, &mut plan)?,
            None => grant_without_systemd(facts, &target, request, &mut plan)?,
        }
        let grants = plan.steps.len() > changes_before;
        plan.grants_access = grants;
        check_shared_group(facts, &target, grants, &mut plan);
    }
    plan.verify = Some(Verify {
        user: target.user.clone(),
        uid: target.uid,
        // The primary group, as the user's sessions have it; `Login` adds the others.
        gid: facts
            .accounts
            .user(&target.user)
            .map_or(target.gid, |user| user.gid),
        groups: if target.primary || target.uid == 0 {
            Groups::PrimaryOnly
        } else {
            Groups::Login
        },
    });
    Ok(plan)
}

/// Refuses a plan that cannot run as it stands: no way to act as root, or `--yes` missing.
/// `rerun` is the command line that repeats this run, for the hint.
pub fn preflight(plan: &Plan, privilege: Privilege, yes: bool, rerun: &str) -> Result<(), Failure> {
    let first = plan.steps.first().filter(|_| privilege == Privilege::None);
    if let Some(first) = first {
        return Err(Failure::new(
            Code::NoPrivileges,
            format!(
                "setup-docker must act as root ({}, and more), and this process is neither root \
                 nor allowed password-free `sudo -n`",
                first.summary()
            ),
        )
        .hint(format!("sudo {rerun}")));
    }
    if !plan.needs_yes.is_empty() && !yes {
        return Err(Failure::new(
            Code::NotConfirmed,
            format!(
                "this needs --yes to go ahead: {}",
                plan.needs_yes.join("; ")
            ),
        )
        .hint(format!("{rerun} --yes")));
    }
    Ok(())
}

/// The drop-in that hands systemd's socket to `group`. The packaged unit is never edited: a
/// package upgrade would overwrite it, and keeps drop-ins.
pub fn dropin_contents(group: &str) -> String {
    format!(
        "# Written by `cargo xtask setup-docker`: the Docker socket belongs to group {group}, so\n\
         # users whose primary group it is reach the engine without a new login. Access to the\n\
         # socket is equivalent to root. Undo with `cargo xtask setup-docker --revert`.\n\
         [Socket]\n\
         SocketGroup={group}\n\
         SocketMode=0660\n"
    )
}

fn resolve_target(facts: &Facts, request: &Request) -> Result<Target, Failure> {
    let accounts = &facts.accounts;
    let name = match request.user.clone().or_else(|| facts.sudo_user.clone()) {
        Some(name) => name,
        None => accounts
            .user_by_uid(facts.process.uid)
            .map(|user| user.name.clone())
            .ok_or_else(|| {
                Failure::new(
                    Code::UnknownUser,
                    format!(
                        "this process runs as uid {}, which has no entry in /etc/passwd",
                        facts.process.uid
                    ),
                )
                .hint("name the user to grant the socket to with --user NAME")
            })?,
    };
    let user = accounts.user(&name).ok_or_else(|| {
        Failure::new(
            Code::UnknownUser,
            format!("there is no user named `{name}` on this host (not in /etc/passwd, not known to getent)"),
        )
        .hint("pass the user that runs the tests with --user NAME")
    })?;
    let group = match &request.group {
        Some(group_name) => accounts.group(group_name).ok_or_else(|| {
            Failure::new(
                Code::UnknownGroup,
                format!("there is no group named `{group_name}` on this host"),
            )
            .hint(format!(
                "leave out --group to use {name}'s primary group, or create the group first"
            ))
        })?,
        None => accounts.group_by_gid(user.gid).ok_or_else(|| {
            Failure::new(
                Code::UnknownGroup,
                format!(
                    "{name}'s primary group (gid {}) has no entry in /etc/group",
                    user.gid
                ),
            )
            .hint("name an existing group with --group GROUP")
        })?,
    };
    if user.uid != 0 {
        if group.gid == 0 {
            return Err(Failure::new(
                Code::UnsafeGroup,
                format!(
                    "refusing to hand the socket to group `{}` (gid 0) for {name}: that makes \
                     every member of root's group root on this host",
                    group.name
                ),
            )
            .hint(format!(
                "leave out --group to use {name}'s own primary group"
            )));
        }
        if !accounts.in_group(user, group) {
            return Err(Failure::new(
                Code::BadInput,
                format!(
                    "{name} is not in group `{}`, so the socket would not be theirs",
                    group.name
                ),
            )
            .hint(format!(
                "leave out --group to use {name}'s primary group (no new login needed)"
            )));
        }
    }
    Ok(Target {
        user: user.name.clone(),
        uid: user.uid,
        group: group.name.clone(),
        gid: group.gid,
        primary: group.gid == user.gid,
    })
}

/// A user who joined the socket's group after login has it in /etc/group but not in the
/// sessions it already runs; say so, and how to use it without setup-docker.
fn note_group_joined_after_login(facts: &Facts, target: &Target, plan: &mut Plan) {
    if target.uid == 0 || target.uid != facts.process.uid {
        return;
    }
    let Some(user) = facts.accounts.user(&target.user) else {
        return;
    };
    let socket_group = facts
        .socket
        .as_ref()
        .and_then(|s| facts.accounts.group_by_gid(s.gid))
        .or_else(|| facts.accounts.group("docker"));
    let joined_after_login = socket_group.filter(|group| {
        group.gid != 0
            && facts.accounts.in_group(user, group)
            && !facts.process.has_group(group.gid)
    });
    if let Some(group) = joined_after_login {
        plan.notes.push(format!(
            "{} is in group {g} (/etc/group), but this process is not: the group was joined \
             after login and only counts after a new login. Without setup-docker, \
             `sg {g} -c 'COMMAND'` runs one command with it now.",
            target.user,
            g = group.name
        ));
    }
}

fn install_steps(manager: PackageManager, facts: &Facts) -> Vec<Step> {
    let argv = |words: &[&str]| words.iter().map(|w| (*w).to_owned()).collect::<Vec<_>>();
    let (refresh, install, package) = match manager {
        PackageManager::AptGet => (
            argv(&["env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "update"]),
            argv(&[
                "env",
                "DEBIAN_FRONTEND=noninteractive",
                "NEEDRESTART_SUSPEND=1",
                "apt-get",
                "install",
                "-y",
                "docker.io",
            ]),
            "docker.io",
        ),
        PackageManager::Dnf | PackageManager::Yum => {
            let program = manager.program();
            let package = if facts.os.id == "fedora" {
                "moby-engine"
            } else {
                "docker"
            };
            (
                argv(&[program, "makecache"]),
                argv(&[program, "install", "-y", package]),
                package,
            )
        }
        PackageManager::Zypper => (
            argv(&["zypper", "--non-interactive", "refresh"]),
            argv(&["zypper", "--non-interactive", "install", "docker"]),
            "docker",
        ),
    };
    vec![
        Step::Run {
            why: "refresh the package index".into(),
            argv: refresh,
        },
        Step::Install {
            why: format!("install Docker (package {package})"),
            argv: install,
        },
    ]
}

/// The host as the package leaves it: dockerd in place, no daemon of ours, systemd's units there.
fn assume_installed(facts: &Facts, manager: PackageManager) -> Facts {
    let mut after = facts.clone();
    let sbin = matches!(manager, PackageManager::AptGet);
    after.dockerd = Some(PathBuf::from(if sbin {
        "/usr/sbin/dockerd"
    } else {
        "/usr/bin/dockerd"
    }));
    if let Some(systemd) = &mut after.systemd {
        systemd.socket_unit = true;
    }
    after
}

fn plan_for_root(facts: &Facts, request: &Request, plan: &mut Plan) -> Result<(), Failure> {
    let group = facts
        .socket
        .as_ref()
        .map_or_else(|| "docker".to_owned(), |s| facts.accounts.group_name(s.gid));
    plan.notes.push(format!(
        "the target is root, which needs nothing granted: the socket keeps its group ({group}); \
         setup-docker only makes sure a daemon runs"
    ));
    if let Some(asked) = &request.group {
        plan.notes
            .push(format!("--group {asked} is ignored for root"));
    }
    match &facts.systemd {
        Some(_) if facts.socket.is_none() => {
            plan.steps.push(systemctl(
                "start the socket unit",
                &["start", "docker.socket"],
            ));
            plan.steps
                .push(systemctl("start the daemon", &["start", "docker.service"]));
        }
        Some(_) => {}
        None if facts.daemon.is_none() => {
            let args = dockerd_args(None, facts, plan)?;
            plan.steps.push(start_step(facts, args));
        }
        None => {}
    }
    Ok(())
}

fn grant_with_systemd(facts: &Facts, target: &Target, plan: &mut Plan) -> Result<(), Failure> {
    let Some(systemd) = &facts.systemd else {
        return Ok(());
    };
    if !systemd.socket_unit {
        return Err(Failure::new(
            Code::Failure,
            "systemd runs, but there is no docker.socket unit: setup-docker gives the socket its \
             group through that unit's SocketGroup=",
        )
        .hint("install the distribution's Docker package (docker.io, moby-engine), which ships docker.socket"));
    }
    let keys = facts.daemon_json.keys();
    if let Some(group) = &keys.group {
        plan.notes.push(format!(
            "{} sets \"group\": \"{group}\", which does not apply to the socket systemd creates",
            paths::DAEMON_JSON
        ));
    }
    if keys.hosts.is_some() {
        plan.notes.push(format!(
            "{} sets \"hosts\", which conflicts with `-H fd://` in docker.service: if dockerd \
             refuses to start, remove that key",
            paths::DAEMON_JSON
        ));
    }
    let wanted = dropin_contents(&target.group);
    let fits = socket_fits(facts.socket.as_ref(), target.gid);
    if systemd.dropin.as_deref() != Some(wanted.as_str()) {
        plan.steps.push(Step::WriteFile {
            path: PathBuf::from(paths::DROPIN),
            contents: wanted,
        });
    } else if fits {
        return Ok(());
    }
    plan.steps.extend(reload_and_restart_socket());
    Ok(())
}

fn grant_without_systemd(
    facts: &Facts,
    target: &Target,
    request: &Request,
    plan: &mut Plan,
) -> Result<(), Failure> {
    if facts.daemon.is_some() && socket_fits(facts.socket.as_ref(), target.gid) {
        return Ok(());
    }
    let args = dockerd_args(Some(&target.group), facts, plan)?;
    if let Some(daemon) = &facts.daemon {
        let serves = facts.socket.as_ref().map_or_else(
            || "no socket".to_owned(),
            |s| describe_socket(s, &facts.accounts),
        );
        stop_daemon(
            daemon,
            &format!("it serves {serves}, not group {}", target.group),
            request,
            plan,
        );
    }
    plan.steps.push(start_step(facts, args));
    Ok(())
}

fn plan_revert(facts: &Facts) -> Result<Plan, Failure> {
    let mut plan = Plan::default();
    match &facts.systemd {
        Some(systemd) if systemd.dropin.is_some() => {
            plan.steps.push(Step::RemoveFile {
                path: PathBuf::from(paths::DROPIN),
            });
            if systemd.other_dropins.is_empty() {
                plan.steps.push(Step::RemoveEmptyDir {
                    path: PathBuf::from(paths::DROPIN_DIR),
                });
            }
            plan.steps.extend(reload_and_restart_socket());
        }
        Some(_) => plan.notes.push(format!(
            "{} does not exist: setup-docker has nothing to revert here",
            paths::DROPIN
        )),
        None => match &facts.daemon {
            Some(daemon) if daemon.started_by == StartedBy::SetupDocker => {
                if let Some(group) = &daemon.args.group {
                    let args = dockerd_args(None, facts, &mut plan)?;
                    plan.steps.push(Step::StopDaemon {
                        pid: daemon.pid,
                        command: daemon.command.clone(),
                        started_by: daemon.started_by,
                        deadline: STOP_DEADLINE,
                    });
                    plan.steps.push(start_step(facts, args));
                    plan.notes.push(format!(
                        "the daemon setup-docker started serves group {group}: it restarts with \
                         the default group"
                    ));
                } else {
                    plan.notes.push(
                        "the daemon setup-docker started already serves the default group".into(),
                    );
                }
            }
            Some(daemon) => plan.notes.push(format!(
                "the running dockerd (pid {}) was not started by setup-docker: left alone",
                daemon.pid
            )),
            None => plan
                .notes
                .push("no dockerd runs, and setup-docker started none: nothing to revert".into()),
        },
    }
    let daemon_expected = facts.daemon.is_some() || facts.systemd.is_some();
    if daemon_expected {
        plan.verify = facts.accounts.user_by_uid(0).map(|root| Verify {
            user: root.name.clone(),
            uid: 0,
            gid: root.gid,
            groups: Groups::PrimaryOnly,
        });
    }
    Ok(plan)
}

/// dockerd's flags for a socket of `group` (or the default group), given daemon.json: a key set
/// there must not be given as a flag too, or dockerd refuses to start.
fn dockerd_args(
    group: Option<&str>,
    facts: &Facts,
    plan: &mut Plan,
) -> Result<Vec<String>, Failure> {
    let conflict = |what: String, fix: String| {
        Failure::new(
            Code::DaemonFailed,
            format!("dockerd would refuse to start: {what}"),
        )
        .hint(fix)
    };
    let json = match &facts.daemon_json {
        DaemonConfig::Invalid(why) => {
            return Err(conflict(
                format!("{} is {why}", paths::DAEMON_JSON),
                format!(
                    "fix or remove {}, then run setup-docker again",
                    paths::DAEMON_JSON
                ),
            ));
        }
        config => config.keys(),
    };
    let mut args = Vec::new();
    match (group, &json.group) {
        (Some(group), None) => args.extend(["--group".to_owned(), group.to_owned()]),
        (Some(group), Some(configured)) if configured == group => plan.notes.push(format!(
            "{} already sets \"group\": \"{group}\", so dockerd gets no --group",
            paths::DAEMON_JSON
        )),
        (Some(group), Some(configured)) => {
            return Err(conflict(
                format!(
                    "{} sets \"group\": \"{configured}\", and setup-docker needs group {group} \
                     (dockerd rejects the key and the --group flag together)",
                    paths::DAEMON_JSON
                ),
                format!(
                    "remove the \"group\" key from {} (or set it to \"{group}\"), then run \
                     setup-docker again",
                    paths::DAEMON_JSON
                ),
            ));
        }
        (None, _) => {}
    }
    match &json.hosts {
        None => args.extend(["-H".to_owned(), paths::SOCKET_HOST.to_owned()]),
        Some(hosts) if hosts.iter().any(|h| paths::is_default_socket(h)) => {}
        Some(hosts) => {
            return Err(conflict(
                format!(
                    "{} sets \"hosts\": {hosts:?} without {}, the socket setup-docker manages \
                     (and dockerd rejects the key and -H together)",
                    paths::DAEMON_JSON,
                    paths::SOCKET_HOST
                ),
                format!(
                    "add \"{}\" to \"hosts\" in {} (or remove the key), then run setup-docker again",
                    paths::SOCKET_HOST,
                    paths::DAEMON_JSON
                ),
            ));
        }
    }
    // Containers keep running while setup-docker restarts this daemon later (another group,
    // --revert): the engine may be shared, and its downtime should cost no one a container.
    if json.live_restore.is_none() {
        args.push("--live-restore".to_owned());
    }
    args.extend(["--pidfile".to_owned(), paths::DAEMON_PIDFILE.to_owned()]);
    Ok(args)
}

fn stop_daemon(daemon: &Daemon, why: &str, request: &Request, plan: &mut Plan) {
    match daemon.started_by {
        StartedBy::SetupDocker => {}
        _ if request.just_installed => plan.notes.push(format!(
            "the package just installed started dockerd (pid {}): it is restarted",
            daemon.pid
        )),
        _ => plan.needs_yes.push(format!(
            "the running dockerd (pid {}, `{}`) was not started by setup-docker, and {why}: it \
             must be stopped (with its containers) and started again",
            daemon.pid, daemon.command
        )),
    }
    plan.steps.push(Step::StopDaemon {
        pid: daemon.pid,
        command: daemon.command.clone(),
        started_by: daemon.started_by,
        deadline: STOP_DEADLINE,
    });
}

fn start_step(facts: &Facts, args: Vec<String>) -> Step {
    Step::StartDaemon {
        dockerd: facts
            .dockerd
            .clone()
            .unwrap_or_else(|| PathBuf::from("dockerd")),
        args,
        log: PathBuf::from(paths::DAEMON_LOG),
        pidfile: PathBuf::from(paths::DAEMON_PIDFILE),
        socket: PathBuf::from(paths::SOCKET),
        deadline: START_DEADLINE,
    }
}

fn systemctl(why: &str, args: &[&str]) -> Step {
    Step::Run {
        why: why.to_owned(),
        argv: std::iter::once("systemctl")
            .chain(args.iter().copied())
            .map(str::to_owned)
            .collect(),
    }
}

/// A socket's group only changes when its unit restarts; the service restarts to take it over.
fn reload_and_restart_socket() -> [Step; 3] {
    [
        systemctl("make systemd read the drop-in", &["daemon-reload"]),
        systemctl(
            "recreate the socket with its new group",
            &["restart", "docker.socket"],
        ),
        systemctl(
            "restart the daemon on the new socket",
            &["restart", "docker.service"],
        ),
    ]
}

/// True when the socket is root's, of group `gid`, exactly `0660` (so never world-accessible).
fn socket_fits(socket: Option<&Socket>, gid: u32) -> bool {
    socket.is_some_and(|s| {
        s.uid == 0 && s.gid == gid && s.mode == paths::SOCKET_MODE && !world_accessible(s.mode)
    })
}

fn check_shared_group(facts: &Facts, target: &Target, grants: bool, plan: &mut Plan) {
    let Some(group) = facts.accounts.group(&target.group) else {
        return;
    };
    let others = facts.accounts.other_members(group, &target.user);
    let reason = if SHARED_GROUPS.contains(&group.name.as_str()) {
        format!("group {} is a shared group", group.name)
    } else if !others.is_empty() {
        format!(
            "group {} has other members ({})",
            group.name,
            others.join(", ")
        )
    } else {
        return;
    };
    let warning = format!("{reason}: all of them get root-equivalent access to Docker");
    if grants {
        plan.needs_yes.push(warning);
    } else {
        plan.notes.push(warning);
    }
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
