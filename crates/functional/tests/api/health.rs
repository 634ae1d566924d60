//! The health endpoint, which needs no credentials.

use functional::{Testbed, cases};

pub fn cases() -> Vec<functional::Case> {
    cases![the_health_endpoint_answers_ok_without_credentials]
}

fn the_health_endpoint_answers_ok_without_credentials(bed: &mut Testbed) {
    let body = bed.api().anonymous().get("/healthz").expect(200);
    assert_eq!(body["status"], "ok");
}
