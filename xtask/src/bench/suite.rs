//! The functional suite's wall time with `--jobs 1` and with the default parallelism, split as
//! `cargo xtask functional` reports it (build, tests, clean-up): it runs as users run it, and its
//! closing summary is parsed.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Result, anyhow, bail};
use xshell::{Shell, cmd};

use super::report::{Row, Target};
use super::stats::Series;
use super::{Bench, Findings, blocking};

/// One run of the suite can take minutes on two cores; past this it counts as failed.
const RUN_LIMIT: Duration = Duration::from_secs(30 * 60);

/// What `cargo xtask functional`'s summary says about one run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SuiteRun {
    pub passed: usize,
    pub failed: usize,
    /// `None` when the build was skipped (`--image`).
    pub build: Option<Duration>,
    pub tests: Duration,
    pub jobs: usize,
    pub cleanup: Duration,
    /// The median wait of a test for its container (warm pool or its own start), if reported.
    pub wait: Option<Duration>,
}

/// The phases of one parallelism setting, plus the wall time the bench saw.
#[derive(Default)]
struct Setting {
    build: Series,
    tests: Series,
    cleanup: Series,
    total: Series,
    wait: Series,
    jobs: Option<usize>,
}

impl Setting {
    fn record(&mut self, run: Result<(SuiteRun, Duration)>) {
        match run {
            Ok((run, wall)) => {
                self.build.push(run.build.unwrap_or_default());
                self.tests.push(run.tests);
                self.cleanup.push(run.cleanup);
                self.total.push(wall);
                match run.wait {
                    Some(wait) => self.wait.push(wait),
                    None => self.wait.fail("not in the summary"),
                }
                self.jobs = Some(run.jobs);
            }
            Err(err) => {
                let why = format!("failed: {err:#}");
                for series in [
                    &mut self.build,
                    &mut self.tests,
                    &mut self.cleanup,
                    &mut self.total,
                ] {
                    series.fail(why.clone());
                }
            }
        }
    }
}

pub async fn measure(bench: &Bench) -> Result<Findings> {
    let runs = bench.samples.suite_runs;
    let mut one = Setting::default();
    let mut default = Setting::default();
    for i in 1..=runs {
        // Alternate which setting goes first, so a drift in the machine's load favours neither.
        let order = if i % 2 == 1 {
            [Some(1), None]
        } else {
            [None, Some(1)]
        };
        for jobs in order {
            let setting = if jobs.is_some() {
                &mut one
            } else {
                &mut default
            };
            if setting.total.is_open() {
                let name = jobs.map_or("the default parallelism", |_| "--jobs 1");
                eprintln!("==> suite: run {i}/{runs} with {name}");
                setting.record(run_suite(&bench.root, jobs).await);
            }
        }
    }
    let default_way = format!(
        "default ({} jobs)",
        default.jobs.map_or("?".to_owned(), |j| j.to_string())
    );
    let mut rows = Vec::new();
    for (phase, key) in [
        ("wall time (`cargo xtask functional`)", "total"),
        ("image build", "build"),
        ("tests", "tests"),
        ("clean-up", "cleanup"),
        (
            "a test's wait for its container (median of the run)",
            "wait",
        ),
    ] {
        let measure = format!("functional suite: {phase}");
        let pick = |s: &Setting| match key {
            "total" => s.total.result(),
            "build" => s.build.result(),
            "tests" => s.tests.result(),
            "wait" => s.wait.result(),
            _ => s.cleanup.result(),
        };
        let jobs1_key = format!("suite.{key}.jobs1");
        rows.push(Row::new(&jobs1_key, &measure, "`--jobs 1`", pick(&one)));
        let mut row = Row::new(
            &format!("suite.{key}.default"),
            &measure,
            &default_way,
            pick(&default),
        )
        .compared_with(&jobs1_key, "--jobs 1");
        if key == "total" || key == "tests" {
            row = row.target(Target::faster_by(&jobs1_key, "--jobs 1", 1.6));
        }
        rows.push(row);
    }
    let notes = vec![format!(
        "Functional suite: {runs} run(s) per setting, in turns (which goes first alternates); \
         each is a full `cargo xtask functional` (its own image build, with the release binary \
         already built by the bench; tests; clean-up), phases as its summary reports them (to \
         0.1 s); the wall time, taken by the bench, adds cargo's start-up. The default runs a \
         warm pool as large as its jobs; `--jobs 1` a pool of 1."
    )];
    Ok(Findings { rows, notes })
}

async fn run_suite(root: &Path, jobs: Option<u16>) -> Result<(SuiteRun, Duration)> {
    let root = root.to_path_buf();
    let run = blocking(move || {
        let began = Instant::now();
        let output = functional_command(&root, jobs)?;
        Ok((output, began.elapsed()))
    });
    let ((status_ok, stdout, stderr), wall) =
        super::bounded("the functional suite", RUN_LIMIT, run).await?;
    let summary = parse_summary(&stdout);
    match (status_ok, summary) {
        (true, Some(run)) => Ok((run, wall)),
        (false, Some(run)) if run.failed > 0 => bail!("{} of its tests failed", run.failed),
        _ => {
            let tail: Vec<&str> = stderr.lines().rev().take(5).collect();
            let tail: Vec<&str> = tail.into_iter().rev().collect();
            Err(anyhow!(
                "`cargo xtask functional` printed no summary: {}",
                tail.join(" / ")
            ))
        }
    }
}

