//! `GET|PUT|DELETE /v1/hosts/{id}/labels`: a host's set of labels.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::Caller;
use crate::domain::input::from_value;
use crate::domain::inventory::{Host, labels as checked_labels};
use crate::error::Result;
use crate::extract::{JsonBody, PathId};
use crate::router::AppState;
use crate::storage::labels;
use crate::storage::record::{self, Record, parse_id};

/// The body of PUT and DELETE.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LabelSet {
    labels: Vec<String>,
}

fn read_labels(body: Value) -> Result<Vec<String>> {
    let set: LabelSet = from_value(body)?;
    checked_labels("labels", set.labels)
}

pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    PathId(raw): PathId,
) -> Result<Json<Value>> {
    let id = parse_id(Host::KIND, &raw)?;
    let scope = caller.scope();
    let labels = state
        .db
        .run(move |conn| Ok(record::get::<Host>(conn, &id, &scope)?.labels))
        .await?;
    Ok(Json(json!({"labels": labels})))
}

pub async fn put(
    State(state): State<AppState>,
    caller: Caller,
    PathId(raw): PathId,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>> {
    let id = parse_id(Host::KIND, &raw)?;
    let wanted = read_labels(body)?;
    let scope = caller.scope();
    let labels = state
        .db
        .run(move |conn| {
            let tx = conn.transaction()?;
            let host = record::get::<Host>(&tx, &id, &scope)?;
            labels::replace(&tx, host.id, &wanted)?;
            let labels = labels::load(&tx, host.id)?;
            tx.commit()?;
            Ok(labels)
        })
        .await?;
    Ok(Json(json!({"labels": labels})))
}

pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    PathId(raw): PathId,
    JsonBody(body): JsonBody,
) -> Result<StatusCode> {
    let id = parse_id(Host::KIND, &raw)?;
    let unwanted = read_labels(body)?;
    let scope = caller.scope();
    state
        .db
        .run(move |conn| {
            let tx = conn.transaction()?;
            let host = record::get::<Host>(&tx, &id, &scope)?;
            labels::remove(&tx, host.id, &unwanted)?;
            tx.commit()?;
            Ok(())
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
