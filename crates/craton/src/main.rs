//! The `craton` binary: serve the inventory API, check its health, or act as an Ansible
//! dynamic inventory script. Everything lives in the library so tests can reach it.

fn main() -> std::process::ExitCode {
    craton::cli::main()
}
