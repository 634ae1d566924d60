//! `/v1/clouds`: the full CRUD cycle, which the other inventory kinds share.

use crate::support::{PROJECT, Service, id_of, names};
use serde_json::json;

#[tokio::test]
async fn creating_a_cloud_answers_201_a_location_and_the_object() {
    let service = Service::new();
    let reply = service
        .root()
        .post("/v1/clouds", json!({"name": "prod", "note": "main"}))
        .await;
    assert_eq!(reply.status, 201);
    let id = id_of(&reply.body);
    assert_eq!(
        reply.header("location"),
        Some(format!("/v1/clouds/{id}").as_str())
    );
    let body = reply.body;
    assert_eq!(body["name"], "prod");
    assert_eq!(body["note"], "main");
    assert_eq!(body["project_id"], PROJECT);
    assert_eq!(body["variables"], json!({}));
    assert_eq!(body["created_at"], body["updated_at"]);
}

#[tokio::test]
async fn a_cloud_reads_back_as_created() {
    let service = Service::new();
    let root = service.root();
    let created = root.create("clouds", json!({"name": "prod"})).await;
    let fetched = root
        .get(&format!("/v1/clouds/{}", id_of(&created)))
        .await
        .expect(200);
    assert_eq!(created, fetched);
    assert_eq!(fetched["note"], json!(null));
}

#[tokio::test]
async fn an_update_changes_only_the_given_fields_and_answers_the_whole_object() {
    let service = Service::new();
    let root = service.root();
    let id = root
        .create_id("clouds", json!({"name": "prod", "note": "old"}))
        .await;
    let body = root
        .put(&format!("/v1/clouds/{id}"), json!({"note": "new"}))
        .await
        .expect(200);
    assert_eq!(body["name"], "prod");
    assert_eq!(body["note"], "new");
    assert_eq!(body["id"], id);
    assert!(body["updated_at"].as_str() >= body["created_at"].as_str());
}

#[tokio::test]
async fn an_update_with_null_clears_a_note() {
    let service = Service::new();
    let root = service.root();
    let id = root
        .create_id("clouds", json!({"name": "prod", "note": "old"}))
        .await;
    let body = root
        .put(&format!("/v1/clouds/{id}"), json!({"note": null}))
        .await
        .expect(200);
    assert_eq!(body["note"], json!(null));
}

#[tokio::test]
async fn an_empty_update_changes_nothing_but_is_accepted() {
    let service = Service::new();
    let root = service.root();
    let id = root.cloud("prod").await;
    let body = root
        .put(&format!("/v1/clouds/{id}"), json!({}))
        .await
        .expect(200);
    assert_eq!(body["name"], "prod");
}

#[tokio::test]
async fn renaming_to_a_taken_name_is_a_conflict() {
    let service = Service::new();
    let root = service.root();
    root.cloud("a").await;
    let b = root.cloud("b").await;
    let message = root
        .put(&format!("/v1/clouds/{b}"), json!({"name": "a"}))
        .await
        .error(409);
    assert!(message.contains("\"a\""), "{message}");
}

#[tokio::test]
async fn renaming_a_cloud_to_its_own_name_is_fine() {
    let service = Service::new();
    let root = service.root();
    let id = root.cloud("a").await;
    root.put(&format!("/v1/clouds/{id}"), json!({"name": "a"}))
        .await
        .expect(200);
}

#[tokio::test]
async fn a_duplicate_cloud_name_in_a_project_is_a_conflict() {
    let service = Service::new();
    let root = service.root();
    root.cloud("prod").await;
    let message = root
        .post("/v1/clouds", json!({"name": "prod"}))
        .await
        .error(409);
    assert!(message.contains("prod"), "{message}");
}

#[tokio::test]
async fn the_same_cloud_name_is_fine_in_another_project() {
    let service = Service::new();
    let root = service.root();
    let (_, admin) = root.project_with_admin("other").await;
    root.cloud("prod").await;
    admin.cloud("prod").await;
}

#[tokio::test]
async fn a_deleted_cloud_is_gone() {
    let service = Service::new();
    let root = service.root();
    let id = root.cloud("prod").await;
    let reply = root.delete(&format!("/v1/clouds/{id}")).await;
    assert_eq!(reply.status, 204);
    assert_eq!(reply.body, json!(null));
    root.get(&format!("/v1/clouds/{id}")).await.error(404);
    root.delete(&format!("/v1/clouds/{id}")).await.error(404);
}

#[tokio::test]
async fn a_cloud_with_regions_cannot_be_deleted() {
    let service = Service::new();
    let root = service.root();
    let site = root.site().await;
    let message = root
        .delete(&format!("/v1/clouds/{}", site.cloud))
        .await
        .error(409);
    assert_eq!(
        message,
        format!(
            "cloud {} still has 1 region: delete or move them first",
            site.cloud
        )
    );
}

#[tokio::test]
async fn a_deleted_clouds_variables_go_with_it() {
    let service = Service::new();
    let root = service.root();
    let id = root
        .create_id("clouds", json!({"name": "c", "variables": {"a": 1}}))
        .await;
    root.delete(&format!("/v1/clouds/{id}")).await.expect(204);
    let left: i64 = service
        .db
        .run_blocking(|conn| {
            Ok(conn.query_row("SELECT COUNT(*) FROM cloud_variables", [], |r| r.get(0))?)
        })
        .unwrap();
    assert_eq!(left, 0);
}

#[tokio::test]
async fn clouds_are_listed_in_id_order() {
    let service = Service::new();
    let root = service.root();
    for name in ["b", "c", "a"] {
        root.cloud(name).await;
    }
    let body = root.get("/v1/clouds").await.expect(200);
    assert_eq!(names(&body, "clouds"), ["b", "c", "a"]);
}
