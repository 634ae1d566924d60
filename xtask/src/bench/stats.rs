//! Summaries of timing samples: median, min and max, and the ratio of one median to another.
//! Pure: the bench's figures are only as good as this arithmetic, so it is tested on its own.

use std::time::Duration;

/// What a set of samples came to. Medians, not means: one slow start on a shared machine
/// should not move the figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    pub samples: usize,
    pub median: Duration,
    pub min: Duration,
    pub max: Duration,
}

impl Stats {
    /// `None` for no samples; the median of an even count is the mean of the middle two.
    pub fn of(samples: &[Duration]) -> Option<Self> {
        let mut sorted = samples.to_vec();
        sorted.sort_unstable();
        let (first, last) = (*sorted.first()?, *sorted.last()?);
        let mid = sorted.len() / 2;
        let median = if sorted.len() % 2 == 0 {
            (sorted[mid - 1] + sorted[mid]) / 2
        } else {
            sorted[mid]
        };
        Some(Self {
            samples: sorted.len(),
            median,
            min: first,
            max: last,
        })
    }

    /// This median over `reference`'s: below 1 means faster than the reference.
    pub fn ratio_to(&self, reference: &Self) -> Option<f64> {
        ratio(self.median, reference.median)
    }
}

/// The samples of one way of doing something, or why it stopped being measured: one failed
/// sample ends a way (its row says why) without ending the bench.
#[derive(Debug, Clone, Default)]
pub struct Series {
    samples: Vec<Duration>,
    failure: Option<String>,
}

impl Series {
    /// A way that cannot be measured at all (no CLI, a skipped precondition).
    pub fn unavailable(why: impl Into<String>) -> Self {
        Self {
            samples: Vec::new(),
            failure: Some(why.into()),
        }
    }

    /// No samples taken (yet).
    pub fn is_empty(&self) -> bool {
        self.samples.is_empty()
    }

    /// Whether more samples should be taken.
    pub fn is_open(&self) -> bool {
        self.failure.is_none()
    }

    pub fn push(&mut self, sample: Duration) {
        if self.is_open() {
            self.samples.push(sample);
        }
    }

    /// Ends the series with the reason; samples taken so far are dropped from the table,
    /// since a way that failed once is not the way users would get.
    pub fn fail(&mut self, why: impl Into<String>) {
        if self.is_open() {
            self.failure = Some(why.into());
        }
    }

    /// The figures, or the reason there are none.
    pub fn result(&self) -> Result<Stats, String> {
        if let Some(why) = &self.failure {
            return Err(why.clone());
        }
        Stats::of(&self.samples).ok_or_else(|| "no samples".to_owned())
    }
}

/// `value / reference`, `None` when the reference is zero (a ratio to nothing means nothing).
pub fn ratio(value: Duration, reference: Duration) -> Option<f64> {
    (!reference.is_zero()).then(|| value.as_secs_f64() / reference.as_secs_f64())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(values: &[u64]) -> Vec<Duration> {
        values.iter().map(|v| Duration::from_millis(*v)).collect()
    }

    #[test]
    fn the_median_of_an_odd_count_is_the_middle_sample_whatever_the_order() {
        let stats = Stats::of(&ms(&[30, 10, 20])).unwrap();
        assert_eq!(stats.median, Duration::from_millis(20));
        assert_eq!(stats.min, Duration::from_millis(10));
        assert_eq!(stats.max, Duration::from_millis(30));
        assert_eq!(stats.samples, 3);
    }

    #[test]
    fn the_median_of_an_even_count_is_the_mean_of_the_middle_two() {
        let stats = Stats::of(&ms(&[40, 10, 20, 1000])).unwrap();
        assert_eq!(stats.median, Duration::from_millis(30));
        assert_eq!(stats.max, Duration::from_millis(1000));
    }

    #[test]
    fn one_sample_is_its_own_median_min_and_max() {
        let stats = Stats::of(&ms(&[7])).unwrap();
        assert_eq!(
            (stats.median, stats.min, stats.max),
            (ms(&[7])[0], ms(&[7])[0], ms(&[7])[0])
        );
    }

    #[test]
    fn no_samples_give_no_stats() {
        assert_eq!(Stats::of(&[]), None);
    }

    #[test]
    fn a_failed_series_reports_why_instead_of_its_samples() {
        let mut series = Series::default();
        series.push(Duration::from_millis(5));
        assert!(series.result().is_ok());
        series.fail("sample 2: container did not answer");
        series.push(Duration::from_millis(5));
        series.fail("a later reason");
        assert_eq!(
            series.result(),
            Err("sample 2: container did not answer".to_owned())
        );
        assert!(!series.is_open());
    }

    #[test]
    fn an_empty_series_says_so() {
        assert_eq!(Series::default().result(), Err("no samples".to_owned()));
        assert_eq!(
            Series::unavailable("docker CLI not installed").result(),
            Err("docker CLI not installed".to_owned())
        );
    }

    #[test]
    fn ratios_compare_medians_and_refuse_a_zero_reference() {
        let fast = Stats::of(&ms(&[100])).unwrap();
        let slow = Stats::of(&ms(&[400])).unwrap();
        assert_eq!(fast.ratio_to(&slow), Some(0.25));
        assert_eq!(slow.ratio_to(&fast), Some(4.0));
        assert_eq!(ratio(Duration::from_millis(5), Duration::ZERO), None);
    }
}
