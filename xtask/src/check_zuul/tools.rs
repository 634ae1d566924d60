//! Runs zuulcilint, `ansible-playbook --syntax-check` and ansible-lint from the virtual
//! environment, offline, and turns what they report into findings that name a file.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::Deserialize;
use xshell::{Shell, cmd};

use super::Finding;
use super::venv::Venv;

/// The tools, run from `tree` with their state kept under `scratch`.
pub struct Tools<'a> {
    sh: Shell,
    venv: &'a Venv,
    stub_roles: PathBuf,
}

impl<'a> Tools<'a> {
    pub fn new(venv: &'a Venv, tree: &Path, scratch: &Path) -> Result<Self> {
        let sh = Shell::new()?;
        sh.change_dir(tree);
        let path = std::env::join_paths(std::iter::once(venv.bin_dir()).chain(
            std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
        ))
        .context("building PATH for the Zuul check's tools")?;
        // ansible-lint calls ansible-playbook and ansible-config through PATH.
        sh.set_var("PATH", path);
        // Ansible's and ansible-lint's state (mock roles, temp files, caches) stays in target/.
        sh.set_var("ANSIBLE_HOME", scratch.join("ansible-home"));
        sh.set_var("XDG_CACHE_HOME", scratch.join("cache"));
        sh.set_var("ANSIBLE_NOCOLOR", "1");
        sh.set_var("NO_COLOR", "1");
        Ok(Self {
            sh,
            venv,
            stub_roles: scratch.join("stub-roles"),
        })
    }

    pub fn stub_roles_dir(&self) -> &Path {
        &self.stub_roles
    }

    /// zuulcilint: `zuul_yaml` against Zuul's schema, its playbook paths, its nodesets.
    pub fn zuulcilint(&self, zuul_yaml: &str) -> Result<Option<Finding>> {
        let zuulcilint = self.venv.bin("zuulcilint");
        let out = cmd!(
            self.sh,
            "{zuulcilint} --check-playbook-paths --warnings-as-errors {zuul_yaml}"
        )
        .quiet()
        .ignore_status()
        .output()
        .context("running zuulcilint")?;
        if out.status.success() {
            return Ok(None);
        }
        let report = zuulcilint_report(
            zuul_yaml,
            &String::from_utf8_lossy(&out.stdout),
            &String::from_utf8_lossy(&out.stderr),
        );
        Ok(Some(Finding::new(
            zuul_yaml,
            format!("zuulcilint rejects it (Zuul's schema, playbook paths, nodesets):\n{report}"),
        )))
    }

    /// `ansible-playbook --syntax-check`, with stand-ins for the zuul-jobs roles: all
    /// playbooks in one run (Ansible starts once), then one by one to name the broken ones.
    pub fn syntax_check(&self, playbooks: &[&str]) -> Result<Vec<Finding>> {
        let all = self.syntax_check_output(playbooks)?;
        if all.status.success() {
            return Ok(Vec::new());
        }
        let mut findings = Vec::new();
        for playbook in playbooks {
            let one = self.syntax_check_output(&[playbook])?;
            if !one.status.success() {
                findings.push(Finding::new(
                    playbook,
                    format!(
                        "ansible-playbook --syntax-check fails:\n{}",
                        indent(&strip_ansi(&String::from_utf8_lossy(&one.stderr)))
                    ),
                ));
            }
        }
        if findings.is_empty() {
            findings.push(Finding::new(
                &playbooks.join(", "),
                format!(
                    "ansible-playbook --syntax-check fails on them together:\n{}",
                    indent(&strip_ansi(&String::from_utf8_lossy(&all.stderr)))
                ),
            ));
        }
        Ok(findings)
    }

    fn syntax_check_output(&self, playbooks: &[&str]) -> Result<std::process::Output> {
        let ansible_playbook = self.venv.bin("ansible-playbook");
        cmd!(
            self.sh,
            "{ansible_playbook} --syntax-check -i localhost, {playbooks...}"
        )
        .env("ANSIBLE_ROLES_PATH", &self.stub_roles)
        .quiet()
        .ignore_status()
        .output()
        .context("running ansible-playbook --syntax-check")
    }

    /// ansible-lint with the repository's `.ansible-lint`, one finding per violation.
    pub fn ansible_lint(&self, config: &str, playbooks: &[&str]) -> Result<Vec<Finding>> {
        let ansible_lint = self.venv.bin("ansible-lint");
        let project = self.sh.current_dir();
        let out = cmd!(
            self.sh,
            "{ansible_lint} --offline --nocolor -q -f codeclimate -c {config} --project-dir {project} {playbooks...}"
        )
        .quiet()
        .ignore_status()
        .output()
        .context("running ansible-lint")?;
        if out.status.success() {
            return Ok(Vec::new());
        }
        let findings = lint_findings(&String::from_utf8_lossy(&out.stdout)).unwrap_or_default();
        if !findings.is_empty() {
            return Ok(findings);
        }
        // No violation listed: the tool itself failed (a bad config, a crash).
        Ok(vec![Finding::new(
            config,
            format!(
                "ansible-lint failed ({}) without listing a violation:\n{}",
                out.status,
                indent(&strip_ansi(&String::from_utf8_lossy(&out.stderr)))
            ),
        )])
    }
}

#[derive(Debug, Deserialize)]
struct LintIssue {
    check_name: String,
    description: String,
    location: LintLocation,
}

#[derive(Debug, Deserialize)]
struct LintLocation {
    path: String,
    lines: Option<LintLine>,
    positions: Option<LintPositions>,
}

