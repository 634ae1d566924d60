//! The first phase: the statically linked release binary of `craton`, built by cargo for the
//! host's target, and checked to need no dynamic loader (a `FROM scratch` image has none).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use xshell::{Shell, cmd};

use crate::exit::{Code, Failure};

/// The binary that goes into the image.
#[derive(Debug, Clone)]
pub struct StaticBinary {
    pub path: PathBuf,
    pub target: String,
}

/// The target craton is built for. x86_64-unknown-linux-gnu on the machines CI uses; whatever
/// rustc runs on elsewhere, so an arm64 host builds an arm64 image its engine can run.
pub fn host_triple(rustc_version_verbose: &str) -> Option<&str> {
    rustc_version_verbose
        .lines()
        .find_map(|line| line.strip_prefix("host:"))
        .map(str::trim)
        .filter(|triple| !triple.is_empty())
}

/// The user's RUSTFLAGS with static linking of the C runtime added.
pub fn static_rustflags(existing: Option<&str>) -> String {
    const STATIC: &str = "-C target-feature=+crt-static";
    match existing.map(str::trim) {
        Some(flags) if !flags.is_empty() => format!("{flags} {STATIC}"),
        _ => STATIC.to_owned(),
    }
}

/// The path cargo reports for the `bin_name` binary in its JSON messages (one per line).
pub fn executable_from_messages(messages: &str, bin_name: &str) -> Option<PathBuf> {
    messages
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|msg| msg["reason"] == "compiler-artifact")
        .filter(|msg| msg["target"]["name"] == bin_name)
        .filter(|msg| {
            msg["target"]["kind"]
                .as_array()
                .is_some_and(|kinds| kinds.iter().any(|kind| kind == "bin"))
        })
        .filter_map(|msg| msg["executable"].as_str().map(PathBuf::from))
        .next_back()
}

