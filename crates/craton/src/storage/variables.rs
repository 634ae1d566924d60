//! Variables of projects and inventory objects: read, merge, delete keys, and resolve along the
//! ancestry (project, cloud, region, cell, object).

use rusqlite::Connection;
use rusqlite::types::Value;
use serde_json::Value as Json;

use crate::domain::Kind;
use crate::domain::variables::{Variables, canonical, resolve};
use crate::error::{Error, Result};

fn table(kind: Kind) -> Result<&'static str> {
    kind.variables_table()
        .ok_or_else(|| Error::Internal(format!("{} has no variables", kind.singular())))
}

/// The object's own variables.
pub fn load(conn: &Connection, kind: Kind, owner: &Value) -> Result<Variables> {
    let sql = format!(
        "SELECT key, value FROM {} WHERE owner_id = ?1 ORDER BY key",
        table(kind)?
    );
    let mut statement = conn.prepare_cached(&sql)?;
    let rows = statement.query_map([owner], |row| {
        Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
    })?;
    let mut variables = Variables::default();
    for row in rows {
        let (key, value) = row?;
        let value: Json = serde_json::from_str(&value)
            .map_err(|err| Error::internal(&format!("variable {key:?} in the database"), err))?;
        variables.insert(key, value);
    }
    Ok(variables)
}

/// Sets each of `variables` on the object, keeping the others.
pub fn merge(conn: &Connection, kind: Kind, owner: &Value, variables: &Variables) -> Result<()> {
    let sql = format!(
        "INSERT INTO {} (owner_id, key, value) VALUES (?1, ?2, ?3) \
         ON CONFLICT (owner_id, key) DO UPDATE SET value = excluded.value",
        table(kind)?
    );
    let mut statement = conn.prepare_cached(&sql)?;
    for (key, value) in variables.iter() {
        statement.execute(rusqlite::params![owner, key, canonical(value)])?;
    }
    Ok(())
}

/// Removes `keys` from the object; keys it does not have are ignored.
pub fn delete_keys(conn: &Connection, kind: Kind, owner: &Value, keys: &[String]) -> Result<()> {
    let sql = format!(
        "DELETE FROM {} WHERE owner_id = ?1 AND key = ?2",
        table(kind)?
    );
    let mut statement = conn.prepare_cached(&sql)?;
    for key in keys {
        statement.execute(rusqlite::params![owner, key])?;
    }
    Ok(())
}

/// The object's variables merged over its ancestors', nearest winning.
pub fn resolved(conn: &Connection, kind: Kind, owner: &Value) -> Result<Variables> {
    let layers = ancestry(conn, kind, owner)?
        .into_iter()
        .map(|(kind, id)| load(conn, kind, &id))
        .collect::<Result<Vec<_>>>()?;
    Ok(resolve(&layers))
}

/// An object's project and, where they apply, its cloud, region and cell.
type Ancestors = (String, Option<i64>, Option<i64>, Option<i64>);

/// The object and its ancestors that carry variables, farthest first.
fn ancestry(conn: &Connection, kind: Kind, id: &Value) -> Result<Vec<(Kind, Value)>> {
    let query = |sql: &str| -> Result<Ancestors> {
        Ok(conn.prepare_cached(sql)?.query_row([id], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
        })?)
    };
    let (project, cloud, region, cell) = match kind {
        Kind::Project => return Ok(vec![(Kind::Project, id.clone())]),
        Kind::User => return Ok(Vec::new()),
        Kind::Cloud => query("SELECT project_id, NULL, NULL, NULL FROM clouds WHERE id = ?1")?,
        Kind::Region => {
            query("SELECT project_id, cloud_id, NULL, NULL FROM regions WHERE id = ?1")?
        }
        Kind::Cell => query(
            "SELECT t.project_id, r.cloud_id, t.region_id, NULL \
             FROM cells t JOIN regions r ON r.id = t.region_id WHERE t.id = ?1",
        )?,
        Kind::Host | Kind::Network | Kind::NetworkDevice => query(&format!(
            "SELECT t.project_id, r.cloud_id, t.region_id, t.cell_id \
             FROM {} t JOIN regions r ON r.id = t.region_id WHERE t.id = ?1",
            kind.table()
        ))?,
    };
    let mut chain = vec![(Kind::Project, Value::Text(project))];
    chain.extend(cloud.map(|id| (Kind::Cloud, Value::Integer(id))));
    chain.extend(region.map(|id| (Kind::Region, Value::Integer(id))));
    chain.extend(cell.map(|id| (Kind::Cell, Value::Integer(id))));
    if kind != Kind::Project {
        chain.push((kind, id.clone()));
    }
    Ok(chain)
}
