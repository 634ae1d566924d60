//! `/v1/projects`: root creates and deletes projects; a project's admins may rename it; every
//! user sees their own project, root sees them all.

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use rusqlite::types::Value;
use serde_json::Value as Json_;

use super::{created, list_page};
use crate::auth::Caller;
use crate::domain::Kind;
use crate::domain::accounts::{NewProject, Project, ProjectChanges, project_id};
use crate::domain::input::{from_value, split_variables};
use crate::error::Result;
use crate::extract::{JsonBody, PathId};
use crate::router::AppState;
use crate::storage::accounts;
use crate::storage::inventory::{WithVariables, get_with_variables};
use crate::storage::record::not_found;

/// A path id that is not a UUID names no project.
fn parse(raw: &str) -> Result<Value> {
    project_id("id", raw)
        .map(Value::Text)
        .map_err(|_| not_found(Kind::Project, raw))
}

pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(query): RawQuery,
) -> Result<Json<Json_>> {
    list_page::<Project>(&state, caller.scope(), query).await
}

pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody,
) -> Result<Response> {
    caller.require_root("create projects")?;
    let (fields, variables) = split_variables(body)?;
    let new = from_value::<NewProject>(fields)?.validate()?;
    let (object, variables) = state
        .db
        .run(move |conn| accounts::create_project(conn, new, variables))
        .await?;
    let id = object.id.clone();
    Ok(created(
        Kind::Project,
        &id,
        WithVariables { object, variables },
    ))
}

pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    PathId(raw): PathId,
) -> Result<Json<WithVariables<Project>>> {
    let id = parse(&raw)?;
    let scope = caller.scope();
    let project = state
        .db
        .run(move |conn| get_with_variables::<Project>(conn, &id, &scope))
        .await?;
    Ok(Json(project))
}

pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    PathId(raw): PathId,
    JsonBody(body): JsonBody,
) -> Result<Json<WithVariables<Project>>> {
    let id = parse(&raw)?;
    let changes = from_value::<ProjectChanges>(body)?.validate()?;
    let scope = caller.scope();
    let project = state
        .db
        .run(move |conn| {
            get_with_variables::<Project>(conn, &id, &scope)?;
            caller.require_admin("rename a project")?;
            accounts::update_project(conn, &id, changes)?;
            get_with_variables::<Project>(conn, &id, &scope)
        })
        .await?;
    Ok(Json(project))
}

pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    PathId(raw): PathId,
) -> Result<StatusCode> {
    caller.require_root("delete projects")?;
    let id = parse(&raw)?;
    state
        .db
        .run(move |conn| accounts::delete_project(conn, &id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
