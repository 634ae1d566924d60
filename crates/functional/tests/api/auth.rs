//! Authentication and roles: who may call what.

use functional::fixtures::{create, id_of, user};
use functional::{Credentials, Testbed, cases, json};

pub fn cases() -> Vec<functional::Case> {
    cases![
        a_call_without_credentials_is_unauthorized,
        a_wrong_token_is_unauthorized,
        an_unknown_user_is_unauthorized,
        credentials_for_another_project_are_unauthorized,
        a_member_cannot_manage_users,
        an_admin_manages_the_users_of_its_project,
        an_admin_cannot_create_a_root_user,
        a_new_users_token_is_shown_once_and_works,
        a_user_chosen_token_works,
        a_member_reads_and_writes_the_inventory,
    ]
}

fn a_call_without_credentials_is_unauthorized(bed: &mut Testbed) {
    let reply = bed.api().anonymous().get("/v1/clouds");
    assert_eq!(reply.status, 401, "{}", reply.text);
    assert_eq!(reply.body["status"], 401);
}

fn a_wrong_token_is_unauthorized(bed: &mut Testbed) {
    let mut creds = bed.credentials().clone();
    creds.token.push('x');
    assert_eq!(bed.api().as_user(creds).get("/v1/clouds").status, 401);
}

fn an_unknown_user_is_unauthorized(bed: &mut Testbed) {
    let creds = Credentials {
        user: "nobody".into(),
        ..bed.credentials().clone()
    };
    assert_eq!(bed.api().as_user(creds).get("/v1/clouds").status, 401);
}

fn credentials_for_another_project_are_unauthorized(bed: &mut Testbed) {
    let api = bed.api();
    let member = user(&api, "mia", "member");
    let elsewhere = Credentials {
        project: "00000000-0000-4000-8000-000000000000".into(),
        ..member
    };
    assert_eq!(api.as_user(elsewhere).get("/v1/clouds").status, 401);
}

fn a_member_cannot_manage_users(bed: &mut Testbed) {
    let api = bed.api();
    let member = api.as_user(user(&api, "mia", "member"));
    let reply = member.post("/v1/users", &json!({"name": "eve", "role": "member"}));
    assert_eq!(reply.status, 403, "{}", reply.text);
}

fn an_admin_manages_the_users_of_its_project(bed: &mut Testbed) {
    let api = bed.api();
    let admin = api.as_user(user(&api, "ada", "admin"));
    let created = create(&admin, "users", json!({"name": "bob", "role": "member"}));
    assert_eq!(created["project_id"], bed.credentials().project.as_str());
    let listed = admin.get("/v1/users").expect(200);
    assert!(
        listed["users"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["name"] == "bob")
    );
    admin
        .delete(&format!("/v1/users/{}", id_of(&created)))
        .expect(204);
}

fn an_admin_cannot_create_a_root_user(bed: &mut Testbed) {
    let api = bed.api();
    let admin = api.as_user(user(&api, "ada", "admin"));
    let reply = admin.post("/v1/users", &json!({"name": "mallory", "role": "root"}));
    assert_eq!(reply.status, 403, "{}", reply.text);
}

fn a_new_users_token_is_shown_once_and_works(bed: &mut Testbed) {
    let api = bed.api();
    let created = create(&api, "users", json!({"name": "tom", "role": "member"}));
    let token = created["token"]
        .as_str()
        .expect("a token in the creation's answer");
    assert!(!token.is_empty());
    let fetched = api
        .get(&format!("/v1/users/{}", id_of(&created)))
        .expect(200);
    assert!(fetched.get("token").is_none(), "token leaked: {fetched}");
    let listed = api.get("/v1/users").expect(200);
    assert!(
        !listed.to_string().contains(token),
        "token leaked in the list"
    );
    let tom = Credentials {
        project: bed.credentials().project.clone(),
        user: "tom".into(),
        token: token.into(),
    };
    api.as_user(tom).get("/v1/clouds").expect(200);
}

fn a_user_chosen_token_works(bed: &mut Testbed) {
    let api = bed.api();
    let body = json!({"name": "kim", "role": "member", "token": "kims-own-secret-token"});
    create(&api, "users", body);
    let kim = Credentials {
        project: bed.credentials().project.clone(),
        user: "kim".into(),
        token: "kims-own-secret-token".into(),
    };
    api.as_user(kim).get("/v1/clouds").expect(200);
}

fn a_member_reads_and_writes_the_inventory(bed: &mut Testbed) {
    let api = bed.api();
    let member = api.as_user(user(&api, "mia", "member"));
    let cloud = create(&member, "clouds", json!({"name": "c"}));
    member
        .get(&format!("/v1/clouds/{}", id_of(&cloud)))
        .expect(200);
}
