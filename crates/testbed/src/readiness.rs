//! Waiting until a container answers `GET /healthz`: a short, growing backoff (no fixed
//! sleeps), a deadline, and a probe light enough to run every few milliseconds.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;

/// The pause before the next probe: doubling from 2 ms up to 25 ms. A container is usually
/// ready within a few hundred milliseconds of its start, so the cap bounds the time lost after
/// it becomes ready while keeping the probes cheap.
pub fn backoff(attempt: u32) -> Duration {
    let ms = 2u64.saturating_mul(1 << attempt.min(10));
    Duration::from_millis(ms.min(25))
}

/// One probe of `http://127.0.0.1:{port}/healthz`: Ok when it answers 200, else why not.
pub async fn probe(port: u16) -> Result<(), String> {
    let attempt = async {
        let mut stream = TcpStream::connect(("127.0.0.1", port))
            .await
            .map_err(|e| format!("connect: {e}"))?;
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            .await
            .map_err(|e| format!("send: {e}"))?;
        let mut head = [0u8; 16];
        let mut len = 0;
        while len < head.len() {
            match stream.read(&mut head[len..]).await {
                Ok(0) => break,
                Ok(n) => len += n,
                Err(e) => return Err(format!("read: {e}")),
            }
        }
        status_is_ok(&head[..len])
    };
    timeout(Duration::from_secs(2), attempt)
        .await
        .unwrap_or_else(|_| Err("no answer within 2 s".to_owned()))
}

fn status_is_ok(head: &[u8]) -> Result<(), String> {
    let line = String::from_utf8_lossy(head);
    if line.is_empty() {
        return Err("connection closed without an answer".to_owned());
    }
    match line.split_whitespace().nth(1) {
        Some("200") => Ok(()),
        _ => Err(format!("answered {:?}", line.lines().next().unwrap_or(""))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_starts_short_and_is_capped() {
        let pauses: Vec<u64> = (0..8).map(|a| backoff(a).as_millis() as u64).collect();
        assert_eq!(pauses, [2, 4, 8, 16, 25, 25, 25, 25]);
        assert_eq!(backoff(u32::MAX), Duration::from_millis(25));
    }

    #[test]
    fn only_a_200_status_line_is_ready() {
        assert!(status_is_ok(b"HTTP/1.1 200 OK\r\n").is_ok());
        assert!(status_is_ok(b"HTTP/1.1 503 Servi").is_err());
        assert!(status_is_ok(b"").is_err());
    }

    #[tokio::test]
    async fn a_closed_port_is_not_ready() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        assert!(probe(port).await.is_err());
    }
}
