//! The systemd-host image, built once per machine: debootstrap a Debian root file system, stream
//! it as a tar archive into the engine's image import, and reuse the image while its name (the
//! recipe's hash) stays the same.

use std::collections::HashMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use bollard::Docker;
use bollard::errors::Error as EngineError;
use bollard::query_parameters::{
    CreateImageOptionsBuilder, ListImagesOptionsBuilder, RemoveImageOptions,
};
use bytes::Bytes;
use futures_util::StreamExt;
use tokio::sync::mpsc;
use xshell::{Shell, cmd};

use super::Skipped;
use super::recipe::{IMAGE_REPO, MANAGED_LABEL, Recipe};
use crate::exit::{Code, Failure};

/// How long building the image took.
#[derive(Debug)]
pub struct Built {
    pub debootstrap: Duration,
    pub import: Duration,
}

/// What it takes to have the image: nothing, or a build with this debootstrap.
#[derive(Debug)]
pub enum Plan {
    Cached,
    Build {
        debootstrap: PathBuf,
        /// The id of the image a `--rebuild` replaces; removed once the new one is in.
        replaces: Option<String>,
    },
}

/// Finds `recipe`'s image (unless `rebuild`), or the debootstrap to build it with (installing
/// it when we can); quick, so that a skip comes before anything slow starts.
pub async fn plan(docker: &Docker, recipe: &Recipe, rebuild: bool) -> Result<Plan> {
    let name = recipe.image_name();
    match docker.inspect_image(&name).await {
        Ok(image) => {
            let labels = image.config.and_then(|c| c.labels).unwrap_or_default();
            if labels.get(MANAGED_LABEL.0).map(String::as_str) != Some(MANAGED_LABEL.1) {
                bail!(
                    Failure::new(
                        Code::BuildFailed,
                        format!(
                            "image {name} exists but is not ours (no {}={} label)",
                            MANAGED_LABEL.0, MANAGED_LABEL.1
                        )
                    )
                    .hint(format!(
                        "remove it through the Engine API (DELETE /images/{name}) and run again"
                    ))
                );
            }
            if !rebuild {
                return Ok(Plan::Cached);
            }
            Ok(Plan::Build {
                debootstrap: find_or_install_debootstrap(&Shell::new()?)?,
                replaces: image.id,
            })
        }
        Err(EngineError::DockerResponseServerError {
            status_code: 404, ..
        }) => Ok(Plan::Build {
            debootstrap: find_or_install_debootstrap(&Shell::new()?)?,
            replaces: None,
        }),
        Err(err) => Err(err).with_context(|| format!("inspecting image {name}")),
    }
}

/// Builds `recipe`'s image in a fresh directory under `work_dir`, removed afterwards; then
/// removes the image it `replaces` (now untagged), so a rebuild leaves no dangling image.
pub async fn build(
    docker: &Docker,
    debootstrap: &Path,
    replaces: Option<&str>,
    work_dir: &Path,
    recipe: &Recipe,
    mirror: &str,
) -> Result<Built> {
    let sh = Shell::new()?;
    std::fs::create_dir_all(work_dir)
        .with_context(|| format!("creating {}", work_dir.display()))?;
    remove_stale_roots(work_dir)?;
    let dir = work_dir.join(format!(
        "rootfs-{}-{}",
        recipe.image_tag(),
        std::process::id()
    ));
    let built = build_and_import(docker, &sh, debootstrap, &dir, recipe, mirror).await;
    // The image holds everything now (or the build failed): 590 MB is not worth keeping.
    let removed = remove_root(&dir);
    let built = built?;
    removed?;
    if let Some(old) = replaces {
        let name = recipe.image_name();
        let new = docker
            .inspect_image(&name)
            .await
            .with_context(|| format!("inspecting image {name}"))?
            .id;
        if new.as_deref() != Some(old) {
            docker
                .remove_image(old, None::<RemoveImageOptions>, None)
                .await
                .map_err(|err| {
                    Failure::new(
                        Code::CleanupFailed,
                        format!("cannot remove the image {name} replaced ({old}): {err}"),
                    )
                })?;
            eprintln!("    removed the image it replaces ({old})");
        }
    }
    Ok(built)
}

