//! `craton inventory --list | --host NAME`: an Ansible dynamic inventory script. It reads where
//! and who from the environment, fetches `/v1/ansible-inventory` and prints what Ansible expects.

use std::time::Duration;

use anyhow::{Context, Result, bail};
use serde_json::Value;

use crate::http_client;

pub const URL_VAR: &str = "CRATON_URL";
pub const PROJECT_VAR: &str = "CRATON_PROJECT";
pub const USER_VAR: &str = "CRATON_USER";
pub const TOKEN_VAR: &str = "CRATON_TOKEN";
pub const REGION_VAR: &str = "CRATON_REGION_ID";
pub const CELL_VAR: &str = "CRATON_CELL_ID";

/// Where to fetch the inventory from, and as whom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub url: String,
    pub project: String,
    pub user: String,
    pub token: String,
    pub region_id: i64,
    pub cell_id: Option<i64>,
}

impl Source {
    /// Reads the variables through `lookup`; every missing one is named in a single error.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self> {
        let get = |name: &str| lookup(name).filter(|value| !value.is_empty());
        let required = [URL_VAR, PROJECT_VAR, USER_VAR, TOKEN_VAR, REGION_VAR];
        let missing: Vec<&str> = required
            .iter()
            .copied()
            .filter(|name| get(name).is_none())
            .collect();
        if !missing.is_empty() {
            bail!(
                "set {} in the environment (the inventory needs {})",
                missing.join(", "),
                required.join(", ")
            );
        }
        let id = |name: &str, value: String| -> Result<i64> {
            value
                .parse()
                .with_context(|| format!("{name}={value:?} is not an integer id"))
        };
        let value = |name: &str| get(name).unwrap_or_default();
        Ok(Self {
            url: value(URL_VAR).trim_end_matches('/').to_owned(),
            project: value(PROJECT_VAR),
            user: value(USER_VAR),
            token: value(TOKEN_VAR),
            region_id: id(REGION_VAR, value(REGION_VAR))?,
            cell_id: get(CELL_VAR).map(|cell| id(CELL_VAR, cell)).transpose()?,
        })
    }

    /// The URL of the inventory endpoint for this region (and cell).
    pub fn inventory_url(&self) -> String {
        let mut url = format!(
            "{}/v1/ansible-inventory?region_id={}",
            self.url, self.region_id
        );
        if let Some(cell) = self.cell_id {
            url.push_str(&format!("&cell_id={cell}"));
        }
        url
    }

    /// Fetches the inventory; an error answer becomes an error naming its status and message.
    pub fn fetch(&self, timeout: Duration) -> Result<Value> {
        let url = self.inventory_url();
        let answer = http_client::get(
            &url,
            &[
                ("X-Auth-Project", &self.project),
                ("X-Auth-User", &self.user),
                ("X-Auth-Token", &self.token),
                ("Accept", "application/json"),
            ],
            timeout,
        )?;
        let body: Value = serde_json::from_str(&answer.body)
            .with_context(|| format!("{url} answered {} with no JSON", answer.status))?;
        if answer.status != 200 {
            let message = body["message"].as_str().unwrap_or("no message");
            bail!("{url} answered {}: {message}", answer.status);
        }
        Ok(body)
    }
}

/// What `--host NAME` prints: the host's variables, or `{}` for a host the inventory does not
/// have (Ansible's convention).
pub fn host_vars(inventory: &Value, host: &str) -> Value {
    inventory["_meta"]["hostvars"]
        .get(host)
        .cloned()
        .unwrap_or_else(|| Value::Object(serde_json::Map::new()))
}

/// Runs the script: `--list` prints the whole inventory, `--host` one host's variables.
pub fn run(host: Option<&str>) -> Result<()> {
    let source = Source::from_lookup(|name| std::env::var(name).ok())?;
    let inventory = source.fetch(Duration::from_secs(30))?;
    let output = match host {
        Some(host) => host_vars(&inventory, host),
        None => inventory,
    };
    println!("{}", serde_json::to_string_pretty(&output)?);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::collections::HashMap;

    fn source(pairs: &[(&str, &str)]) -> Result<Source> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Source::from_lookup(|name| map.get(name).cloned())
    }

    const FULL: &[(&str, &str)] = &[
        (URL_VAR, "http://127.0.0.1:8080/"),
        (PROJECT_VAR, "p"),
        (USER_VAR, "u"),
        (TOKEN_VAR, "t"),
        (REGION_VAR, "3"),
    ];

    #[test]
    fn every_missing_variable_is_named_at_once() {
        let err = source(&[(URL_VAR, "http://x")]).unwrap_err().to_string();
        assert!(
            err.starts_with("set CRATON_PROJECT, CRATON_USER, CRATON_TOKEN, CRATON_REGION_ID"),
            "{err}"
        );
    }

    #[test]
    fn the_url_asks_for_the_region_and_drops_a_trailing_slash() {
        let source = source(FULL).unwrap();
        assert_eq!(
            source.inventory_url(),
            "http://127.0.0.1:8080/v1/ansible-inventory?region_id=3"
        );
    }

    #[test]
    fn a_cell_narrows_the_inventory() {
        let mut pairs = FULL.to_vec();
        pairs.push((CELL_VAR, "7"));
        assert!(
            source(&pairs)
                .unwrap()
                .inventory_url()
                .ends_with("region_id=3&cell_id=7")
        );
    }

    #[test]
    fn a_region_that_is_not_an_integer_is_refused() {
        let mut pairs = FULL.to_vec();
        pairs.retain(|(k, _)| *k != REGION_VAR);
        pairs.push((REGION_VAR, "dc1"));
        let err = source(&pairs).unwrap_err().to_string();
        assert!(
            err.contains("CRATON_REGION_ID=\"dc1\" is not an integer id"),
            "{err}"
        );
    }

    #[test]
    fn host_prints_that_hosts_variables_or_nothing() {
        let inventory = json!({"_meta": {"hostvars": {"h1": {"ansible_host": "10.0.0.1"}}}});
        assert_eq!(
            host_vars(&inventory, "h1"),
            json!({"ansible_host": "10.0.0.1"})
        );
        assert_eq!(host_vars(&inventory, "nope"), json!({}));
    }
}
