//! `craton serve`: open the database, bootstrap the first root user, listen until SIGTERM or
//! SIGINT, then finish the requests in flight.

use std::net::SocketAddr;
use std::path::Path;

use anyhow::{Context, Result};

use crate::bootstrap::Bootstrap;
use crate::router::router;
use crate::storage::{Db, accounts};

/// Serves the API on `listen` from the database at `database`, until a signal says stop.
/// The bootstrap variables are read first, so a mistake in them fails before anything opens.
pub async fn serve(listen: SocketAddr, database: &Path) -> Result<()> {
    let bootstrap = Bootstrap::from_env()?;
    let db = Db::open(database).with_context(|| format!("opening {}", database.display()))?;
    if let Some(bootstrap) = bootstrap {
        apply_bootstrap(&db, &bootstrap)?;
        tracing::info!(project = %bootstrap.project_id, user = %bootstrap.user, "bootstrap root user ready");
    }
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("listening on {listen}"))?;
    tracing::info!(%listen, database = %database.display(), "craton is serving");
    axum::serve(listener, router(db))
        .with_graceful_shutdown(shutdown_signal())
        .await
        .context("serving")?;
    tracing::info!("craton stopped");
    Ok(())
}

/// Creates (or re-applies) the bootstrap project and root user.
pub fn apply_bootstrap(db: &Db, bootstrap: &Bootstrap) -> Result<()> {
    db.run_blocking(|conn| {
        accounts::bootstrap(
            conn,
            &bootstrap.project_id,
            &bootstrap.user,
            &bootstrap.token,
        )
    })
    .context("bootstrapping the root user")
}

/// Resolves on the first SIGTERM (`docker stop`) or SIGINT (Ctrl-C).
async fn shutdown_signal() {
    let interrupt = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::warn!(%err, "cannot listen for SIGINT");
            std::future::pending::<()>().await;
        }
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(err) => {
                tracing::warn!(%err, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        () = interrupt => tracing::info!("SIGINT: shutting down"),
        () = terminate => tracing::info!("SIGTERM: shutting down"),
    }
}
