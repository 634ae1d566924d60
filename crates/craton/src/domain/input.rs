//! Turning a request's JSON into typed input, with 400s that name the offending field, and the
//! serde helpers that tell "absent" from "null" in updates.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use crate::domain::variables::Variables;
use crate::error::{Error, Result};

/// Deserializes the JSON object `value` into `T`; a failure becomes a 400 that starts with the
/// field's path (`region_id: invalid type: string "x", expected i64`). Only objects: serde would
/// otherwise read a struct from an array, by position.
pub fn from_value<T: DeserializeOwned>(value: Value) -> Result<T> {
    if !value.is_object() {
        return Err(Error::field("body", "expected a JSON object"));
    }
    serde_path_to_error::deserialize(value).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner().to_string();
        Error::BadRequest(describe(&path, &inner))
    })
}

/// serde says "unknown field `x`, expected ..." at the parent's path: put the field first.
fn describe(path: &str, message: &str) -> String {
    for (prefix, what) in [
        ("unknown field `", "unknown field"),
        ("missing field `", "is required"),
    ] {
        if let Some(rest) = message.strip_prefix(prefix)
            && let Some((field, tail)) = rest.split_once('`')
        {
            // serde_path_to_error already counts an unknown field in the path.
            let full = if path == "." {
                field.to_owned()
            } else if path == field || path.ends_with(&format!(".{field}")) {
                path.to_owned()
            } else {
                format!("{path}.{field}")
            };
            let tail = tail.trim_start_matches(", ");
            return if tail.is_empty() {
                format!("{full}: {what}")
            } else {
                format!("{full}: {what} ({tail})")
            };
        }
    }
    if path == "." {
        format!("body: {message}")
    } else {
        format!("{path}: {message}")
    }
}

/// Splits `"variables"` off a create body, so the rest can be read strictly into the kind's
/// own fields. The body must be a JSON object.
pub fn split_variables(body: Value) -> Result<(Value, Option<Variables>)> {
    let Value::Object(mut fields) = body else {
        return Err(Error::field("body", "expected a JSON object"));
    };
    let variables = fields
        .remove("variables")
        .map(|value| Variables::from_json("variables", value))
        .transpose()?;
    Ok((Value::Object(fields), variables))
}

/// For update fields that may be changed but not cleared: absent is `None`, `null` is a 400.
pub fn present<'de, D, T>(deserializer: D) -> std::result::Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

/// For update fields that may be cleared: absent is `None`, `null` is `Some(None)`.
pub fn nullable<'de, D, T>(deserializer: D) -> std::result::Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Sample {
        name: String,
        region_id: i64,
        #[serde(default, deserialize_with = "present")]
        active: Option<bool>,
        #[serde(default, deserialize_with = "nullable")]
        note: Option<Option<String>>,
    }

    fn error_of(value: Value) -> String {
        from_value::<Sample>(value)
            .unwrap_err()
            .message()
            .to_owned()
    }

    #[test]
    fn wrong_types_name_the_field() {
        let message = error_of(json!({"name": "a", "region_id": "seven"}));
        assert!(message.starts_with("region_id: invalid type"), "{message}");
    }

    #[test]
    fn unknown_fields_name_the_field_first() {
        let message = error_of(json!({"name": "a", "region_id": 1, "colour": "red"}));
        assert!(message.starts_with("colour: unknown field"), "{message}");
    }

    #[test]
    fn missing_fields_are_named_as_required() {
        assert_eq!(error_of(json!({"name": "a"})), "region_id: is required");
    }

    #[test]
    fn a_body_that_is_not_an_object_is_refused() {
        assert_eq!(error_of(json!(["a", 1])), "body: expected a JSON object");
        let err = split_variables(json!("text")).unwrap_err();
        assert_eq!(err.message(), "body: expected a JSON object");
    }

    #[test]
    fn absent_null_and_set_are_told_apart() {
        let absent: Sample = from_value(json!({"name": "a", "region_id": 1})).unwrap();
        assert_eq!(absent.note, None);
        assert_eq!(absent.active, None);
        let cleared: Sample =
            from_value(json!({"name": "a", "region_id": 1, "note": null})).unwrap();
        assert_eq!(cleared.note, Some(None));
        let set: Sample = from_value(json!({"name": "a", "region_id": 1, "note": "n"})).unwrap();
        assert_eq!(set.note, Some(Some("n".into())));
    }

    #[test]
    fn null_is_refused_for_fields_that_cannot_be_cleared() {
        let message = error_of(json!({"name": "a", "region_id": 1, "active": null}));
        assert!(
            message.starts_with("active: invalid type: null"),
            "{message}"
        );
    }

    #[test]
    fn variables_are_split_off_the_body() {
        let (rest, variables) =
            split_variables(json!({"name": "a", "variables": {"k": [1]}})).unwrap();
        assert_eq!(rest, json!({"name": "a"}));
        assert_eq!(variables.unwrap().get("k"), Some(&json!([1])));
    }
}
