//! How facts and plans read for people: the `--dry-run` output (every file with its contents,
//! every command as it will run) and the one-line summaries printed while steps run.

use std::fmt::{self, Write as _};
use std::path::PathBuf;

use super::facts::{Accounts, DaemonConfig, Facts, PackageManager, Privilege, Socket, StartedBy};
use super::parse::octal_mode;
use super::paths;
use super::plan::{Groups, Plan, START_SCRIPT, Step};

/// `root:docker 0660`, with names where the host has them.
pub fn describe_socket(socket: &Socket, accounts: &Accounts) -> String {
    format!(
        "{}:{} {}",
        accounts.user_name(socket.uid),
        accounts.group_name(socket.gid),
        octal_mode(socket.mode)
    )
}

impl Step {
    /// One line saying what the step is for.
    pub fn summary(&self) -> String {
        match self {
            Self::Run { why, .. } | Self::Install { why, .. } => why.clone(),
            Self::WriteFile { path, .. } => format!("write {}", path.display()),
            Self::RemoveFile { path } => format!("remove {}", path.display()),
            Self::RemoveEmptyDir { path } => format!("remove {} if empty", path.display()),
            Self::StopDaemon {
                pid, started_by, ..
            } => format!(
                "stop dockerd pid {pid} ({})",
                match started_by {
                    StartedBy::SetupDocker => "started by setup-docker",
                    StartedBy::Systemd => "started by systemd",
                    StartedBy::Other => "started by someone else",
                }
            ),
            Self::StartDaemon { log, pidfile, .. } => format!(
                "start dockerd detached (log {}, pid file {})",
                log.display(),
                pidfile.display()
            ),
        }
    }

    /// The commands and file contents of the step, as they will run (`sudo` prefixes them).
    pub fn details(&self, sudo: bool) -> String {
        let prefix = if sudo { "sudo -n " } else { "" };
        match self {
            Self::Run { argv, .. } | Self::Install { argv, .. } => {
                format!("$ {prefix}{}", shell_words(argv))
            }
            Self::WriteFile { path, contents } => {
                let dir = path.parent().map_or_else(String::new, |d| {
                    format!("$ {prefix}mkdir -p {}\n", d.display())
                });
                let mut text = format!("{dir}$ {prefix}tee {} <<EOF\n", path.display());
                for line in contents.lines() {
                    let _ = writeln!(text, "  | {line}");
                }
                text.push_str("EOF");
                text
            }
            Self::RemoveFile { path } => format!("$ {prefix}rm -f {}", path.display()),
            Self::RemoveEmptyDir { path } => format!("$ {prefix}rmdir {}", path.display()),
            Self::StopDaemon { pid, deadline, .. } => format!(
                "$ {prefix}kill -TERM {pid}\n(then wait up to {} s for it to exit)",
                deadline.as_secs()
            ),
            Self::StartDaemon {
                dockerd,
                args,
                log,
                socket,
                deadline,
                ..
            } => {
                let mut argv: Vec<String> = ["sh", "-c", START_SCRIPT, "sh"]
                    .into_iter()
                    .map(str::to_owned)
                    .collect();
                argv.push(log.display().to_string());
                argv.push(dockerd.display().to_string());
                argv.extend(args.iter().cloned());
                format!(
                    "$ {prefix}{}\n(then wait up to {} s for {} to answer)",
                    shell_words(&argv),
                    deadline.as_secs(),
                    socket.display()
                )
            }
        }
    }
}

