//! Test support: a service on a fresh in-memory database with a bootstrap root user, clients
//! that make requests as someone, and fixtures for the objects most tests start from.
//! Requests go through the router in-process (`tower::ServiceExt::oneshot`), no sockets.

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, header};
use craton::bootstrap::Bootstrap;
use craton::router::router;
use craton::server::apply_bootstrap;
use craton::storage::Db;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

/// The bootstrap project's id, and root's name and token.
pub const PROJECT: &str = "6f1b0c1e-8d5e-4c11-9f33-2b0d8e7e3a10";
pub const ROOT: &str = "root";
pub const ROOT_TOKEN: &str = "root-secret-token";

/// Who a client is.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub project: String,
    pub user: String,
    pub token: String,
}

/// The service under test.
pub struct Service {
    pub db: Db,
    router: Router,
}

impl Service {
    /// A service on a new in-memory database, bootstrapped with root in [`PROJECT`].
    pub fn new() -> Self {
        let db = Db::in_memory().expect("in-memory database");
        apply_bootstrap(&db, &root_bootstrap()).expect("bootstrap");
        Self {
            router: router(db.clone()),
            db,
        }
    }

    /// Root in the bootstrap project.
    pub fn root(&self) -> Client {
        self.client(Some(Credentials {
            project: PROJECT.into(),
            user: ROOT.into(),
            token: ROOT_TOKEN.into(),
        }))
    }

    pub fn anonymous(&self) -> Client {
        self.client(None)
    }

    pub fn client(&self, credentials: Option<Credentials>) -> Client {
        Client {
            router: self.router.clone(),
            credentials,
        }
    }
}

pub fn root_bootstrap() -> Bootstrap {
    Bootstrap {
        project_id: PROJECT.into(),
        user: ROOT.into(),
        token: ROOT_TOKEN.into(),
    }
}

/// Makes requests as one user (or nobody).
#[derive(Clone)]
pub struct Client {
    router: Router,
    pub credentials: Option<Credentials>,
}

/// An answer: status, headers and body (JSON, or `Null` when empty).
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: axum::http::HeaderMap,
    pub body: Value,
}

impl Reply {
    /// Asserts the status and hands back the body.
    #[track_caller]
    pub fn expect(self, status: u16) -> Value {
        assert_eq!(self.status, status, "unexpected answer: {}", self.body);
        self.body
    }

    /// Asserts an error answer in the one error shape, with this status; answers its message.
    #[track_caller]
    pub fn error(self, status: u16) -> String {
        assert_eq!(self.status, status, "unexpected answer: {}", self.body);
        assert_eq!(self.body["status"], status, "error shape: {}", self.body);
        let message = self.body["message"]
            .as_str()
            .unwrap_or_else(|| panic!("no message in {}", self.body));
        assert!(!message.is_empty());
        message.to_owned()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

impl Client {
    /// The same user acting in another project (`X-Auth-Project`).
    pub fn in_project(&self, project: &str) -> Client {
        let mut credentials = self.credentials.clone().expect("credentials");
        credentials.project = project.to_owned();
        Client {
            router: self.router.clone(),
            credentials: Some(credentials),
        }
    }

    pub fn as_user(&self, credentials: Credentials) -> Client {
        Client {
            router: self.router.clone(),
            credentials: Some(credentials),
        }
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.send(Method::POST, path, Some(body.to_string().into_bytes()))
            .await
    }

    pub async fn put(&self, path: &str, body: Value) -> Reply {
        self.send(Method::PUT, path, Some(body.to_string().into_bytes()))
            .await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        self.send(Method::DELETE, path, None).await
    }

    pub async fn delete_with(&self, path: &str, body: Value) -> Reply {
        self.send(Method::DELETE, path, Some(body.to_string().into_bytes()))
            .await
    }

    /// Any method, any bytes as body.
    pub async fn send(&self, method: Method, path: &str, body: Option<Vec<u8>>) -> Reply {
        let mut request = Request::builder().method(method).uri(path);
        if let Some(c) = &self.credentials {
            request = request
                .header("X-Auth-Project", &c.project)
                .header("X-Auth-User", &c.user)
                .header("X-Auth-Token", &c.token);
        }
        let request = match body {
            Some(bytes) => request
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(bytes)),
            None => request.body(Body::empty()),
        }
        .expect("request");
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("infallible");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or_else(|err| {
                panic!("not JSON ({err}): {}", String::from_utf8_lossy(&bytes))
            })
        };
        Reply {
            status,
            headers,
            body,
        }
    }

