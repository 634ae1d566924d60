//! Network devices (switches, routers, ...): in a region and optionally one of its cells;
//! names are unique within the region.

use rusqlite::types::Value;
use rusqlite::{Connection, Row};

use super::{Inventory, Placement, filters, region_scope};
use crate::domain::Kind;
use crate::domain::inventory::{NetworkDevice, NetworkDeviceChanges, NewNetworkDevice};
use crate::domain::listing::ListSpec;
use crate::error::Result;
use crate::storage::checks::{self, Child};
use crate::storage::record::Record;

impl Record for NetworkDevice {
    const KIND: Kind = Kind::NetworkDevice;
    const SELECT: &'static str = "SELECT t.id, t.project_id, r.cloud_id, t.region_id, t.cell_id, \
         t.name, t.ip_address, t.device_type, t.active, t.model_name, t.os_version, t.note, \
         t.created_at, t.updated_at FROM network_devices t JOIN regions r ON r.id = t.region_id";
    const PROJECT_COLUMN: &'static str = "t.project_id";
    const LIST: ListSpec = ListSpec {
        filters: &[
            filters::NAME,
            filters::PROJECT_ID,
            filters::CLOUD_ID_OF_REGION,
            filters::REGION_ID,
            filters::CELL_ID,
            filters::DEVICE_TYPE,
            filters::ACTIVE,
            filters::IP_ADDRESS,
        ],
        labels: false,
        vars: true,
    };

    fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(NetworkDevice {
            id: row.get(0)?,
            project_id: row.get(1)?,
            cloud_id: row.get(2)?,
            region_id: row.get(3)?,
            cell_id: row.get(4)?,
            name: row.get(5)?,
            ip_address: row.get(6)?,
            device_type: row.get(7)?,
            active: row.get(8)?,
            model_name: row.get(9)?,
            os_version: row.get(10)?,
            note: row.get(11)?,
            created_at: row.get(12)?,
            updated_at: row.get(13)?,
        })
    }

    fn key(&self) -> String {
        self.id.to_string()
    }
}

impl Inventory for NetworkDevice {
    type New = NewNetworkDevice;
    type Changes = NetworkDeviceChanges;
    const CHILDREN: &'static [Child] = &[];

    fn validate_new(new: NewNetworkDevice) -> Result<NewNetworkDevice> {
        new.validate()
    }

    fn validate_changes(changes: NetworkDeviceChanges) -> Result<NetworkDeviceChanges> {
        changes.validate()
    }

    fn insert(conn: &Connection, project: &str, new: NewNetworkDevice) -> Result<i64> {
        checks::placement(conn, project, new.region_id, new.cell_id)?;
        checks::unique_name(
            conn,
            Kind::NetworkDevice,
            &region_scope(new.region_id),
            &new.name,
            None,
        )?;
        conn.prepare_cached(
            "INSERT INTO network_devices (project_id, region_id, cell_id, name, ip_address, \
             device_type, active, model_name, os_version, note) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )?
        .execute(rusqlite::params![
            project,
            new.region_id,
            new.cell_id,
            new.name,
            new.ip_address,
            new.device_type,
            new.active,
            new.model_name,
            new.os_version,
            new.note
        ])?;
        Ok(conn.last_insert_rowid())
    }

    fn update(
        conn: &Connection,
        current: &NetworkDevice,
        changes: NetworkDeviceChanges,
    ) -> Result<()> {
        let id = Value::Integer(current.id);
        let before = Placement {
            region_id: current.region_id,
            cell_id: current.cell_id,
        };
        let after = before.after(
            conn,
            &current.project_id,
            changes.region_id,
            changes.cell_id,
        )?;
        let mut sets = after.sets(before);
        let name = changes.name.unwrap_or_else(|| current.name.clone());
        if name != current.name || after.region_id != before.region_id {
            checks::unique_name(
                conn,
                Kind::NetworkDevice,
                &region_scope(after.region_id),
                &name,
                Some(&id),
            )?;
            sets.push(("name", Value::Text(name)));
        }
        if let Some(ip_address) = changes.ip_address {
            sets.push(("ip_address", Value::Text(ip_address)));
        }
        if let Some(device_type) = changes.device_type {
            sets.push(("device_type", Value::Text(device_type)));
        }
        if let Some(active) = changes.active {
            sets.push(("active", Value::Integer(i64::from(active))));
        }
        for (column, value) in [
            ("model_name", changes.model_name),
            ("os_version", changes.os_version),
            ("note", changes.note),
        ] {
            if let Some(value) = value {
                sets.push((column, checks::text(value)));
            }
        }
        checks::update_columns(conn, Kind::NetworkDevice, &id, sets)
    }
}