/// `clean-dangling` removes untagged images; prove ours is not among them, so the ~70 s build
/// really happens once per machine.
pub async fn check_not_dangling(docker: &Docker, recipe: &Recipe) -> Result<()> {
    let name = recipe.image_name();
    let image = docker
        .inspect_image(&name)
        .await
        .with_context(|| format!("inspecting image {name}"))?;
    let filters = HashMap::from([
        ("dangling".to_string(), vec!["true".to_string()]),
        (
            "label".to_string(),
            vec![format!("{}={}", MANAGED_LABEL.0, MANAGED_LABEL.1)],
        ),
    ]);
    let options = ListImagesOptionsBuilder::default()
        .filters(&filters)
        .build();
    let dangling = docker
        .list_images(Some(options))
        .await
        .context("listing dangling images")?;
    if image.id.is_some() && dangling.iter().any(|d| Some(&d.id) == image.id.as_ref()) {
        bail!("image {name} is dangling: clean-dangling would remove it");
    }
    Ok(())
}

async fn build_and_import(
    docker: &Docker,
    sh: &Shell,
    debootstrap: &Path,
    dir: &Path,
    recipe: &Recipe,
    mirror: &str,
) -> Result<Built> {
    let started = Instant::now();
    run_debootstrap(sh, debootstrap, dir, recipe, mirror)?;
    let debootstrap = started.elapsed();
    eprintln!("    debootstrap done in {:.0?}", debootstrap);

    let started = Instant::now();
    import(docker, dir, recipe).await?;
    let import = started.elapsed();
    eprintln!("    imported {} in {:.0?}", recipe.image_name(), import);
    Ok(Built {
        debootstrap,
        import,
    })
}

/// `debootstrap` from PATH, or installed with apt-get when we can; a skip when neither works.
fn find_or_install_debootstrap(sh: &Shell) -> Result<PathBuf> {
    if let Ok(path) = which::which("debootstrap") {
        return Ok(path);
    }
    if which::which("apt-get").is_err() {
        return Err(Skipped(
            "debootstrap is not installed and there is no apt-get to install it".into(),
        )
        .into());
    }
    eprintln!("    debootstrap is missing: installing it with apt-get");
    let install = || {
        cmd!(sh, "apt-get install -y debootstrap")
            .env("DEBIAN_FRONTEND", "noninteractive")
            .run()
    };
    let installed =
        install().is_ok() || (cmd!(sh, "apt-get update").run().is_ok() && install().is_ok());
    match which::which("debootstrap") {
        Ok(path) if installed => Ok(path),
        _ => Err(
            Skipped("debootstrap could not be installed with apt-get (output above)".into()).into(),
        ),
    }
}

fn run_debootstrap(
    sh: &Shell,
    debootstrap: &Path,
    dir: &Path,
    recipe: &Recipe,
    mirror: &str,
) -> Result<()> {
    let args = recipe.debootstrap_args(dir, mirror);
    eprintln!("    debootstrap {} (about 70 s, 590 MB)", args.join(" "));
    let output = cmd!(sh, "{debootstrap} {args...}")
        .quiet()
        .ignore_status()
        .output()
        .context("running debootstrap")?;
    if output.status.success() {
        return Ok(());
    }
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    print_tail("debootstrap's output", &text);
    let log = dir.join("debootstrap/debootstrap.log");
    if let Ok(log_text) = std::fs::read_to_string(&log) {
        print_tail(&log.display().to_string(), &log_text);
    }
    if mirror_unreachable(&text) {
        return Err(Skipped(format!(
            "debootstrap cannot reach the Debian mirror {mirror}"
        ))
        .into());
    }
    Err(Failure::new(
        Code::BuildFailed,
        format!("debootstrap failed ({})", output.status),
    )
    .into())
}

fn print_tail(what: &str, text: &str) {
    eprintln!("    last lines of {what}:");
    let lines: Vec<&str> = text.lines().collect();
    for line in &lines[lines.len().saturating_sub(15)..] {
        eprintln!("    | {line}");
    }
}

/// Whether debootstrap's output says it could not download (as opposed to failing otherwise).
pub fn mirror_unreachable(output: &str) -> bool {
    const SIGNS: &[&str] = &[
        "Failed getting release file",
        "Failed getting release signature file",
        "Couldn't download",
        "Temporary failure in name resolution",
        "Temporary failure resolving",
        "unable to resolve host address",
        "Network is unreachable",
        "Connection timed out",
        "Connection refused",
    ];
    SIGNS.iter().any(|sign| output.contains(sign))
}

