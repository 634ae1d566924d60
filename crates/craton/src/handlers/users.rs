//! `/v1/users`: admins manage the users of their own project (never root users); root manages
//! every user. Members get 403. A user's token is shown once, in the answer to its creation.

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Serialize;
use serde_json::Value;

use super::{created, list_page};
use crate::auth::Caller;
use crate::domain::Kind;
use crate::domain::accounts::{NewUser, Role, User, UserChanges, generate_token};
use crate::domain::input::from_value;
use crate::error::{Error, Result};
use crate::extract::{JsonBody, PathId};
use crate::router::AppState;
use crate::storage::accounts;
use crate::storage::record::{self, parse_id};

const MANAGE: &str = "manage users";

/// The creation answer: the user and, this once, its token.
#[derive(Serialize)]
struct CreatedUser {
    #[serde(flatten)]
    user: User,
    token: String,
}

fn root_only(caller: &Caller, role: Role) -> Result<()> {
    if role == Role::Root && !caller.is_root() {
        return Err(Error::Forbidden(
            "only root users can create, change or delete root users".into(),
        ));
    }
    Ok(())
}

pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>> {
    caller.require_admin(MANAGE)?;
    list_page::<User>(&state, caller.scope(), query).await
}

pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody,
) -> Result<Response> {
    caller.require_admin(MANAGE)?;
    let new = from_value::<NewUser>(body)?.validate()?;
    root_only(&caller, new.role)?;
    let token = new.token.clone().unwrap_or_else(generate_token);
    let project = caller.project_id;
    let user = state
        .db
        .run({
            let token = token.clone();
            move |conn| accounts::create_user(conn, &project, &new, &token)
        })
        .await?;
    let id = user.id.to_string();
    Ok(created(Kind::User, &id, CreatedUser { user, token }))
}

pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    PathId(raw): PathId,
) -> Result<Json<User>> {
    caller.require_admin(MANAGE)?;
    let id = parse_id(Kind::User, &raw)?;
    let scope = caller.scope();
    let user = state
        .db
        .run(move |conn| record::get::<User>(conn, &id, &scope))
        .await?;
    Ok(Json(user))
}

pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    PathId(raw): PathId,
    JsonBody(body): JsonBody,
) -> Result<Json<User>> {
    caller.require_admin(MANAGE)?;
    let id = parse_id(Kind::User, &raw)?;
    let changes = from_value::<UserChanges>(body)?.validate()?;
    let scope = caller.scope();
    let user = state
        .db
        .run(move |conn| {
            let tx = conn.transaction()?;
            let current = record::get::<User>(&tx, &id, &scope)?;
            root_only(&caller, current.role)?;
            if let Some(role) = changes.role {
                root_only(&caller, role)?;
            }
            accounts::update_user(&tx, &current, changes)?;
            let user = record::get::<User>(&tx, &id, &scope)?;
            tx.commit()?;
            Ok(user)
        })
        .await?;
    Ok(Json(user))
}

pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    PathId(raw): PathId,
) -> Result<StatusCode> {
    caller.require_admin(MANAGE)?;
    let id = parse_id(Kind::User, &raw)?;
    let scope = caller.scope();
    state
        .db
        .run(move |conn| {
            let current = record::get::<User>(conn, &id, &scope)?;
            root_only(&caller, current.role)?;
            accounts::delete_user(conn, current.id)
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
