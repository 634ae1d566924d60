//! The labels every craton image carries (managed marker, git revision, creation time) and the
//! parsing of the `KEY=VALUE` labels users add; pure, apart from `git_revision`.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use xshell::{Shell, cmd};

/// The label that marks what craton's tooling made and may clean up.
pub const MANAGED_KEY: &str = "dev.craton.managed";
pub const MANAGED_VALUE: &str = "true";
pub const REVISION_KEY: &str = "org.opencontainers.image.revision";
pub const CREATED_KEY: &str = "org.opencontainers.image.created";

/// One `KEY=VALUE` label a user asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub key: String,
    pub value: String,
}

impl Label {
    /// Parses `KEY=VALUE`; the error says what is wrong with `text`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let Some((key, value)) = text.split_once('=') else {
            return Err(format!("invalid label `{text}`: expected KEY=VALUE"));
        };
        check_key(key).map_err(|why| format!("invalid label `{text}`: {why}"))?;
        check_value(value).map_err(|why| format!("invalid label `{text}`: {why}"))?;
        if key == MANAGED_KEY {
            return Err(format!(
                "invalid label `{text}`: {MANAGED_KEY} is set by build-image and cannot be changed"
            ));
        }
        Ok(Self {
            key: key.to_owned(),
            value: value.to_owned(),
        })
    }
}

/// A label an image must carry: `KEY` (any value) or `KEY=VALUE`, as the engine's filters take it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelFilter {
    pub key: String,
    pub value: Option<String>,
}

impl LabelFilter {
    pub fn parse(text: &str) -> Result<Self, String> {
        let (key, value) = match text.split_once('=') {
            Some((key, value)) => (key, Some(value)),
            None => (text, None),
        };
        check_key(key).map_err(|why| format!("invalid label filter `{text}`: {why}"))?;
        if let Some(value) = value {
            check_value(value).map_err(|why| format!("invalid label filter `{text}`: {why}"))?;
        }
        Ok(Self {
            key: key.to_owned(),
            value: value.map(str::to_owned),
        })
    }

    /// The engine's spelling: `label=KEY` or `label=KEY=VALUE`.
    pub fn to_engine_filter(&self) -> String {
        match &self.value {
            Some(value) => format!("{}={value}", self.key),
            None => self.key.clone(),
        }
    }
}

/// Keys are the engine's reverse-DNS style: ASCII letters, digits, `.`, `-`, `_`, `/`, starting
/// and ending with a letter or digit.
fn check_key(key: &str) -> Result<(), &'static str> {
    if key.is_empty() {
        return Err("the key is empty");
    }
    if !key
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '/'))
    {
        return Err("a key may hold only ASCII letters, digits, `.`, `-`, `_` and `/`");
    }
    let edges_ok = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    if !edges_ok(key.chars().next()) || !edges_ok(key.chars().last()) {
        return Err("a key must start and end with a letter or a digit");
    }
    Ok(())
}

fn check_value(value: &str) -> Result<(), &'static str> {
    if value.chars().any(char::is_control) {
        return Err("the value holds a control character (a newline?)");
    }
    Ok(())
}

/// The labels of an image: the managed marker, revision and creation time, then the user's,
/// which may override the last two (a release pipeline knows its version better).
pub fn image_labels(revision: &str, created: &str, extra: &[Label]) -> BTreeMap<String, String> {
    let mut labels = BTreeMap::from([
        (MANAGED_KEY.to_owned(), MANAGED_VALUE.to_owned()),
        (REVISION_KEY.to_owned(), revision.to_owned()),
        (CREATED_KEY.to_owned(), created.to_owned()),
    ]);
    for label in extra {
        labels.insert(label.key.clone(), label.value.clone());
    }
    labels
}

/// The first label key given twice, which would silently drop one of the values.
pub fn duplicate_key(labels: &[Label]) -> Option<&str> {
    labels.iter().enumerate().find_map(|(i, label)| {
        labels[..i]
            .iter()
            .any(|earlier| earlier.key == label.key)
            .then_some(label.key.as_str())
    })
}

/// `commit` or `commit-dirty`, in the spirit of `git describe --dirty`: only changes to tracked
/// files make a tree dirty, so an editor's scratch file does not.
pub fn revision_label(commit: &str, dirty: bool) -> String {
    if dirty {
        format!("{commit}-dirty")
    } else {
        commit.to_owned()
    }
}

