//! Checking `--tag` before minutes of cargo are spent on a name the engine will refuse.

/// Accepts the engine's `[host[:port]/]name[:tag]`: name components of lowercase letters and
/// digits joined by `.`, `_`, `__` or dashes; a tag of up to 128 letters, digits, `_`, `.`, `-`.
pub fn check(reference: &str) -> Result<(), String> {
    let bad = |why: &str| Err(format!("invalid tag `{reference}`: {why}"));
    let (name, tag) = match reference.rsplit_once(':') {
        // A colon before the last slash belongs to a registry's port, not to a tag.
        Some((name, tag)) if !tag.contains('/') => (name, Some(tag)),
        _ => (reference, None),
    };
    if let Some(tag) = tag {
        let first_ok = tag
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
        let rest_ok = tag
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
        if !first_ok || !rest_ok || tag.len() > 128 {
            return bad(
                "the part after `:` must be 1 to 128 letters, digits, `_`, `.` or `-`, not starting with `.` or `-`",
            );
        }
    }
    let mut components: Vec<&str> = name.split('/').collect();
    // `host.example:5000/name`: a first component with a dot, a colon or `localhost` is a host.
    if components.len() > 1 && (components[0].contains(['.', ':']) || components[0] == "localhost")
    {
        components.remove(0);
    }
    if components.is_empty() || !components.iter().all(|c| name_component_ok(c)) {
        return bad(
            "a name is lowercase letters and digits, parts joined by `.`, `_`, `__`, `-` or `/`",
        );
    }
    Ok(())
}

fn name_component_ok(component: &str) -> bool {
    let alnum = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
    let starts_and_ends_well =
        component.chars().next().is_some_and(alnum) && component.chars().last().is_some_and(alnum);
    let chars_ok = component
        .chars()
        .all(|c| alnum(c) || matches!(c, '.' | '_' | '-'));
    starts_and_ends_well && chars_ok && !component.contains("..") && !component.contains("___")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usual_tags_are_accepted() {
        for good in [
            "craton:dev",
            "craton",
            "craton-test_1:run-42.a",
            "ghcr.io/example/craton:v1.2.3",
            "localhost:5000/craton:dev",
            "localhost/craton",
        ] {
            assert_eq!(check(good), Ok(()), "{good}");
        }
    }

    #[test]
    fn uppercase_spaces_and_empty_parts_are_refused_with_the_rule() {
        for bad in [
            "Craton:dev",
            "bad tag",
            "craton:",
            "craton:.x",
            ":dev",
            "a//b",
            "-a:dev",
        ] {
            let err = check(bad).unwrap_err();
            assert!(err.contains(&format!("`{bad}`")), "{err}");
        }
    }
}
