//! Lists: filters, id order, pagination with `limit` and `marker`, and the links.

use crate::support::{Client, Service, id_of, names, next_link};
use serde_json::json;

async fn clouds(root: &Client, count: usize) -> Vec<i64> {
    let mut ids = Vec::new();
    for i in 0..count {
        ids.push(root.cloud(&format!("cloud-{i:03}")).await);
    }
    ids
}

#[tokio::test]
async fn a_list_holds_thirty_objects_by_default_and_links_to_the_next_page() {
    let service = Service::new();
    let root = service.root();
    let ids = clouds(&root, 31).await;
    let page = root.get("/v1/clouds").await.expect(200);
    assert_eq!(page["clouds"].as_array().unwrap().len(), 30);
    assert_eq!(
        page["links"],
        json!([
            {"rel": "self", "href": "/v1/clouds?limit=30"},
            {"rel": "next", "href": format!("/v1/clouds?limit=30&marker={}", ids[29])},
        ])
    );
}

#[tokio::test]
async fn following_next_links_visits_every_object_once_in_id_order() {
    let service = Service::new();
    let root = service.root();
    let ids = clouds(&root, 7).await;
    let mut seen = Vec::new();
    let mut path = "/v1/clouds?limit=3".to_owned();
    for _ in 0..10 {
        let page = root.get(&path).await.expect(200);
        seen.extend(page["clouds"].as_array().unwrap().iter().map(id_of));
        match next_link(&page) {
            Some(next) => path = next,
            None => break,
        }
    }
    assert_eq!(seen, ids);
}

#[tokio::test]
async fn the_last_page_has_no_next_link() {
    let service = Service::new();
    let root = service.root();
    clouds(&root, 3).await;
    assert_eq!(
        next_link(&root.get("/v1/clouds?limit=3").await.expect(200)),
        None
    );
    assert_eq!(next_link(&root.get("/v1/clouds").await.expect(200)), None);
}

#[tokio::test]
async fn an_empty_list_has_an_empty_array_and_a_self_link() {
    let service = Service::new();
    let body = service.root().get("/v1/hosts").await.expect(200);
    assert_eq!(
        body,
        json!({"hosts": [], "links": [{"rel": "self", "href": "/v1/hosts?limit=30"}]})
    );
}

#[tokio::test]
async fn a_limit_outside_one_to_a_thousand_is_refused_naming_limit() {
    let service = Service::new();
    let root = service.root();
    for bad in ["0", "1001", "-1", "many", ""] {
        let message = root
            .get(&format!("/v1/clouds?limit={bad}"))
            .await
            .error(400);
        assert!(message.starts_with("limit: "), "limit={bad}: {message}");
    }
    root.get("/v1/clouds?limit=1000").await.expect(200);
    root.get("/v1/clouds?limit=1").await.expect(200);
}

#[tokio::test]
async fn a_limit_of_one_pages_one_by_one() {
    let service = Service::new();
    let root = service.root();
    let ids = clouds(&root, 2).await;
    let first = root.get("/v1/clouds?limit=1").await.expect(200);
    assert_eq!(first["clouds"][0]["id"], ids[0]);
    let second = root.get(&next_link(&first).unwrap()).await.expect(200);
    assert_eq!(second["clouds"][0]["id"], ids[1]);
    assert_eq!(next_link(&second), None);
}

#[tokio::test]
async fn an_unknown_marker_is_refused_naming_marker() {
    let service = Service::new();
    let root = service.root();
    for marker in ["987654", "abc"] {
        let message = root
            .get(&format!("/v1/clouds?marker={marker}"))
            .await
            .error(400);
        assert!(message.starts_with("marker: "), "{message}");
    }
}

#[tokio::test]
async fn a_marker_of_another_kind_is_unknown() {
    let service = Service::new();
    let root = service.root();
    let site = root.site().await;
    root.get(&format!("/v1/cells?marker={}", site.region))
        .await
        .error(400);
}

#[tokio::test]
async fn a_marker_in_another_project_is_unknown() {
    let service = Service::new();
    let root = service.root();
    let (_, admin) = root.project_with_admin("other").await;
    let theirs = admin.cloud("theirs").await;
    let member = root.user("mia", "member").await;
    member
        .get(&format!("/v1/clouds?marker={theirs}"))
        .await
        .error(400);
}

#[tokio::test]
async fn the_next_link_keeps_the_filters() {
    let service = Service::new();
    let root = service.root();
    let site = root.site().await;
    for i in 0..3 {
        let host = root
            .host(site.region, None, &format!("web-{i}"), "10.0.0.1")
            .await;
        root.put(
            &format!("/v1/hosts/{host}/labels"),
            json!({"labels": ["web"]}),
        )
        .await
        .expect(200);
        root.host(site.region, None, &format!("db-{i}"), "10.0.0.2")
            .await;
    }
    let first = root
        .get(&format!(
            "/v1/hosts?label=web&region_id={}&limit=2",
            site.region
        ))
        .await
        .expect(200);
    assert_eq!(names(&first, "hosts"), ["web-0", "web-1"]);
    let next = next_link(&first).expect("a next link");
    assert!(next.contains("label=web"), "{next}");
    assert!(
        next.contains(&format!("region_id={}", site.region)),
        "{next}"
    );
    assert!(next.contains("limit=2"), "{next}");
    let second = root.get(&next).await.expect(200);
    assert_eq!(names(&second, "hosts"), ["web-2"]);
}

#[tokio::test]
async fn lists_filter_by_name() {
    let service = Service::new();
    let root = service.root();
    clouds(&root, 3).await;
    let body = root.get("/v1/clouds?name=cloud-001").await.expect(200);
    assert_eq!(names(&body, "clouds"), ["cloud-001"]);
}

