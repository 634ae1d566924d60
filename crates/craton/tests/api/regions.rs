//! `/v1/regions`: in a cloud, names unique per cloud; moving between clouds.

use crate::support::{Service, names};
use serde_json::json;

#[tokio::test]
async fn a_region_belongs_to_its_cloud() {
    let service = Service::new();
    let root = service.root();
    let cloud = root.cloud("prod").await;
    let body = root
        .create("regions", json!({"name": "east", "cloud_id": cloud}))
        .await;
    assert_eq!(body["cloud_id"], cloud);
}

#[tokio::test]
async fn a_region_in_an_unknown_cloud_is_refused_naming_cloud_id() {
    let service = Service::new();
    let message = service
        .root()
        .post("/v1/regions", json!({"name": "east", "cloud_id": 999}))
        .await
        .error(400);
    assert_eq!(message, "cloud_id: no cloud 999 in this project");
}

#[tokio::test]
async fn region_names_are_unique_per_cloud_not_globally() {
    let service = Service::new();
    let root = service.root();
    let (a, b) = (root.cloud("a").await, root.cloud("b").await);
    root.region(a, "east").await;
    root.region(b, "east").await;
    let message = root
        .post("/v1/regions", json!({"name": "east", "cloud_id": a}))
        .await
        .error(409);
    assert_eq!(
        message,
        format!("a region named \"east\" already exists in cloud {a}")
    );
}

#[tokio::test]
async fn a_region_moves_to_another_cloud_and_its_cells_follow() {
    let service = Service::new();
    let root = service.root();
    let site = root.site().await;
    let cell = root.cell(site.region, "c1").await;
    let other = root.cloud("other").await;
    let body = root
        .put(
            &format!("/v1/regions/{}", site.region),
            json!({"cloud_id": other}),
        )
        .await
        .expect(200);
    assert_eq!(body["cloud_id"], other);
    let cell = root.get(&format!("/v1/cells/{cell}")).await.expect(200);
    assert_eq!(cell["cloud_id"], other);
}

#[tokio::test]
async fn moving_a_region_onto_a_taken_name_is_a_conflict() {
    let service = Service::new();
    let root = service.root();
    let (a, b) = (root.cloud("a").await, root.cloud("b").await);
    let east = root.region(a, "east").await;
    root.region(b, "east").await;
    root.put(&format!("/v1/regions/{east}"), json!({"cloud_id": b}))
        .await
        .error(409);
}

#[tokio::test]
async fn moving_a_region_to_an_unknown_cloud_is_refused() {
    let service = Service::new();
    let root = service.root();
    let site = root.site().await;
    let message = root
        .put(
            &format!("/v1/regions/{}", site.region),
            json!({"cloud_id": 4242}),
        )
        .await
        .error(400);
    assert!(message.starts_with("cloud_id: "), "{message}");
}

#[tokio::test]
async fn a_region_with_cells_and_hosts_cannot_be_deleted() {
    let service = Service::new();
    let root = service.root();
    let site = root.site().await;
    let c1 = root.cell(site.region, "c1").await;
    root.cell(site.region, "c2").await;
    root.host(site.region, Some(c1), "h1", "10.0.0.1").await;
    root.host(site.region, None, "h2", "10.0.0.2").await;
    let message = root
        .delete(&format!("/v1/regions/{}", site.region))
        .await
        .error(409);
    assert!(
        message.starts_with(&format!(
            "region {} still has 2 cells and 2 hosts",
            site.region
        )),
        "{message}"
    );
}

#[tokio::test]
async fn a_region_with_networks_and_devices_names_them_when_deletion_is_refused() {
    let service = Service::new();
    let root = service.root();
    let site = root.site().await;
    root.create(
        "networks",
        json!({"name": "n", "region_id": site.region, "cidr": "10.0.0.0/24"}),
    )
    .await;
    root.create(
        "network-devices",
        json!({"name": "d", "region_id": site.region, "ip_address": "10.0.0.9",
               "device_type": "switch"}),
    )
    .await;
    let message = root
        .delete(&format!("/v1/regions/{}", site.region))
        .await
        .error(409);
    assert!(
        message.contains("1 network and 1 network device"),
        "{message}"
    );
}

#[tokio::test]
async fn an_empty_region_can_be_deleted() {
    let service = Service::new();
    let root = service.root();
    let site = root.site().await;
    root.delete(&format!("/v1/regions/{}", site.region))
        .await
        .expect(204);
    root.get(&format!("/v1/regions/{}", site.region))
        .await
        .error(404);
}

#[tokio::test]
async fn regions_filter_by_cloud() {
    let service = Service::new();
    let root = service.root();
    let (a, b) = (root.cloud("a").await, root.cloud("b").await);
    root.region(a, "east").await;
    root.region(b, "west").await;
    let body = root
        .get(&format!("/v1/regions?cloud_id={b}"))
        .await
        .expect(200);
    assert_eq!(names(&body, "regions"), ["west"]);
}
