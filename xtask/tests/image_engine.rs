//! `build-image` and `clean-dangling` run as users run them: the real xtask binary, the real
//! engine. Each test labels what it makes `dev.craton.image-test=<its own id>`, narrows
//! clean-dangling to that label (so parallel tests and other people's images are never
//! touched), and removes its images and containers when it ends, whether it passed or not;
//! the first test of a run also removes what runs that ended without cleaning up left.
//!
//! Tests that need no engine (bad input caught before connecting) run with `cargo test`; the
//! others are ignored there and run by `cargo xtask test`.

// Helpers outside `#[test]` functions are test code too: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Once;
use std::time::{SystemTime, UNIX_EPOCH};

use bollard::Docker;
use bollard::models::ContainerCreateBody;
use bollard::query_parameters::{
    CreateContainerOptions, ListContainersOptions, ListImagesOptions, RemoveContainerOptions,
    RemoveImageOptions,
};

/// Marks what these tests make, with the making test's id; a key of its own, so that sweeping
/// the leftovers of ended runs cannot touch other suites' `dev.craton.test` labels.
const TEST_LABEL: &str = "dev.craton.image-test";
/// Marks every image of a test's own chain from its first step (see `Scratch::dockerfile`), so
/// the steps a failed build committed are found too.
const CHAIN_LABEL: &str = "dev.craton.image-test.chain";

static SWEEP_ENDED_RUNS: Once = Once::new();

/// What one test made on the engine, removed when the test ends.
struct Scratch {
    id: String,
    dir: PathBuf,
    runtime: tokio::runtime::Runtime,
    docker: Docker,
}

impl Scratch {
    fn new(test: &str) -> Self {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let id = format!("{test}-{}-{nanos}", std::process::id());
        let dir = std::env::temp_dir().join(format!("craton-image-test-{id}"));
        std::fs::create_dir_all(&dir).unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let docker = runtime.block_on(async {
            Docker::connect_with_defaults()
                .unwrap()
                .negotiate_version()
                .await
                .expect("these tests need a Docker engine: run `cargo xtask setup-docker`")
        });
        SWEEP_ENDED_RUNS.call_once(|| {
            for key in [TEST_LABEL, CHAIN_LABEL] {
                runtime.block_on(remove_labelled(&docker, key, made_by_an_ended_run));
            }
        });
        Self {
            id,
            dir,
            runtime,
            docker,
        }
    }

    /// `dev.craton.test=<this test's id>`
    fn label(&self) -> String {
        format!("{TEST_LABEL}={}", self.id)
    }

    fn tag(&self, name: &str) -> String {
        format!("craton-test:{}-{name}", self.id)
    }

    /// The repository's Dockerfile with a step of this test's own right after `FROM`, so the
    /// test's chain of cached images is its own from the first step:
    /// - the engine takes each cached step from the newest matching image, so another
    ///   `--no-cache` build of the same Dockerfile (a parallel test, someone else's run) could
    ///   lead a warm rebuild down its chain and miss the cache at this test's label;
    /// - removing an image prunes its untagged parents, so a parallel test's clean-up could
    ///   delete a shared cached image just as this test's build commits on top of it.
    fn dockerfile(&self) -> PathBuf {
        self.write_dockerfile("own-chain", "")
    }

    /// `dockerfile()` plus a step that copies a file naming `input`: a changed input that
    /// changes a layer, as a changed binary would.
    fn dockerfile_with_input(&self, input: &str) -> PathBuf {
        self.write_dockerfile(input, &format!("# input {input}\nCOPY Dockerfile /input\n"))
    }

    fn write_dockerfile(&self, name: &str, extra_steps: &str) -> PathBuf {
        let path = self.dir.join(format!("Dockerfile.{name}"));
        let text = std::fs::read_to_string(root().join("crates/craton/Dockerfile")).unwrap();
        let own_step = format!("FROM scratch\nLABEL {CHAIN_LABEL}={}\n", self.id);
        let text = text.replacen("FROM scratch\n", &own_step, 1) + extra_steps;
        std::fs::write(&path, text).unwrap();
        path
    }

    /// `build-image --quiet` with this test's label.
    fn build(&self, tag: &str, dockerfile: &Path, extra: &[&str]) -> Output {
        let label = self.label();
        let dockerfile = dockerfile.to_str().unwrap();
        let mut args = vec![
            "build-image",
            "--quiet",
            "--tag",
            tag,
            "--label",
            &label,
            "--dockerfile",
            dockerfile,
        ];
        args.extend_from_slice(extra);
        xtask(&args, &[])
    }

