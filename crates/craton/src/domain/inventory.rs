//! The inventory's objects (clouds, regions, cells, hosts, networks, network devices), the
//! bodies that create and change them, and their validation.

use serde::{Deserialize, Serialize};

use crate::domain::input::{nullable, present};
use crate::domain::validate::{self, optional};
use crate::error::Result;

fn default_true() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cloud {
    pub id: i64,
    pub project_id: String,
    pub name: String,
    pub note: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewCloud {
    pub name: String,
    #[serde(default)]
    pub note: Option<String>,
}

impl NewCloud {
    pub fn validate(self) -> Result<Self> {
        Ok(Self {
            name: validate::name("name", self.name)?,
            note: optional("note", self.note, validate::note)?,
        })
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CloudChanges {
    #[serde(default, deserialize_with = "present")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub note: Option<Option<String>>,
}

impl CloudChanges {
    pub fn validate(self) -> Result<Self> {
        Ok(Self {
            name: optional("name", self.name, validate::name)?,
            note: nullable_note(self.note)?,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Region {
    pub id: i64,
    pub project_id: String,
    pub cloud_id: i64,
    pub name: String,
    pub note: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewRegion {
    pub name: String,
    pub cloud_id: i64,
    #[serde(default)]
    pub note: Option<String>,
}

impl NewRegion {
    pub fn validate(self) -> Result<Self> {
        Ok(Self {
            name: validate::name("name", self.name)?,
            note: optional("note", self.note, validate::note)?,
            ..self
        })
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionChanges {
    #[serde(default, deserialize_with = "present")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "present")]
    pub cloud_id: Option<i64>,
    #[serde(default, deserialize_with = "nullable")]
    pub note: Option<Option<String>>,
}

impl RegionChanges {
    pub fn validate(self) -> Result<Self> {
        Ok(Self {
            name: optional("name", self.name, validate::name)?,
            note: nullable_note(self.note)?,
            ..self
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cell {
    pub id: i64,
    pub project_id: String,
    pub cloud_id: i64,
    pub region_id: i64,
    pub name: String,
    pub note: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewCell {
    pub name: String,
    pub region_id: i64,
    #[serde(default)]
    pub note: Option<String>,
}

impl NewCell {
    pub fn validate(self) -> Result<Self> {
        Ok(Self {
            name: validate::name("name", self.name)?,
            note: optional("note", self.note, validate::note)?,
            ..self
        })
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CellChanges {
    #[serde(default, deserialize_with = "present")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "present")]
    pub region_id: Option<i64>,
    #[serde(default, deserialize_with = "nullable")]
    pub note: Option<Option<String>>,
}

impl CellChanges {
    pub fn validate(self) -> Result<Self> {
        Ok(Self {
            name: optional("name", self.name, validate::name)?,
            note: nullable_note(self.note)?,
            ..self
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Host {
    pub id: i64,
    pub project_id: String,
    pub cloud_id: i64,
    pub region_id: i64,
    pub cell_id: Option<i64>,
    pub name: String,
    pub ip_address: String,
    pub device_type: String,
    pub active: bool,
    pub note: Option<String>,
    pub labels: Vec<String>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewHost {
    pub name: String,
    pub region_id: i64,
    #[serde(default)]
    pub cell_id: Option<i64>,
    pub ip_address: String,
    pub device_type: String,
    #[serde(default = "default_true")]
    pub active: bool,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub labels: Option<Vec<String>>,
}

impl NewHost {
    pub fn validate(self) -> Result<Self> {
        Ok(Self {
            name: validate::name("name", self.name)?,
            ip_address: validate::ip_address("ip_address", self.ip_address)?,
            device_type: validate::name("device_type", self.device_type)?,
            note: optional("note", self.note, validate::note)?,
            labels: self.labels.map(|l| labels("labels", l)).transpose()?,
            ..self
        })
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HostChanges {
    #[serde(default, deserialize_with = "present")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "present")]
    pub region_id: Option<i64>,
    #[serde(default, deserialize_with = "nullable")]
    pub cell_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "present")]
    pub ip_address: Option<String>,
    #[serde(default, deserialize_with = "present")]
    pub device_type: Option<String>,
    #[serde(default, deserialize_with = "present")]
    pub active: Option<bool>,
    #[serde(default, deserialize_with = "nullable")]
    pub note: Option<Option<String>>,
}

impl HostChanges {
    pub fn validate(self) -> Result<Self> {
        Ok(Self {
            name: optional("name", self.name, validate::name)?,
            ip_address: optional("ip_address", self.ip_address, validate::ip_address)?,
            device_type: optional("device_type", self.device_type, validate::name)?,
            note: nullable_note(self.note)?,
            ..self
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Network {
    pub id: i64,
    pub project_id: String,
    pub cloud_id: i64,
    pub region_id: i64,
    pub cell_id: Option<i64>,
    pub name: String,
    pub cidr: String,
    pub gateway: Option<String>,
    pub netmask: Option<String>,
    pub ip_block_type: Option<String>,
    pub nss: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewNetwork {
    pub name: String,
    pub region_id: i64,
    #[serde(default)]
    pub cell_id: Option<i64>,
    pub cidr: String,
    #[serde(default)]
    pub gateway: Option<String>,
    #[serde(default)]
    pub netmask: Option<String>,
    #[serde(default)]
    pub ip_block_type: Option<String>,
    #[serde(default)]
    pub nss: Option<String>,
}

impl NewNetwork {
    pub fn validate(self) -> Result<Self> {
        Ok(Self {
            name: validate::name("name", self.name)?,
            cidr: validate::cidr("cidr", self.cidr)?,
            gateway: optional("gateway", self.gateway, validate::ip_address)?,
            netmask: optional("netmask", self.netmask, validate::ip_address)?,
            ip_block_type: optional("ip_block_type", self.ip_block_type, validate::short_text)?,
            nss: optional("nss", self.nss, validate::short_text)?,
            ..self
        })
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkChanges {
    #[serde(default, deserialize_with = "present")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "present")]
    pub region_id: Option<i64>,
    #[serde(default, deserialize_with = "nullable")]
    pub cell_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "present")]
    pub cidr: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub gateway: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub netmask: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub ip_block_type: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub nss: Option<Option<String>>,
}

impl NetworkChanges {
    pub fn validate(self) -> Result<Self> {
        Ok(Self {
            name: optional("name", self.name, validate::name)?,
            cidr: optional("cidr", self.cidr, validate::cidr)?,
            gateway: nullable_check("gateway", self.gateway, validate::ip_address)?,
            netmask: nullable_check("netmask", self.netmask, validate::ip_address)?,
            ip_block_type: nullable_check(
                "ip_block_type",
                self.ip_block_type,
                validate::short_text,
            )?,
            nss: nullable_check("nss", self.nss, validate::short_text)?,
            ..self
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NetworkDevice {
    pub id: i64,
    pub project_id: String,
    pub cloud_id: i64,
    pub region_id: i64,
    pub cell_id: Option<i64>,
    pub name: String,
    pub ip_address: String,
    pub device_type: String,
    pub active: bool,
    pub model_name: Option<String>,
    pub os_version: Option<String>,
    pub note: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewNetworkDevice {
    pub name: String,
    pub region_id: i64,
    #[serde(default)]
    pub cell_id: Option<i64>,
    pub ip_address: String,
    pub device_type: String,
    #[serde(default = "default_true")]
    pub active: bool,
    #[serde(default)]
    pub model_name: Option<String>,
    #[serde(default)]
    pub os_version: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

impl NewNetworkDevice {
    pub fn validate(self) -> Result<Self> {
        Ok(Self {
            name: validate::name("name", self.name)?,
            ip_address: validate::ip_address("ip_address", self.ip_address)?,
            device_type: validate::name("device_type", self.device_type)?,
            model_name: optional("model_name", self.model_name, validate::short_text)?,
            os_version: optional("os_version", self.os_version, validate::short_text)?,
            note: optional("note", self.note, validate::note)?,
            ..self
        })
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkDeviceChanges {
    #[serde(default, deserialize_with = "present")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "present")]
    pub region_id: Option<i64>,
    #[serde(default, deserialize_with = "nullable")]
    pub cell_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "present")]
    pub ip_address: Option<String>,
    #[serde(default, deserialize_with = "present")]
    pub device_type: Option<String>,
    #[serde(default, deserialize_with = "present")]
    pub active: Option<bool>,
    #[serde(default, deserialize_with = "nullable")]
    pub model_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub os_version: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub note: Option<Option<String>>,
}

impl NetworkDeviceChanges {
    pub fn validate(self) -> Result<Self> {
        Ok(Self {
            name: optional("name", self.name, validate::name)?,
            ip_address: optional("ip_address", self.ip_address, validate::ip_address)?,
            device_type: optional("device_type", self.device_type, validate::name)?,
            model_name: nullable_check("model_name", self.model_name, validate::short_text)?,
            os_version: nullable_check("os_version", self.os_version, validate::short_text)?,
            note: nullable_note(self.note)?,
            ..self
        })
    }
}

/// A set of labels: each a non-empty string of at most 255 characters; returned sorted and
/// without duplicates.
pub fn labels(field: &str, labels: Vec<String>) -> Result<Vec<String>> {
    let mut checked = labels
        .into_iter()
        .map(|label| validate::key(field, label))
        .collect::<Result<Vec<_>>>()?;
    checked.sort();
    checked.dedup();
    Ok(checked)
}

fn nullable_note(value: Option<Option<String>>) -> Result<Option<Option<String>>> {
    nullable_check("note", value, validate::note)
}

fn nullable_check(
    field: &str,
    value: Option<Option<String>>,
    check: fn(&str, String) -> Result<String>,
) -> Result<Option<Option<String>>> {
    value.map(|inner| optional(field, inner, check)).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::input::from_value;
    use serde_json::json;

    #[test]
    fn hosts_are_active_unless_told_otherwise() {
        let host: NewHost = from_value(
            json!({"name": "h", "region_id": 1, "ip_address": "10.0.0.1", "device_type": "server"}),
        )
        .unwrap();
        assert!(host.active);
        assert_eq!(host.cell_id, None);
    }

    #[test]
    fn a_host_with_a_bad_ip_address_is_refused_by_field_name() {
        let host: NewHost = from_value(
            json!({"name": "h", "region_id": 1, "ip_address": "10.1", "device_type": "server"}),
        )
        .unwrap();
        assert!(
            host.validate()
                .unwrap_err()
                .message()
                .starts_with("ip_address: ")
        );
    }

    #[test]
    fn a_host_needs_a_device_type() {
        let err = from_value::<NewHost>(json!({"name": "h", "region_id": 1, "ip_address": "::1"}))
            .unwrap_err();
        assert_eq!(err.message(), "device_type: is required");
    }

    #[test]
    fn host_changes_validate_only_what_they_change() {
        let changes: HostChanges = from_value(json!({"active": false})).unwrap();
        let changes = changes.validate().unwrap();
        assert_eq!(changes.active, Some(false));
        assert_eq!(changes.name, None);
        let changes: HostChanges = from_value(json!({"ip_address": "nope"})).unwrap();
        assert!(changes.validate().is_err());
    }

    #[test]
    fn a_network_gateway_must_be_an_ip_address() {
        let network: NewNetwork = from_value(
            json!({"name": "n", "region_id": 1, "cidr": "10.0.0.0/24", "gateway": "router"}),
        )
        .unwrap();
        assert!(
            network
                .validate()
                .unwrap_err()
                .message()
                .starts_with("gateway: ")
        );
    }

    #[test]
    fn network_changes_may_clear_the_gateway() {
        let changes: NetworkChanges = from_value(json!({"gateway": null})).unwrap();
        assert_eq!(changes.validate().unwrap().gateway, Some(None));
    }

    #[test]
    fn cloud_changes_refuse_an_empty_name() {
        let changes: CloudChanges = from_value(json!({"name": ""})).unwrap();
        assert_eq!(
            changes.validate().unwrap_err().message(),
            "name: must not be empty"
        );
    }

    #[test]
    fn labels_are_sorted_and_deduplicated() {
        let got = labels("labels", vec!["web".into(), "db".into(), "web".into()]).unwrap();
        assert_eq!(got, ["db", "web"]);
    }

    #[test]
    fn empty_labels_are_refused() {
        let err = labels("labels", vec!["ok".into(), String::new()]).unwrap_err();
        assert_eq!(err.message(), "labels: must not be empty");
    }

    #[test]
    fn network_devices_keep_their_model_and_os() {
        let device: NewNetworkDevice = from_value(json!({
            "name": "sw1", "region_id": 1, "ip_address": "10.0.0.2", "device_type": "switch",
            "model_name": "QFX", "os_version": "21.4"
        }))
        .unwrap();
        let device = device.validate().unwrap();
        assert_eq!(device.model_name.as_deref(), Some("QFX"));
        assert!(device.active);
    }
}
