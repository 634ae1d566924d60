//! Reading any kind generically: one object by id, or a filtered page of them, always within
//! what the caller may see.

use rusqlite::types::Value;
use rusqlite::{Connection, Row, params_from_iter};
use serde::Serialize;

use crate::domain::Kind;
use crate::domain::listing::{FilterValue, ListParams, ListSpec};
use crate::error::{Error, Result};

/// Which projects a caller's reads cover: `All` for root, else one project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    All,
    Project(String),
}

impl Scope {
    pub fn covers(&self, project_id: &str) -> bool {
        match self {
            Scope::All => true,
            Scope::Project(own) => own == project_id,
        }
    }
}

/// A kind that can be read back from its table.
pub trait Record: Serialize + Send + Sized + 'static {
    const KIND: Kind;
    /// `SELECT <columns> FROM <table> t [JOIN ...]`, the columns in `from_row`'s order.
    const SELECT: &'static str;
    /// The expression holding the object's project, for visibility.
    const PROJECT_COLUMN: &'static str;
    /// What its list accepts.
    const LIST: ListSpec;

    fn from_row(row: &Row<'_>) -> rusqlite::Result<Self>;

    /// The id, as a marker and in messages.
    fn key(&self) -> String;
}

/// Parses a path id for `kind`: integers for all but projects. An id that cannot exist is
/// simply not found.
pub fn parse_id(kind: Kind, raw: &str) -> Result<Value> {
    if kind.has_integer_ids() {
        raw.parse::<i64>()
            .map(Value::Integer)
            .map_err(|_| not_found(kind, raw))
    } else {
        Ok(Value::Text(raw.to_owned()))
    }
}

pub fn not_found(kind: Kind, id: &str) -> Error {
    Error::NotFound(format!("{} {id} not found", kind.singular()))
}

/// The object `id` of `R`, if it exists and `scope` covers it.
pub fn find<R: Record>(conn: &Connection, id: &Value, scope: &Scope) -> Result<Option<R>> {
    let mut sql = format!("{} WHERE t.id = ?1", R::SELECT);
    let mut params = vec![id.clone()];
    if let Scope::Project(project) = scope {
        sql.push_str(&format!(" AND {} = ?2", R::PROJECT_COLUMN));
        params.push(Value::Text(project.clone()));
    }
    let mut statement = conn.prepare_cached(&sql)?;
    let mut rows = statement.query_map(params_from_iter(params), R::from_row)?;
    Ok(rows.next().transpose()?)
}

/// Like [`find`], but a missing or invisible object is a 404.
pub fn get<R: Record>(conn: &Connection, id: &Value, scope: &Scope) -> Result<R> {
    find(conn, id, scope)?.ok_or_else(|| not_found(R::KIND, &display(id)))
}

/// One page of a list.
#[derive(Debug)]
pub struct Page<R> {
    pub items: Vec<R>,
    /// The marker of the next page, when there is one.
    pub next_marker: Option<String>,
}

/// The page of `R` that `params` asks for, ordered by id.
pub fn list<R: Record>(conn: &Connection, params: &ListParams, scope: &Scope) -> Result<Page<R>> {
    let mut sql = format!("{} WHERE 1 = 1", R::SELECT);
    let mut values: Vec<Value> = Vec::new();
    let mut bind = |sql: &mut String, clause: &str, value: Value| {
        values.push(value);
        sql.push_str(&clause.replace('?', &format!("?{}", values.len())));
    };
    if let Scope::Project(project) = scope {
        bind(
            &mut sql,
            &format!(" AND {} = ?", R::PROJECT_COLUMN),
            Value::Text(project.clone()),
        );
    }
    for (column, value) in &params.filters {
        bind(&mut sql, &format!(" AND {column} = ?"), sql_value(value));
    }
    for label in &params.labels {
        bind(
            &mut sql,
            " AND EXISTS (SELECT 1 FROM host_labels l WHERE l.host_id = t.id AND l.label = ?)",
            Value::Text(label.clone()),
        );
    }
    if let Some(table) = R::KIND.variables_table() {
        for filter in &params.vars {
            bind(
                &mut sql,
                &format!(
                    " AND EXISTS (SELECT 1 FROM {table} v WHERE v.owner_id = t.id AND v.key = ?"
                ),
                Value::Text(filter.key.clone()),
            );
            bind(
                &mut sql,
                " AND v.value = ?)",
                Value::Text(filter.value.clone()),
            );
        }
    }
    if let Some(marker) = &params.marker {
        let marker = marker_value(conn, R::KIND, marker, scope)?;
        bind(&mut sql, " AND t.id > ?", marker);
    }
    bind(
        &mut sql,
        " ORDER BY t.id LIMIT ?",
        Value::Integer(i64::from(params.limit) + 1),
    );
    let mut statement = conn.prepare_cached(&sql)?;
    let mut items = statement
        .query_map(params_from_iter(values), R::from_row)?
        .collect::<rusqlite::Result<Vec<R>>>()?;
    let next_marker = if items.len() > params.limit as usize {
        items.truncate(params.limit as usize);
        items.last().map(Record::key)
    } else {
        None
    };
    Ok(Page { items, next_marker })
}

/// A marker must be the id of an object the caller can see: anything else is a 400, so a
/// client never pages from a position that does not exist.
fn marker_value(conn: &Connection, kind: Kind, marker: &str, scope: &Scope) -> Result<Value> {
    let unknown = || Error::field("marker", format!("no {} {marker}", kind.singular()));
    let value = parse_id(kind, marker).map_err(|_| unknown())?;
    let project = owner_project(conn, kind, &value)?.ok_or_else(unknown)?;
    if !scope.covers(&project) {
        return Err(unknown());
    }
    Ok(value)
}

/// The project an object of `kind` belongs to, if it exists (a project belongs to itself).
pub fn owner_project(conn: &Connection, kind: Kind, id: &Value) -> Result<Option<String>> {
    let column = if kind == Kind::Project {
        "id"
    } else {
        "project_id"
    };
    let sql = format!("SELECT {column} FROM {} WHERE id = ?1", kind.table());
    let mut statement = conn.prepare_cached(&sql)?;
    let mut rows = statement.query_map([id], |row| row.get::<_, String>(0))?;
    Ok(rows.next().transpose()?)
}

fn sql_value(value: &FilterValue) -> Value {
    match value {
        FilterValue::Text(text) => Value::Text(text.clone()),
        FilterValue::Integer(n) => Value::Integer(*n),
        FilterValue::Bool(b) => Value::Integer(i64::from(*b)),
    }
}

/// An id as messages show it.
pub fn display(id: &Value) -> String {
    match id {
        Value::Integer(n) => n.to_string(),
        Value::Text(text) => text.clone(),
        other => format!("{other:?}"),
    }
}
