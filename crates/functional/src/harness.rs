//! The test harness: libtest's command line (so cargo test and nextest drive it as usual), a
//! fresh testbed per test, failures' logs kept, and container removal in the background with
//! the process waiting for it before it exits.

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::process::ExitCode;

use std::collections::HashSet;

use libtest_mimic::{Arguments, Failed, Trial};
use testbed::{Partition, Session, Testbed, settings};

/// One functional test.
pub struct Case {
    name: String,
    body: Body,
    volume: bool,
}

enum Body {
    /// Gets a fresh testbed from the harness.
    WithTestbed(fn(&mut Testbed)),
    /// Manages testbeds itself (tests of the testbed's own guarantees).
    Bare(fn()),
}

impl Case {
    /// `module` is the test's `module_path!()`; its first part (the test binary) is dropped,
    /// so names read `hosts::a_host_keeps_its_labels`.
    pub fn new(module: &str, function: &str, body: fn(&mut Testbed)) -> Self {
        let module = module.split_once("::").map_or("", |(_, rest)| rest);
        let name = if module.is_empty() {
            function.to_owned()
        } else {
            format!("{module}::{function}")
        };
        Self {
            name,
            body: Body::WithTestbed(body),
            volume: false,
        }
    }

    /// A test that starts its own testbeds, if any.
    pub fn bare(module: &str, function: &str, body: fn()) -> Self {
        let mut case = Self::new(module, function, |_| {});
        case.body = Body::Bare(body);
        case
    }

    /// Keep the database on a named volume (for restart tests).
    pub fn with_volume(mut self) -> Self {
        self.volume = true;
        self
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    fn into_trial(self) -> Trial {
        let Self { name, body, volume } = self;
        let body = match body {
            Body::WithTestbed(body) => body,
            Body::Bare(body) => {
                return Trial::test(name, move || {
                    catch_unwind(body).map_err(|panic| panic_message(panic).into())
                });
            }
        };
        Trial::test(name.clone(), move || {
            let started = if volume {
                Testbed::start_with_volume(&name)
            } else {
                Testbed::start(&name)
            };
            let mut bed = started.map_err(|err| Failed::from(format!("{err:#}")))?;
            match catch_unwind(AssertUnwindSafe(|| body(&mut bed))) {
                Ok(()) => Ok(()),
                Err(panic) => {
                    // Not unwinding any more: tell the testbed, so it keeps the logs.
                    bed.mark_failed();
                    drop(bed);
                    Err(panic_message(panic).into())
                }
            }
        })
    }
}

fn panic_message(panic: Box<dyn Any + Send>) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_else(|| "the test panicked".to_owned())
}

/// Runs the modules' cases with libtest's arguments and exits like libtest.
pub fn main(modules: impl IntoIterator<Item = Vec<Case>>) -> ExitCode {
    let args = Arguments::from_args();
    let cases: Vec<Case> = modules.into_iter().flatten().collect();
    let cases = match partition_from_env() {
        Ok(partition) => in_share(cases, partition),
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::from(2);
        }
    };
    let session = Session::begin();
    let trials = cases.into_iter().map(Case::into_trial).collect();
    let conclusion = libtest_mimic::run(&args, trials);
    let cleaned = session.end();
    if let Err(err) = &cleaned {
        eprintln!("error: {err:#}");
    }
    if conclusion.has_failed() || cleaned.is_err() {
        ExitCode::from(101)
    } else {
        ExitCode::SUCCESS
    }
}

/// The share named by `CRATON_TEST_PARTITION` (cargo test has no `--partition` of its own).
fn partition_from_env() -> Result<Option<Partition>, String> {
    match std::env::var(settings::PARTITION) {
        Ok(text) if !text.is_empty() => text
            .parse()
            .map(Some)
            .map_err(|why| format!("{}: {why}", settings::PARTITION)),
        _ => Ok(None),
    }
}

fn in_share(cases: Vec<Case>, partition: Option<Partition>) -> Vec<Case> {
    let Some(partition) = partition else {
        return cases;
    };
    let chosen: HashSet<String> = partition
        .select(cases.iter().map(Case::name))
        .into_iter()
        .map(str::to_owned)
        .collect();
    cases
        .into_iter()
        .filter(|case| chosen.contains(case.name()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nothing(_: &mut Testbed) {}

    #[test]
    fn case_names_drop_the_binary_and_keep_the_module() {
        assert_eq!(Case::new("api::hosts", "a_b", nothing).name(), "hosts::a_b");
        assert_eq!(Case::new("api", "a_b", nothing).name(), "a_b");
    }

    #[test]
    fn a_partition_keeps_its_share_of_the_cases() {
        let cases = || ["m::c", "m::a", "m::b"].map(|n| Case::new("api::m", &n[3..], nothing));
        let share = in_share(cases().into(), Some("2/2".parse().unwrap()));
        let names: Vec<&str> = share.iter().map(Case::name).collect();
        assert_eq!(names, ["m::b"]);
        assert_eq!(in_share(cases().into(), None).len(), 3);
    }

    #[test]
    fn panic_messages_are_kept() {
        let panic = catch_unwind(|| panic!("boom {}", 1)).unwrap_err();
        assert_eq!(panic_message(panic), "boom 1");
    }
}
