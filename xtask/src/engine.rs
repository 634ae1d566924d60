//! The one way xtask talks to Docker: bollard over the local socket (or `DOCKER_HOST`),
//! with the API version negotiated, since hosts run engines older than bollard's default.
//! When the engine cannot be reached, says why (no socket, daemon down, permission denied
//! against the socket's owner, group and mode) and the one command that fixes it.

use std::io::ErrorKind;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};

use anyhow::Result;
use bollard::Docker;

use crate::exit::{Code, Failure};
use crate::setup_docker::facts::{self, Accounts, Process, Socket};
use crate::setup_docker::parse::{group_can_connect, octal_mode};
use crate::setup_docker::paths;

/// Connects and negotiates the API version; fails with `EngineUnreachable`, a diagnosis and a hint.
pub async fn connect() -> Result<Docker> {
    let unreachable = |err: bollard::errors::Error| diagnose(&err.to_string());
    let docker = Docker::connect_with_defaults().map_err(unreachable)?;
    let docker = docker.negotiate_version().await.map_err(unreachable)?;
    docker.ping().await.map_err(unreachable)?;
    Ok(docker)
}

/// The socket `connect()` uses: `DOCKER_HOST` when it names a unix socket, else the default.
/// `None` when `DOCKER_HOST` points elsewhere (tcp, ssh), where no socket can be examined.
pub fn socket_path() -> Option<PathBuf> {
    match std::env::var("DOCKER_HOST") {
        Ok(host) if !host.is_empty() => host.strip_prefix("unix://").map(PathBuf::from),
        _ => Some(PathBuf::from(paths::SOCKET)),
    }
}

/// Why the engine is unreachable, examined on the host, as a `Failure` carrying the fix.
/// `detail` is the client's own error, kept for the cases the examination cannot explain.
pub fn diagnose(detail: &str) -> Failure {
    let Some(socket) = socket_path() else {
        let host = std::env::var("DOCKER_HOST").unwrap_or_default();
        return Failure::new(
            Code::EngineUnreachable,
            format!("cannot reach the Docker engine at DOCKER_HOST={host}: {detail}"),
        )
        .hint("start the engine there, or unset DOCKER_HOST to use the local socket");
    };
    diagnose_socket(&socket, detail)
}

/// Like `diagnose`, for a given socket path.
pub fn diagnose_socket(socket: &Path, detail: &str) -> Failure {
    let probe = SocketProbe::observe(socket);
    let who = Who {
        process: facts::process_identity(),
        accounts: facts::read_accounts(),
        dockerd_installed: facts::find_program("dockerd").is_some(),
        fix: fix_command(),
    };
    let (message, hint) = explain(socket, &probe, &who, detail);
    Failure::new(Code::EngineUnreachable, message).hint(hint)
}

/// What a connection attempt to the socket found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SocketProbe {
    /// No file at the path.
    Missing,
    /// The file is there and nothing listens: the daemon is down (the socket is stale).
    Refused(Socket),
    /// The kernel refused this process: the socket's owner, group and mode say why.
    Denied(Socket),
    /// The connection worked, so the problem is past the socket (the API call failed).
    Connected,
    /// Anything else, with the OS's words.
    Other(String),
}

impl SocketProbe {
    pub fn observe(path: &Path) -> Self {
        let stat = facts::read_socket(path);
        match (UnixStream::connect(path), stat) {
            (Ok(_), _) => Self::Connected,
            (Err(err), _) if err.kind() == ErrorKind::NotFound => Self::Missing,
            (Err(err), Some(stat)) if err.kind() == ErrorKind::ConnectionRefused => {
                Self::Refused(stat)
            }
            (Err(err), Some(stat)) if err.kind() == ErrorKind::PermissionDenied => {
                Self::Denied(stat)
            }
            (Err(err), _) => Self::Other(err.to_string()),
        }
    }
}

/// Who is asking, and the command that would fix things for them.
#[derive(Debug, Clone)]
pub struct Who {
    pub process: Process,
    pub accounts: Accounts,
    pub dockerd_installed: bool,
    pub fix: String,
}

/// The diagnosis (message, hint): pure, so every case is unit-tested.
pub fn explain(socket: &Path, probe: &SocketProbe, who: &Who, detail: &str) -> (String, String) {
    let path = socket.display();
    let fix = who.fix.clone();
    match probe {
        SocketProbe::Missing if !who.dockerd_installed => (
            format!("Docker is not installed: there is no dockerd and no socket at {path}"),
            fix,
        ),
        SocketProbe::Missing => (
            format!("the Docker daemon is not running: there is no socket at {path}"),
            fix,
        ),
        SocketProbe::Refused(_) => (
            format!(
                "the Docker daemon is down: {path} exists but nothing listens on it (left over \
                 from a daemon that stopped)"
            ),
            fix,
        ),
        SocketProbe::Denied(stat) => explain_denied(socket, stat, who),
        SocketProbe::Connected => (
            format!(
                "the Docker engine at {path} accepts connections but does not answer the API: {detail}"
            ),
            "look at the daemon's log (setup-docker's daemon writes /var/log/craton-dockerd.log; \
             under systemd: journalctl -u docker.service)"
                .to_owned(),
        ),
        SocketProbe::Other(err) => (format!("cannot connect to {path}: {err} ({detail})"), fix),
    }
}

