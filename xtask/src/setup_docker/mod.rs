//! `cargo xtask setup-docker`: install Docker and hand the socket to a user's primary group, so
//! the user reaches the engine in the session it already has (CI loses sudo before the tests).
//! Facts, then a pure plan, then execution, then a check as that user. Needs no checkout.

pub mod execute;
pub mod facts;
pub mod parse;
pub mod paths;
pub mod plan;
pub mod show;
pub mod verify;

use std::io::{BufRead, IsTerminal, Write};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use self::facts::{Facts, Privilege};
use self::plan::{Plan, Request};
use self::show::{Shown, describe_socket, shell_words};
use crate::exit::{Code, Failure, failure_of};

/// Flags of `cargo xtask setup-docker`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct Args {
    /// The user who must reach the engine [default: SUDO_USER, else the current user].
    #[arg(long, value_name = "USER")]
    pub user: Option<String>,

    /// The group the socket gets [default: the user's primary group, which needs no new login].
    #[arg(long, value_name = "GROUP")]
    pub group: Option<String>,

    /// Print the facts and the plan (every file with its contents, every command); change nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Go ahead without asking. Also needed to hand the socket to a shared group, or to restart
    /// a daemon that setup-docker did not start.
    #[arg(long, short = 'y')]
    pub yes: bool,

    /// Remove what setup-docker added (the systemd drop-in, or the --group of the daemon it
    /// started) and restore the default socket group.
    #[arg(long, conflicts_with_all = ["user", "group"])]
    pub revert: bool,

    /// Internal: check the engine with this process's credentials; print the version as JSON.
    #[arg(long, hide = true)]
    pub probe: bool,

    /// Internal: how many seconds `--probe` retries while the daemon comes up.
    #[arg(long, hide = true, default_value_t = 0, value_name = "SECONDS")]
    pub probe_wait: u64,
}

pub fn run(args: Args) -> Result<()> {
    if args.probe {
        return verify::probe_command(Duration::from_secs(args.probe_wait));
    }
    let begin = Instant::now();
    let mut request = Request {
        user: args.user.clone(),
        group: args.group.clone(),
        revert: args.revert,
        just_installed: false,
    };
    let facts = facts::gather(request.user.as_deref(), request.group.as_deref())?;
    let plan = plan::plan(&facts, &request)?;
    let rerun = rerun_command(&args, &plan);
    let sudo = facts.privilege == Privilege::PasswordlessSudo;

    if args.dry_run {
        println!("{facts}");
        print!("{}", Shown { plan: &plan, sudo });
        if let Err(refusal) = plan::preflight(&plan, facts.privilege, args.yes, &rerun) {
            println!(
                "As it stands, a real run would stop here (exit {}): {refusal}",
                refusal.code as u8
            );
        }
        println!("Dry run: nothing was changed.");
        return Ok(());
    }

    plan::preflight(&plan, facts.privilege, args.yes, &rerun)?;
    announce(&facts, &plan);
    if plan.grants_access {
        warn_and_confirm(&plan, args.yes)?;
    }

    let executor = execute::Executor::new(facts.privilege, facts.process.clone())?;
    let mut outcome = executor.run(&plan.steps)?;
    let mut last_plan = plan;
    if outcome.installed {
        request.just_installed = true;
        let after = facts::gather(request.user.as_deref(), request.group.as_deref())?;
        let rest = plan::plan(&after, &request)?;
        plan::preflight(&rest, after.privilege, args.yes, &rerun)?;
        for note in &rest.notes {
            eprintln!("note: {note}");
        }
        let more = executor.run(&rest.steps)?;
        outcome.changes.extend(more.changes);
        last_plan = rest;
    }

    let me = &facts.process;
    let report = match &last_plan.verify {
        // Becoming another user takes root; without it there was nothing to do either.
        Some(who)
            if facts.privilege == Privilege::None && (who.uid, who.gid) != (me.uid, me.gid) =>
        {
            eprintln!(
                "note: not checked as {}: running a check as another user needs root or \
                 password-free sudo",
                who.user
            );
            None
        }
        Some(who) => Some(verify::verify(who, me, facts.privilege)?),
        None => None,
    };
    print_report(
        &last_plan,
        report.as_ref(),
        &outcome.changes,
        begin.elapsed(),
    );
    Ok(())
}

