//! Exit codes of `cargo xtask` and the error type that carries one to `main`.
//! Every code is documented in the README; scripts may rely on them.

use std::fmt;

/// Why xtask stopped. The numeric values are part of the interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    /// Anything not covered below.
    Failure = 1,
    /// Flags that clap rejected.
    Usage = 2,
    /// A value the user gave is wrong: malformed label, missing file, a user outside the group.
    BadInput = 3,
    /// Root or password-free `sudo -n` is needed and neither is available.
    NoPrivileges = 4,
    /// The Docker engine cannot be reached.
    EngineUnreachable = 5,
    /// No supported package manager to install Docker with.
    NoPackageManager = 6,
    /// The Docker daemon did not start or did not answer in time.
    DaemonFailed = 7,
    /// An image build failed (Dockerfile step, cargo build).
    BuildFailed = 8,
    /// Tests ran and some failed.
    TestsFailed = 9,
    /// A check the user asked for found a problem (fmt, clippy, lint).
    CheckFailed = 10,
    /// Cleanup could not remove something it should have removed.
    CleanupFailed = 11,
    /// The user named (`--user`, `SUDO_USER`) does not exist on this host.
    UnknownUser = 12,
    /// The group named (`--group`) does not exist on this host.
    UnknownGroup = 13,
    /// The group would hand root's group to someone else (`--group root` for a non-root user).
    UnsafeGroup = 14,
    /// A change needs confirmation: the user declined, or `--yes` is missing where nobody can be asked.
    NotConfirmed = 15,
    /// Ctrl-C.
    Interrupted = 130,
}

/// An error with an exit code and, optionally, the command that fixes it.
#[derive(Debug)]
pub struct Failure {
    pub code: Code,
    pub message: String,
    pub hint: Option<String>,
}

impl Failure {
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            hint: None,
        }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Failure {}

/// The first `Failure` in an error's chain, if any: its code and hint decide how we exit.
pub fn failure_of(err: &anyhow::Error) -> Option<&Failure> {
    err.chain()
        .find_map(|cause| cause.downcast_ref::<Failure>())
}
