//! Hosts: the machines of the inventory, in a region and optionally a cell.

use functional::fixtures::{cell, create, host, id_of, site};
use functional::{Testbed, cases, json};

pub fn cases() -> Vec<functional::Case> {
    cases![
        a_host_carries_its_fields_and_the_ids_of_its_ancestors,
        a_host_is_active_unless_told_otherwise,
        a_host_can_be_deactivated,
        a_host_without_an_ip_address_is_refused_naming_it,
        a_host_with_an_invalid_ip_address_is_refused_naming_it,
        an_ipv6_address_is_accepted,
        a_host_in_a_cell_of_another_region_is_refused_naming_cell_id,
        a_host_name_is_unique_in_its_region,
        a_host_read_back_includes_its_labels_and_variables,
        hosts_filter_by_device_type_and_active,
    ]
}

fn a_host_carries_its_fields_and_the_ids_of_its_ancestors(bed: &mut Testbed) {
    let api = bed.api();
    let s = site(&api);
    let c = cell(&api, s.region, "c1");
    let body = create(
        &api,
        "hosts",
        json!({"name": "web-1", "region_id": s.region, "cell_id": c,
               "ip_address": "10.1.2.3", "device_type": "server", "note": "rack 4"}),
    );
    assert_eq!(body["ip_address"], "10.1.2.3");
    assert_eq!(body["device_type"], "server");
    assert_eq!(body["note"], "rack 4");
    assert_eq!(
        (&body["cloud_id"], &body["region_id"], &body["cell_id"]),
        (&json!(s.cloud), &json!(s.region), &json!(c))
    );
}

fn a_host_is_active_unless_told_otherwise(bed: &mut Testbed) {
    let api = bed.api();
    let s = site(&api);
    let id = host(&api, s.region, None, "web-1", "10.0.0.1");
    assert_eq!(
        api.get(&format!("/v1/hosts/{id}")).expect(200)["active"],
        true
    );
}

fn a_host_can_be_deactivated(bed: &mut Testbed) {
    let api = bed.api();
    let s = site(&api);
    let id = host(&api, s.region, None, "web-1", "10.0.0.1");
    let body = api
        .put(&format!("/v1/hosts/{id}"), &json!({"active": false}))
        .expect(200);
    assert_eq!(body["active"], false);
    assert_eq!(body["name"], "web-1");
}

fn a_host_without_an_ip_address_is_refused_naming_it(bed: &mut Testbed) {
    let api = bed.api();
    let s = site(&api);
    let reply = api.post(
        "/v1/hosts",
        &json!({"name": "web-1", "region_id": s.region, "device_type": "server"}),
    );
    assert_eq!(reply.status, 400, "{}", reply.text);
    assert!(
        reply.message().contains("ip_address"),
        "{}",
        reply.message()
    );
}

fn a_host_with_an_invalid_ip_address_is_refused_naming_it(bed: &mut Testbed) {
    let api = bed.api();
    let s = site(&api);
    for bad in ["10.0.0.256", "not-an-ip", ""] {
        let reply = api.post(
            "/v1/hosts",
            &json!({"name": "web-1", "region_id": s.region,
                    "ip_address": bad, "device_type": "server"}),
        );
        assert_eq!(reply.status, 400, "{bad:?}: {}", reply.text);
        assert!(
            reply.message().contains("ip_address"),
            "{}",
            reply.message()
        );
    }
}

fn an_ipv6_address_is_accepted(bed: &mut Testbed) {
    let api = bed.api();
    let s = site(&api);
    let id = host(&api, s.region, None, "v6", "2001:db8::1");
    assert_eq!(
        api.get(&format!("/v1/hosts/{id}")).expect(200)["ip_address"],
        "2001:db8::1"
    );
}

fn a_host_in_a_cell_of_another_region_is_refused_naming_cell_id(bed: &mut Testbed) {
    let api = bed.api();
    let s = site(&api);
    let other = functional::fixtures::region(&api, s.cloud, "region-2");
    let foreign_cell = cell(&api, other, "c9");
    let reply = api.post(
        "/v1/hosts",
        &json!({"name": "web-1", "region_id": s.region, "cell_id": foreign_cell,
                "ip_address": "10.0.0.1", "device_type": "server"}),
    );
    assert_eq!(reply.status, 400, "{}", reply.text);
    assert!(reply.message().contains("cell_id"), "{}", reply.message());
}

fn a_host_name_is_unique_in_its_region(bed: &mut Testbed) {
    let api = bed.api();
    let s = site(&api);
    host(&api, s.region, None, "web-1", "10.0.0.1");
    let reply = api.post(
        "/v1/hosts",
        &json!({"name": "web-1", "region_id": s.region,
                "ip_address": "10.0.0.2", "device_type": "server"}),
    );
    assert_eq!(reply.status, 409, "{}", reply.text);
}

fn a_host_read_back_includes_its_labels_and_variables(bed: &mut Testbed) {
    let api = bed.api();
    let s = site(&api);
    let body = create(
        &api,
        "hosts",
        json!({"name": "web-1", "region_id": s.region, "ip_address": "10.0.0.1",
               "device_type": "server", "variables": {"role": "web"}}),
    );
    let id = id_of(&body);
    api.put(
        &format!("/v1/hosts/{id}/labels"),
        &json!({"labels": ["b", "a"]}),
    )
    .expect(200);
    let fetched = api.get(&format!("/v1/hosts/{id}")).expect(200);
    assert_eq!(fetched["variables"], json!({"role": "web"}));
    assert_eq!(fetched["labels"], json!(["a", "b"]));
}

fn hosts_filter_by_device_type_and_active(bed: &mut Testbed) {
    let api = bed.api();
    let s = site(&api);
    host(&api, s.region, None, "srv", "10.0.0.1");
    let off = host(&api, s.region, None, "off", "10.0.0.2");
    api.put(&format!("/v1/hosts/{off}"), &json!({"active": false}))
        .expect(200);
    create(
        &api,
        "hosts",
        json!({"name": "sw", "region_id": s.region, "ip_address": "10.0.0.3",
               "device_type": "switch"}),
    );
    let switches = api.get("/v1/hosts?device_type=switch").expect(200);
    assert_eq!(functional::fixtures::names(&switches, "hosts"), ["sw"]);
    let inactive = api.get("/v1/hosts?active=false").expect(200);
    assert_eq!(functional::fixtures::names(&inactive, "hosts"), ["off"]);
}