    /// POSTs to `/v1/{kind}`, asserts 201, answers the new object.
    pub async fn create(&self, kind: &str, body: Value) -> Value {
        self.post(&format!("/v1/{kind}"), body).await.expect(201)
    }

    /// Like [`Client::create`], answering the integer id.
    pub async fn create_id(&self, kind: &str, body: Value) -> i64 {
        id_of(&self.create(kind, body).await)
    }

    pub async fn cloud(&self, name: &str) -> i64 {
        self.create_id("clouds", json!({"name": name})).await
    }

    pub async fn region(&self, cloud: i64, name: &str) -> i64 {
        self.create_id("regions", json!({"name": name, "cloud_id": cloud}))
            .await
    }

    pub async fn cell(&self, region: i64, name: &str) -> i64 {
        self.create_id("cells", json!({"name": name, "region_id": region}))
            .await
    }

    /// A `server` host in `region` (and `cell`).
    pub async fn host(&self, region: i64, cell: Option<i64>, name: &str, ip: &str) -> i64 {
        self.create_id(
            "hosts",
            json!({"name": name, "region_id": region, "cell_id": cell, "ip_address": ip,
                   "device_type": "server"}),
        )
        .await
    }

    /// A cloud `cloud-1` with a region `region-1`.
    pub async fn site(&self) -> Site {
        let cloud = self.cloud("cloud-1").await;
        let region = self.region(cloud, "region-1").await;
        Site { cloud, region }
    }

    /// A new user of `role` in this client's project; answers a client acting as it.
    pub async fn user(&self, name: &str, role: &str) -> Client {
        let body = self
            .create("users", json!({"name": name, "role": role}))
            .await;
        let project = self
            .credentials
            .as_ref()
            .expect("credentials")
            .project
            .clone();
        self.as_user(Credentials {
            project,
            user: name.into(),
            token: body["token"].as_str().expect("token").into(),
        })
    }

    /// A new project (as root); answers its id.
    pub async fn project(&self, name: &str) -> String {
        let body = self.create("projects", json!({"name": name})).await;
        body["id"].as_str().expect("string id").to_owned()
    }

    /// A new project with an admin: answers its id and the admin's client.
    pub async fn project_with_admin(&self, name: &str) -> (String, Client) {
        let project = self.project(name).await;
        let admin = self
            .in_project(&project)
            .user(&format!("{name}-admin"), "admin")
            .await;
        (project, admin)
    }
}

/// A cloud and a region in it.
#[derive(Debug, Clone, Copy)]
pub struct Site {
    pub cloud: i64,
    pub region: i64,
}

#[track_caller]
pub fn id_of(body: &Value) -> i64 {
    body["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("no integer id in {body}"))
}

/// The `name`s of a list answer's `key` array, in order.
#[track_caller]
pub fn names(body: &Value, key: &str) -> Vec<String> {
    body[key]
        .as_array()
        .unwrap_or_else(|| panic!("no {key} array in {body}"))
        .iter()
        .map(|o| o["name"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// The `next` link of a list answer.
pub fn next_link(body: &Value) -> Option<String> {
    body["links"]
        .as_array()?
        .iter()
        .find(|l| l["rel"] == "next")
        .and_then(|l| l["href"].as_str())
        .map(str::to_owned)
}
