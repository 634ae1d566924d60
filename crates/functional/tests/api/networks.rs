//! Networks and network devices, both in a region.

use functional::fixtures::{cell, create, id_of, names, site};
use functional::{Testbed, cases, json};

pub fn cases() -> Vec<functional::Case> {
    cases![
        a_network_keeps_its_addressing_fields,
        a_network_without_a_cidr_is_refused_naming_it,
        a_network_can_be_updated_and_deleted,
        a_network_device_is_listed_under_network_devices,
        a_network_device_with_an_invalid_ip_address_is_refused,
        a_network_device_can_be_updated_and_deleted,
    ]
}

fn a_network_keeps_its_addressing_fields(bed: &mut Testbed) {
    let api = bed.api();
    let s = site(&api);
    let c = cell(&api, s.region, "c1");
    let body = create(
        &api,
        "networks",
        json!({"name": "mgmt", "region_id": s.region, "cell_id": c, "cidr": "10.0.0.0/24",
               "gateway": "10.0.0.1", "netmask": "255.255.255.0",
               "ip_block_type": "private", "nss": "10.0.0.2"}),
    );
    let fetched = api
        .get(&format!("/v1/networks/{}", id_of(&body)))
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
    assert_eq!(fetched["cell_id"], c);
}

fn a_network_without_a_cidr_is_refused_naming_it(bed: &mut Testbed) {
    let api = bed.api();
    let s = site(&api);
    let reply = api.post(
        "/v1/networks",
        &json!({"name": "mgmt", "region_id": s.region}),
    );
    assert_eq!(reply.status, 400, "{}", reply.text);
    assert!(reply.message().contains("cidr"), "{}", reply.message());
}

fn a_network_can_be_updated_and_deleted(bed: &mut Testbed) {
    let api = bed.api();
    let s = site(&api);
    let id = id_of(&create(
        &api,
        "networks",
        json!({"name": "mgmt", "region_id": s.region, "cidr": "10.0.0.0/24"}),
    ));
    let updated = api
        .put(
            &format!("/v1/networks/{id}"),
            &json!({"gateway": "10.0.0.254"}),
        )
        .expect(200);
    assert_eq!(updated["gateway"], "10.0.0.254");
    assert_eq!(updated["cidr"], "10.0.0.0/24");
    api.delete(&format!("/v1/networks/{id}")).expect(204);
    assert_eq!(api.get(&format!("/v1/networks/{id}")).status, 404);
}

fn device(api: &functional::Api, region: i64, name: &str) -> i64 {
    id_of(&create(
        api,
        "network-devices",
        json!({"name": name, "region_id": region, "ip_address": "10.9.0.1",
               "device_type": "switch", "model_name": "X1", "os_version": "9.3"}),
    ))
}

fn a_network_device_is_listed_under_network_devices(bed: &mut Testbed) {
    let api = bed.api();
    let s = site(&api);
    let id = device(&api, s.region, "tor-1");
    let listed = api.get("/v1/network-devices").expect(200);
    assert_eq!(names(&listed, "network_devices"), ["tor-1"]);
    let fetched = api.get(&format!("/v1/network-devices/{id}")).expect(200);
    assert_eq!(fetched["model_name"], "X1");
    assert_eq!(fetched["os_version"], "9.3");
    assert_eq!(fetched["region_id"], s.region);
}

fn a_network_device_with_an_invalid_ip_address_is_refused(bed: &mut Testbed) {
    let api = bed.api();
    let s = site(&api);
    let reply = api.post(
        "/v1/network-devices",
        &json!({"name": "tor-1", "region_id": s.region, "ip_address": "300.1.1.1",
                "device_type": "switch"}),
    );
    assert_eq!(reply.status, 400, "{}", reply.text);
    assert!(
        reply.message().contains("ip_address"),
        "{}",
        reply.message()
    );
}

fn a_network_device_can_be_updated_and_deleted(bed: &mut Testbed) {
    let api = bed.api();
    let s = site(&api);
    let id = device(&api, s.region, "tor-1");
    let path = format!("/v1/network-devices/{id}");
    let updated = api.put(&path, &json!({"os_version": "10.0"})).expect(200);
    assert_eq!(updated["os_version"], "10.0");
    api.delete(&path).expect(204);
    assert_eq!(api.get(&path).status, 404);
}
