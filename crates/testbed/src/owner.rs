//! Who owns a test run, so a later run can tell the leftovers of a killed run from the
//! containers of a run that is still going on the same engine.
//!
//! The owner is `host:pid:start-time` of the process that started the run (`cargo xtask
//! functional`, or the test process itself when run alone). The start time (field 22 of
//! `/proc/PID/stat`, in clock ticks since boot) guards against a recycled pid: the run is alive
//! only while a process with that pid *and* that start time exists on that host. Runs owned by
//! another host (an engine shared over TCP) cannot be checked that way; they count as abandoned
//! only once older than [`FOREIGN_RUN_MAX_AGE_SECS`].

use std::fmt;
use std::str::FromStr;

/// A run owned by another host is swept only after this long (a day).
pub const FOREIGN_RUN_MAX_AGE_SECS: i64 = 24 * 60 * 60;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    pub host: String,
    pub pid: u32,
    pub start_time: u64,
}

/// What a sweep decides about a run's leftovers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Liveness {
    Alive,
    Dead,
}

impl Owner {
    /// The current process.
    pub fn this_process() -> Self {
        let pid = std::process::id();
        Self {
            host: this_host(),
            pid,
            start_time: start_time_of(pid).unwrap_or(0),
        }
    }

    /// Decides whether the owning process still runs. `start_time_of` answers for a pid on
    /// this host (None: no such process); `age_secs` is how old the leftover is.
    pub fn liveness(
        &self,
        this_host: &str,
        start_time_of: impl Fn(u32) -> Option<u64>,
        age_secs: i64,
    ) -> Liveness {
        if self.host != this_host {
            return if age_secs > FOREIGN_RUN_MAX_AGE_SECS {
                Liveness::Dead
            } else {
                Liveness::Alive
            };
        }
        match start_time_of(self.pid) {
            Some(t) if t == self.start_time => Liveness::Alive,
            _ => Liveness::Dead,
        }
    }
}

impl fmt::Display for Owner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.host, self.pid, self.start_time)
    }
}

impl FromStr for Owner {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("not an owner (host:pid:start-time): {s:?}");
        let mut parts = s.rsplitn(3, ':');
        let start_time = parts.next().and_then(|t| t.parse().ok()).ok_or_else(bad)?;
        let pid = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
        let host = parts.next().filter(|h| !h.is_empty()).ok_or_else(bad)?;
        Ok(Self {
            host: host.to_owned(),
            pid,
            start_time,
        })
    }
}

/// This machine's host name, as the kernel knows it.
pub fn this_host() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_owned())
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".to_owned())
}

/// The start time of a process on this host, None when there is no such process.
pub fn start_time_of(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    parse_start_time(&stat)
}

/// Field 22 of `/proc/PID/stat`. The command name (field 2) may hold spaces and parentheses,
/// so fields are counted after its last `)`.
fn parse_start_time(stat: &str) -> Option<u64> {
    let after_comm = &stat[stat.rfind(')')? + 1..];
    // after_comm starts at field 3; field 22 is the 20th from there.
    after_comm.split_whitespace().nth(19)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owner() -> Owner {
        Owner {
            host: "ci-node".into(),
            pid: 4242,
            start_time: 777,
        }
    }

    #[test]
    fn an_owner_reads_back_what_it_writes() {
        assert_eq!(owner().to_string(), "ci-node:4242:777");
        assert_eq!("ci-node:4242:777".parse::<Owner>(), Ok(owner()));
    }

    #[test]
    fn malformed_owners_are_refused() {
        for bad in ["", "host", "host:1", ":1:2", "h:x:2", "h:1:y"] {
            assert!(bad.parse::<Owner>().is_err(), "{bad}");
        }
    }

    #[test]
    fn a_run_whose_process_runs_is_alive() {
        assert_eq!(
            owner().liveness("ci-node", |_| Some(777), 0),
            Liveness::Alive
        );
    }

    #[test]
    fn a_run_whose_process_is_gone_is_dead() {
        assert_eq!(owner().liveness("ci-node", |_| None, 0), Liveness::Dead);
    }

    #[test]
    fn a_recycled_pid_does_not_keep_a_dead_run_alive() {
        assert_eq!(
            owner().liveness("ci-node", |_| Some(9999), 0),
            Liveness::Dead
        );
    }

    #[test]
    fn another_hosts_run_is_left_alone_until_it_is_a_day_old() {
        let o = owner();
        assert_eq!(o.liveness("laptop", |_| None, 3600), Liveness::Alive);
        assert_eq!(
            o.liveness("laptop", |_| None, FOREIGN_RUN_MAX_AGE_SECS + 1),
            Liveness::Dead
        );
    }

    #[test]
    fn start_time_is_field_22_even_with_odd_command_names() {
        let stat = "12 (a) b (c) S 1 12 12 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 98765 100 200";
        assert_eq!(parse_start_time(stat), Some(98765));
    }

    #[test]
    fn this_process_is_alive() {
        let me = Owner::this_process();
        assert_ne!(me.start_time, 0);
        assert_eq!(me.liveness(&this_host(), start_time_of, 0), Liveness::Alive);
    }
}
