//! Authentication (the X-Auth-* headers, hashed tokens) and what each role may do.

use crate::support::{Credentials, PROJECT, ROOT, ROOT_TOKEN, Service};
use serde_json::json;

fn root_with(project: &str, user: &str, token: &str) -> Credentials {
    Credentials {
        project: project.into(),
        user: user.into(),
        token: token.into(),
    }
}

#[tokio::test]
async fn a_call_without_credentials_is_unauthorized() {
    let message = Service::new()
        .anonymous()
        .get("/v1/clouds")
        .await
        .error(401);
    assert!(message.contains("X-Auth-Project"), "{message}");
}

#[tokio::test]
async fn each_missing_header_is_named() {
    let service = Service::new();
    let root = service.root();
    for (project, user, token, missing) in [
        ("", ROOT, ROOT_TOKEN, "X-Auth-Project"),
        (PROJECT, "", ROOT_TOKEN, "X-Auth-User"),
        (PROJECT, ROOT, "", "X-Auth-Token"),
    ] {
        let message = root
            .as_user(root_with(project, user, token))
            .get("/v1/clouds")
            .await
            .error(401);
        assert!(message.contains(missing), "{message}");
    }
}

#[tokio::test]
async fn a_wrong_token_is_unauthorized() {
    let service = Service::new();
    let client = service.client(Some(root_with(PROJECT, ROOT, "wrong")));
    client.get("/v1/clouds").await.error(401);
}

#[tokio::test]
async fn an_unknown_user_is_unauthorized() {
    let service = Service::new();
    let client = service.client(Some(root_with(PROJECT, "nobody", ROOT_TOKEN)));
    client.get("/v1/clouds").await.error(401);
}

#[tokio::test]
async fn a_project_that_is_not_a_uuid_is_unauthorized() {
    let service = Service::new();
    let client = service.client(Some(root_with("bootstrap", ROOT, ROOT_TOKEN)));
    client.get("/v1/clouds").await.error(401);
}

#[tokio::test]
async fn an_unknown_project_is_unauthorized_even_for_root() {
    let service = Service::new();
    let root = service
        .root()
        .in_project("00000000-0000-4000-8000-000000000000");
    root.get("/v1/clouds").await.error(401);
}

#[tokio::test]
async fn a_member_cannot_act_in_another_project() {
    let service = Service::new();
    let root = service.root();
    let other = root.project("other").await;
    let member = root.user("mia", "member").await;
    member.in_project(&other).get("/v1/clouds").await.error(401);
}

#[tokio::test]
async fn the_project_header_accepts_an_upper_case_uuid() {
    let service = Service::new();
    let upper = service.root().in_project(&PROJECT.to_uppercase());
    let cloud = upper.create("clouds", json!({"name": "c"})).await;
    assert_eq!(cloud["project_id"], PROJECT);
}

#[tokio::test]
async fn tokens_are_stored_as_sha256_hashes_never_in_clear() {
    let service = Service::new();
    service
        .root()
        .create(
            "users",
            json!({"name": "kim", "role": "member", "token": "kims-token"}),
        )
        .await;
    let stored: Vec<String> = service
        .db
        .run_blocking(|conn| {
            let mut statement = conn.prepare("SELECT token_sha256 FROM users ORDER BY id")?;
            let rows = statement.query_map([], |row| row.get(0))?;
            Ok(rows.collect::<rusqlite::Result<Vec<String>>>()?)
        })
        .unwrap();
    assert_eq!(
        stored,
        [
            craton::domain::accounts::token_sha256(ROOT_TOKEN),
            craton::domain::accounts::token_sha256("kims-token")
        ]
    );
    assert!(
        stored
            .iter()
            .all(|hash| hash.len() == 64 && !hash.contains("token"))
    );
}

#[tokio::test]
async fn a_member_reads_and_writes_the_inventory() {
    let service = Service::new();
    let member = service.root().user("mia", "member").await;
    let id = member.cloud("c").await;
    member.get(&format!("/v1/clouds/{id}")).await.expect(200);
    member
        .put(&format!("/v1/clouds/{id}/variables"), json!({"a": 1}))
        .await
        .expect(200);
    member.delete(&format!("/v1/clouds/{id}")).await.expect(204);
}

#[tokio::test]
async fn a_member_cannot_write_the_projects_variables() {
    let service = Service::new();
    let member = service.root().user("mia", "member").await;
    let path = format!("/v1/projects/{PROJECT}/variables");
    member.put(&path, json!({"a": 1})).await.error(403);
    member.delete_with(&path, json!(["a"])).await.error(403);
    member.get(&path).await.expect(200);
}

#[tokio::test]
async fn an_admin_writes_the_projects_variables() {
    let service = Service::new();
    let admin = service.root().user("ada", "admin").await;
    let path = format!("/v1/projects/{PROJECT}/variables");
    let body = admin.put(&path, json!({"a": 1})).await.expect(200);
    assert_eq!(body["variables"], json!({"a": 1}));
}

#[tokio::test]
async fn a_new_users_token_authenticates_it() {
    let service = Service::new();
    let tom = service.root().user("tom", "member").await;
    tom.get("/v1/clouds").await.expect(200);
}

#[tokio::test]
async fn a_changed_token_replaces_the_old_one() {
    let service = Service::new();
    let root = service.root();
    let created = root
        .create(
            "users",
            json!({"name": "kim", "role": "member", "token": "old-token"}),
        )
        .await;
    root.put(
        &format!("/v1/users/{}", created["id"]),
        json!({"token": "new-token"}),
    )
    .await
    .expect(200);
    let as_kim = |token: &str| root_with(PROJECT, "kim", token);
    service
        .client(Some(as_kim("old-token")))
        .get("/v1/clouds")
        .await
        .error(401);
    service
        .client(Some(as_kim("new-token")))
        .get("/v1/clouds")
        .await
        .expect(200);
}

#[tokio::test]
async fn a_deleted_user_can_no_longer_authenticate() {
    let service = Service::new();
    let root = service.root();
    let created = root
        .create(
            "users",
            json!({"name": "kim", "role": "member", "token": "kims-token"}),
        )
        .await;
    root.delete(&format!("/v1/users/{}", created["id"]))
        .await
        .expect(204);
    service
        .client(Some(root_with(PROJECT, "kim", "kims-token")))
        .get("/v1/clouds")
        .await
        .error(401);
}

#[tokio::test]
async fn a_demoted_admin_loses_user_management() {
    let service = Service::new();
    let root = service.root();
    let ada = root.user("ada", "admin").await;
    ada.get("/v1/users").await.expect(200);
    let id = root.get("/v1/users?name=ada").await.expect(200)["users"][0]["id"].clone();
    root.put(&format!("/v1/users/{id}"), json!({"role": "member"}))
        .await
        .expect(200);
    ada.get("/v1/users").await.error(403);
}
