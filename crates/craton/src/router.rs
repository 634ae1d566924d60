//! The HTTP surface: which path and method reach which handler, plus the layers every request
//! goes through (body limit, request log, JSON errors for unknown routes).

use std::time::Instant;

use axum::Json;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{MethodRouter, get};

use crate::domain::accounts::Project;
use crate::domain::inventory::{Cell, Cloud, Host, Network, NetworkDevice, Region};
use crate::error::{Error, Result};
use crate::handlers::{ansible, inventory, labels, projects, users, variables};
use crate::storage::Db;
use crate::storage::inventory::Inventory;
use crate::storage::record::Record;

/// Request bodies larger than this are refused with 413.
pub const BODY_LIMIT: usize = 1024 * 1024;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
}

/// The whole service as a tower `Service`: what `serve` listens with and what tests drive.
pub fn router(db: Db) -> Router {
    let mut v1 = Router::new()
        .route("/v1/projects", get(projects::list).post(projects::create))
        .route(
            "/v1/projects/{id}",
            get(projects::get)
                .put(projects::update)
                .delete(projects::delete),
        )
        .route("/v1/projects/{id}/variables", variables_of::<Project>())
        .route("/v1/users", get(users::list).post(users::create))
        .route(
            "/v1/users/{id}",
            get(users::get).put(users::update).delete(users::delete),
        )
        .route(
            "/v1/hosts/{id}/labels",
            get(labels::get).put(labels::put).delete(labels::delete),
        )
        .route("/v1/ansible-inventory", get(ansible::inventory));
    v1 = inventory_routes::<Cloud>(v1);
    v1 = inventory_routes::<Region>(v1);
    v1 = inventory_routes::<Cell>(v1);
    v1 = inventory_routes::<Host>(v1);
    v1 = inventory_routes::<Network>(v1);
    v1 = inventory_routes::<NetworkDevice>(v1);
    v1.route("/healthz", get(healthz))
        .fallback(unknown_route)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn(log_request))
        .with_state(AppState { db })
}

/// `/v1/{kind}`, `/v1/{kind}/{id}` and `/v1/{kind}/{id}/variables` for an inventory kind.
fn inventory_routes<R: Inventory>(router: Router<AppState>) -> Router<AppState> {
    let path = R::KIND.path();
    router
        .route(
            &format!("/v1/{path}"),
            get(inventory::list::<R>).post(inventory::create::<R>),
        )
        .route(
            &format!("/v1/{path}/{{id}}"),
            get(inventory::get::<R>)
                .put(inventory::update::<R>)
                .delete(inventory::delete::<R>),
        )
        .route(&format!("/v1/{path}/{{id}}/variables"), variables_of::<R>())
}

fn variables_of<R: Record>() -> MethodRouter<AppState> {
    get(variables::get::<R>)
        .put(variables::put::<R>)
        .delete(variables::delete::<R>)
}

/// Healthy means the database answers, which is what the container's HEALTHCHECK wants to know.
async fn healthz(State(state): State<AppState>) -> Result<Json<serde_json::Value>> {
    state
        .db
        .run(|conn| Ok(conn.query_row("SELECT 1", [], |row| row.get::<_, i64>(0))?))
        .await?;
    Ok(Json(serde_json::json!({"status": "ok"})))
}

async fn unknown_route(request: Request) -> Error {
    Error::NotFound(format!("no route for {}", request.uri().path()))
}

async fn method_not_allowed(request: Request) -> Error {
    Error::MethodNotAllowed(format!(
        "{} is not allowed on {}",
        request.method(),
        request.uri().path()
    ))
}

/// One log line per request on stderr: method, path, status, duration.
async fn log_request(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    tracing::info!(
        %method,
        %path,
        status = response.status().as_u16(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "request"
    );
    response
}
