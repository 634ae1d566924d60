//! Regions (in a cloud) and cells (in a region).

use functional::fixtures::{cell, cloud, create, host, id_of, region, site};
use functional::{Testbed, cases, json};

pub fn cases() -> Vec<functional::Case> {
    cases![
        a_region_belongs_to_its_cloud,
        a_region_in_an_unknown_cloud_is_refused_naming_cloud_id,
        region_names_are_unique_per_cloud_not_globally,
        a_cell_carries_the_ids_of_its_region_and_cloud,
        a_cell_name_is_unique_in_its_region,
        a_region_with_cells_and_hosts_cannot_be_deleted,
        an_empty_region_can_be_deleted,
    ]
}

fn a_region_belongs_to_its_cloud(bed: &mut Testbed) {
    let api = bed.api();
    let c = cloud(&api, "prod");
    let body = create(&api, "regions", json!({"name": "east", "cloud_id": c}));
    assert_eq!(body["cloud_id"], c);
    let listed = api.get(&format!("/v1/regions?cloud_id={c}")).expect(200);
    assert_eq!(listed["regions"][0]["id"], body["id"]);
}

fn a_region_in_an_unknown_cloud_is_refused_naming_cloud_id(bed: &mut Testbed) {
    let reply = bed
        .api()
        .post("/v1/regions", &json!({"name": "east", "cloud_id": 999_999}));
    assert_eq!(reply.status, 400, "{}", reply.text);
    assert!(reply.message().contains("cloud_id"), "{}", reply.message());
}

fn region_names_are_unique_per_cloud_not_globally(bed: &mut Testbed) {
    let api = bed.api();
    let (a, b) = (cloud(&api, "a"), cloud(&api, "b"));
    region(&api, a, "east");
    region(&api, b, "east");
    let reply = api.post("/v1/regions", &json!({"name": "east", "cloud_id": a}));
    assert_eq!(reply.status, 409, "{}", reply.text);
}

fn a_cell_carries_the_ids_of_its_region_and_cloud(bed: &mut Testbed) {
    let api = bed.api();
    let s = site(&api);
    let body = create(&api, "cells", json!({"name": "c1", "region_id": s.region}));
    assert_eq!(body["region_id"], s.region);
    assert_eq!(body["cloud_id"], s.cloud);
}

fn a_cell_name_is_unique_in_its_region(bed: &mut Testbed) {
    let api = bed.api();
    let s = site(&api);
    cell(&api, s.region, "c1");
    let reply = api.post("/v1/cells", &json!({"name": "c1", "region_id": s.region}));
    assert_eq!(reply.status, 409, "{}", reply.text);
}

fn a_region_with_cells_and_hosts_cannot_be_deleted(bed: &mut Testbed) {
    let api = bed.api();
    let s = site(&api);
    let c = cell(&api, s.region, "c1");
    cell(&api, s.region, "c2");
    host(&api, s.region, Some(c), "h1", "10.0.0.1");
    host(&api, s.region, None, "h2", "10.0.0.2");
    let reply = api.delete(&format!("/v1/regions/{}", s.region));
    assert_eq!(reply.status, 409, "{}", reply.text);
    let message = reply.message();
    assert!(
        message.contains(&format!("region {}", s.region)),
        "{message}"
    );
    assert!(
        message.contains("2 cells") && message.contains("2 hosts"),
        "{message}"
    );
}

fn an_empty_region_can_be_deleted(bed: &mut Testbed) {
    let api = bed.api();
    let s = site(&api);
    api.delete(&format!("/v1/regions/{}", s.region)).expect(204);
    assert_eq!(api.get(&format!("/v1/regions/{}", s.region)).status, 404);
    let id = id_of(&create(
        &api,
        "regions",
        json!({"name": "region-1", "cloud_id": s.cloud}),
    ));
    assert_ne!(id, s.region);
}
