//! Removing containers off the tests' critical path: inside a [`Session`] a dropped testbed's
//! container is removed by a background task, and the session waits for every removal when it
//! ends. Outside one, removal happens before `drop` returns (nothing would wait otherwise).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::Duration;

use crate::{container, runtime};

/// Sessions open in this process.
static SESSIONS: AtomicUsize = AtomicUsize::new(0);
/// Removals started and not finished, and removals that failed.
static PENDING: Mutex<(usize, usize)> = Mutex::new((0, 0));
static SETTLED: Condvar = Condvar::new();

/// How long a session waits for outstanding removals at its end; past that the run's own
/// clean-up (by label) removes what is left.
const DRAIN_LIMIT: Duration = Duration::from_secs(120);

/// Open for the lifetime of a test harness's `main`: removals go to the background, and
/// ending the session (or dropping it) waits for them.
#[must_use = "removals run in the background only while the session is alive"]
#[derive(Debug)]
pub struct Session {
    ended: bool,
}

impl Session {
    pub fn begin() -> Self {
        SESSIONS.fetch_add(1, Ordering::SeqCst);
        Self { ended: false }
    }

    /// Waits for every background removal; fails when some could not be removed.
    pub fn end(mut self) -> anyhow::Result<()> {
        self.ended = true;
        SESSIONS.fetch_sub(1, Ordering::SeqCst);
        let (pending, failed) = drain();
        if pending > 0 {
            anyhow::bail!("{pending} container removals were still running after {DRAIN_LIMIT:?}");
        }
        if failed > 0 {
            anyhow::bail!("{failed} containers could not be removed (see the messages above)");
        }
        Ok(())
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        if !self.ended {
            SESSIONS.fetch_sub(1, Ordering::SeqCst);
            drain();
        }
    }
}

/// Waits for the removals started so far (inside a session they run in the background).
pub fn settle() {
    drain();
}

/// Waits until no removal is pending (or the limit passes); answers (pending, failed).
fn drain() -> (usize, usize) {
    let Ok(guard) = PENDING.lock() else {
        return (0, 0);
    };
    match SETTLED.wait_timeout_while(guard, DRAIN_LIMIT, |(pending, _)| *pending > 0) {
        Ok((state, _)) => *state,
        Err(_) => (0, 0),
    }
}

fn finished(failed: bool) {
    if let Ok(mut state) = PENDING.lock() {
        state.0 -= 1;
        state.1 += usize::from(failed);
    }
    SETTLED.notify_all();
}

/// Removes a container (and its named volume): in the background inside a session, else now.
pub fn dispose(id: String, volume: Option<String>) {
    if SESSIONS.load(Ordering::SeqCst) == 0 {
        if let Err(err) = runtime::block_on(remove(id, volume)) {
            eprintln!("testbed: {err:#}");
        }
        return;
    }
    if let Ok(mut state) = PENDING.lock() {
        state.0 += 1;
    }
    let spawned = runtime::spawn(async move {
        let result = remove(id, volume).await;
        if let Err(err) = &result {
            eprintln!("testbed: {err:#}");
        }
        finished(result.is_err());
    });
    if let Err(err) = spawned {
        eprintln!("testbed: {err:#}");
        finished(true);
    }
}

async fn remove(id: String, volume: Option<String>) -> anyhow::Result<()> {
    let docker = runtime::engine().await?;
    container::remove(&docker, &id, volume.as_deref()).await
}
