//! `/v1/hosts`: in a region and optionally one of its cells, with an IP address, a device type
//! and an active flag.

use crate::support::{Service, id_of, names};
use serde_json::json;

#[tokio::test]
async fn a_host_carries_its_fields_and_the_ids_of_its_ancestors() {
    let service = Service::new();
    let root = service.root();
    let site = root.site().await;
    let cell = root.cell(site.region, "c1").await;
    let body = root
        .create(
            "hosts",
            json!({"name": "web-1", "region_id": site.region, "cell_id": cell,
                   "ip_address": "10.1.2.3", "device_type": "server", "note": "rack 4"}),
        )
        .await;
    assert_eq!(body["ip_address"], "10.1.2.3");
    assert_eq!(body["device_type"], "server");
    assert_eq!(body["note"], "rack 4");
    assert_eq!(body["active"], true);
    assert_eq!(body["labels"], json!([]));
    assert_eq!(
        (&body["cloud_id"], &body["region_id"], &body["cell_id"]),
        (&json!(site.cloud), &json!(site.region), &json!(cell))
    );
}

#[tokio::test]
async fn a_host_without_a_cell_has_a_null_cell_id() {
    let service = Service::new();
    let root = service.root();
    let site = root.site().await;
    let id = root.host(site.region, None, "h", "10.0.0.1").await;
    let body = root.get(&format!("/v1/hosts/{id}")).await.expect(200);
    assert_eq!(body["cell_id"], json!(null));
}

#[tokio::test]
async fn a_host_can_be_created_inactive_and_reactivated() {
    let service = Service::new();
    let root = service.root();
    let site = root.site().await;
    let id = root
        .create_id(
            "hosts",
            json!({"name": "h", "region_id": site.region, "ip_address": "10.0.0.1",
                   "device_type": "server", "active": false}),
        )
        .await;
    let body = root
        .put(&format!("/v1/hosts/{id}"), json!({"active": true}))
        .await
        .expect(200);
    assert_eq!(body["active"], true);
}

#[tokio::test]
async fn an_ipv6_address_is_accepted_in_canonical_form() {
    let service = Service::new();
    let root = service.root();
    let site = root.site().await;
    let id = root.host(site.region, None, "v6", "2001:DB8:0::1").await;
    let body = root.get(&format!("/v1/hosts/{id}")).await.expect(200);
    assert_eq!(body["ip_address"], "2001:db8::1");
}

#[tokio::test]
async fn a_host_with_an_invalid_ip_address_is_refused_naming_it() {
    let service = Service::new();
    let root = service.root();
    let site = root.site().await;
    for bad in ["10.0.0.256", "not-an-ip", "", "10.0.0.1/24"] {
        let message = root
            .post(
                "/v1/hosts",
                json!({"name": "h", "region_id": site.region, "ip_address": bad,
                       "device_type": "server"}),
            )
            .await
            .error(400);
        assert!(message.starts_with("ip_address: "), "{bad:?}: {message}");
    }
}

#[tokio::test]
async fn changing_a_hosts_ip_address_is_validated_too() {
    let service = Service::new();
    let root = service.root();
    let site = root.site().await;
    let id = root.host(site.region, None, "h", "10.0.0.1").await;
    let message = root
        .put(
            &format!("/v1/hosts/{id}"),
            json!({"ip_address": "999.1.1.1"}),
        )
        .await
        .error(400);
    assert!(message.starts_with("ip_address: "), "{message}");
    let body = root
        .put(
            &format!("/v1/hosts/{id}"),
            json!({"ip_address": "10.0.0.9"}),
        )
        .await
        .expect(200);
    assert_eq!(body["ip_address"], "10.0.0.9");
}

#[tokio::test]
async fn a_host_in_a_cell_of_another_region_is_refused_naming_cell_id() {
    let service = Service::new();
    let root = service.root();
    let site = root.site().await;
    let other = root.region(site.cloud, "region-2").await;
    let foreign = root.cell(other, "c9").await;
    let message = root
        .post(
            "/v1/hosts",
            json!({"name": "h", "region_id": site.region, "cell_id": foreign,
                   "ip_address": "10.0.0.1", "device_type": "server"}),
        )
        .await
        .error(400);
    assert_eq!(
        message,
        format!("cell_id: cell {foreign} is not in region {}", site.region)
    );
}

#[tokio::test]
async fn a_host_in_an_unknown_cell_is_refused_naming_cell_id() {
    let service = Service::new();
    let root = service.root();
    let site = root.site().await;
    let message = root
        .post(
            "/v1/hosts",
            json!({"name": "h", "region_id": site.region, "cell_id": 555,
                   "ip_address": "10.0.0.1", "device_type": "server"}),
        )
        .await
        .error(400);
    assert!(message.starts_with("cell_id: "), "{message}");
}

#[tokio::test]
async fn a_host_name_is_unique_in_its_region_only() {
    let service = Service::new();
    let root = service.root();
    let site = root.site().await;
    let other = root.region(site.cloud, "region-2").await;
    root.host(site.region, None, "web-1", "10.0.0.1").await;
    root.host(other, None, "web-1", "10.0.0.1").await;
    root.post(
        "/v1/hosts",
        json!({"name": "web-1", "region_id": site.region, "ip_address": "10.0.0.2",
               "device_type": "server"}),
    )
    .await
    .error(409);
}

