//! Deciding, from facts gathered on the engine: which dangling images to ask for, which are in
//! use by a container (left alone), what removing the rest deletes and how many bytes it frees.

use std::collections::{HashMap, HashSet};

use crate::build_image::labels::{LabelFilter, MANAGED_KEY, MANAGED_VALUE};

/// Which dangling images to remove.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    /// Every dangling image on the engine, not only those craton's tooling made.
    pub all: bool,
    /// Only images carrying these labels too (a run's or a test's own label, say).
    pub labels: Vec<LabelFilter>,
}

impl Selection {
    /// The engine's filters for `GET /images/json`.
    pub fn engine_filters(&self) -> HashMap<String, Vec<String>> {
        let mut labels: Vec<String> = self
            .labels
            .iter()
            .map(LabelFilter::to_engine_filter)
            .collect();
        if !self.all {
            labels.insert(0, format!("{MANAGED_KEY}={MANAGED_VALUE}"));
        }
        let mut filters = HashMap::from([("dangling".to_owned(), vec!["true".to_owned()])]);
        if !labels.is_empty() {
            filters.insert("label".to_owned(), labels);
        }
        filters
    }

    /// What the selection covers, for messages: `dangling images labelled dev.craton.managed=true`.
    pub fn describe(&self) -> String {
        let labels: Vec<String> = (!self.all)
            .then(|| format!("{MANAGED_KEY}={MANAGED_VALUE}"))
            .into_iter()
            .chain(self.labels.iter().map(LabelFilter::to_engine_filter))
            .collect();
        if labels.is_empty() {
            "dangling images".to_owned()
        } else {
            format!("dangling images labelled {}", labels.join(" and "))
        }
    }
}

/// An image as the engine lists it with `all=true` (intermediate images of builds included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageFacts {
    pub id: String,
    /// The image it was built on, step by step (classic builder); none for the first step.
    pub parent: Option<String>,
    /// Bytes of all its layers, its parents' included.
    pub size: u64,
    pub tagged: bool,
}

/// A container and the image it was created from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerFacts {
    pub name: String,
    pub image_id: String,
    /// `running`, `exited`, `created`...
    pub state: String,
}

/// A dangling image that stays because containers use it; removing it would need force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InUse {
    pub id: String,
    /// `name (state)` of each container using it, or the engine's words when it refused.
    pub users: Vec<String>,
}

/// What to do with the selected dangling images.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// Image ids to remove, in the order the engine listed them.
    pub remove: Vec<String>,
    pub in_use: Vec<InUse>,
}

/// Splits the dangling images into those to remove and those containers (even stopped ones)
/// still use.
pub fn plan(dangling: &[String], containers: &[ContainerFacts]) -> Plan {
    let mut plan = Plan::default();
    for id in dangling {
        let users: Vec<String> = containers
            .iter()
            .filter(|container| container.image_id == *id)
            .map(|container| format!("{} ({})", container.name, container.state))
            .collect();
        if users.is_empty() {
            plan.remove.push(id.clone());
        } else {
            plan.in_use.push(InUse {
                id: id.clone(),
                users,
            });
        }
    }
    plan
}

/// The images the engine deletes when it removes `removed` without `noprune`: each of them and,
/// walking up, every parent left untagged, childless and unused by containers.
pub fn deleted_with(
    removed: &[String],
    images: &[ImageFacts],
    containers: &[ContainerFacts],
) -> HashSet<String> {
    let by_id: HashMap<&str, &ImageFacts> = images.iter().map(|i| (i.id.as_str(), i)).collect();
    let mut children: HashMap<&str, usize> = HashMap::new();
    for image in images {
        if let Some(parent) = &image.parent {
            *children.entry(parent.as_str()).or_default() += 1;
        }
    }
    let used: HashSet<&str> = containers.iter().map(|c| c.image_id.as_str()).collect();
    let mut deleted: HashSet<String> = removed.iter().cloned().collect();
    for id in removed {
        let mut parent = by_id
            .get(id.as_str())
            .and_then(|image| image.parent.as_deref());
        while let Some(id) = parent {
            let Some(image) = by_id.get(id) else { break };
            let left = children.entry(id).or_default();
            *left = left.saturating_sub(1);
            if image.tagged || *left > 0 || used.contains(id) || deleted.contains(id) {
                break;
            }
            deleted.insert(id.to_owned());
            parent = image.parent.as_deref();
        }
    }
    deleted
}

