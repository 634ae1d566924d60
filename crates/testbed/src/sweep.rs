//! Removing what test runs left on the engine: all of one run's containers and volumes at its
//! end, and at the start of a run, the leftovers of earlier runs whose owner was killed.

use std::collections::HashMap;

use anyhow::{Context, Result};
use bollard::Docker;
use bollard::query_parameters::{ListContainersOptions, ListVolumesOptions};
use futures_util::{StreamExt, stream};

use crate::container;
use crate::labels;
use crate::owner::{self, Liveness, Owner};

/// How many removals run at once: enough to overlap the engine's latency, few enough not to
/// swamp a small engine.
const CONCURRENT_REMOVALS: usize = 8;

/// What a sweep removed, and what it could not.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Removed {
    pub containers: usize,
    pub volumes: usize,
    pub failures: Vec<String>,
}

/// A test container as a sweep sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leftover {
    pub id: String,
    pub run: String,
    pub owner: String,
    pub age_secs: i64,
}

/// The runs among `leftovers` whose owner is gone (pure: the host's facts come as arguments).
/// An owner label that does not parse cannot be checked, so it is treated like a foreign host's.
pub fn dead_runs(
    leftovers: &[Leftover],
    this_host: &str,
    start_time_of: impl Fn(u32) -> Option<u64>,
) -> Vec<String> {
    let mut dead: Vec<String> = leftovers
        .iter()
        .filter(|l| {
            let liveness = match l.owner.parse::<Owner>() {
                Ok(o) => o.liveness(this_host, &start_time_of, l.age_secs),
                Err(_) if l.age_secs > owner::FOREIGN_RUN_MAX_AGE_SECS => Liveness::Dead,
                Err(_) => Liveness::Alive,
            };
            liveness == Liveness::Dead
        })
        .map(|l| l.run.clone())
        .collect();
    dead.sort();
    dead.dedup();
    dead
}

/// Every container and volume of `run`.
pub async fn remove_run(docker: &Docker, run: &str) -> Result<Removed> {
    remove_matching(docker, labels::run_filter(run)).await
}

/// The leftovers of runs whose owner is gone (see [`crate::Owner`]); runs still going on this
/// engine are left alone. Answers the runs swept and what was removed.
pub async fn sweep_abandoned(docker: &Docker) -> Result<(Vec<String>, Removed)> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default();
    let leftovers: Vec<Leftover> = list_containers(docker, labels::all_runs_filter())
        .await?
        .into_iter()
        .filter_map(|c| {
            let labels = c.labels?;
            Some(Leftover {
                id: c.id?,
                run: labels.get(labels::RUN)?.clone(),
                owner: labels.get(labels::OWNER)?.clone(),
                age_secs: now - c.created.unwrap_or(now),
            })
        })
        .collect();
    let mut runs = dead_runs(&leftovers, &owner::this_host(), owner::start_time_of);
    // Volumes outlive their containers when a run is killed between the two removals.
    for volume in list_volumes(docker, labels::all_runs_filter()).await? {
        let (Some(run), Some(owner)) = (
            volume.labels.get(labels::RUN),
            volume.labels.get(labels::OWNER),
        ) else {
            continue;
        };
        let leftover = Leftover {
            id: volume.name.clone(),
            run: run.clone(),
            owner: owner.clone(),
            age_secs: 0,
        };
        runs.extend(dead_runs(
            &[leftover],
            &owner::this_host(),
            owner::start_time_of,
        ));
    }
    runs.sort();
    runs.dedup();
    let mut total = Removed::default();
    for run in &runs {
        let removed = remove_run(docker, run).await?;
        total.containers += removed.containers;
        total.volumes += removed.volumes;
        total.failures.extend(removed.failures);
    }
    Ok((runs, total))
}

async fn remove_matching(docker: &Docker, filter: HashMap<String, Vec<String>>) -> Result<Removed> {
    let mut removed = Removed::default();
    let ids: Vec<String> = list_containers(docker, filter.clone())
        .await?
        .into_iter()
        .filter_map(|c| c.id)
        .collect();
    let results: Vec<_> = stream::iter(ids)
        .map(|id| async move { (container::remove(docker, &id, None).await, id) })
        .buffer_unordered(CONCURRENT_REMOVALS)
        .collect()
        .await;
    for (result, id) in results {
        match result {
            Ok(()) => removed.containers += 1,
            Err(err) => removed.failures.push(format!("container {id}: {err:#}")),
        }
    }
    for volume in list_volumes(docker, filter).await? {
        match docker
            .remove_volume(
                &volume.name,
                None::<bollard::query_parameters::RemoveVolumeOptions>,
            )
            .await
        {
            Ok(()) => removed.volumes += 1,
            Err(err) if container::is_gone(&err) => {}
            Err(err) => removed
                .failures
                .push(format!("volume {}: {err}", volume.name)),
        }
    }
    Ok(removed)
}

async fn list_containers(
    docker: &Docker,
    filters: HashMap<String, Vec<String>>,
) -> Result<Vec<bollard::models::ContainerSummary>> {
    let options = ListContainersOptions {
        all: true,
        filters: Some(filters),
        ..Default::default()
    };
    docker
        .list_containers(Some(options))
        .await
        .context("listing test containers")
}

async fn list_volumes(
    docker: &Docker,
    filters: HashMap<String, Vec<String>>,
) -> Result<Vec<bollard::models::Volume>> {
    let options = ListVolumesOptions {
        filters: Some(filters),
    };
    let listed = docker
        .list_volumes(Some(options))
        .await
        .context("listing test volumes")?;
    Ok(listed.volumes.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leftover(run: &str, owner: &str, age_secs: i64) -> Leftover {
        Leftover {
            id: format!("id-{run}"),
            run: run.into(),
            owner: owner.into(),
            age_secs,
        }
    }

    #[test]
    fn only_runs_whose_owner_is_gone_are_swept() {
        let leftovers = [
            leftover("live", "here:10:100", 5),
            leftover("killed", "here:11:100", 5),
            leftover("killed", "here:11:100", 6),
            leftover("recycled", "here:12:100", 5),
        ];
        let running = |pid| match pid {
            10 => Some(100),
            12 => Some(555),
            _ => None,
        };
        assert_eq!(
            dead_runs(&leftovers, "here", running),
            ["killed", "recycled"]
        );
    }

    #[test]
    fn another_hosts_runs_are_swept_only_when_old() {
        let day = owner::FOREIGN_RUN_MAX_AGE_SECS;
        let leftovers = [
            leftover("recent", "elsewhere:1:1", 60),
            leftover("ancient", "elsewhere:1:1", day + 1),
        ];
        assert_eq!(dead_runs(&leftovers, "here", |_| None), ["ancient"]);
    }

    #[test]
    fn unreadable_owners_are_left_alone_unless_old() {
        let leftovers = [
            leftover("odd", "garbage", 60),
            leftover("old-odd", "garbage", owner::FOREIGN_RUN_MAX_AGE_SECS + 1),
        ];
        assert_eq!(dead_runs(&leftovers, "here", |_| None), ["old-odd"]);
    }
}
