//! Tests of the check as a whole: the committed files, the verdict, and (ignored by
//! default, since they install the Python tools) deliberately broken copies of the
//! configuration that the check must reject.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use xshell::Shell;

use super::*;
use crate::exit::failure_of;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[test]
fn findings_fail_the_check_with_check_failed_naming_each_file() {
    let findings = [
        Finding::new(
            "zuul.yaml",
            "job x names the run playbook y.yaml, which does not exist",
        ),
        Finding::new(
            "playbooks/a/run.yaml",
            "ansible-lint: line 5: name[missing]: ...",
        ),
    ];
    let err = verdict(&findings).unwrap_err();
    let failure = failure_of(&err).expect("a Failure with an exit code");
    assert_eq!(failure.code, Code::CheckFailed);
    assert!(
        failure.message.contains("\n  zuul.yaml: job x"),
        "{}",
        failure.message
    );
    assert!(
        failure
            .message
            .contains("\n  playbooks/a/run.yaml: ansible-lint"),
        "{}",
        failure.message
    );
}

#[test]
fn no_finding_passes_the_check() {
    assert!(verdict(&[]).is_ok());
}

#[test]
fn the_committed_zuul_yaml_names_only_existing_playbooks_in_zuuls_layout() {
    let root = repo_root();
    let zuul_yaml = std::fs::read_to_string(root.join(ZUUL_YAML)).unwrap();
    let uses = playbooks_named(&zuul_yaml).unwrap();
    assert!(!uses.is_empty(), "zuul.yaml names no playbook");
    for playbook in &uses {
        assert!(
            root.join(&playbook.path).is_file(),
            "job {} names {}, which does not exist",
            playbook.job,
            playbook.path
        );
        let file = playbook.path.rsplit('/').next().unwrap_or_default();
        assert!(
            playbook.path.starts_with("playbooks/")
                && ["pre.yaml", "run.yaml", "post.yaml"].contains(&file),
            "{} is not in the playbooks/<job>/{{pre,run,post}}.yaml layout",
            playbook.path
        );
    }
}

#[test]
fn test_setup_script_only_runs_setup_docker() {
    let path = repo_root().join("tools/test-setup.sh");
    let script = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = script.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines, ["#!/bin/sh", "cargo xtask setup-docker --yes"]);
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_ne!(mode & 0o111, 0, "tools/test-setup.sh is not executable");
}

// ---- The check against broken copies (installs the Python tools on first run). ----

/// One test at a time makes or checks the shared virtual environment.
static VENV: Mutex<()> = Mutex::new(());

/// A copy of the Zuul configuration in a temporary directory, to break on purpose.
struct Sandbox {
    dir: xshell::TempDir,
}

impl Sandbox {
    fn new(sh: &Shell) -> Self {
        let dir = sh.create_temp_dir().unwrap();
        let root = repo_root();
        for file in [ZUUL_YAML, LINT_CONFIG] {
            std::fs::copy(root.join(file), dir.path().join(file)).unwrap();
        }
        copy_dir(&root.join("playbooks"), &dir.path().join("playbooks"));
        Self { dir }
    }

    fn edit(&self, file: &str, from: &str, to: &str) {
        let path = self.dir.path().join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{file} does not contain {from:?}");
        std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    }

    fn check(&self) -> Vec<Finding> {
        let sh = Shell::new().unwrap();
        let venv = {
            let _one_at_a_time = VENV.lock().unwrap_or_else(|e| e.into_inner());
            venv::ensure(&sh, &repo_root()).unwrap()
        };
        check_tree(self.dir.path(), &venv, &self.dir.path().join("scratch")).unwrap()
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn rendered(findings: &[Finding]) -> String {
    findings
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
#[ignore = "installs Python tools; run by cargo xtask test"]
fn the_committed_configuration_passes_every_check() {
    let sh = Shell::new().unwrap();
    let findings = Sandbox::new(&sh).check();
    assert!(findings.is_empty(), "{}", rendered(&findings));
}

#[test]
#[ignore = "installs Python tools; run by cargo xtask test"]
fn a_misspelt_job_attribute_is_rejected_by_zuuls_schema() {
    let sh = Shell::new().unwrap();
    let sandbox = Sandbox::new(&sh);
    sandbox.edit(ZUUL_YAML, "    timeout: 1800", "    timout: 1800");
    let findings = sandbox.check();
    assert_eq!(findings.len(), 1, "{}", rendered(&findings));
    assert_eq!(findings[0].file, ZUUL_YAML);
    assert!(
        findings[0].problem.contains("'timout' was unexpected"),
        "{}",
        findings[0].problem
    );
}

#[test]
#[ignore = "installs Python tools; run by cargo xtask test"]
fn a_missing_playbook_is_rejected_naming_the_job_and_the_path() {
    let sh = Shell::new().unwrap();
    let sandbox = Sandbox::new(&sh);
    std::fs::remove_file(
        sandbox
            .dir
            .path()
            .join("playbooks/craton-functional/post.yaml"),
    )
    .unwrap();
    let findings = sandbox.check();
    let text = rendered(&findings);
    assert!(
        text.contains(
            "zuul.yaml: job craton-functional names the post-run playbook \
             playbooks/craton-functional/post.yaml, which does not exist"
        ),
        "{text}"
    );
    assert!(
        findings
            .iter()
            .any(|f| f.file == ZUUL_YAML && f.problem.starts_with("zuulcilint rejects it")),
        "zuulcilint's own playbook path check did not fire:\n{text}"
    );
}

#[test]
#[ignore = "installs Python tools; run by cargo xtask test"]
fn a_playbook_using_a_role_nobody_provides_fails_the_syntax_check() {
    let sh = Shell::new().unwrap();
    let sandbox = Sandbox::new(&sh);
    sandbox.edit(
        "playbooks/craton-functional/run.yaml",
        "    - revoke-sudo\n",
        "    - revoke-sudo-typo\n",
    );
    let findings = sandbox.check();
    let text = rendered(&findings);
    assert!(
        findings
            .iter()
            .any(|f| f.file == "playbooks/craton-functional/run.yaml"
                && f.problem
                    .starts_with("ansible-playbook --syntax-check fails")
                && f.problem.contains("revoke-sudo-typo")),
        "{text}"
    );
}

#[test]
#[ignore = "installs Python tools; run by cargo xtask test"]
fn an_unnamed_short_form_command_is_flagged_by_ansible_lint() {
    let sh = Shell::new().unwrap();
    let sandbox = Sandbox::new(&sh);
    sandbox.edit(
        "playbooks/craton-unit/run.yaml",
        "    - name: Run cargo xtask test --unit\n      ansible.builtin.command:\n",
        "    - command:\n",
    );
    let findings = sandbox.check();
    let text = rendered(&findings);
    assert!(!findings.is_empty(), "the broken playbook passed");
    assert!(
        findings
            .iter()
            .all(|f| f.file == "playbooks/craton-unit/run.yaml"),
        "{text}"
    );
    for rule in ["fqcn[action-core]", "name[missing]"] {
        assert!(
            text.contains(rule),
            "ansible-lint did not report {rule}:\n{text}"
        );
    }
}
