//! A `python3` that can make virtual environments, which the Zuul check's tools live in.
//! Debian and Ubuntu ship `venv`'s `ensurepip` in a separate package (`python3-venv`): on a
//! fresh machine we install it with apt-get when we can do so without a password (root or
//! `sudo -n`), as setup-docker does for Docker; otherwise we stop and name the package.

use std::path::PathBuf;

use anyhow::{Context, Result};
use xshell::{Shell, cmd};

use crate::exit::{Code, Failure};

/// Who we are allowed to be when installing packages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Privilege {
    Root,
    PasswordlessSudo,
    Unprivileged,
}

/// What the host offers for making a virtual environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PythonFacts {
    pub python3: Option<PathBuf>,
    /// `import venv, ensurepip` works: `python3 -m venv` can bootstrap pip.
    pub has_venv: bool,
    pub privilege: Privilege,
    pub has_apt_get: bool,
}

/// What to do before a virtual environment can be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PythonPlan {
    Ready(PathBuf),
    /// `apt-get update`, then `apt-get install -y` these packages, with `sudo -n` if asked.
    AptInstall {
        packages: Vec<&'static str>,
        sudo: bool,
    },
    Stop {
        code: Code,
        message: String,
        hint: String,
    },
}

pub fn plan(facts: &PythonFacts) -> PythonPlan {
    if let (Some(python3), true) = (&facts.python3, facts.has_venv) {
        return PythonPlan::Ready(python3.clone());
    }
    let packages = if facts.python3.is_some() {
        vec!["python3-venv"]
    } else {
        vec!["python3", "python3-venv"]
    };
    let missing = if facts.python3.is_some() {
        "python3 cannot create virtual environments (its venv or ensurepip module is missing)"
    } else {
        "python3 is not installed"
    };
    let purpose = "`cargo xtask check-zuul` installs zuulcilint, ansible-core and ansible-lint \
                   into a virtual environment under target/";
    if !facts.has_apt_get {
        return PythonPlan::Stop {
            code: Code::NoPackageManager,
            message: format!("{missing}; {purpose}"),
            hint: "install Python 3 with its venv module (Debian/Ubuntu: python3-venv; \
                   Fedora: python3), then run the command again"
                .into(),
        };
    }
    match facts.privilege {
        Privilege::Root => PythonPlan::AptInstall {
            packages,
            sudo: false,
        },
        Privilege::PasswordlessSudo => PythonPlan::AptInstall {
            packages,
            sudo: true,
        },
        Privilege::Unprivileged => PythonPlan::Stop {
            code: Code::NoPrivileges,
            message: format!(
                "{missing}, and installing {} needs root or password-free sudo; {purpose}",
                packages.join(" ")
            ),
            hint: format!("sudo apt-get install -y {}", packages.join(" ")),
        },
    }
}

pub fn gather(sh: &Shell) -> PythonFacts {
    let python3 = which::which("python3").ok();
    let has_venv = python3.as_ref().is_some_and(|python| {
        cmd!(sh, "{python} -c 'import venv, ensurepip'")
            .quiet()
            .ignore_stdout()
            .ignore_stderr()
            .run()
            .is_ok()
    });
    let is_root = cmd!(sh, "id -u")
        .quiet()
        .read()
        .is_ok_and(|uid| uid.trim() == "0");
    let privilege = if is_root {
        Privilege::Root
    } else if which::which("sudo").is_ok()
        && cmd!(sh, "sudo -n true")
            .quiet()
            .ignore_stderr()
            .run()
            .is_ok()
    {
        Privilege::PasswordlessSudo
    } else {
        Privilege::Unprivileged
    };
    PythonFacts {
        python3,
        has_venv,
        privilege,
        has_apt_get: which::which("apt-get").is_ok(),
    }
}

/// The `python3` to make the virtual environment with, installing it first when we may.
pub fn ensure(sh: &Shell) -> Result<PathBuf> {
    match plan(&gather(sh)) {
        PythonPlan::Ready(python3) => Ok(python3),
        PythonPlan::Stop {
            code,
            message,
            hint,
        } => Err(Failure::new(code, message).hint(hint).into()),
        PythonPlan::AptInstall { packages, sudo } => {
            let apt_get = |args: &[&str]| {
                let apt_get = if sudo {
                    sh.cmd("sudo").args(["-n", "apt-get"])
                } else {
                    sh.cmd("apt-get")
                };
                apt_get.args(args).env("DEBIAN_FRONTEND", "noninteractive")
            };
            eprintln!(
                "==> installing {} with apt-get, for the Zuul check's virtual environment",
                packages.join(" ")
            );
            apt_get(&["update", "-q"])
                .run()
                .context("refreshing apt's package lists")?;
            apt_get(&["install", "-y", "-q"])
                .args(&packages)
                .run()
                .with_context(|| format!("installing {}", packages.join(" ")))?;
            match plan(&gather(sh)) {
                PythonPlan::Ready(python3) => Ok(python3),
                _ => Err(Failure::new(
                    Code::Failure,
                    format!(
                        "installed {} but python3 still cannot create virtual environments",
                        packages.join(" ")
                    ),
                )
                .hint("check `python3 -m venv /tmp/venv-test` by hand")
                .into()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(python3: bool, has_venv: bool, privilege: Privilege, apt: bool) -> PythonFacts {
        PythonFacts {
            python3: python3.then(|| PathBuf::from("/usr/bin/python3")),
            has_venv,
            privilege,
            has_apt_get: apt,
        }
    }

    #[test]
    fn a_python_with_venv_is_used_as_it_is_even_without_privileges() {
        assert_eq!(
            plan(&facts(true, true, Privilege::Unprivileged, false)),
            PythonPlan::Ready(PathBuf::from("/usr/bin/python3"))
        );
    }

    #[test]
    fn root_on_debian_without_venv_installs_python3_venv() {
        assert_eq!(
            plan(&facts(true, false, Privilege::Root, true)),
            PythonPlan::AptInstall {
                packages: vec!["python3-venv"],
                sudo: false
            }
        );
    }

    #[test]
    fn a_fresh_debian_without_python_installs_python3_and_its_venv_module_with_sudo() {
        assert_eq!(
            plan(&facts(false, false, Privilege::PasswordlessSudo, true)),
            PythonPlan::AptInstall {
                packages: vec!["python3", "python3-venv"],
                sudo: true
            }
        );
    }

    #[test]
    fn without_privileges_the_error_names_the_package_and_the_command() {
        let PythonPlan::Stop {
            code,
            message,
            hint,
        } = plan(&facts(true, false, Privilege::Unprivileged, true))
        else {
            panic!("expected a stop");
        };
        assert_eq!(code, Code::NoPrivileges);
        assert!(message.contains("python3-venv"), "{message}");
        assert_eq!(hint, "sudo apt-get install -y python3-venv");
    }

    #[test]
    fn without_apt_get_the_error_says_what_to_install() {
        let PythonPlan::Stop { code, hint, .. } = plan(&facts(true, false, Privilege::Root, false))
        else {
            panic!("expected a stop");
        };
        assert_eq!(code, Code::NoPackageManager);
        assert!(hint.contains("python3-venv"), "{hint}");
    }
}
