//! The hand-over directory between a pool keeper (started ahead of the tests, in `cargo xtask
//! functional`) and the test processes: ready containers are offered as files, and a test
//! claims one by renaming its file, which the kernel does atomically, so each container goes to
//! one test only. Tests hand their containers back for removal the same way, so removal is
//! never on a test's critical path.
//!
//! ```text
//! <dir>/ready/<id>.json    a started, ready container nobody has claimed
//! <dir>/claimed/<id>.json  claimed by a test
//! <dir>/reap/<id>          a test is done with it: remove it (the file holds its volume, if any)
//! ```

use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::identity::Credentials;

/// A ready container, as offered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Offer {
    pub id: String,
    pub name: String,
    pub port: u16,
    pub project: String,
    pub user: String,
    pub token: String,
}

impl Offer {
    pub fn credentials(&self) -> Credentials {
        Credentials {
            project: self.project.clone(),
            user: self.user.clone(),
            token: self.token.clone(),
        }
    }
}

/// A container to remove.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removal {
    pub id: String,
    pub volume: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Spool {
    dir: PathBuf,
}

impl Spool {
    /// Opens (creating when needed) the spool at `dir`.
    pub fn open(dir: impl Into<PathBuf>) -> Result<Self> {
        let spool = Self { dir: dir.into() };
        for sub in ["ready", "claimed", "reap"] {
            let path = spool.dir.join(sub);
            std::fs::create_dir_all(&path)
                .with_context(|| format!("creating {}", path.display()))?;
        }
        Ok(spool)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Publishes a ready container: written aside, then renamed in, so a claimer never reads a
    /// half-written offer.
    pub fn offer(&self, offer: &Offer) -> Result<()> {
        let text = serde_json::to_vec(offer)?;
        let staging = self.dir.join(format!("ready/.{}.tmp", offer.id));
        std::fs::write(&staging, text).with_context(|| format!("writing {}", staging.display()))?;
        let published = self.dir.join(format!("ready/{}.json", offer.id));
        std::fs::rename(&staging, &published)
            .with_context(|| format!("publishing {}", published.display()))
    }

    /// Takes one ready container, or None when none is ready. `hint` spreads concurrent
    /// claimers over the offers so they rarely race for the same file.
    pub fn claim(&self, hint: usize) -> Result<Option<Offer>> {
        let mut offers = self.ready_files()?;
        if offers.is_empty() {
            return Ok(None);
        }
        offers.sort();
        let start = hint % offers.len();
        offers.rotate_left(start);
        for file in offers {
            let Some(name) = file.file_name() else {
                continue;
            };
            let claimed = self.dir.join("claimed").join(name);
            match std::fs::rename(&file, &claimed) {
                Ok(()) => {
                    let text = std::fs::read(&claimed)
                        .with_context(|| format!("reading {}", claimed.display()))?;
                    return Ok(Some(serde_json::from_slice(&text)?));
                }
                // Another test took it first.
                Err(err) if err.kind() == ErrorKind::NotFound => continue,
                Err(err) => return Err(err).context("claiming a pooled container"),
            }
        }
        Ok(None)
    }

    /// How many containers wait to be claimed.
    pub fn ready(&self) -> Result<usize> {
        Ok(self.ready_files()?.len())
    }

    /// Asks the keeper to remove a container.
    pub fn hand_back(&self, removal: &Removal) -> Result<()> {
        let file = self.dir.join("reap").join(&removal.id);
        std::fs::write(&file, removal.volume.as_deref().unwrap_or(""))
            .with_context(|| format!("writing {}", file.display()))
    }

    /// The containers handed back since the last call.
    pub fn take_removals(&self) -> Result<Vec<Removal>> {
        let dir = self.dir.join("reap");
        let mut removals = Vec::new();
        for entry in
            std::fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))?
        {
            let path = entry?.path();
            let Some(id) = path.file_name().and_then(|n| n.to_str()).map(str::to_owned) else {
                continue;
            };
            let volume = std::fs::read_to_string(&path).unwrap_or_default();
            if std::fs::remove_file(&path).is_ok() {
                removals.push(Removal {
                    id,
                    volume: Some(volume).filter(|v| !v.is_empty()),
                });
            }
        }
        Ok(removals)
    }

    fn ready_files(&self) -> Result<Vec<PathBuf>> {
        let dir = self.dir.join("ready");
        let mut files = Vec::new();
        for entry in
            std::fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))?
        {
            let path = entry?.path();
            if path.extension().is_some_and(|e| e == "json") {
                files.push(path);
            }
        }
        Ok(files)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spool() -> Spool {
        let dir = std::env::temp_dir().join(format!("spool-{}", crate::identity::random_hex(6)));
        Spool::open(dir).unwrap()
    }

    fn offer(id: &str) -> Offer {
        Offer {
            id: id.into(),
            name: format!("craton-pool-{id}"),
            port: 4000,
            project: "p".into(),
            user: "root".into(),
            token: "t".into(),
        }
    }

    #[test]
    fn an_offered_container_is_claimed_once() {
        let s = spool();
        s.offer(&offer("a")).unwrap();
        assert_eq!(s.ready().unwrap(), 1);
        assert_eq!(s.claim(0).unwrap(), Some(offer("a")));
        assert_eq!(s.claim(0).unwrap(), None);
        assert_eq!(s.ready().unwrap(), 0);
        std::fs::remove_dir_all(s.dir()).unwrap();
    }

    #[test]
    fn concurrent_claimers_never_share_a_container() {
        let s = spool();
        for i in 0..40 {
            s.offer(&offer(&format!("c{i:02}"))).unwrap();
        }
        let claimers: Vec<_> = (0..8)
            .map(|t| {
                let s = s.clone();
                std::thread::spawn(move || {
                    let mut got = Vec::new();
                    while let Some(o) = s.claim(t).unwrap() {
                        got.push(o.id);
                    }
                    got
                })
            })
            .collect();
        let mut all: Vec<String> = claimers
            .into_iter()
            .flat_map(|c| c.join().unwrap())
            .collect();
        all.sort();
        let before = all.len();
        all.dedup();
        assert_eq!((before, all.len()), (40, 40));
        std::fs::remove_dir_all(s.dir()).unwrap();
    }

    #[test]
    fn handed_back_containers_are_taken_once_with_their_volume() {
        let s = spool();
        s.hand_back(&Removal {
            id: "x".into(),
            volume: Some("vol".into()),
        })
        .unwrap();
        s.hand_back(&Removal {
            id: "y".into(),
            volume: None,
        })
        .unwrap();
        let mut taken = s.take_removals().unwrap();
        taken.sort_by(|a, b| a.id.cmp(&b.id));
        assert_eq!(taken[0].volume.as_deref(), Some("vol"));
        assert_eq!(taken[1].volume, None);
        assert!(s.take_removals().unwrap().is_empty());
        std::fs::remove_dir_all(s.dir()).unwrap();
    }
}
