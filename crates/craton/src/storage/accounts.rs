//! Projects and users in the database: their rows, authentication by hashed token, and the
//! idempotent bootstrap of the first root user.

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row};

use crate::domain::Kind;
use crate::domain::accounts::{
    NewProject, NewUser, Project, ProjectChanges, Role, User, UserChanges, token_sha256,
};
use crate::domain::listing::{FilterSpec, FilterType, ListSpec};
use crate::domain::variables::Variables;
use crate::error::{Error, Result};
use crate::storage::checks::{self, Child, NameScope};
use crate::storage::record::{self, Record, Scope};
use crate::storage::variables;

/// The name given to the project that `CRATON_BOOTSTRAP_PROJECT` creates.
pub const BOOTSTRAP_PROJECT_NAME: &str = "bootstrap";

impl Record for Project {
    const KIND: Kind = Kind::Project;
    const SELECT: &'static str = "SELECT t.id, t.name, t.created_at, t.updated_at FROM projects t";
    const PROJECT_COLUMN: &'static str = "t.id";
    const LIST: ListSpec = ListSpec {
        filters: &[FilterSpec {
            param: "name",
            column: "t.name",
            ty: FilterType::Text,
        }],
        labels: false,
        vars: true,
    };

    fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Project {
            id: row.get(0)?,
            name: row.get(1)?,
            created_at: row.get(2)?,
            updated_at: row.get(3)?,
        })
    }

    fn key(&self) -> String {
        self.id.clone()
    }
}

impl Record for User {
    const KIND: Kind = Kind::User;
    const SELECT: &'static str =
        "SELECT t.id, t.project_id, t.name, t.role, t.created_at, t.updated_at FROM users t";
    const PROJECT_COLUMN: &'static str = "t.project_id";
    const LIST: ListSpec = ListSpec {
        filters: &[
            FilterSpec {
                param: "name",
                column: "t.name",
                ty: FilterType::Text,
            },
            FilterSpec {
                param: "project_id",
                column: "t.project_id",
                ty: FilterType::Text,
            },
            FilterSpec {
                param: "role",
                column: "t.role",
                ty: FilterType::Text,
            },
        ],
        labels: false,
        vars: false,
    };

    fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        let role: String = row.get(3)?;
        Ok(User {
            id: row.get(0)?,
            project_id: row.get(1)?,
            name: row.get(2)?,
            role: Role::from_db(&role).map_err(|err| {
                rusqlite::Error::FromSqlConversionFailure(
                    3,
                    rusqlite::types::Type::Text,
                    Box::new(err),
                )
            })?,
            created_at: row.get(4)?,
            updated_at: row.get(5)?,
        })
    }

    fn key(&self) -> String {
        self.id.to_string()
    }
}

const PROJECT_CHILDREN: &[Child] = &[
    Child {
        kind: Kind::User,
        column: "project_id",
    },
    Child {
        kind: Kind::Cloud,
        column: "project_id",
    },
];

fn global_scope() -> NameScope {
    NameScope {
        column: "1",
        value: Value::Integer(1),
        description: String::new(),
    }
}

fn project_scope(project: &str) -> NameScope {
    NameScope {
        column: "project_id",
        value: Value::Text(project.to_owned()),
        description: format!("project {project}"),
    }
}

/// Creates a project with a new UUID, and its variables.
pub fn create_project(
    conn: &mut Connection,
    new: NewProject,
    vars: Option<Variables>,
) -> Result<(Project, Variables)> {
    let tx = conn.transaction()?;
    let id = uuid::Uuid::new_v4().hyphenated().to_string();
    insert_project(&tx, &id, &new.name)?;
    let id = Value::Text(id);
    if let Some(vars) = vars {
        variables::merge(&tx, Kind::Project, &id, &vars)?;
    }
    let project = record::get::<Project>(&tx, &id, &Scope::All)?;
    let variables = variables::load(&tx, Kind::Project, &id)?;
    tx.commit()?;
    Ok((project, variables))
}

fn insert_project(conn: &Connection, id: &str, name: &str) -> Result<()> {
    checks::unique_name(conn, Kind::Project, &global_scope(), name, None)?;
    conn.prepare_cached("INSERT INTO projects (id, name) VALUES (?1, ?2)")?
        .execute([id, name])?;
    Ok(())
}

/// Renames a project.
pub fn update_project(conn: &mut Connection, id: &Value, changes: ProjectChanges) -> Result<()> {
    let tx = conn.transaction()?;
    let mut sets = Vec::new();
    if let Some(name) = changes.name {
        checks::unique_name(&tx, Kind::Project, &global_scope(), &name, Some(id))?;
        sets.push(("name", Value::Text(name)));
    }
    checks::update_columns(&tx, Kind::Project, id, sets)?;
    tx.commit()?;
    Ok(())
}

