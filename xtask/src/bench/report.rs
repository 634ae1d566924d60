//! The bench's results as data (rows of figures, the references they are compared with, the
//! targets they are held to) and their two renderings: a Markdown table and JSON. Pure.

use std::fmt::Write;
use std::time::Duration;

use serde_json::{Value, json};

use super::stats::Stats;

/// Where and when the figures were taken: they only mean something next to these.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Machine {
    /// UTC, RFC 3339.
    pub date: String,
    pub cpu: String,
    pub cores: usize,
    pub kernel: String,
    pub engine: String,
    /// The 1-minute load average when the bench started, its highest while it ran (the
    /// bench's own suite runs included), and when it ended.
    pub load_before: Option<f64>,
    pub load_peak: Option<f64>,
    pub load_after: Option<f64>,
}

/// One way of doing one thing, measured (or why it was not).
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Stable identifier (`ready.floor`): references, JSON and tests use it.
    pub key: String,
    /// What was timed, e.g. "ready container (create → first HTTP answer)".
    pub measure: String,
    /// How, e.g. "testbed" or "`docker run` + poll".
    pub way: String,
    /// The figures, or why there are none ("docker CLI not installed").
    pub result: Result<Stats, String>,
    /// Rows this one is compared with; the ratio column shows each.
    pub references: Vec<Reference>,
    pub targets: Vec<Target>,
}

/// A row to compare with, and the short name the ratio column gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    pub key: String,
    pub label: String,
}

/// What a row should achieve (from the targets).
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// The median at most `max` times the reference's median.
    AtMost { reference: Reference, max: f64 },
    /// The median under an absolute time.
    Under(Duration),
    /// The reference's median at least `min` times this one's.
    FasterBy { reference: Reference, min: f64 },
}

/// Whether a target was met; `Unknown` when a figure it needs is missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Met,
    Missed,
    Unknown,
}

/// Everything one run of the bench found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    /// The run id every container and image of the bench was labelled with.
    pub run: String,
    pub machine: Machine,
    pub rows: Vec<Row>,
    /// Caveats printed under the table (how a reference was run, what it removes).
    pub notes: Vec<String>,
}

impl Row {
    pub fn new(key: &str, measure: &str, way: &str, result: Result<Stats, String>) -> Self {
        Self {
            key: key.to_owned(),
            measure: measure.to_owned(),
            way: way.to_owned(),
            result,
            references: Vec::new(),
            targets: Vec::new(),
        }
    }

    pub fn compared_with(mut self, key: &str, label: &str) -> Self {
        self.references.push(Reference::new(key, label));
        self
    }

    pub fn target(mut self, target: Target) -> Self {
        self.targets.push(target);
        self
    }

    fn stats(&self) -> Option<&Stats> {
        self.result.as_ref().ok()
    }
}

impl Reference {
    pub fn new(key: &str, label: &str) -> Self {
        Self {
            key: key.to_owned(),
            label: label.to_owned(),
        }
    }
}

impl Target {
    pub fn at_most(key: &str, label: &str, max: f64) -> Self {
        Self::AtMost {
            reference: Reference::new(key, label),
            max,
        }
    }

    pub fn faster_by(key: &str, label: &str, min: f64) -> Self {
        Self::FasterBy {
            reference: Reference::new(key, label),
            min,
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Self::AtMost { reference, max } => format!("≤ {max}× {}", reference.label),
            Self::Under(limit) => format!("< {}", human(*limit)),
            Self::FasterBy { reference, min } => {
                format!("≥ {min}× faster than {}", reference.label)
            }
        }
    }
}

impl Report {
    pub fn row(&self, key: &str) -> Option<&Row> {
        self.rows.iter().find(|row| row.key == key)
    }

    fn stats_of(&self, key: &str) -> Option<&Stats> {
        self.row(key).and_then(Row::stats)
    }

    /// `row`'s median over the reference's, when both were measured.
    pub fn ratio(&self, row: &Row, reference: &Reference) -> Option<f64> {
        row.stats()?.ratio_to(self.stats_of(&reference.key)?)
    }

    pub fn verdict(&self, row: &Row, target: &Target) -> Verdict {
        let Some(stats) = row.stats() else {
            return Verdict::Unknown;
        };
        let met = match target {
            Target::AtMost { reference, max } => self.ratio(row, reference).map(|r| r <= *max),
            Target::Under(limit) => Some(stats.median < *limit),
            Target::FasterBy { reference, min } => self
                .stats_of(&reference.key)
                .and_then(|theirs| theirs.ratio_to(stats))
                .map(|speedup| speedup >= *min),
        };
        match met {
            Some(true) => Verdict::Met,
            Some(false) => Verdict::Missed,
            None => Verdict::Unknown,
        }
    }

