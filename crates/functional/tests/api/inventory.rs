//! The Ansible dynamic inventory of a region.

use functional::fixtures::{cell, host, site};
use functional::{Testbed, Value, cases, json};

pub fn cases() -> Vec<functional::Case> {
    cases![
        the_inventory_needs_a_region,
        the_inventory_groups_hosts_by_region_cell_and_label,
        hostvars_hold_resolved_variables_and_ansible_host,
        a_variable_overrides_ansible_host,
        inactive_hosts_are_left_out,
        a_cell_narrows_the_inventory_to_its_hosts,
    ]
}

fn the_inventory_needs_a_region(bed: &mut Testbed) {
    let reply = bed.api().get("/v1/ansible-inventory");
    assert_eq!(reply.status, 400, "{}", reply.text);
    assert!(reply.message().contains("region_id"), "{}", reply.message());
}

/// Region `region-1` with cell `c1` (h1, h2 labelled `web`) and h3 outside any cell.
fn populated(bed: &Testbed) -> (i64, i64) {
    let api = bed.api();
    let s = site(&api);
    let c = cell(&api, s.region, "c1");
    let h1 = host(&api, s.region, Some(c), "h1", "10.0.0.1");
    host(&api, s.region, Some(c), "h2", "10.0.0.2");
    host(&api, s.region, None, "h3", "10.0.0.3");
    api.put(
        &format!("/v1/hosts/{h1}/labels"),
        &json!({"labels": ["web"]}),
    )
    .expect(200);
    api.put(
        &format!("/v1/regions/{}/variables", s.region),
        &json!({"dns": "10.0.0.53"}),
    )
    .expect(200);
    (s.region, c)
}

fn inventory(bed: &Testbed, query: &str) -> Value {
    bed.api()
        .get(&format!("/v1/ansible-inventory?{query}"))
        .expect(200)
}

fn the_inventory_groups_hosts_by_region_cell_and_label(bed: &mut Testbed) {
    let (region, _) = populated(bed);
    let inv = inventory(bed, &format!("region_id={region}"));
    assert_eq!(inv["all"]["hosts"], json!(["h1", "h2", "h3"]));
    assert_eq!(inv["region-1"]["hosts"], json!(["h3"]));
    assert_eq!(inv["region-1"]["children"], json!(["region-1-c1"]));
    assert_eq!(inv["region-1-c1"]["hosts"], json!(["h1", "h2"]));
    assert_eq!(inv["web"]["hosts"], json!(["h1"]));
}

fn hostvars_hold_resolved_variables_and_ansible_host(bed: &mut Testbed) {
    let (region, _) = populated(bed);
    let inv = inventory(bed, &format!("region_id={region}"));
    let h2 = &inv["_meta"]["hostvars"]["h2"];
    assert_eq!(h2["ansible_host"], "10.0.0.2");
    assert_eq!(h2["dns"], "10.0.0.53");
}

fn a_variable_overrides_ansible_host(bed: &mut Testbed) {
    let (region, c) = populated(bed);
    bed.api()
        .put(
            &format!("/v1/cells/{c}/variables"),
            &json!({"ansible_host": "jump.example"}),
        )
        .expect(200);
    let inv = inventory(bed, &format!("region_id={region}"));
    assert_eq!(
        inv["_meta"]["hostvars"]["h1"]["ansible_host"],
        "jump.example"
    );
    assert_eq!(inv["_meta"]["hostvars"]["h3"]["ansible_host"], "10.0.0.3");
}

fn inactive_hosts_are_left_out(bed: &mut Testbed) {
    let (region, _) = populated(bed);
    let api = bed.api();
    let h2 = api.get("/v1/hosts?name=h2").expect(200)["hosts"][0]["id"].clone();
    api.put(&format!("/v1/hosts/{h2}"), &json!({"active": false}))
        .expect(200);
    let inv = inventory(bed, &format!("region_id={region}"));
    assert_eq!(inv["all"]["hosts"], json!(["h1", "h3"]));
    assert!(inv["_meta"]["hostvars"].get("h2").is_none());
}

fn a_cell_narrows_the_inventory_to_its_hosts(bed: &mut Testbed) {
    let (region, c) = populated(bed);
    let inv = inventory(bed, &format!("region_id={region}&cell_id={c}"));
    assert_eq!(inv["all"]["hosts"], json!(["h1", "h2"]));
}