/// Streams `dir` as a tar archive into `POST /images/create?fromSrc=-` (what `docker import`
/// does), tagged with the recipe's hash and labelled. bollard's `import_image` is
/// `POST /images/load`, which wants a `docker save` archive, not a root file system.
async fn import(docker: &Docker, dir: &Path, recipe: &Recipe) -> Result<()> {
    let mounts = mount_points_under(&read_mountinfo()?, dir);
    if !mounts.is_empty() {
        bail!(
            "{} still has file systems mounted under it: {mounts:?}",
            dir.display()
        );
    }
    let (tx, mut rx) = mpsc::channel::<io::Result<Bytes>>(8);
    let root = dir.to_path_buf();
    let producer = tokio::task::spawn_blocking(move || -> io::Result<u64> {
        let mut builder = tar::Builder::new(ChunkWriter::new(tx));
        // Symlinks must stay symlinks: following them would archive the host's files.
        builder.follow_symlinks(false);
        builder.append_dir_all("", &root)?;
        let mut writer = builder.into_inner()?;
        writer.flush()?;
        Ok(writer.sent)
    });
    let body = futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx));
    let tag = recipe.image_tag();
    let options = CreateImageOptionsBuilder::default()
        .from_src("-")
        .repo(IMAGE_REPO)
        .tag(&tag)
        .message(&format!(
            "craton systemd-e2e host, recipe {}",
            recipe.hash()
        ))
        .changes(recipe.import_changes())
        .build();
    let mut progress =
        docker.create_image(Some(options), Some(bollard::body_try_stream(body)), None);
    let mut engine_result = Ok(());
    while let Some(item) = progress.next().await {
        if let Err(err) = item {
            engine_result = Err(err);
            break;
        }
    }
    drop(progress);
    let sent = producer.await.context("the tar stream's thread panicked")?;
    engine_result
        .with_context(|| format!("importing {} as {}", dir.display(), recipe.image_name()))?;
    let sent = sent.with_context(|| format!("archiving {}", dir.display()))?;
    eprintln!("    streamed {} MB of tar", sent / 1_000_000);
    Ok(())
}

/// A `Write` that hands 1 MiB chunks to the async side; fails once the engine stops reading.
struct ChunkWriter {
    tx: mpsc::Sender<io::Result<Bytes>>,
    buf: Vec<u8>,
    sent: u64,
}

impl ChunkWriter {
    const CHUNK: usize = 1 << 20;

    fn new(tx: mpsc::Sender<io::Result<Bytes>>) -> Self {
        Self {
            tx,
            buf: Vec::with_capacity(Self::CHUNK),
            sent: 0,
        }
    }

    fn send(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = std::mem::replace(&mut self.buf, Vec::with_capacity(Self::CHUNK));
        self.sent += chunk.len() as u64;
        self.tx.blocking_send(Ok(Bytes::from(chunk))).map_err(|_| {
            io::Error::new(
                io::ErrorKind::BrokenPipe,
                "the engine stopped reading the import",
            )
        })
    }
}

impl Write for ChunkWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= Self::CHUNK {
            self.send()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.send()
    }
}

fn read_mountinfo() -> Result<String> {
    std::fs::read_to_string("/proc/self/mountinfo").context("reading /proc/self/mountinfo")
}

/// Mount points at or below `dir` in a `/proc/self/mountinfo` text, deepest first.
pub fn mount_points_under(mountinfo: &str, dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = mountinfo
        .lines()
        .filter_map(|line| line.split(' ').nth(4))
        .map(|field| PathBuf::from(unescape_mountinfo(field)))
        .filter(|point| point.starts_with(dir))
        .collect();
    found.sort_by_key(|p| std::cmp::Reverse(p.components().count()));
    found
}

