//! Craton's functional tests run under this harness: each test gets its own fresh container of
//! the image under test (`CRATON_TEST_IMAGE`) through [`testbed`], and talks to it over HTTP.
//! The tests live in `tests/api/`; the fixtures here create the objects they share.

pub mod fixtures;
mod harness;

pub use harness::{Case, main};
pub use serde_json::{Value, json};
pub use testbed::{Api, Credentials, Method, Reply, Testbed};

/// The cases of a test module: `cases![a_test, another_test]`, each a `fn(&mut Testbed)`,
/// named `module::function`. `cases![with_volume: a_test]` gives those tests a data volume;
/// `cases![bare: a_test]` takes `fn()` tests that start their own testbeds.
#[macro_export]
macro_rules! cases {
    (bare: $($test:ident),* $(,)?) => {
        vec![$($crate::Case::bare(module_path!(), stringify!($test), $test)),*]
    };
    (with_volume: $($test:ident),* $(,)?) => {
        vec![$($crate::Case::new(module_path!(), stringify!($test), $test).with_volume()),*]
    };
    ($($test:ident),* $(,)?) => {
        vec![$($crate::Case::new(module_path!(), stringify!($test), $test)),*]
    };
}
