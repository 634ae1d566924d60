//! What a build made and how long it took, as printed at its end; sizes as people read them.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::time::Duration;

use super::labels::REVISION_KEY;

/// How long each phase of a build took.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Phases {
    /// `cargo build` of the static binary (a no-op check when nothing changed).
    pub cargo: Duration,
    /// Making the build context in memory.
    pub context: Duration,
    /// The engine's build, from sending the context to the inspected image.
    pub engine: Duration,
}

impl Phases {
    pub fn total(&self) -> Duration {
        self.cargo + self.context + self.engine
    }
}

/// An image that `build-image` made.
#[derive(Debug, Clone)]
pub struct BuiltImage {
    pub tag: String,
    /// `sha256:...`
    pub id: String,
    /// Bytes of all its layers, as the engine reports them.
    pub size: u64,
    /// Steps of the Dockerfile plus one per label, as the engine counts them, less `FROM`.
    pub steps: usize,
    /// Steps whose result came from the engine's layer cache.
    pub cached_steps: usize,
    pub labels: BTreeMap<String, String>,
    /// The target triple the binary was built for.
    pub target: String,
    pub phases: Phases,
}

impl BuiltImage {
    /// The lines printed at the end of `build-image`.
    pub fn summary(&self) -> String {
        let mut out = String::new();
        let short_id = self.id.strip_prefix("sha256:").unwrap_or(&self.id);
        let _ = writeln!(out, "tag       {}", self.tag);
        let _ = writeln!(
            out,
            "image id  sha256:{}",
            short_id.get(..12).unwrap_or(short_id)
        );
        let _ = writeln!(out, "size      {}", human_bytes(self.size));
        let revision = self
            .labels
            .get(REVISION_KEY)
            .map_or("unknown", String::as_str);
        let _ = writeln!(out, "revision  {revision}");
        let _ = writeln!(out, "binary    {}, statically linked", self.target);
        let _ = writeln!(
            out,
            "cache     {} of {} steps reused",
            self.cached_steps, self.steps
        );
        let p = &self.phases;
        let _ = writeln!(
            out,
            "time      {} total: cargo {}, context {}, engine {}",
            seconds(p.total()),
            seconds(p.cargo),
            seconds(p.context),
            seconds(p.engine)
        );
        out
    }
}

fn seconds(duration: Duration) -> String {
    format!("{:.2}s", duration.as_secs_f64())
}

/// Decimal units, as the engine's own tools print them: `2.87 MB`.
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "kB", "MB", "GB", "TB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.2} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_in_decimal_units() {
        assert_eq!(human_bytes(0), "0 B");
        assert_eq!(human_bytes(999), "999 B");
        assert_eq!(human_bytes(2_872_776), "2.87 MB");
        assert_eq!(human_bytes(20_000_000_000), "20.00 GB");
    }

    #[test]
    fn the_summary_names_tag_short_id_size_cache_and_phase_times() {
        let image = BuiltImage {
            tag: "craton:dev".into(),
            id: "sha256:0d6648791340aaaabbbbccccdddd".into(),
            size: 2_872_776,
            steps: 14,
            cached_steps: 14,
            labels: BTreeMap::from([(REVISION_KEY.to_owned(), "abc123-dirty".to_owned())]),
            target: "x86_64-unknown-linux-gnu".into(),
            phases: Phases {
                cargo: Duration::from_millis(400),
                context: Duration::from_millis(20),
                engine: Duration::from_millis(150),
            },
        };
        let summary = image.summary();
        assert!(summary.contains("tag       craton:dev\n"), "{summary}");
        assert!(
            summary.contains("image id  sha256:0d6648791340\n"),
            "{summary}"
        );
        assert!(summary.contains("size      2.87 MB\n"), "{summary}");
        assert!(summary.contains("revision  abc123-dirty\n"), "{summary}");
        assert!(
            summary.contains("binary    x86_64-unknown-linux-gnu,"),
            "{summary}"
        );
        assert!(
            summary.contains("cache     14 of 14 steps reused\n"),
            "{summary}"
        );
        assert!(
            summary.contains("0.57s total: cargo 0.40s, context 0.02s, engine 0.15s"),
            "{summary}"
        );
    }
}