/// Bytes that removing `removed` frees, per image, from the engine's sizes: an image's size less
/// that of its nearest ancestor that stays. Nothing when all its layers stay in use (its
/// `layers`, by diff id, begin another image's that stays, as after a `--no-cache` rebuild of
/// unchanged inputs), and layers two removed images share count once.
pub fn freed_bytes(
    removed: &[String],
    deleted: &HashSet<String>,
    images: &[ImageFacts],
    layers: &HashMap<String, Vec<String>>,
    staying_layers: &[Vec<String>],
) -> HashMap<String, u64> {
    let by_id: HashMap<&str, &ImageFacts> = images.iter().map(|i| (i.id.as_str(), i)).collect();
    let stack = |id: &str| layers.get(id).map(Vec::as_slice).unwrap_or_default();
    // Longest stacks first, so a removed image whose stack begins another's counts nothing.
    let mut order: Vec<&String> = removed.iter().collect();
    order.sort_by_key(|id| std::cmp::Reverse(stack(id).len()));
    let mut counted: Vec<&[String]> = Vec::new();
    let mut freed = HashMap::new();
    for id in order {
        let own = stack(id);
        let kept = !own.is_empty()
            && staying_layers
                .iter()
                .map(Vec::as_slice)
                .chain(counted.iter().copied())
                .any(|other| other.starts_with(own));
        let bytes = match by_id.get(id.as_str()) {
            Some(image) if !kept => image
                .size
                .saturating_sub(staying_ancestor_size(image, deleted, &by_id)),
            _ => 0,
        };
        counted.push(own);
        freed.insert(id.clone(), bytes);
    }
    freed
}