#[tokio::test]
async fn a_host_moves_to_another_region_with_a_cell_of_that_region() {
    let service = Service::new();
    let root = service.root();
    let site = root.site().await;
    let old_cell = root.cell(site.region, "c1").await;
    let other = root.region(site.cloud, "region-2").await;
    let new_cell = root.cell(other, "c2").await;
    let id = root
        .host(site.region, Some(old_cell), "h", "10.0.0.1")
        .await;
    let path = format!("/v1/hosts/{id}");
    let message = root
        .put(&path, json!({"region_id": other}))
        .await
        .error(400);
    assert_eq!(
        message,
        format!("cell_id: cell {old_cell} is not in region {other}")
    );
    let body = root
        .put(&path, json!({"region_id": other, "cell_id": new_cell}))
        .await
        .expect(200);
    assert_eq!(
        (&body["region_id"], &body["cell_id"]),
        (&json!(other), &json!(new_cell))
    );
}

#[tokio::test]
async fn a_host_leaves_its_cell_with_a_null_cell_id() {
    let service = Service::new();
    let root = service.root();
    let site = root.site().await;
    let cell = root.cell(site.region, "c1").await;
    let id = root.host(site.region, Some(cell), "h", "10.0.0.1").await;
    let body = root
        .put(&format!("/v1/hosts/{id}"), json!({"cell_id": null}))
        .await
        .expect(200);
    assert_eq!(body["cell_id"], json!(null));
    root.delete(&format!("/v1/cells/{cell}")).await.expect(204);
}

#[tokio::test]
async fn a_host_is_created_with_labels_and_variables() {
    let service = Service::new();
    let root = service.root();
    let site = root.site().await;
    let body = root
        .create(
            "hosts",
            json!({"name": "h", "region_id": site.region, "ip_address": "10.0.0.1",
                   "device_type": "server", "labels": ["web", "prod", "web"],
                   "variables": {"role": "web"}}),
        )
        .await;
    assert_eq!(body["labels"], json!(["prod", "web"]));
    assert_eq!(body["variables"], json!({"role": "web"}));
    let fetched = root
        .get(&format!("/v1/hosts/{}", id_of(&body)))
        .await
        .expect(200);
    assert_eq!(fetched, body);
}

#[tokio::test]
async fn a_deleted_host_takes_its_labels_and_variables_along() {
    let service = Service::new();
    let root = service.root();
    let site = root.site().await;
    let id = root
        .create_id(
            "hosts",
            json!({"name": "h", "region_id": site.region, "ip_address": "10.0.0.1",
                   "device_type": "server", "labels": ["a"], "variables": {"k": 1}}),
        )
        .await;
    root.delete(&format!("/v1/hosts/{id}")).await.expect(204);
    root.get(&format!("/v1/hosts/{id}")).await.error(404);
    let left: i64 = service
        .db
        .run_blocking(|conn| {
            Ok(conn.query_row(
                "SELECT (SELECT COUNT(*) FROM host_labels) + (SELECT COUNT(*) FROM host_variables)",
                [],
                |r| r.get(0),
            )?)
        })
        .unwrap();
    assert_eq!(left, 0);
}

#[tokio::test]
async fn hosts_filter_by_device_type_and_active() {
    let service = Service::new();
    let root = service.root();
    let site = root.site().await;
    root.host(site.region, None, "srv", "10.0.0.1").await;
    let off = root.host(site.region, None, "off", "10.0.0.2").await;
    root.put(&format!("/v1/hosts/{off}"), json!({"active": false}))
        .await
        .expect(200);
    root.create(
        "hosts",
        json!({"name": "sw", "region_id": site.region, "ip_address": "10.0.0.3",
               "device_type": "switch"}),
    )
    .await;
    let switches = root.get("/v1/hosts?device_type=switch").await.expect(200);
    assert_eq!(names(&switches, "hosts"), ["sw"]);
    let inactive = root.get("/v1/hosts?active=false").await.expect(200);
    assert_eq!(names(&inactive, "hosts"), ["off"]);
    let active = root.get("/v1/hosts?active=true").await.expect(200);
    assert_eq!(names(&active, "hosts"), ["srv", "sw"]);
}

#[tokio::test]
async fn hosts_filter_by_region_cell_and_cloud() {
    let service = Service::new();
    let root = service.root();
    let site = root.site().await;
    let cell = root.cell(site.region, "c1").await;
    let other_cloud = root.cloud("other").await;
    let far = root.region(other_cloud, "far").await;
    root.host(site.region, Some(cell), "in-cell", "10.0.0.1")
        .await;
    root.host(site.region, None, "no-cell", "10.0.0.2").await;
    root.host(far, None, "far-away", "10.0.0.3").await;
    let get = |query: String| {
        let root = root.clone();
        async move {
            names(
                &root.get(&format!("/v1/hosts?{query}")).await.expect(200),
                "hosts",
            )
        }
    };
    assert_eq!(get(format!("cell_id={cell}")).await, ["in-cell"]);
    assert_eq!(
        get(format!("region_id={}", site.region)).await,
        ["in-cell", "no-cell"]
    );
    assert_eq!(get(format!("cloud_id={other_cloud}")).await, ["far-away"]);
}

#[tokio::test]
async fn a_list_item_carries_labels_but_not_variables() {
    let service = Service::new();
    let root = service.root();
    let site = root.site().await;
    root.create(
        "hosts",
        json!({"name": "h", "region_id": site.region, "ip_address": "10.0.0.1",
               "device_type": "server", "labels": ["a"], "variables": {"k": 1}}),
    )
    .await;
    let listed = root.get("/v1/hosts").await.expect(200);
    let item = &listed["hosts"][0];
    assert_eq!(item["labels"], json!(["a"]));
    assert!(item.get("variables").is_none(), "{item}");
}
