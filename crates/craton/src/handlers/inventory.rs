//! list / create / get / update / delete for every inventory kind (clouds, regions, cells,
//! hosts, networks, network devices), written once over the `Inventory` trait. Any user of the
//! project may read and write its inventory.

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::Value;

use super::{created, list_page};
use crate::auth::Caller;
use crate::domain::input::{from_value, split_variables};
use crate::error::Result;
use crate::extract::{JsonBody, PathId};
use crate::router::AppState;
use crate::storage::inventory::{self, Inventory, WithVariables};
use crate::storage::record::parse_id;

pub async fn list<R: Inventory>(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>> {
    list_page::<R>(&state, caller.scope(), query).await
}

pub async fn create<R: Inventory>(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody,
) -> Result<Response> {
    let (fields, variables) = split_variables(body)?;
    let new = R::validate_new(from_value(fields)?)?;
    let project = caller.project_id;
    let object = state
        .db
        .run(move |conn| inventory::create::<R>(conn, &project, new, variables))
        .await?;
    Ok(created(R::KIND, &object.object.key(), object))
}

pub async fn get<R: Inventory>(
    State(state): State<AppState>,
    caller: Caller,
    PathId(raw): PathId,
) -> Result<Json<WithVariables<R>>> {
    let id = parse_id(R::KIND, &raw)?;
    let scope = caller.scope();
    let object = state
        .db
        .run(move |conn| inventory::get_with_variables::<R>(conn, &id, &scope))
        .await?;
    Ok(Json(object))
}

pub async fn update<R: Inventory>(
    State(state): State<AppState>,
    caller: Caller,
    PathId(raw): PathId,
    JsonBody(body): JsonBody,
) -> Result<Json<WithVariables<R>>> {
    let id = parse_id(R::KIND, &raw)?;
    let changes = R::validate_changes(from_value(body)?)?;
    let scope = caller.scope();
    let object = state
        .db
        .run(move |conn| inventory::update::<R>(conn, &id, &scope, changes))
        .await?;
    Ok(Json(object))
}

pub async fn delete<R: Inventory>(
    State(state): State<AppState>,
    caller: Caller,
    PathId(raw): PathId,
) -> Result<StatusCode> {
    let id = parse_id(R::KIND, &raw)?;
    let scope = caller.scope();
    state
        .db
        .run(move |conn| inventory::delete::<R>(conn, &id, &scope))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
