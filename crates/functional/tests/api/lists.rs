//! Lists: filters, ordering and pagination with `limit` and `marker`.

use functional::fixtures::{cloud, create, host, id_of, names, next_link, site};
use functional::{Api, Testbed, cases, json};

pub fn cases() -> Vec<functional::Case> {
    cases![
        a_list_holds_thirty_objects_by_default_and_links_to_the_next_page,
        following_next_links_visits_every_object_once_in_id_order,
        the_last_page_has_no_next_link,
        a_limit_outside_one_to_a_thousand_is_refused,
        an_unknown_marker_is_refused,
        the_next_link_keeps_the_filters,
        lists_filter_by_name,
        lists_filter_by_the_objects_own_variables,
        a_variable_filter_compares_json_values,
        filters_combine_with_and,
    ]
}

fn clouds(api: &Api, count: usize) -> Vec<i64> {
    (0..count)
        .map(|i| cloud(api, &format!("cloud-{i:03}")))
        .collect()
}

fn a_list_holds_thirty_objects_by_default_and_links_to_the_next_page(bed: &mut Testbed) {
    let api = bed.api();
    let ids = clouds(&api, 31);
    let page = api.get("/v1/clouds").expect(200);
    assert_eq!(page["clouds"].as_array().unwrap().len(), 30);
    let next = next_link(&page).expect("a next link");
    assert!(next.starts_with("/v1/clouds?"), "{next}");
    assert!(next.contains(&format!("marker={}", ids[29])), "{next}");
    let links = page["links"].as_array().unwrap();
    assert!(links.iter().any(|l| l["rel"] == "self"), "{page}");
}

fn following_next_links_visits_every_object_once_in_id_order(bed: &mut Testbed) {
    let api = bed.api();
    let ids = clouds(&api, 7);
    let mut seen = Vec::new();
    let mut path = "/v1/clouds?limit=3".to_owned();
    for _ in 0..10 {
        let page = api.get(&path).expect(200);
        seen.extend(page["clouds"].as_array().unwrap().iter().map(id_of));
        match next_link(&page) {
            Some(next) => path = next,
            None => break,
        }
    }
    assert_eq!(seen, ids);
}

fn the_last_page_has_no_next_link(bed: &mut Testbed) {
    let api = bed.api();
    clouds(&api, 3);
    assert_eq!(next_link(&api.get("/v1/clouds?limit=3").expect(200)), None);
    assert_eq!(next_link(&api.get("/v1/clouds").expect(200)), None);
}

fn a_limit_outside_one_to_a_thousand_is_refused(bed: &mut Testbed) {
    let api = bed.api();
    for bad in ["0", "1001", "-1", "many"] {
        let reply = api.get(&format!("/v1/clouds?limit={bad}"));
        assert_eq!(reply.status, 400, "limit={bad}: {}", reply.text);
        assert!(reply.message().contains("limit"), "{}", reply.message());
    }
    api.get("/v1/clouds?limit=1000").expect(200);
    api.get("/v1/clouds?limit=1").expect(200);
}

fn an_unknown_marker_is_refused(bed: &mut Testbed) {
    let reply = bed.api().get("/v1/clouds?marker=987654");
    assert_eq!(reply.status, 400, "{}", reply.text);
    assert!(reply.message().contains("marker"), "{}", reply.message());
}

fn the_next_link_keeps_the_filters(bed: &mut Testbed) {
    let api = bed.api();
    let s = site(&api);
    for i in 0..3 {
        let h = host(&api, s.region, None, &format!("web-{i}"), "10.0.0.1");
        api.put(
            &format!("/v1/hosts/{h}/labels"),
            &json!({"labels": ["web"]}),
        )
        .expect(200);
        host(&api, s.region, None, &format!("db-{i}"), "10.0.0.2");
    }
    let first = api.get("/v1/hosts?label=web&limit=2").expect(200);
    let next = next_link(&first).expect("a next link");
    assert!(next.contains("label=web"), "{next}");
    let second = api.get(&next).expect(200);
    assert_eq!(names(&second, "hosts"), ["web-2"]);
}

fn lists_filter_by_name(bed: &mut Testbed) {
    let api = bed.api();
    clouds(&api, 3);
    let body = api.get("/v1/clouds?name=cloud-001").expect(200);
    assert_eq!(names(&body, "clouds"), ["cloud-001"]);
}

fn lists_filter_by_the_objects_own_variables(bed: &mut Testbed) {
    let api = bed.api();
    create(
        &api,
        "clouds",
        json!({"name": "gold", "variables": {"tier": "gold"}}),
    );
    create(
        &api,
        "clouds",
        json!({"name": "iron", "variables": {"tier": "iron"}}),
    );
    cloud(&api, "plain");
    let body = api.get("/v1/clouds?vars=tier:gold").expect(200);
    assert_eq!(names(&body, "clouds"), ["gold"]);
}

fn a_variable_filter_compares_json_values(bed: &mut Testbed) {
    let api = bed.api();
    create(
        &api,
        "clouds",
        json!({"name": "num", "variables": {"size": 3}}),
    );
    create(
        &api,
        "clouds",
        json!({"name": "text", "variables": {"size": "3"}}),
    );
    create(
        &api,
        "clouds",
        json!({"name": "on", "variables": {"on": true}}),
    );
    let sized = api.get("/v1/clouds?vars=size:3").expect(200);
    assert_eq!(
        names(&sized, "clouds"),
        ["num"],
        "3 parses as JSON: the number"
    );
    let text = api.get("/v1/clouds?vars=size:%223%22").expect(200);
    assert_eq!(names(&text, "clouds"), ["text"]);
    let on = api.get("/v1/clouds?vars=on:true").expect(200);
    assert_eq!(names(&on, "clouds"), ["on"]);
}

fn filters_combine_with_and(bed: &mut Testbed) {
    let api = bed.api();
    let s = site(&api);
    let other = functional::fixtures::region(&api, s.cloud, "region-2");
    for (region, name, tier) in [
        (s.region, "a", "gold"),
        (s.region, "b", "iron"),
        (other, "c", "gold"),
    ] {
        create(
            &api,
            "hosts",
            json!({"name": name, "region_id": region, "ip_address": "10.0.0.1",
                   "device_type": "server", "variables": {"tier": tier}}),
        );
    }
    let body = api
        .get(&format!("/v1/hosts?region_id={}&vars=tier:gold", s.region))
        .expect(200);
    assert_eq!(names(&body, "hosts"), ["a"]);
}
