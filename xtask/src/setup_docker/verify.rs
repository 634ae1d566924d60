//! Proving the result as the target user: the Engine API's `version` call through bollard, made
//! by a process that has that user's credentials. From root (or through sudo) that process is
//! this very binary, re-executed under `setpriv` with the user's uid and gid, so the kernel checks
//! the socket against the user and not against us.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use bollard::Docker;
use serde::{Deserialize, Serialize};
use xshell::Shell;

use super::facts::{Privilege, Process, find_program};
use super::paths;
use super::plan::{Groups, Verify};
use crate::engine;
use crate::exit::{Code, Failure};

/// What the engine said, and with which credentials it was asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EngineReport {
    pub server_version: String,
    pub server_api_version: String,
    /// The API version bollard settled on with the server.
    pub client_api_version: String,
    pub uid: u32,
    pub gid: u32,
    pub groups: Vec<u32>,
}

/// Calls `version` on `socket` as this process, retrying until `wait` has passed (a daemon
/// that has just restarted may need a moment). Fails with the engine diagnosis.
pub async fn probe(socket: &Path, wait: Duration) -> Result<EngineReport> {
    let begin = Instant::now();
    loop {
        match version(socket).await {
            Ok(report) => return Ok(report),
            Err(_) if begin.elapsed() < wait => {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(err) => return Err(engine::diagnose_socket(socket, &err.to_string()).into()),
        }
    }
}

async fn version(socket: &Path) -> Result<EngineReport, bollard::errors::Error> {
    let docker =
        Docker::connect_with_unix(&socket.to_string_lossy(), 10, bollard::API_DEFAULT_VERSION)?;
    let docker = docker.negotiate_version().await?;
    let version = docker.version().await?;
    let me = super::facts::process_identity();
    Ok(EngineReport {
        server_version: version.version.unwrap_or_default(),
        server_api_version: version.api_version.unwrap_or_default(),
        client_api_version: docker.client_version().to_string(),
        uid: me.uid,
        gid: me.gid,
        groups: me.groups,
    })
}

/// The hidden `setup-docker --probe`: the report as one JSON line on stdout.
pub fn probe_command(wait: Duration) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let report = runtime.block_on(probe(Path::new(paths::SOCKET), wait))?;
    println!("{}", serde_json::to_string(&report)?);
    Ok(())
}

/// How long verification waits for a daemon that setup-docker has just (re)started.
const VERIFY_WAIT: Duration = Duration::from_secs(30);

/// Checks that `who` reaches the engine, in this process when it already has their
/// credentials, else in a child that has exactly them.
pub fn verify(who: &Verify, me: &Process, privilege: Privilege) -> Result<EngineReport> {
    if me.uid == who.uid && me.gid == who.gid {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("starting the async runtime")?;
        return runtime.block_on(probe(Path::new(paths::SOCKET), VERIFY_WAIT));
    }
    let exe = std::env::current_exe().context("finding this program to run it as the user")?;
    let copy = if usable_by_anyone(&exe) {
        None
    } else {
        Some(ProbeCopy::make(&exe)?)
    };
    let program = copy.as_ref().map_or(exe.as_path(), |c| c.path.as_path());
    let argv = as_user_argv(who, program, privilege, find_program("setpriv").is_some());
    let sh = Shell::new()?;
    let (first, rest) = argv
        .split_first()
        .context("empty command line for the check")?;
    let output = sh
        .cmd(first)
        .args(rest)
        .ignore_status()
        .quiet()
        .output()
        .with_context(|| format!("running the engine check as {}", who.user))?;
    drop(copy);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        let said = stderr
            .trim()
            .replace("error: ", "")
            .replace("\nhint: ", "; hint: ");
        return Err(Failure::new(
            Code::EngineUnreachable,
            format!("{} cannot reach the engine after setup: {said}", who.user),
        )
        .hint("run `setup-docker --dry-run` to compare the plan with the host")
        .into());
    }
    let line = stdout.lines().last().unwrap_or_default();
    serde_json::from_str(line).with_context(|| format!("reading the check's report {line:?}"))
}

