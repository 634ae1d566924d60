//! Pure readers of the host files setup-docker decides from: os-release, /etc/passwd,
//! /etc/group, daemon.json, a dockerd command line, and the mode bits of the socket.

use std::collections::BTreeMap;

/// What /etc/os-release says about the distribution.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OsRelease {
    /// `ID`, e.g. `debian`, `ubuntu`, `fedora`.
    pub id: String,
    /// `ID_LIKE`, split on spaces, e.g. `["debian"]` on Ubuntu.
    pub id_like: Vec<String>,
    /// `PRETTY_NAME`, for people.
    pub pretty_name: String,
}

impl OsRelease {
    /// Reads the `KEY=value` lines of os-release(5); values may be quoted. Unknown keys are ignored.
    pub fn parse(text: &str) -> Self {
        let mut fields = BTreeMap::new();
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some((key, value)) = line.split_once('=') {
                fields.insert(key.trim(), unquote(value.trim()));
            }
        }
        let id = fields.get("ID").cloned().unwrap_or_default();
        Self {
            pretty_name: fields
                .get("PRETTY_NAME")
                .cloned()
                .unwrap_or_else(|| id.clone()),
            id_like: fields
                .get("ID_LIKE")
                .map(|like| like.split_whitespace().map(str::to_owned).collect())
                .unwrap_or_default(),
            id,
        }
    }
}

fn unquote(value: &str) -> String {
    let stripped = value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .or_else(|| value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
        .unwrap_or(value);
    stripped.replace("\\\"", "\"").replace("\\\\", "\\")
}

/// One line of /etc/passwd (or of `getent passwd`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswdEntry {
    pub name: String,
    pub uid: u32,
    /// The primary group's id.
    pub gid: u32,
    pub home: String,
}

/// One line of /etc/group (or of `getent group`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupEntry {
    pub name: String,
    pub gid: u32,
    /// Supplementary members; users whose primary group this is are not listed here.
    pub members: Vec<String>,
}

/// Reads passwd(5) lines; malformed lines (and NIS `+` lines) are skipped, as the C library does.
pub fn parse_passwd(text: &str) -> Vec<PasswdEntry> {
    text.lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split(':').collect();
            if fields.len() < 7 || fields[0].is_empty() || fields[0].starts_with(['+', '-', '#']) {
                return None;
            }
            Some(PasswdEntry {
                name: fields[0].to_owned(),
                uid: fields[2].parse().ok()?,
                gid: fields[3].parse().ok()?,
                home: fields[5].to_owned(),
            })
        })
        .collect()
}

/// Reads group(5) lines; malformed lines are skipped.
pub fn parse_group(text: &str) -> Vec<GroupEntry> {
    text.lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split(':').collect();
            if fields.len() < 4 || fields[0].is_empty() || fields[0].starts_with(['+', '-', '#']) {
                return None;
            }
            Some(GroupEntry {
                name: fields[0].to_owned(),
                gid: fields[2].parse().ok()?,
                members: fields[3]
                    .split(',')
                    .map(str::trim)
                    .filter(|m| !m.is_empty())
                    .map(str::to_owned)
                    .collect(),
            })
        })
        .collect()
}

/// The keys of /etc/docker/daemon.json that decide who owns the socket.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DaemonJson {
    /// `"group"`: conflicts with `dockerd --group` (the daemon refuses to start with both).
    pub group: Option<String>,
    /// `"hosts"`: conflicts with `dockerd -H` (and with systemd's `-H fd://`).
    pub hosts: Option<Vec<String>>,
    /// `"live-restore"`: conflicts with `dockerd --live-restore`.
    pub live_restore: Option<bool>,
}