fn staying_ancestor_size(
    image: &ImageFacts,
    deleted: &HashSet<String>,
    by_id: &HashMap<&str, &ImageFacts>,
) -> u64 {
    let mut parent = image.parent.as_deref();
    while let Some(id) = parent {
        let Some(ancestor) = by_id.get(id) else { break };
        if !deleted.contains(id) {
            return ancestor.size;
        }
        parent = ancestor.parent.as_deref();
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(id: &str, parent: Option<&str>, size: u64, tagged: bool) -> ImageFacts {
        ImageFacts {
            id: id.into(),
            parent: parent.map(Into::into),
            size,
            tagged,
        }
    }

    fn container(name: &str, image_id: &str, state: &str) -> ContainerFacts {
        ContainerFacts {
            name: name.into(),
            image_id: image_id.into(),
            state: state.into(),
        }
    }

    fn ids(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn by_default_only_dangling_images_managed_by_craton_are_asked_for() {
        let filters = Selection::default().engine_filters();
        assert_eq!(filters["dangling"], ["true"]);
        assert_eq!(filters["label"], ["dev.craton.managed=true"]);
    }

    #[test]
    fn all_asks_for_every_dangling_image() {
        let filters = Selection {
            all: true,
            labels: vec![],
        }
        .engine_filters();
        assert_eq!(filters["dangling"], ["true"]);
        assert!(!filters.contains_key("label"));
    }

    #[test]
    fn extra_label_filters_narrow_the_selection() {
        let selection = Selection {
            all: false,
            labels: vec![LabelFilter::parse("dev.craton.run=7").unwrap()],
        };
        assert_eq!(
            selection.engine_filters()["label"],
            ["dev.craton.managed=true", "dev.craton.run=7"]
        );
        assert_eq!(
            selection.describe(),
            "dangling images labelled dev.craton.managed=true and dev.craton.run=7"
        );
        assert_eq!(
            Selection {
                all: true,
                labels: vec![]
            }
            .describe(),
            "dangling images"
        );
    }

    #[test]
    fn an_image_used_by_a_stopped_container_is_left_alone_with_its_name() {
        let containers = [
            container("keeper", "sha256:b", "exited"),
            container("other", "sha256:z", "running"),
        ];
        let plan = plan(&ids(&["sha256:a", "sha256:b"]), &containers);
        assert_eq!(plan.remove, ["sha256:a"]);
        assert_eq!(
            plan.in_use,
            [InUse {
                id: "sha256:b".into(),
                users: vec!["keeper (exited)".into()]
            }]
        );
    }

    #[test]
    fn removing_an_image_deletes_its_untagged_parents_up_to_one_that_stays() {
        // base <- shared <- old (dangling)
        //                 <- new (tagged)
        // shared <- mid <- other (dangling)
        let images = [
            image("base", None, 10, false),
            image("shared", Some("base"), 10, false),
            image("old", Some("shared"), 30, false),
            image("new", Some("shared"), 40, true),
            image("mid", Some("shared"), 15, false),
            image("other", Some("mid"), 25, false),
        ];
        let deleted = deleted_with(&ids(&["old", "other"]), &images, &[]);
        let mut deleted: Vec<_> = deleted.into_iter().collect();
        deleted.sort();
        assert_eq!(deleted, ["mid", "old", "other"]);
    }

    #[test]
    fn a_parent_a_container_uses_is_not_deleted() {
        let images = [
            image("p", None, 10, false),
            image("d", Some("p"), 20, false),
        ];
        let containers = [container("c", "p", "created")];
        let deleted = deleted_with(&ids(&["d"]), &images, &containers);
        assert_eq!(deleted, HashSet::from(["d".to_owned()]));
    }

    #[test]
    fn freed_bytes_are_the_size_above_the_nearest_ancestor_that_stays() {
        let images = [
            image("base", None, 10, false),
            image("shared", Some("base"), 12, false),
            image("old", Some("shared"), 30, false),
            image("new", Some("shared"), 40, true),
        ];
        let removed = ids(&["old"]);
        let deleted = deleted_with(&removed, &images, &[]);
        let freed = freed_bytes(&removed, &deleted, &images, &HashMap::new(), &[]);
        assert_eq!(freed["old"], 18);
    }

    #[test]
    fn an_image_without_ancestors_frees_its_whole_size() {
        let images = [image("lone", None, 50, false)];
        let removed = ids(&["lone"]);
        let deleted = deleted_with(&removed, &images, &[]);
        assert_eq!(
            freed_bytes(&removed, &deleted, &images, &HashMap::new(), &[])["lone"],
            50
        );
    }

    #[test]
    fn layers_another_image_keeps_using_free_nothing() {
        // `--no-cache` rebuilt the same inputs: same layers, a new chain of images.
        let images = [
            image("old-step", None, 50, false),
            image("old", Some("old-step"), 50, false),
            image("new", None, 50, true),
        ];
        let layers = HashMap::from([("old".to_owned(), ids(&["l1", "l2"]))]);
        let staying = [ids(&["l1", "l2", "l3"])];
        let removed = ids(&["old"]);
        let deleted = deleted_with(&removed, &images, &[]);
        assert!(deleted.contains("old-step"));
        assert_eq!(
            freed_bytes(&removed, &deleted, &images, &layers, &staying)["old"],
            0
        );
    }

    #[test]
    fn two_removed_images_with_the_same_layers_free_them_once() {
        let images = [image("a", None, 50, false), image("b", None, 50, false)];
        let layers = HashMap::from([
            ("a".to_owned(), ids(&["l1"])),
            ("b".to_owned(), ids(&["l1"])),
        ]);
        let removed = ids(&["a", "b"]);
        let deleted = deleted_with(&removed, &images, &[]);
        let freed = freed_bytes(&removed, &deleted, &images, &layers, &[]);
        assert_eq!(freed.values().sum::<u64>(), 50);
    }
}