/// The checkout's revision, or `unknown` outside a git checkout (a source archive) or without git.
pub fn git_revision(root: &Path) -> String {
    let probe = || -> Option<String> {
        let git = which::which("git").ok()?;
        let sh = Shell::new().ok()?;
        sh.change_dir(root);
        let commit = cmd!(sh, "{git} rev-parse HEAD")
            .quiet()
            .ignore_stderr()
            .read()
            .ok()?;
        let status = cmd!(sh, "{git} status --porcelain --untracked-files=no")
            .quiet()
            .ignore_stderr()
            .read()
            .ok()?;
        Some(revision_label(commit.trim(), !status.trim().is_empty()))
    };
    probe().unwrap_or_else(|| "unknown".to_owned())
}

/// Seconds since the epoch as RFC 3339 in UTC, e.g. `2024-02-29T13:05:09Z`.
pub fn rfc3339(secs_since_epoch: u64) -> String {
    let days = secs_since_epoch / 86_400;
    let secs_of_day = secs_since_epoch % 86_400;
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        secs_of_day / 3600,
        secs_of_day % 3600 / 60,
        secs_of_day % 60
    )
}

/// Seconds since the epoch of `time`, clamped to 0 for times before it.
pub fn epoch_secs(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

/// Gregorian date of a day count since 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let day_of_era = z % 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_label_is_split_at_the_first_equals_sign() {
        let label = Label::parse("com.example.note=a=b").unwrap();
        assert_eq!(label.key, "com.example.note");
        assert_eq!(label.value, "a=b");
    }

    #[test]
    fn a_label_may_have_an_empty_value() {
        assert_eq!(Label::parse("com.example.flag=").unwrap().value, "");
    }

    #[test]
    fn a_label_without_equals_sign_is_rejected_with_the_expected_form() {
        let err = Label::parse("com.example").unwrap_err();
        assert!(err.contains("expected KEY=VALUE"), "{err}");
        assert!(err.contains("`com.example`"), "{err}");
    }

    #[test]
    fn label_keys_with_spaces_or_bad_edges_are_rejected() {
        for bad in ["=value", "has space=1", ".leading=1", "trailing-=1", "é=1"] {
            assert!(Label::parse(bad).is_err(), "{bad} was accepted");
        }
    }

    #[test]
    fn a_label_value_with_a_newline_is_rejected() {
        assert!(Label::parse("k=line\nbreak").is_err());
    }

    #[test]
    fn the_managed_label_cannot_be_overridden() {
        let err = Label::parse("dev.craton.managed=false").unwrap_err();
        assert!(err.contains("set by build-image"), "{err}");
    }

    #[test]
    fn user_labels_join_and_may_override_revision_and_created() {
        let extra = [
            Label::parse("org.opencontainers.image.revision=v1.2.0").unwrap(),
            Label::parse("com.example.team=infra").unwrap(),
        ];
        let labels = image_labels("abc123", "2024-01-01T00:00:00Z", &extra);
        assert_eq!(labels[MANAGED_KEY], "true");
        assert_eq!(labels[REVISION_KEY], "v1.2.0");
        assert_eq!(labels[CREATED_KEY], "2024-01-01T00:00:00Z");
        assert_eq!(labels["com.example.team"], "infra");
    }

    #[test]
    fn a_label_given_twice_is_found() {
        let labels = [
            Label::parse("a=1").unwrap(),
            Label::parse("b=1").unwrap(),
            Label::parse("a=2").unwrap(),
        ];
        assert_eq!(duplicate_key(&labels), Some("a"));
        assert_eq!(duplicate_key(&labels[..2]), None);
    }

    #[test]
    fn a_dirty_tree_marks_the_revision() {
        assert_eq!(revision_label("abc", true), "abc-dirty");
        assert_eq!(revision_label("abc", false), "abc");
    }

    #[test]
    fn label_filters_take_a_key_alone_or_a_key_and_value() {
        let key_only = LabelFilter::parse("dev.craton.run").unwrap();
        assert_eq!(key_only.to_engine_filter(), "dev.craton.run");
        let with_value = LabelFilter::parse("dev.craton.run=42").unwrap();
        assert_eq!(with_value.to_engine_filter(), "dev.craton.run=42");
        assert!(LabelFilter::parse("bad key").is_err());
    }

    #[test]
    fn rfc3339_formats_utc_seconds() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_709_211_909), "2024-02-29T13:05:09Z");
        assert_eq!(rfc3339(4_102_444_799), "2099-12-31T23:59:59Z");
    }
}