impl DaemonJson {
    /// Parses the file's text; an error names what dockerd itself would reject.
    pub fn parse(text: &str) -> Result<Self, String> {
        if text.trim().is_empty() {
            return Ok(Self::default());
        }
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|err| format!("not valid JSON: {err}"))?;
        let object = value
            .as_object()
            .ok_or_else(|| "not a JSON object".to_owned())?;
        let group = match object.get("group") {
            None => None,
            Some(serde_json::Value::String(group)) => Some(group.clone()),
            Some(other) => return Err(format!("\"group\" must be a string, not {other}")),
        };
        let hosts = match object.get("hosts") {
            None => None,
            Some(serde_json::Value::Array(items)) => Some(
                items
                    .iter()
                    .map(|item| {
                        item.as_str()
                            .map(str::to_owned)
                            .ok_or_else(|| format!("\"hosts\" must list strings, not {item}"))
                    })
                    .collect::<Result<_, _>>()?,
            ),
            Some(other) => return Err(format!("\"hosts\" must be a list, not {other}")),
        };
        let live_restore = match object.get("live-restore") {
            None => None,
            Some(serde_json::Value::Bool(on)) => Some(*on),
            Some(other) => {
                return Err(format!(
                    "\"live-restore\" must be true or false, not {other}"
                ));
            }
        };
        Ok(Self {
            group,
            hosts,
            live_restore,
        })
    }
}

/// What a running dockerd's command line says about its socket.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DockerdArgs {
    /// `-G`/`--group`.
    pub group: Option<String>,
    /// Every `-H`/`--host`.
    pub hosts: Vec<String>,
    /// `-p`/`--pidfile`.
    pub pidfile: Option<String>,
}

impl DockerdArgs {
    /// Reads /proc/PID/cmdline (NUL-separated) of a dockerd; flags it does not know are skipped.
    pub fn parse_cmdline(raw: &[u8]) -> Self {
        let args: Vec<String> = raw
            .split(|b| *b == 0)
            .filter(|a| !a.is_empty())
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect();
        Self::parse(args.iter().skip(1).map(String::as_str))
    }

    /// Reads dockerd's flags (without the program name).
    pub fn parse<'a>(args: impl IntoIterator<Item = &'a str>) -> Self {
        let mut parsed = Self::default();
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            let (flag, inline) = match arg.split_once('=') {
                Some((flag, value)) if flag.starts_with('-') => (flag, Some(value.to_owned())),
                _ => (arg, None),
            };
            let slot = match flag {
                "-G" | "--group" => &mut parsed.group,
                "-p" | "--pidfile" => &mut parsed.pidfile,
                "-H" | "--host" => {
                    if let Some(host) = inline.or_else(|| args.next().map(str::to_owned)) {
                        parsed.hosts.push(host);
                    }
                    continue;
                }
                _ => continue,
            };
            *slot = inline.or_else(|| args.next().map(str::to_owned));
        }
        parsed
    }

    /// True when systemd hands this daemon its socket (`-H fd://`).
    pub fn socket_activated(&self) -> bool {
        self.hosts.iter().any(|h| h.starts_with("fd://"))
    }
}

/// True when a unix socket's mode lets anyone who is neither owner nor group connect.
pub fn world_accessible(mode: u32) -> bool {
    mode & 0o006 != 0
}

/// True when a unix socket's mode lets its group connect (connecting needs write permission).
pub fn group_can_connect(mode: u32) -> bool {
    mode & 0o020 != 0
}

/// The permission bits as `ls -l` users read them in numbers, e.g. `0660`.
pub fn octal_mode(mode: u32) -> String {
    format!("{:04o}", mode & 0o7777)
}

