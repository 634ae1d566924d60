//! `/v1/ansible-inventory`: the region's active hosts as Ansible's dynamic inventory.

use crate::support::{Client, Service};
use serde_json::{Value, json};

/// Region `region-1` with cell `c1` (h1 labelled `web`, h2) and h3 outside any cell; the region
/// sets `dns`.
async fn populated(root: &Client) -> (i64, i64) {
    let site = root.site().await;
    let cell = root.cell(site.region, "c1").await;
    let h1 = root.host(site.region, Some(cell), "h1", "10.0.0.1").await;
    root.host(site.region, Some(cell), "h2", "10.0.0.2").await;
    root.host(site.region, None, "h3", "10.0.0.3").await;
    root.put(
        &format!("/v1/hosts/{h1}/labels"),
        json!({"labels": ["web"]}),
    )
    .await
    .expect(200);
    root.put(
        &format!("/v1/regions/{}/variables", site.region),
        json!({"dns": "10.0.0.53"}),
    )
    .await
    .expect(200);
    (site.region, cell)
}

async fn inventory(root: &Client, query: &str) -> Value {
    root.get(&format!("/v1/ansible-inventory?{query}"))
        .await
        .expect(200)
}

#[tokio::test]
async fn the_inventory_needs_a_region() {
    let service = Service::new();
    let message = service.root().get("/v1/ansible-inventory").await.error(400);
    assert_eq!(message, "region_id: is required");
}

#[tokio::test]
async fn the_inventory_of_an_unknown_region_is_not_found() {
    let service = Service::new();
    service
        .root()
        .get("/v1/ansible-inventory?region_id=42")
        .await
        .error(404);
}

#[tokio::test]
async fn the_inventory_refuses_unknown_parameters_and_bad_ids() {
    let service = Service::new();
    let root = service.root();
    let message = root.get("/v1/ansible-inventory?region=1").await.error(400);
    assert!(
        message.starts_with("region: unknown query parameter"),
        "{message}"
    );
    let message = root
        .get("/v1/ansible-inventory?region_id=x")
        .await
        .error(400);
    assert!(message.starts_with("region_id: "), "{message}");
}

#[tokio::test]
async fn the_inventory_has_exactly_the_groups_ansible_expects() {
    let service = Service::new();
    let root = service.root();
    let (region, _) = populated(&root).await;
    let inventory = inventory(&root, &format!("region_id={region}")).await;
    let dns = json!("10.0.0.53");
    assert_eq!(
        inventory,
        json!({
            "all": {"hosts": ["h1", "h2", "h3"]},
            "_meta": {"hostvars": {
                "h1": {"ansible_host": "10.0.0.1", "dns": dns},
                "h2": {"ansible_host": "10.0.0.2", "dns": dns},
                "h3": {"ansible_host": "10.0.0.3", "dns": dns},
            }},
            "region-1": {"hosts": ["h3"], "children": ["region-1-c1"]},
            "region-1-c1": {"hosts": ["h1", "h2"]},
            "web": {"hosts": ["h1"]},
        })
    );
}

#[tokio::test]
async fn hostvars_hold_variables_resolved_over_every_level() {
    let service = Service::new();
    let root = service.root();
    let (region, cell) = populated(&root).await;
    let h2 = root.get("/v1/hosts?name=h2").await.expect(200)["hosts"][0]["id"].clone();
    let project = crate::support::PROJECT;
    for (path, vars) in [
        (
            format!("projects/{project}"),
            json!({"ntp": "project", "p": 1}),
        ),
        (format!("cells/{cell}"), json!({"ntp": "cell"})),
        (format!("hosts/{h2}"), json!({"ntp": "host"})),
    ] {
        root.put(&format!("/v1/{path}/variables"), vars)
            .await
            .expect(200);
    }
    let hostvars =
        inventory(&root, &format!("region_id={region}")).await["_meta"]["hostvars"].clone();
    assert_eq!(hostvars["h1"]["ntp"], "cell");
    assert_eq!(hostvars["h2"]["ntp"], "host");
    assert_eq!(hostvars["h3"]["ntp"], "project");
    assert_eq!(hostvars["h3"]["p"], 1);
}

#[tokio::test]
async fn a_variable_overrides_ansible_host() {
    let service = Service::new();
    let root = service.root();
    let (region, cell) = populated(&root).await;
    root.put(
        &format!("/v1/cells/{cell}/variables"),
        json!({"ansible_host": "jump.example"}),
    )
    .await
    .expect(200);
    let inventory = inventory(&root, &format!("region_id={region}")).await;
    assert_eq!(
        inventory["_meta"]["hostvars"]["h1"]["ansible_host"],
        "jump.example"
    );
    assert_eq!(
        inventory["_meta"]["hostvars"]["h3"]["ansible_host"],
        "10.0.0.3"
    );
}

#[tokio::test]
async fn inactive_hosts_are_left_out() {
    let service = Service::new();
    let root = service.root();
    let (region, _) = populated(&root).await;
    let h2 = root.get("/v1/hosts?name=h2").await.expect(200)["hosts"][0]["id"].clone();
    root.put(&format!("/v1/hosts/{h2}"), json!({"active": false}))
        .await
        .expect(200);
    let inventory = inventory(&root, &format!("region_id={region}")).await;
    assert_eq!(inventory["all"]["hosts"], json!(["h1", "h3"]));
    assert!(inventory["_meta"]["hostvars"].get("h2").is_none());
    assert_eq!(inventory["region-1-c1"]["hosts"], json!(["h1"]));
}

#[tokio::test]
async fn a_cell_narrows_the_inventory_to_its_hosts() {
    let service = Service::new();
    let root = service.root();
    let (region, cell) = populated(&root).await;
    let inventory = inventory(&root, &format!("region_id={region}&cell_id={cell}")).await;
    assert_eq!(inventory["all"]["hosts"], json!(["h1", "h2"]));
    assert_eq!(
        inventory["region-1"],
        json!({"hosts": [], "children": ["region-1-c1"]})
    );
}

#[tokio::test]
async fn a_cell_of_another_region_is_refused_naming_cell_id() {
    let service = Service::new();
    let root = service.root();
    let (region, _) = populated(&root).await;
    let cloud = root.cloud("other").await;
    let far = root.region(cloud, "far").await;
    let foreign = root.cell(far, "c9").await;
    let message = root
        .get(&format!(
            "/v1/ansible-inventory?region_id={region}&cell_id={foreign}"
        ))
        .await
        .error(400);
    assert_eq!(
        message,
        format!("cell_id: cell {foreign} is not in region {region}")
    );
}

#[tokio::test]
async fn hosts_of_other_regions_stay_out() {
    let service = Service::new();
    let root = service.root();
    let (region, _) = populated(&root).await;
    let cloud = root.cloud("other").await;
    let far = root.region(cloud, "far").await;
    root.host(far, None, "far-host", "10.9.9.9").await;
    let inventory = inventory(&root, &format!("region_id={region}")).await;
    assert_eq!(inventory["all"]["hosts"], json!(["h1", "h2", "h3"]));
    assert!(inventory.get("far").is_none());
}

#[tokio::test]
async fn a_member_reads_the_inventory_of_its_project() {
    let service = Service::new();
    let root = service.root();
    let (region, _) = populated(&root).await;
    let member = root.user("mia", "member").await;
    let inventory = inventory(&member, &format!("region_id={region}")).await;
    assert_eq!(inventory["web"]["hosts"], json!(["h1"]));
}
