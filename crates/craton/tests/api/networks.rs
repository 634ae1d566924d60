//! `/v1/networks` and `/v1/network-devices`: both in a region and optionally a cell.

use crate::support::{Client, Service, id_of, names};
use serde_json::json;

async fn device(root: &Client, region: i64, name: &str) -> i64 {
    root.create_id(
        "network-devices",
        json!({"name": name, "region_id": region, "ip_address": "10.9.0.1",
               "device_type": "switch", "model_name": "X1", "os_version": "9.3"}),
    )
    .await
}

#[tokio::test]
async fn a_network_keeps_its_addressing_fields() {
    let service = Service::new();
    let root = service.root();
    let site = root.site().await;
    let cell = root.cell(site.region, "c1").await;
    let body = root
        .create(
            "networks",
            json!({"name": "mgmt", "region_id": site.region, "cell_id": cell,
                   "cidr": "10.0.0.0/24", "gateway": "10.0.0.1", "netmask": "255.255.255.0",
                   "ip_block_type": "private", "nss": "10.0.0.2"}),
        )
        .await;
    let fetched = root
        .get(&format!("/v1/networks/{}", id_of(&body)))
        .await
        .expect(200);
    for (field, value) in [
        ("cidr", "10.0.0.0/24"),
        ("gateway", "10.0.0.1"),
        ("netmask", "255.255.255.0"),
        ("ip_block_type", "private"),
        ("nss", "10.0.0.2"),
    ] {
        assert_eq!(fetched[field], value, "{field}");
    }
    assert_eq!(fetched["cell_id"], cell);
    assert_eq!(fetched["cloud_id"], site.cloud);
}

#[tokio::test]
async fn a_network_without_a_cidr_is_refused_naming_it() {
    let service = Service::new();
    let root = service.root();
    let site = root.site().await;
    let message = root
        .post(
            "/v1/networks",
            json!({"name": "mgmt", "region_id": site.region}),
        )
        .await
        .error(400);
    assert_eq!(message, "cidr: is required");
}

#[tokio::test]
async fn a_network_with_a_bad_cidr_or_gateway_is_refused_naming_it() {
    let service = Service::new();
    let root = service.root();
    let site = root.site().await;
    for (body, field) in [
        (json!({"cidr": "10.0.0.0/40"}), "cidr"),
        (json!({"cidr": "10.0.0.0/24", "gateway": "gw"}), "gateway"),
        (
            json!({"cidr": "10.0.0.0/24", "netmask": "255.255.255"}),
            "netmask",
        ),
    ] {
        let mut body = body;
        body["name"] = json!("n");
        body["region_id"] = json!(site.region);
        let message = root.post("/v1/networks", body).await.error(400);
        assert!(message.starts_with(&format!("{field}: ")), "{message}");
    }
}

#[tokio::test]
async fn a_network_can_be_updated_and_deleted() {
    let service = Service::new();
    let root = service.root();
    let site = root.site().await;
    let id = root
        .create_id(
            "networks",
            json!({"name": "mgmt", "region_id": site.region, "cidr": "10.0.0.0/24",
                   "gateway": "10.0.0.1"}),
        )
        .await;
    let path = format!("/v1/networks/{id}");
    let updated = root
        .put(&path, json!({"gateway": "10.0.0.254", "nss": "10.0.0.53"}))
        .await
        .expect(200);
    assert_eq!(updated["gateway"], "10.0.0.254");
    assert_eq!(updated["cidr"], "10.0.0.0/24");
    let cleared = root.put(&path, json!({"gateway": null})).await.expect(200);
    assert_eq!(cleared["gateway"], json!(null));
    assert_eq!(cleared["nss"], "10.0.0.53");
    root.delete(&path).await.expect(204);
    root.get(&path).await.error(404);
}

#[tokio::test]
async fn a_network_name_is_unique_in_its_region() {
    let service = Service::new();
    let root = service.root();
    let site = root.site().await;
    let body = json!({"name": "mgmt", "region_id": site.region, "cidr": "10.0.0.0/24"});
    root.create("networks", body.clone()).await;
    root.post("/v1/networks", body).await.error(409);
}

