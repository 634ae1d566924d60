//! Bad input: every client mistake is a 4xx in the one error shape, naming what is wrong.

use crate::support::Service;
use axum::http::Method;
use serde_json::json;

#[tokio::test]
async fn malformed_json_is_refused() {
    let service = Service::new();
    let reply = service
        .root()
        .send(
            Method::POST,
            "/v1/clouds",
            Some(br#"{"name": "prod""#.to_vec()),
        )
        .await;
    let message = reply.error(400);
    assert!(message.starts_with("body: malformed JSON"), "{message}");
}

#[tokio::test]
async fn an_empty_body_is_refused() {
    let service = Service::new();
    let reply = service
        .root()
        .send(Method::POST, "/v1/clouds", Some(Vec::new()))
        .await;
    let message = reply.error(400);
    assert!(message.starts_with("body: "), "{message}");
}

#[tokio::test]
async fn a_body_that_is_not_an_object_is_refused() {
    let service = Service::new();
    let root = service.root();
    for body in [json!(["prod"]), json!("prod"), json!(7), json!(null)] {
        let message = root.post("/v1/clouds", body.clone()).await.error(400);
        assert_eq!(message, "body: expected a JSON object", "{body}");
    }
}

#[tokio::test]
async fn an_unknown_field_is_refused_naming_it() {
    let service = Service::new();
    let message = service
        .root()
        .post("/v1/clouds", json!({"name": "prod", "colour": "blue"}))
        .await
        .error(400);
    assert!(message.starts_with("colour: unknown field"), "{message}");
}

#[tokio::test]
async fn an_unknown_field_in_an_update_is_refused_naming_it() {
    let service = Service::new();
    let root = service.root();
    let id = root.cloud("prod").await;
    let message = root
        .put(&format!("/v1/clouds/{id}"), json!({"colour": "blue"}))
        .await
        .error(400);
    assert!(message.starts_with("colour: "), "{message}");
}

#[tokio::test]
async fn a_field_that_cannot_be_changed_is_unknown_to_an_update() {
    let service = Service::new();
    let root = service.root();
    let id = root.cloud("prod").await;
    for field in ["id", "project_id", "created_at"] {
        let message = root
            .put(&format!("/v1/clouds/{id}"), json!({field: "x"}))
            .await
            .error(400);
        assert!(
            message.starts_with(&format!("{field}: unknown field")),
            "{message}"
        );
    }
}

#[tokio::test]
async fn a_wrong_type_is_refused_naming_the_field() {
    let service = Service::new();
    let root = service.root();
    let site = root.site().await;
    let message = root
        .post("/v1/cells", json!({"name": "c1", "region_id": "one"}))
        .await
        .error(400);
    assert!(message.starts_with("region_id: invalid type"), "{message}");
    let message = root
        .post(
            "/v1/hosts",
            json!({"name": "h", "region_id": site.region, "ip_address": "10.0.0.1",
                   "device_type": "server", "active": "yes"}),
        )
        .await
        .error(400);
    assert!(message.starts_with("active: invalid type"), "{message}");
    let message = root.post("/v1/clouds", json!({"name": 7})).await.error(400);
    assert!(message.starts_with("name: invalid type"), "{message}");
}

#[tokio::test]
async fn null_for_a_required_field_in_an_update_is_refused_naming_it() {
    let service = Service::new();
    let root = service.root();
    let id = root.cloud("prod").await;
    let message = root
        .put(&format!("/v1/clouds/{id}"), json!({"name": null}))
        .await
        .error(400);
    assert!(message.starts_with("name: invalid type: null"), "{message}");
}

#[tokio::test]
async fn an_empty_or_blank_name_is_refused() {
    let service = Service::new();
    let root = service.root();
    for name in ["", "   "] {
        let message = root
            .post("/v1/clouds", json!({"name": name}))
            .await
            .error(400);
        assert_eq!(message, "name: must not be empty");
    }
}

#[tokio::test]
async fn an_empty_name_is_refused_in_an_update() {
    let service = Service::new();
    let root = service.root();
    let site = root.site().await;
    let message = root
        .put(&format!("/v1/regions/{}", site.region), json!({"name": ""}))
        .await
        .error(400);
    assert_eq!(message, "name: must not be empty");
}

#[tokio::test]
async fn a_name_over_255_characters_is_refused_and_255_accepted() {
    let service = Service::new();
    let root = service.root();
    let message = root
        .post("/v1/clouds", json!({"name": "n".repeat(256)}))
        .await
        .error(400);
    assert!(
        message.starts_with("name: must be at most 255"),
        "{message}"
    );
    let name = "ł".repeat(255);
    let body = root.create("clouds", json!({"name": name})).await;
    assert_eq!(body["name"], name.as_str());
}

#[tokio::test]
async fn an_overlong_device_type_is_refused_naming_it() {
    let service = Service::new();
    let root = service.root();
    let site = root.site().await;
    let message = root
        .post(
            "/v1/hosts",
            json!({"name": "h", "region_id": site.region, "ip_address": "10.0.0.1",
                   "device_type": "d".repeat(256)}),
        )
        .await
        .error(400);
    assert!(message.starts_with("device_type: "), "{message}");
}

#[tokio::test]
async fn a_missing_required_field_is_refused_naming_it() {
    let service = Service::new();
    let root = service.root();
    let message = root
        .post("/v1/regions", json!({"name": "r"}))
        .await
        .error(400);
    assert_eq!(message, "cloud_id: is required");
    let message = root.post("/v1/clouds", json!({})).await.error(400);
    assert_eq!(message, "name: is required");
}

#[tokio::test]
async fn a_body_over_one_mebibyte_is_too_large() {
    let service = Service::new();
    let root = service.root();
    let note = "x".repeat(1024 * 1024 + 1);
    let message = root
        .post("/v1/clouds", json!({"name": "big", "note": note}))
        .await
        .error(413);
    assert!(message.starts_with("body: larger than"), "{message}");
    let listed = root.get("/v1/clouds?name=big").await.expect(200);
    assert_eq!(listed["clouds"], json!([]));
}

#[tokio::test]
async fn a_body_just_under_the_limit_is_accepted() {
    let service = Service::new();
    let root = service.root();
    let id = root.cloud("big").await;
    let value = "x".repeat(1024 * 1024 - 100);
    root.put(
        &format!("/v1/clouds/{id}/variables"),
        json!({"blob": value}),
    )
    .await
    .expect(200);
}

#[tokio::test]
async fn an_unknown_id_is_not_found_for_every_kind() {
    let service = Service::new();
    let root = service.root();
    for kind in [
        "clouds",
        "regions",
        "cells",
        "hosts",
        "networks",
        "network-devices",
        "users",
    ] {
        let path = format!("/v1/{kind}/424242");
        let message = root.get(&path).await.error(404);
        assert!(message.ends_with("424242 not found"), "{message}");
        root.put(&path, json!({})).await.error(404);
        root.delete(&path).await.error(404);
    }
    root.get("/v1/projects/00000000-0000-4000-8000-000000000000")
        .await
        .error(404);
}

#[tokio::test]
async fn a_non_numeric_id_is_not_found() {
    let service = Service::new();
    let root = service.root();
    root.get("/v1/clouds/abc").await.error(404);
    root.get("/v1/hosts/1.5/labels").await.error(404);
    root.delete("/v1/regions/-").await.error(404);
}

#[tokio::test]
async fn sql_in_a_name_is_stored_as_text() {
    let service = Service::new();
    let root = service.root();
    let name = "x'); DROP TABLE clouds; --";
    root.cloud(name).await;
    let body = root
        .get("/v1/clouds?name=x%27%29%3B%20DROP%20TABLE%20clouds%3B%20--")
        .await
        .expect(200);
    assert_eq!(body["clouds"][0]["name"], name);
}

#[tokio::test]
async fn a_huge_parent_id_is_a_client_error() {
    let service = Service::new();
    let message = service
        .root()
        .post("/v1/regions", json!({"name": "r", "cloud_id": 1e30}))
        .await
        .error(400);
    assert!(message.starts_with("cloud_id: "), "{message}");
}
