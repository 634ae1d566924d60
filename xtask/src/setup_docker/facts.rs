//! What setup-docker knows about the host before it decides anything: gathered once into
//! a plain struct so that the plan can be a pure function of it (and tested with hand-written facts).

use std::fs;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

use xshell::{Shell, cmd};

use super::parse::{
    DaemonJson, DockerdArgs, GroupEntry, OsRelease, PasswdEntry, in_docker_service, parse_group,
    parse_passwd,
};
use super::paths;

/// The package managers setup-docker can install Docker with, in the order they are preferred.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PackageManager {
    AptGet,
    Dnf,
    Yum,
    Zypper,
}

impl PackageManager {
    pub const ALL: [Self; 4] = [Self::AptGet, Self::Dnf, Self::Yum, Self::Zypper];

    pub fn program(self) -> &'static str {
        match self {
            Self::AptGet => "apt-get",
            Self::Dnf => "dnf",
            Self::Yum => "yum",
            Self::Zypper => "zypper",
        }
    }
}

/// How setup-docker can act as root.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Privilege {
    Root,
    /// `sudo -n true` succeeded: commands run as `sudo -n ...`.
    PasswordlessSudo,
    None,
}

/// The credentials of this process (effective ids: what the kernel checks on the socket).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Process {
    pub uid: u32,
    pub gid: u32,
    /// Supplementary groups as the kernel has them, which can lag /etc/group until a new login.
    pub groups: Vec<u32>,
}

impl Process {
    pub fn has_group(&self, gid: u32) -> bool {
        self.gid == gid || self.groups.contains(&gid)
    }
}

/// The user and group databases.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Accounts {
    pub users: Vec<PasswdEntry>,
    pub groups: Vec<GroupEntry>,
}

impl Accounts {
    pub fn user(&self, name: &str) -> Option<&PasswdEntry> {
        self.users.iter().find(|u| u.name == name)
    }

    pub fn user_by_uid(&self, uid: u32) -> Option<&PasswdEntry> {
        self.users.iter().find(|u| u.uid == uid)
    }

    pub fn group(&self, name: &str) -> Option<&GroupEntry> {
        self.groups.iter().find(|g| g.name == name)
    }

    pub fn group_by_gid(&self, gid: u32) -> Option<&GroupEntry> {
        self.groups.iter().find(|g| g.gid == gid)
    }

    /// A user's name for messages, or the bare number.
    pub fn user_name(&self, uid: u32) -> String {
        self.user_by_uid(uid)
            .map_or_else(|| uid.to_string(), |u| u.name.clone())
    }

    /// A group's name for messages, or the bare number.
    pub fn group_name(&self, gid: u32) -> String {
        self.group_by_gid(gid)
            .map_or_else(|| gid.to_string(), |g| g.name.clone())
    }

    /// True when /etc/passwd or /etc/group puts `user` in `group` (what a new login would get).
    pub fn in_group(&self, user: &PasswdEntry, group: &GroupEntry) -> bool {
        user.gid == group.gid || group.members.contains(&user.name)
    }

    /// Users other than `except` who are in `group`, by primary group or membership.
    pub fn other_members(&self, group: &GroupEntry, except: &str) -> Vec<String> {
        let mut names: Vec<String> = self
            .users
            .iter()
            .filter(|u| u.gid == group.gid)
            .map(|u| u.name.clone())
            .chain(group.members.iter().cloned())
            .filter(|name| name != except)
            .collect();
        names.sort();
        names.dedup();
        names
    }
}

/// The Docker socket as `stat` sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Socket {
    pub uid: u32,
    pub gid: u32,
    /// Permission bits only (`0o660`).
    pub mode: u32,
}

/// Who started the running daemon, which decides whether setup-docker may restart it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartedBy {
    /// Ours: its command line carries setup-docker's pid file.
    SetupDocker,
    /// systemd's docker.service (socket-activated or in its cgroup).
    Systemd,
    /// Anyone else: an init script, a person, another tool.
    Other,
}

/// A dockerd serving the default socket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Daemon {
    pub pid: u32,
    /// Its command line as one string, for messages.
    pub command: String,
    pub args: DockerdArgs,
    pub started_by: StartedBy,
}

/// /etc/docker/daemon.json.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DaemonConfig {
    Absent,
    Present(DaemonJson),
    /// dockerd refuses to start with it; the text says why.
    Invalid(String),
}

impl DaemonConfig {
    pub fn keys(&self) -> DaemonJson {
        match self {
            Self::Present(json) => json.clone(),
            Self::Absent | Self::Invalid(_) => DaemonJson::default(),
        }
    }
}

