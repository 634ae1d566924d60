//! Cells: in a region; names are unique within the region. A cell moves to another region only
//! while empty, since its hosts, networks and devices are placed in its region too.

use rusqlite::types::Value;
use rusqlite::{Connection, Row};

use super::Inventory;
use super::filters;
use crate::domain::Kind;
use crate::domain::inventory::{Cell, CellChanges, NewCell};
use crate::domain::listing::ListSpec;
use crate::error::Result;
use crate::storage::checks::{self, Child, NameScope};
use crate::storage::record::Record;

fn scope(region_id: i64) -> NameScope {
    NameScope {
        column: "region_id",
        value: Value::Integer(region_id),
        description: format!("region {region_id}"),
    }
}

impl Record for Cell {
    const KIND: Kind = Kind::Cell;
    const SELECT: &'static str = "SELECT t.id, t.project_id, r.cloud_id, t.region_id, t.name, \
         t.note, t.created_at, t.updated_at FROM cells t JOIN regions r ON r.id = t.region_id";
    const PROJECT_COLUMN: &'static str = "t.project_id";
    const LIST: ListSpec = ListSpec {
        filters: &[
            filters::NAME,
            filters::PROJECT_ID,
            filters::CLOUD_ID_OF_REGION,
            filters::REGION_ID,
        ],
        labels: false,
        vars: true,
    };

    fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Cell {
            id: row.get(0)?,
            project_id: row.get(1)?,
            cloud_id: row.get(2)?,
            region_id: row.get(3)?,
            name: row.get(4)?,
            note: row.get(5)?,
            created_at: row.get(6)?,
            updated_at: row.get(7)?,
        })
    }

    fn key(&self) -> String {
        self.id.to_string()
    }
}

impl Inventory for Cell {
    type New = NewCell;
    type Changes = CellChanges;
    const CHILDREN: &'static [Child] = &[
        Child {
            kind: Kind::Host,
            column: "cell_id",
        },
        Child {
            kind: Kind::Network,
            column: "cell_id",
        },
        Child {
            kind: Kind::NetworkDevice,
            column: "cell_id",
        },
    ];

    fn validate_new(new: NewCell) -> Result<NewCell> {
        new.validate()
    }

    fn validate_changes(changes: CellChanges) -> Result<CellChanges> {
        changes.validate()
    }

    fn insert(conn: &Connection, project: &str, new: NewCell) -> Result<i64> {
        checks::parent(conn, "region_id", Kind::Region, new.region_id, project)?;
        checks::unique_name(conn, Kind::Cell, &scope(new.region_id), &new.name, None)?;
        conn.prepare_cached(
            "INSERT INTO cells (project_id, region_id, name, note) VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(rusqlite::params![
            project,
            new.region_id,
            new.name,
            new.note
        ])?;
        Ok(conn.last_insert_rowid())
    }

    fn update(conn: &Connection, current: &Cell, changes: CellChanges) -> Result<()> {
        let id = Value::Integer(current.id);
        let region_id = changes.region_id.unwrap_or(current.region_id);
        let mut sets = Vec::new();
        if region_id != current.region_id {
            checks::parent(
                conn,
                "region_id",
                Kind::Region,
                region_id,
                &current.project_id,
            )?;
            checks::no_children(
                conn,
                Kind::Cell,
                &id,
                Self::CHILDREN,
                "move or delete them before moving the cell to another region",
            )?;
            sets.push(("region_id", Value::Integer(region_id)));
        }
        let name = changes.name.unwrap_or_else(|| current.name.clone());
        if name != current.name || region_id != current.region_id {
            checks::unique_name(conn, Kind::Cell, &scope(region_id), &name, Some(&id))?;
            sets.push(("name", Value::Text(name)));
        }
        if let Some(note) = changes.note {
            sets.push(("note", checks::text(note)));
        }
        checks::update_columns(conn, Kind::Cell, &id, sets)
    }
}
