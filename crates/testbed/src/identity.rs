//! Names and secrets made up per container: random bootstrap credentials, and container names
//! that say which test they serve and never clash.

use std::io::Read;

/// The bootstrap project and root user a container creates at start-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The project's id, a UUID.
    pub project: String,
    pub user: String,
    pub token: String,
}

impl Credentials {
    pub fn random() -> Self {
        Self {
            project: random_uuid(),
            user: "root".to_owned(),
            token: random_hex(24),
        }
    }

    /// The container environment that makes craton create them.
    pub fn bootstrap_env(&self) -> Vec<String> {
        vec![
            format!("CRATON_BOOTSTRAP_PROJECT={}", self.project),
            format!("CRATON_BOOTSTRAP_USER={}", self.user),
            format!("CRATON_BOOTSTRAP_TOKEN={}", self.token),
        ]
    }
}

/// `n` random bytes from the kernel, as lowercase hex.
pub fn random_hex(n: usize) -> String {
    random_bytes(n).iter().map(|b| format!("{b:02x}")).collect()
}

/// A version 4 UUID.
pub fn random_uuid() -> String {
    let mut b = random_bytes(16);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

fn random_bytes(n: usize) -> Vec<u8> {
    let mut buf = vec![0; n];
    let read = std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut buf));
    if read.is_err() {
        // No /dev/urandom (not Linux): std's per-process random hash keys are enough to keep
        // names apart; these secrets only guard a throwaway container on loopback.
        use std::hash::{BuildHasher, RandomState};
        for (i, byte) in buf.iter_mut().enumerate() {
            *byte = RandomState::new().hash_one(i) as u8;
        }
    }
    buf
}

/// A container name for `test`: `craton-test-<test>-<random>`, with the characters the engine
/// refuses replaced and the test part cut so the name stays readable.
pub fn container_name(test: &str) -> String {
    let mut cleaned: String = test
        .replace("::", ".")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-') {
                c
            } else {
                '-'
            }
        })
        .collect();
    if cleaned.len() > 80 {
        cleaned.truncate(80);
    }
    format!("craton-test-{cleaned}-{}", random_hex(4))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_have_the_version_4_shape() {
        let id = random_uuid();
        let parts: Vec<_> = id.split('-').map(str::len).collect();
        assert_eq!(parts, [8, 4, 4, 4, 12]);
        assert_eq!(&id[14..15], "4");
        assert!(matches!(&id[19..20], "8" | "9" | "a" | "b"), "{id}");
    }

    #[test]
    fn two_credentials_never_share_a_project_or_token() {
        let (a, b) = (Credentials::random(), Credentials::random());
        assert_ne!(a.project, b.project);
        assert_ne!(a.token, b.token);
        assert_eq!(a.token.len(), 48);
    }

    #[test]
    fn container_names_keep_the_test_path_readable_and_valid() {
        let name = container_name("hosts::a host/with spaces");
        assert!(
            name.starts_with("craton-test-hosts.a-host-with-spaces-"),
            "{name}"
        );
        assert!(
            name.chars()
                .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
        );
        assert_ne!(container_name("t"), container_name("t"));
    }

    #[test]
    fn long_test_names_are_cut() {
        assert!(container_name(&"x".repeat(300)).len() < 110);
    }

    #[test]
    fn bootstrap_env_sets_all_three_variables() {
        let env = Credentials::random().bootstrap_env();
        assert!(env[0].starts_with("CRATON_BOOTSTRAP_PROJECT="));
        assert!(env[1].starts_with("CRATON_BOOTSTRAP_USER=root"));
        assert!(env[2].starts_with("CRATON_BOOTSTRAP_TOKEN="));
    }
}
