//! Clouds: the top of the inventory tree, one set per project.

use functional::fixtures::{cloud, create, id_of, names, region};
use functional::{Testbed, cases, json};

pub fn cases() -> Vec<functional::Case> {
    cases![
        a_created_cloud_answers_201_with_its_location_and_fields,
        a_cloud_reads_back_as_created,
        an_update_changes_only_the_given_fields,
        a_deleted_cloud_is_gone,
        a_cloud_name_is_unique_in_its_project,
        clouds_are_listed_in_id_order,
        a_cloud_with_regions_cannot_be_deleted,
    ]
}

fn a_created_cloud_answers_201_with_its_location_and_fields(bed: &mut Testbed) {
    let reply = bed
        .api()
        .post("/v1/clouds", &json!({"name": "prod", "note": "main"}));
    assert_eq!(reply.status, 201, "{}", reply.text);
    let id = id_of(&reply.body);
    assert_eq!(
        reply.header("location"),
        Some(format!("/v1/clouds/{id}").as_str())
    );
    let body = &reply.body;
    assert_eq!(body["name"], "prod");
    assert_eq!(body["note"], "main");
    assert_eq!(body["project_id"], bed.credentials().project.as_str());
    for stamp in ["created_at", "updated_at"] {
        let value = body[stamp].as_str().unwrap_or_default();
        assert!(
            value.contains('T') && value.len() >= 20,
            "{stamp} is not RFC 3339: {value:?}"
        );
    }
}

fn a_cloud_reads_back_as_created(bed: &mut Testbed) {
    let api = bed.api();
    let created = create(&api, "clouds", json!({"name": "prod", "note": "n"}));
    let fetched = api
        .get(&format!("/v1/clouds/{}", id_of(&created)))
        .expect(200);
    for field in ["id", "name", "note", "project_id", "created_at"] {
        assert_eq!(fetched[field], created[field], "{field}");
    }
}

fn an_update_changes_only_the_given_fields(bed: &mut Testbed) {
    let api = bed.api();
    let id = id_of(&create(
        &api,
        "clouds",
        json!({"name": "prod", "note": "old"}),
    ));
    let updated = api
        .put(&format!("/v1/clouds/{id}"), &json!({"note": "new"}))
        .expect(200);
    assert_eq!(updated["note"], "new");
    assert_eq!(updated["name"], "prod");
    let fetched = api.get(&format!("/v1/clouds/{id}")).expect(200);
    assert_eq!(fetched["note"], "new");
}

fn a_deleted_cloud_is_gone(bed: &mut Testbed) {
    let api = bed.api();
    let id = cloud(&api, "gone");
    api.delete(&format!("/v1/clouds/{id}")).expect(204);
    let reply = api.get(&format!("/v1/clouds/{id}"));
    assert_eq!(reply.status, 404);
    assert_eq!(reply.body["status"], 404);
    assert!(!reply.message().is_empty());
}

fn a_cloud_name_is_unique_in_its_project(bed: &mut Testbed) {
    let api = bed.api();
    cloud(&api, "prod");
    let reply = api.post("/v1/clouds", &json!({"name": "prod"}));
    assert_eq!(reply.status, 409, "{}", reply.text);
}

fn clouds_are_listed_in_id_order(bed: &mut Testbed) {
    let api = bed.api();
    for name in ["zeta", "alpha", "mid"] {
        cloud(&api, name);
    }
    let body = api.get("/v1/clouds").expect(200);
    assert_eq!(names(&body, "clouds"), ["zeta", "alpha", "mid"]);
}

fn a_cloud_with_regions_cannot_be_deleted(bed: &mut Testbed) {
    let api = bed.api();
    let id = cloud(&api, "prod");
    region(&api, id, "r1");
    region(&api, id, "r2");
    let reply = api.delete(&format!("/v1/clouds/{id}"));
    assert_eq!(reply.status, 409, "{}", reply.text);
    assert!(reply.message().contains("2 regions"), "{}", reply.message());
    api.get(&format!("/v1/clouds/{id}")).expect(200);
}
