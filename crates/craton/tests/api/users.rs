//! `/v1/users`: admins manage their project's users, root manages all, members get 403;
//! tokens are shown once.

use crate::support::{PROJECT, Service, id_of, names};
use serde_json::json;

#[tokio::test]
async fn creating_a_user_answers_201_a_location_and_its_token_once() {
    let service = Service::new();
    let root = service.root();
    let reply = root
        .post("/v1/users", json!({"name": "tom", "role": "member"}))
        .await;
    assert_eq!(reply.status, 201);
    let id = id_of(&reply.body);
    assert_eq!(
        reply.header("location"),
        Some(format!("/v1/users/{id}").as_str())
    );
    let token = reply.body["token"].as_str().unwrap();
    assert_eq!(token.len(), 64);
    assert_eq!(reply.body["role"], "member");
    assert_eq!(reply.body["project_id"], PROJECT);
    let fetched = root.get(&format!("/v1/users/{id}")).await.expect(200);
    assert!(fetched.get("token").is_none(), "{fetched}");
    let listed = root.get("/v1/users").await.expect(200);
    assert!(!listed.to_string().contains(token));
}

#[tokio::test]
async fn a_user_chosen_token_is_kept_and_echoed_once() {
    let service = Service::new();
    let body = service
        .root()
        .create(
            "users",
            json!({"name": "kim", "role": "admin", "token": "kims-token"}),
        )
        .await;
    assert_eq!(body["token"], "kims-token");
}

#[tokio::test]
async fn a_member_gets_403_on_every_users_call() {
    let service = Service::new();
    let root = service.root();
    let member = root.user("mia", "member").await;
    let own = root.get("/v1/users?name=mia").await.expect(200)["users"][0]["id"].clone();
    member.get("/v1/users").await.error(403);
    member.get(&format!("/v1/users/{own}")).await.error(403);
    member
        .post("/v1/users", json!({"name": "eve", "role": "member"}))
        .await
        .error(403);
    member
        .put(&format!("/v1/users/{own}"), json!({"role": "admin"}))
        .await
        .error(403);
    member.delete(&format!("/v1/users/{own}")).await.error(403);
}

#[tokio::test]
async fn an_admin_manages_the_users_of_its_project() {
    let service = Service::new();
    let admin = service.root().user("ada", "admin").await;
    let bob = admin
        .create("users", json!({"name": "bob", "role": "member"}))
        .await;
    assert_eq!(bob["project_id"], PROJECT);
    let path = format!("/v1/users/{}", id_of(&bob));
    let renamed = admin
        .put(&path, json!({"name": "robert"}))
        .await
        .expect(200);
    assert_eq!(renamed["name"], "robert");
    assert_eq!(renamed["role"], "member");
    admin.delete(&path).await.expect(204);
    admin.get(&path).await.error(404);
}

#[tokio::test]
async fn an_admin_cannot_create_a_root_user() {
    let service = Service::new();
    let admin = service.root().user("ada", "admin").await;
    let message = admin
        .post("/v1/users", json!({"name": "mallory", "role": "root"}))
        .await
        .error(403);
    assert!(message.contains("root"), "{message}");
}

#[tokio::test]
async fn an_admin_cannot_promote_a_user_to_root() {
    let service = Service::new();
    let admin = service.root().user("ada", "admin").await;
    let bob = admin
        .create_id("users", json!({"name": "bob", "role": "member"}))
        .await;
    admin
        .put(&format!("/v1/users/{bob}"), json!({"role": "root"}))
        .await
        .error(403);
}

#[tokio::test]
async fn an_admin_cannot_change_or_delete_a_root_user() {
    let service = Service::new();
    let root = service.root();
    let admin = root.user("ada", "admin").await;
    let root_id = root.get("/v1/users?role=root").await.expect(200)["users"][0]["id"].clone();
    let path = format!("/v1/users/{root_id}");
    admin
        .put(&path, json!({"token": "stolen"}))
        .await
        .error(403);
    admin.delete(&path).await.error(403);
}

#[tokio::test]
async fn root_creates_another_root_user() {
    let service = Service::new();
    let body = service
        .root()
        .create("users", json!({"name": "root2", "role": "root"}))
        .await;
    assert_eq!(body["role"], "root");
}

#[tokio::test]
async fn root_creates_users_in_the_project_it_names() {
    let service = Service::new();
    let root = service.root();
    let other = root.project("other").await;
    let body = root
        .in_project(&other)
        .create("users", json!({"name": "ada", "role": "admin"}))
        .await;
    assert_eq!(body["project_id"], other.as_str());
}

#[tokio::test]
async fn a_user_name_is_unique_in_its_project_only() {
    let service = Service::new();
    let root = service.root();
    root.create("users", json!({"name": "ada", "role": "admin"}))
        .await;
    let message = root
        .post("/v1/users", json!({"name": "ada", "role": "member"}))
        .await
        .error(409);
    assert!(message.contains("ada"), "{message}");
    let other = root.project("other").await;
    root.in_project(&other)
        .create("users", json!({"name": "ada", "role": "admin"}))
        .await;
}

#[tokio::test]
async fn an_unknown_role_is_refused_naming_the_field() {
    let service = Service::new();
    let message = service
        .root()
        .post("/v1/users", json!({"name": "x", "role": "owner"}))
        .await
        .error(400);
    assert!(message.starts_with("role: "), "{message}");
}

#[tokio::test]
async fn a_token_with_spaces_is_refused_naming_the_field() {
    let service = Service::new();
    let message = service
        .root()
        .post(
            "/v1/users",
            json!({"name": "x", "role": "member", "token": "a b"}),
        )
        .await
        .error(400);
    assert!(message.starts_with("token: "), "{message}");
}

#[tokio::test]
async fn users_have_no_variables() {
    let service = Service::new();
    let message = service
        .root()
        .post(
            "/v1/users",
            json!({"name": "x", "role": "member", "variables": {}}),
        )
        .await
        .error(400);
    assert!(message.starts_with("variables: unknown field"), "{message}");
}

#[tokio::test]
async fn an_admins_user_list_covers_its_project_only() {
    let service = Service::new();
    let root = service.root();
    let (_, other_admin) = root.project_with_admin("other").await;
    other_admin
        .create("users", json!({"name": "bob", "role": "member"}))
        .await;
    let listed = other_admin.get("/v1/users").await.expect(200);
    assert_eq!(names(&listed, "users"), ["other-admin", "bob"]);
    let everyone = root.get("/v1/users").await.expect(200);
    assert_eq!(names(&everyone, "users"), ["root", "other-admin", "bob"]);
}

#[tokio::test]
async fn an_admin_cannot_see_another_projects_user() {
    let service = Service::new();
    let root = service.root();
    let (_, other_admin) = root.project_with_admin("other").await;
    let own_admin = root.user("ada", "admin").await;
    let theirs = other_admin
        .create_id("users", json!({"name": "bob", "role": "member"}))
        .await;
    own_admin
        .get(&format!("/v1/users/{theirs}"))
        .await
        .error(404);
    own_admin
        .delete(&format!("/v1/users/{theirs}"))
        .await
        .error(404);
}