#[derive(Debug, Deserialize)]
struct LintLine {
    begin: u64,
}

#[derive(Debug, Deserialize)]
struct LintPositions {
    begin: LintPosition,
}

#[derive(Debug, Deserialize)]
struct LintPosition {
    line: u64,
}

/// ansible-lint's `codeclimate` JSON report as findings: file, line, rule and message.
pub fn lint_findings(codeclimate_json: &str) -> Result<Vec<Finding>, serde_json::Error> {
    let issues: Vec<LintIssue> = serde_json::from_str(codeclimate_json)?;
    Ok(issues
        .into_iter()
        .map(|issue| {
            let line = issue
                .location
                .lines
                .map(|l| l.begin)
                .or(issue.location.positions.map(|p| p.begin.line));
            let at = line.map(|l| format!("line {l}: ")).unwrap_or_default();
            Finding::new(
                &issue.location.path,
                format!(
                    "ansible-lint: {at}{}: {}",
                    issue.check_name, issue.description
                ),
            )
        })
        .collect())
}

/// What zuulcilint found, without colours or progress lines. Its details go to stdout and
/// its headings and totals to stderr, so only the totals are taken from stderr, unless
/// stdout says nothing (a crash), when all of stderr is the report.
pub fn zuulcilint_report(linted: &str, stdout: &str, stderr: &str) -> String {
    let stdout = strip_ansi(stdout);
    let details: Vec<&str> = stdout
        .lines()
        .map(str::trim_end)
        .filter(|line| {
            let progress = line.starts_with("Checking ")
                || line.starts_with("No invalid playbook paths")
                || (line.starts_with("No ") && line.ends_with("found"))
                || *line == linted;
            !line.trim().is_empty() && !progress
        })
        .collect();
    let stderr = strip_ansi(stderr);
    let stderr_lines = stderr.lines().map(str::trim).filter(|l| !l.is_empty());
    let report: Vec<&str> = if details.is_empty() {
        stderr_lines.collect()
    } else {
        details
            .into_iter()
            .chain(stderr_lines.filter(|line| line.contains("errors:")))
            .collect()
    };
    indent(&report.join("\n"))
}

/// Removes terminal colour sequences (ESC [ ... letter), which some tools always print.
pub fn strip_ansi(text: &str) -> String {
    let mut plain = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            if chars.next() == Some('[') {
                for c in chars.by_ref() {
                    if c.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
        } else {
            plain.push(c);
        }
    }
    plain
}

fn indent(text: &str) -> String {
    text.trim_end()
        .lines()
        .map(|line| format!("    {line}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lint_violations_name_the_file_line_and_rule() {
        let json = r#"[
          {"type": "issue", "check_name": "fqcn[action-core]", "severity": "major",
           "description": "Use FQCN for builtin module actions (command).",
           "location": {"path": "playbooks/unit/run.yaml",
                        "positions": {"begin": {"line": 5, "column": 7}}}},
          {"type": "issue", "check_name": "no-changed-when", "severity": "major",
           "description": "Commands should not change things if nothing needs doing.",
           "location": {"path": "playbooks/unit/run.yaml", "lines": {"begin": 9}}}
        ]"#;
        let findings = lint_findings(json).unwrap();
        assert_eq!(
            findings.iter().map(ToString::to_string).collect::<Vec<_>>(),
            [
                "playbooks/unit/run.yaml: ansible-lint: line 5: fqcn[action-core]: \
                 Use FQCN for builtin module actions (command).",
                "playbooks/unit/run.yaml: ansible-lint: line 9: no-changed-when: \
                 Commands should not change things if nothing needs doing.",
            ]
        );
    }

    #[test]
    fn a_lint_report_that_is_not_json_is_an_error_not_a_pass() {
        assert!(lint_findings("Traceback (most recent call last):").is_err());
    }

    #[test]
    fn colour_sequences_are_removed_and_text_is_kept() {
        assert_eq!(
            strip_ansi("\u{1b}[1;49;31mFailed\u{1b}[0m: 2 errors"),
            "Failed: 2 errors"
        );
    }

    #[test]
    fn zuulcilint_report_keeps_the_details_and_totals_and_drops_progress_lines() {
        let stdout = "zuul.yaml\nFile: zuul.yaml\nMessage: Additional properties are not \
                      allowed ('nodset' was unexpected)\n\n\u{1b}[1;49;34mChecking playbook \
                      paths\u{1b}[0m\nplaybooks/unit/runn.yaml\n\nChecking for duplicate \
                      jobs\nNo duplicate jobs found\n";
        let stderr = "\u{1b}[1;49;31mValidation error:\u{1b}[0m\n\nFailed\nTotal errors: 2\n\
                      Playbook path errors: 1\n";
        assert_eq!(
            zuulcilint_report("zuul.yaml", stdout, stderr),
            "    File: zuul.yaml\n    Message: Additional properties are not allowed ('nodset' \
             was unexpected)\n    playbooks/unit/runn.yaml\n    Total errors: 2\n    \
             Playbook path errors: 1"
        );
    }

    #[test]
    fn zuulcilint_report_of_a_crash_is_its_stderr() {
        let stderr = "Traceback (most recent call last):\n  File \"x.py\"\nKeyError: 'job'\n";
        assert_eq!(
            zuulcilint_report("zuul.yaml", "zuul.yaml\n", stderr),
            "    Traceback (most recent call last):\n    File \"x.py\"\n    KeyError: 'job'"
        );
    }
}
