//! List requests: which filters a kind accepts, how `limit` and `marker` page through it, and
//! the `self`/`next` links that keep the filters.

use serde::Serialize;

use crate::domain::variables::VarFilter;
use crate::error::{Error, Result};

pub const DEFAULT_LIMIT: u32 = 30;
pub const MAX_LIMIT: u32 = 1000;

/// How a filter's value is read from the query string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterType {
    Text,
    Integer,
    Bool,
}

/// A plain equality filter: `?param=value` keeps objects whose `column` equals it.
#[derive(Debug, Clone, Copy)]
pub struct FilterSpec {
    pub param: &'static str,
    /// The SQL expression compared (a constant of ours, never user input).
    pub column: &'static str,
    pub ty: FilterType,
}

/// What a kind's list accepts besides its plain filters.
#[derive(Debug, Clone, Copy)]
pub struct ListSpec {
    pub filters: &'static [FilterSpec],
    /// `label=` (hosts).
    pub labels: bool,
    /// `vars=key:value` (kinds with variables).
    pub vars: bool,
}

/// A typed filter value.
#[derive(Debug, Clone, PartialEq)]
pub enum FilterValue {
    Text(String),
    Integer(i64),
    Bool(bool),
}

/// A parsed list request.
#[derive(Debug, Clone, PartialEq)]
pub struct ListParams {
    pub limit: u32,
    /// The id of the last object of the previous page, as given.
    pub marker: Option<String>,
    /// (SQL expression, value) pairs, all of which must match.
    pub filters: Vec<(&'static str, FilterValue)>,
    /// Labels the object must all carry.
    pub labels: Vec<String>,
    pub vars: Vec<VarFilter>,
    /// The filters as received, in order, for the links.
    echo: Vec<(String, String)>,
}

/// One entry of an answer's `links`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Link {
    pub rel: &'static str,
    pub href: String,
}

impl ListParams {
    /// Reads a raw query string (without `?`) against what the kind accepts. Unknown
    /// parameters are refused, so a typo never silently widens a list.
    pub fn parse(query: Option<&str>, spec: &ListSpec) -> Result<Self> {
        let mut params = ListParams {
            limit: DEFAULT_LIMIT,
            marker: None,
            filters: Vec::new(),
            labels: Vec::new(),
            vars: Vec::new(),
            echo: Vec::new(),
        };
        let pairs = form_urlencoded::parse(query.unwrap_or_default().as_bytes());
        for (key, value) in pairs {
            let (key, value) = (key.into_owned(), value.into_owned());
            match key.as_str() {
                "limit" => params.limit = parse_limit(&value)?,
                "marker" => params.marker = Some(value),
                "label" if spec.labels => {
                    params.labels.push(value.clone());
                    params.echo.push((key, value));
                }
                "vars" if spec.vars => {
                    params.vars.push(VarFilter::parse(&value)?);
                    params.echo.push((key, value));
                }
                _ => {
                    let Some(filter) = spec.filters.iter().find(|f| f.param == key) else {
                        return Err(Error::field(&key, unknown_parameter(spec)));
                    };
                    params.filters.push((filter.column, typed(filter, &value)?));
                    params.echo.push((key, value));
                }
            }
        }
        Ok(params)
    }

    /// The links of a page: `self`, and `next` (starting after `last_id`) when there is more.
    pub fn links(&self, path: &str, next_marker: Option<&str>) -> Vec<Link> {
        let mut links = vec![Link {
            rel: "self",
            href: self.href(path, self.marker.as_deref()),
        }];
        if let Some(marker) = next_marker {
            links.push(Link {
                rel: "next",
                href: self.href(path, Some(marker)),
            });
        }
        links
    }

    fn href(&self, path: &str, marker: Option<&str>) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        query.append_pair("limit", &self.limit.to_string());
        if let Some(marker) = marker {
            query.append_pair("marker", marker);
        }
        for (key, value) in &self.echo {
            query.append_pair(key, value);
        }
        format!("{path}?{}", query.finish())
    }
}

fn parse_limit(value: &str) -> Result<u32> {
    value
        .parse::<u32>()
        .ok()
        .filter(|limit| (1..=MAX_LIMIT).contains(limit))
        .ok_or_else(|| {
            Error::field(
                "limit",
                format!("{value:?} is not a whole number from 1 to {MAX_LIMIT}"),
            )
        })
}