/// mountinfo writes space, tab, newline and backslash as `\ooo` octal escapes.
fn unescape_mountinfo(field: &str) -> String {
    let mut out = String::with_capacity(field.len());
    let mut rest = field;
    while let Some(pos) = rest.find('\\') {
        out.push_str(&rest[..pos]);
        let code = rest
            .get(pos + 1..pos + 4)
            .and_then(|o| u8::from_str_radix(o, 8).ok());
        match code {
            Some(byte) => {
                out.push(char::from(byte));
                rest = &rest[pos + 4..];
            }
            None => {
                out.push('\\');
                rest = &rest[pos + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Removes a root file system we made, after unmounting anything a killed debootstrap left
/// mounted in it: deleting through a bind mount of /dev would delete the host's device nodes.
fn remove_root(dir: &Path) -> Result<()> {
    if !dir.exists() {
        return Ok(());
    }
    let sh = Shell::new()?;
    for point in mount_points_under(&read_mountinfo()?, dir) {
        cmd!(sh, "umount --lazy {point}")
            .run()
            .with_context(|| format!("unmounting {}", point.display()))?;
    }
    let left = mount_points_under(&read_mountinfo()?, dir);
    if !left.is_empty() {
        bail!(
            Failure::new(
                Code::CleanupFailed,
                format!("not removing {}: still mounted: {left:?}", dir.display())
            )
            .hint("unmount them by hand, then remove the directory")
        );
    }
    std::fs::remove_dir_all(dir).map_err(|err| {
        Failure::new(
            Code::CleanupFailed,
            format!("cannot remove {}: {err}", dir.display()),
        )
        .into()
    })
}

/// Root file systems of earlier runs that were killed mid-build (their pid is gone).
fn remove_stale_roots(work_dir: &Path) -> Result<()> {
    let entries =
        std::fs::read_dir(work_dir).with_context(|| format!("listing {}", work_dir.display()))?;
    for entry in entries {
        let path = entry?.path();
        let owner = path
            .file_name()
            .and_then(|n| n.to_str())
            .filter(|n| n.starts_with("rootfs-"))
            .and_then(|n| n.rsplit('-').next())
            .and_then(|pid| pid.parse::<u32>().ok());
        if let Some(pid) = owner
            && !Path::new(&format!("/proc/{pid}")).exists()
        {
            eprintln!("    removing {} left by a run that is gone", path.display());
            remove_root(&path)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const MOUNTINFO: &str = "\
22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw
41 22 0:5 / /work/target/systemd-e2e/rootfs-1/proc rw - proc proc rw
42 22 0:6 / /work/target/systemd-e2e/rootfs-1/dev/pts rw - devpts devpts rw
43 22 0:7 / /work/target/systemd-e2e/rootfs-10/proc rw - proc proc rw
44 22 0:8 / /mnt/with\\040space rw - tmpfs tmpfs rw
";

    #[test]
    fn mounts_left_inside_a_root_are_found_deepest_first() {
        let found = mount_points_under(MOUNTINFO, Path::new("/work/target/systemd-e2e/rootfs-1"));
        assert_eq!(
            found,
            [
                PathBuf::from("/work/target/systemd-e2e/rootfs-1/dev/pts"),
                PathBuf::from("/work/target/systemd-e2e/rootfs-1/proc"),
            ]
        );
    }

    #[test]
    fn a_sibling_directory_with_a_longer_name_is_not_inside() {
        let found = mount_points_under(MOUNTINFO, Path::new("/work/target/systemd-e2e/rootfs-10"));
        assert_eq!(
            found,
            [PathBuf::from("/work/target/systemd-e2e/rootfs-10/proc")]
        );
    }

    #[test]
    fn escaped_spaces_in_mount_points_are_decoded() {
        let found = mount_points_under(MOUNTINFO, Path::new("/mnt"));
        assert_eq!(found, [PathBuf::from("/mnt/with space")]);
    }

    #[test]
    fn an_unreachable_mirror_is_told_apart_from_other_failures() {
        let no_mirror = "I: Retrieving InRelease \nI: Retrieving Release \n\
            E: Failed getting release file http://deb.debian.org/debian/dists/bookworm/Release\n";
        assert!(mirror_unreachable(no_mirror));
        assert!(mirror_unreachable(
            "wget: unable to resolve host address 'deb.debian.org'"
        ));
        let broken = "W: Failure trying to run: chroot \"/r\" dpkg --force-depends --install\n\
            W: See /r/debootstrap/debootstrap.log for details";
        assert!(!mirror_unreachable(broken));
    }

    #[test]
    fn chunks_reach_the_async_side_in_order_and_flush_sends_the_rest() {
        let (tx, mut rx) = mpsc::channel(16);
        let mut writer = ChunkWriter::new(tx);
        writer
            .write_all(&vec![1u8; ChunkWriter::CHUNK + 10])
            .unwrap();
        writer.write_all(b"tail").unwrap();
        writer.flush().unwrap();
        let mut received = Vec::new();
        while let Ok(chunk) = rx.try_recv() {
            received.extend_from_slice(&chunk.unwrap());
        }
        assert_eq!(received.len(), ChunkWriter::CHUNK + 14);
        assert_eq!(&received[received.len() - 4..], b"tail");
        assert_eq!(writer.sent, received.len() as u64);
    }

    #[test]
    fn writing_after_the_engine_stopped_reading_is_an_error_not_a_hang() {
        let (tx, rx) = mpsc::channel(1);
        drop(rx);
        let mut writer = ChunkWriter::new(tx);
        writer.write_all(b"x").unwrap();
        assert_eq!(
            writer.flush().unwrap_err().kind(),
            io::ErrorKind::BrokenPipe
        );
    }
}
