//! The engine's build output, followed step by step: which step runs, which came from the
//! cache and how long each took (pure), and how that is shown: a live bar on a terminal,
//! plain lines in CI or with `--quiet`.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

/// What one line of the classic builder's output means to us.
#[derive(Debug, PartialEq, Eq)]
pub enum StreamLine<'a> {
    /// `Step 3/12 : COPY craton /craton`
    Step {
        number: usize,
        total: usize,
        instruction: &'a str,
    },
    /// ` ---> Using cache`: the step's result came from the layer cache.
    UsingCache,
    /// The builder's own chatter (intermediate containers, step results, the final tag).
    Chatter,
    /// Anything else: what a `RUN` step printed, warnings.
    Output(&'a str),
}

pub fn classify(line: &str) -> StreamLine<'_> {
    if let Some(step) = parse_step(line) {
        return step;
    }
    let trimmed = line.trim();
    if trimmed == "---> Using cache" {
        return StreamLine::UsingCache;
    }
    let chatter = ["--->", "Removing intermediate container", "Successfully "];
    if trimmed.is_empty() || chatter.iter().any(|prefix| trimmed.starts_with(prefix)) {
        return StreamLine::Chatter;
    }
    StreamLine::Output(line.trim_end())
}

fn parse_step(line: &str) -> Option<StreamLine<'_>> {
    let rest = line.strip_prefix("Step ")?;
    let (counts, instruction) = rest.split_once(" : ")?;
    let (number, total) = counts.split_once('/')?;
    Some(StreamLine::Step {
        number: number.parse().ok()?,
        total: total.parse().ok()?,
        instruction: instruction.trim_end(),
    })
}

/// A step of the build, once it has finished (or while it runs: `elapsed` is zero then).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepRecord {
    pub number: usize,
    pub total: usize,
    pub instruction: String,
    pub cached: bool,
    pub elapsed: Duration,
}

impl StepRecord {
    /// A `FROM` step names the base; there is nothing to build or to take from the cache.
    pub fn is_base(&self) -> bool {
        self.instruction
            .get(..5)
            .is_some_and(|word| word.eq_ignore_ascii_case("FROM "))
    }

    /// `[ 3/12] cached 0.01s  COPY craton /craton`
    pub fn line(&self) -> String {
        let width = self.total.to_string().len();
        format!(
            "[{:>width$}/{}] {} {:>6}  {}",
            self.number,
            self.total,
            match (self.is_base(), self.cached) {
                (true, _) => "base  ",
                (false, true) => "cached",
                (false, false) => "built ",
            },
            format!("{:.2}s", self.elapsed.as_secs_f64()),
            self.instruction,
        )
    }
}

/// What happened as output arrived.
#[derive(Debug, PartialEq, Eq)]
pub enum Event {
    Started(StepRecord),
    Finished(StepRecord),
    Output(String),
}

/// Follows the build's output, which arrives in chunks that need not end at line ends.
#[derive(Debug, Default)]
pub struct StepTracker {
    partial: String,
    current: Option<(StepRecord, Instant)>,
    finished: Vec<StepRecord>,
}

impl StepTracker {
    pub fn feed(&mut self, chunk: &str, now: Instant) -> Vec<Event> {
        self.partial.push_str(chunk);
        let mut events = Vec::new();
        while let Some(end) = self.partial.find('\n') {
            let line: String = self.partial.drain(..=end).collect();
            self.line(&line, now, &mut events);
        }
        events
    }

    fn line(&mut self, line: &str, now: Instant, events: &mut Vec<Event>) {
        match classify(line) {
            StreamLine::Step {
                number,
                total,
                instruction,
            } => {
                events.extend(self.close(now).map(Event::Finished));
                let step = StepRecord {
                    number,
                    total,
                    instruction: instruction.to_owned(),
                    cached: false,
                    elapsed: Duration::ZERO,
                };
                events.push(Event::Started(step.clone()));
                self.current = Some((step, now));
            }
            StreamLine::UsingCache => {
                if let Some((step, _)) = &mut self.current {
                    step.cached = true;
                }
            }
            StreamLine::Chatter => {}
            StreamLine::Output(text) => events.push(Event::Output(text.to_owned())),
        }
    }

    /// Ends the running step (the stream ended, or the next step began).
    pub fn close(&mut self, now: Instant) -> Option<StepRecord> {
        let (mut step, started) = self.current.take()?;
        step.elapsed = now.saturating_duration_since(started);
        self.finished.push(step.clone());
        Some(step)
    }

    /// The step that was running, for a failure message.
    pub fn running(&self) -> Option<&StepRecord> {
        self.current.as_ref().map(|(step, _)| step)
    }

