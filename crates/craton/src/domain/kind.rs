//! The kinds of objects the API serves, and the names each goes by (in paths, tables, JSON
//! list keys and messages).

/// One kind of object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Project,
    User,
    Cloud,
    Region,
    Cell,
    Host,
    Network,
    NetworkDevice,
}

impl Kind {
    /// The path segment after `/v1/`.
    pub fn path(self) -> &'static str {
        match self {
            Kind::Project => "projects",
            Kind::User => "users",
            Kind::Cloud => "clouds",
            Kind::Region => "regions",
            Kind::Cell => "cells",
            Kind::Host => "hosts",
            Kind::Network => "networks",
            Kind::NetworkDevice => "network-devices",
        }
    }

    /// The SQL table, and the key of a list answer.
    pub fn table(self) -> &'static str {
        match self {
            Kind::NetworkDevice => "network_devices",
            other => other.path(),
        }
    }

    /// How messages name one object of this kind.
    pub fn singular(self) -> &'static str {
        match self {
            Kind::Project => "project",
            Kind::User => "user",
            Kind::Cloud => "cloud",
            Kind::Region => "region",
            Kind::Cell => "cell",
            Kind::Host => "host",
            Kind::Network => "network",
            Kind::NetworkDevice => "network device",
        }
    }

    /// `1 cell`, `2 cells`, `1 network device`.
    pub fn count(self, n: u64) -> String {
        if n == 1 {
            format!("1 {}", self.singular())
        } else {
            format!("{n} {}s", self.singular())
        }
    }

    /// The table holding this kind's variables, if it has any.
    pub fn variables_table(self) -> Option<&'static str> {
        match self {
            Kind::Project => Some("project_variables"),
            Kind::User => None,
            Kind::Cloud => Some("cloud_variables"),
            Kind::Region => Some("region_variables"),
            Kind::Cell => Some("cell_variables"),
            Kind::Host => Some("host_variables"),
            Kind::Network => Some("network_variables"),
            Kind::NetworkDevice => Some("network_device_variables"),
        }
    }

    /// Whether ids of this kind are integers (all but projects, whose ids are UUIDs).
    pub fn has_integer_ids(self) -> bool {
        self != Kind::Project
    }
}

/// `a`, `a and b`, `a, b and c`: for messages listing what is in the way.
pub fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn network_devices_use_a_dash_in_paths_and_an_underscore_in_tables() {
        assert_eq!(Kind::NetworkDevice.path(), "network-devices");
        assert_eq!(Kind::NetworkDevice.table(), "network_devices");
    }

    #[test]
    fn counts_are_singular_for_one_and_plural_otherwise() {
        assert_eq!(Kind::Cell.count(1), "1 cell");
        assert_eq!(Kind::Host.count(5), "5 hosts");
        assert_eq!(Kind::NetworkDevice.count(2), "2 network devices");
    }

    #[test]
    fn lists_of_things_read_as_english() {
        let items = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(join_and(&items(&["2 cells"])), "2 cells");
        assert_eq!(
            join_and(&items(&["2 cells", "5 hosts"])),
            "2 cells and 5 hosts"
        );
        assert_eq!(
            join_and(&items(&["1 cell", "1 host", "1 network"])),
            "1 cell, 1 host and 1 network"
        );
    }

    #[test]
    fn users_have_no_variables() {
        assert_eq!(Kind::User.variables_table(), None);
        assert_eq!(Kind::Project.variables_table(), Some("project_variables"));
    }
}
