//! What clean-dangling did (or, with `--dry-run`, would do), as data for callers and as the
//! lines it prints.

use std::collections::HashMap;
use std::fmt::Write;

use super::plan::{InUse, Plan};
use crate::build_image::summary::human_bytes;

/// What happened to one image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Removed {
        bytes: u64,
    },
    /// The engine refused: a container started using it after we looked.
    InUse {
        users: Vec<String>,
    },
    /// Someone else removed it first.
    Gone,
    Failed {
        message: String,
    },
}

/// The outcome of a clean-up.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Image id and the bytes its removal freed.
    pub removed: Vec<(String, u64)>,
    pub in_use: Vec<InUse>,
    pub gone: Vec<String>,
    /// Image id and the engine's message.
    pub failed: Vec<(String, String)>,
}

impl Report {
    pub fn record(&mut self, id: String, outcome: Outcome) {
        match outcome {
            Outcome::Removed { bytes } => self.removed.push((id, bytes)),
            Outcome::InUse { users } => self.in_use.push(InUse { id, users }),
            Outcome::Gone => self.gone.push(id),
            Outcome::Failed { message } => self.failed.push((id, message)),
        }
    }

    pub fn bytes_reclaimed(&self) -> u64 {
        self.removed.iter().map(|(_, bytes)| bytes).sum()
    }

    /// The last line: counts and bytes.
    pub fn summary(&self) -> String {
        let mut line = format!(
            "removed {}, reclaimed {}",
            images(self.removed.len()),
            human_bytes(self.bytes_reclaimed())
        );
        if !self.in_use.is_empty() {
            let _ = write!(line, "; {} in use, left alone", images(self.in_use.len()));
        }
        if !self.gone.is_empty() {
            let _ = write!(line, "; {} already gone", images(self.gone.len()));
        }
        if !self.failed.is_empty() {
            let _ = write!(line, "; {} could not be removed", images(self.failed.len()));
        }
        line
    }
}

/// One line per image as its removal ends.
pub fn outcome_line(id: &str, outcome: &Outcome) -> String {
    let id = short_id(id);
    match outcome {
        Outcome::Removed { bytes } => format!("removed      {id}  {}", human_bytes(*bytes)),
        Outcome::InUse { users } => in_use_line(id, users),
        Outcome::Gone => format!("already gone {id}"),
        Outcome::Failed { message } => format!("failed       {id}  {message}"),
    }
}

fn in_use_line(id: &str, users: &[String]) -> String {
    format!("in use       {id}  by {}", users.join(", "))
}

/// What `--dry-run` prints: every image that would go with its bytes, those in use, a total.
pub fn dry_run_text(plan: &Plan, freed: &HashMap<String, u64>) -> String {
    let mut out = String::new();
    let mut total = 0;
    for id in &plan.remove {
        let bytes = freed.get(id).copied().unwrap_or(0);
        total += bytes;
        let _ = writeln!(out, "would remove {}  {}", short_id(id), human_bytes(bytes));
    }
    for in_use in &plan.in_use {
        let _ = writeln!(out, "{}", in_use_line(short_id(&in_use.id), &in_use.users));
    }
    let _ = write!(
        out,
        "would remove {}, reclaiming {}; removed nothing (dry run)",
        images(plan.remove.len()),
        human_bytes(total)
    );
    if !plan.in_use.is_empty() {
        let _ = write!(out, "; {} in use, left alone", images(plan.in_use.len()));
    }
    out.push('\n');
    out
}

/// `sha256:3c3a55b81adc` (12 hex digits, as the engine's own tools show).
pub fn short_id(id: &str) -> &str {
    let hex_start = id.find(':').map_or(0, |colon| colon + 1);
    id.get(..hex_start + 12).unwrap_or(id)
}

fn images(count: usize) -> String {
    match count {
        1 => "1 image".to_owned(),
        n => format!("{n} images"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "sha256:3c3a55b81adcffffffffffffffff";
    const B: &str = "sha256:0d6648791340eeeeeeeeeeeeeeee";

    #[test]
    fn the_summary_counts_removed_images_and_bytes() {
        let mut report = Report::default();
        report.record(A.into(), Outcome::Removed { bytes: 2_000_000 });
        report.record(B.into(), Outcome::Removed { bytes: 870_000 });
        assert_eq!(report.bytes_reclaimed(), 2_870_000);
        assert_eq!(report.summary(), "removed 2 images, reclaimed 2.87 MB");
    }

    #[test]
    fn the_summary_mentions_images_left_alone_gone_or_failed() {
        let mut report = Report::default();
        report.record(
            A.into(),
            Outcome::InUse {
                users: vec!["web (exited)".into()],
            },
        );
        report.record(
            B.into(),
            Outcome::Failed {
                message: "boom".into(),
            },
        );
        report.record("sha256:c".into(), Outcome::Gone);
        assert_eq!(
            report.summary(),
            "removed 0 images, reclaimed 0 B; 1 image in use, left alone; \
             1 image already gone; 1 image could not be removed"
        );
    }

    #[test]
    fn an_image_in_use_is_shown_with_its_containers() {
        let line = outcome_line(
            A,
            &Outcome::InUse {
                users: vec!["web (exited)".into()],
            },
        );
        assert_eq!(line, "in use       sha256:3c3a55b81adc  by web (exited)");
    }

    #[test]
    fn a_dry_run_lists_what_would_go_and_says_nothing_was_removed() {
        let plan = Plan {
            remove: vec![A.into()],
            in_use: vec![InUse {
                id: B.into(),
                users: vec!["keeper (created)".into()],
            }],
        };
        let freed = HashMap::from([(A.to_owned(), 2_870_000)]);
        assert_eq!(
            dry_run_text(&plan, &freed),
            "would remove sha256:3c3a55b81adc  2.87 MB\n\
             in use       sha256:0d6648791340  by keeper (created)\n\
             would remove 1 image, reclaiming 2.87 MB; removed nothing (dry run); \
             1 image in use, left alone\n"
        );
    }

    #[test]
    fn short_ids_keep_the_algorithm_and_twelve_digits() {
        assert_eq!(short_id(A), "sha256:3c3a55b81adc");
        assert_eq!(short_id("abc"), "abc");
    }
}
