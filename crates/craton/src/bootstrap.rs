//! The first root user, from `CRATON_BOOTSTRAP_PROJECT`, `CRATON_BOOTSTRAP_USER` and
//! `CRATON_BOOTSTRAP_TOKEN`: all three or none, applied at every start-up (idempotently).

use anyhow::{Result, bail};

use crate::domain::accounts::project_id;
use crate::domain::validate;

pub const PROJECT_VAR: &str = "CRATON_BOOTSTRAP_PROJECT";
pub const USER_VAR: &str = "CRATON_BOOTSTRAP_USER";
pub const TOKEN_VAR: &str = "CRATON_BOOTSTRAP_TOKEN";

/// What to bootstrap: a project (by UUID) and its root user with a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bootstrap {
    pub project_id: String,
    pub user: String,
    pub token: String,
}

impl Bootstrap {
    /// Reads the three variables through `lookup` (the environment, or a test's map). None set:
    /// nothing to do. Some but not all, or bad values: an error saying which.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Option<Self>> {
        let values = [PROJECT_VAR, USER_VAR, TOKEN_VAR].map(|name| (name, lookup(name)));
        let missing: Vec<&str> = values
            .iter()
            .filter(|(_, value)| value.as_deref().is_none_or(str::is_empty))
            .map(|(name, _)| *name)
            .collect();
        if missing.len() == values.len() {
            return Ok(None);
        }
        if !missing.is_empty() {
            bail!(
                "bootstrap needs {PROJECT_VAR}, {USER_VAR} and {TOKEN_VAR} together; \
                 missing: {}",
                missing.join(", ")
            );
        }
        let [(_, Some(project)), (_, Some(user)), (_, Some(token))] = values else {
            bail!("bootstrap variables vanished while reading them");
        };
        let project_id = project_id(PROJECT_VAR, &project)
            .map_err(|err| anyhow::anyhow!("{}", err.message()))?;
        let user =
            validate::name(USER_VAR, user).map_err(|err| anyhow::anyhow!("{}", err.message()))?;
        let token = validate::token(TOKEN_VAR, token)
            .map_err(|err| anyhow::anyhow!("{}", err.message()))?;
        Ok(Some(Self {
            project_id,
            user,
            token,
        }))
    }

    pub fn from_env() -> Result<Option<Self>> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    const PROJECT: &str = "0b8f3d2e-5a4c-4e1f-9d7b-6c2a1e0f9a3b";

    fn read(pairs: &[(&str, &str)]) -> Result<Option<Bootstrap>> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Bootstrap::from_lookup(|name| map.get(name).cloned())
    }

    #[test]
    fn nothing_set_means_no_bootstrap() {
        assert_eq!(read(&[]).unwrap(), None);
    }

    #[test]
    fn all_three_set_make_a_bootstrap() {
        let got = read(&[
            (PROJECT_VAR, PROJECT),
            (USER_VAR, "admin"),
            (TOKEN_VAR, "s3cret"),
        ])
        .unwrap()
        .unwrap();
        assert_eq!(got.project_id, PROJECT);
        assert_eq!(got.user, "admin");
        assert_eq!(got.token, "s3cret");
    }

    #[test]
    fn some_but_not_all_names_what_is_missing() {
        let err = read(&[(PROJECT_VAR, PROJECT)]).unwrap_err().to_string();
        assert!(
            err.contains("missing: CRATON_BOOTSTRAP_USER, CRATON_BOOTSTRAP_TOKEN"),
            "{err}"
        );
    }

    #[test]
    fn a_project_that_is_not_a_uuid_is_refused() {
        let err = read(&[
            (PROJECT_VAR, "bootstrap"),
            (USER_VAR, "a"),
            (TOKEN_VAR, "t"),
        ])
        .unwrap_err()
        .to_string();
        assert!(
            err.starts_with("CRATON_BOOTSTRAP_PROJECT: \"bootstrap\" is not a UUID"),
            "{err}"
        );
    }

    #[test]
    fn a_token_with_spaces_is_refused() {
        let err = read(&[(PROJECT_VAR, PROJECT), (USER_VAR, "a"), (TOKEN_VAR, "t t")])
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("CRATON_BOOTSTRAP_TOKEN: "), "{err}");
    }
}
