//! Regions: in a cloud; names are unique within the cloud. A region may move to another cloud
//! of its project (its cells and hosts follow, since their cloud is found through it).

use rusqlite::types::Value;
use rusqlite::{Connection, Row};

use super::Inventory;
use super::filters;
use crate::domain::Kind;
use crate::domain::inventory::{NewRegion, Region, RegionChanges};
use crate::domain::listing::{FilterSpec, FilterType, ListSpec};
use crate::error::Result;
use crate::storage::checks::{self, Child, NameScope};
use crate::storage::record::Record;

fn scope(cloud_id: i64) -> NameScope {
    NameScope {
        column: "cloud_id",
        value: Value::Integer(cloud_id),
        description: format!("cloud {cloud_id}"),
    }
}

impl Record for Region {
    const KIND: Kind = Kind::Region;
    const SELECT: &'static str = "SELECT t.id, t.project_id, t.cloud_id, t.name, t.note, \
         t.created_at, t.updated_at FROM regions t";
    const PROJECT_COLUMN: &'static str = "t.project_id";
    const LIST: ListSpec = ListSpec {
        filters: &[
            filters::NAME,
            filters::PROJECT_ID,
            FilterSpec {
                param: "cloud_id",
                column: "t.cloud_id",
                ty: FilterType::Integer,
            },
        ],
        labels: false,
        vars: true,
    };

    fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Region {
            id: row.get(0)?,
            project_id: row.get(1)?,
            cloud_id: row.get(2)?,
            name: row.get(3)?,
            note: row.get(4)?,
            created_at: row.get(5)?,
            updated_at: row.get(6)?,
        })
    }

    fn key(&self) -> String {
        self.id.to_string()
    }
}

impl Inventory for Region {
    type New = NewRegion;
    type Changes = RegionChanges;
    const CHILDREN: &'static [Child] = &[
        Child {
            kind: Kind::Cell,
            column: "region_id",
        },
        Child {
            kind: Kind::Host,
            column: "region_id",
        },
        Child {
            kind: Kind::Network,
            column: "region_id",
        },
        Child {
            kind: Kind::NetworkDevice,
            column: "region_id",
        },
    ];

    fn validate_new(new: NewRegion) -> Result<NewRegion> {
        new.validate()
    }

    fn validate_changes(changes: RegionChanges) -> Result<RegionChanges> {
        changes.validate()
    }

    fn insert(conn: &Connection, project: &str, new: NewRegion) -> Result<i64> {
        checks::parent(conn, "cloud_id", Kind::Cloud, new.cloud_id, project)?;
        checks::unique_name(conn, Kind::Region, &scope(new.cloud_id), &new.name, None)?;
        conn.prepare_cached(
            "INSERT INTO regions (project_id, cloud_id, name, note) VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(rusqlite::params![project, new.cloud_id, new.name, new.note])?;
        Ok(conn.last_insert_rowid())
    }

    fn update(conn: &Connection, current: &Region, changes: RegionChanges) -> Result<()> {
        let id = Value::Integer(current.id);
        let cloud_id = changes.cloud_id.unwrap_or(current.cloud_id);
        let mut sets = Vec::new();
        if cloud_id != current.cloud_id {
            checks::parent(conn, "cloud_id", Kind::Cloud, cloud_id, &current.project_id)?;
            sets.push(("cloud_id", Value::Integer(cloud_id)));
        }
        let name = changes.name.unwrap_or_else(|| current.name.clone());
        if name != current.name || cloud_id != current.cloud_id {
            checks::unique_name(conn, Kind::Region, &scope(cloud_id), &name, Some(&id))?;
            sets.push(("name", Value::Text(name)));
        }
        if let Some(note) = changes.note {
            sets.push(("note", checks::text(note)));
        }
        checks::update_columns(conn, Kind::Region, &id, sets)
    }
}
