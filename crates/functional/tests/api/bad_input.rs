//! Bad input: every client mistake is a 4xx with a message naming what is wrong, never a 500.

use functional::fixtures::{cloud, site};
use functional::{Method, Testbed, cases, json};

pub fn cases() -> Vec<functional::Case> {
    cases![
        malformed_json_is_refused,
        an_unknown_field_is_refused_naming_it,
        a_wrong_type_is_refused_naming_the_field,
        an_empty_name_is_refused,
        a_name_over_255_characters_is_refused,
        a_name_of_255_characters_is_accepted,
        a_missing_required_field_is_refused_naming_it,
        a_body_over_one_mebibyte_is_too_large,
        an_unknown_id_is_not_found,
        a_non_numeric_id_is_a_client_error,
        errors_have_one_json_shape,
    ]
}

fn malformed_json_is_refused(bed: &mut Testbed) {
    let reply = bed
        .api()
        .send_raw(Method::POST, "/v1/clouds", r#"{"name": "prod""#);
    assert_eq!(reply.status, 400, "{}", reply.text);
    assert_eq!(reply.body["status"], 400);
}

fn an_unknown_field_is_refused_naming_it(bed: &mut Testbed) {
    let reply = bed
        .api()
        .post("/v1/clouds", &json!({"name": "prod", "colour": "blue"}));
    assert_eq!(reply.status, 400, "{}", reply.text);
    assert!(reply.message().contains("colour"), "{}", reply.message());
}

fn a_wrong_type_is_refused_naming_the_field(bed: &mut Testbed) {
    let api = bed.api();
    let s = site(&api);
    let reply = api.post("/v1/cells", &json!({"name": "c1", "region_id": "one"}));
    assert_eq!(reply.status, 400, "{}", reply.text);
    assert!(reply.message().contains("region_id"), "{}", reply.message());
    let reply = api.post(
        "/v1/hosts",
        &json!({"name": "h", "region_id": s.region, "ip_address": "10.0.0.1",
                "device_type": "server", "active": "yes"}),
    );
    assert_eq!(reply.status, 400, "{}", reply.text);
    assert!(reply.message().contains("active"), "{}", reply.message());
}

fn an_empty_name_is_refused(bed: &mut Testbed) {
    let reply = bed.api().post("/v1/clouds", &json!({"name": ""}));
    assert_eq!(reply.status, 400, "{}", reply.text);
    assert!(reply.message().contains("name"), "{}", reply.message());
}

fn a_name_over_255_characters_is_refused(bed: &mut Testbed) {
    let reply = bed
        .api()
        .post("/v1/clouds", &json!({"name": "n".repeat(256)}));
    assert_eq!(reply.status, 400, "{}", reply.text);
    assert!(reply.message().contains("name"), "{}", reply.message());
}

fn a_name_of_255_characters_is_accepted(bed: &mut Testbed) {
    let name = "n".repeat(255);
    let body = bed
        .api()
        .post("/v1/clouds", &json!({"name": name}))
        .expect(201);
    assert_eq!(body["name"], name.as_str());
}

fn a_missing_required_field_is_refused_naming_it(bed: &mut Testbed) {
    let api = bed.api();
    let reply = api.post("/v1/regions", &json!({"name": "r"}));
    assert_eq!(reply.status, 400, "{}", reply.text);
    assert!(reply.message().contains("cloud_id"), "{}", reply.message());
}

fn a_body_over_one_mebibyte_is_too_large(bed: &mut Testbed) {
    let note = "x".repeat(1024 * 1024 + 1);
    let reply = bed
        .api()
        .post("/v1/clouds", &json!({"name": "big", "note": note}));
    assert_eq!(
        reply.status,
        413,
        "{}",
        &reply.text[..reply.text.len().min(200)]
    );
    assert_eq!(
        bed.api().get("/v1/clouds?name=big").expect(200)["clouds"],
        json!([])
    );
}

fn an_unknown_id_is_not_found(bed: &mut Testbed) {
    let api = bed.api();
    let id = cloud(&api, "prod");
    for path in [
        format!("/v1/clouds/{}", id + 1000),
        format!("/v1/regions/{}", id + 1000),
        format!("/v1/hosts/{}/labels", id + 1000),
        format!("/v1/cells/{}/variables", id + 1000),
        "/v1/projects/00000000-0000-4000-8000-000000000000".to_owned(),
    ] {
        let reply = api.get(&path);
        assert_eq!(reply.status, 404, "{path}: {}", reply.text);
    }
}

fn a_non_numeric_id_is_a_client_error(bed: &mut Testbed) {
    let reply = bed.api().get("/v1/clouds/abc");
    assert!(
        matches!(reply.status, 400 | 404),
        "{}: {}",
        reply.status,
        reply.text
    );
}

fn errors_have_one_json_shape(bed: &mut Testbed) {
    let api = bed.api();
    let replies = [
        api.anonymous().get("/v1/clouds"),
        api.get("/v1/clouds/424242"),
        api.post("/v1/clouds", &json!({})),
        api.get("/v1/clouds?limit=0"),
    ];
    for reply in replies {
        assert_eq!(reply.body["status"], reply.status, "{}", reply.text);
        assert!(
            reply.body["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{}",
            reply.text
        );
    }
}