fn typed(filter: &FilterSpec, value: &str) -> Result<FilterValue> {
    match filter.ty {
        FilterType::Text => Ok(FilterValue::Text(value.to_owned())),
        FilterType::Integer => value
            .parse()
            .map(FilterValue::Integer)
            .map_err(|_| Error::field(filter.param, format!("{value:?} is not an integer id"))),
        FilterType::Bool => match value.to_ascii_lowercase().as_str() {
            "true" | "1" => Ok(FilterValue::Bool(true)),
            "false" | "0" => Ok(FilterValue::Bool(false)),
            _ => Err(Error::field(
                filter.param,
                format!("{value:?} is not true or false"),
            )),
        },
    }
}

fn unknown_parameter(spec: &ListSpec) -> String {
    let mut known: Vec<&str> = vec!["limit", "marker"];
    known.extend(spec.filters.iter().map(|f| f.param));
    if spec.labels {
        known.push("label");
    }
    if spec.vars {
        known.push("vars");
    }
    format!("unknown query parameter (known: {})", known.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: ListSpec = ListSpec {
        filters: &[
            FilterSpec {
                param: "name",
                column: "t.name",
                ty: FilterType::Text,
            },
            FilterSpec {
                param: "region_id",
                column: "t.region_id",
                ty: FilterType::Integer,
            },
            FilterSpec {
                param: "active",
                column: "t.active",
                ty: FilterType::Bool,
            },
        ],
        labels: true,
        vars: true,
    };

    fn parse(query: &str) -> Result<ListParams> {
        ListParams::parse(Some(query), &SPEC)
    }

    #[test]
    fn no_query_means_the_first_30() {
        let params = ListParams::parse(None, &SPEC).unwrap();
        assert_eq!(params.limit, 30);
        assert_eq!(params.marker, None);
        assert!(params.filters.is_empty());
    }

    #[test]
    fn limit_accepts_1_to_1000() {
        assert_eq!(parse("limit=1").unwrap().limit, 1);
        assert_eq!(parse("limit=1000").unwrap().limit, 1000);
        for bad in ["limit=0", "limit=1001", "limit=-1", "limit=ten", "limit="] {
            let err = parse(bad).unwrap_err();
            assert!(err.message().starts_with("limit: "), "{bad}: {err}");
        }
    }

    #[test]
    fn filters_are_typed_by_their_spec() {
        let params = parse("name=web%201&region_id=3&active=false").unwrap();
        assert_eq!(
            params.filters,
            vec![
                ("t.name", FilterValue::Text("web 1".into())),
                ("t.region_id", FilterValue::Integer(3)),
                ("t.active", FilterValue::Bool(false)),
            ]
        );
    }

    #[test]
    fn a_non_integer_parent_id_is_refused_by_name() {
        let err = parse("region_id=abc").unwrap_err();
        assert!(err.message().starts_with("region_id: "), "{err}");
    }

    #[test]
    fn unknown_parameters_are_refused_with_the_known_ones() {
        let err = parse("colour=red").unwrap_err();
        assert!(
            err.message().starts_with("colour: unknown query parameter"),
            "{err}"
        );
        assert!(err.message().contains("label"), "{err}");
    }

    #[test]
    fn labels_and_vars_repeat() {
        let params = parse("label=a&label=b&vars=env:prod&vars=n:1").unwrap();
        assert_eq!(params.labels, ["a", "b"]);
        assert_eq!(params.vars.len(), 2);
    }

    #[test]
    fn labels_are_refused_where_the_kind_has_none() {
        let spec = ListSpec {
            labels: false,
            ..SPEC
        };
        assert!(ListParams::parse(Some("label=a"), &spec).is_err());
    }

    #[test]
    fn the_next_link_moves_the_marker_and_keeps_the_filters() {
        let params = parse("limit=2&label=db&name=x%20y&marker=5").unwrap();
        let links = params.links("/v1/hosts", Some("9"));
        assert_eq!(links[0].rel, "self");
        assert_eq!(
            links[0].href,
            "/v1/hosts?limit=2&marker=5&label=db&name=x+y"
        );
        assert_eq!(links[1].rel, "next");
        assert_eq!(
            links[1].href,
            "/v1/hosts?limit=2&marker=9&label=db&name=x+y"
        );
    }

    #[test]
    fn the_last_page_has_no_next_link() {
        let links = parse("").unwrap().links("/v1/clouds", None);
        assert_eq!(links.len(), 1);
        assert_eq!(links[0].href, "/v1/clouds?limit=30");
    }
}
