//! Variables: any JSON under string keys, on every kind that has them, and their inheritance.

use functional::fixtures::{cell, cloud, create, host, id_of, site};
use functional::{Testbed, cases, json};

pub fn cases() -> Vec<functional::Case> {
    cases![
        a_put_merges_variables_and_answers_all_of_them,
        variables_hold_any_json_value,
        a_delete_removes_the_named_keys_and_ignores_unknown_ones,
        variables_given_at_creation_are_kept,
        every_kind_with_variables_stores_them,
        a_host_inherits_variables_from_every_ancestor,
        the_nearest_ancestor_wins,
        the_hosts_own_variables_win_over_all_ancestors,
        a_host_without_a_cell_skips_the_cell_level,
        a_network_device_resolves_variables_like_a_host,
        resolved_values_change_when_an_ancestor_changes,
    ]
}

fn a_put_merges_variables_and_answers_all_of_them(bed: &mut Testbed) {
    let api = bed.api();
    let id = cloud(&api, "prod");
    let path = format!("/v1/clouds/{id}/variables");
    api.put(&path, &json!({"a": 1, "b": 2})).expect(200);
    let merged = api.put(&path, &json!({"b": 20, "c": 3})).expect(200);
    assert_eq!(merged["variables"], json!({"a": 1, "b": 20, "c": 3}));
    assert_eq!(api.get(&path).expect(200)["variables"], merged["variables"]);
}

fn variables_hold_any_json_value(bed: &mut Testbed) {
    let api = bed.api();
    let id = cloud(&api, "prod");
    let path = format!("/v1/clouds/{id}/variables");
    let values = json!({
        "string": "s", "int": 7, "float": 1.5, "bool": false, "null": null,
        "list": [1, "two", {"three": 3}], "nested": {"deep": {"deeper": [true]}},
    });
    api.put(&path, &values).expect(200);
    assert_eq!(api.get(&path).expect(200)["variables"], values);
}

fn a_delete_removes_the_named_keys_and_ignores_unknown_ones(bed: &mut Testbed) {
    let api = bed.api();
    let id = cloud(&api, "prod");
    let path = format!("/v1/clouds/{id}/variables");
    api.put(&path, &json!({"a": 1, "b": 2, "c": 3})).expect(200);
    api.delete_with(&path, &json!(["a", "c", "never-set"]))
        .expect(204);
    assert_eq!(api.get(&path).expect(200)["variables"], json!({"b": 2}));
}

fn variables_given_at_creation_are_kept(bed: &mut Testbed) {
    let api = bed.api();
    let body = create(
        &api,
        "clouds",
        json!({"name": "prod", "variables": {"tier": "gold"}}),
    );
    let fetched = api.get(&format!("/v1/clouds/{}", id_of(&body))).expect(200);
    assert_eq!(fetched["variables"], json!({"tier": "gold"}));
}

fn every_kind_with_variables_stores_them(bed: &mut Testbed) {
    let api = bed.api();
    let s = site(&api);
    let c = cell(&api, s.region, "c1");
    let h = host(&api, s.region, Some(c), "h1", "10.0.0.1");
    let n = id_of(&create(
        &api,
        "networks",
        json!({"name": "n", "region_id": s.region, "cidr": "10.0.0.0/24"}),
    ));
    let d = id_of(&create(
        &api,
        "network-devices",
        json!({"name": "d", "region_id": s.region, "ip_address": "10.0.0.9",
               "device_type": "switch"}),
    ));
    let project = bed.credentials().project.clone();
    let objects = [
        format!("projects/{project}"),
        format!("clouds/{}", s.cloud),
        format!("regions/{}", s.region),
        format!("cells/{c}"),
        format!("hosts/{h}"),
        format!("networks/{n}"),
        format!("network-devices/{d}"),
    ];
    for object in objects {
        let path = format!("/v1/{object}/variables");
        api.put(&path, &json!({"where": object})).expect(200);
        assert_eq!(
            api.get(&path).expect(200)["variables"]["where"],
            object.as_str()
        );
    }
}

