//! Self-checks of the repository, in the style of rust-analyzer's `tidy`: the README, `.ci/run`
//! and the CLI must tell the same story.

use std::path::PathBuf;

use clap::CommandFactory;

use crate::Cli;

fn read(relative: &str) -> String {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    std::fs::read_to_string(root.join(relative))
        .unwrap_or_else(|err| panic!("reading {relative}: {err}"))
}

/// The command lines of a shell script, without comments, blank lines and shell options.
fn script_commands(script: &str) -> Vec<String> {
    script
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .filter(|line| !line.starts_with("set ") && !line.starts_with("cd "))
        .map(|line| line.trim_start_matches("exec ").to_string())
        .collect()
}

#[test]
fn ci_runs_exactly_the_readme_test_command() {
    let commands = script_commands(&read(".ci/run"));
    assert_eq!(
        commands,
        ["cargo xtask test"],
        ".ci/run must call the README's test command and nothing else"
    );
    let readme = read("README.md");
    let quick_start = readme
        .split("## Quick start")
        .nth(1)
        .expect("README has a Quick start section");
    let quick_start = quick_start.split("\n## ").next().unwrap_or_default();
    let commands: Vec<&str> = quick_start
        .lines()
        .filter_map(|line| line.strip_prefix("    "))
        .map(|line| line.split('#').next().unwrap_or_default().trim())
        .collect();
    assert!(
        commands.contains(&"cargo xtask test"),
        "the README's quick start gives `cargo xtask test`: {commands:?}"
    );
}

#[test]
fn readme_documents_every_subcommand() {
    let readme = read("README.md");
    for sub in Cli::command().get_subcommands() {
        let name = format!("cargo xtask {}", sub.get_name());
        assert!(
            readme.contains(&name),
            "README.md does not mention `{name}`"
        );
    }
}

#[test]
fn script_commands_skip_comments_and_shell_options() {
    let script =
        "#!/bin/sh\n# comment\nset -eu\ncd \"$(dirname \"$0\")\"\n\nexec cargo xtask test\n";
    assert_eq!(script_commands(script), ["cargo xtask test"]);
}

/// `(number, name)` of every exit code declared in exit.rs, read from its source.
fn declared_exit_codes() -> Vec<(String, String)> {
    read("xtask/src/exit.rs")
        .lines()
        .filter_map(|line| {
            let (name, rest) = line.trim().split_once(" = ")?;
            let number = rest.strip_suffix(',')?;
            number.parse::<u8>().ok()?;
            Some((number.to_string(), name.to_string()))
        })
        .collect()
}

#[test]
fn readme_documents_every_exit_code() {
    let readme = read("README.md");
    let codes = declared_exit_codes();
    assert!(
        codes.len() >= 10,
        "exit.rs declares its codes as `Name = N,`: found {codes:?}"
    );
    for (number, name) in codes {
        let row = format!("| {number} | `{name}` |");
        assert!(
            readme.contains(&row),
            "README.md's exit code table has no row `{row}`"
        );
    }
}
