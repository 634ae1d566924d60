//! Variables: free-form JSON values under string keys, attached to projects and inventory
//! objects, and resolved along an object's ancestry (project, cloud, region, cell, object),
//! the nearest layer winning.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::domain::validate;
use crate::error::{Error, Result};

/// A set of variables, key → any JSON value (keys sorted, as serde_json's map keeps them).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Variables(pub Map<String, Value>);

impl Variables {
    /// Reads a JSON object of variables; anything else, or an empty or over-long key, is a 400
    /// about `field`.
    pub fn from_json(field: &str, value: Value) -> Result<Self> {
        let Value::Object(map) = value else {
            return Err(Error::field(field, "expected a JSON object"));
        };
        for key in map.keys() {
            validate::key(&format!("{field} key"), key.clone())?;
        }
        Ok(Self(map))
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.get(key)
    }

    pub fn insert(&mut self, key: String, value: Value) {
        self.0.insert(key, value);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&String, &Value)> {
        self.0.iter()
    }
}

/// The keys to remove, from a `DELETE .../variables` body: a JSON array of strings.
pub fn keys_to_delete(value: Value) -> Result<Vec<String>> {
    let Value::Array(items) = value else {
        return Err(Error::field(
            "body",
            "expected a JSON array of variable names",
        ));
    };
    items
        .into_iter()
        .enumerate()
        .map(|(index, item)| match item {
            Value::String(key) => Ok(key),
            other => Err(Error::field(
                &format!("[{index}]"),
                format!("expected a variable name, got {other}"),
            )),
        })
        .collect()
}

/// Merges layers ordered farthest first (project … object): a key set nearer wins.
/// The merge is by top-level key; values are replaced whole, never merged inside.
pub fn resolve<'a>(layers: impl IntoIterator<Item = &'a Variables>) -> Variables {
    let mut resolved = Variables::default();
    for layer in layers {
        for (key, value) in layer.iter() {
            resolved.insert(key.clone(), value.clone());
        }
    }
    resolved
}

/// The canonical JSON text of a value: what storage keeps, and what `vars=` compares.
pub fn canonical(value: &Value) -> String {
    value.to_string()
}

/// One `vars=key:value` filter: the object's own variable `key` equals `value`, read as JSON
/// when it parses as JSON, else as a string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VarFilter {
    pub key: String,
    /// Canonical JSON text of the expected value.
    pub value: String,
}

impl VarFilter {
    pub fn parse(raw: &str) -> Result<Self> {
        let Some((key, value)) = raw.split_once(':') else {
            return Err(Error::field(
                "vars",
                format!("{raw:?} is not key:value (example: vars=env:prod)"),
            ));
        };
        if key.is_empty() {
            return Err(Error::field("vars", format!("{raw:?} has an empty key")));
        }
        let value = serde_json::from_str::<Value>(value)
            .unwrap_or_else(|_| Value::String(value.to_owned()));
        Ok(Self {
            key: key.to_owned(),
            value: canonical(&value),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn vars(value: Value) -> Variables {
        Variables::from_json("variables", value).unwrap()
    }

    #[test]
    fn the_nearest_layer_wins() {
        let project = vars(json!({"ntp": "pool", "env": "prod", "dns": "1.1.1.1"}));
        let region = vars(json!({"ntp": "region-ntp"}));
        let host = vars(json!({"env": "staging"}));
        let resolved = resolve([&project, &region, &host]);
        assert_eq!(
            resolved,
            vars(json!({"ntp": "region-ntp", "env": "staging", "dns": "1.1.1.1"}))
        );
    }

    #[test]
    fn values_are_replaced_whole_not_merged_inside() {
        let far = vars(json!({"users": {"a": 1, "b": 2}}));
        let near = vars(json!({"users": {"c": 3}}));
        assert_eq!(resolve([&far, &near]), vars(json!({"users": {"c": 3}})));
    }

    #[test]
    fn resolving_nothing_gives_nothing() {
        assert!(resolve([]).is_empty());
    }

    #[test]
    fn variables_must_be_an_object() {
        let err = Variables::from_json("variables", json!([1])).unwrap_err();
        assert_eq!(err.message(), "variables: expected a JSON object");
    }

    #[test]
    fn variable_keys_must_not_be_empty() {
        let err = Variables::from_json("variables", json!({"": 1})).unwrap_err();
        assert!(err.message().starts_with("variables key: "), "{err}");
    }

    #[test]
    fn keys_to_delete_are_a_list_of_strings() {
        assert_eq!(keys_to_delete(json!(["a", "b"])).unwrap(), ["a", "b"]);
        assert!(keys_to_delete(json!({"a": 1})).is_err());
        let err = keys_to_delete(json!(["a", 2])).unwrap_err();
        assert!(err.message().starts_with("[1]: "), "{err}");
    }

    #[test]
    fn var_filters_compare_as_json_when_the_value_parses() {
        assert_eq!(VarFilter::parse("replicas:3").unwrap().value, "3");
        assert_eq!(VarFilter::parse("debug:true").unwrap().value, "true");
        assert_eq!(VarFilter::parse("tags:[\"a\"]").unwrap().value, "[\"a\"]");
    }

    #[test]
    fn var_filters_compare_as_strings_otherwise() {
        let filter = VarFilter::parse("env:prod").unwrap();
        assert_eq!(filter.key, "env");
        assert_eq!(filter.value, "\"prod\"");
    }

    #[test]
    fn var_filters_split_at_the_first_colon() {
        let filter = VarFilter::parse("url:http://x").unwrap();
        assert_eq!(filter.key, "url");
        assert_eq!(filter.value, "\"http://x\"");
    }

    #[test]
    fn var_filters_without_a_colon_or_key_are_refused() {
        assert!(
            VarFilter::parse("env")
                .unwrap_err()
                .message()
                .starts_with("vars: ")
        );
        assert!(VarFilter::parse(":x").is_err());
    }
}
