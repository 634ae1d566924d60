//! Variables: any JSON under string keys on every kind that has them, merged by PUT, removed by
//! DELETE, and resolved over the ancestry (nearest wins).

use crate::support::{Client, PROJECT, Service};
use serde_json::{Value, json};

#[tokio::test]
async fn a_put_merges_and_answers_all_variables() {
    let service = Service::new();
    let root = service.root();
    let id = root.cloud("prod").await;
    let path = format!("/v1/clouds/{id}/variables");
    root.put(&path, json!({"a": 1, "b": 2})).await.expect(200);
    let merged = root.put(&path, json!({"b": 20, "c": 3})).await.expect(200);
    assert_eq!(merged["variables"], json!({"a": 1, "b": 20, "c": 3}));
    assert_eq!(root.get(&path).await.expect(200), merged);
}

#[tokio::test]
async fn variables_hold_any_json_value() {
    let service = Service::new();
    let root = service.root();
    let id = root.cloud("prod").await;
    let path = format!("/v1/clouds/{id}/variables");
    let values = json!({
        "string": "s", "int": 7, "float": 1.5, "bool": false, "null": null,
        "list": [1, "two", {"three": 3}], "nested": {"deep": {"deeper": [true]}},
        "unicode": "żółw",
    });
    root.put(&path, values.clone()).await.expect(200);
    assert_eq!(root.get(&path).await.expect(200)["variables"], values);
}

#[tokio::test]
async fn a_delete_removes_the_named_keys_and_ignores_unknown_ones() {
    let service = Service::new();
    let root = service.root();
    let id = root.cloud("prod").await;
    let path = format!("/v1/clouds/{id}/variables");
    root.put(&path, json!({"a": 1, "b": 2, "c": 3}))
        .await
        .expect(200);
    let reply = root
        .delete_with(&path, json!(["a", "c", "never-set"]))
        .await;
    assert_eq!(reply.status, 204);
    assert_eq!(
        root.get(&path).await.expect(200)["variables"],
        json!({"b": 2})
    );
}

#[tokio::test]
async fn a_delete_body_must_be_a_list_of_names() {
    let service = Service::new();
    let root = service.root();
    let id = root.cloud("prod").await;
    let path = format!("/v1/clouds/{id}/variables");
    let message = root.delete_with(&path, json!({"a": 1})).await.error(400);
    assert!(message.starts_with("body: "), "{message}");
    let message = root.delete_with(&path, json!(["a", 1])).await.error(400);
    assert!(message.starts_with("[1]: "), "{message}");
}

#[tokio::test]
async fn a_put_body_must_be_an_object() {
    let service = Service::new();
    let root = service.root();
    let id = root.cloud("prod").await;
    let message = root
        .put(&format!("/v1/clouds/{id}/variables"), json!(["a"]))
        .await
        .error(400);
    assert_eq!(message, "body: expected a JSON object");
}

#[tokio::test]
async fn an_empty_variable_name_is_refused() {
    let service = Service::new();
    let root = service.root();
    let id = root.cloud("prod").await;
    root.put(&format!("/v1/clouds/{id}/variables"), json!({"": 1}))
        .await
        .error(400);
}

#[tokio::test]
async fn variables_given_at_creation_are_kept() {
    let service = Service::new();
    let root = service.root();
    let id = root
        .create_id(
            "clouds",
            json!({"name": "prod", "variables": {"tier": "gold"}}),
        )
        .await;
    let fetched = root.get(&format!("/v1/clouds/{id}")).await.expect(200);
    assert_eq!(fetched["variables"], json!({"tier": "gold"}));
}

#[tokio::test]
async fn creation_variables_must_be_an_object() {
    let service = Service::new();
    let message = service
        .root()
        .post("/v1/clouds", json!({"name": "prod", "variables": [1]}))
        .await
        .error(400);
    assert_eq!(message, "variables: expected a JSON object");
}

#[tokio::test]
async fn an_update_answer_includes_the_variables() {
    let service = Service::new();
    let root = service.root();
    let id = root
        .create_id("clouds", json!({"name": "prod", "variables": {"k": "v"}}))
        .await;
    let body = root
        .put(&format!("/v1/clouds/{id}"), json!({"note": "n"}))
        .await
        .expect(200);
    assert_eq!(body["variables"], json!({"k": "v"}));
}

#[tokio::test]
async fn every_kind_with_variables_stores_them() {
    let service = Service::new();
    let root = service.root();
    let site = root.site().await;
    let cell = root.cell(site.region, "c1").await;
    let host = root.host(site.region, Some(cell), "h1", "10.0.0.1").await;
    let network = root
        .create_id(
            "networks",
            json!({"name": "n", "region_id": site.region, "cidr": "10.0.0.0/24"}),
        )
        .await;
    let device = root
        .create_id(
            "network-devices",
            json!({"name": "d", "region_id": site.region, "ip_address": "10.0.0.9",
                   "device_type": "switch"}),
        )
        .await;
    for object in [
        format!("projects/{PROJECT}"),
        format!("clouds/{}", site.cloud),
        format!("regions/{}", site.region),
        format!("cells/{cell}"),
        format!("hosts/{host}"),
        format!("networks/{network}"),
        format!("network-devices/{device}"),
    ] {
        let path = format!("/v1/{object}/variables");
        root.put(&path, json!({"where": object})).await.expect(200);
        assert_eq!(
            root.get(&path).await.expect(200)["variables"]["where"],
            object.as_str()
        );
    }
}

