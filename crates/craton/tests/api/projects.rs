//! `/v1/projects`: root creates and deletes them, admins rename their own, everyone sees theirs.

use crate::support::{PROJECT, Service, names};
use serde_json::json;

#[tokio::test]
async fn root_creates_a_project_with_a_uuid_and_a_location() {
    let service = Service::new();
    let reply = service
        .root()
        .post("/v1/projects", json!({"name": "web"}))
        .await;
    assert_eq!(reply.status, 201);
    let id = reply.body["id"].as_str().unwrap().to_owned();
    assert!(uuid::Uuid::parse_str(&id).is_ok(), "{id}");
    assert_eq!(
        reply.header("location"),
        Some(format!("/v1/projects/{id}").as_str())
    );
    assert_eq!(reply.body["name"], "web");
    assert_eq!(reply.body["variables"], json!({}));
}

#[tokio::test]
async fn the_bootstrap_project_exists() {
    let service = Service::new();
    let body = service
        .root()
        .get(&format!("/v1/projects/{PROJECT}"))
        .await
        .expect(200);
    assert_eq!(body["name"], "bootstrap");
    assert!(body["created_at"].as_str().unwrap().ends_with('Z'));
}

#[tokio::test]
async fn a_project_name_is_unique() {
    let service = Service::new();
    let root = service.root();
    root.project("web").await;
    let message = root
        .post("/v1/projects", json!({"name": "web"}))
        .await
        .error(409);
    assert!(message.contains("web"), "{message}");
}

#[tokio::test]
async fn only_root_creates_and_deletes_projects() {
    let service = Service::new();
    let root = service.root();
    let admin = root.user("ada", "admin").await;
    admin
        .post("/v1/projects", json!({"name": "mine"}))
        .await
        .error(403);
    let other = root.project("other").await;
    admin
        .delete(&format!("/v1/projects/{other}"))
        .await
        .error(403);
}

#[tokio::test]
async fn a_deleted_project_is_gone() {
    let service = Service::new();
    let root = service.root();
    let id = root.project("short-lived").await;
    root.delete(&format!("/v1/projects/{id}")).await.expect(204);
    root.get(&format!("/v1/projects/{id}")).await.error(404);
}

#[tokio::test]
async fn a_project_with_users_and_clouds_cannot_be_deleted() {
    let service = Service::new();
    let root = service.root();
    let (id, admin) = root.project_with_admin("busy").await;
    admin.cloud("c1").await;
    admin.cloud("c2").await;
    let message = root.delete(&format!("/v1/projects/{id}")).await.error(409);
    assert!(
        message.contains(&format!("project {id} still has 1 user and 2 clouds")),
        "{message}"
    );
}

#[tokio::test]
async fn a_project_is_created_with_its_variables() {
    let service = Service::new();
    let root = service.root();
    let body = root
        .create(
            "projects",
            json!({"name": "p", "variables": {"env": "prod"}}),
        )
        .await;
    assert_eq!(body["variables"], json!({"env": "prod"}));
    let id = body["id"].as_str().unwrap();
    let fetched = root.get(&format!("/v1/projects/{id}")).await.expect(200);
    assert_eq!(fetched["variables"], json!({"env": "prod"}));
}

#[tokio::test]
async fn an_admin_renames_its_project_but_a_member_cannot() {
    let service = Service::new();
    let root = service.root();
    let admin = root.user("ada", "admin").await;
    let member = root.user("mia", "member").await;
    let path = format!("/v1/projects/{PROJECT}");
    member.put(&path, json!({"name": "x"})).await.error(403);
    let body = admin
        .put(&path, json!({"name": "renamed"}))
        .await
        .expect(200);
    assert_eq!(body["name"], "renamed");
}

#[tokio::test]
async fn a_user_sees_only_its_own_project() {
    let service = Service::new();
    let root = service.root();
    let other = root.project("other").await;
    let member = root.user("mia", "member").await;
    let listed = member.get("/v1/projects").await.expect(200);
    assert_eq!(names(&listed, "projects"), ["bootstrap"]);
    member
        .get(&format!("/v1/projects/{other}"))
        .await
        .error(404);
    let all = root.get("/v1/projects").await.expect(200);
    assert_eq!(all["projects"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn a_project_id_that_is_not_a_uuid_is_not_found() {
    let service = Service::new();
    service
        .root()
        .get("/v1/projects/bootstrap")
        .await
        .error(404);
}

#[tokio::test]
async fn projects_filter_by_name() {
    let service = Service::new();
    let root = service.root();
    root.project("a").await;
    root.project("b").await;
    let body = root.get("/v1/projects?name=b").await.expect(200);
    assert_eq!(names(&body, "projects"), ["b"]);
}
