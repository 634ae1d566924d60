//! What the systemd host is made of, as plain data: the debootstrap command, the image name
//! (a hash of the recipe, so a changed recipe builds a new image) and the container's settings.

use std::collections::HashMap;
use std::path::Path;

use bollard::models::{ContainerCreateBody, HostConfig, HostConfigCgroupnsModeEnum};
use sha2::{Digest, Sha256};

/// The label every object we leave on the engine carries.
pub const MANAGED_LABEL: (&str, &str) = ("dev.craton.managed", "true");
/// Marks the images and containers of this test, so a later run can find its leftovers.
pub const PURPOSE_LABEL: (&str, &str) = ("dev.craton.purpose", "systemd-e2e");
/// On containers: the pid of the run that owns it; a run sweeps containers whose owner is gone.
pub const OWNER_PID_LABEL: &str = "dev.craton.owner-pid";
/// On the image: the full recipe hash (the tag carries a prefix of it).
pub const RECIPE_LABEL: &str = "dev.craton.recipe";

/// The image's repository; the tag is the recipe hash.
pub const IMAGE_REPO: &str = "craton-systemd-host";
/// Where the static xtask binary goes inside the container.
pub const XTASK_DIR: &str = "/usr/local/bin";
pub const XTASK_NAME: &str = "xtask";
/// Debian's mirror, used when `--mirror` is not given.
pub const DEFAULT_MIRROR: &str = "http://deb.debian.org/debian";

/// A Debian root file system with systemd and Docker, imported as an image that boots `/sbin/init`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipe {
    pub suite: &'static str,
    pub variant: &'static str,
    pub include: &'static [&'static str],
    /// Dockerfile instructions applied on import (labels are added separately: they name the hash).
    pub changes: &'static [&'static str],
}

