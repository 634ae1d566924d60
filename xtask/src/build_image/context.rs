//! The second phase: the build context, a tar archive made in memory holding only what the
//! Dockerfile copies. Headers are fixed (owner, mode, mtime), so the same inputs give the same
//! bytes, the engine's cache sees the same files, and `--no-cache` rebuilds give the same layers.

use std::io;

/// Names inside the context; the Dockerfile refers to them.
pub const DOCKERFILE: &str = "Dockerfile";
pub const BINARY: &str = "craton";
pub const DATA_DIR: &str = "data/";

/// Every entry's modification time. A real time would differ between identical builds.
const FIXED_MTIME: u64 = 0;

/// A tar archive with the Dockerfile, the binary and an empty data directory.
pub fn archive(dockerfile: &[u8], binary: &[u8]) -> io::Result<Vec<u8>> {
    let mut tar = tar::Builder::new(Vec::with_capacity(binary.len() + dockerfile.len() + 4096));
    append(
        &mut tar,
        DOCKERFILE,
        tar::EntryType::Regular,
        0o644,
        dockerfile,
    )?;
    append(&mut tar, DATA_DIR, tar::EntryType::Directory, 0o755, &[])?;
    append(&mut tar, BINARY, tar::EntryType::Regular, 0o755, binary)?;
    tar.into_inner()
}

fn append(
    tar: &mut tar::Builder<Vec<u8>>,
    path: &str,
    kind: tar::EntryType,
    mode: u32,
    data: &[u8],
) -> io::Result<()> {
    let mut header = tar::Header::new_ustar();
    header.set_path(path)?;
    header.set_entry_type(kind);
    header.set_mode(mode);
    header.set_uid(0);
    header.set_gid(0);
    header.set_mtime(FIXED_MTIME);
    header.set_size(data.len() as u64);
    header.set_cksum();
    tar.append(&header, data)
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    /// (path, kind, mode, uid, gid, mtime, contents) of every entry.
    type Entry = (String, tar::EntryType, u32, u64, u64, u64, Vec<u8>);

    fn entries(archive: &[u8]) -> Vec<Entry> {
        let mut tar = tar::Archive::new(archive);
        tar.entries()
            .unwrap()
            .map(|entry| {
                let mut entry = entry.unwrap();
                let header = entry.header().clone();
                let mut contents = Vec::new();
                entry.read_to_end(&mut contents).unwrap();
                (
                    entry.path().unwrap().to_string_lossy().into_owned(),
                    header.entry_type(),
                    header.mode().unwrap(),
                    header.uid().unwrap(),
                    header.gid().unwrap(),
                    header.mtime().unwrap(),
                    contents,
                )
            })
            .collect()
    }

    #[test]
    fn the_context_holds_only_the_dockerfile_the_binary_and_the_data_directory() {
        let tar = archive(b"FROM scratch\n", b"\x7fELF...").unwrap();
        let entries = entries(&tar);
        let names: Vec<_> = entries.iter().map(|e| e.0.as_str()).collect();
        assert_eq!(names, ["Dockerfile", "data/", "craton"]);
        assert_eq!(entries[0].6, b"FROM scratch\n");
        assert_eq!(entries[1].1, tar::EntryType::Directory);
        assert_eq!(entries[2].6, b"\x7fELF...");
    }

    #[test]
    fn the_binary_is_executable_and_owned_by_root_with_a_fixed_mtime() {
        let tar = archive(b"FROM scratch\n", b"bin").unwrap();
        for (path, _, mode, uid, gid, mtime, _) in entries(&tar) {
            assert_eq!((uid, gid, mtime), (0, 0, FIXED_MTIME), "{path}");
            let expected = if path == "Dockerfile" { 0o644 } else { 0o755 };
            assert_eq!(mode, expected, "{path}");
        }
    }

    #[test]
    fn the_same_inputs_give_the_same_bytes() {
        let first = archive(b"FROM scratch\n", b"binary").unwrap();
        let second = archive(b"FROM scratch\n", b"binary").unwrap();
        assert_eq!(first, second);
        assert_ne!(first, archive(b"FROM scratch\n", b"binary2").unwrap());
    }
}
