//! `cargo xtask check-zuul`: validates `zuul.yaml` and the playbooks it names, offline once
//! the pinned tools are installed (zuulcilint, `ansible-playbook --syntax-check`, ansible-lint).

mod python;
mod stub_roles;
mod tools;
mod venv;
mod zuul_config;

use std::fmt;
use std::path::Path;

use anyhow::{Context, Result};
use xshell::Shell;

use crate::exit::{Code, Failure};

use self::tools::Tools;
use self::venv::Venv;
use self::zuul_config::{distinct_paths, playbooks_named};

const ZUUL_YAML: &str = "zuul.yaml";
const LINT_CONFIG: &str = ".ansible-lint";
/// Stand-in roles, Ansible's home and caches of the check, rebuilt at will.
const SCRATCH: &str = "target/zuul-check";

/// Flags of `cargo xtask check-zuul`.
#[derive(Debug, Default, clap::Args)]
pub struct Args {}

/// One problem in one file of the Zuul configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Relative to the repository root.
    pub file: String,
    pub problem: String,
}

impl Finding {
    fn new(file: &str, problem: impl Into<String>) -> Self {
        Self {
            file: file.to_string(),
            problem: problem.into(),
        }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file, self.problem)
    }
}

pub fn run(root: &Path, _args: Args) -> Result<()> {
    let sh = Shell::new()?;
    let venv = venv::ensure(&sh, root)?;
    let findings = check_tree(root, &venv, &root.join(SCRATCH))?;
    verdict(&findings)
}

/// All findings in the checkout at `tree`: `Err` only when a tool could not be run at all.
pub fn check_tree(tree: &Path, venv: &Venv, scratch: &Path) -> Result<Vec<Finding>> {
    let tools = Tools::new(venv, tree, scratch)?;
    let mut findings = Vec::new();

    eprintln!("==> check-zuul: {ZUUL_YAML} against Zuul's schema (zuulcilint)");
    let zuul_yaml = match std::fs::read_to_string(tree.join(ZUUL_YAML)) {
        Ok(text) => text,
        Err(err) => return Ok(vec![Finding::new(ZUUL_YAML, format!("cannot read: {err}"))]),
    };
    findings.extend(tools.zuulcilint(ZUUL_YAML)?);
    let uses = match playbooks_named(&zuul_yaml) {
        Ok(uses) => uses,
        Err(err) => {
            findings.push(Finding::new(ZUUL_YAML, err));
            return Ok(findings);
        }
    };
    let mut playbooks = Vec::new();
    for path in distinct_paths(&uses) {
        if tree.join(path).is_file() {
            playbooks.push(path);
        }
    }
    for missing in uses
        .iter()
        .filter(|u| !playbooks.contains(&u.path.as_str()))
    {
        findings.push(Finding::new(
            ZUUL_YAML,
            format!(
                "job {} names the {} playbook {}, which does not exist",
                missing.job, missing.phase, missing.path
            ),
        ));
    }

    eprintln!(
        "==> check-zuul: ansible-playbook --syntax-check on {} playbooks",
        playbooks.len()
    );
    let lint_config = match std::fs::read_to_string(tree.join(LINT_CONFIG)) {
        Ok(text) => text,
        Err(err) => {
            findings.push(Finding::new(LINT_CONFIG, format!("cannot read: {err}")));
            return Ok(findings);
        }
    };
    let roles = match stub_roles::mock_roles(&lint_config) {
        Ok(roles) => roles,
        Err(err) => {
            findings.push(Finding::new(LINT_CONFIG, err));
            return Ok(findings);
        }
    };
    stub_roles::write(tools.stub_roles_dir(), &roles)
        .context("writing the stand-ins for the zuul-jobs roles")?;
    if !playbooks.is_empty() {
        findings.extend(tools.syntax_check(&playbooks)?);
        eprintln!(
            "==> check-zuul: ansible-lint on {} playbooks",
            playbooks.len()
        );
        findings.extend(tools.ansible_lint(LINT_CONFIG, &playbooks)?);
    }
    Ok(findings)
}

/// No finding: success. Otherwise every finding, one per line, and `Code::CheckFailed`.
pub fn verdict(findings: &[Finding]) -> Result<()> {
    if findings.is_empty() {
        eprintln!("check-zuul: {ZUUL_YAML} and its playbooks pass");
        return Ok(());
    }
    let list: Vec<String> = findings.iter().map(|f| format!("  {f}")).collect();
    Err(Failure::new(
        Code::CheckFailed,
        format!(
            "check-zuul found {} problem(s):\n{}",
            findings.len(),
            list.join("\n")
        ),
    )
    .hint("fix the files named above, then run `cargo xtask check-zuul` again")
    .into())
}

#[cfg(test)]
mod tests;