#[tokio::test]
async fn networks_filter_by_cidr() {
    let service = Service::new();
    let root = service.root();
    let site = root.site().await;
    for (name, cidr) in [("a", "10.0.0.0/24"), ("b", "10.1.0.0/24")] {
        root.create(
            "networks",
            json!({"name": name, "region_id": site.region, "cidr": cidr}),
        )
        .await;
    }
    let body = root
        .get("/v1/networks?cidr=10.1.0.0%2F24")
        .await
        .expect(200);
    assert_eq!(names(&body, "networks"), ["b"]);
}

#[tokio::test]
async fn a_network_device_is_listed_under_network_devices() {
    let service = Service::new();
    let root = service.root();
    let site = root.site().await;
    let id = device(&root, site.region, "tor-1").await;
    let listed = root.get("/v1/network-devices").await.expect(200);
    assert_eq!(names(&listed, "network_devices"), ["tor-1"]);
    assert!(
        listed["links"][0]["href"]
            .as_str()
            .unwrap()
            .starts_with("/v1/network-devices?")
    );
    let fetched = root
        .get(&format!("/v1/network-devices/{id}"))
        .await
        .expect(200);
    assert_eq!(fetched["model_name"], "X1");
    assert_eq!(fetched["os_version"], "9.3");
    assert_eq!(fetched["active"], true);
    assert_eq!(fetched["region_id"], site.region);
}

#[tokio::test]
async fn a_network_device_location_uses_the_dashed_path() {
    let service = Service::new();
    let root = service.root();
    let site = root.site().await;
    let reply = root
        .post(
            "/v1/network-devices",
            json!({"name": "d", "region_id": site.region, "ip_address": "10.0.0.1",
                   "device_type": "router"}),
        )
        .await;
    let id = id_of(&reply.body);
    assert_eq!(
        reply.header("location"),
        Some(format!("/v1/network-devices/{id}").as_str())
    );
}

#[tokio::test]
async fn a_network_device_with_an_invalid_ip_address_is_refused() {
    let service = Service::new();
    let root = service.root();
    let site = root.site().await;
    let message = root
        .post(
            "/v1/network-devices",
            json!({"name": "tor-1", "region_id": site.region, "ip_address": "300.1.1.1",
                   "device_type": "switch"}),
        )
        .await
        .error(400);
    assert!(message.starts_with("ip_address: "), "{message}");
}

#[tokio::test]
async fn a_network_device_can_be_updated_and_deleted() {
    let service = Service::new();
    let root = service.root();
    let site = root.site().await;
    let id = device(&root, site.region, "tor-1").await;
    let path = format!("/v1/network-devices/{id}");
    let updated = root
        .put(&path, json!({"os_version": "10.0", "active": false}))
        .await
        .expect(200);
    assert_eq!(updated["os_version"], "10.0");
    assert_eq!(updated["active"], false);
    assert_eq!(updated["model_name"], "X1");
    root.delete(&path).await.expect(204);
    root.get(&path).await.error(404);
}

#[tokio::test]
async fn a_network_device_in_a_cell_of_another_region_is_refused() {
    let service = Service::new();
    let root = service.root();
    let site = root.site().await;
    let other = root.region(site.cloud, "region-2").await;
    let foreign = root.cell(other, "c").await;
    let message = root
        .post(
            "/v1/network-devices",
            json!({"name": "d", "region_id": site.region, "cell_id": foreign,
                   "ip_address": "10.0.0.1", "device_type": "switch"}),
        )
        .await
        .error(400);
    assert!(message.starts_with("cell_id: "), "{message}");
}

#[tokio::test]
async fn network_devices_filter_by_device_type() {
    let service = Service::new();
    let root = service.root();
    let site = root.site().await;
    device(&root, site.region, "sw").await;
    root.create(
        "network-devices",
        json!({"name": "rt", "region_id": site.region, "ip_address": "10.0.0.1",
               "device_type": "router"}),
    )
    .await;
    let body = root
        .get("/v1/network-devices?device_type=router")
        .await
        .expect(200);
    assert_eq!(names(&body, "network_devices"), ["rt"]);
}
