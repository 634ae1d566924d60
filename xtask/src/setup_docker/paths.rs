//! The host paths setup-docker reads and writes: documented in the README, relied on by
//! the tests and by people looking for the daemon's log.

/// The socket setup-docker manages (`/var/run` is `/run` on every current distribution).
pub const SOCKET: &str = "/var/run/docker.sock";
/// `SOCKET` as dockerd's `-H` wants it.
pub const SOCKET_HOST: &str = "unix:///var/run/docker.sock";
/// The mode setup-docker gives the socket: owner and group, never others.
pub const SOCKET_MODE: u32 = 0o660;

/// Without systemd: where the dockerd that setup-docker starts writes its output (appended).
pub const DAEMON_LOG: &str = "/var/log/craton-dockerd.log";
/// Without systemd: the pid file of the dockerd that setup-docker starts; also how it
/// recognises that daemon later (the path is on the daemon's command line).
pub const DAEMON_PIDFILE: &str = "/run/craton-dockerd.pid";

/// With systemd: the drop-in directory of the packaged `docker.socket` unit.
pub const DROPIN_DIR: &str = "/etc/systemd/system/docker.socket.d";
/// With systemd: setup-docker's drop-in, setting `SocketGroup=` and `SocketMode=`.
pub const DROPIN: &str = "/etc/systemd/system/docker.socket.d/craton-socket-group.conf";

/// dockerd's configuration file, read for the keys that conflict with its flags.
pub const DAEMON_JSON: &str = "/etc/docker/daemon.json";

/// True when a dockerd `-H` value names the default socket.
pub fn is_default_socket(host: &str) -> bool {
    matches!(
        host,
        "unix:///var/run/docker.sock" | "unix:///run/docker.sock"
    )
}