    /// Builds and returns the image id; fails the test with xtask's output otherwise.
    fn built_id(&self, tag: &str, dockerfile: &Path) -> String {
        let output = self.build(tag, dockerfile, &[]);
        assert_success(&output);
        self.inspect(tag).expect("the image just built").0
    }

    /// `clean-dangling` narrowed to this test's images.
    fn clean(&self, extra: &[&str]) -> Output {
        let label = self.label();
        let mut args = vec!["clean-dangling", "--label", &label];
        args.extend_from_slice(extra);
        xtask(&args, &[])
    }

    /// Id and tags of an image, or `None` when the engine has no such image.
    fn inspect(&self, reference: &str) -> Option<(String, Vec<String>)> {
        self.runtime.block_on(async {
            match self.docker.inspect_image(reference).await {
                Ok(image) => Some((image.id.unwrap(), image.repo_tags.unwrap_or_default())),
                Err(bollard::errors::Error::DockerResponseServerError {
                    status_code: 404, ..
                }) => None,
                Err(err) => panic!("inspecting {reference}: {err}"),
            }
        })
    }

    fn image_config(&self, reference: &str) -> bollard::models::ImageConfig {
        self.runtime
            .block_on(self.docker.inspect_image(reference))
            .unwrap()
            .config
            .unwrap()
    }

    /// A container of `image` that is never started, as a stopped container of an old build.
    fn create_container(&self, image: &str) -> String {
        let name = format!("craton-test-{}", self.id);
        let body = ContainerCreateBody {
            image: Some(image.to_owned()),
            labels: Some(HashMap::from([
                ("dev.craton.managed".to_owned(), "true".to_owned()),
                (TEST_LABEL.to_owned(), self.id.clone()),
            ])),
            ..Default::default()
        };
        let options = CreateContainerOptions {
            name: Some(name.clone()),
            ..Default::default()
        };
        self.runtime
            .block_on(self.docker.create_container(Some(options), body))
            .unwrap();
        name
    }
}

/// Removes the containers, then the images, tagged or not, whose label `key` has a value
/// `owned` accepts.
async fn remove_labelled(docker: &Docker, key: &str, owned: impl Fn(&str) -> bool) {
    let filters = HashMap::from([("label".to_owned(), vec![key.to_owned()])]);
    let value = |labels: Option<&HashMap<String, String>>| {
        labels
            .and_then(|labels| labels.get(key))
            .cloned()
            .unwrap_or_default()
    };
    let containers = docker
        .list_containers(Some(ListContainersOptions {
            all: true,
            filters: Some(filters.clone()),
            ..Default::default()
        }))
        .await
        .unwrap_or_default();
    for container in containers {
        let Some(id) = container
            .id
            .filter(|_| owned(&value(container.labels.as_ref())))
        else {
            continue;
        };
        let options = RemoveContainerOptions {
            force: true,
            v: true,
            ..Default::default()
        };
        if let Err(err) = docker.remove_container(&id, Some(options)).await {
            eprintln!("warning: could not remove test container {id}: {err}");
        }
    }
    let images = docker
        .list_images(Some(ListImagesOptions {
            filters: Some(filters),
            ..Default::default()
        }))
        .await
        .unwrap_or_default();
    for image in images {
        if !owned(&value(Some(&image.labels))) {
            continue;
        }
        let tags = image
            .repo_tags
            .into_iter()
            .filter(|tag| tag != "<none>:<none>");
        let references: Vec<String> = tags.chain([image.id]).collect();
        for reference in references {
            match docker
                .remove_image(&reference, None::<RemoveImageOptions>, None)
                .await
            {
                Ok(_)
                | Err(bollard::errors::Error::DockerResponseServerError {
                    status_code: 404, ..
                }) => {}
                Err(err) => eprintln!("warning: could not remove test image {reference}: {err}"),
            }
        }
    }
}

/// Whether the test process that made `id` (`<test>-<pid>-<nanos>`) has ended: a run killed
/// before its clean-up, or one whose engine went away meanwhile, left these behind.
fn made_by_an_ended_run(id: &str) -> bool {
    let mut parts = id.rsplitn(3, '-');
    let pid = parts.nth(1).and_then(|pid| pid.parse::<u32>().ok());
    pid.is_some_and(|pid| pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists())
}