/// Whether an ELF file asks for a program interpreter (a dynamic loader such as
/// `/lib64/ld-linux-x86-64.so.2`), which a `FROM scratch` image cannot provide.
pub fn needs_dynamic_loader(elf: &[u8]) -> Result<bool, String> {
    const PT_INTERP: u32 = 3;
    if elf.get(..4) != Some(b"\x7fELF") {
        return Err("not an ELF file".to_owned());
    }
    if elf.get(4) != Some(&2) || elf.get(5) != Some(&1) {
        return Err("not a 64-bit little-endian ELF file".to_owned());
    }
    let read = |at: usize, len: usize| -> Result<u64, String> {
        let bytes = elf
            .get(at..at + len)
            .ok_or_else(|| "truncated ELF header".to_owned())?;
        Ok(bytes
            .iter()
            .rev()
            .fold(0u64, |acc, byte| (acc << 8) | u64::from(*byte)))
    };
    let table = usize::try_from(read(0x20, 8)?).map_err(|_| "bad program header offset")?;
    let entry_size = usize::try_from(read(0x36, 2)?).map_err(|_| "bad entry size")?;
    let entries = usize::try_from(read(0x38, 2)?).map_err(|_| "bad entry count")?;
    for index in 0..entries {
        if read(table + index * entry_size, 4)? == u64::from(PT_INTERP) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Runs `cargo build --release` of craton for the host's target with a static C runtime.
pub fn build(root: &Path, quiet: bool) -> Result<StaticBinary> {
    let sh = Shell::new()?;
    sh.change_dir(root);
    // Under `cargo xtask`, cargo tells us which cargo it is; otherwise use the one on PATH.
    let cargo = std::env::var_os("CARGO")
        .map(PathBuf::from)
        .or_else(|| which::which("cargo").ok())
        .ok_or_else(|| {
            Failure::new(Code::BuildFailed, "cargo is not on PATH")
                .hint("install Rust with rustup, then run `cargo xtask build-image` again")
        })?;
    let rustc = std::env::var_os("RUSTC").map_or_else(|| PathBuf::from("rustc"), PathBuf::from);
    let version = cmd!(sh, "{rustc} -vV")
        .quiet()
        .read()
        .context("asking rustc for the host's target (`rustc -vV`)")?;
    let target = host_triple(&version)
        .context("`rustc -vV` printed no `host:` line")?
        .to_owned();
    let rustflags = static_rustflags(std::env::var("RUSTFLAGS").ok().as_deref());
    let quiet_flag = quiet.then_some("--quiet");

    let messages = cmd!(
        sh,
        "{cargo} build --release --package craton --bin craton --target {target} --message-format=json-render-diagnostics {quiet_flag...}"
    )
    .env("RUSTFLAGS", rustflags)
    .quiet()
    .read()
    .map_err(|err| {
        Failure::new(
            Code::BuildFailed,
            format!("cargo could not build the craton binary ({err}); its messages are above"),
        )
    })?;
    let path = executable_from_messages(&messages, "craton")
        .context("cargo built craton but named no executable in its messages")?;

    let elf = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
    let dynamic =
        needs_dynamic_loader(&elf).map_err(|why| anyhow::anyhow!("{}: {why}", path.display()))?;
    if dynamic {
        return Err(Failure::new(
            Code::BuildFailed,
            format!(
                "{} is dynamically linked, so it cannot run in a FROM scratch image",
                path.display()
            ),
        )
        .hint(format!(
            "the target {target} ignores `+crt-static`; build on a glibc or musl Linux target"
        ))
        .into());
    }
    Ok(StaticBinary { path, target })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_triple_comes_from_the_host_line_of_rustc_vv() {
        let output = "rustc 1.95.0 (59807616e 2026-04-14)\nbinary: rustc\n\
                      host: aarch64-unknown-linux-gnu\nrelease: 1.95.0\n";
        assert_eq!(host_triple(output), Some("aarch64-unknown-linux-gnu"));
        assert_eq!(host_triple("rustc 1.95.0\n"), None);
    }

    #[test]
    fn static_linking_is_added_to_the_users_rustflags() {
        assert_eq!(static_rustflags(None), "-C target-feature=+crt-static");
        assert_eq!(
            static_rustflags(Some("  ")),
            "-C target-feature=+crt-static"
        );
        assert_eq!(
            static_rustflags(Some("-D warnings")),
            "-D warnings -C target-feature=+crt-static"
        );
    }

    #[test]
    fn the_executable_is_read_from_the_binarys_artifact_message() {
        let messages = [
            r#"{"reason":"compiler-artifact","target":{"kind":["lib"],"name":"craton"},"executable":null}"#,
            r#"{"reason":"compiler-artifact","target":{"kind":["bin"],"name":"other"},"executable":"/t/other"}"#,
            r#"{"reason":"compiler-artifact","target":{"kind":["bin"],"name":"craton"},"executable":"/t/release/craton"}"#,
            r#"{"reason":"build-finished","success":true}"#,
            "not json",
        ]
        .join("\n");
        assert_eq!(
            executable_from_messages(&messages, "craton"),
            Some(PathBuf::from("/t/release/craton"))
        );
        assert_eq!(executable_from_messages("", "craton"), None);
    }

    /// A minimal ELF64 header with one program header of type `segment_type`.
    fn elf_with_segment(segment_type: u32) -> Vec<u8> {
        let mut elf = vec![0u8; 64 + 56];
        elf[..4].copy_from_slice(b"\x7fELF");
        elf[4] = 2; // 64-bit
        elf[5] = 1; // little-endian
        elf[0x20..0x28].copy_from_slice(&64u64.to_le_bytes());
        elf[0x36..0x38].copy_from_slice(&56u16.to_le_bytes());
        elf[0x38..0x3a].copy_from_slice(&1u16.to_le_bytes());
        elf[64..68].copy_from_slice(&segment_type.to_le_bytes());
        elf
    }

    #[test]
    fn a_binary_with_an_interpreter_segment_needs_a_dynamic_loader() {
        assert_eq!(needs_dynamic_loader(&elf_with_segment(3)), Ok(true));
        assert_eq!(needs_dynamic_loader(&elf_with_segment(1)), Ok(false));
    }

    #[test]
    fn a_file_that_is_not_elf_is_an_error_not_a_verdict() {
        assert!(needs_dynamic_loader(b"#!/bin/sh\n").is_err());
        assert!(needs_dynamic_loader(&elf_with_segment(3)[..40]).is_err());
    }

    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[test]
    fn an_ordinary_glibc_binary_is_seen_to_need_the_loader() {
        // This test binary is linked dynamically, like any cargo build without crt-static.
        let exe = std::env::current_exe().unwrap();
        let elf = std::fs::read(exe).unwrap();
        assert_eq!(needs_dynamic_loader(&elf), Ok(true));
    }
}
