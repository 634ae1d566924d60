//! Thin HTTP handlers: check who may do what, read the request, call storage, shape the answer.

pub mod ansible;
pub mod inventory;
pub mod labels;
pub mod projects;
pub mod users;
pub mod variables;

use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Value, json};

use crate::domain::Kind;
use crate::domain::listing::ListParams;
use crate::error::{Error, Result};
use crate::router::AppState;
use crate::storage::record::{self, Record, Scope};

/// `201 Created`, `Location: /v1/{kind}/{id}`, the object as body.
pub fn created(kind: Kind, id: &str, body: impl Serialize) -> Response {
    let location = format!("/v1/{}/{id}", kind.path());
    (
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(body),
    )
        .into_response()
}

/// A page of `R` as `{"<kind>": [...], "links": [...]}`.
pub async fn list_page<R: Record>(
    state: &AppState,
    scope: Scope,
    query: Option<String>,
) -> Result<Json<Value>> {
    let params = ListParams::parse(query.as_deref(), &R::LIST)?;
    let page = state
        .db
        .run({
            let params = params.clone();
            move |conn| record::list::<R>(conn, &params, &scope)
        })
        .await?;
    let path = format!("/v1/{}", R::KIND.path());
    let mut body = serde_json::Map::new();
    body.insert(R::KIND.table().to_owned(), json!(page.items));
    body.insert(
        "links".to_owned(),
        json!(params.links(&path, page.next_marker.as_deref())),
    );
    Ok(Json(Value::Object(body)))
}

/// Reads a query string of single-valued parameters, refusing any not in `known`.
pub fn query_pairs(query: Option<&str>, known: &[&str]) -> Result<Vec<(String, String)>> {
    let pairs: Vec<(String, String)> = form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .into_owned()
        .collect();
    if let Some((key, _)) = pairs.iter().find(|(key, _)| !known.contains(&key.as_str())) {
        return Err(Error::field(
            key,
            format!("unknown query parameter (known: {})", known.join(", ")),
        ));
    }
    Ok(pairs)
}

/// `true`/`false` (or `1`/`0`) from a query parameter.
pub fn query_bool(field: &str, value: &str) -> Result<bool> {
    match value.to_ascii_lowercase().as_str() {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        _ => Err(Error::field(
            field,
            format!("{value:?} is not true or false"),
        )),
    }
}
