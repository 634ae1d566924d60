//! The machine the figures were taken on (CPU, cores, kernel, engine, load), as printed above
//! the table: timings are meaningless without it.

use std::future::Future;
use std::time::{Duration, SystemTime};

use bollard::Docker;

use super::report::Machine;
use crate::build_image::labels::{epoch_secs, rfc3339};

/// Reads the host's facts; what cannot be read shows as `?`.
pub async fn describe(docker: &Docker) -> Machine {
    let read = |path: &str| std::fs::read_to_string(path).unwrap_or_default();
    let engine = docker
        .version()
        .await
        .ok()
        .and_then(|v| v.version)
        .unwrap_or_else(|| "?".to_owned());
    Machine {
        date: rfc3339(epoch_secs(SystemTime::now())),
        cpu: cpu_model(&read("/proc/cpuinfo")).unwrap_or_else(|| "?".to_owned()),
        cores: std::thread::available_parallelism().map_or(0, usize::from),
        kernel: Some(read("/proc/sys/kernel/osrelease").trim().to_owned())
            .filter(|k| !k.is_empty())
            .unwrap_or_else(|| "?".to_owned()),
        engine,
        load_before: load_now(),
        load_peak: None,
        load_after: None,
    }
}

/// `work`'s output, and the highest 1-minute load average seen every few seconds while it ran.
pub async fn peak_load_during<T>(work: impl Future<Output = T>) -> (T, Option<f64>) {
    let higher = |peak: Option<f64>, load: Option<f64>| match (peak, load) {
        (Some(p), Some(l)) => Some(p.max(l)),
        (p, l) => p.or(l),
    };
    let mut peak = load_now();
    let mut work = std::pin::pin!(work);
    loop {
        tokio::select! {
            output = &mut work => return (output, higher(peak, load_now())),
            () = tokio::time::sleep(Duration::from_secs(5)) => peak = higher(peak, load_now()),
        }
    }
}

/// The 1-minute load average now.
pub fn load_now() -> Option<f64> {
    one_minute_load(&std::fs::read_to_string("/proc/loadavg").ok()?)
}

/// The first `model name` of `/proc/cpuinfo`, spaces squeezed.
pub fn cpu_model(cpuinfo: &str) -> Option<String> {
    cpuinfo
        .lines()
        .find_map(|line| line.strip_prefix("model name")?.split_once(':'))
        .map(|(_, model)| model.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|model| !model.is_empty())
}

/// The first field of `/proc/loadavg`.
pub fn one_minute_load(loadavg: &str) -> Option<f64> {
    loadavg.split_whitespace().next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cpu_model_is_the_first_model_name_line() {
        let cpuinfo = "processor\t: 0\nmodel name\t: AMD EPYC  7B13 64-Core Processor\n\
                       processor\t: 1\nmodel name\t: other\n";
        assert_eq!(
            cpu_model(cpuinfo).as_deref(),
            Some("AMD EPYC 7B13 64-Core Processor")
        );
        assert_eq!(cpu_model("processor : 0\n"), None);
    }

    #[test]
    fn the_load_is_the_first_field_of_loadavg() {
        assert_eq!(one_minute_load("2.75 3.18 2.16 3/412 9876\n"), Some(2.75));
        assert_eq!(one_minute_load(""), None);
    }
}
