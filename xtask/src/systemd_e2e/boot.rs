//! When the systemd host counts as booted: reading `systemctl is-system-running`.

/// What `systemctl is-system-running` says, sorted by what the runner does next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Boot {
    /// `running`, or `degraded` (a unit failed, e.g. one that makes no sense in a container):
    /// the scenario checks the units it needs itself.
    Up(String),
    /// Still booting, or not answering yet (no bus before systemd is up): ask again.
    Booting(String),
    /// Shutting down or in maintenance: it will not come up.
    Down(String),
}

impl Boot {
    pub fn from_output(stdout: &str) -> Self {
        let state = stdout.trim().to_string();
        match state.as_str() {
            "running" | "degraded" => Boot::Up(state),
            "stopping" | "maintenance" => Boot::Down(state),
            // `initializing`, `starting`, `offline`, `unknown`, or nothing at all.
            _ => Boot::Booting(state),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn running_and_degraded_hosts_are_up() {
        assert_eq!(Boot::from_output("running\n"), Boot::Up("running".into()));
        assert_eq!(Boot::from_output("degraded\n"), Boot::Up("degraded".into()));
    }

    #[test]
    fn a_host_still_starting_or_without_a_bus_yet_is_waited_for() {
        for state in ["initializing", "starting", "offline", "unknown", ""] {
            assert!(
                matches!(Boot::from_output(state), Boot::Booting(_)),
                "{state}"
            );
        }
    }

    #[test]
    fn a_host_in_maintenance_or_stopping_is_given_up_on() {
        assert!(matches!(Boot::from_output("maintenance"), Boot::Down(_)));
        assert!(matches!(Boot::from_output("stopping"), Boot::Down(_)));
    }
}
