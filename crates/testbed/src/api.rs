//! A small HTTP client for tests: requests to one container with its credentials attached, and
//! replies read whole (status, headers, JSON body) so tests assert on plain values.

use reqwest::Method;
use reqwest::blocking::{Client, RequestBuilder};
use reqwest::header::HeaderMap;
use serde_json::Value;

use crate::Credentials;

/// Talks to one container. Transport failures panic: for a test they are failures with the
/// method and URL in the message.
#[derive(Debug, Clone)]
pub struct Api {
    client: Client,
    base: String,
    credentials: Option<Credentials>,
}

/// A whole answer.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    /// The body as JSON, `Value::Null` when it is empty or not JSON.
    pub body: Value,
    pub text: String,
}

impl Api {
    pub fn new(client: Client, base: String, credentials: Option<Credentials>) -> Self {
        Self {
            client,
            base,
            credentials,
        }
    }

    /// The same container without any auth headers.
    pub fn anonymous(&self) -> Self {
        Self {
            credentials: None,
            ..self.clone()
        }
    }

    /// The same container as another user.
    pub fn as_user(&self, credentials: Credentials) -> Self {
        Self {
            credentials: Some(credentials),
            ..self.clone()
        }
    }

    pub fn credentials(&self) -> Option<&Credentials> {
        self.credentials.as_ref()
    }

    pub fn get(&self, path: &str) -> Reply {
        self.send(self.request(Method::GET, path))
    }

    pub fn post(&self, path: &str, body: &Value) -> Reply {
        self.send(self.request(Method::POST, path).json(body))
    }

    pub fn put(&self, path: &str, body: &Value) -> Reply {
        self.send(self.request(Method::PUT, path).json(body))
    }

    pub fn delete(&self, path: &str) -> Reply {
        self.send(self.request(Method::DELETE, path))
    }

    /// DELETE with a JSON body (variables and labels take the keys to remove).
    pub fn delete_with(&self, path: &str, body: &Value) -> Reply {
        self.send(self.request(Method::DELETE, path).json(body))
    }

    /// A request with an arbitrary body, for malformed input.
    pub fn send_raw(&self, method: Method, path: &str, body: impl Into<Vec<u8>>) -> Reply {
        let request = self
            .request(method, path)
            .header("content-type", "application/json")
            .body(body.into());
        self.send(request)
    }

    /// A request builder with the credentials attached, for anything the helpers do not cover.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if let Some(c) = &self.credentials {
            request = request
                .header("X-Auth-Project", &c.project)
                .header("X-Auth-User", &c.user)
                .header("X-Auth-Token", &c.token);
        }
        request
    }

    /// Sends a request built with [`Api::request`] and reads the whole answer.
    pub fn send(&self, request: RequestBuilder) -> Reply {
        let described = request
            .try_clone()
            .and_then(|r| r.build().ok())
            .map(|r| format!("{} {}", r.method(), r.url()))
            .unwrap_or_else(|| "request".to_owned());
        let response = match request.send() {
            Ok(response) => response,
            Err(err) => panic!("{described}: no answer: {err}"),
        };
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = match response.text() {
            Ok(text) => text,
            Err(err) => panic!("{described}: cannot read the answer: {err}"),
        };
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Reply {
            status,
            headers,
            body,
            text,
        }
    }
}

impl Reply {
    /// The body, after asserting the status; the panic message shows what came instead.
    #[track_caller]
    pub fn expect(self, status: u16) -> Value {
        assert_eq!(
            self.status, status,
            "expected status {status}, got {}: {}",
            self.status, self.text
        );
        self.body
    }

    /// A header's value as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The error message of a `{"status", "message"}` error body ("" when there is none).
    pub fn message(&self) -> &str {
        self.body["message"].as_str().unwrap_or("")
    }
}
