//! Request extractors that fail in the API's JSON error shape: a JSON body (1 MiB at most,
//! malformed JSON named as such) and an object id from the path.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde_json::Value;

use crate::error::Error;

/// A request body parsed as JSON, not yet typed (see `domain::input::from_value`).
#[derive(Debug)]
pub struct JsonBody(pub Value);

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = Error;

    async fn from_request(request: Request, state: &S) -> Result<Self, Error> {
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    Error::PayloadTooLarge(format!(
                        "body: larger than the limit of {} bytes",
                        crate::router::BODY_LIMIT
                    ))
                } else {
                    Error::BadRequest(format!("body: {}", rejection.body_text()))
                }
            })?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(Error::field("body", "expected JSON, got an empty body"));
        }
        serde_json::from_slice(&bytes)
            .map(JsonBody)
            .map_err(|err| Error::field("body", format!("malformed JSON: {err}")))
    }
}

/// The `{id}` of a path, as given; each handler parses it for its kind.
#[derive(Debug)]
pub struct PathId(pub String);

impl<S: Send + Sync> FromRequestParts<S> for PathId {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Error> {
        Path::<String>::from_request_parts(parts, state)
            .await
            .map(|Path(id)| PathId(id))
            .map_err(|rejection| Error::NotFound(rejection.body_text()))
    }
}
