//! Networks: in a region and optionally one of its cells; names are unique within the region.

use rusqlite::types::Value;
use rusqlite::{Connection, Row};

use super::{Inventory, Placement, filters, region_scope};
use crate::domain::Kind;
use crate::domain::inventory::{Network, NetworkChanges, NewNetwork};
use crate::domain::listing::{FilterSpec, FilterType, ListSpec};
use crate::error::Result;
use crate::storage::checks::{self, Child};
use crate::storage::record::Record;

impl Record for Network {
    const KIND: Kind = Kind::Network;
    const SELECT: &'static str = "SELECT t.id, t.project_id, r.cloud_id, t.region_id, t.cell_id, \
         t.name, t.cidr, t.gateway, t.netmask, t.ip_block_type, t.nss, t.created_at, \
         t.updated_at FROM networks t JOIN regions r ON r.id = t.region_id";
    const PROJECT_COLUMN: &'static str = "t.project_id";
    const LIST: ListSpec = ListSpec {
        filters: &[
            filters::NAME,
            filters::PROJECT_ID,
            filters::CLOUD_ID_OF_REGION,
            filters::REGION_ID,
            filters::CELL_ID,
            FilterSpec {
                param: "cidr",
                column: "t.cidr",
                ty: FilterType::Text,
            },
        ],
        labels: false,
        vars: true,
    };

    fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Network {
            id: row.get(0)?,
            project_id: row.get(1)?,
            cloud_id: row.get(2)?,
            region_id: row.get(3)?,
            cell_id: row.get(4)?,
            name: row.get(5)?,
            cidr: row.get(6)?,
            gateway: row.get(7)?,
            netmask: row.get(8)?,
            ip_block_type: row.get(9)?,
            nss: row.get(10)?,
            created_at: row.get(11)?,
            updated_at: row.get(12)?,
        })
    }

    fn key(&self) -> String {
        self.id.to_string()
    }
}

impl Inventory for Network {
    type New = NewNetwork;
    type Changes = NetworkChanges;
    const CHILDREN: &'static [Child] = &[];

    fn validate_new(new: NewNetwork) -> Result<NewNetwork> {
        new.validate()
    }

    fn validate_changes(changes: NetworkChanges) -> Result<NetworkChanges> {
        changes.validate()
    }

    fn insert(conn: &Connection, project: &str, new: NewNetwork) -> Result<i64> {
        checks::placement(conn, project, new.region_id, new.cell_id)?;
        checks::unique_name(
            conn,
            Kind::Network,
            &region_scope(new.region_id),
            &new.name,
            None,
        )?;
        conn.prepare_cached(
            "INSERT INTO networks (project_id, region_id, cell_id, name, cidr, gateway, netmask, \
             ip_block_type, nss) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?
        .execute(rusqlite::params![
            project,
            new.region_id,
            new.cell_id,
            new.name,
            new.cidr,
            new.gateway,
            new.netmask,
            new.ip_block_type,
            new.nss
        ])?;
        Ok(conn.last_insert_rowid())
    }

    fn update(conn: &Connection, current: &Network, changes: NetworkChanges) -> Result<()> {
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
                Kind::Network,
                &region_scope(after.region_id),
                &name,
                Some(&id),
            )?;
            sets.push(("name", Value::Text(name)));
        }
        if let Some(cidr) = changes.cidr {
            sets.push(("cidr", Value::Text(cidr)));
        }
        for (column, value) in [
            ("gateway", changes.gateway),
            ("netmask", changes.netmask),
            ("ip_block_type", changes.ip_block_type),
            ("nss", changes.nss),
        ] {
            if let Some(value) = value {
                sets.push((column, checks::text(value)));
            }
        }
        checks::update_columns(conn, Kind::Network, &id, sets)
    }
}
