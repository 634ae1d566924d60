//! The bootstrap root user: created at start-up, and idempotently so.

use crate::support::{PROJECT, ROOT, ROOT_TOKEN, Service, root_bootstrap};
use craton::bootstrap::Bootstrap;
use craton::server::apply_bootstrap;

fn count(service: &Service, sql: &'static str) -> i64 {
    service
        .db
        .run_blocking(|conn| Ok(conn.query_row(sql, [], |row| row.get(0))?))
        .expect("count")
}

#[tokio::test]
async fn bootstrapping_twice_changes_nothing() {
    let service = Service::new();
    let before = service
        .root()
        .get(&format!("/v1/projects/{PROJECT}"))
        .await
        .expect(200);
    apply_bootstrap(&service.db, &root_bootstrap()).unwrap();
    apply_bootstrap(&service.db, &root_bootstrap()).unwrap();
    assert_eq!(count(&service, "SELECT COUNT(*) FROM projects"), 1);
    assert_eq!(count(&service, "SELECT COUNT(*) FROM users"), 1);
    let after = service
        .root()
        .get(&format!("/v1/projects/{PROJECT}"))
        .await
        .expect(200);
    assert_eq!(before, after);
}

#[tokio::test]
async fn bootstrapping_with_a_new_token_replaces_the_old_one() {
    let service = Service::new();
    let rotated = Bootstrap {
        token: "rotated-token".into(),
        ..root_bootstrap()
    };
    apply_bootstrap(&service.db, &rotated).unwrap();
    service.root().get("/v1/clouds").await.error(401);
    let mut root = service.root();
    root.credentials.as_mut().unwrap().token = "rotated-token".into();
    root.get("/v1/clouds").await.expect(200);
}

#[tokio::test]
async fn bootstrapping_restores_a_demoted_root() {
    let service = Service::new();
    service
        .db
        .run_blocking(|conn| {
            conn.execute("UPDATE users SET role = 'member'", [])?;
            Ok(())
        })
        .unwrap();
    apply_bootstrap(&service.db, &root_bootstrap()).unwrap();
    service.root().get("/v1/users").await.expect(200);
}

#[tokio::test]
async fn a_bootstrap_project_whose_name_is_taken_is_refused() {
    let service = Service::new();
    let other = Bootstrap {
        project_id: "11111111-2222-4333-8444-555555555555".into(),
        user: ROOT.into(),
        token: ROOT_TOKEN.into(),
    };
    let err = apply_bootstrap(&service.db, &other).unwrap_err();
    assert!(
        format!("{err:#}").contains("already named \"bootstrap\""),
        "{err:#}"
    );
}