#[tokio::test]
async fn a_name_filter_is_exact_and_takes_encoded_characters() {
    let service = Service::new();
    let root = service.root();
    root.cloud("a b&c").await;
    root.cloud("a").await;
    let body = root.get("/v1/clouds?name=a%20b%26c").await.expect(200);
    assert_eq!(names(&body, "clouds"), ["a b&c"]);
}

#[tokio::test]
async fn lists_filter_by_the_objects_own_variables() {
    let service = Service::new();
    let root = service.root();
    root.create(
        "clouds",
        json!({"name": "gold", "variables": {"tier": "gold"}}),
    )
    .await;
    root.create(
        "clouds",
        json!({"name": "iron", "variables": {"tier": "iron"}}),
    )
    .await;
    root.cloud("plain").await;
    let body = root.get("/v1/clouds?vars=tier:gold").await.expect(200);
    assert_eq!(names(&body, "clouds"), ["gold"]);
}

#[tokio::test]
async fn a_variable_filter_compares_json_values() {
    let service = Service::new();
    let root = service.root();
    for (name, vars) in [
        ("num", json!({"size": 3})),
        ("text", json!({"size": "3"})),
        ("on", json!({"on": true})),
        ("list", json!({"tags": ["a", "b"]})),
    ] {
        root.create("clouds", json!({"name": name, "variables": vars}))
            .await;
    }
    let get = |query: &'static str| {
        let root = root.clone();
        async move { names(&root.get(query).await.expect(200), "clouds") }
    };
    assert_eq!(get("/v1/clouds?vars=size:3").await, ["num"]);
    assert_eq!(get("/v1/clouds?vars=size:%223%22").await, ["text"]);
    assert_eq!(get("/v1/clouds?vars=on:true").await, ["on"]);
    assert_eq!(
        get("/v1/clouds?vars=tags:%5B%22a%22,%22b%22%5D").await,
        ["list"]
    );
}

#[tokio::test]
async fn several_variable_filters_must_all_match() {
    let service = Service::new();
    let root = service.root();
    root.create(
        "clouds",
        json!({"name": "both", "variables": {"a": 1, "b": 2}}),
    )
    .await;
    root.create("clouds", json!({"name": "a-only", "variables": {"a": 1}}))
        .await;
    let body = root.get("/v1/clouds?vars=a:1&vars=b:2").await.expect(200);
    assert_eq!(names(&body, "clouds"), ["both"]);
}

#[tokio::test]
async fn a_variable_filter_ignores_inherited_variables() {
    let service = Service::new();
    let root = service.root();
    let site = root.site().await;
    root.put(
        &format!("/v1/regions/{}/variables", site.region),
        json!({"env": "prod"}),
    )
    .await
    .expect(200);
    root.host(site.region, None, "h", "10.0.0.1").await;
    let body = root.get("/v1/hosts?vars=env:prod").await.expect(200);
    assert_eq!(names(&body, "hosts"), Vec::<String>::new());
}

#[tokio::test]
async fn a_malformed_variable_filter_is_refused_naming_vars() {
    let service = Service::new();
    let message = service.root().get("/v1/clouds?vars=tier").await.error(400);
    assert!(message.starts_with("vars: "), "{message}");
}

#[tokio::test]
async fn filters_combine_with_and() {
    let service = Service::new();
    let root = service.root();
    let site = root.site().await;
    let other = root.region(site.cloud, "region-2").await;
    for (region, name, tier) in [
        (site.region, "a", "gold"),
        (site.region, "b", "iron"),
        (other, "c", "gold"),
    ] {
        root.create(
            "hosts",
            json!({"name": name, "region_id": region, "ip_address": "10.0.0.1",
                   "device_type": "server", "variables": {"tier": tier}}),
        )
        .await;
    }
    let body = root
        .get(&format!(
            "/v1/hosts?region_id={}&vars=tier:gold",
            site.region
        ))
        .await
        .expect(200);
    assert_eq!(names(&body, "hosts"), ["a"]);
}

#[tokio::test]
async fn an_unknown_filter_is_refused_naming_it() {
    let service = Service::new();
    let message = service
        .root()
        .get("/v1/regions?colour=red")
        .await
        .error(400);
    assert!(
        message.starts_with("colour: unknown query parameter"),
        "{message}"
    );
}

#[tokio::test]
async fn a_parent_id_filter_must_be_an_integer() {
    let service = Service::new();
    let message = service
        .root()
        .get("/v1/hosts?region_id=east")
        .await
        .error(400);
    assert!(message.starts_with("region_id: "), "{message}");
}

#[tokio::test]
async fn an_active_filter_must_be_a_boolean() {
    let service = Service::new();
    let message = service.root().get("/v1/hosts?active=yes").await.error(400);
    assert!(message.starts_with("active: "), "{message}");
}

#[tokio::test]
async fn pagination_and_filters_work_together() {
    let service = Service::new();
    let root = service.root();
    for i in 0..5 {
        let vars = json!({"even": i % 2 == 0});
        root.create(
            "clouds",
            json!({"name": format!("c{i}"), "variables": vars}),
        )
        .await;
    }
    let first = root
        .get("/v1/clouds?vars=even:true&limit=2")
        .await
        .expect(200);
    assert_eq!(names(&first, "clouds"), ["c0", "c2"]);
    let second = root.get(&next_link(&first).unwrap()).await.expect(200);
    assert_eq!(names(&second, "clouds"), ["c4"]);
    assert_eq!(next_link(&second), None);
}
