//! Field validation shared by every kind: each check names the field it rejects, so the 400
//! tells the client exactly what to fix.

use std::net::IpAddr;

use crate::error::{Error, Result};

/// Names, labels, variable keys and short text fields: at most this many characters.
pub const MAX_NAME_CHARS: usize = 255;
/// Notes may be longer.
pub const MAX_NOTE_CHARS: usize = 65_536;

/// A name: not empty (nor only blanks), at most 255 characters.
pub fn name(field: &str, value: String) -> Result<String> {
    if value.trim().is_empty() {
        return Err(Error::field(field, "must not be empty"));
    }
    short_text(field, value)
}

/// Free text of at most 255 characters (may be empty).
pub fn short_text(field: &str, value: String) -> Result<String> {
    let chars = value.chars().count();
    if chars > MAX_NAME_CHARS {
        return Err(Error::field(
            field,
            format!("must be at most {MAX_NAME_CHARS} characters (got {chars})"),
        ));
    }
    Ok(value)
}

/// A note: at most 64 Ki characters.
pub fn note(field: &str, value: String) -> Result<String> {
    let chars = value.chars().count();
    if chars > MAX_NOTE_CHARS {
        return Err(Error::field(
            field,
            format!("must be at most {MAX_NOTE_CHARS} characters (got {chars})"),
        ));
    }
    Ok(value)
}

/// An IPv4 or IPv6 address, stored in its canonical form.
pub fn ip_address(field: &str, value: String) -> Result<String> {
    value
        .trim()
        .parse::<IpAddr>()
        .map(|ip| ip.to_string())
        .map_err(|_| Error::field(field, format!("{value:?} is not an IP address")))
}

/// A network in CIDR notation, `address/prefix`, the prefix fitting the address family.
pub fn cidr(field: &str, value: String) -> Result<String> {
    let invalid = || {
        Error::field(
            field,
            format!("{value:?} is not a CIDR such as 10.0.0.0/24"),
        )
    };
    let (address, prefix) = value.trim().split_once('/').ok_or_else(invalid)?;
    let address: IpAddr = address.parse().map_err(|_| invalid())?;
    let prefix: u8 = prefix.parse().map_err(|_| invalid())?;
    let max = if address.is_ipv4() { 32 } else { 128 };
    if prefix > max {
        return Err(invalid());
    }
    Ok(format!("{address}/{prefix}"))
}

/// An access token: 1 to 1024 printable ASCII characters, since it travels in a header.
pub fn token(field: &str, value: String) -> Result<String> {
    if value.is_empty() || value.len() > 1024 || !value.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Error::field(
            field,
            "must be 1 to 1024 printable ASCII characters, without spaces",
        ));
    }
    Ok(value)
}

/// A label or a variable key: not empty, at most 255 characters.
pub fn key(field: &str, value: String) -> Result<String> {
    if value.is_empty() {
        return Err(Error::field(field, "must not be empty"));
    }
    short_text(field, value)
}

/// Applies `check` inside an `Option`.
pub fn optional(
    field: &str,
    value: Option<String>,
    check: fn(&str, String) -> Result<String>,
) -> Result<Option<String>> {
    value.map(|v| check(field, v)).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_and_blank_names_are_refused_by_field_name() {
        for bad in ["", "   "] {
            let err = name("name", bad.into()).unwrap_err();
            assert_eq!(err.message(), "name: must not be empty");
        }
    }

    #[test]
    fn names_of_255_characters_are_accepted_and_256_refused() {
        assert!(name("name", "é".repeat(255)).is_ok());
        let err = name("name", "a".repeat(256)).unwrap_err();
        assert!(
            err.message().starts_with("name: must be at most 255"),
            "{err}"
        );
    }

    #[test]
    fn ip_addresses_of_both_families_are_accepted_in_canonical_form() {
        assert_eq!(
            ip_address("ip_address", "10.0.0.1".into()).unwrap(),
            "10.0.0.1"
        );
        assert_eq!(
            ip_address("ip_address", "2001:DB8:0:0::1".into()).unwrap(),
            "2001:db8::1"
        );
    }

    #[test]
    fn invalid_ip_addresses_are_refused_by_field_name() {
        for bad in ["10.0.0.256", "10.0.0", "host.example", "", "010.0.0.1"] {
            let err = ip_address("ip_address", bad.into()).unwrap_err();
            assert!(err.message().starts_with("ip_address: "), "{bad}: {err}");
        }
    }

    #[test]
    fn cidrs_need_an_address_and_a_prefix_that_fits() {
        assert_eq!(cidr("cidr", "10.0.0.0/24".into()).unwrap(), "10.0.0.0/24");
        assert_eq!(cidr("cidr", "fd00::/64".into()).unwrap(), "fd00::/64");
        for bad in [
            "10.0.0.0",
            "10.0.0.0/33",
            "fd00::/129",
            "x/8",
            "10.0.0.0/-1",
        ] {
            assert!(cidr("cidr", bad.into()).is_err(), "{bad}");
        }
    }

    #[test]
    fn tokens_must_be_printable_without_spaces() {
        assert!(token("token", "s3cret-Token_1".into()).is_ok());
        for bad in ["", "with space", "line\nbreak", "ü"] {
            assert!(token("token", bad.into()).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn long_notes_are_accepted_up_to_their_limit() {
        assert!(note("note", "n".repeat(MAX_NOTE_CHARS)).is_ok());
        assert!(note("note", "n".repeat(MAX_NOTE_CHARS + 1)).is_err());
    }
}