/// The command line that runs `--probe` with exactly the user's credentials: `setpriv` keeps
/// the environment and sets uid, gid and groups, nothing else (no PAM, no login shell).
pub fn as_user_argv(
    who: &Verify,
    program: &Path,
    privilege: Privilege,
    setpriv: bool,
) -> Vec<String> {
    let mut argv: Vec<String> = Vec::new();
    if privilege == Privilege::PasswordlessSudo {
        argv.extend(["sudo".into(), "-n".into()]);
    }
    if setpriv {
        argv.extend([
            "setpriv".into(),
            format!("--reuid={}", who.uid),
            format!("--regid={}", who.gid),
            match who.groups {
                Groups::PrimaryOnly => "--clear-groups".into(),
                Groups::Login => "--init-groups".into(),
            },
        ]);
    } else if privilege == Privilege::PasswordlessSudo {
        // sudo itself can switch users (with the login groups) when setpriv is missing.
        argv.extend(["-u".into(), who.user.clone(), "--".into()]);
    } else {
        argv.extend(["runuser".into(), "-u".into(), who.user.clone(), "--".into()]);
    }
    argv.extend([
        program.display().to_string(),
        "setup-docker".into(),
        "--probe".into(),
        format!("--probe-wait={}", VERIFY_WAIT.as_secs()),
    ]);
    argv
}

/// True when any user may execute `path`: others may search every directory above it and
/// execute the file. (Group permissions are not counted: the target may not share ours.)
fn usable_by_anyone(path: &Path) -> bool {
    let executable = |p: &Path| fs::metadata(p).is_ok_and(|m| m.permissions().mode() & 0o001 != 0);
    executable(path) && path.ancestors().skip(1).all(executable)
}

/// A copy of this binary in a fresh directory under /tmp that the target user can run, for
/// when the binary sits somewhere private (a home directory). Removed when dropped.
struct ProbeCopy {
    dir: PathBuf,
    path: PathBuf,
}

impl ProbeCopy {
    fn make(exe: &Path) -> Result<Self> {
        let dir = std::env::temp_dir().join(format!("craton-xtask-probe-{}", std::process::id()));
        fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o755))?;
        let path = dir.join("xtask");
        fs::copy(exe, &path)
            .with_context(|| format!("copying {} to {}", exe.display(), path.display()))?;
        fs::set_permissions(&path, fs::Permissions::from_mode(0o755))?;
        Ok(Self { dir, path })
    }
}

impl Drop for ProbeCopy {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.dir);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zuul(groups: Groups) -> Verify {
        Verify {
            user: "zuul".into(),
            uid: 1001,
            gid: 1001,
            groups,
        }
    }

    #[test]
    fn root_checks_with_the_primary_group_only_so_no_login_is_assumed() {
        let argv = as_user_argv(
            &zuul(Groups::PrimaryOnly),
            Path::new("/x/xtask"),
            Privilege::Root,
            true,
        );
        assert_eq!(
            argv,
            [
                "setpriv",
                "--reuid=1001",
                "--regid=1001",
                "--clear-groups",
                "/x/xtask",
                "setup-docker",
                "--probe",
                "--probe-wait=30"
            ]
        );
    }

    #[test]
    fn a_non_primary_group_is_checked_with_the_login_groups_through_sudo() {
        let argv = as_user_argv(
            &zuul(Groups::Login),
            Path::new("/x/xtask"),
            Privilege::PasswordlessSudo,
            true,
        );
        assert_eq!(&argv[..3], ["sudo", "-n", "setpriv"]);
        assert!(argv.contains(&"--init-groups".to_owned()));
    }

    #[test]
    fn without_setpriv_root_falls_back_to_runuser() {
        let argv = as_user_argv(
            &zuul(Groups::PrimaryOnly),
            Path::new("/x/xtask"),
            Privilege::Root,
            false,
        );
        assert_eq!(&argv[..4], ["runuser", "-u", "zuul", "--"]);
    }

    #[test]
    fn a_binary_under_a_private_directory_is_not_usable_by_anyone() {
        let dir = std::env::temp_dir().join(format!("craton-usable-{}", std::process::id()));
        let inner = dir.join("private");
        fs::create_dir_all(&inner).unwrap();
        let file = inner.join("tool");
        fs::write(&file, "").unwrap();
        fs::set_permissions(&file, fs::Permissions::from_mode(0o755)).unwrap();
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).unwrap();
        assert!(usable_by_anyone(&file));
        fs::set_permissions(&inner, fs::Permissions::from_mode(0o700)).unwrap();
        assert!(!usable_by_anyone(&file));
        fs::remove_dir_all(&dir).unwrap();
    }
}