impl Drop for Scratch {
    fn drop(&mut self) {
        // Finished images first (their untagged parents go with them), then what failed
        // builds of this test's chain left.
        for key in [TEST_LABEL, CHAIN_LABEL] {
            self.runtime
                .block_on(remove_labelled(&self.docker, key, |value| value == self.id));
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn xtask(args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .envs(env.iter().copied())
        .env_remove("CI")
        .current_dir(root())
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn assert_success(output: &Output) {
    assert!(
        output.status.success(),
        "xtask failed with {:?}\nstdout:\n{}\nstderr:\n{}",
        output.status.code(),
        stdout(output),
        stderr(output)
    );
}

fn short(id: &str) -> &str {
    &id[..19] // sha256: and 12 hex digits
}

// ---- Bad input caught before the engine is asked: no engine needed. ----

#[test]
fn a_missing_dockerfile_is_bad_input_naming_the_path() {
    let output = xtask(
        &["build-image", "--dockerfile", "/nonexistent/Dockerfile"],
        &[],
    );
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("/nonexistent/Dockerfile"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn an_invalid_label_is_bad_input_showing_the_expected_form() {
    let output = xtask(&["build-image", "--label", "no-equals-sign"], &[]);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("expected KEY=VALUE"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn an_invalid_tag_is_bad_input() {
    let output = xtask(&["build-image", "--tag", "Craton:Dev"], &[]);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
}

#[test]
fn an_unreachable_engine_has_its_own_exit_code_and_a_hint() {
    let unreachable = [("DOCKER_HOST", "unix:///nonexistent")];
    for args in [&["build-image"][..], &["clean-dangling", "--dry-run"][..]] {
        let output = xtask(args, &unreachable);
        assert_eq!(
            output.status.code(),
            Some(5),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(
            stderr(&output).contains("setup-docker"),
            "{}",
            stderr(&output)
        );
    }
}

#[test]
fn leftovers_are_swept_only_when_the_run_that_made_them_has_ended() {
    let own = format!("warm-{}-123", std::process::id());
    assert!(!made_by_an_ended_run(&own));
    assert!(!made_by_an_ended_run("a-test-name-without-pid"));
    assert!(!made_by_an_ended_run("x-1-5"), "pid 1 is always running");
}

// ---- With the engine. ----

#[test]
#[ignore = "needs a Docker engine; run by cargo xtask test"]
fn a_failing_dockerfile_step_is_a_build_failure_naming_the_step() {
    let scratch = Scratch::new("failing-step");
    let dockerfile = scratch.write_dockerfile("failing", "COPY no-such-file /x\n");
    let output = scratch.build(&scratch.tag("failing"), &dockerfile, &[]);
    assert_eq!(output.status.code(), Some(8), "{}", stderr(&output));
    let message = stderr(&output);
    assert!(message.contains("error: step "), "{message}");
    assert!(
        message.contains("`COPY no-such-file /x` failed"),
        "{message}"
    );
    assert!(message.contains("stat no-such-file"), "{message}");

    // The steps before the failure stay as cache, dangling, and clean-dangling finds them.
    let chain = format!("{CHAIN_LABEL}={}", scratch.id);
    let output = xtask(&["clean-dangling", "--dry-run", "--label", &chain], &[]);
    assert_success(&output);
    assert!(
        stdout(&output).contains("would remove 1 image"),
        "{}",
        stdout(&output)
    );
}

#[test]
#[ignore = "needs a Docker engine; run by cargo xtask test"]
fn a_rebuild_with_nothing_changed_reuses_every_step_and_keeps_the_image_id() {
    let scratch = Scratch::new("warm");
    let tag = scratch.tag("warm");
    let dockerfile = scratch.dockerfile();
    let first = scratch.built_id(&tag, &dockerfile);
    let output = scratch.build(&tag, &dockerfile, &[]);
    assert_success(&output);
    let summary = stdout(&output);
    let cache_line = summary.lines().find(|l| l.starts_with("cache")).unwrap();
    let words: Vec<&str> = cache_line.split_whitespace().collect();
    assert_eq!(words[1], words[3], "not every step was cached: {summary}");
    assert_eq!(scratch.inspect(&tag).unwrap().0, first);
}

#[test]
#[ignore = "needs a Docker engine; run by cargo xtask test"]
fn no_cache_rebuilds_every_step_into_the_same_layers() {
    let scratch = Scratch::new("no-cache");
    let tag = scratch.tag("no-cache");
    let dockerfile = scratch.dockerfile();
    scratch.built_id(&tag, &dockerfile);
    let layers = |s: &Scratch| {
        s.runtime
            .block_on(s.docker.inspect_image(&tag))
            .unwrap()
            .root_fs
            .unwrap()
            .layers
    };
    let before = layers(&scratch);
    let output = scratch.build(&tag, &dockerfile, &["--no-cache"]);
    assert_success(&output);
    assert!(
        stdout(&output).contains("cache     0 of"),
        "{}",
        stdout(&output)
    );
    assert_eq!(layers(&scratch), before, "the context is not deterministic");
}

#[test]
#[ignore = "needs a Docker engine; run by cargo xtask test"]
fn the_image_is_small_runs_as_nobody_and_serves_from_data() {
    let scratch = Scratch::new("config");
    let tag = scratch.tag("config");
    let output = scratch.build(&tag, &scratch.dockerfile(), &[]);
    assert_success(&output);
    let summary = stdout(&output);
    assert!(summary.contains(&format!("tag       {tag}")), "{summary}");

    let size = scratch
        .runtime
        .block_on(scratch.docker.inspect_image(&tag))
        .unwrap()
        .size
        .unwrap();
    assert!(size < 20_000_000, "the image is {size} bytes");

    let config = scratch.image_config(&tag);
    assert_eq!(config.user.as_deref(), Some("65534:65534"));
    assert!(
        config
            .exposed_ports
            .unwrap()
            .contains(&"8080/tcp".to_owned())
    );
    assert!(config.volumes.unwrap().contains(&"/data".to_owned()));
    assert_eq!(config.stop_signal.as_deref(), Some("SIGTERM"));
    let entrypoint = config.entrypoint.unwrap().join(" ");
    assert!(entrypoint.contains("serve --database /data/craton.db --listen 0.0.0.0:8080"));
    let health = config.healthcheck.unwrap().test.unwrap();
    assert_eq!(health, ["CMD", "/craton", "healthcheck"]);

    let labels = config.labels.unwrap();
    assert_eq!(labels["dev.craton.managed"], "true");
    assert!(!labels["org.opencontainers.image.revision"].is_empty());
    assert!(labels["org.opencontainers.image.created"].ends_with('Z'));
    assert_eq!(labels[TEST_LABEL], scratch.id);
}

#[test]
#[ignore = "needs a Docker engine; run by cargo xtask test"]
fn a_rebuilt_tag_leaves_the_old_image_dangling_and_only_it_is_removed() {
    let scratch = Scratch::new("rebuild");
    let tag = scratch.tag("app");
    let kept_tag = scratch.tag("kept");
    let old = scratch.built_id(&tag, &scratch.dockerfile_with_input("one"));
    let kept = scratch.built_id(&kept_tag, &scratch.dockerfile_with_input("kept"));
    let new = scratch.built_id(&tag, &scratch.dockerfile_with_input("two"));
    assert_ne!(old, new);
    assert_eq!(
        scratch.inspect(&old).unwrap().1,
        Vec::<String>::new(),
        "old image still tagged"
    );

    let output = scratch.clean(&[]);
    assert_success(&output);
    let report = stdout(&output);
    assert!(
        report.contains(&format!("removed      {}", short(&old))),
        "{report}"
    );
    assert!(report.contains("removed 1 image, reclaimed"), "{report}");
    assert!(
        !report.contains("reclaimed 0 B"),
        "a changed layer freed nothing: {report}"
    );
    assert_eq!(
        scratch.inspect(&old),
        None,
        "the dangling image is still there"
    );
    assert_eq!(scratch.inspect(&tag).unwrap().0, new);
    assert_eq!(scratch.inspect(&kept_tag).unwrap().0, kept);
}

#[test]
#[ignore = "needs a Docker engine; run by cargo xtask test"]
fn a_dry_run_lists_the_dangling_image_and_removes_nothing() {
    let scratch = Scratch::new("dry-run");
    let tag = scratch.tag("app");
    let old = scratch.built_id(&tag, &scratch.dockerfile_with_input("one"));
    scratch.built_id(&tag, &scratch.dockerfile_with_input("two"));

    let output = scratch.clean(&["--dry-run"]);
    assert_success(&output);
    let report = stdout(&output);
    assert!(
        report.contains(&format!("would remove {}", short(&old))),
        "{report}"
    );
    assert!(report.contains("removed nothing (dry run)"), "{report}");
    assert!(
        scratch.inspect(&old).is_some(),
        "a dry run removed the image"
    );
}

#[test]
#[ignore = "needs a Docker engine; run by cargo xtask test"]
fn an_image_used_by_a_stopped_container_is_reported_with_its_name_and_kept() {
    let scratch = Scratch::new("in-use");
    let tag = scratch.tag("app");
    let old = scratch.built_id(&tag, &scratch.dockerfile_with_input("one"));
    let container = scratch.create_container(&old);
    scratch.built_id(&tag, &scratch.dockerfile_with_input("two"));

    let output = scratch.clean(&[]);
    assert_success(&output);
    let report = stdout(&output);
    assert!(
        report.contains(&format!(
            "in use       {}  by {container} (created)",
            short(&old)
        )),
        "{report}"
    );
    assert!(report.contains("removed 0 images"), "{report}");
    assert!(
        scratch.inspect(&old).is_some(),
        "an image in use was removed"
    );
}
