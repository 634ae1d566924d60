//! The checks every write makes before touching a table: parents exist in the caller's project,
//! names are unique in their scope, and nothing still hangs off an object being deleted.
//! The schema's constraints back these up; the checks exist to give a message that says why.

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension};

use crate::domain::Kind;
use crate::domain::kind::join_and;
use crate::error::{Error, Result};

/// RFC 3339 UTC timestamp with milliseconds, as SQLite computes it.
pub const NOW: &str = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

/// `field` names an object of `kind` that must exist in `project`: a 400 otherwise (the same
/// message whether it is missing or in another project, so nothing leaks).
pub fn parent(conn: &Connection, field: &str, kind: Kind, id: i64, project: &str) -> Result<()> {
    let sql = format!(
        "SELECT 1 FROM {} WHERE id = ?1 AND project_id = ?2",
        kind.table()
    );
    let found = conn
        .prepare_cached(&sql)?
        .query_row(rusqlite::params![id, project], |_| Ok(()))
        .optional()?;
    found.ok_or_else(|| {
        Error::field(
            field,
            format!("no {} {id} in this project", kind.singular()),
        )
    })
}

/// Checks where a host, network or network device sits: its region exists in `project`, and its
/// cell (if any) is in that region.
pub fn placement(
    conn: &Connection,
    project: &str,
    region_id: i64,
    cell_id: Option<i64>,
) -> Result<()> {
    parent(conn, "region_id", Kind::Region, region_id, project)?;
    if let Some(cell_id) = cell_id {
        let cell_region: Option<i64> = conn
            .prepare_cached("SELECT region_id FROM cells WHERE id = ?1 AND project_id = ?2")?
            .query_row(rusqlite::params![cell_id, project], |row| row.get(0))
            .optional()?;
        match cell_region {
            None => {
                return Err(Error::field(
                    "cell_id",
                    format!("no cell {cell_id} in this project"),
                ));
            }
            Some(region) if region != region_id => {
                return Err(Error::field(
                    "cell_id",
                    format!("cell {cell_id} is not in region {region_id}"),
                ));
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// Where a unique name lives: `region_id = 3`, described as `region 3`.
pub struct NameScope {
    pub column: &'static str,
    pub value: Value,
    pub description: String,
}

/// 409 if another object of `kind` in `scope` is already called `name`.
pub fn unique_name(
    conn: &Connection,
    kind: Kind,
    scope: &NameScope,
    name: &str,
    except: Option<&Value>,
) -> Result<()> {
    let sql = format!(
        "SELECT 1 FROM {} WHERE {} = ?1 AND name = ?2 AND id IS NOT ?3",
        kind.table(),
        scope.column
    );
    let except = except.cloned().unwrap_or(Value::Null);
    let taken = conn
        .prepare_cached(&sql)?
        .query_row(rusqlite::params![scope.value, name, except], |_| Ok(()))
        .optional()?
        .is_some();
    if taken {
        let place = if scope.description.is_empty() {
            String::new()
        } else {
            format!(" in {}", scope.description)
        };
        return Err(Error::Conflict(format!(
            "a {} named {name:?} already exists{place}",
            kind.singular()
        )));
    }
    Ok(())
}

/// A kind whose objects point at a parent through `column`.
#[derive(Debug, Clone, Copy)]
pub struct Child {
    pub kind: Kind,
    pub column: &'static str,
}

/// 409 naming what still points at `kind` `id` (`region 3 still has 2 cells and 5 hosts`).
pub fn no_children(
    conn: &Connection,
    kind: Kind,
    id: &Value,
    children: &[Child],
    advice: &str,
) -> Result<()> {
    let mut in_the_way = Vec::new();
    for child in children {
        let sql = format!(
            "SELECT COUNT(*) FROM {} WHERE {} = ?1",
            child.kind.table(),
            child.column
        );
        let count: i64 = conn
            .prepare_cached(&sql)?
            .query_row([id], |row| row.get(0))?;
        if count > 0 {
            in_the_way.push(child.kind.count(count.unsigned_abs()));
        }
    }
    if in_the_way.is_empty() {
        return Ok(());
    }
    Err(Error::Conflict(format!(
        "{} {} still has {}: {advice}",
        kind.singular(),
        super::record::display(id),
        join_and(&in_the_way)
    )))
}

/// `UPDATE table SET col = ?, ..., updated_at = now WHERE id = ?`, with our own column names
/// and the client's values bound.
pub fn update_columns(
    conn: &Connection,
    kind: Kind,
    id: &Value,
    sets: Vec<(&'static str, Value)>,
) -> Result<()> {
    let mut sql = format!("UPDATE {} SET updated_at = {NOW}", kind.table());
    let mut values = Vec::with_capacity(sets.len() + 1);
    for (column, value) in sets {
        values.push(value);
        sql.push_str(&format!(", {column} = ?{}", values.len()));
    }
    values.push(id.clone());
    sql.push_str(&format!(" WHERE id = ?{}", values.len()));
    conn.prepare_cached(&sql)?
        .execute(rusqlite::params_from_iter(values))?;
    Ok(())
}

/// Text or NULL.
pub fn text(value: Option<String>) -> Value {
    value.map_or(Value::Null, Value::Text)
}

/// Integer or NULL.
pub fn integer(value: Option<i64>) -> Value {
    value.map_or(Value::Null, Value::Integer)
}
