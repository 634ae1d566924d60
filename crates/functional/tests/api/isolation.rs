//! Project isolation: another project's objects are invisible, exactly like unknown ids.

use functional::fixtures::{cloud, names, project_with_admin, root_in, site};
use functional::{Testbed, cases, json};

pub fn cases() -> Vec<functional::Case> {
    cases![
        another_projects_object_is_not_found,
        another_projects_object_cannot_be_changed_or_deleted,
        a_users_list_covers_its_own_project_only,
        roots_list_covers_every_project_and_filters_by_project,
        a_parent_in_another_project_is_refused,
        objects_are_created_in_the_callers_project,
    ]
}

fn another_projects_object_is_not_found(bed: &mut Testbed) {
    let root = bed.api();
    let (_, admin) = project_with_admin(&root, "other");
    let theirs = cloud(&admin, "secret");
    let reply = bed
        .api()
        .as_user(functional::fixtures::user(&root, "mia", "member"))
        .get(&format!("/v1/clouds/{theirs}"));
    assert_eq!(reply.status, 404, "{}", reply.text);
    let unknown = root.get("/v1/clouds/999999");
    assert_eq!(reply.body["status"], unknown.body["status"]);
}

fn another_projects_object_cannot_be_changed_or_deleted(bed: &mut Testbed) {
    let root = bed.api();
    let (_, theirs) = project_with_admin(&root, "other");
    let (_, mine) = project_with_admin(&root, "mine");
    let id = cloud(&theirs, "secret");
    let path = format!("/v1/clouds/{id}");
    assert_eq!(mine.put(&path, &json!({"note": "x"})).status, 404);
    assert_eq!(mine.delete(&path).status, 404);
    assert_eq!(mine.get(&format!("{path}/variables")).status, 404);
    assert_eq!(theirs.get(&path).expect(200)["note"], json!(null));
}

fn a_users_list_covers_its_own_project_only(bed: &mut Testbed) {
    let root = bed.api();
    let (_, theirs) = project_with_admin(&root, "other");
    let (_, mine) = project_with_admin(&root, "mine");
    cloud(&theirs, "theirs");
    cloud(&mine, "ours");
    assert_eq!(
        names(&mine.get("/v1/clouds").expect(200), "clouds"),
        ["ours"]
    );
}

fn roots_list_covers_every_project_and_filters_by_project(bed: &mut Testbed) {
    let root = bed.api();
    let (other, theirs) = project_with_admin(&root, "other");
    cloud(&theirs, "theirs");
    cloud(&root, "roots");
    let all = names(&root.get("/v1/clouds").expect(200), "clouds");
    assert!(
        all.contains(&"theirs".into()) && all.contains(&"roots".into()),
        "{all:?}"
    );
    let filtered = root
        .get(&format!("/v1/clouds?project_id={other}"))
        .expect(200);
    assert_eq!(names(&filtered, "clouds"), ["theirs"]);
}

fn a_parent_in_another_project_is_refused(bed: &mut Testbed) {
    let root = bed.api();
    let (_, theirs) = project_with_admin(&root, "other");
    let (_, mine) = project_with_admin(&root, "mine");
    let foreign = site(&theirs);
    let reply = mine.post(
        "/v1/regions",
        &json!({"name": "r", "cloud_id": foreign.cloud}),
    );
    assert_eq!(reply.status, 400, "{}", reply.text);
    assert!(reply.message().contains("cloud_id"), "{}", reply.message());
}

fn objects_are_created_in_the_callers_project(bed: &mut Testbed) {
    let root = bed.api();
    let (other, _) = project_with_admin(&root, "other");
    let body =
        functional::fixtures::create(&root_in(&root, &other), "clouds", json!({"name": "c"}));
    assert_eq!(body["project_id"], other.as_str());
}