/// Joins argv for display, quoting what a shell would split.
pub fn shell_words(argv: &[String]) -> String {
    argv.iter()
        .map(|word| {
            if !word.is_empty()
                && word
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_./=:@,+%".contains(c))
            {
                word.clone()
            } else {
                format!("'{}'", word.replace('\'', r"'\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The plan as `--dry-run` prints it.
pub struct Shown<'a> {
    pub plan: &'a Plan,
    pub sudo: bool,
}

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plan = self.plan;
        for note in &plan.notes {
            writeln!(f, "note: {note}")?;
        }
        for reason in &plan.needs_yes {
            writeln!(f, "needs --yes: {reason}")?;
        }
        if plan.steps.is_empty() {
            writeln!(f, "Plan: nothing to change.")?;
        } else {
            writeln!(f, "Plan:")?;
        }
        for (number, step) in plan.steps.iter().enumerate() {
            writeln!(f, "{:>3}. {}", number + 1, step.summary())?;
            for line in step.details(self.sudo).lines() {
                writeln!(f, "     {line}")?;
            }
        }
        if let Some(verify) = &plan.verify {
            writeln!(
                f,
                "Then: check as {} (uid {}, gid {}{}) that the Engine API answers on {}.",
                verify.user,
                verify.uid,
                verify.gid,
                match verify.groups {
                    Groups::PrimaryOnly => ", no other groups",
                    Groups::Login => ", with its login groups",
                },
                paths::SOCKET
            )?;
        }
        Ok(())
    }
}

impl fmt::Display for Facts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = |p: &Option<PathBuf>| {
            p.as_ref()
                .map_or_else(|| "not installed".to_owned(), |p| p.display().to_string())
        };
        let accounts = &self.accounts;
        writeln!(f, "Facts:")?;
        writeln!(f, "  system:          {}", self.os.pretty_name)?;
        writeln!(
            f,
            "  package manager: {}",
            self.package_manager
                .map_or("none found", PackageManager::program)
        )?;
        writeln!(f, "  dockerd:         {}", path(&self.dockerd))?;
        writeln!(f, "  docker CLI:      {}", path(&self.docker_cli))?;
        match &self.systemd {
            None => writeln!(f, "  init:            no systemd (PID 1 is something else)")?,
            Some(systemd) => writeln!(
                f,
                "  init:            systemd; docker.socket unit {}; drop-in {}",
                if systemd.socket_unit {
                    "present"
                } else {
                    "missing"
                },
                if systemd.dropin.is_some() {
                    "present"
                } else {
                    "absent"
                }
            )?,
        }
        writeln!(
            f,
            "  privileges:      {}",
            match self.privilege {
                Privilege::Root => "root",
                Privilege::PasswordlessSudo => "password-free sudo",
                Privilege::None => "none (not root, no password-free sudo)",
            }
        )?;
        let mut groups: Vec<String> = self
            .process
            .groups
            .iter()
            .map(|g| accounts.group_name(*g))
            .collect();
        groups.dedup();
        writeln!(
            f,
            "  this process:    {} (uid {}), group {}, groups [{}]{}",
            accounts.user_name(self.process.uid),
            self.process.uid,
            accounts.group_name(self.process.gid),
            groups.join(", "),
            self.sudo_user
                .as_ref()
                .map_or_else(String::new, |u| format!(", SUDO_USER={u}"))
        )?;
        match &self.socket {
            None => writeln!(f, "  socket:          {} absent", paths::SOCKET)?,
            Some(s) => writeln!(
                f,
                "  socket:          {} {}:{} {}",
                paths::SOCKET,
                accounts.user_name(s.uid),
                accounts.group_name(s.gid),
                octal_mode(s.mode)
            )?,
        }
        match &self.daemon {
            None => writeln!(f, "  daemon:          none running")?,
            Some(d) => writeln!(
                f,
                "  daemon:          pid {}, {}: {}",
                d.pid,
                match d.started_by {
                    StartedBy::SetupDocker => "started by setup-docker",
                    StartedBy::Systemd => "started by systemd",
                    StartedBy::Other => "started by someone else",
                },
                d.command
            )?,
        }
        match &self.daemon_json {
            DaemonConfig::Absent => writeln!(f, "  daemon.json:     absent")?,
            DaemonConfig::Invalid(why) => writeln!(f, "  daemon.json:     invalid: {why}")?,
            DaemonConfig::Present(json) => writeln!(
                f,
                "  daemon.json:     group {}, hosts {}",
                json.group.as_deref().unwrap_or("unset"),
                json.hosts
                    .as_ref()
                    .map_or_else(|| "unset".to_owned(), |h| h.join(", "))
            )?,
        }
        Ok(())
    }
}
