//! The Ansible dynamic-inventory view of a region: `all`, `_meta.hostvars`, a group for the
//! region whose children are its cells' groups, and a group per label.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use crate::domain::variables::Variables;

/// What the inventory needs to know of one host.
#[derive(Debug, Clone, PartialEq)]
pub struct InventoryHost {
    pub name: String,
    pub ip_address: String,
    /// The name of its cell, if it is in one.
    pub cell: Option<String>,
    pub labels: Vec<String>,
    /// Its resolved variables (project, cloud, region, cell, host).
    pub variables: Variables,
}

/// The group name Ansible reserves for host variables; a label by that name gets no group.
const META: &str = "_meta";

/// Builds the inventory of `region` from its hosts. Every list is sorted so the output is
/// stable; a label named like another group adds its hosts to that group.
pub fn build(region: &str, hosts: &[InventoryHost]) -> Value {
    let mut groups: BTreeMap<String, Group> = BTreeMap::new();
    let mut hostvars = serde_json::Map::new();
    let mut all = BTreeSet::new();
    groups.entry(region.to_owned()).or_default();
    for host in hosts {
        all.insert(host.name.clone());
        let mut vars = host.variables.0.clone();
        vars.entry("ansible_host")
            .or_insert_with(|| Value::String(host.ip_address.clone()));
        hostvars.insert(host.name.clone(), Value::Object(vars));
        match &host.cell {
            Some(cell) => {
                let cell_group = format!("{region}-{cell}");
                groups
                    .entry(region.to_owned())
                    .or_default()
                    .children
                    .insert(cell_group.clone());
                groups
                    .entry(cell_group)
                    .or_default()
                    .hosts
                    .insert(host.name.clone());
            }
            None => {
                groups
                    .entry(region.to_owned())
                    .or_default()
                    .hosts
                    .insert(host.name.clone());
            }
        }
        for label in &host.labels {
            if label != META && label != "all" {
                groups
                    .entry(label.clone())
                    .or_default()
                    .hosts
                    .insert(host.name.clone());
            }
        }
    }
    let mut inventory = serde_json::Map::new();
    inventory.insert("all".into(), json!({"hosts": all}));
    inventory.insert(META.into(), json!({"hostvars": hostvars}));
    for (name, group) in groups {
        inventory.insert(name, group.into_json());
    }
    Value::Object(inventory)
}

#[derive(Debug, Default)]
struct Group {
    hosts: BTreeSet<String>,
    children: BTreeSet<String>,
}

impl Group {
    fn into_json(self) -> Value {
        if self.children.is_empty() {
            json!({"hosts": self.hosts})
        } else {
            json!({"hosts": self.hosts, "children": self.children})
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(
        name: &str,
        ip: &str,
        cell: Option<&str>,
        labels: &[&str],
        vars: Value,
    ) -> InventoryHost {
        InventoryHost {
            name: name.into(),
            ip_address: ip.into(),
            cell: cell.map(Into::into),
            labels: labels.iter().map(|l| l.to_string()).collect(),
            variables: Variables::from_json("variables", vars).unwrap(),
        }
    }

    #[test]
    fn an_empty_region_has_empty_groups() {
        let inventory = build("dc1", &[]);
        assert_eq!(
            inventory,
            json!({"all": {"hosts": []}, "_meta": {"hostvars": {}}, "dc1": {"hosts": []}})
        );
    }

    #[test]
    fn hosts_are_grouped_by_region_cell_and_label() {
        let inventory = build(
            "dc1",
            &[
                host("web2", "10.0.0.2", Some("c1"), &["web"], json!({})),
                host("web1", "10.0.0.1", Some("c1"), &["web"], json!({})),
                host("db1", "10.0.0.3", None, &["db"], json!({})),
                host("db2", "10.0.0.4", Some("c2"), &["db", "web"], json!({})),
            ],
        );
        assert_eq!(
            inventory["all"]["hosts"],
            json!(["db1", "db2", "web1", "web2"])
        );
        assert_eq!(
            inventory["dc1"],
            json!({"hosts": ["db1"], "children": ["dc1-c1", "dc1-c2"]})
        );
        assert_eq!(inventory["dc1-c1"], json!({"hosts": ["web1", "web2"]}));
        assert_eq!(inventory["dc1-c2"], json!({"hosts": ["db2"]}));
        assert_eq!(inventory["web"], json!({"hosts": ["db2", "web1", "web2"]}));
        assert_eq!(inventory["db"], json!({"hosts": ["db1", "db2"]}));
    }

    #[test]
    fn ansible_host_is_the_ip_address_unless_variables_set_it() {
        let inventory = build(
            "dc1",
            &[
                host("a", "10.0.0.1", None, &[], json!({"role": "web"})),
                host(
                    "b",
                    "10.0.0.2",
                    None,
                    &[],
                    json!({"ansible_host": "b.example"}),
                ),
            ],
        );
        assert_eq!(
            inventory["_meta"]["hostvars"]["a"],
            json!({"ansible_host": "10.0.0.1", "role": "web"})
        );
        assert_eq!(
            inventory["_meta"]["hostvars"]["b"],
            json!({"ansible_host": "b.example"})
        );
    }

    #[test]
    fn a_label_named_like_the_region_joins_the_region_group() {
        let inventory = build(
            "dc1",
            &[host("a", "10.0.0.1", Some("c1"), &["dc1"], json!({}))],
        );
        assert_eq!(
            inventory["dc1"],
            json!({"hosts": ["a"], "children": ["dc1-c1"]})
        );
    }

    #[test]
    fn labels_cannot_replace_the_meta_or_all_groups() {
        let inventory = build(
            "dc1",
            &[host("a", "10.0.0.1", None, &["_meta", "all"], json!({}))],
        );
        assert_eq!(
            inventory["_meta"],
            json!({"hostvars": {"a": {"ansible_host": "10.0.0.1"}}})
        );
        assert_eq!(inventory["all"], json!({"hosts": ["a"]}));
    }
}