/// Runs `cargo xtask functional [--jobs N]` in the checkout; answers (succeeded, stdout, stderr).
fn functional_command(root: &Path, jobs: Option<u16>) -> Result<(bool, String, String)> {
    let sh = Shell::new()?;
    sh.change_dir(root);
    let cargo = std::env::var_os("CARGO")
        .map(PathBuf::from)
        .or_else(|| which::which("cargo").ok())
        .ok_or_else(|| anyhow!("cargo is not on PATH"))?;
    let jobs: Vec<String> = jobs
        .map(|j| vec!["--jobs".to_owned(), j.to_string()])
        .unwrap_or_default();
    let output = cmd!(sh, "{cargo} xtask functional {jobs...}")
        .quiet()
        .ignore_status()
        .output()?;
    Ok((
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    ))
}

/// Reads the closing summary of `cargo xtask functional`:
///
/// ```text
/// functional: 98 passed, 0 failed
///   build    12.3 s
///   tests    45.6 s (8 jobs; median create to ready 412 ms over 98 containers)
///   cleanup  0.4 s (removed 0 containers)
/// ```
pub fn parse_summary(text: &str) -> Option<SuiteRun> {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines
        .iter()
        .rposition(|line| line.trim().starts_with("functional:"))?;
    let counts = lines[start].trim().strip_prefix("functional:")?;
    let summary = &lines[start + 1..];
    let number_before = |word: &str| -> Option<usize> {
        let words: Vec<&str> = counts.split([' ', ',']).filter(|w| !w.is_empty()).collect();
        let at = words.iter().position(|w| *w == word)?;
        words.get(at.checked_sub(1)?)?.parse().ok()
    };
    let field = |name: &str| -> Option<&str> {
        summary
            .iter()
            .find_map(|line| line.trim().strip_prefix(name).map(str::trim))
    };
    let seconds = |value: &str| -> Option<Duration> {
        let number = value.split_whitespace().next()?;
        Duration::try_from_secs_f64(number.parse().ok()?).ok()
    };
    let tests_field = field("tests")?;
    let jobs = tests_field
        .split_once('(')
        .and_then(|(_, rest)| rest.split_whitespace().next()?.parse().ok())?;
    Some(SuiteRun {
        passed: number_before("passed")?,
        failed: number_before("failed")?,
        build: seconds(field("build")?),
        tests: seconds(tests_field)?,
        jobs,
        cleanup: seconds(field("cleanup")?)?,
        wait: field("wait").and_then(wait_ms),
    })
}

/// `median wait of a test for its container 1.2 ms over 98 tests`: the milliseconds.
fn wait_ms(text: &str) -> Option<Duration> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let at = words.iter().position(|w| *w == "ms")?;
    let ms: f64 = words.get(at.checked_sub(1)?)?.parse().ok()?;
    Duration::try_from_secs_f64(ms / 1000.0).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SUMMARY: &str = "some test output\n\
        functional: 98 passed, 0 failed\n\
        \x20 run      run-1a2b (image craton-test:run-1a2b)\n\
        \x20 build    12.3 s\n\
        \x20 tests    45.6 s (6 jobs, warm pool of 6 (104 started))\n\
        \x20 start    median create to ready 412 ms over 104 containers\n\
        \x20 wait     median wait of a test for its container 1.5 ms over 98 tests\n\
        \x20 cleanup  0.4 s (removed 0 containers, 1 image)\n";

    #[test]
    fn the_summary_gives_counts_phases_and_jobs() {
        let run = parse_summary(SUMMARY).unwrap();
        assert_eq!((run.passed, run.failed, run.jobs), (98, 0, 6));
        assert_eq!(run.wait, Some(Duration::from_micros(1500)));
        assert_eq!(run.build, Some(Duration::from_millis(12_300)));
        assert_eq!(run.tests, Duration::from_millis(45_600));
        assert_eq!(run.cleanup, Duration::from_millis(400));
    }

    #[test]
    fn a_skipped_build_has_no_time_and_a_missing_wait_line_no_wait() {
        let text = SUMMARY.replace("12.3 s", "skipped");
        assert_eq!(parse_summary(&text).unwrap().build, None);
        let text: String = SUMMARY
            .lines()
            .filter(|l| !l.contains("wait"))
            .map(|l| format!("{l}\n"))
            .collect();
        assert_eq!(parse_summary(&text).unwrap().wait, None);
    }

    #[test]
    fn failures_are_counted_and_output_without_a_summary_gives_none() {
        let text = SUMMARY.replace("98 passed, 0 failed", "95 passed, 3 failed");
        assert_eq!(parse_summary(&text).unwrap().failed, 3);
        assert_eq!(
            parse_summary("error: no such subcommand: `functional`\n"),
            None
        );
    }
}
