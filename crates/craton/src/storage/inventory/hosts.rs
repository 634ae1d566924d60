//! Hosts: in a region and optionally one of its cells; names are unique within the region.
//! Their labels are read along with them.

use rusqlite::types::Value;
use rusqlite::{Connection, Row};

use super::{Inventory, Placement, filters, region_scope};
use crate::domain::Kind;
use crate::domain::inventory::{Host, HostChanges, NewHost};
use crate::domain::listing::ListSpec;
use crate::error::Result;
use crate::storage::checks::{self, Child};
use crate::storage::labels;
use crate::storage::record::Record;

impl Record for Host {
    const KIND: Kind = Kind::Host;
    const SELECT: &'static str = "SELECT t.id, t.project_id, r.cloud_id, t.region_id, t.cell_id, \
         t.name, t.ip_address, t.device_type, t.active, t.note, \
         (SELECT json_group_array(l.label) FROM host_labels l WHERE l.host_id = t.id), \
         t.created_at, t.updated_at FROM hosts t JOIN regions r ON r.id = t.region_id";
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
        labels: true,
        vars: true,
    };

    fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Host {
            id: row.get(0)?,
            project_id: row.get(1)?,
            cloud_id: row.get(2)?,
            region_id: row.get(3)?,
            cell_id: row.get(4)?,
            name: row.get(5)?,
            ip_address: row.get(6)?,
            device_type: row.get(7)?,
            active: row.get(8)?,
            note: row.get(9)?,
            labels: labels_column(row, 10)?,
            created_at: row.get(11)?,
            updated_at: row.get(12)?,
        })
    }

    fn key(&self) -> String {
        self.id.to_string()
    }
}

/// Reads the JSON array `json_group_array` built, sorted.
fn labels_column(row: &Row<'_>, index: usize) -> rusqlite::Result<Vec<String>> {
    let text: String = row.get(index)?;
    let mut labels: Vec<String> = serde_json::from_str(&text).map_err(|err| {
        rusqlite::Error::FromSqlConversionFailure(index, rusqlite::types::Type::Text, Box::new(err))
    })?;
    labels.sort();
    Ok(labels)
}

impl Inventory for Host {
    type New = NewHost;
    type Changes = HostChanges;
    const CHILDREN: &'static [Child] = &[];

    fn validate_new(new: NewHost) -> Result<NewHost> {
        new.validate()
    }

    fn validate_changes(changes: HostChanges) -> Result<HostChanges> {
        changes.validate()
    }

    fn insert(conn: &Connection, project: &str, new: NewHost) -> Result<i64> {
        checks::placement(conn, project, new.region_id, new.cell_id)?;
        checks::unique_name(
            conn,
            Kind::Host,
            &region_scope(new.region_id),
            &new.name,
            None,
        )?;
        conn.prepare_cached(
            "INSERT INTO hosts (project_id, region_id, cell_id, name, ip_address, device_type, \
             active, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?
        .execute(rusqlite::params![
            project,
            new.region_id,
            new.cell_id,
            new.name,
            new.ip_address,
            new.device_type,
            new.active,
            new.note
        ])?;
        let id = conn.last_insert_rowid();
        if let Some(new_labels) = &new.labels {
            labels::add(conn, id, new_labels)?;
        }
        Ok(id)
    }

    fn update(conn: &Connection, current: &Host, changes: HostChanges) -> Result<()> {
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
                Kind::Host,
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
        if let Some(note) = changes.note {
            sets.push(("note", checks::text(note)));
        }
        checks::update_columns(conn, Kind::Host, &id, sets)
    }
}
