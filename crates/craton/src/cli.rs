//! Command-line entry: `craton serve`, `craton healthcheck` and `craton inventory`.

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Result, bail};
use clap::{Parser, Subcommand};

use crate::http_client;

#[derive(Debug, Parser)]
#[command(name = "craton", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the API. Bootstraps a root user from CRATON_BOOTSTRAP_PROJECT,
    /// CRATON_BOOTSTRAP_USER and CRATON_BOOTSTRAP_TOKEN when they are set.
    Serve {
        /// Address to listen on.
        #[arg(long, env = "CRATON_LISTEN", default_value = "0.0.0.0:8080")]
        listen: SocketAddr,
        /// SQLite database file, created when missing; `:memory:` for a throw-away one.
        #[arg(long, env = "CRATON_DATABASE", default_value = "craton.db")]
        database: PathBuf,
    },
    /// Exit 0 when the service at URL answers 200 (Docker's HEALTHCHECK in a shell-less image).
    Healthcheck {
        /// The health endpoint to ask.
        #[arg(long, default_value = "http://127.0.0.1:8080/healthz")]
        url: String,
        /// Seconds to wait for the answer.
        #[arg(long, default_value_t = 3)]
        timeout: u64,
    },
}

/// Parses the command line, runs the subcommand, and turns its failure into `error: ...` on
/// stderr and exit status 1.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve { listen, database } => run_server(listen, database),
        Command::Healthcheck { url, timeout } => healthcheck(&url, Duration::from_secs(timeout)),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run_server(listen: SocketAddr, database: PathBuf) -> Result<()> {
    init_logging();
    tokio::runtime::Runtime::new()?.block_on(crate::server::serve(listen, &database))
}

/// Request logs go to stderr; `RUST_LOG` tunes them (default `info`).
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
}

fn healthcheck(url: &str, timeout: Duration) -> Result<()> {
    let answer = http_client::get(url, &[], timeout)?;
    if answer.status != 200 {
        bail!("{url} answered {}: {}", answer.status, answer.body.trim());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn serve_defaults_to_port_8080_and_craton_db() {
        let cli = Cli::try_parse_from(["craton", "serve"]).unwrap();
        let Command::Serve { listen, database } = cli.command else {
            panic!("not serve");
        };
        assert_eq!(listen.port(), 8080);
        assert_eq!(database, PathBuf::from("craton.db"));
    }
}
