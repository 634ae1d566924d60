//! Doing the plan's steps as root (directly, or through `sudo -n`), each skipped when its
//! effect already holds, and saying what changed.

use std::ffi::OsStr;
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::time::{Duration, Instant, SystemTime};

use anyhow::{Context, Result};
use xshell::{Cmd, Shell, cmd};

use super::facts::{Privilege, Process, process_alive, read_socket};
use super::plan::{START_SCRIPT, Step};
use crate::exit::{Code, Failure};

/// How many lines of the daemon's log a start failure shows.
const LOG_TAIL_LINES: usize = 25;

/// What running the steps did.
#[derive(Debug, Default)]
pub struct Outcome {
    /// One line per change, for the closing report.
    pub changes: Vec<String>,
    /// Docker was installed: the caller gathers facts again and plans the rest.
    pub installed: bool,
}

/// Runs steps as root: as ourselves when we are root, else through `sudo -n`.
pub struct Executor {
    sh: Shell,
    sudo: bool,
    process: Process,
    runtime: tokio::runtime::Runtime,
}

impl Executor {
    pub fn new(privilege: Privilege, process: Process) -> Result<Self> {
        Ok(Self {
            sh: Shell::new()?,
            sudo: privilege == Privilege::PasswordlessSudo,
            process,
            runtime: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .context("starting the async runtime")?,
        })
    }

    /// Runs the steps in order; stops after an install so that the caller can plan again.
    pub fn run(&self, steps: &[Step]) -> Result<Outcome> {
        let mut outcome = Outcome::default();
        let mut stopped_at = None;
        for step in steps {
            eprintln!("==> {}", step.summary());
            match step {
                Step::Run { why, argv } => {
                    self.as_root(argv).run().with_context(|| why.clone())?;
                    outcome.changes.push(step.summary());
                }
                Step::Install { why, argv } => {
                    self.as_root(argv).run().with_context(|| why.clone())?;
                    outcome.changes.push(step.summary());
                    outcome.installed = true;
                    return Ok(outcome);
                }
                Step::WriteFile { path, contents } => {
                    if fs::read_to_string(path).is_ok_and(|now| now == *contents) {
                        eprintln!("    {} already says this: unchanged", path.display());
                        continue;
                    }
                    self.write_file(path, contents)
                        .with_context(|| format!("writing {}", path.display()))?;
                    outcome.changes.push(format!("wrote {}", path.display()));
                }
                Step::RemoveFile { path } => {
                    if !path.exists() {
                        eprintln!("    {} is already gone", path.display());
                        continue;
                    }
                    self.as_root(&[OsStr::new("rm"), OsStr::new("-f"), path.as_os_str()])
                        .run()
                        .with_context(|| format!("removing {}", path.display()))?;
                    outcome.changes.push(format!("removed {}", path.display()));
                }
                Step::RemoveEmptyDir { path } => {
                    let empty = fs::read_dir(path).is_ok_and(|mut d| d.next().is_none());
                    if !empty {
                        continue;
                    }
                    self.as_root(&[OsStr::new("rmdir"), path.as_os_str()])
                        .run()
                        .with_context(|| format!("removing {}", path.display()))?;
                    outcome.changes.push(format!("removed {}", path.display()));
                }
                Step::StopDaemon { pid, deadline, .. } => {
                    if !process_alive(*pid) {
                        eprintln!("    pid {pid} has already exited");
                        continue;
                    }
                    stopped_at = Some(Instant::now());
                    self.stop(*pid, *deadline)?;
                    outcome
                        .changes
                        .push(step.summary().replacen("stop", "stopped", 1));
                }
                Step::StartDaemon {
                    dockerd,
                    args,
                    log,
                    pidfile,
                    socket,
                    deadline,
                } => {
                    let started = self.start(dockerd, args, log, pidfile, socket, *deadline)?;
                    let mut line = format!(
                        "started dockerd pid {} ({}), which answered after {:.1} s",
                        started.pid,
                        args.join(" "),
                        started.answered_after.as_secs_f64()
                    );
                    if let Some(stopped_at) = stopped_at {
                        line.push_str(&format!(
                            "; the engine was down for {:.1} s",
                            stopped_at.elapsed().as_secs_f64()
                        ));
                    }
                    eprintln!("    {line}");
                    outcome.changes.push(line);
                }
            }
        }
        Ok(outcome)
    }