/// A site with one cell and one host in it, variables set at every level.
struct Tree {
    region: i64,
    cell: i64,
    host: i64,
}

fn tree(bed: &Testbed) -> Tree {
    let api = bed.api();
    let s = site(&api);
    let cell = cell(&api, s.region, "c1");
    let host = host(&api, s.region, Some(cell), "h1", "10.0.0.1");
    let project = &bed.credentials().project;
    let set = |path: String, vars| api.put(&path, &vars).expect(200);
    set(
        format!("/v1/projects/{project}/variables"),
        json!({"from_project": "p", "level": "project"}),
    );
    set(
        format!("/v1/clouds/{}/variables", s.cloud),
        json!({"from_cloud": "c", "level": "cloud"}),
    );
    set(
        format!("/v1/regions/{}/variables", s.region),
        json!({"from_region": "r", "level": "region"}),
    );
    set(
        format!("/v1/cells/{cell}/variables"),
        json!({"from_cell": "c", "level": "cell"}),
    );
    Tree {
        region: s.region,
        cell,
        host,
    }
}

fn resolved(bed: &Testbed, kind: &str, id: i64) -> functional::Value {
    bed.api()
        .get(&format!("/v1/{kind}/{id}/variables?resolved-values=true"))
        .expect(200)["variables"]
        .clone()
}

fn a_host_inherits_variables_from_every_ancestor(bed: &mut Testbed) {
    let t = tree(bed);
    let vars = resolved(bed, "hosts", t.host);
    for key in ["from_project", "from_cloud", "from_region", "from_cell"] {
        assert!(vars.get(key).is_some(), "{key} missing from {vars}");
    }
}

fn the_nearest_ancestor_wins(bed: &mut Testbed) {
    let t = tree(bed);
    assert_eq!(resolved(bed, "hosts", t.host)["level"], "cell");
}

fn the_hosts_own_variables_win_over_all_ancestors(bed: &mut Testbed) {
    let t = tree(bed);
    bed.api()
        .put(
            &format!("/v1/hosts/{}/variables", t.host),
            &json!({"level": "host"}),
        )
        .expect(200);
    assert_eq!(resolved(bed, "hosts", t.host)["level"], "host");
    // Unresolved, the host shows only its own.
    let own = bed
        .api()
        .get(&format!("/v1/hosts/{}/variables", t.host))
        .expect(200);
    assert_eq!(own["variables"], json!({"level": "host"}));
}

fn a_host_without_a_cell_skips_the_cell_level(bed: &mut Testbed) {
    let t = tree(bed);
    let api = bed.api();
    let cellless = host(&api, t.region, None, "h2", "10.0.0.2");
    let vars = resolved(bed, "hosts", cellless);
    assert_eq!(vars["level"], "region");
    assert!(vars.get("from_cell").is_none(), "{vars}");
}

fn a_network_device_resolves_variables_like_a_host(bed: &mut Testbed) {
    let t = tree(bed);
    let api = bed.api();
    let d = id_of(&create(
        &api,
        "network-devices",
        json!({"name": "d", "region_id": t.region, "cell_id": t.cell,
               "ip_address": "10.0.0.9", "device_type": "switch"}),
    ));
    let vars = resolved(bed, "network-devices", d);
    assert_eq!(vars["level"], "cell");
    assert_eq!(vars["from_project"], "p");
}

fn resolved_values_change_when_an_ancestor_changes(bed: &mut Testbed) {
    let t = tree(bed);
    let api = bed.api();
    api.delete_with(
        &format!("/v1/cells/{}/variables", t.cell),
        &json!(["level"]),
    )
    .expect(204);
    assert_eq!(resolved(bed, "hosts", t.host)["level"], "region");
}
