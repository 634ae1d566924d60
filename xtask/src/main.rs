//! `cargo xtask`: Craton's CI automation. Parses flags, finds the project root when a
//! subcommand needs one, dispatches, and turns errors into a message, a hint and an exit code.

mod bench;
mod build_image;
mod check_zuul;
mod clean_dangling;
mod engine;
mod exit;
mod functional;
mod project;
mod setup_docker;
mod systemd_e2e;
mod test_cmd;
#[cfg(test)]
mod tidy;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::exit::{Code, failure_of};

/// Craton's CI automation: the same commands for developers and CI.
#[derive(Debug, Parser)]
#[command(name = "cargo xtask", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run everything CI checks: formatting, lints, unit tests (the README's test command).
    Test(test_cmd::Args),
    /// Time what users wait for against the usual way (docker CLI, raw Engine API): a table.
    Bench(bench::Args),
    /// Build the craton image from a static release binary (default tag craton:dev).
    BuildImage(build_image::Args),
    /// Remove dangling images (untagged leftovers of builds) that no container uses.
    CleanDangling(clean_dangling::Args),
    /// Build the image, run the functional tests (a fresh container each), leave nothing behind.
    Functional(functional::Args),
    /// Validate zuul.yaml and its playbooks: Zuul's schema, syntax check, ansible-lint.
    CheckZuul(check_zuul::Args),
    /// Install Docker and give a user the socket through its primary group: no new login needed.
    ///
    /// Without systemd, starts `dockerd --group GROUP` detached (log /var/log/craton-dockerd.log,
    /// pid file /run/craton-dockerd.pid); with systemd, writes the drop-in
    /// /etc/systemd/system/docker.socket.d/craton-socket-group.conf. Runs as root or through
    /// `sudo -n`; needs no checkout. Access to the socket is equivalent to root: for CI machines.
    SetupDocker(setup_docker::Args),
    /// Prove setup-docker's systemd path in a Debian container booting systemd (root only).
    SystemdE2e(systemd_e2e::Args),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return if err.use_stderr() {
                ExitCode::from(Code::Usage as u8)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match dispatch(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            let failure = failure_of(&err);
            if let Some(hint) = failure.and_then(|f| f.hint.as_deref()) {
                eprintln!("hint: {hint}");
            }
            ExitCode::from(failure.map_or(Code::Failure, |f| f.code) as u8)
        }
    }
}

fn dispatch(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Test(args) => test_cmd::run(&project::root()?, args),
        Command::Bench(args) => bench::run(&project::root()?, args),
        Command::BuildImage(args) => build_image::run(&project::root()?, args),
        Command::CleanDangling(args) => clean_dangling::run(args),
        Command::Functional(args) => functional::run(&project::root()?, args),
        Command::CheckZuul(args) => check_zuul::run(&project::root()?, args),
        Command::SetupDocker(args) => setup_docker::run(args),
        Command::SystemdE2e(args) => systemd_e2e::run(&project::root()?, args),
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn every_subcommand_renders_its_help() {
        let mut cli = Cli::command();
        for sub in cli.get_subcommands_mut() {
            let help = sub.render_long_help().to_string();
            assert!(
                help.contains("Usage:"),
                "help of {} has no usage line:\n{help}",
                sub.get_name()
            );
        }
    }
}