    pub fn finished(&self) -> &[StepRecord] {
        &self.finished
    }
}

/// How progress is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// A live bar for the running step, a line for each finished one.
    Bar,
    /// A line for each finished step: logs of CI, `--quiet`, pipes.
    Lines,
}

impl Style {
    /// A bar only for a person at a terminal: not in CI (`CI` set), not with `--quiet`.
    pub fn detect(quiet: bool) -> Self {
        if quiet || std::env::var_os("CI").is_some() || !std::io::stderr().is_terminal() {
            Self::Lines
        } else {
            Self::Bar
        }
    }
}

/// Shows the events on stderr in the chosen style.
pub struct Display {
    bar: Option<ProgressBar>,
}

impl Display {
    pub fn new(style: Style) -> Self {
        let bar = (style == Style::Bar).then(|| {
            let bar = ProgressBar::new(0);
            bar.set_style(
                ProgressStyle::with_template("{spinner} [{pos}/{len}] {msg} {elapsed}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.enable_steady_tick(Duration::from_millis(100));
            bar
        });
        Self { bar }
    }

    pub fn show(&self, event: &Event) {
        match (event, &self.bar) {
            (Event::Started(step), Some(bar)) => {
                bar.set_length(step.total as u64);
                bar.set_position(step.number.saturating_sub(1) as u64);
                bar.set_message(step.instruction.clone());
            }
            (Event::Started(_), None) => {}
            (Event::Finished(step), _) => self.println(&step.line()),
            (Event::Output(text), _) => self.println(&format!("         {text}")),
        }
    }

    pub fn println(&self, line: &str) {
        match &self.bar {
            Some(bar) => bar.println(line),
            None => eprintln!("{line}"),
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Drop for Display {
    fn drop(&mut self) {
        self.finish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_lines_give_number_total_and_instruction() {
        assert_eq!(
            classify("Step 3/12 : COPY craton /craton\n"),
            StreamLine::Step {
                number: 3,
                total: 12,
                instruction: "COPY craton /craton"
            }
        );
    }

    #[test]
    fn builder_chatter_is_told_apart_from_step_output() {
        assert_eq!(classify(" ---> Using cache\n"), StreamLine::UsingCache);
        assert_eq!(classify(" ---> 1639c091b307\n"), StreamLine::Chatter);
        assert_eq!(classify(" ---> Running in 5b0f6dad\n"), StreamLine::Chatter);
        assert_eq!(
            classify("Removing intermediate container 5b0f6dad\n"),
            StreamLine::Chatter
        );
        assert_eq!(
            classify("Successfully tagged craton:dev\n"),
            StreamLine::Chatter
        );
        assert_eq!(
            classify("hello from RUN\n"),
            StreamLine::Output("hello from RUN")
        );
    }

    #[test]
    fn a_step_counts_as_cached_when_the_engine_says_so_and_lasts_until_the_next() {
        let start = Instant::now();
        let mut tracker = StepTracker::default();
        tracker.feed("Step 1/2 : FROM scratch\n ---> Using cache\n", start);
        let events = tracker.feed(
            "Step 2/2 : COPY craton /craton\n",
            start + Duration::from_secs(1),
        );
        let Event::Finished(first) = &events[0] else {
            panic!("first step did not finish: {events:?}");
        };
        assert!(first.cached);
        assert_eq!(first.elapsed, Duration::from_secs(1));
        assert!(matches!(&events[1], Event::Started(step) if step.number == 2));

        let last = tracker.close(start + Duration::from_secs(3)).unwrap();
        assert!(!last.cached);
        assert_eq!(last.elapsed, Duration::from_secs(2));
        assert_eq!(tracker.finished().len(), 2);
    }

    #[test]
    fn a_line_split_across_chunks_is_read_once_whole() {
        let now = Instant::now();
        let mut tracker = StepTracker::default();
        assert!(tracker.feed("Step 1/3 : COPY cra", now).is_empty());
        let events = tracker.feed("ton /craton\n", now);
        assert!(
            matches!(&events[..], [Event::Started(step)] if step.instruction == "COPY craton /craton")
        );
        assert_eq!(tracker.running().unwrap().number, 1);
    }

    #[test]
    fn a_finished_step_reads_as_one_aligned_line() {
        let step = StepRecord {
            number: 3,
            total: 12,
            instruction: "COPY craton /craton".into(),
            cached: true,
            elapsed: Duration::from_millis(20),
        };
        assert_eq!(step.line(), "[ 3/12] cached  0.02s  COPY craton /craton");
        let base = StepRecord {
            instruction: "FROM scratch".into(),
            ..step
        };
        assert!(base.is_base());
        assert!(base.line().contains("] base    0.02s  FROM scratch"));
    }
}
