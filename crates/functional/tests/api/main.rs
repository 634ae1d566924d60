//! Craton's API over HTTP, each test against its own fresh container.

mod health;

fn main() -> std::process::ExitCode {
    functional::main([health::cases()])
}
