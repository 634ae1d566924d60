//! Host labels: a sorted set, replaced by PUT, trimmed by DELETE, filtered by in lists.

use crate::support::{Service, names};
use serde_json::json;

async fn labelled_host() -> (Service, String) {
    let service = Service::new();
    let root = service.root();
    let site = root.site().await;
    let host = root.host(site.region, None, "h1", "10.0.0.1").await;
    (service, format!("/v1/hosts/{host}/labels"))
}

#[tokio::test]
async fn a_new_host_has_no_labels() {
    let (service, path) = labelled_host().await;
    let body = service.root().get(&path).await.expect(200);
    assert_eq!(body, json!({"labels": []}));
}

#[tokio::test]
async fn a_put_replaces_the_whole_set_and_answers_it_sorted() {
    let (service, path) = labelled_host().await;
    let root = service.root();
    root.put(&path, json!({"labels": ["a", "b"]}))
        .await
        .expect(200);
    let body = root
        .put(&path, json!({"labels": ["z", "c", "c"]}))
        .await
        .expect(200);
    assert_eq!(body["labels"], json!(["c", "z"]));
    assert_eq!(
        root.get(&path).await.expect(200)["labels"],
        json!(["c", "z"])
    );
}

#[tokio::test]
async fn a_delete_removes_only_the_named_labels() {
    let (service, path) = labelled_host().await;
    let root = service.root();
    root.put(&path, json!({"labels": ["a", "b", "c"]}))
        .await
        .expect(200);
    let reply = root
        .delete_with(&path, json!({"labels": ["a", "c", "unknown"]}))
        .await;
    assert_eq!(reply.status, 204);
    assert_eq!(root.get(&path).await.expect(200)["labels"], json!(["b"]));
}

#[tokio::test]
async fn an_empty_or_overlong_label_is_refused_naming_labels() {
    let (service, path) = labelled_host().await;
    let root = service.root();
    for bad in [String::new(), "x".repeat(256)] {
        let message = root.put(&path, json!({"labels": [bad]})).await.error(400);
        assert!(message.starts_with("labels: "), "{message}");
    }
}

#[tokio::test]
async fn a_label_body_needs_a_labels_list() {
    let (service, path) = labelled_host().await;
    let root = service.root();
    let message = root.put(&path, json!(["a"])).await.error(400);
    assert_eq!(message, "body: expected a JSON object");
    let message = root.put(&path, json!({"tags": ["a"]})).await.error(400);
    assert!(message.starts_with("tags: unknown field"), "{message}");
    let message = root.put(&path, json!({"labels": "a"})).await.error(400);
    assert!(message.starts_with("labels: invalid type"), "{message}");
}

#[tokio::test]
async fn labels_of_an_unknown_host_are_not_found() {
    let service = Service::new();
    let root = service.root();
    root.get("/v1/hosts/42/labels").await.error(404);
    root.put("/v1/hosts/42/labels", json!({"labels": ["a"]}))
        .await
        .error(404);
    root.delete_with("/v1/hosts/42/labels", json!({"labels": ["a"]}))
        .await
        .error(404);
}

#[tokio::test]
async fn hosts_filter_by_every_given_label() {
    let service = Service::new();
    let root = service.root();
    let site = root.site().await;
    for (name, labels) in [
        ("both", json!(["web", "prod"])),
        ("web-only", json!(["web"])),
        ("none", json!([])),
    ] {
        let host = root.host(site.region, None, name, "10.0.0.1").await;
        root.put(
            &format!("/v1/hosts/{host}/labels"),
            json!({"labels": labels}),
        )
        .await
        .expect(200);
    }
    let web = root.get("/v1/hosts?label=web").await.expect(200);
    assert_eq!(names(&web, "hosts"), ["both", "web-only"]);
    let both = root.get("/v1/hosts?label=web&label=prod").await.expect(200);
    assert_eq!(names(&both, "hosts"), ["both"]);
    let nobody = root.get("/v1/hosts?label=db").await.expect(200);
    assert_eq!(names(&nobody, "hosts"), Vec::<String>::new());
}

#[tokio::test]
async fn only_hosts_filter_by_label() {
    let service = Service::new();
    let message = service.root().get("/v1/clouds?label=web").await.error(400);
    assert!(
        message.starts_with("label: unknown query parameter"),
        "{message}"
    );
}
