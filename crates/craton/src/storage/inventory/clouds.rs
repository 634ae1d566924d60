//! Clouds: the top of a project's inventory; names are unique within the project.

use rusqlite::types::Value;
use rusqlite::{Connection, Row};

use super::Inventory;
use super::filters;
use crate::domain::Kind;
use crate::domain::inventory::{Cloud, CloudChanges, NewCloud};
use crate::domain::listing::ListSpec;
use crate::error::Result;
use crate::storage::checks::{self, Child, NameScope};
use crate::storage::record::Record;

fn scope(project: &str) -> NameScope {
    NameScope {
        column: "project_id",
        value: Value::Text(project.to_owned()),
        description: "this project".into(),
    }
}

impl Record for Cloud {
    const KIND: Kind = Kind::Cloud;
    const SELECT: &'static str =
        "SELECT t.id, t.project_id, t.name, t.note, t.created_at, t.updated_at FROM clouds t";
    const PROJECT_COLUMN: &'static str = "t.project_id";
    const LIST: ListSpec = ListSpec {
        filters: &[filters::NAME, filters::PROJECT_ID],
        labels: false,
        vars: true,
    };

    fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Cloud {
            id: row.get(0)?,
            project_id: row.get(1)?,
            name: row.get(2)?,
            note: row.get(3)?,
            created_at: row.get(4)?,
            updated_at: row.get(5)?,
        })
    }

    fn key(&self) -> String {
        self.id.to_string()
    }
}

impl Inventory for Cloud {
    type New = NewCloud;
    type Changes = CloudChanges;
    const CHILDREN: &'static [Child] = &[Child {
        kind: Kind::Region,
        column: "cloud_id",
    }];

    fn validate_new(new: NewCloud) -> Result<NewCloud> {
        new.validate()
    }

    fn validate_changes(changes: CloudChanges) -> Result<CloudChanges> {
        changes.validate()
    }

    fn insert(conn: &Connection, project: &str, new: NewCloud) -> Result<i64> {
        checks::unique_name(conn, Kind::Cloud, &scope(project), &new.name, None)?;
        conn.prepare_cached("INSERT INTO clouds (project_id, name, note) VALUES (?1, ?2, ?3)")?
            .execute(rusqlite::params![project, new.name, new.note])?;
        Ok(conn.last_insert_rowid())
    }

    fn update(conn: &Connection, current: &Cloud, changes: CloudChanges) -> Result<()> {
        let id = Value::Integer(current.id);
        let mut sets = Vec::new();
        if let Some(name) = changes.name {
            checks::unique_name(
                conn,
                Kind::Cloud,
                &scope(&current.project_id),
                &name,
                Some(&id),
            )?;
            sets.push(("name", Value::Text(name)));
        }
        if let Some(note) = changes.note {
            sets.push(("note", checks::text(note)));
        }
        checks::update_columns(conn, Kind::Cloud, &id, sets)
    }
}
