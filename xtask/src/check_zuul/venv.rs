//! The virtual environment under `target/zuul-venv` that holds the pinned zuulcilint,
//! ansible-core and ansible-lint. Made once, then reused while its pins match
//! `tools/check-zuul-requirements.txt`, so later checks need no network.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use xshell::{Shell, cmd};

use crate::exit::{Code, Failure};

use super::python;

pub const REQUIREMENTS: &str = "tools/check-zuul-requirements.txt";
const DIR: &str = "target/zuul-venv";
/// A copy of the requirements, written after pip succeeded: present and equal means ready.
const STAMP: &str = "craton-installed-requirements.txt";

/// A ready virtual environment.
#[derive(Debug, Clone)]
pub struct Venv {
    dir: PathBuf,
}

impl Venv {
    pub fn bin(&self, program: &str) -> PathBuf {
        self.dir.join("bin").join(program)
    }

    pub fn bin_dir(&self) -> PathBuf {
        self.dir.join("bin")
    }
}

/// What is on disk of an earlier environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VenvFacts {
    /// The environment's interpreter starts (it breaks when the base Python is removed).
    pub python_runs: bool,
    pub installed_requirements: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VenvPlan {
    Reuse,
    Create { reason: &'static str },
}

pub fn plan(facts: &VenvFacts, wanted: &str) -> VenvPlan {
    match (&facts.installed_requirements, facts.python_runs) {
        (_, false) => VenvPlan::Create {
            reason: "there is no working virtual environment yet",
        },
        (None, true) => VenvPlan::Create {
            reason: "the last install did not finish",
        },
        (Some(installed), true) if installed != wanted => VenvPlan::Create {
            reason: "the pinned requirements changed",
        },
        (Some(_), true) => VenvPlan::Reuse,
    }
}

fn gather(sh: &Shell, venv: &Venv) -> VenvFacts {
    let python = venv.bin("python");
    VenvFacts {
        python_runs: python.exists()
            && cmd!(sh, "{python} -c ''")
                .quiet()
                .ignore_stderr()
                .run()
                .is_ok(),
        installed_requirements: std::fs::read_to_string(venv.dir.join(STAMP)).ok(),
    }
}

/// The environment for the checkout at `root`, made or remade when needed.
pub fn ensure(sh: &Shell, root: &Path) -> Result<Venv> {
    let requirements = root.join(REQUIREMENTS);
    let wanted = std::fs::read_to_string(&requirements).map_err(|err| {
        Failure::new(
            Code::BadInput,
            format!("cannot read {REQUIREMENTS}, the Zuul check's pinned tools: {err}"),
        )
    })?;
    let venv = Venv {
        dir: root.join(DIR),
    };
    let reason = match plan(&gather(sh, &venv), &wanted) {
        VenvPlan::Reuse => return Ok(venv),
        VenvPlan::Create { reason } => reason,
    };
    eprintln!("==> creating {DIR} ({reason}): pip installs {REQUIREMENTS} from PyPI");
    let python3 = python::ensure(sh)?;
    let dir = &venv.dir;
    cmd!(sh, "{python3} -m venv --clear {dir}")
        .run()
        .with_context(|| format!("creating the virtual environment {}", dir.display()))?;
    let pip = venv.bin("pip");
    cmd!(
        sh,
        "{pip} install --quiet --disable-pip-version-check --no-input -r {requirements}"
    )
    .run()
    .map_err(|err| {
        Failure::new(
            Code::Failure,
            format!("installing the Zuul check's tools from PyPI failed: {err}"),
        )
        .hint(format!(
            "check that PyPI is reachable and that every pin in {REQUIREMENTS} exists \
             (`pip index versions NAME`)"
        ))
    })?;
    std::fs::write(dir.join(STAMP), &wanted)
        .with_context(|| format!("recording the installed requirements in {}", dir.display()))?;
    Ok(venv)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PINS: &str = "ansible-core==2.19.14\n";

    fn facts(python_runs: bool, installed: Option<&str>) -> VenvFacts {
        VenvFacts {
            python_runs,
            installed_requirements: installed.map(String::from),
        }
    }

    #[test]
    fn an_environment_with_the_same_pins_is_reused() {
        assert_eq!(plan(&facts(true, Some(PINS)), PINS), VenvPlan::Reuse);
    }

    #[test]
    fn changed_pins_remake_the_environment() {
        assert_eq!(
            plan(&facts(true, Some("ansible-core==2.19.13\n")), PINS),
            VenvPlan::Create {
                reason: "the pinned requirements changed"
            }
        );
    }

    #[test]
    fn an_interrupted_install_is_redone() {
        assert_eq!(
            plan(&facts(true, None), PINS),
            VenvPlan::Create {
                reason: "the last install did not finish"
            }
        );
    }

    #[test]
    fn an_environment_whose_python_is_gone_is_remade() {
        assert_eq!(
            plan(&facts(false, Some(PINS)), PINS),
            VenvPlan::Create {
                reason: "there is no working virtual environment yet"
            }
        );
    }

    #[test]
    fn the_committed_requirements_pin_every_tool_to_one_version() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let text = std::fs::read_to_string(root.join(REQUIREMENTS)).unwrap();
        let pins: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .collect();
        for tool in ["zuulcilint", "ansible-core", "ansible-lint"] {
            assert!(
                pins.iter().any(|pin| pin.starts_with(&format!("{tool}=="))),
                "{REQUIREMENTS} does not pin {tool} with =="
            );
        }
        assert!(pins.iter().all(|pin| pin.contains("==")), "{pins:?}");
    }
}
