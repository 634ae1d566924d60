//! Host labels: a sorted set of strings, and a filter on host lists.

use functional::fixtures::{host, names, site};
use functional::{Testbed, cases, json};

pub fn cases() -> Vec<functional::Case> {
    cases![
        labels_are_answered_sorted,
        a_put_replaces_the_whole_set,
        a_delete_removes_only_the_named_labels,
        an_empty_or_overlong_label_is_refused,
        hosts_filter_by_every_given_label,
    ]
}

fn labels_are_answered_sorted(bed: &mut Testbed) {
    let api = bed.api();
    let s = site(&api);
    let h = host(&api, s.region, None, "h1", "10.0.0.1");
    let path = format!("/v1/hosts/{h}/labels");
    api.put(&path, &json!({"labels": ["web", "db", "cache"]}))
        .expect(200);
    assert_eq!(
        api.get(&path).expect(200)["labels"],
        json!(["cache", "db", "web"])
    );
}

fn a_put_replaces_the_whole_set(bed: &mut Testbed) {
    let api = bed.api();
    let s = site(&api);
    let h = host(&api, s.region, None, "h1", "10.0.0.1");
    let path = format!("/v1/hosts/{h}/labels");
    api.put(&path, &json!({"labels": ["a", "b"]})).expect(200);
    api.put(&path, &json!({"labels": ["c"]})).expect(200);
    assert_eq!(api.get(&path).expect(200)["labels"], json!(["c"]));
}

fn a_delete_removes_only_the_named_labels(bed: &mut Testbed) {
    let api = bed.api();
    let s = site(&api);
    let h = host(&api, s.region, None, "h1", "10.0.0.1");
    let path = format!("/v1/hosts/{h}/labels");
    api.put(&path, &json!({"labels": ["a", "b", "c"]}))
        .expect(200);
    api.delete_with(&path, &json!({"labels": ["a", "c"]}))
        .expect(204);
    assert_eq!(api.get(&path).expect(200)["labels"], json!(["b"]));
}

fn an_empty_or_overlong_label_is_refused(bed: &mut Testbed) {
    let api = bed.api();
    let s = site(&api);
    let h = host(&api, s.region, None, "h1", "10.0.0.1");
    let path = format!("/v1/hosts/{h}/labels");
    for bad in [String::new(), "x".repeat(256)] {
        let reply = api.put(&path, &json!({"labels": [bad]}));
        assert_eq!(reply.status, 400, "{}", reply.text);
        assert!(reply.message().contains("label"), "{}", reply.message());
    }
}

fn hosts_filter_by_every_given_label(bed: &mut Testbed) {
    let api = bed.api();
    let s = site(&api);
    for (name, labels) in [
        ("both", json!(["web", "prod"])),
        ("web-only", json!(["web"])),
        ("none", json!([])),
    ] {
        let h = host(&api, s.region, None, name, "10.0.0.1");
        api.put(&format!("/v1/hosts/{h}/labels"), &json!({"labels": labels}))
            .expect(200);
    }
    let web = api.get("/v1/hosts?label=web").expect(200);
    assert_eq!(names(&web, "hosts"), ["both", "web-only"]);
    let both = api.get("/v1/hosts?label=web&label=prod").expect(200);
    assert_eq!(names(&both, "hosts"), ["both"]);
}
