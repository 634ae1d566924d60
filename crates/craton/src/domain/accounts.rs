//! Projects and users: who may authenticate, and in which project they act.

use serde::{Deserialize, Serialize};

use crate::domain::input::present;
use crate::domain::validate;
use crate::error::{Error, Result};

/// What a user may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Every project, including creating and deleting projects.
    Root,
    /// Users and variables of their own project, and its inventory.
    Admin,
    /// Reads and writes the inventory of their own project.
    Member,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Root => "root",
            Role::Admin => "admin",
            Role::Member => "member",
        }
    }

    /// Reads the role column; anything else means the database was edited by hand.
    pub fn from_db(value: &str) -> Result<Self> {
        match value {
            "root" => Ok(Role::Root),
            "admin" => Ok(Role::Admin),
            "member" => Ok(Role::Member),
            other => Err(Error::Internal(format!(
                "unknown role {other:?} in the database"
            ))),
        }
    }
}

/// A project: a tenant of the inventory; every other object belongs to exactly one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Project {
    pub id: String,
    pub name: String,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewProject {
    pub name: String,
}

impl NewProject {
    pub fn validate(self) -> Result<Self> {
        Ok(Self {
            name: validate::name("name", self.name)?,
        })
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectChanges {
    #[serde(default, deserialize_with = "present")]
    pub name: Option<String>,
}

impl ProjectChanges {
    pub fn validate(self) -> Result<Self> {
        Ok(Self {
            name: validate::optional("name", self.name, validate::name)?,
        })
    }
}

/// A user as the API shows it: never with its token (only its creation answer carries it).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct User {
    pub id: i64,
    pub project_id: String,
    pub name: String,
    pub role: Role,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    pub name: String,
    pub role: Role,
    #[serde(default)]
    pub token: Option<String>,
}

impl NewUser {
    pub fn validate(self) -> Result<Self> {
        Ok(Self {
            name: validate::name("name", self.name)?,
            role: self.role,
            token: validate::optional("token", self.token, validate::token)?,
        })
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserChanges {
    #[serde(default, deserialize_with = "present")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "present")]
    pub role: Option<Role>,
    #[serde(default, deserialize_with = "present")]
    pub token: Option<String>,
}

impl UserChanges {
    pub fn validate(self) -> Result<Self> {
        Ok(Self {
            name: validate::optional("name", self.name, validate::name)?,
            role: self.role,
            token: validate::optional("token", self.token, validate::token)?,
        })
    }
}

/// How tokens are stored: the hex SHA-256 of the token, never the token itself.
pub fn token_sha256(token: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// A token for a user created without one: 64 hex digits from two random (v4) UUIDs, that is
/// 244 random bits.
pub fn generate_token() -> String {
    format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}

/// A project id must be a UUID; the canonical (lower-case, hyphenated) form is what we store.
pub fn project_id(field: &str, value: &str) -> Result<String> {
    uuid::Uuid::parse_str(value)
        .map(|id| id.hyphenated().to_string())
        .map_err(|_| Error::field(field, format!("{value:?} is not a UUID")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::input::from_value;
    use serde_json::json;

    #[test]
    fn roles_read_and_write_in_lower_case() {
        let user: NewUser = from_value(json!({"name": "a", "role": "admin"})).unwrap();
        assert_eq!(user.role, Role::Admin);
        assert_eq!(serde_json::to_value(Role::Member).unwrap(), json!("member"));
    }

    #[test]
    fn an_unknown_role_is_refused_by_field_name() {
        let err = from_value::<NewUser>(json!({"name": "a", "role": "god"})).unwrap_err();
        assert!(err.message().starts_with("role: unknown variant"), "{err}");
    }

    #[test]
    fn a_new_user_needs_a_valid_name_and_token() {
        let user: NewUser = from_value(json!({"name": "", "role": "member"})).unwrap();
        assert!(user.validate().is_err());
        let user: NewUser =
            from_value(json!({"name": "a", "role": "member", "token": "a b"})).unwrap();
        assert!(
            user.validate()
                .unwrap_err()
                .message()
                .starts_with("token: ")
        );
    }

    #[test]
    fn project_ids_are_uuids_in_canonical_form() {
        assert_eq!(
            project_id("id", "6F1B0C1E-8D5E-4C11-9F33-2B0D8E7E3A10").unwrap(),
            "6f1b0c1e-8d5e-4c11-9f33-2b0d8e7e3a10"
        );
        assert!(project_id("id", "bootstrap").is_err());
    }

    #[test]
    fn tokens_are_hashed_with_sha256() {
        assert_eq!(
            token_sha256("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn generated_tokens_are_long_and_differ() {
        let (a, b) = (generate_token(), generate_token());
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert!(validate::token("token", a).is_ok());
    }

    #[test]
    fn roles_survive_the_database() {
        for role in [Role::Root, Role::Admin, Role::Member] {
            assert_eq!(Role::from_db(role.as_str()).unwrap(), role);
        }
        assert!(Role::from_db("owner").is_err());
    }
}