/// For `cargo xtask test` and `functional`: make sure this process reaches the engine. When it
/// does not and root is at hand without a password (root, `sudo -n`), run setup-docker for the
/// current user first, saying so; otherwise fail with the diagnosis and the one command to run.
/// Call it outside any async runtime.
pub fn ensure_engine() -> Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let Err(unreachable) = runtime.block_on(crate::engine::connect()) else {
        return Ok(());
    };
    // setup-docker manages the default socket only; an engine elsewhere is not ours to start.
    let elsewhere = std::env::var("DOCKER_HOST")
        .is_ok_and(|host| !host.is_empty() && !paths::is_default_socket(&host));
    let process = facts::process_identity();
    let shell = xshell::Shell::new()?;
    if elsewhere || facts::privilege(&shell, &process) == Privilege::None {
        return Err(unreachable);
    }
    let user = facts::read_accounts().user_name(process.uid);
    eprintln!(
        "==> the Docker engine is unreachable ({}); running `setup-docker --user {user}`, \
         which needs no password here",
        failure_of(&unreachable).map_or_else(|| unreachable.to_string(), |f| f.message.clone())
    );
    run(Args {
        user: Some(user),
        ..Args::default()
    })
    .context("setting up Docker for the tests")?;
    runtime.block_on(crate::engine::connect()).map(drop)
}

fn announce(facts: &Facts, plan: &Plan) {
    let host = format!(
        "{}, {}",
        facts.os.pretty_name,
        if facts.systemd.is_some() {
            "systemd"
        } else {
            "no systemd"
        }
    );
    match &plan.target {
        Some(t) if t.uid == 0 => eprintln!("setup-docker: user root on {host}"),
        Some(t) => eprintln!(
            "setup-docker: user {} (uid {}) through group {} (gid {}{}) on {host}",
            t.user,
            t.uid,
            t.group,
            t.gid,
            if t.primary { ", its primary group" } else { "" },
        ),
        None => eprintln!("setup-docker --revert on {host}"),
    }
    for note in &plan.notes {
        eprintln!("note: {note}");
    }
}

/// Says once what handing out the socket means, and asks on a terminal unless `--yes` or CI.
fn warn_and_confirm(plan: &Plan, yes: bool) -> Result<()> {
    let Some(target) = &plan.target else {
        return Ok(());
    };
    eprintln!(
        "warning: access to the Docker socket is equivalent to root on this host (a container \
         can mount / and run as root). After this, {} and every member of group {} have it. \
         This is meant for disposable CI machines.",
        target.user, target.group
    );
    let ci = std::env::var("CI").is_ok_and(|v| v.eq_ignore_ascii_case("true") || v == "1");
    if yes || ci || !std::io::stdin().is_terminal() {
        return Ok(());
    }
    eprint!("Go ahead? [y/N] ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    if matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes") {
        Ok(())
    } else {
        Err(
            Failure::new(Code::NotConfirmed, "declined: nothing was changed")
                .hint("pass --yes to go ahead without the question")
                .into(),
        )
    }
}

fn print_report(
    plan: &Plan,
    report: Option<&verify::EngineReport>,
    changes: &[String],
    took: Duration,
) {
    let described = facts::read_socket(std::path::Path::new(paths::SOCKET)).map_or_else(
        || "absent".to_owned(),
        |socket| describe_socket(&socket, &facts::read_accounts()),
    );
    if let Some(report) = report {
        let who = plan
            .verify
            .as_ref()
            .map_or_else(String::new, |v| format!(" as {}", v.user));
        println!(
            "engine: Docker {} (server API {}, client API {} negotiated), reached{who} \
             (uid {}, gid {}, groups {:?})",
            report.server_version,
            report.server_api_version,
            report.client_api_version,
            report.uid,
            report.gid,
            report.groups
        );
    }
    println!("socket: {} {described}", paths::SOCKET);
    if changes.is_empty() {
        let why = match &plan.target {
            Some(t) if t.uid == 0 => "root needs nothing granted and a daemon runs".to_owned(),
            Some(t) => format!(
                "{} already reaches the engine through group {}",
                t.user, t.group
            ),
            None => "setup-docker has nothing of its own to revert here".to_owned(),
        };
        println!("nothing changed: {why} ({:.2} s)", took.as_secs_f64());
    } else {
        println!("changed ({:.1} s):", took.as_secs_f64());
        for change in changes {
            println!("  - {change}");
        }
    }
}

/// The command line that repeats this run as root would: explicit about the user, since
/// `sudo` changes who "the current user" is.
fn rerun_command(args: &Args, plan: &Plan) -> String {
    let mut argv = vec![crate::engine::this_program(), "setup-docker".to_owned()];
    if args.revert {
        argv.push("--revert".into());
    }
    if let Some(target) = &plan.target {
        argv.extend(["--user".into(), target.user.clone()]);
    }
    if let Some(group) = &args.group {
        argv.extend(["--group".into(), group.clone()]);
    }
    shell_words(&argv)
}
