//! Who is calling: the `X-Auth-Project`, `X-Auth-User` and `X-Auth-Token` headers checked against
//! the users table (tokens compared by SHA-256 hash), and what their role lets them do.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::domain::accounts::{Role, project_id};
use crate::error::{Error, Result};
use crate::router::AppState;
use crate::storage::accounts::authenticate;
use crate::storage::record::Scope;

pub const PROJECT_HEADER: &str = "x-auth-project";
pub const USER_HEADER: &str = "x-auth-user";
pub const TOKEN_HEADER: &str = "x-auth-token";

/// An authenticated caller, acting in the project its `X-Auth-Project` names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub user_id: i64,
    pub user: String,
    pub role: Role,
    /// The project the caller acts in: where it creates objects.
    pub project_id: String,
}

impl Caller {
    pub fn is_root(&self) -> bool {
        self.role == Role::Root
    }

    /// What the caller's reads cover: every project for root, its own otherwise.
    pub fn scope(&self) -> Scope {
        if self.is_root() {
            Scope::All
        } else {
            Scope::Project(self.project_id.clone())
        }
    }

    /// 403 unless root.
    pub fn require_root(&self, action: &str) -> Result<()> {
        if self.is_root() {
            Ok(())
        } else {
            Err(Error::Forbidden(format!("only root users can {action}")))
        }
    }

    /// 403 unless root or admin (of the caller's project: reads are scoped to it anyway).
    pub fn require_admin(&self, action: &str) -> Result<()> {
        if self.role == Role::Member {
            Err(Error::Forbidden(format!(
                "only admin and root users can {action}"
            )))
        } else {
            Ok(())
        }
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        let project = header(parts, PROJECT_HEADER)?;
        let user = header(parts, USER_HEADER)?;
        let token = header(parts, TOKEN_HEADER)?;
        let wrong = || Error::Unauthorized("wrong project, user or token".into());
        // Not a UUID: cannot be a project, and the same answer as any other wrong credential.
        let project = project_id(PROJECT_HEADER, &project).map_err(|_| wrong())?;
        let found = state
            .db
            .run({
                let project = project.clone();
                move |conn| authenticate(conn, &project, &user, &token)
            })
            .await?;
        let found = found.ok_or_else(wrong)?;
        Ok(Caller {
            user_id: found.user_id,
            user: found.user,
            role: found.role,
            project_id: project,
        })
    }
}

fn header(parts: &Parts, name: &str) -> Result<String> {
    let value = parts
        .headers
        .get(name)
        .ok_or_else(|| Error::Unauthorized(format!("missing {} header", display_name(name))))?;
    let value = value
        .to_str()
        .map_err(|_| Error::Unauthorized(format!("{} is not text", display_name(name))))?;
    if value.is_empty() {
        return Err(Error::Unauthorized(format!(
            "empty {} header",
            display_name(name)
        )));
    }
    Ok(value.to_owned())
}

fn display_name(name: &str) -> &'static str {
    match name {
        PROJECT_HEADER => "X-Auth-Project",
        USER_HEADER => "X-Auth-User",
        _ => "X-Auth-Token",
    }
}
