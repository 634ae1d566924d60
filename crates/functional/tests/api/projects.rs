//! Projects: root creates and deletes them; everyone sees their own.

use functional::fixtures::{names, project, user};
use functional::{Testbed, cases, json};

pub fn cases() -> Vec<functional::Case> {
    cases![
        root_creates_a_project_with_a_uuid_and_a_location,
        the_bootstrap_project_exists_at_start_up,
        a_project_name_is_unique,
        only_root_creates_projects,
        a_deleted_project_is_gone,
    ]
}

fn root_creates_a_project_with_a_uuid_and_a_location(bed: &mut Testbed) {
    let reply = bed.api().post("/v1/projects", &json!({"name": "web"}));
    assert_eq!(reply.status, 201, "{}", reply.text);
    let id = reply.body["id"].as_str().expect("a string id").to_owned();
    assert_eq!(id.len(), 36, "not a UUID: {id}");
    assert_eq!(
        reply.header("location"),
        Some(format!("/v1/projects/{id}").as_str())
    );
    let fetched = bed.api().get(&format!("/v1/projects/{id}")).expect(200);
    assert_eq!(fetched["name"], "web");
}

fn the_bootstrap_project_exists_at_start_up(bed: &mut Testbed) {
    let project = &bed.credentials().project;
    let body = bed
        .api()
        .get(&format!("/v1/projects/{project}"))
        .expect(200);
    assert_eq!(body["name"], "bootstrap");
    assert!(
        names(&bed.api().get("/v1/projects").expect(200), "projects").contains(&"bootstrap".into())
    );
}

fn a_project_name_is_unique(bed: &mut Testbed) {
    project(&bed.api(), "web");
    let reply = bed.api().post("/v1/projects", &json!({"name": "web"}));
    assert_eq!(reply.status, 409, "{}", reply.text);
}

fn only_root_creates_projects(bed: &mut Testbed) {
    let api = bed.api();
    let admin = api.as_user(user(&api, "ada", "admin"));
    let reply = admin.post("/v1/projects", &json!({"name": "mine"}));
    assert_eq!(reply.status, 403, "{}", reply.text);
}

fn a_deleted_project_is_gone(bed: &mut Testbed) {
    let api = bed.api();
    let id = project(&api, "short-lived");
    api.delete(&format!("/v1/projects/{id}")).expect(204);
    assert_eq!(api.get(&format!("/v1/projects/{id}")).status, 404);
}