/// What systemd has for Docker (only gathered when systemd runs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Systemd {
    /// A `docker.socket` unit file exists (packaged or local).
    pub socket_unit: bool,
    /// The contents of setup-docker's drop-in, when present.
    pub dropin: Option<String>,
    /// Other files in the drop-in directory, which `--revert` must leave alone.
    pub other_dropins: Vec<String>,
}

/// Everything the plan is computed from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    pub os: OsRelease,
    pub package_manager: Option<PackageManager>,
    pub dockerd: Option<PathBuf>,
    pub docker_cli: Option<PathBuf>,
    /// `Some` when systemd is PID 1 (`/run/systemd/system` exists).
    pub systemd: Option<Systemd>,
    pub privilege: Privilege,
    pub process: Process,
    /// `SUDO_USER`, the default target when run through sudo.
    pub sudo_user: Option<String>,
    pub accounts: Accounts,
    pub socket: Option<Socket>,
    pub daemon: Option<Daemon>,
    pub daemon_json: DaemonConfig,
}

/// Reads the host. Names the user asked for are looked up with `getent` too when the files
/// lack them, so users from LDAP and the like resolve.
pub fn gather(user: Option<&str>, group: Option<&str>) -> anyhow::Result<Facts> {
    let sh = Shell::new()?;
    let process = process_identity();
    let sudo_user = std::env::var("SUDO_USER").ok().filter(|u| !u.is_empty());
    let mut accounts = read_accounts();
    let wanted_users = [user.map(str::to_owned), sudo_user.clone()];
    for name in wanted_users.iter().flatten() {
        if accounts.user(name).is_none() {
            accounts.users.extend(
                getent(&sh, "passwd", name)
                    .map(|t| parse_passwd(&t))
                    .unwrap_or_default(),
            );
        }
    }
    if accounts.user_by_uid(process.uid).is_none() {
        let uid = process.uid.to_string();
        accounts.users.extend(
            getent(&sh, "passwd", &uid)
                .map(|t| parse_passwd(&t))
                .unwrap_or_default(),
        );
    }
    if let Some(name) = group.filter(|g| accounts.group(g).is_none()) {
        accounts.groups.extend(
            getent(&sh, "group", name)
                .map(|t| parse_group(&t))
                .unwrap_or_default(),
        );
    }

    let systemd_runs = Path::new("/run/systemd/system").is_dir();
    Ok(Facts {
        os: fs::read_to_string("/etc/os-release")
            .or_else(|_| fs::read_to_string("/usr/lib/os-release"))
            .map(|text| OsRelease::parse(&text))
            .unwrap_or_default(),
        package_manager: PackageManager::ALL
            .into_iter()
            .find(|pm| find_program(pm.program()).is_some()),
        dockerd: find_program("dockerd"),
        docker_cli: find_program("docker"),
        systemd: systemd_runs.then(read_systemd),
        privilege: privilege(&sh, &process),
        process,
        sudo_user,
        accounts,
        socket: read_socket(Path::new(paths::SOCKET)),
        daemon: find_daemon(),
        daemon_json: read_daemon_json(Path::new(paths::DAEMON_JSON)),
    })
}

/// This process's effective uid, gid and supplementary groups.
pub fn process_identity() -> Process {
    Process {
        uid: nix::unistd::geteuid().as_raw(),
        gid: nix::unistd::getegid().as_raw(),
        groups: nix::unistd::getgroups()
            .map(|groups| groups.into_iter().map(|g| g.as_raw()).collect())
            .unwrap_or_default(),
    }
}

/// /etc/passwd and /etc/group; unreadable files read as empty (every lookup then fails clearly).
pub fn read_accounts() -> Accounts {
    Accounts {
        users: fs::read_to_string("/etc/passwd")
            .map(|t| parse_passwd(&t))
            .unwrap_or_default(),
        groups: fs::read_to_string("/etc/group")
            .map(|t| parse_group(&t))
            .unwrap_or_default(),
    }
}

fn getent(sh: &Shell, database: &str, key: &str) -> Option<String> {
    let getent = find_program("getent")?;
    cmd!(sh, "{getent} {database} {key}")
        .quiet()
        .ignore_stderr()
        .read()
        .ok()
}

/// Root, password-free sudo, or neither.
pub fn privilege(sh: &Shell, process: &Process) -> Privilege {
    if process.uid == 0 {
        return Privilege::Root;
    }
    let Some(sudo) = find_program("sudo") else {
        return Privilege::None;
    };
    let works = cmd!(sh, "{sudo} -n true")
        .quiet()
        .ignore_stdout()
        .ignore_stderr()
        .run()
        .is_ok();
    if works {
        Privilege::PasswordlessSudo
    } else {
        Privilege::None
    }
}

