//! The statically linked xtask binary that goes into the systemd host, as it would onto a CI
//! host with no checkout: built with `+crt-static`, and checked to need no dynamic loader.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use xshell::{Shell, cmd};

use crate::exit::{Code, Failure};

pub const TARGET: &str = "x86_64-unknown-linux-gnu";

/// Builds the release xtask for `TARGET` and returns its path.
///
/// Naming `--target` puts the result in `target/<triple>/release` and keeps `RUSTFLAGS` off build
/// scripts and proc macros, so the worktree's usual `target/debug` is neither rebuilt nor
/// invalidated: one target dir serves both.
pub fn build(root: &Path) -> Result<PathBuf> {
    let sh = Shell::new()?;
    sh.change_dir(root);
    let target_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let _flags = sh.push_env("RUSTFLAGS", "-C target-feature=+crt-static");
    cmd!(
        sh,
        "cargo build --release --package xtask --target {TARGET}"
    )
    .env("CARGO_TARGET_DIR", &target_dir)
    .run()
    .map_err(|err| {
        Failure::new(
            Code::BuildFailed,
            format!("building the static xtask failed: {err}"),
        )
    })?;
    let binary = target_dir.join(TARGET).join("release").join("xtask");
    let elf = std::fs::read(&binary).with_context(|| format!("reading {}", binary.display()))?;
    match needs_loader(&elf) {
        Some(false) => Ok(binary),
        Some(true) => Err(Failure::new(
            Code::BuildFailed,
            format!(
                "{} is dynamically linked; +crt-static did not take",
                binary.display()
            ),
        )
        .hint("check RUSTFLAGS and .cargo/config.toml for flags that override target-feature")
        .into()),
        None => Err(Failure::new(
            Code::BuildFailed,
            format!(
                "{} is not a 64-bit little-endian ELF file",
                binary.display()
            ),
        )
        .into()),
    }
}

/// Whether a 64-bit little-endian ELF file asks for a program interpreter (`PT_INTERP`), i.e.
/// needs `ld-linux` and a libc at run time. `None` when the bytes are not such a file.
pub fn needs_loader(elf: &[u8]) -> Option<bool> {
    const PT_INTERP: u32 = 3;
    if elf.get(..6)? != b"\x7fELF\x02\x01" {
        return None;
    }
    let u16_at = |at: usize| Some(u16::from_le_bytes(elf.get(at..at + 2)?.try_into().ok()?));
    let u32_at = |at: usize| Some(u32::from_le_bytes(elf.get(at..at + 4)?.try_into().ok()?));
    let u64_at = |at: usize| Some(u64::from_le_bytes(elf.get(at..at + 8)?.try_into().ok()?));
    let table = usize::try_from(u64_at(0x20)?).ok()?;
    let entry_size = usize::from(u16_at(0x36)?);
    let entries = usize::from(u16_at(0x38)?);
    for index in 0..entries {
        if u32_at(table.checked_add(index.checked_mul(entry_size)?)?)? == PT_INTERP {
            return Some(true);
        }
    }
    Some(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An ELF64 header followed by program headers of the given types.
    fn elf_with(types: &[u32]) -> Vec<u8> {
        let mut elf = vec![0u8; 64];
        elf[..6].copy_from_slice(b"\x7fELF\x02\x01");
        elf[0x20..0x28].copy_from_slice(&64u64.to_le_bytes());
        elf[0x36..0x38].copy_from_slice(&56u16.to_le_bytes());
        elf[0x38..0x3a].copy_from_slice(&(types.len() as u16).to_le_bytes());
        for kind in types {
            let mut header = vec![0u8; 56];
            header[..4].copy_from_slice(&kind.to_le_bytes());
            elf.extend(header);
        }
        elf
    }

    #[test]
    fn a_binary_with_an_interpreter_needs_the_loader() {
        assert_eq!(needs_loader(&elf_with(&[6, 3, 1])), Some(true));
    }

    #[test]
    fn a_static_binary_needs_no_loader() {
        assert_eq!(needs_loader(&elf_with(&[1, 1, 4])), Some(false));
    }

    #[test]
    fn something_that_is_not_elf_is_reported_as_such() {
        assert_eq!(needs_loader(b"#!/bin/sh\n"), None);
        let mut truncated = elf_with(&[1, 3]);
        truncated.truncate(80);
        assert_eq!(needs_loader(&truncated), None);
    }

    #[test]
    fn the_running_test_binary_is_recognised_as_elf() {
        let me = std::fs::read(std::env::current_exe().unwrap()).unwrap();
        assert!(needs_loader(&me).is_some());
    }
}
