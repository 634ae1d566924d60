//! How many samples each measurement takes and which sections run: decided from the flags
//! alone (pure), so a typo costs no engine time and every loop has a known bound.

/// The four things the bench measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub enum Section {
    /// Time to a ready per-test container, its whole lifecycle, the warm-pool wait.
    Containers,
    /// Image builds, cold and warm, against `docker build`.
    Build,
    /// The functional suite with `--jobs 1` and with the default.
    Suite,
    /// Removing 30 dangling images.
    Dangling,
}

/// Sample counts. Expensive measurements take fewer; the table's `n` column says how many.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Samples {
    /// Per container way (ready and lifecycle come from the same samples).
    pub containers: usize,
    pub warm_builds: usize,
    pub cold_builds: usize,
    /// Runs of the whole functional suite per parallelism setting (a minute or more each).
    pub suite_runs: usize,
    /// Rounds of 30 dangling images per removal way (31 builds to set up each).
    pub dangling_rounds: usize,
}

/// The most samples one may ask for: enough for any figure, few enough to end the same day.
pub const MAX_SAMPLES: usize = 200;
/// The dangling images each removal round starts from.
pub const DANGLING_IMAGES: usize = 30;

impl Samples {
    /// `--samples N` sets the per-container and warm-build counts; the expensive ones follow
    /// at a fixed fraction. `--quick` takes the fewest that still fill every row.
    pub fn new(quick: bool, samples: Option<usize>) -> Result<Self, String> {
        match samples {
            Some(n) if n == 0 || n > MAX_SAMPLES => Err(format!(
                "--samples must be between 1 and {MAX_SAMPLES}, not {n}"
            )),
            Some(n) => Ok(Self {
                containers: n,
                warm_builds: n,
                cold_builds: n.div_ceil(4),
                suite_runs: n.div_ceil(7),
                dangling_rounds: n.div_ceil(4),
            }),
            None if quick => Ok(Self {
                containers: 3,
                warm_builds: 3,
                cold_builds: 1,
                suite_runs: 1,
                dangling_rounds: 1,
            }),
            None => Self::new(false, Some(20)),
        }
    }
}

/// The sections to run: those named with `--only`, in the usual order, or all of them.
pub fn sections(only: &[Section]) -> Vec<Section> {
    let all = [
        Section::Containers,
        Section::Build,
        Section::Suite,
        Section::Dangling,
    ];
    let mut chosen: Vec<Section> = if only.is_empty() {
        all.to_vec()
    } else {
        only.to_vec()
    };
    chosen.sort();
    chosen.dedup();
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_takes_twenty_samples_of_what_is_cheap() {
        let s = Samples::new(false, None).unwrap();
        assert_eq!((s.containers, s.warm_builds), (20, 20));
        assert_eq!((s.cold_builds, s.suite_runs, s.dangling_rounds), (5, 3, 5));
    }

    #[test]
    fn quick_takes_one_of_everything_expensive() {
        let s = Samples::new(true, None).unwrap();
        assert_eq!((s.containers, s.warm_builds), (3, 3));
        assert_eq!((s.cold_builds, s.suite_runs, s.dangling_rounds), (1, 1, 1));
    }

    #[test]
    fn samples_scale_every_count_and_win_over_quick() {
        let s = Samples::new(true, Some(40)).unwrap();
        assert_eq!((s.containers, s.cold_builds, s.suite_runs), (40, 10, 6));
        let one = Samples::new(false, Some(1)).unwrap();
        assert_eq!(
            (one.cold_builds, one.suite_runs, one.dangling_rounds),
            (1, 1, 1)
        );
    }

    #[test]
    fn zero_or_absurd_sample_counts_are_refused_with_the_range() {
        for n in [0, MAX_SAMPLES + 1] {
            let err = Samples::new(false, Some(n)).unwrap_err();
            assert!(err.contains("between 1 and 200"), "{err}");
        }
    }

    #[test]
    fn only_runs_the_named_sections_once_each_in_order() {
        assert_eq!(sections(&[]).len(), 4);
        assert_eq!(
            sections(&[Section::Dangling, Section::Containers, Section::Dangling]),
            [Section::Containers, Section::Dangling]
        );
    }
}
