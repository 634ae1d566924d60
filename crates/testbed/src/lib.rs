//! A fresh container of the image under test for each functional test: created with labels
//! that tie it to its run, published on 127.0.0.1, polled until ready, removed afterwards.
//!
//! ```no_run
//! let bed = testbed::Testbed::start("clouds::a_cloud_can_be_created")?;
//! let reply = bed.api().get("/healthz");
//! assert_eq!(reply.status, 200);
//! # anyhow::Ok(())
//! ```
//!
//! Without a [`Session`], a dropped [`Testbed`] removes its container before `drop` returns.
//! Inside a `Session` (a test harness's `main`), removal runs in the background and the session
//! waits for it when it ends, so removal is never on a test's critical path.

mod api;
mod container;
mod identity;
pub mod labels;
mod owner;
mod partition;
pub mod pool;
mod readiness;
mod reaper;
mod runtime;
pub mod settings;
pub mod spool;
pub mod sweep;
mod testbed;
mod timings;

pub use api::{Api, Reply};
pub use identity::Credentials;
pub use identity::random_hex;
pub use owner::Owner;
pub use partition::Partition;
pub use reaper::{Session, settle};
pub use reqwest::Method;
pub use settings::Settings;
pub use testbed::{Options, Testbed, container_exists};
pub use timings::{StartTimings, median_ready_time, median_wait};