/// True when a cgroup file (/proc/PID/cgroup) puts the process in systemd's `docker.service`.
pub fn in_docker_service(cgroup: &str) -> bool {
    cgroup
        .lines()
        .any(|line| line.trim_end().ends_with("/docker.service"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn os_release_reads_quoted_values_and_id_like() {
        let os = OsRelease::parse(
            "NAME=\"Ubuntu\"\nID=ubuntu\nID_LIKE=debian\nPRETTY_NAME=\"Ubuntu 24.04.1 LTS\"\n# c\n",
        );
        assert_eq!(os.id, "ubuntu");
        assert_eq!(os.id_like, vec!["debian"]);
        assert_eq!(os.pretty_name, "Ubuntu 24.04.1 LTS");
    }

    #[test]
    fn os_release_of_rocky_is_like_several_distributions() {
        let os = OsRelease::parse("ID=\"rocky\"\nID_LIKE=\"rhel centos fedora\"\n");
        assert_eq!(os.id, "rocky");
        assert_eq!(os.id_like, vec!["rhel", "centos", "fedora"]);
        assert_eq!(
            os.pretty_name, "rocky",
            "falls back to ID without PRETTY_NAME"
        );
    }

    #[test]
    fn passwd_lines_give_name_ids_and_home_and_skip_garbage() {
        let users = parse_passwd(
            "root:x:0:0:root:/root:/bin/bash\n+nis::::::\nbroken:x:notanumber:1::/:/bin/sh\n\
             zuul:x:1001:1002:Zuul CI,,,:/home/zuul:/bin/bash\n\n",
        );
        assert_eq!(users.len(), 2);
        assert_eq!(
            users[1],
            PasswdEntry {
                name: "zuul".into(),
                uid: 1001,
                gid: 1002,
                home: "/home/zuul".into()
            }
        );
    }

    #[test]
    fn group_lines_give_members_and_tolerate_empty_lists() {
        let groups = parse_group("docker:x:105:\nusers:x:100:alice, bob\nbad:x:y:\n");
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[0].members, Vec::<String>::new());
        assert_eq!(groups[1].members, vec!["alice", "bob"]);
        assert_eq!(groups[1].gid, 100);
    }

    #[test]
    fn daemon_json_reads_group_and_hosts_and_ignores_other_keys() {
        let json = DaemonJson::parse(
            r#"{"group": "docker", "hosts": ["unix:///var/run/docker.sock", "tcp://127.0.0.1:2375"], "live-restore": false, "debug": true}"#,
        );
        assert_eq!(
            json,
            Ok(DaemonJson {
                group: Some("docker".into()),
                hosts: Some(vec![
                    "unix:///var/run/docker.sock".into(),
                    "tcp://127.0.0.1:2375".into()
                ]),
                live_restore: Some(false),
            })
        );
    }

    #[test]
    fn daemon_json_that_is_empty_sets_nothing() {
        assert_eq!(DaemonJson::parse("  \n"), Ok(DaemonJson::default()));
        assert_eq!(DaemonJson::parse("{}"), Ok(DaemonJson::default()));
    }

    #[test]
    fn daemon_json_that_dockerd_would_reject_is_an_error_saying_why() {
        assert!(
            DaemonJson::parse("{")
                .unwrap_err()
                .contains("not valid JSON")
        );
        assert!(DaemonJson::parse("[]").unwrap_err().contains("object"));
        assert!(
            DaemonJson::parse(r#"{"group": 5}"#)
                .unwrap_err()
                .contains("group")
        );
        assert!(
            DaemonJson::parse(r#"{"hosts": "x"}"#)
                .unwrap_err()
                .contains("hosts")
        );
    }

    #[test]
    fn dockerd_cmdline_gives_group_hosts_and_pidfile_in_every_spelling() {
        let args = DockerdArgs::parse_cmdline(
            b"/usr/sbin/dockerd\0--group\0zuul\0-H\0unix:///var/run/docker.sock\0--host=tcp://127.0.0.1:1\0--pidfile=/run/craton-dockerd.pid\0--debug\0",
        );
        assert_eq!(args.group.as_deref(), Some("zuul"));
        assert_eq!(
            args.hosts,
            vec!["unix:///var/run/docker.sock", "tcp://127.0.0.1:1"]
        );
        assert_eq!(args.pidfile.as_deref(), Some("/run/craton-dockerd.pid"));
        assert!(!args.socket_activated());
    }

    #[test]
    fn dockerd_started_by_systemd_is_socket_activated() {
        let args = DockerdArgs::parse([
            "-H",
            "fd://",
            "--containerd=/run/containerd/containerd.sock",
            "-G",
            "ci",
        ]);
        assert!(args.socket_activated());
        assert_eq!(args.group.as_deref(), Some("ci"));
    }

    #[test]
    fn bare_dockerd_has_no_flags() {
        assert_eq!(
            DockerdArgs::parse_cmdline(b"dockerd\0"),
            DockerdArgs::default()
        );
    }

    #[test]
    fn socket_modes_read_as_people_expect() {
        assert_eq!(octal_mode(0o140660), "0660");
        assert!(group_can_connect(0o660));
        assert!(!group_can_connect(0o600));
        assert!(!world_accessible(0o660));
        assert!(world_accessible(0o666));
        assert!(world_accessible(0o662));
    }

    #[test]
    fn cgroup_of_a_systemd_docker_service_is_recognised() {
        assert!(in_docker_service("0::/system.slice/docker.service\n"));
        assert!(!in_docker_service("0::/user.slice/session-1.scope\n"));
        assert!(!in_docker_service("0::/\n"));
    }
}
