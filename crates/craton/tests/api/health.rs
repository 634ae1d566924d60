//! `/healthz` and the answers to paths and methods the API does not serve.

use crate::support::Service;
use axum::http::Method;
use serde_json::json;

#[tokio::test]
async fn healthz_answers_ok_without_credentials() {
    let body = Service::new().anonymous().get("/healthz").await.expect(200);
    assert_eq!(body, json!({"status": "ok"}));
}

#[tokio::test]
async fn an_unknown_path_is_a_404_in_the_error_shape() {
    let message = Service::new().root().get("/v2/clouds").await.error(404);
    assert!(message.contains("/v2/clouds"), "{message}");
}

#[tokio::test]
async fn a_method_a_path_does_not_serve_is_a_405_in_the_error_shape() {
    let reply = Service::new()
        .root()
        .send(Method::PATCH, "/v1/clouds", None)
        .await;
    let message = reply.error(405);
    assert!(message.contains("PATCH"), "{message}");
}
