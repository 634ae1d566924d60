//! Which playbooks `zuul.yaml` names, job by job: the list the syntax check and the lint
//! work through. Pure parsing; the schema itself is zuulcilint's business.

use std::fmt;

use serde::Deserialize;

/// The phase of a job a playbook runs in, spelled as Zuul spells the attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    PreRun,
    Run,
    PostRun,
    CleanupRun,
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Phase::PreRun => "pre-run",
            Phase::Run => "run",
            Phase::PostRun => "post-run",
            Phase::CleanupRun => "cleanup-run",
        })
    }
}

/// One playbook path as a job names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaybookUse {
    pub job: String,
    pub phase: Phase,
    /// Relative to the repository root, as Zuul resolves it.
    pub path: String,
}

/// Zuul accepts a playbook, a `{name: playbook, ...}` object, or a list mixing both.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Playbooks {
    One(PlaybookRef),
    Many(Vec<PlaybookRef>),
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum PlaybookRef {
    Path(String),
    // Other keys (`semaphores`, `cleanup`) do not change which file runs.
    Object { name: String },
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
struct Job {
    name: String,
    pre_run: Option<Playbooks>,
    run: Option<Playbooks>,
    post_run: Option<Playbooks>,
    cleanup_run: Option<Playbooks>,
}

/// Every playbook that a job in `zuul_yaml` names, in file order. Items other than jobs
/// (nodesets, projects, secrets with their `!encrypted/...` tags) are skipped.
pub fn playbooks_named(zuul_yaml: &str) -> Result<Vec<PlaybookUse>, String> {
    let items: Vec<serde_yaml::Mapping> = serde_yaml::from_str(zuul_yaml)
        .map_err(|err| format!("not a list of Zuul configuration items: {err}"))?;
    let mut uses = Vec::new();
    for (index, item) in items.into_iter().enumerate() {
        let Some(job) = item.get("job") else {
            continue;
        };
        let job: Job = serde_yaml::from_value(job.clone())
            .map_err(|err| format!("item {} (a job): {err}", index + 1))?;
        for (phase, playbooks) in [
            (Phase::PreRun, job.pre_run),
            (Phase::Run, job.run),
            (Phase::PostRun, job.post_run),
            (Phase::CleanupRun, job.cleanup_run),
        ] {
            let refs = match playbooks {
                None => Vec::new(),
                Some(Playbooks::One(one)) => vec![one],
                Some(Playbooks::Many(many)) => many,
            };
            uses.extend(refs.into_iter().map(|playbook| PlaybookUse {
                job: job.name.clone(),
                phase,
                path: match playbook {
                    PlaybookRef::Path(path) | PlaybookRef::Object { name: path } => path,
                },
            }));
        }
    }
    Ok(uses)
}

/// Each path once, in the order first named: several jobs may share a playbook.
pub fn distinct_paths(uses: &[PlaybookUse]) -> Vec<&str> {
    let mut paths: Vec<&str> = Vec::new();
    for playbook in uses {
        if !paths.contains(&playbook.path.as_str()) {
            paths.push(&playbook.path);
        }
    }
    paths
}

#[cfg(test)]
mod tests {
    use super::*;

    fn use_of(job: &str, phase: Phase, path: &str) -> PlaybookUse {
        PlaybookUse {
            job: job.into(),
            phase,
            path: path.into(),
        }
    }

    #[test]
    fn every_phase_of_every_job_is_collected_in_file_order() {
        let yaml = "
- job:
    name: unit
    pre-run: playbooks/unit/pre.yaml
    run: playbooks/unit/run.yaml
- job:
    name: functional
    pre-run: playbooks/functional/pre.yaml
    run: playbooks/functional/run.yaml
    post-run: playbooks/functional/post.yaml
    cleanup-run: playbooks/functional/cleanup.yaml
";
        assert_eq!(
            playbooks_named(yaml).unwrap(),
            [
                use_of("unit", Phase::PreRun, "playbooks/unit/pre.yaml"),
                use_of("unit", Phase::Run, "playbooks/unit/run.yaml"),
                use_of("functional", Phase::PreRun, "playbooks/functional/pre.yaml"),
                use_of("functional", Phase::Run, "playbooks/functional/run.yaml"),
                use_of(
                    "functional",
                    Phase::PostRun,
                    "playbooks/functional/post.yaml"
                ),
                use_of(
                    "functional",
                    Phase::CleanupRun,
                    "playbooks/functional/cleanup.yaml"
                ),
            ]
        );
    }

    #[test]
    fn playbook_lists_and_objects_with_semaphores_name_their_files() {
        let yaml = "
- job:
    name: mixed
    run:
      - playbooks/first.yaml
      - name: playbooks/second.yaml
        semaphores: one-at-a-time
    post-run:
      name: playbooks/post.yaml
      cleanup: true
";
        let paths: Vec<_> = playbooks_named(yaml)
            .unwrap()
            .into_iter()
            .map(|p| (p.phase, p.path))
            .collect();
        assert_eq!(
            paths,
            [
                (Phase::Run, "playbooks/first.yaml".to_string()),
                (Phase::Run, "playbooks/second.yaml".to_string()),
                (Phase::PostRun, "playbooks/post.yaml".to_string()),
            ]
        );
    }

    #[test]
    fn jobs_that_only_set_variables_name_no_playbook() {
        let yaml = "
- job:
    name: child
    parent: functional
    vars: !override
      no_cache: true
";
        assert_eq!(playbooks_named(yaml).unwrap(), []);
    }

    #[test]
    fn nodesets_projects_and_encrypted_secrets_are_skipped() {
        let yaml = "
- nodeset:
    name: noble
    nodes:
      - name: node
        label: ubuntu-noble
- secret:
    name: token
    data:
      value: !encrypted/pkcs1-oaep
        - abc==
- project:
    check:
      jobs:
        - unit
";
        assert_eq!(playbooks_named(yaml).unwrap(), []);
    }

    #[test]
    fn a_file_that_is_not_a_list_of_items_is_rejected_with_the_reason() {
        let err = playbooks_named("job:\n  name: x\n").unwrap_err();
        assert!(
            err.contains("not a list of Zuul configuration items"),
            "{err}"
        );
    }

    #[test]
    fn broken_yaml_is_rejected_with_its_line() {
        let err = playbooks_named("- job:\n    name: x\n   run: y\n").unwrap_err();
        assert!(err.contains("line"), "{err}");
    }

    #[test]
    fn a_job_without_a_name_is_rejected_naming_its_position() {
        let err = playbooks_named("- nodeset: {name: n}\n- job:\n    run: x.yaml\n").unwrap_err();
        assert!(err.starts_with("item 2 (a job):"), "{err}");
    }

    #[test]
    fn a_playbook_shared_by_two_jobs_is_checked_once() {
        let uses = [
            use_of("a", Phase::PreRun, "playbooks/pre.yaml"),
            use_of("b", Phase::PreRun, "playbooks/pre.yaml"),
            use_of("b", Phase::Run, "playbooks/run.yaml"),
        ];
        assert_eq!(
            distinct_paths(&uses),
            ["playbooks/pre.yaml", "playbooks/run.yaml"]
        );
    }
}