fn explain_denied(socket: &Path, stat: &Socket, who: &Who) -> (String, String) {
    let accounts = &who.accounts;
    let user = accounts.user_name(who.process.uid);
    let group = accounts.group_name(stat.gid);
    let mut groups: Vec<u32> = std::iter::once(who.process.gid)
        .chain(who.process.groups.iter().copied())
        .collect();
    groups.sort_unstable();
    groups.dedup();
    let groups = groups
        .iter()
        .map(|gid| accounts.group_name(*gid))
        .collect::<Vec<_>>()
        .join(", ");
    let mut message = format!(
        "permission denied on {} (owner {}, group {group}, mode {}): this process runs as {user} \
         with groups {groups}",
        socket.display(),
        accounts.user_name(stat.uid),
        octal_mode(stat.mode),
    );
    let in_group_on_file = accounts
        .user(&user)
        .zip(accounts.group_by_gid(stat.gid))
        .is_some_and(|(u, g)| accounts.in_group(u, g));
    if who.process.has_group(stat.gid) && !group_can_connect(stat.mode) {
        message.push_str(&format!(
            ", and the socket's mode gives group {group} no access"
        ));
        return (message, who.fix.clone());
    }
    if in_group_on_file && group_can_connect(stat.mode) {
        message.push_str(&format!(
            "; {user} is in group {group} in /etc/group, but joined after this session started, \
             so only a new login has it (or run the command through `sg {group} -c '...'`)"
        ));
        return (message, who.fix.clone());
    }
    message.push_str(&format!(", none of which is {group}"));
    (message, who.fix.clone())
}

/// How to name this program in a hint: its full path, since `sudo cargo` usually lacks root's
/// toolchain and the static binary may run where there is no cargo at all.
pub fn this_program() -> String {
    std::env::current_exe()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| "cargo xtask".to_owned())
}

/// The command that gives this process's user the socket: setup-docker, run as root.
pub fn fix_command() -> String {
    let exe = this_program();
    let process = facts::process_identity();
    if process.uid == 0 {
        format!("{exe} setup-docker")
    } else {
        let user = facts::read_accounts().user_name(process.uid);
        format!("sudo {exe} setup-docker --user {user}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::setup_docker::parse::{parse_group, parse_passwd};

    fn who(uid: u32, gid: u32, groups: &[u32]) -> Who {
        Who {
            process: Process {
                uid,
                gid,
                groups: groups.to_vec(),
            },
            accounts: Accounts {
                users: parse_passwd(
                    "root:x:0:0::/root:/bin/sh\nzuul:x:1001:1001::/home/zuul:/bin/sh\n",
                ),
                groups: parse_group("root:x:0:\ndocker:x:105:zuul\nzuul:x:1001:\n"),
            },
            dockerd_installed: true,
            fix: "sudo xtask setup-docker --user zuul".into(),
        }
    }

    fn socket(gid: u32, mode: u32) -> Socket {
        Socket { uid: 0, gid, mode }
    }

    const PATH: &str = "/var/run/docker.sock";

    #[test]
    fn missing_socket_without_dockerd_says_docker_is_not_installed() {
        let mut who = who(1001, 1001, &[]);
        who.dockerd_installed = false;
        let (message, hint) = explain(Path::new(PATH), &SocketProbe::Missing, &who, "");
        assert!(message.contains("not installed"), "{message}");
        assert_eq!(hint, "sudo xtask setup-docker --user zuul");
    }

    #[test]
    fn missing_socket_with_dockerd_says_the_daemon_is_not_running() {
        let (message, _) = explain(Path::new(PATH), &SocketProbe::Missing, &who(0, 0, &[]), "");
        assert!(message.contains("not running"), "{message}");
    }

    #[test]
    fn refused_connection_says_the_daemon_is_down() {
        let probe = SocketProbe::Refused(socket(105, 0o660));
        let (message, hint) = explain(Path::new(PATH), &probe, &who(0, 0, &[]), "");
        assert!(message.contains("daemon is down"), "{message}");
        assert!(hint.contains("setup-docker"));
    }

    #[test]
    fn denied_names_owner_group_mode_and_the_users_groups() {
        let probe = SocketProbe::Denied(socket(105, 0o660));
        let mut who = who(1001, 1001, &[]);
        who.accounts.groups = parse_group("docker:x:105:\nzuul:x:1001:\n");
        let (message, hint) = explain(Path::new(PATH), &probe, &who, "");
        assert!(
            message.contains("owner root, group docker, mode 0660"),
            "{message}"
        );
        assert!(
            message.contains("runs as zuul with groups zuul"),
            "{message}"
        );
        assert!(message.contains("none of which is docker"), "{message}");
        assert_eq!(hint, "sudo xtask setup-docker --user zuul");
    }

    #[test]
    fn denied_for_a_group_joined_after_login_says_so_and_offers_sg() {
        let probe = SocketProbe::Denied(socket(105, 0o660));
        let (message, _) = explain(Path::new(PATH), &probe, &who(1001, 1001, &[]), "");
        assert!(
            message.contains("joined after this session started"),
            "{message}"
        );
        assert!(message.contains("sg docker -c"), "{message}");
    }

    #[test]
    fn denied_although_in_the_group_blames_the_mode() {
        let probe = SocketProbe::Denied(socket(105, 0o600));
        let (message, _) = explain(Path::new(PATH), &probe, &who(1001, 1001, &[105]), "");
        assert!(message.contains("mode 0600"), "{message}");
        assert!(
            message.contains("gives group docker no access"),
            "{message}"
        );
    }

    #[test]
    fn connected_but_failing_points_at_the_daemon_log() {
        let (message, hint) = explain(
            Path::new(PATH),
            &SocketProbe::Connected,
            &who(0, 0, &[]),
            "API error 500",
        );
        assert!(message.contains("API error 500"), "{message}");
        assert!(hint.contains("craton-dockerd.log"), "{hint}");
    }

    #[test]
    fn a_path_without_a_socket_reads_as_missing() {
        let probe = SocketProbe::observe(Path::new("/nonexistent/craton/docker.sock"));
        assert_eq!(probe, SocketProbe::Missing);
    }
}