#[tokio::test]
async fn variables_of_an_unknown_object_are_not_found() {
    let service = Service::new();
    let root = service.root();
    for path in [
        "/v1/clouds/9/variables",
        "/v1/hosts/9/variables?resolved-values=true",
        "/v1/projects/00000000-0000-4000-8000-000000000000/variables",
    ] {
        root.get(path).await.error(404);
    }
    root.put("/v1/cells/9/variables", json!({"a": 1}))
        .await
        .error(404);
    root.delete_with("/v1/regions/9/variables", json!(["a"]))
        .await
        .error(404);
}

#[tokio::test]
async fn users_have_no_variables_route() {
    let service = Service::new();
    service.root().get("/v1/users/1/variables").await.error(404);
}

/// A site with a cell and a host in it, each level setting `level` and a key of its own.
struct Tree {
    cell: i64,
    host: i64,
    region: i64,
}

async fn tree(root: &Client) -> Tree {
    let site = root.site().await;
    let cell = root.cell(site.region, "c1").await;
    let host = root.host(site.region, Some(cell), "h1", "10.0.0.1").await;
    for (path, vars) in [
        (
            format!("projects/{PROJECT}"),
            json!({"from_project": 1, "level": "project"}),
        ),
        (
            format!("clouds/{}", site.cloud),
            json!({"from_cloud": 1, "level": "cloud"}),
        ),
        (
            format!("regions/{}", site.region),
            json!({"from_region": 1, "level": "region"}),
        ),
        (
            format!("cells/{cell}"),
            json!({"from_cell": 1, "level": "cell"}),
        ),
    ] {
        root.put(&format!("/v1/{path}/variables"), vars)
            .await
            .expect(200);
    }
    Tree {
        cell,
        host,
        region: site.region,
    }
}

async fn resolved(root: &Client, kind: &str, id: i64) -> Value {
    root.get(&format!("/v1/{kind}/{id}/variables?resolved-values=true"))
        .await
        .expect(200)["variables"]
        .clone()
}

#[tokio::test]
async fn a_host_inherits_variables_from_every_ancestor() {
    let service = Service::new();
    let root = service.root();
    let tree = tree(&root).await;
    let vars = resolved(&root, "hosts", tree.host).await;
    for key in ["from_project", "from_cloud", "from_region", "from_cell"] {
        assert_eq!(vars[key], 1, "{key} in {vars}");
    }
}

#[tokio::test]
async fn the_nearest_ancestor_wins() {
    let service = Service::new();
    let root = service.root();
    let tree = tree(&root).await;
    assert_eq!(resolved(&root, "hosts", tree.host).await["level"], "cell");
}

#[tokio::test]
async fn the_hosts_own_variables_win_over_all_ancestors() {
    let service = Service::new();
    let root = service.root();
    let tree = tree(&root).await;
    root.put(
        &format!("/v1/hosts/{}/variables", tree.host),
        json!({"level": "host"}),
    )
    .await
    .expect(200);
    assert_eq!(resolved(&root, "hosts", tree.host).await["level"], "host");
}

#[tokio::test]
async fn without_resolved_values_only_the_objects_own_variables_show() {
    let service = Service::new();
    let root = service.root();
    let tree = tree(&root).await;
    for query in ["", "?resolved-values=false"] {
        let own = root
            .get(&format!("/v1/hosts/{}/variables{query}", tree.host))
            .await
            .expect(200);
        assert_eq!(own["variables"], json!({}));
    }
}

#[tokio::test]
async fn a_host_without_a_cell_skips_the_cell_level() {
    let service = Service::new();
    let root = service.root();
    let tree = tree(&root).await;
    let host = root.host(tree.region, None, "h2", "10.0.0.2").await;
    let vars = resolved(&root, "hosts", host).await;
    assert_eq!(vars["level"], "region");
    assert!(vars.get("from_cell").is_none(), "{vars}");
}

#[tokio::test]
async fn a_network_device_resolves_variables_like_a_host() {
    let service = Service::new();
    let root = service.root();
    let tree = tree(&root).await;
    let device = root
        .create_id(
            "network-devices",
            json!({"name": "d", "region_id": tree.region, "cell_id": tree.cell,
                   "ip_address": "10.0.0.9", "device_type": "switch",
                   "variables": {"own": true}}),
        )
        .await;
    let vars = resolved(&root, "network-devices", device).await;
    assert_eq!(vars["level"], "cell");
    assert_eq!(vars["own"], true);
    assert_eq!(vars["from_project"], 1);
}

#[tokio::test]
async fn a_cell_resolves_over_its_own_ancestors() {
    let service = Service::new();
    let root = service.root();
    let tree = tree(&root).await;
    let vars = resolved(&root, "cells", tree.cell).await;
    assert_eq!(vars["level"], "cell");
    assert_eq!(vars["from_cloud"], 1);
}

#[tokio::test]
async fn resolved_values_follow_a_change_of_an_ancestor() {
    let service = Service::new();
    let root = service.root();
    let tree = tree(&root).await;
    root.delete_with(
        &format!("/v1/cells/{}/variables", tree.cell),
        json!(["level"]),
    )
    .await
    .expect(204);
    assert_eq!(resolved(&root, "hosts", tree.host).await["level"], "region");
}

#[tokio::test]
async fn resolved_values_must_be_true_or_false() {
    let service = Service::new();
    let root = service.root();
    let tree = tree(&root).await;
    let message = root
        .get(&format!(
            "/v1/hosts/{}/variables?resolved-values=maybe",
            tree.host
        ))
        .await
        .error(400);
    assert!(message.starts_with("resolved-values: "), "{message}");
}
