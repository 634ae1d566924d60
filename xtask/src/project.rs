//! Where the checkout is. Only subcommands that work on the source tree ask; setup-docker
//! must run from the bare binary on hosts that have no checkout.

use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::exit::{Code, Failure};

/// The workspace root: the parent of xtask's manifest directory.
pub fn root() -> Result<PathBuf> {
    // `cargo run` sets this at run time; the compile-time value covers a binary run directly.
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    let root = manifest_dir
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or(manifest_dir);
    if root.join("Cargo.toml").is_file() && root.join("xtask").is_dir() {
        Ok(root)
    } else {
        Err(Failure::new(
            Code::BadInput,
            format!(
                "this subcommand needs the craton checkout, and {} is not one",
                root.display()
            ),
        )
        .hint("run it as `cargo xtask ...` inside a clone of the craton repository")
        .into())
    }
}
