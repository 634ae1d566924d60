//! Project isolation: another project's objects behave exactly like unknown ids.

use crate::support::{Service, names};
use serde_json::json;

#[tokio::test]
async fn another_projects_object_is_not_found_exactly_like_an_unknown_id() {
    let service = Service::new();
    let root = service.root();
    let (_, theirs) = root.project_with_admin("other").await;
    let secret = theirs.cloud("secret").await;
    let member = root.user("mia", "member").await;
    let hidden = member.get(&format!("/v1/clouds/{secret}")).await;
    let unknown = member.get("/v1/clouds/999999").await;
    assert_eq!(hidden.status, 404);
    assert_eq!(
        hidden.body["message"]
            .as_str()
            .unwrap()
            .replace(&secret.to_string(), "N"),
        unknown.body["message"]
            .as_str()
            .unwrap()
            .replace("999999", "N")
    );
}

#[tokio::test]
async fn another_projects_object_cannot_be_changed_or_deleted() {
    let service = Service::new();
    let root = service.root();
    let (_, theirs) = root.project_with_admin("other").await;
    let (_, mine) = root.project_with_admin("mine").await;
    let site = theirs.site().await;
    let host = theirs.host(site.region, None, "h", "10.0.0.1").await;
    for path in [
        format!("/v1/clouds/{}", site.cloud),
        format!("/v1/regions/{}", site.region),
        format!("/v1/hosts/{host}"),
    ] {
        mine.get(&path).await.error(404);
        mine.put(&path, json!({"note": "x"})).await.error(404);
        mine.delete(&path).await.error(404);
        mine.get(&format!("{path}/variables")).await.error(404);
        mine.put(&format!("{path}/variables"), json!({"a": 1}))
            .await
            .error(404);
    }
    mine.get(&format!("/v1/hosts/{host}/labels"))
        .await
        .error(404);
    mine.put(
        &format!("/v1/hosts/{host}/labels"),
        json!({"labels": ["x"]}),
    )
    .await
    .error(404);
    let untouched = theirs.get(&format!("/v1/hosts/{host}")).await.expect(200);
    assert_eq!(untouched["note"], json!(null));
    assert_eq!(untouched["labels"], json!([]));
}

#[tokio::test]
async fn another_projects_variables_are_not_found() {
    let service = Service::new();
    let root = service.root();
    let (other, _) = root.project_with_admin("other").await;
    let admin = root.user("ada", "admin").await;
    admin
        .get(&format!("/v1/projects/{other}/variables"))
        .await
        .error(404);
    admin
        .put(&format!("/v1/projects/{other}/variables"), json!({"a": 1}))
        .await
        .error(404);
}

#[tokio::test]
async fn a_users_list_covers_its_own_project_only() {
    let service = Service::new();
    let root = service.root();
    let (_, theirs) = root.project_with_admin("other").await;
    let (_, mine) = root.project_with_admin("mine").await;
    theirs.cloud("theirs").await;
    mine.cloud("ours").await;
    let body = mine.get("/v1/clouds").await.expect(200);
    assert_eq!(names(&body, "clouds"), ["ours"]);
}

#[tokio::test]
async fn a_project_id_filter_cannot_widen_a_users_list() {
    let service = Service::new();
    let root = service.root();
    let (other, theirs) = root.project_with_admin("other").await;
    theirs.cloud("theirs").await;
    let member = root.user("mia", "member").await;
    let body = member
        .get(&format!("/v1/clouds?project_id={other}"))
        .await
        .expect(200);
    assert_eq!(names(&body, "clouds"), Vec::<String>::new());
}

#[tokio::test]
async fn roots_list_covers_every_project_and_filters_by_project() {
    let service = Service::new();
    let root = service.root();
    let (other, theirs) = root.project_with_admin("other").await;
    theirs.cloud("theirs").await;
    root.cloud("roots").await;
    let all = root.get("/v1/clouds").await.expect(200);
    assert_eq!(names(&all, "clouds"), ["theirs", "roots"]);
    let filtered = root
        .get(&format!("/v1/clouds?project_id={other}"))
        .await
        .expect(200);
    assert_eq!(names(&filtered, "clouds"), ["theirs"]);
}

#[tokio::test]
async fn root_reads_and_changes_any_projects_objects() {
    let service = Service::new();
    let root = service.root();
    let (_, theirs) = root.project_with_admin("other").await;
    let cloud = theirs.cloud("theirs").await;
    let body = root
        .put(
            &format!("/v1/clouds/{cloud}"),
            json!({"note": "seen by root"}),
        )
        .await
        .expect(200);
    assert_eq!(body["note"], "seen by root");
}

#[tokio::test]
async fn a_parent_in_another_project_is_refused_naming_it() {
    let service = Service::new();
    let root = service.root();
    let (_, theirs) = root.project_with_admin("other").await;
    let (_, mine) = root.project_with_admin("mine").await;
    let foreign = theirs.site().await;
    let message = mine
        .post(
            "/v1/regions",
            json!({"name": "r", "cloud_id": foreign.cloud}),
        )
        .await
        .error(400);
    assert_eq!(
        message,
        format!("cloud_id: no cloud {} in this project", foreign.cloud)
    );
    let message = mine
        .post(
            "/v1/hosts",
            json!({"name": "h", "region_id": foreign.region, "ip_address": "10.0.0.1",
                   "device_type": "server"}),
        )
        .await
        .error(400);
    assert!(message.starts_with("region_id: "), "{message}");
}

#[tokio::test]
async fn root_cannot_attach_an_object_to_a_parent_of_another_project() {
    let service = Service::new();
    let root = service.root();
    let (_, theirs) = root.project_with_admin("other").await;
    let foreign = theirs.cloud("theirs").await;
    root.post("/v1/regions", json!({"name": "r", "cloud_id": foreign}))
        .await
        .error(400);
}

#[tokio::test]
async fn objects_are_created_in_the_callers_project() {
    let service = Service::new();
    let root = service.root();
    let (other, admin) = root.project_with_admin("other").await;
    let by_root = root
        .in_project(&other)
        .create("clouds", json!({"name": "a"}))
        .await;
    assert_eq!(by_root["project_id"], other.as_str());
    let by_admin = admin.create("clouds", json!({"name": "b"})).await;
    assert_eq!(by_admin["project_id"], other.as_str());
}

#[tokio::test]
async fn another_projects_region_has_no_inventory_for_you() {
    let service = Service::new();
    let root = service.root();
    let (_, theirs) = root.project_with_admin("other").await;
    let site = theirs.site().await;
    let member = root.user("mia", "member").await;
    member
        .get(&format!("/v1/ansible-inventory?region_id={}", site.region))
        .await
        .error(404);
}
