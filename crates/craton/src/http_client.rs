//! A std-only HTTP/1.0 GET client for `healthcheck` and `inventory`: the image is FROM scratch
//! with no curl, and these two need nothing more than a GET with a few headers and a timeout.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use anyhow::{Context, Result, bail};

/// An answer: status code and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub body: String,
}

/// The parts of an `http://host:port/path` URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Url {
    pub authority: String,
    pub path: String,
}

impl Url {
    pub fn parse(url: &str) -> Result<Self> {
        let Some(rest) = url.strip_prefix("http://") else {
            bail!("{url:?}: only http:// URLs are supported");
        };
        let (authority, path) = match rest.find('/') {
            Some(slash) => (&rest[..slash], &rest[slash..]),
            None => (rest, "/"),
        };
        if authority.is_empty() {
            bail!("{url:?}: no host in the URL");
        }
        let authority = if authority
            .rsplit_once(':')
            .is_some_and(|(_, port)| !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()))
        {
            authority.to_owned()
        } else {
            format!("{authority}:80")
        };
        Ok(Self {
            authority,
            path: path.to_owned(),
        })
    }
}

/// GETs `url` with `headers`, giving up after `timeout` at each step.
pub fn get(url: &str, headers: &[(&str, &str)], timeout: Duration) -> Result<Response> {
    let url = Url::parse(url)?;
    let address = url
        .authority
        .to_socket_addrs()
        .with_context(|| format!("resolving {}", url.authority))?
        .next()
        .with_context(|| format!("{} resolves to no address", url.authority))?;
    let mut stream = TcpStream::connect_timeout(&address, timeout)
        .with_context(|| format!("connecting to {}", url.authority))?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    let mut request = format!("GET {} HTTP/1.0\r\nHost: {}\r\n", url.path, url.authority);
    for (name, value) in headers {
        if value.contains(['\r', '\n']) {
            bail!("header {name} contains a line break");
        }
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream
        .write_all(request.as_bytes())
        .with_context(|| format!("sending the request to {}", url.authority))?;
    let mut raw = Vec::new();
    stream
        .read_to_end(&mut raw)
        .with_context(|| format!("reading the answer of {}", url.authority))?;
    parse_response(&String::from_utf8_lossy(&raw))
}

/// Splits a raw HTTP/1.x answer into status and body (HTTP/1.0 answers are never chunked).
pub fn parse_response(raw: &str) -> Result<Response> {
    let status_line = raw.lines().next().unwrap_or_default();
    let mut parts = status_line.split_whitespace();
    let (Some(version), Some(code)) = (parts.next(), parts.next()) else {
        bail!("not an HTTP answer: {status_line:?}");
    };
    if !version.starts_with("HTTP/1.") {
        bail!("not an HTTP/1 answer: {status_line:?}");
    }
    let status = code
        .parse()
        .with_context(|| format!("bad status in {status_line:?}"))?;
    let body = raw
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())
        .unwrap_or_default();
    Ok(Response { status, body })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_without_port_defaults_to_80() {
        let url = Url::parse("http://craton/healthz").unwrap();
        assert_eq!(url.authority, "craton:80");
        assert_eq!(url.path, "/healthz");
    }

    #[test]
    fn a_url_without_path_asks_for_the_root() {
        let url = Url::parse("http://127.0.0.1:8080").unwrap();
        assert_eq!(url.authority, "127.0.0.1:8080");
        assert_eq!(url.path, "/");
    }

    #[test]
    fn a_url_keeps_its_query() {
        let url = Url::parse("http://h:1/v1/x?region_id=2&cell_id=3").unwrap();
        assert_eq!(url.path, "/v1/x?region_id=2&cell_id=3");
    }

    #[test]
    fn https_urls_are_refused_with_a_reason() {
        let err = Url::parse("https://h/").unwrap_err();
        assert!(err.to_string().contains("only http://"), "{err}");
    }

    #[test]
    fn an_answer_splits_into_status_and_body() {
        let answer =
            parse_response("HTTP/1.0 404 Not Found\r\ncontent-type: x\r\n\r\n{\"a\":1}").unwrap();
        assert_eq!(answer.status, 404);
        assert_eq!(answer.body, "{\"a\":1}");
    }

    #[test]
    fn garbage_is_not_an_answer() {
        assert!(parse_response("SSH-2.0-OpenSSH").is_err());
        assert!(parse_response("").is_err());
    }
}