    /// The table: one line per row, a caption with the machine, the notes below.
    pub fn markdown(&self) -> String {
        let m = &self.machine;
        let mut out = String::new();
        let load = |load: Option<f64>| load.map_or("?".to_owned(), |l| format!("{l:.2}"));
        let _ = writeln!(
            out,
            "Measured {} on {} ({} cores, Linux {}, Docker Engine {}); 1-minute load average {} \
             before, at most {} during (the bench's own work included), {} after.\n",
            m.date,
            m.cpu,
            m.cores,
            m.kernel,
            m.engine,
            load(m.load_before),
            load(m.load_peak),
            load(m.load_after)
        );
        out.push_str("| measure | way | n | median | min | max | ratio | target |\n");
        out.push_str("|---|---|--:|--:|--:|--:|---|---|\n");
        for row in &self.rows {
            let (n, median, min, max) = match &row.result {
                Ok(s) => (
                    s.samples.to_string(),
                    human(s.median),
                    human(s.min),
                    human(s.max),
                ),
                Err(why) => (String::new(), why.clone(), String::new(), String::new()),
            };
            let ratios: Vec<String> = row
                .references
                .iter()
                .filter_map(|r| Some(format!("{}× {}", ratio_text(self.ratio(row, r)?), r.label)))
                .collect();
            let targets: Vec<String> = row
                .targets
                .iter()
                .map(|t| {
                    let verdict = match self.verdict(row, t) {
                        Verdict::Met => "met",
                        Verdict::Missed => "**missed**",
                        Verdict::Unknown => "not measured",
                    };
                    format!("{}: {verdict}", t.describe())
                })
                .collect();
            let _ = writeln!(
                out,
                "| {} | {} | {n} | {median} | {min} | {max} | {} | {} |",
                cell(&row.measure),
                cell(&row.way),
                ratios.join("; "),
                targets.join("; ")
            );
        }
        if !self.notes.is_empty() {
            out.push('\n');
            for note in &self.notes {
                let _ = writeln!(out, "- {}", note.replace('\n', " "));
            }
        }
        out
    }

    /// The same figures for machines: times in milliseconds, ratios and verdicts computed.
    pub fn json(&self) -> Value {
        let m = &self.machine;
        let ms = |d: Duration| (d.as_secs_f64() * 1e6).round() / 1e3;
        let rows: Vec<Value> = self
            .rows
            .iter()
            .map(|row| {
                let figures = match &row.result {
                    Ok(s) => json!({
                        "samples": s.samples,
                        "median_ms": ms(s.median),
                        "min_ms": ms(s.min),
                        "max_ms": ms(s.max),
                    }),
                    Err(why) => json!({ "skipped": why }),
                };
                let ratios: Vec<Value> = row
                    .references
                    .iter()
                    .map(|r| json!({ "to": r.key, "ratio": self.ratio(row, r) }))
                    .collect();
                let targets: Vec<Value> = row
                    .targets
                    .iter()
                    .map(|t| {
                        let met = match self.verdict(row, t) {
                            Verdict::Met => Some(true),
                            Verdict::Missed => Some(false),
                            Verdict::Unknown => None,
                        };
                        json!({ "target": t.describe(), "met": met })
                    })
                    .collect();
                json!({
                    "key": row.key,
                    "measure": row.measure,
                    "way": row.way,
                    "figures": figures,
                    "ratios": ratios,
                    "targets": targets,
                })
            })
            .collect();
        json!({
            "run": self.run,
            "machine": {
                "date": m.date,
                "cpu": m.cpu,
                "cores": m.cores,
                "kernel": m.kernel,
                "engine": m.engine,
                "load_before": m.load_before,
                "load_peak": m.load_peak,
                "load_after": m.load_after,
            },
            "rows": rows,
            "notes": self.notes,
        })
    }
}

/// A duration as people read it: `0.4 ms`, `412 ms`, `1.23 s`, `95.2 s`.
pub fn human(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1e3;
    if ms < 10.0 {
        format!("{ms:.1} ms")
    } else if ms < 1000.0 {
        format!("{ms:.0} ms")
    } else if ms < 10_000.0 {
        format!("{:.2} s", ms / 1e3)
    } else {
        format!("{:.1} s", ms / 1e3)
    }
}

/// A ratio with two significant digits below 0.1 (`0.0021`), two decimals above (`1.03`).
pub fn ratio_text(ratio: f64) -> String {
    if ratio >= 0.1 || ratio == 0.0 {
        format!("{ratio:.2}")
    } else {
        let decimals = (-ratio.log10()).floor() as usize + 2;
        format!("{ratio:.decimals$}")
    }
}

