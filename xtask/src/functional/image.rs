//! The image under test, through build-image's and clean-dangling's own code: built with this
//! run's tag and label, and the dangling images that build left removed afterwards.

use std::path::Path;

use anyhow::Result;
use bollard::Docker;

use crate::build_image::labels::LabelFilter;
use crate::build_image::{self, BuildOptions, BuiltImage, Label};
use crate::clean_dangling::{self, plan::Selection};

/// Builds the image as `build-image` does, tagged `tag` and labelled with the run.
pub async fn build(
    docker: &Docker,
    root: &Path,
    tag: &str,
    run: &str,
    no_cache: bool,
) -> Result<BuiltImage> {
    let mut options = BuildOptions::new(root);
    options.tag = tag.to_owned();
    options.no_cache = no_cache;
    options.quiet = true;
    options.style = build_image::Style::detect(true);
    options.labels.push(Label {
        key: testbed::labels::RUN.to_owned(),
        value: run.to_owned(),
    });
    build_image::build(docker, root, &options).await
}

/// Removes the dangling images of this run (a build superseded under its tag). After a failed
/// build, also craton's other dangling images: the failed build's intermediate images carry
/// only the Dockerfile's `dev.craton.managed` label, not the run's.
pub async fn remove_dangling(docker: &Docker, run: &str, build_failed: bool) -> Result<usize> {
    let this_run = Selection {
        all: false,
        labels: vec![LabelFilter {
            key: testbed::labels::RUN.to_owned(),
            value: Some(run.to_owned()),
        }],
    };
    let mut removed = clean_dangling::remove(docker, &this_run)
        .await?
        .removed
        .len();
    if build_failed {
        removed += clean_dangling::remove(docker, &Selection::default())
            .await?
            .removed
            .len();
    }
    Ok(removed)
}
