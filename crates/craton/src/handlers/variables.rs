//! `GET|PUT|DELETE /v1/{kind}/{id}/variables`: read (optionally resolved over the ancestry),
//! merge, and delete keys. A project's variables are written by its admins (and root); the
//! inventory's by any user of the project.

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use rusqlite::Connection;
use rusqlite::types::Value;
use serde_json::json;

use super::{query_bool, query_pairs};
use crate::auth::Caller;
use crate::domain::Kind;
use crate::domain::variables::{Variables, keys_to_delete};
use crate::error::Result;
use crate::extract::{JsonBody, PathId};
use crate::router::AppState;
use crate::storage::record::{Record, Scope, display, not_found, owner_project, parse_id};
use crate::storage::variables;

pub async fn get<R: Record>(
    State(state): State<AppState>,
    caller: Caller,
    PathId(raw): PathId,
    RawQuery(query): RawQuery,
) -> Result<Json<serde_json::Value>> {
    let mut resolved = false;
    for (_, value) in query_pairs(query.as_deref(), &["resolved-values"])? {
        resolved = query_bool("resolved-values", &value)?;
    }
    let id = parse_id(R::KIND, &raw)?;
    let scope = caller.scope();
    let variables = state
        .db
        .run(move |conn| {
            visible(conn, R::KIND, &id, &scope)?;
            if resolved {
                variables::resolved(conn, R::KIND, &id)
            } else {
                variables::load(conn, R::KIND, &id)
            }
        })
        .await?;
    Ok(Json(json!({"variables": variables})))
}

pub async fn put<R: Record>(
    State(state): State<AppState>,
    caller: Caller,
    PathId(raw): PathId,
    JsonBody(body): JsonBody,
) -> Result<Json<serde_json::Value>> {
    may_write(&caller, R::KIND)?;
    let id = parse_id(R::KIND, &raw)?;
    let changes = Variables::from_json("body", body)?;
    let scope = caller.scope();
    let variables = state
        .db
        .run(move |conn| {
            let tx = conn.transaction()?;
            visible(&tx, R::KIND, &id, &scope)?;
            variables::merge(&tx, R::KIND, &id, &changes)?;
            let all = variables::load(&tx, R::KIND, &id)?;
            tx.commit()?;
            Ok(all)
        })
        .await?;
    Ok(Json(json!({"variables": variables})))
}

pub async fn delete<R: Record>(
    State(state): State<AppState>,
    caller: Caller,
    PathId(raw): PathId,
    JsonBody(body): JsonBody,
) -> Result<StatusCode> {
    may_write(&caller, R::KIND)?;
    let id = parse_id(R::KIND, &raw)?;
    let keys = keys_to_delete(body)?;
    let scope = caller.scope();
    state
        .db
        .run(move |conn| {
            let tx = conn.transaction()?;
            visible(&tx, R::KIND, &id, &scope)?;
            variables::delete_keys(&tx, R::KIND, &id, &keys)?;
            tx.commit()?;
            Ok(())
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

fn may_write(caller: &Caller, kind: Kind) -> Result<()> {
    if kind == Kind::Project {
        caller.require_admin("change a project's variables")
    } else {
        Ok(())
    }
}

/// 404 unless the object exists and `scope` covers it.
fn visible(conn: &Connection, kind: Kind, id: &Value, scope: &Scope) -> Result<()> {
    match owner_project(conn, kind, id)? {
        Some(project) if scope.covers(&project) => Ok(()),
        _ => Err(not_found(kind, &display(id))),
    }
}
