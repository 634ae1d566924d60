//! SQLite storage: one connection behind a mutex, used from async handlers through
//! `spawn_blocking`. SQLite serialises writers anyway, and one connection is what makes
//! `:memory:` databases work; every query binds its user input as parameters.

pub mod accounts;
pub mod ansible;
pub mod checks;
pub mod inventory;
pub mod labels;
mod migrations;
pub mod record;
pub mod variables;

use std::path::Path;
use std::sync::{Arc, Mutex};

use rusqlite::Connection;

use crate::error::{Error, Result};

pub use migrations::LATEST as SCHEMA_VERSION;

/// A handle on the database, cheap to clone into each request.
#[derive(Clone)]
pub struct Db {
    conn: Arc<Mutex<Connection>>,
}

impl Db {
    /// Opens (creating if needed) the database at `path` (`:memory:` for a throw-away one),
    /// turns foreign keys on and brings the schema up to date.
    pub fn open(path: &Path) -> Result<Self> {
        let conn = if path.as_os_str() == ":memory:" {
            Connection::open_in_memory()
        } else {
            Connection::open(path)
        }
        .map_err(|err| Error::internal(&format!("opening {}", path.display()), err))?;
        Self::from_connection(conn)
    }

    /// A fresh in-memory database, as tests use.
    pub fn in_memory() -> Result<Self> {
        Self::from_connection(Connection::open_in_memory()?)
    }

    fn from_connection(mut conn: Connection) -> Result<Self> {
        // WAL lets readers of a file database (backups, sqlite3) work alongside us; it is
        // meaningless (and refused) for :memory:, hence the query rather than execute.
        conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;")?;
        let _mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))?;
        migrations::migrate(&mut conn)?;
        Ok(Self {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    /// Runs `work` on the connection in a blocking thread, so a slow query never stalls the
    /// async runtime.
    pub async fn run<T, F>(&self, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    {
        let conn = Arc::clone(&self.conn);
        tokio::task::spawn_blocking(move || {
            // A panic while holding the lock rolled its transaction back when the
            // transaction dropped, so the connection itself is still sound.
            let mut guard = conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            work(&mut guard)
        })
        .await
        .map_err(|err| Error::internal("database task", err))?
    }

    /// Runs `work` synchronously (start-up code and unit tests, outside the runtime).
    pub fn run_blocking<T>(&self, work: impl FnOnce(&mut Connection) -> Result<T>) -> Result<T> {
        let mut guard = self
            .conn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        work(&mut guard)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn foreign_keys_are_enforced() {
        let db = Db::in_memory().unwrap();
        let err = db
            .run_blocking(|conn| {
                conn.execute(
                    "INSERT INTO clouds (project_id, name) VALUES ('nope', 'c')",
                    [],
                )?;
                Ok(())
            })
            .unwrap_err();
        assert_eq!(err.status(), axum::http::StatusCode::CONFLICT);
    }

    #[test]
    fn a_file_database_keeps_its_data_across_opens() {
        let dir = std::env::temp_dir().join(format!("craton-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("keep.db");
        let _ = std::fs::remove_file(&path);
        Db::open(&path)
            .unwrap()
            .run_blocking(|conn| {
                conn.execute("INSERT INTO projects (id, name) VALUES ('p', 'kept')", [])?;
                Ok(())
            })
            .unwrap();
        let name: String = Db::open(&path)
            .unwrap()
            .run_blocking(|conn| {
                Ok(conn.query_row("SELECT name FROM projects WHERE id = 'p'", [], |r| r.get(0))?)
            })
            .unwrap();
        assert_eq!(name, "kept");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
