//! `GET /v1/ansible-inventory?region_id=R[&cell_id=C]`: the region's active hosts as Ansible's
//! dynamic inventory JSON.

use axum::Json;
use axum::extract::{RawQuery, State};
use serde_json::Value;

use super::query_pairs;
use crate::auth::Caller;
use crate::domain::ansible::build;
use crate::error::{Error, Result};
use crate::router::AppState;
use crate::storage::ansible::region_hosts;

pub async fn inventory(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>> {
    let mut region_id = None;
    let mut cell_id = None;
    for (key, value) in query_pairs(query.as_deref(), &["region_id", "cell_id"])? {
        let id = value
            .parse::<i64>()
            .map_err(|_| Error::field(&key, format!("{value:?} is not an integer id")))?;
        if key == "region_id" {
            region_id = Some(id);
        } else {
            cell_id = Some(id);
        }
    }
    let region_id = region_id.ok_or_else(|| Error::field("region_id", "is required"))?;
    let scope = caller.scope();
    let (region, hosts) = state
        .db
        .run(move |conn| region_hosts(conn, &scope, region_id, cell_id))
        .await?;
    Ok(Json(build(&region, &hosts)))
}