/// Text that cannot break a table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stats(ms: u64) -> Result<Stats, String> {
        Ok(Stats::of(&[Duration::from_millis(ms)]).unwrap())
    }

    fn report() -> Report {
        Report {
            run: "bench-test".into(),
            machine: Machine {
                date: "2026-12-04T16:00:00Z".into(),
                cpu: "Test CPU".into(),
                cores: 2,
                kernel: "6.1".into(),
                engine: "20.10.24".into(),
                load_before: Some(0.5),
                load_peak: Some(3.25),
                load_after: None,
            },
            rows: vec![
                Row::new("ready.floor", "ready", "Engine API floor", stats(400)),
                Row::new(
                    "ready.cli",
                    "ready",
                    "docker CLI",
                    Err("docker CLI not installed".into()),
                ),
                Row::new("ready.testbed", "ready", "testbed", stats(410))
                    .compared_with("ready.floor", "floor")
                    .compared_with("ready.cli", "CLI")
                    .target(Target::at_most("ready.floor", "floor", 1.05))
                    .target(Target::at_most("ready.cli", "CLI", 0.6)),
                Row::new("build.warm", "warm build", "build-image", stats(2500))
                    .target(Target::Under(Duration::from_secs(2))),
                Row::new("suite.jobs1", "suite", "--jobs 1", stats(60_000)),
                Row::new("suite.default", "suite", "default", stats(30_000))
                    .compared_with("suite.jobs1", "--jobs 1")
                    .target(Target::faster_by("suite.jobs1", "--jobs 1", 1.6)),
            ],
            notes: vec!["the CLI ways remove every dangling image".into()],
        }
    }

    #[test]
    fn durations_read_in_the_unit_that_suits_them() {
        assert_eq!(human(Duration::from_micros(420)), "0.4 ms");
        assert_eq!(human(Duration::from_micros(412_400)), "412 ms");
        assert_eq!(human(Duration::from_millis(1234)), "1.23 s");
        assert_eq!(human(Duration::from_millis(95_240)), "95.2 s");
    }

    #[test]
    fn targets_are_judged_against_their_reference() {
        let report = report();
        let testbed = report.row("ready.testbed").unwrap();
        assert_eq!(report.verdict(testbed, &testbed.targets[0]), Verdict::Met);
        assert_eq!(
            report.verdict(testbed, &testbed.targets[1]),
            Verdict::Unknown
        );
        let warm = report.row("build.warm").unwrap();
        assert_eq!(report.verdict(warm, &warm.targets[0]), Verdict::Missed);
        let suite = report.row("suite.default").unwrap();
        assert_eq!(report.verdict(suite, &suite.targets[0]), Verdict::Met);
    }

    #[test]
    fn the_table_has_a_line_per_row_with_ratios_and_verdicts() {
        let table = report().markdown();
        assert!(
            table.starts_with("Measured 2026-12-04T16:00:00Z on Test CPU (2 cores"),
            "{table}"
        );
        assert!(
            table.contains("load average 0.50 before, at most 3.25 during"),
            "{table}"
        );
        assert!(table.contains("included), ? after."), "{table}");
        assert!(
            table.contains(
                "| ready | testbed | 1 | 410 ms | 410 ms | 410 ms | 1.02× floor | \
                 ≤ 1.05× floor: met; ≤ 0.6× CLI: not measured |"
            ),
            "{table}"
        );
        assert!(
            table.contains("| ready | docker CLI |  | docker CLI not installed |"),
            "{table}"
        );
        assert!(table.contains("< 2.00 s: **missed**"), "{table}");
        assert!(
            table.contains("0.50× --jobs 1 | ≥ 1.6× faster than --jobs 1: met"),
            "{table}"
        );
        assert!(
            table.ends_with("\n- the CLI ways remove every dangling image\n"),
            "{table}"
        );
        let lines = table.lines().filter(|l| l.starts_with("| ")).count();
        assert_eq!(lines, 1 + report().rows.len());
    }

    #[test]
    fn small_ratios_keep_two_significant_digits() {
        assert_eq!(ratio_text(1.034), "1.03");
        assert_eq!(ratio_text(0.25), "0.25");
        assert_eq!(ratio_text(0.0213), "0.021");
        assert_eq!(ratio_text(0.00213), "0.0021");
        assert_eq!(ratio_text(0.0), "0.00");
    }

    #[test]
    fn a_pipe_in_a_cell_does_not_split_it() {
        assert_eq!(cell("a | b"), "a \\| b");
    }

    #[test]
    fn json_carries_milliseconds_ratios_verdicts_and_skips() {
        let json = report().json();
        let rows = json["rows"].as_array().unwrap();
        let testbed = rows.iter().find(|r| r["key"] == "ready.testbed").unwrap();
        assert_eq!(testbed["figures"]["median_ms"], 410.0);
        assert_eq!(testbed["ratios"][0]["to"], "ready.floor");
        assert_eq!(testbed["ratios"][0]["ratio"], 410.0 / 400.0);
        assert_eq!(testbed["ratios"][1]["ratio"], Value::Null);
        assert_eq!(testbed["targets"][0]["met"], true);
        let cli = rows.iter().find(|r| r["key"] == "ready.cli").unwrap();
        assert_eq!(cli["figures"]["skipped"], "docker CLI not installed");
        assert_eq!(json["machine"]["cores"], 2);
        assert_eq!(json["notes"][0], "the CLI ways remove every dangling image");
    }
}
