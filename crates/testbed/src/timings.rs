//! How long each container took from "create" to "ready", recorded one line per container so
//! the run's summary can report the median across test processes.

use std::io::Write;
use std::path::Path;
use std::time::Duration;

/// Where the time of one container's start went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StartTimings {
    /// The create call.
    pub create: Duration,
    /// The start call.
    pub start: Duration,
    /// From started to the first 200 from `/healthz` (port lookup included).
    pub ready: Duration,
    /// From create to ready.
    pub total: Duration,
}

impl StartTimings {
    /// `test<TAB>create<TAB>start<TAB>ready<TAB>total<TAB>wait`, in microseconds; `wait` is
    /// how long a test waited for its container (`-` for a container started for the pool).
    pub fn line(&self, test: &str, wait: Option<Duration>) -> String {
        let us = |d: Duration| d.as_micros().to_string();
        format!(
            "{}\t{}\t{}\t{}\t{}\t{}\n",
            test.replace(['\t', '\n'], " "),
            us(self.create),
            us(self.start),
            us(self.ready),
            us(self.total),
            wait.map_or("-".to_owned(), us)
        )
    }

    /// Appends the line to `file` (one `write` of a short line with O_APPEND, so concurrent test
    /// processes do not interleave). Failing to record a timing never fails a test.
    pub fn append_to(&self, file: &Path, test: &str, wait: Option<Duration>) {
        let line = self.line(test, wait);
        let written = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(file)
            .and_then(|mut f| f.write_all(line.as_bytes()));
        if let Err(err) = written {
            eprintln!(
                "testbed: cannot record timings in {}: {err}",
                file.display()
            );
        }
    }
}

/// Records that `test` waited `wait` for a container someone else started (the warm pool).
pub fn append_wait(file: &Path, test: &str, wait: Duration) {
    let line = format!(
        "{}\t-\t-\t-\t-\t{}\n",
        test.replace(['\t', '\n'], " "),
        wait.as_micros()
    );
    let written = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(file)
        .and_then(|mut f| f.write_all(line.as_bytes()));
    if let Err(err) = written {
        eprintln!(
            "testbed: cannot record timings in {}: {err}",
            file.display()
        );
    }
}

/// The median create-to-ready time over the containers of a timings file, and their count.
pub fn median_ready_time(contents: &str) -> Option<(Duration, usize)> {
    median_of_column(contents, 4)
}

/// The median time tests waited for their container, and how many tests.
pub fn median_wait(contents: &str) -> Option<(Duration, usize)> {
    median_of_column(contents, 5)
}

fn median_of_column(contents: &str, column: usize) -> Option<(Duration, usize)> {
    let mut totals: Vec<u64> = contents
        .lines()
        .filter_map(|line| line.split('\t').nth(column)?.trim().parse().ok())
        .collect();
    if totals.is_empty() {
        return None;
    }
    totals.sort_unstable();
    let mid = totals.len() / 2;
    let median = if totals.len() % 2 == 0 {
        (totals[mid - 1] + totals[mid]) / 2
    } else {
        totals[mid]
    };
    Some((Duration::from_micros(median), totals.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn timings(total_ms: u64) -> StartTimings {
        StartTimings {
            total: Duration::from_millis(total_ms),
            ..Default::default()
        }
    }

    #[test]
    fn the_median_of_an_odd_count_is_the_middle_value() {
        let text = [300, 100, 200]
            .iter()
            .map(|ms| timings(*ms).line("t", None))
            .collect::<String>();
        assert_eq!(
            median_ready_time(&text),
            Some((Duration::from_millis(200), 3))
        );
    }

    #[test]
    fn the_median_of_an_even_count_is_the_mean_of_the_middle_two() {
        let text = timings(100).line("a", None) + &timings(300).line("b", None);
        assert_eq!(
            median_ready_time(&text).unwrap().0,
            Duration::from_millis(200)
        );
    }

    #[test]
    fn garbage_lines_are_skipped_and_no_lines_give_no_median() {
        assert_eq!(median_ready_time("junk\n\n"), None);
        let text = format!("junk\n{}", timings(5).line("a\tb", None));
        assert_eq!(median_ready_time(&text).unwrap().1, 1);
    }

    #[test]
    fn appended_lines_accumulate() {
        let file = std::env::temp_dir().join(format!("timings-{}", std::process::id()));
        let _ = std::fs::remove_file(&file);
        timings(10).append_to(&file, "one", None);
        timings(20).append_to(&file, "two", Some(Duration::from_millis(3)));
        let text = std::fs::read_to_string(&file).unwrap();
        std::fs::remove_file(&file).unwrap();
        assert_eq!(
            median_ready_time(&text).unwrap(),
            (Duration::from_millis(15), 2)
        );
    }
}