    /// A command from an argv list, run as root: `sudo -n` goes first when we are not root.
    /// xshell echoes each command as it runs it.
    fn as_root<S: AsRef<OsStr>>(&self, argv: &[S]) -> Cmd<'_> {
        let argv: Vec<&OsStr> = argv.iter().map(AsRef::as_ref).collect();
        match argv.split_first() {
            Some(_) if self.sudo => self.sh.cmd("sudo").arg("-n").args(argv),
            Some((program, args)) => self.sh.cmd(program).args(args),
            None => self.sh.cmd("true"),
        }
    }

    fn write_file(&self, path: &Path, contents: &str) -> Result<()> {
        let dir = path.parent().unwrap_or(Path::new("/"));
        if self.sudo {
            cmd!(self.sh, "sudo -n mkdir -p {dir}").run()?;
            cmd!(self.sh, "sudo -n tee {path}")
                .stdin(contents)
                .ignore_stdout()
                .run()?;
        } else {
            fs::create_dir_all(dir)?;
            fs::write(path, contents)?;
        }
        Ok(())
    }

    /// SIGTERM, then wait for the process to exit (dockerd stops its containers first).
    fn stop(&self, pid: u32, deadline: Duration) -> Result<()> {
        if self.sudo {
            let pid_arg = pid.to_string();
            cmd!(self.sh, "sudo -n kill -TERM {pid_arg}").run()?;
        } else {
            let raw = i32::try_from(pid).context("pid out of range")?;
            eprintln!("$ kill -TERM {pid}");
            nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(raw),
                nix::sys::signal::Signal::SIGTERM,
            )
            .with_context(|| format!("sending SIGTERM to dockerd pid {pid}"))?;
        }
        let begin = Instant::now();
        while process_alive(pid) {
            if begin.elapsed() > deadline {
                return Err(Failure::new(
                    Code::DaemonFailed,
                    format!(
                        "dockerd pid {pid} did not stop within {} s of SIGTERM",
                        deadline.as_secs()
                    ),
                )
                .hint(format!(
                    "stop it yourself (sudo kill {pid}), then run setup-docker again"
                ))
                .into());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        eprintln!(
            "    dockerd pid {pid} stopped after {:.1} s",
            begin.elapsed().as_secs_f64()
        );
        Ok(())
    }

    /// Starts dockerd in its own session (so it outlives xtask and ignores the terminal's
    /// hangup), then waits until the socket answers or the daemon dies.
    fn start(
        &self,
        dockerd: &Path,
        args: &[String],
        log: &Path,
        pidfile: &Path,
        socket: &Path,
        deadline: Duration,
    ) -> Result<Started> {
        let log_offset = fs::metadata(log).map_or(0, |m| m.len());
        let begin = Instant::now();
        let begin_wall = SystemTime::now();
        let mut argv: Vec<&OsStr> = ["sh", "-c", START_SCRIPT, "sh"]
            .into_iter()
            .map(OsStr::new)
            .collect();
        argv.extend([log.as_os_str(), dockerd.as_os_str()]);
        argv.extend(args.iter().map(OsStr::new));
        let command = self.as_root(&argv);
        eprintln!("$ {command}");
        let printed = command.read().context("starting dockerd")?;
        let mut pid: u32 = printed
            .trim()
            .parse()
            .with_context(|| format!("reading dockerd's pid from {printed:?}"))?;
        loop {
            if !process_alive(pid) {
                // Where setsid had to fork, the daemon's own pid file names it.
                let named = fs::read_to_string(pidfile)
                    .ok()
                    .and_then(|text| text.trim().parse::<u32>().ok())
                    .filter(|other| *other != pid && process_alive(*other));
                if let Some(other) = named {
                    pid = other;
                    continue;
                }
                return Err(start_failure(
                    format!(
                        "dockerd (pid {pid}) exited before {} answered",
                        socket.display()
                    ),
                    log,
                    log_offset,
                ));
            }
            if self.socket_answers(socket, begin_wall) {
                return Ok(Started {
                    pid,
                    answered_after: begin.elapsed(),
                });
            }
            if begin.elapsed() > deadline {
                return Err(start_failure(
                    format!(
                        "dockerd (pid {pid}) runs, but {} did not answer within {} s",
                        socket.display(),
                        deadline.as_secs()
                    ),
                    log,
                    log_offset,
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The Engine API answers on the socket. A process that may not talk to the socket (sudo
    /// for another user) settles for a socket created since `since`; verification then checks
    /// as the user.
    fn socket_answers(&self, socket: &Path, since: SystemTime) -> bool {
        let Some(stat) = read_socket(socket) else {
            return false;
        };
        if self.process.uid == 0 || self.process.has_group(stat.gid) {
            let path = socket.to_string_lossy().into_owned();
            return self.runtime.block_on(async {
                let Ok(docker) =
                    bollard::Docker::connect_with_unix(&path, 5, bollard::API_DEFAULT_VERSION)
                else {
                    return false;
                };
                docker.ping().await.is_ok()
            });
        }
        let created = fs::metadata(socket).map(|m| {
            SystemTime::UNIX_EPOCH
                + Duration::new(
                    u64::try_from(m.ctime()).unwrap_or(0),
                    u32::try_from(m.ctime_nsec()).unwrap_or(0),
                )
        });
        created.is_ok_and(|created| created >= since)
    }
}

struct Started {
    pid: u32,
    answered_after: Duration,
}

fn start_failure(what: String, log: &Path, offset: u64) -> anyhow::Error {
    let tail = log_tail(log, offset, LOG_TAIL_LINES);
    let shown = if tail.is_empty() {
        format!("{} has nothing from this start", log.display())
    } else {
        format!("the end of {}:\n{tail}", log.display())
    };
    Failure::new(Code::DaemonFailed, format!("{what}; {shown}"))
        .hint(format!(
            "fix what the log says, then run setup-docker again (full log: {})",
            log.display()
        ))
        .into()
}

/// The last `lines` lines written to `log` after byte `offset` (this start's output only).
pub fn log_tail(log: &Path, offset: u64, lines: usize) -> String {
    let Ok(bytes) = fs::read(log) else {
        return String::new();
    };
    let start = usize::try_from(offset).unwrap_or(0).min(bytes.len());
    let text = String::from_utf8_lossy(&bytes[start..]);
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..]
        .iter()
        .map(|line| format!("  {line}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;
    use std::path::PathBuf;

    use super::*;
    use crate::exit::failure_of;

    /// A scratch directory of this test process, removed when dropped.
    struct Scratch(PathBuf);

    impl Scratch {
        fn new(name: &str) -> Self {
            let dir =
                std::env::temp_dir().join(format!("craton-execute-{name}-{}", std::process::id()));
            let _ = fs::remove_dir_all(&dir);
            fs::create_dir_all(&dir).unwrap();
            Self(dir)
        }

        /// An executable shell script standing in for dockerd.
        fn fake_dockerd(&self, body: &str) -> PathBuf {
            let path = self.0.join("dockerd");
            fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
            fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
            path
        }

        fn start_step(&self, dockerd: PathBuf, deadline: Duration) -> Step {
            Step::StartDaemon {
                dockerd,
                args: vec!["--group".into(), "zuul".into()],
                log: self.0.join("dockerd.log"),
                pidfile: self.0.join("dockerd.pid"),
                socket: self.0.join("docker.sock"),
                deadline,
            }
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    fn executor() -> Executor {
        // As ourselves, without sudo: every path in these tests is ours.
        Executor::new(Privilege::Root, super::super::facts::process_identity()).unwrap()
    }

    #[test]
    fn a_daemon_that_dies_at_start_fails_with_daemon_failed_and_the_tail_of_its_log() {
        let scratch = Scratch::new("dies");
        fs::write(
            scratch.0.join("dockerd.log"),
            "old line from an earlier start\n",
        )
        .unwrap();
        let dockerd = scratch
            .fake_dockerd("echo \"args: $*\"; echo 'failed to start daemon: boom' >&2; exit 1");
        let step = scratch.start_step(dockerd, Duration::from_secs(10));
        let err = executor().run(&[step]).expect_err("the fake daemon exits");
        let failure = failure_of(&err).unwrap();
        assert_eq!(failure.code, Code::DaemonFailed);
        assert!(
            failure.message.contains("exited before"),
            "{}",
            failure.message
        );
        assert!(
            failure.message.contains("failed to start daemon: boom"),
            "{}",
            failure.message
        );
        assert!(
            failure.message.contains("args: --group zuul"),
            "{}",
            failure.message
        );
        assert!(
            !failure.message.contains("earlier start"),
            "only this start's lines: {}",
            failure.message
        );
    }

    #[test]
    fn a_daemon_whose_socket_never_answers_fails_at_the_deadline() {
        let scratch = Scratch::new("silent");
        let dockerd = scratch.fake_dockerd("echo 'waiting for containerd'; sleep 3");
        let step = scratch.start_step(dockerd, Duration::from_millis(500));
        let err = executor().run(&[step]).expect_err("no socket appears");
        let failure = failure_of(&err).unwrap();
        assert_eq!(failure.code, Code::DaemonFailed);
        assert!(
            failure.message.contains("did not answer within"),
            "{}",
            failure.message
        );
        assert!(
            failure.message.contains("waiting for containerd"),
            "{}",
            failure.message
        );
    }

    #[test]
    fn writing_a_file_that_already_says_the_same_changes_nothing() {
        let scratch = Scratch::new("write");
        let step = Step::WriteFile {
            path: scratch.0.join("drop.d/conf"),
            contents: "[Socket]\nSocketGroup=zuul\n".into(),
        };
        let first = executor().run(std::slice::from_ref(&step)).unwrap();
        assert_eq!(first.changes.len(), 1);
        let second = executor().run(&[step]).unwrap();
        assert!(second.changes.is_empty(), "{:?}", second.changes);
    }

    #[test]
    fn removing_what_is_already_gone_changes_nothing() {
        let scratch = Scratch::new("remove");
        let steps = [
            Step::RemoveFile {
                path: scratch.0.join("absent.conf"),
            },
            Step::RemoveEmptyDir {
                path: scratch.0.join("absent.d"),
            },
        ];
        assert!(executor().run(&steps).unwrap().changes.is_empty());
    }

    #[test]
    fn stopping_a_process_that_has_exited_changes_nothing() {
        let step = Step::StopDaemon {
            pid: u32::MAX - 1,
            command: "dockerd".into(),
            started_by: super::super::facts::StartedBy::Other,
            deadline: Duration::from_secs(1),
        };
        assert!(executor().run(&[step]).unwrap().changes.is_empty());
    }

    #[test]
    fn log_tail_keeps_the_last_lines_written_after_the_offset() {
        let scratch = Scratch::new("tail");
        let log = scratch.0.join("log");
        fs::write(&log, "before\none\ntwo\nthree\n").unwrap();
        assert_eq!(log_tail(&log, 7, 2), "  two\n  three");
        assert_eq!(log_tail(&scratch.0.join("missing"), 0, 2), "");
    }
}
