//! Objects many tests need: a cloud with a region, cells, hosts, users of each role, another
//! project. Each helper asserts the creation succeeded and answers the new object's id.

use serde_json::{Value, json};
use testbed::{Api, Credentials};

/// The id of an object in a body (integer ids; projects' are strings, see [`project`]).
#[track_caller]
pub fn id_of(body: &Value) -> i64 {
    body["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("no integer id in {body}"))
}

/// POSTs `body` to `/v1/{kind}`, asserts 201, answers the created object.
#[track_caller]
pub fn create(api: &Api, kind: &str, body: Value) -> Value {
    api.post(&format!("/v1/{kind}"), &body).expect(201)
}

#[track_caller]
pub fn cloud(api: &Api, name: &str) -> i64 {
    id_of(&create(api, "clouds", json!({"name": name})))
}

#[track_caller]
pub fn region(api: &Api, cloud: i64, name: &str) -> i64 {
    id_of(&create(
        api,
        "regions",
        json!({"name": name, "cloud_id": cloud}),
    ))
}

#[track_caller]
pub fn cell(api: &Api, region: i64, name: &str) -> i64 {
    id_of(&create(
        api,
        "cells",
        json!({"name": name, "region_id": region}),
    ))
}

/// A host of device type `server`; `cell` may be None.
#[track_caller]
pub fn host(api: &Api, region: i64, cell: Option<i64>, name: &str, ip: &str) -> i64 {
    let mut body = json!({
        "name": name,
        "region_id": region,
        "ip_address": ip,
        "device_type": "server",
    });
    if let Some(cell) = cell {
        body["cell_id"] = json!(cell);
    }
    id_of(&create(api, "hosts", body))
}

/// A cloud and a region in it: what most inventory tests start from.
#[derive(Debug, Clone, Copy)]
pub struct Site {
    pub cloud: i64,
    pub region: i64,
}

#[track_caller]
pub fn site(api: &Api) -> Site {
    let cloud = cloud(api, "cloud-1");
    Site {
        cloud,
        region: region(api, cloud, "region-1"),
    }
}

/// A user of `role` in the caller's project; answers its credentials (the token is shown
/// once, in the creation's answer).
#[track_caller]
pub fn user(api: &Api, name: &str, role: &str) -> Credentials {
    let body = create(api, "users", json!({"name": name, "role": role}));
    let caller = api
        .credentials()
        .expect("creating a user needs credentials");
    Credentials {
        project: caller.project.clone(),
        user: name.to_owned(),
        token: body["token"]
            .as_str()
            .unwrap_or_else(|| panic!("no token in the creation's answer: {body}"))
            .to_owned(),
    }
}

/// A new project (root only); answers its id.
#[track_caller]
pub fn project(api: &Api, name: &str) -> String {
    let body = create(api, "projects", json!({"name": name}));
    body["id"]
        .as_str()
        .unwrap_or_else(|| panic!("a project's id is a UUID string: {body}"))
        .to_owned()
}

/// Root acting in `project` (root may name any project in `X-Auth-Project`).
pub fn root_in(root: &Api, project: &str) -> Api {
    let mut credentials = root.credentials().expect("root's credentials").clone();
    credentials.project = project.to_owned();
    root.as_user(credentials)
}

/// A new project with an admin of its own: answers (project id, the admin's client).
#[track_caller]
pub fn project_with_admin(root: &Api, name: &str) -> (String, Api) {
    let project = project(root, name);
    let admin = user(&root_in(root, &project), &format!("{name}-admin"), "admin");
    (project, root.as_user(admin))
}

/// The names in a list answer's `key` array, in order.
#[track_caller]
pub fn names(body: &Value, key: &str) -> Vec<String> {
    body[key]
        .as_array()
        .unwrap_or_else(|| panic!("no {key:?} array in {body}"))
        .iter()
        .map(|o| o["name"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// The `next` link of a list answer, if any.
pub fn next_link(body: &Value) -> Option<String> {
    body["links"]
        .as_array()?
        .iter()
        .find(|l| l["rel"] == "next")
        .and_then(|l| l["href"].as_str())
        .map(str::to_owned)
}
