//! `craton healthcheck`: exit 0 when the service answers 200 (Docker's HEALTHCHECK in a
//! shell-less image, so no curl: the std-only client does it).

use std::time::Duration;

use anyhow::{Result, bail};

use crate::http_client;

pub fn run(url: &str, timeout: Duration) -> Result<()> {
    let answer = http_client::get(url, &[], timeout)?;
    if answer.status != 200 {
        bail!("{url} answered {}: {}", answer.status, answer.body.trim());
    }
    Ok(())
}
