//! `/v1/cells`: in a region, names unique per region; a cell moves only while empty.

use crate::support::{Service, names};
use serde_json::json;

#[tokio::test]
async fn a_cell_carries_the_ids_of_its_region_and_cloud() {
    let service = Service::new();
    let root = service.root();
    let site = root.site().await;
    let body = root
        .create("cells", json!({"name": "c1", "region_id": site.region}))
        .await;
    assert_eq!(body["region_id"], site.region);
    assert_eq!(body["cloud_id"], site.cloud);
}

#[tokio::test]
async fn a_cell_in_an_unknown_region_is_refused_naming_region_id() {
    let service = Service::new();
    let message = service
        .root()
        .post("/v1/cells", json!({"name": "c1", "region_id": 77}))
        .await
        .error(400);
    assert_eq!(message, "region_id: no region 77 in this project");
}

#[tokio::test]
async fn a_cell_name_is_unique_in_its_region() {
    let service = Service::new();
    let root = service.root();
    let site = root.site().await;
    root.cell(site.region, "c1").await;
    let message = root
        .post("/v1/cells", json!({"name": "c1", "region_id": site.region}))
        .await
        .error(409);
    assert!(
        message.contains(&format!("region {}", site.region)),
        "{message}"
    );
}

#[tokio::test]
async fn a_cell_with_hosts_cannot_be_deleted() {
    let service = Service::new();
    let root = service.root();
    let site = root.site().await;
    let cell = root.cell(site.region, "c1").await;
    root.host(site.region, Some(cell), "h1", "10.0.0.1").await;
    let message = root.delete(&format!("/v1/cells/{cell}")).await.error(409);
    assert!(
        message.starts_with(&format!("cell {cell} still has 1 host")),
        "{message}"
    );
}

#[tokio::test]
async fn an_empty_cell_moves_to_another_region() {
    let service = Service::new();
    let root = service.root();
    let site = root.site().await;
    let other = root.region(site.cloud, "region-2").await;
    let cell = root.cell(site.region, "c1").await;
    let body = root
        .put(&format!("/v1/cells/{cell}"), json!({"region_id": other}))
        .await
        .expect(200);
    assert_eq!(body["region_id"], other);
}

#[tokio::test]
async fn a_cell_with_hosts_cannot_move_to_another_region() {
    let service = Service::new();
    let root = service.root();
    let site = root.site().await;
    let other = root.region(site.cloud, "region-2").await;
    let cell = root.cell(site.region, "c1").await;
    root.host(site.region, Some(cell), "h1", "10.0.0.1").await;
    let message = root
        .put(&format!("/v1/cells/{cell}"), json!({"region_id": other}))
        .await
        .error(409);
    assert!(message.contains("1 host"), "{message}");
}

#[tokio::test]
async fn cells_filter_by_region_and_cloud() {
    let service = Service::new();
    let root = service.root();
    let site = root.site().await;
    let other_cloud = root.cloud("other").await;
    let other_region = root.region(other_cloud, "r").await;
    root.cell(site.region, "mine").await;
    root.cell(other_region, "theirs").await;
    let by_region = root
        .get(&format!("/v1/cells?region_id={}", site.region))
        .await
        .expect(200);
    assert_eq!(names(&by_region, "cells"), ["mine"]);
    let by_cloud = root
        .get(&format!("/v1/cells?cloud_id={other_cloud}"))
        .await
        .expect(200);
    assert_eq!(names(&by_cloud, "cells"), ["theirs"]);
}