/// The recipe the test uses. Changing anything here changes the image's name.
pub const RECIPE: Recipe = Recipe {
    suite: "bookworm",
    variant: "minbase",
    include: &[
        "systemd",
        "systemd-sysv",
        "dbus",
        "docker.io",
        "sudo",
        "curl",
        "iproute2",
        "passwd",
        "ca-certificates",
    ],
    changes: &[r#"CMD ["/sbin/init"]"#],
};

impl Recipe {
    /// `debootstrap` arguments that build the root file system into `dir` from `mirror`.
    /// The mirror is not part of the hash: every mirror serves the same packages.
    pub fn debootstrap_args(&self, dir: &Path, mirror: &str) -> Vec<String> {
        vec![
            format!("--variant={}", self.variant),
            format!("--include={}", self.include.join(",")),
            self.suite.to_string(),
            dir.display().to_string(),
            mirror.to_string(),
        ]
    }

    /// SHA-256 of everything that decides the image's content, in hex.
    pub fn hash(&self) -> String {
        let mut hasher = Sha256::new();
        // Bump the format line when the build changes in a way the fields do not show.
        hasher.update(b"craton-systemd-host v1\n");
        hasher.update(format!("suite={}\n", self.suite));
        hasher.update(format!("variant={}\n", self.variant));
        for package in self.include {
            hasher.update(format!("include={package}\n"));
        }
        for change in self.changes {
            hasher.update(format!("change={change}\n"));
        }
        hasher
            .finalize()
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect()
    }

    /// The image's tag: the first 12 hex digits of the hash, like Docker's short ids.
    pub fn image_tag(&self) -> String {
        self.hash()[..12].to_string()
    }

    /// `craton-systemd-host:<hash prefix>`.
    pub fn image_name(&self) -> String {
        format!("{IMAGE_REPO}:{}", self.image_tag())
    }

    /// All Dockerfile instructions for the import: the recipe's plus the labels.
    pub fn import_changes(&self) -> Vec<String> {
        let mut changes: Vec<String> = self.changes.iter().map(|c| c.to_string()).collect();
        changes.push(format!(
            "LABEL {}={} {}={} {RECIPE_LABEL}={}",
            MANAGED_LABEL.0,
            MANAGED_LABEL.1,
            PURPOSE_LABEL.0,
            PURPOSE_LABEL.1,
            self.hash()
        ));
        changes
    }
}

/// The settings under which systemd boots as PID 1 in a container on this kind of host.
/// `--privileged` is refused here (a capability is missing from the bounding set), so we grant
/// exactly what systemd and a nested dockerd need.
pub fn container_body(image: &str, owner_pid: u32) -> ContainerCreateBody {
    let labels = HashMap::from([
        (MANAGED_LABEL.0.to_string(), MANAGED_LABEL.1.to_string()),
        (PURPOSE_LABEL.0.to_string(), PURPOSE_LABEL.1.to_string()),
        (OWNER_PID_LABEL.to_string(), owner_pid.to_string()),
    ]);
    let tmpfs = HashMap::from([
        ("/run".to_string(), String::new()),
        ("/run/lock".to_string(), String::new()),
    ]);
    ContainerCreateBody {
        image: Some(image.to_string()),
        hostname: Some("systemd-host".to_string()),
        // systemd reads `container` to know it runs in one (and skips what makes no sense there).
        env: Some(vec!["container=docker".to_string()]),
        // systemd shuts down cleanly on SIGRTMIN+3; SIGTERM would only re-execute it.
        stop_signal: Some("SIGRTMIN+3".to_string()),
        labels: Some(labels),
        host_config: Some(HostConfig {
            cap_add: Some(vec!["SYS_ADMIN".to_string(), "NET_ADMIN".to_string()]),
            security_opt: Some(vec![
                "seccomp=unconfined".to_string(),
                "apparmor=unconfined".to_string(),
            ]),
            cgroupns_mode: Some(HostConfigCgroupnsModeEnum::HOST),
            binds: Some(vec!["/sys/fs/cgroup:/sys/fs/cgroup:rw".to_string()]),
            tmpfs: Some(tmpfs),
            // The scenario talks only to the engine inside; no network means no traffic can leave.
            network_mode: Some("none".to_string()),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// The container's name: one per run, so parallel runs on one engine do not collide.
pub fn container_name(owner_pid: u32) -> String {
    format!("craton-systemd-e2e-{owner_pid}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debootstrap_builds_the_minbase_suite_with_every_package_the_scenario_needs() {
        let args = RECIPE.debootstrap_args(Path::new("/tmp/root"), DEFAULT_MIRROR);
        assert_eq!(
            args,
            [
                "--variant=minbase",
                "--include=systemd,systemd-sysv,dbus,docker.io,sudo,curl,iproute2,passwd,ca-certificates",
                "bookworm",
                "/tmp/root",
                "http://deb.debian.org/debian",
            ]
        );
    }

    #[test]
    fn image_name_is_the_repository_tagged_with_a_prefix_of_the_recipe_hash() {
        let name = RECIPE.image_name();
        let hash = RECIPE.hash();
        assert_eq!(hash.len(), 64);
        assert!(hash.chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(name, format!("craton-systemd-host:{}", &hash[..12]));
    }

    #[test]
    fn same_recipe_gives_the_same_image_so_the_build_is_reused() {
        assert_eq!(RECIPE.clone().image_name(), RECIPE.image_name());
    }

    #[test]
    fn any_change_to_the_recipe_gives_a_new_image() {
        let mut other = RECIPE;
        other.suite = "trixie";
        assert_ne!(other.hash(), RECIPE.hash());
        let mut other = RECIPE;
        other.include = &["systemd"];
        assert_ne!(other.hash(), RECIPE.hash());
        let mut other = RECIPE;
        other.changes = &[];
        assert_ne!(other.hash(), RECIPE.hash());
    }

    #[test]
    fn imported_image_boots_init_and_carries_the_managed_label_and_its_hash() {
        let changes = RECIPE.import_changes();
        assert_eq!(changes[0], r#"CMD ["/sbin/init"]"#);
        let label = changes.last().unwrap();
        assert!(label.starts_with("LABEL "));
        assert!(label.contains("dev.craton.managed=true"));
        assert!(label.contains(&format!("dev.craton.recipe={}", RECIPE.hash())));
    }

    #[test]
    fn container_gets_the_capabilities_systemd_needs_and_no_privileged_mode() {
        let body = container_body("img:tag", 42);
        let host = body.host_config.unwrap();
        assert_eq!(host.privileged, None);
        assert_eq!(
            host.cap_add.unwrap(),
            ["SYS_ADMIN".to_string(), "NET_ADMIN".to_string()]
        );
        assert_eq!(
            host.security_opt.unwrap(),
            [
                "seccomp=unconfined".to_string(),
                "apparmor=unconfined".to_string()
            ]
        );
        assert_eq!(host.cgroupns_mode, Some(HostConfigCgroupnsModeEnum::HOST));
        assert_eq!(
            host.binds.unwrap(),
            ["/sys/fs/cgroup:/sys/fs/cgroup:rw".to_string()]
        );
        let tmpfs = host.tmpfs.unwrap();
        assert!(tmpfs.contains_key("/run") && tmpfs.contains_key("/run/lock"));
        assert_eq!(host.network_mode.as_deref(), Some("none"));
    }

    #[test]
    fn container_is_labelled_managed_and_with_its_owner() {
        let body = container_body("img:tag", 42);
        assert_eq!(body.image.as_deref(), Some("img:tag"));
        let labels = body.labels.unwrap();
        assert_eq!(labels["dev.craton.managed"], "true");
        assert_eq!(labels["dev.craton.purpose"], "systemd-e2e");
        assert_eq!(labels["dev.craton.owner-pid"], "42");
        assert_eq!(container_name(42), "craton-systemd-e2e-42");
    }
}
