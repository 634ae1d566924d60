//! Durability: what was written survives the service restarting on its volume.

use functional::fixtures::{create, host, id_of, site, user};
use functional::{Testbed, cases, json};

pub fn cases() -> Vec<functional::Case> {
    cases![with_volume:
        the_inventory_survives_a_restart_of_the_service,
        users_and_their_tokens_survive_a_restart,
        the_bootstrap_is_idempotent_across_restarts,
    ]
}

fn the_inventory_survives_a_restart_of_the_service(bed: &mut Testbed) {
    let api = bed.api();
    let s = site(&api);
    let h = host(&api, s.region, None, "h1", "10.0.0.1");
    api.put(&format!("/v1/hosts/{h}/variables"), &json!({"role": "db"}))
        .expect(200);
    api.put(
        &format!("/v1/hosts/{h}/labels"),
        &json!({"labels": ["keep"]}),
    )
    .expect(200);
    let before = api.get(&format!("/v1/hosts/{h}")).expect(200);

    bed.restart().expect("the service restarts");

    let api = bed.api();
    let after = api.get(&format!("/v1/hosts/{h}")).expect(200);
    assert_eq!(after, before);
    assert_eq!(after["variables"], json!({"role": "db"}));
    assert_eq!(after["labels"], json!(["keep"]));
}

fn users_and_their_tokens_survive_a_restart(bed: &mut Testbed) {
    let api = bed.api();
    let member = user(&api, "mia", "member");
    bed.restart().expect("the service restarts");
    bed.api().as_user(member).get("/v1/clouds").expect(200);
}

fn the_bootstrap_is_idempotent_across_restarts(bed: &mut Testbed) {
    let api = bed.api();
    let cloud = id_of(&create(&api, "clouds", json!({"name": "c"})));
    bed.restart().expect("the service restarts");
    let api = bed.api();
    let projects = api.get("/v1/projects?name=bootstrap").expect(200);
    assert_eq!(
        projects["projects"].as_array().map(Vec::len),
        Some(1),
        "{projects}"
    );
    let users = api.get("/v1/users").expect(200)["users"].clone();
    let roots = users
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["name"] == "root")
        .count();
    assert_eq!(roots, 1, "{users}");
    api.get(&format!("/v1/clouds/{cloud}")).expect(200);
}
