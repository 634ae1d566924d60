//! Labels of hosts: a set of strings per host, which host lists can filter by.

use rusqlite::Connection;

use crate::error::Result;

/// The host's labels, sorted.
pub fn load(conn: &Connection, host_id: i64) -> Result<Vec<String>> {
    let mut statement =
        conn.prepare_cached("SELECT label FROM host_labels WHERE host_id = ?1 ORDER BY label")?;
    let labels = statement
        .query_map([host_id], |row| row.get(0))?
        .collect::<rusqlite::Result<Vec<String>>>()?;
    Ok(labels)
}

/// Makes `labels` the host's whole set.
pub fn replace(conn: &Connection, host_id: i64, labels: &[String]) -> Result<()> {
    conn.prepare_cached("DELETE FROM host_labels WHERE host_id = ?1")?
        .execute([host_id])?;
    add(conn, host_id, labels)
}

/// Adds `labels` to the host's set.
pub fn add(conn: &Connection, host_id: i64, labels: &[String]) -> Result<()> {
    let mut statement =
        conn.prepare_cached("INSERT OR IGNORE INTO host_labels (host_id, label) VALUES (?1, ?2)")?;
    for label in labels {
        statement.execute(rusqlite::params![host_id, label])?;
    }
    Ok(())
}

/// Removes `labels` from the host's set; labels it does not carry are ignored.
pub fn remove(conn: &Connection, host_id: i64, labels: &[String]) -> Result<()> {
    let mut statement =
        conn.prepare_cached("DELETE FROM host_labels WHERE host_id = ?1 AND label = ?2")?;
    for label in labels {
        statement.execute(rusqlite::params![host_id, label])?;
    }
    Ok(())
}
