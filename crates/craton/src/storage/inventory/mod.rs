//! Writing inventory objects generically: each kind says how to insert and change its row and
//! what blocks its deletion; creating, updating and deleting follow one transaction pattern.

mod cells;
mod clouds;
mod filters;
mod hosts;
mod network_devices;
mod networks;
mod regions;

use rusqlite::Connection;
use rusqlite::types::Value;
use serde::de::DeserializeOwned;

use crate::domain::variables::Variables;
use crate::error::Result;
use crate::storage::checks::{self, Child};
use crate::storage::record::{self, Record, Scope};
use crate::storage::variables;

/// An inventory kind that clients create, change and delete.
pub trait Inventory: Record {
    /// The create body (its `variables` are split off beforehand).
    type New: DeserializeOwned + Send + 'static;
    /// The update body: any subset of the writable fields.
    type Changes: DeserializeOwned + Send + 'static;
    /// Kinds pointing at this one: what a delete must wait for.
    const CHILDREN: &'static [Child];

    fn validate_new(new: Self::New) -> Result<Self::New>;
    fn validate_changes(changes: Self::Changes) -> Result<Self::Changes>;
    /// Checks parents and names, inserts the row, returns its id.
    fn insert(conn: &Connection, project: &str, new: Self::New) -> Result<i64>;
    /// Checks parents and names, writes the changed columns.
    fn update(conn: &Connection, current: &Self, changes: Self::Changes) -> Result<()>;
}

/// An object with its own variables, as a single-object answer shows it.
#[derive(Debug, serde::Serialize)]
pub struct WithVariables<R> {
    #[serde(flatten)]
    pub object: R,
    pub variables: Variables,
}

/// Reads `id` with its variables; 404 when `scope` does not cover it.
pub fn get_with_variables<R: Record>(
    conn: &Connection,
    id: &Value,
    scope: &Scope,
) -> Result<WithVariables<R>> {
    let object = record::get::<R>(conn, id, scope)?;
    let variables = variables::load(conn, R::KIND, id)?;
    Ok(WithVariables { object, variables })
}

/// Creates an object in `project`, with its variables, in one transaction.
pub fn create<R: Inventory>(
    conn: &mut Connection,
    project: &str,
    new: R::New,
    vars: Option<Variables>,
) -> Result<WithVariables<R>> {
    let tx = conn.transaction()?;
    let id = Value::Integer(R::insert(&tx, project, new)?);
    if let Some(vars) = vars {
        variables::merge(&tx, R::KIND, &id, &vars)?;
    }
    let created = get_with_variables(&tx, &id, &Scope::All)?;
    tx.commit()?;
    Ok(created)
}

/// Applies `changes` to `id` (404 outside `scope`) and answers the whole object.
pub fn update<R: Inventory>(
    conn: &mut Connection,
    id: &Value,
    scope: &Scope,
    changes: R::Changes,
) -> Result<WithVariables<R>> {
    let tx = conn.transaction()?;
    let current = record::get::<R>(&tx, id, scope)?;
    R::update(&tx, &current, changes)?;
    let updated = get_with_variables(&tx, id, scope)?;
    tx.commit()?;
    Ok(updated)
}

/// Deletes `id` (404 outside `scope`), refusing while children point at it.
pub fn delete<R: Inventory>(conn: &mut Connection, id: &Value, scope: &Scope) -> Result<()> {
    let tx = conn.transaction()?;
    record::get::<R>(&tx, id, scope)?;
    checks::no_children(&tx, R::KIND, id, R::CHILDREN, "delete or move them first")?;
    tx.execute(
        &format!("DELETE FROM {} WHERE id = ?1", R::KIND.table()),
        [id],
    )?;
    tx.commit()?;
    Ok(())
}

/// Where a host, network or network device sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placement {
    pub region_id: i64,
    pub cell_id: Option<i64>,
}

impl Placement {
    /// The placement after an update's `region_id` and `cell_id` (either may be absent),
    /// checked when it changes: the region in the project, the cell in the region.
    pub fn after(
        self,
        conn: &Connection,
        project: &str,
        region_id: Option<i64>,
        cell_id: Option<Option<i64>>,
    ) -> Result<Placement> {
        let next = Placement {
            region_id: region_id.unwrap_or(self.region_id),
            cell_id: cell_id.unwrap_or(self.cell_id),
        };
        if next != self {
            checks::placement(conn, project, next.region_id, next.cell_id)?;
        }
        Ok(next)
    }

    /// The columns to write when the placement changed.
    pub fn sets(self, before: Placement) -> Vec<(&'static str, Value)> {
        let mut sets = Vec::new();
        if self.region_id != before.region_id {
            sets.push(("region_id", Value::Integer(self.region_id)));
        }
        if self.cell_id != before.cell_id {
            sets.push(("cell_id", checks::integer(self.cell_id)));
        }
        sets
    }
}

/// Names of hosts, networks and network devices are unique within their region.
pub fn region_scope(region_id: i64) -> checks::NameScope {
    checks::NameScope {
        column: "region_id",
        value: Value::Integer(region_id),
        description: format!("region {region_id}"),
    }
}
