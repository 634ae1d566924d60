//! What a test run came to: counts read from nextest's JUnit report or from libtest's
//! `test result:` line, and the summary printed at the end.

use std::time::Duration;

/// Tests that passed and failed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub passed: usize,
    pub failed: usize,
}

/// Counts from a JUnit report: the `tests`, `failures` and `errors` attributes of its root
/// `<testsuites>` element.
pub fn from_junit(xml: &str) -> Option<Counts> {
    let start = xml.find("<testsuites")?;
    let tag = &xml[start..start + xml[start..].find('>')?];
    let attr = |name: &str| -> Option<usize> {
        let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
        tag[at..].split('"').next()?.parse().ok()
    };
    let tests = attr("tests")?;
    let failed = attr("failures").unwrap_or(0) + attr("errors").unwrap_or(0);
    Some(Counts {
        passed: tests.saturating_sub(failed),
        failed,
    })
}

/// Counts from a libtest `test result: ok. 3 passed; 1 failed; ...` line, if `line` is one.
pub fn from_libtest_line(line: &str) -> Option<Counts> {
    let rest = line.trim().strip_prefix("test result:")?;
    let number_before = |word: &str| -> Option<usize> {
        let mut previous: Option<&str> = None;
        for token in rest.split(|c: char| c.is_whitespace() || c == ';' || c == '.') {
            if token == word {
                return previous?.parse().ok();
            }
            if !token.is_empty() {
                previous = Some(token);
            }
        }
        None
    };
    Some(Counts {
        passed: number_before("passed")?,
        failed: number_before("failed")?,
    })
}

/// The figures of the closing summary.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub counts: Option<Counts>,
    pub run: String,
    pub image: String,
    pub jobs: usize,
    pub build: Option<Duration>,
    pub tests: Option<Duration>,
    pub cleanup: Duration,
    /// Median create-to-ready time and how many containers it covers.
    pub ready: Option<(Duration, usize)>,
    /// Median time a test waited for its container, and how many tests.
    pub wait: Option<(Duration, usize)>,
    /// Size of the warm pool (0: none) and what its keeper did.
    pub warm: usize,
    pub pool: Option<testbed::pool::PoolStats>,
    pub removed: String,
    pub junit: Option<String>,
    pub logs: Option<String>,
}

impl Summary {
    pub fn render(&self) -> String {
        let secs = |d: Option<Duration>| {
            d.map_or("skipped".to_owned(), |d| {
                format!("{:.1} s", d.as_secs_f64())
            })
        };
        let mut text = match self.counts {
            Some(c) => format!("functional: {} passed, {} failed\n", c.passed, c.failed),
            None => "functional: no test result\n".to_owned(),
        };
        text.push_str(&format!("  run      {} (image {})\n", self.run, self.image));
        text.push_str(&format!("  build    {}\n", secs(self.build)));
        let pool = match self.pool {
            Some(p) if self.warm > 0 => {
                format!(", warm pool of {} ({} started)", self.warm, p.started)
            }
            _ => String::new(),
        };
        text.push_str(&format!(
            "  tests    {} ({} jobs{pool})\n",
            secs(self.tests),
            self.jobs
        ));
        if let Some((median, n)) = self.ready {
            text.push_str(&format!(
                "  start    median create to ready {} ms over {n} containers\n",
                median.as_millis()
            ));
        }
        if let Some((median, n)) = self.wait {
            text.push_str(&format!(
                "  wait     median wait of a test for its container {:.1} ms over {n} tests\n",
                median.as_secs_f64() * 1000.0
            ));
        }
        text.push_str(&format!(
            "  cleanup  {} ({})\n",
            secs(Some(self.cleanup)),
            self.removed
        ));
        if let Some(junit) = &self.junit {
            text.push_str(&format!("  junit    {junit}\n"));
        }
        if let Some(logs) = &self.logs {
            text.push_str(&format!("  logs     {logs}\n"));
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn junit_counts_come_from_the_root_element() {
        let xml = r#"<?xml version="1.0"?><testsuites name="f" tests="98" failures="2" errors="1" uuid="x"><testsuite tests="98">"#;
        assert_eq!(
            from_junit(xml),
            Some(Counts {
                passed: 95,
                failed: 3
            })
        );
        assert_eq!(from_junit("<nothing/>"), None);
    }

    #[test]
    fn libtest_result_lines_are_read() {
        let line = "test result: FAILED. 97 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out; finished in 9.1s";
        assert_eq!(
            from_libtest_line(line),
            Some(Counts {
                passed: 97,
                failed: 1
            })
        );
        assert_eq!(from_libtest_line("test hosts::a ... ok"), None);
    }

    #[test]
    fn the_summary_leads_with_the_plain_counts_line() {
        let summary = Summary {
            counts: Some(Counts {
                passed: 3,
                failed: 0,
            }),
            run: "r1".into(),
            image: "craton:functional-r1".into(),
            jobs: 6,
            build: Some(Duration::from_millis(1500)),
            tests: Some(Duration::from_secs(10)),
            cleanup: Duration::from_millis(200),
            ready: Some((Duration::from_millis(420), 3)),
            wait: Some((Duration::from_micros(1500), 3)),
            warm: 0,
            pool: None,
            removed: "3 containers, 1 image".into(),
            junit: None,
            logs: None,
        };
        let text = summary.render();
        assert!(
            text.starts_with("functional: 3 passed, 0 failed\n"),
            "{text}"
        );
        assert!(text.contains("build    1.5 s"), "{text}");
        assert!(
            text.contains("median create to ready 420 ms over 3 containers"),
            "{text}"
        );
        assert!(
            text.contains("wait of a test for its container 1.5 ms over 3 tests"),
            "{text}"
        );
        assert!(
            text.contains("cleanup  0.2 s (3 containers, 1 image)"),
            "{text}"
        );
    }
}
