//! Gathers what the Ansible inventory of a region needs: its active hosts, their cells and
//! labels, and their variables resolved over project, cloud, region and cell.

use std::collections::HashMap;

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension};

use crate::domain::Kind;
use crate::domain::ansible::InventoryHost;
use crate::domain::variables::{Variables, resolve};
use crate::error::{Error, Result};
use crate::storage::record::{Scope, not_found};
use crate::storage::variables;

/// The region's name and its active hosts (only those of `cell_id` when given), by name.
pub fn region_hosts(
    conn: &Connection,
    scope: &Scope,
    region_id: i64,
    cell_id: Option<i64>,
) -> Result<(String, Vec<InventoryHost>)> {
    let region: Option<(String, String, i64)> = conn
        .prepare_cached("SELECT name, project_id, cloud_id FROM regions WHERE id = ?1")?
        .query_row([region_id], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?))
        })
        .optional()?;
    let (region_name, project, cloud_id) =
        region
            .filter(|(_, project, _)| scope.covers(project))
            .ok_or_else(|| not_found(Kind::Region, &region_id.to_string()))?;
    if let Some(cell_id) = cell_id {
        let in_region = conn
            .prepare_cached("SELECT 1 FROM cells WHERE id = ?1 AND region_id = ?2")?
            .query_row([cell_id, region_id], |_| Ok(()))
            .optional()?
            .is_some();
        if !in_region {
            return Err(Error::field(
                "cell_id",
                format!("cell {cell_id} is not in region {region_id}"),
            ));
        }
    }
    let above = [
        variables::load(conn, Kind::Project, &Value::Text(project))?,
        variables::load(conn, Kind::Cloud, &Value::Integer(cloud_id))?,
        variables::load(conn, Kind::Region, &Value::Integer(region_id))?,
    ];
    let mut statement = conn.prepare_cached(
        "SELECT h.id, h.name, h.ip_address, h.cell_id, c.name, \
         (SELECT json_group_array(l.label) FROM host_labels l WHERE l.host_id = h.id) \
         FROM hosts h LEFT JOIN cells c ON c.id = h.cell_id \
         WHERE h.region_id = ?1 AND h.active = 1 AND (?2 IS NULL OR h.cell_id = ?2) \
         ORDER BY h.name",
    )?;
    let rows = statement
        .query_map(rusqlite::params![region_id, cell_id], |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, Option<i64>>(3)?,
                row.get::<_, Option<String>>(4)?,
                row.get::<_, String>(5)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut cell_variables: HashMap<i64, Variables> = HashMap::new();
    let mut hosts = Vec::with_capacity(rows.len());
    for (id, name, ip_address, cell_id, cell_name, labels) in rows {
        let cell_vars = match cell_id {
            Some(cell_id) => match cell_variables.get(&cell_id) {
                Some(vars) => vars.clone(),
                None => {
                    let vars = variables::load(conn, Kind::Cell, &Value::Integer(cell_id))?;
                    cell_variables.insert(cell_id, vars.clone());
                    vars
                }
            },
            None => Variables::default(),
        };
        let own = variables::load(conn, Kind::Host, &Value::Integer(id))?;
        let labels: Vec<String> = serde_json::from_str(&labels)
            .map_err(|err| Error::internal("labels in the database", err))?;
        hosts.push(InventoryHost {
            name,
            ip_address,
            cell: cell_name,
            labels,
            variables: resolve(above.iter().chain([&cell_vars, &own])),
        });
    }
    Ok((region_name, hosts))
}
