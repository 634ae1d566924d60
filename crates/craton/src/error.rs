//! The one error type of the API and its single JSON shape, `{"status": N, "message": "..."}`.
//! Storage, domain and handlers all return it; only `into_response` knows about HTTP.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// What went wrong, and a message a client can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// 400: the request is malformed or names something that cannot be used.
    BadRequest(String),
    /// 401: missing or wrong credentials.
    Unauthorized(String),
    /// 403: authenticated, but the role does not allow it.
    Forbidden(String),
    /// 404: no such object (or one the caller may not see).
    NotFound(String),
    /// 405: the path exists but not with this method.
    MethodNotAllowed(String),
    /// 409: the request conflicts with what is stored.
    Conflict(String),
    /// 413: the body is over the limit.
    PayloadTooLarge(String),
    /// 500: our fault; the details go to the log, not to the client.
    Internal(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn status(&self) -> StatusCode {
        match self {
            Error::BadRequest(_) => StatusCode::BAD_REQUEST,
            Error::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Error::Forbidden(_) => StatusCode::FORBIDDEN,
            Error::NotFound(_) => StatusCode::NOT_FOUND,
            Error::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            Error::Conflict(_) => StatusCode::CONFLICT,
            Error::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn message(&self) -> &str {
        match self {
            Error::BadRequest(m)
            | Error::Unauthorized(m)
            | Error::Forbidden(m)
            | Error::NotFound(m)
            | Error::MethodNotAllowed(m)
            | Error::Conflict(m)
            | Error::PayloadTooLarge(m)
            | Error::Internal(m) => m,
        }
    }

    /// A 400 about one field: the message starts with the field's name.
    pub fn field(field: &str, problem: impl std::fmt::Display) -> Self {
        Error::BadRequest(format!("{field}: {problem}"))
    }

    pub fn internal(context: &str, err: impl std::fmt::Display) -> Self {
        Error::Internal(format!("{context}: {err}"))
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status().as_u16(), self.message())
    }
}

impl std::error::Error for Error {}

impl From<rusqlite::Error> for Error {
    /// Constraint violations are the client's doing (the checks before them are the real
    /// guard; these are the backstop against races); anything else is ours.
    fn from(err: rusqlite::Error) -> Self {
        if let rusqlite::Error::SqliteFailure(failure, _) = &err {
            match failure.extended_code {
                rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                | rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY => {
                    return Error::Conflict("an object with that name already exists".into());
                }
                rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY => {
                    return Error::Conflict(
                        "the object is still referenced by other objects".into(),
                    );
                }
                _ => {}
            }
        }
        Error::internal("database", err)
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let status = self.status();
        let message = match &self {
            Error::Internal(details) => {
                tracing::error!(%details, "internal error");
                "internal error: see the service's log".to_owned()
            }
            other => other.message().to_owned(),
        };
        let body = serde_json::json!({"status": status.as_u16(), "message": message});
        (status, Json(body)).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_errors_start_with_the_field_name() {
        let err = Error::field("ip_address", "\"x\" is not an IP address");
        assert_eq!(err.status(), StatusCode::BAD_REQUEST);
        assert_eq!(err.message(), "ip_address: \"x\" is not an IP address");
    }

    #[test]
    fn unique_violations_become_conflicts() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (name TEXT UNIQUE); INSERT INTO t VALUES ('a');")
            .unwrap();
        let err: Error = conn
            .execute("INSERT INTO t VALUES ('a')", [])
            .unwrap_err()
            .into();
        assert_eq!(err.status(), StatusCode::CONFLICT);
    }

    #[test]
    fn internal_errors_hide_their_details_from_clients() {
        let response = Error::internal("database", "disk I/O error").into_response();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    }
}
