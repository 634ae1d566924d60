//! "Ready" as the references see it: the first `200` from `GET /healthz` on 127.0.0.1, probed
//! every few milliseconds. The Engine API floor and the Docker CLI way share this loop, so the
//! difference between them is the work each does, not how they poll.

use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The pause between probes: short enough to lose little after the service is up, long enough
/// not to load the engine's port proxy while it is not.
pub const PAUSE: Duration = Duration::from_millis(5);
/// How long a container may take to answer before the sample fails.
pub const DEADLINE: Duration = Duration::from_secs(60);

/// Probes until `/healthz` answers 200 or the deadline passes (then the error says why).
pub async fn until_ready(port: u16) -> Result<()> {
    let deadline = Instant::now() + DEADLINE;
    loop {
        let why = match once(port).await {
            Ok(()) => return Ok(()),
            Err(why) => why,
        };
        if Instant::now() >= deadline {
            bail!("127.0.0.1:{port}/healthz did not answer 200 within {DEADLINE:?} (last: {why})");
        }
        tokio::time::sleep(PAUSE).await;
    }
}

/// One probe: Ok on a 200 status line, else what came instead.
async fn once(port: u16) -> Result<(), String> {
    let attempt = async {
        let mut stream = TcpStream::connect(("127.0.0.1", port))
            .await
            .map_err(|e| format!("connect: {e}"))?;
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            .await
            .map_err(|e| format!("send: {e}"))?;
        let mut head = [0u8; 12];
        let mut len = 0;
        while len < head.len() {
            match stream.read(&mut head[len..]).await {
                Ok(0) => break,
                Ok(n) => len += n,
                Err(e) => return Err(format!("read: {e}")),
            }
        }
        if is_ok_status(&head[..len]) {
            Ok(())
        } else {
            Err(format!(
                "answered {:?}",
                String::from_utf8_lossy(&head[..len])
            ))
        }
    };
    tokio::time::timeout(Duration::from_secs(2), attempt)
        .await
        .unwrap_or_else(|_| Err("no answer within 2 s".to_owned()))
}

/// `HTTP/1.1 200` (the engine's port proxy closes without a word while the service is down).
fn is_ok_status(head: &[u8]) -> bool {
    head.starts_with(b"HTTP/1.") && head.get(8..12) == Some(b" 200")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_200_status_line_means_ready() {
        assert!(is_ok_status(b"HTTP/1.1 200"));
        assert!(is_ok_status(b"HTTP/1.0 200"));
        assert!(!is_ok_status(b"HTTP/1.1 503"));
        assert!(!is_ok_status(b""));
        assert!(!is_ok_status(b"SSH-2.0-Open"));
    }

    #[tokio::test]
    async fn a_service_answering_200_is_ready_and_a_closed_port_is_not() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut request = [0u8; 256];
            let _ = socket.read(&mut request).await;
            let _ = socket
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")
                .await;
        });
        assert_eq!(once(port).await, Ok(()));
        // Nothing listens any more: the probe fails at once instead of hanging.
        assert!(once(port).await.is_err());
    }
}