/// A program on PATH, or in the sbin directories a non-root PATH often lacks (dockerd,
/// runuser and useradd live there on Debian).
pub fn find_program(name: &str) -> Option<PathBuf> {
    which::which(name).ok().or_else(|| {
        [
            "/usr/local/sbin",
            "/usr/local/bin",
            "/usr/sbin",
            "/usr/bin",
            "/sbin",
            "/bin",
        ]
        .iter()
        .map(|dir| Path::new(dir).join(name))
        .find(|path| path.is_file())
    })
}

/// The socket's owner, group and mode; `None` when there is no socket at `path`.
pub fn read_socket(path: &Path) -> Option<Socket> {
    let meta = fs::metadata(path).ok()?;
    meta.file_type().is_socket().then(|| Socket {
        uid: meta.uid(),
        gid: meta.gid(),
        mode: meta.mode() & 0o7777,
    })
}

fn read_systemd() -> Systemd {
    let socket_unit = [
        "/etc/systemd/system/docker.socket",
        "/lib/systemd/system/docker.socket",
        "/usr/lib/systemd/system/docker.socket",
    ]
    .iter()
    .any(|p| Path::new(p).is_file());
    let other_dropins = fs::read_dir(paths::DROPIN_DIR)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|name| Path::new(paths::DROPIN).file_name() != Some(name.as_ref()))
                .collect()
        })
        .unwrap_or_default();
    Systemd {
        socket_unit,
        dropin: fs::read_to_string(paths::DROPIN).ok(),
        other_dropins,
    }
}

fn read_daemon_json(path: &Path) -> DaemonConfig {
    match fs::read_to_string(path) {
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => DaemonConfig::Absent,
        Err(err) => DaemonConfig::Invalid(format!("cannot read it: {err}")),
        Ok(text) => match DaemonJson::parse(&text) {
            Ok(json) => DaemonConfig::Present(json),
            Err(why) => DaemonConfig::Invalid(why),
        },
    }
}

/// The root-owned dockerd that serves this host's default socket, if one runs. Rootless
/// daemons, daemons on other sockets and daemons inside containers (visible in /proc, but in
/// another mount namespace) are not ours to touch.
pub fn find_daemon() -> Option<Daemon> {
    // dockerd writes a pid file in this namespace: ours, or the default one.
    let named = [paths::DAEMON_PIDFILE, "/var/run/docker.pid"]
        .iter()
        .filter_map(|file| fs::read_to_string(file).ok()?.trim().parse().ok())
        .find_map(daemon_at);
    if named.is_some() {
        return named;
    }
    let entries = fs::read_dir("/proc").ok()?;
    let mut pids: Vec<u32> = entries
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str()?.parse().ok())
        .collect();
    pids.sort_unstable();
    pids.into_iter()
        .filter(|pid| in_our_mount_namespace(*pid))
        .find_map(daemon_at)
}

/// True when the process sees the same files as we do. Reading another user's namespace
/// needs root; when we cannot tell, the process does not count.
fn in_our_mount_namespace(pid: u32) -> bool {
    let ours = fs::read_link("/proc/self/ns/mnt");
    let theirs = fs::read_link(format!("/proc/{pid}/ns/mnt"));
    matches!((ours, theirs), (Ok(a), Ok(b)) if a == b)
}

fn daemon_at(pid: u32) -> Option<Daemon> {
    let dir = PathBuf::from(format!("/proc/{pid}"));
    if fs::read_to_string(dir.join("comm")).ok()?.trim() != "dockerd" {
        return None;
    }
    if fs::metadata(&dir).ok()?.uid() != 0 || !process_alive(pid) {
        return None;
    }
    let raw = fs::read(dir.join("cmdline")).ok()?;
    let args = DockerdArgs::parse_cmdline(&raw);
    let serves_default = args.hosts.is_empty()
        || args.socket_activated()
        || args.hosts.iter().any(|h| paths::is_default_socket(h));
    if !serves_default {
        return None;
    }
    let cgroup = fs::read_to_string(dir.join("cgroup")).unwrap_or_default();
    let started_by = if args.pidfile.as_deref() == Some(paths::DAEMON_PIDFILE) {
        StartedBy::SetupDocker
    } else if args.socket_activated() || in_docker_service(&cgroup) {
        StartedBy::Systemd
    } else {
        StartedBy::Other
    };
    let command = raw
        .split(|b| *b == 0)
        .filter(|a| !a.is_empty())
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect::<Vec<_>>()
        .join(" ");
    Some(Daemon {
        pid,
        command,
        args,
        started_by,
    })
}

/// True while `pid` exists and is not a zombie waiting to be reaped.
pub fn process_alive(pid: u32) -> bool {
    match fs::read_to_string(format!("/proc/{pid}/stat")) {
        // The state follows the command name, which is in parentheses and may hold spaces.
        Ok(stat) => stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().next())
            .is_some_and(|state| state != "Z" && state != "X"),
        Err(_) => false,
    }
}