/// Deletes a project that has no users and no clouds left.
pub fn delete_project(conn: &mut Connection, id: &Value) -> Result<()> {
    let tx = conn.transaction()?;
    record::get::<Project>(&tx, id, &Scope::All)?;
    checks::no_children(
        &tx,
        Kind::Project,
        id,
        PROJECT_CHILDREN,
        "delete them first",
    )?;
    tx.execute("DELETE FROM projects WHERE id = ?1", [id])?;
    tx.commit()?;
    Ok(())
}

/// Creates a user in `project` with the hash of `token`.
pub fn create_user(
    conn: &mut Connection,
    project: &str,
    new: &NewUser,
    token: &str,
) -> Result<User> {
    let tx = conn.transaction()?;
    checks::unique_name(&tx, Kind::User, &project_scope(project), &new.name, None)?;
    tx.prepare_cached(
        "INSERT INTO users (project_id, name, role, token_sha256) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(rusqlite::params![
        project,
        new.name,
        new.role.as_str(),
        token_sha256(token)
    ])?;
    let id = Value::Integer(tx.last_insert_rowid());
    let user = record::get::<User>(&tx, &id, &Scope::All)?;
    tx.commit()?;
    Ok(user)
}

/// Changes a user's name, role or token.
pub fn update_user(conn: &Connection, current: &User, changes: UserChanges) -> Result<()> {
    let id = Value::Integer(current.id);
    let mut sets = Vec::new();
    if let Some(name) = changes.name {
        let scope = project_scope(&current.project_id);
        checks::unique_name(conn, Kind::User, &scope, &name, Some(&id))?;
        sets.push(("name", Value::Text(name)));
    }
    if let Some(role) = changes.role {
        sets.push(("role", Value::Text(role.as_str().to_owned())));
    }
    if let Some(token) = changes.token {
        sets.push(("token_sha256", Value::Text(token_sha256(&token))));
    }
    checks::update_columns(conn, Kind::User, &id, sets)
}

pub fn delete_user(conn: &Connection, id: i64) -> Result<()> {
    conn.execute("DELETE FROM users WHERE id = ?1", [id])?;
    Ok(())
}

/// Who a request's credentials identify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authenticated {
    pub user_id: i64,
    pub user: String,
    pub role: Role,
}

/// The user named `user` whose token hashes to the stored hash, in `project` or, for a root
/// user, in any project (root acts in whichever project it names). `project` must exist.
pub fn authenticate(
    conn: &Connection,
    project: &str,
    user: &str,
    token: &str,
) -> Result<Option<Authenticated>> {
    let found = conn
        .prepare_cached(
            "SELECT u.id, u.name, u.role FROM users u \
             WHERE u.name = ?2 AND u.token_sha256 = ?3 \
               AND (u.project_id = ?1 OR u.role = 'root') \
               AND EXISTS (SELECT 1 FROM projects p WHERE p.id = ?1) \
             ORDER BY u.project_id = ?1 DESC LIMIT 1",
        )?
        .query_row(
            rusqlite::params![project, user, token_sha256(token)],
            |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                ))
            },
        )
        .optional()?;
    found
        .map(|(user_id, user, role)| {
            Ok(Authenticated {
                user_id,
                user,
                role: Role::from_db(&role)?,
            })
        })
        .transpose()
}

/// Makes sure project `project_id` (named `bootstrap`) exists with a root user `user` whose
/// token is `token`: creates what is missing, re-applies role and token, changes nothing else.
pub fn bootstrap(conn: &mut Connection, project_id: &str, user: &str, token: &str) -> Result<()> {
    let tx = conn.transaction()?;
    let exists = tx
        .query_row("SELECT 1 FROM projects WHERE id = ?1", [project_id], |_| {
            Ok(())
        })
        .optional()?
        .is_some();
    if !exists {
        insert_project(&tx, project_id, BOOTSTRAP_PROJECT_NAME).map_err(|err| match err {
            Error::Conflict(_) => Error::Conflict(format!(
                "cannot bootstrap project {project_id}: another project is already named \
                 {BOOTSTRAP_PROJECT_NAME:?}"
            )),
            other => other,
        })?;
    }
    tx.execute(
        "INSERT INTO users (project_id, name, role, token_sha256) VALUES (?1, ?2, 'root', ?3) \
         ON CONFLICT (project_id, name) DO UPDATE \
         SET role = 'root', token_sha256 = excluded.token_sha256, \
             updated_at = CASE WHEN users.role = 'root' \
                                AND users.token_sha256 = excluded.token_sha256 \
                          THEN users.updated_at ELSE excluded.updated_at END",
        rusqlite::params![project_id, user, token_sha256(token)],
    )?;
    tx.commit()?;
    Ok(())
}
