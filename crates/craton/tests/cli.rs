//! The `craton` binary as a container runs it: `serve` until SIGTERM, `healthcheck`, the
//! bootstrap variables, and `inventory` as Ansible calls it. These start real processes on
//! 127.0.0.1, unlike the in-process API tests.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use craton::domain::inventory::{Cloud, Host, NewCloud, NewHost, NewRegion, Region};
use craton::storage::Db;
use craton::storage::inventory::create;
use serde_json::{Value, json};

const PROJECT: &str = "0b8f3d2e-5a4c-4e1f-9d7b-6c2a1e0f9a3b";
const TOKEN: &str = "cli-test-token";

fn craton() -> Command {
    Command::new(env!("CARGO_BIN_EXE_craton"))
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// A scratch directory of this test, removed at the end.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("craton-cli-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch dir");
        Self(dir)
    }

    fn db(&self) -> PathBuf {
        self.0.join("craton.db")
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A running `craton serve`, stopped by SIGTERM (or killed if a test fails first).
struct Server {
    child: Child,
    port: u16,
}

impl Server {
    fn start(database: &Path) -> Self {
        let port = free_port();
        let child = craton()
            .args([
                "serve",
                "--listen",
                &format!("127.0.0.1:{port}"),
                "--database",
            ])
            .arg(database)
            .env("CRATON_BOOTSTRAP_PROJECT", PROJECT)
            .env("CRATON_BOOTSTRAP_USER", "root")
            .env("CRATON_BOOTSTRAP_TOKEN", TOKEN)
            .stderr(Stdio::null())
            .spawn()
            .expect("craton serve starts");
        let server = Self { child, port };
        let deadline = Instant::now() + Duration::from_secs(10);
        while !server.healthcheck().status.success() {
            assert!(
                Instant::now() < deadline,
                "craton serve never became healthy"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        server
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn healthcheck(&self) -> Output {
        craton()
            .args(["healthcheck", "--url", &format!("{}/healthz", self.url())])
            .output()
            .expect("craton healthcheck runs")
    }

    fn inventory(&self, args: &[&str], region: i64) -> Output {
        craton()
            .arg("inventory")
            .args(args)
            .env("CRATON_URL", self.url())
            .env("CRATON_PROJECT", PROJECT)
            .env("CRATON_USER", "root")
            .env("CRATON_TOKEN", TOKEN)
            .env("CRATON_REGION_ID", region.to_string())
            .output()
            .expect("craton inventory runs")
    }

    /// Sends SIGTERM, as `docker stop` does, and answers how the process ended.
    fn terminate(mut self) -> std::process::ExitStatus {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
        // Drop's kill is then a no-op: std never signals a process it has reaped.
        self.child.wait().expect("craton serve ends")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A database file with a cloud, a region `dc1` and a host `web1` in it; answers the region id.
fn populate(database: &Path) -> i64 {
    let db = Db::open(database).expect("database");
    db.run_blocking(|conn| {
        craton::storage::accounts::bootstrap(conn, PROJECT, "root", TOKEN)?;
        let cloud = create::<Cloud>(
            conn,
            PROJECT,
            NewCloud {
                name: "c".into(),
                note: None,
            },
            None,
        )?;
        let region = create::<Region>(
            conn,
            PROJECT,
            NewRegion {
                name: "dc1".into(),
                cloud_id: cloud.object.id,
                note: None,
            },
            None,
        )?;
        let variables =
            craton::domain::variables::Variables::from_json("variables", json!({"role": "web"}))?;
        create::<Host>(
            conn,
            PROJECT,
            NewHost {
                name: "web1".into(),
                region_id: region.object.id,
                cell_id: None,
                ip_address: "10.0.0.1".into(),
                device_type: "server".into(),
                active: true,
                note: None,
                labels: Some(vec!["web".into()]),
            },
            Some(variables),
        )?;
        Ok(region.object.id)
    })
    .expect("populated")
}

fn stdout_json(output: &Output) -> Value {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("JSON on stdout")
}

#[test]
fn serve_answers_healthcheck_and_exits_0_on_sigterm() {
    let scratch = Scratch::new("sigterm");
    let server = Server::start(&scratch.db());
    assert!(server.healthcheck().status.success());
    let status = server.terminate();
    assert!(status.success(), "{status}");
}

#[test]
fn data_survives_a_restart_on_the_same_file() {
    let scratch = Scratch::new("restart");
    let region = populate(&scratch.db());
    let first = Server::start(&scratch.db());
    assert!(first.terminate().success());
    let second = Server::start(&scratch.db());
    let inventory = stdout_json(&second.inventory(&["--list"], region));
    assert_eq!(inventory["all"]["hosts"], json!(["web1"]));
}

#[test]
fn healthcheck_fails_when_nothing_listens() {
    let output = craton()
        .args(["healthcheck", "--url"])
        .arg(format!("http://127.0.0.1:{}/healthz", free_port()))
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with("error: connecting to 127.0.0.1:"),
        "{stderr}"
    );
}

#[test]
fn serve_refuses_a_partial_bootstrap_naming_what_is_missing() {
    let scratch = Scratch::new("partial");
    let output = craton()
        .args(["serve", "--listen", "127.0.0.1:0", "--database"])
        .arg(scratch.db())
        .env("CRATON_BOOTSTRAP_PROJECT", PROJECT)
        .env_remove("CRATON_BOOTSTRAP_USER")
        .env_remove("CRATON_BOOTSTRAP_TOKEN")
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("missing: CRATON_BOOTSTRAP_USER, CRATON_BOOTSTRAP_TOKEN"),
        "{stderr}"
    );
    assert!(
        !scratch.db().exists(),
        "nothing is created before the check"
    );
}

#[test]
fn inventory_lists_the_region_and_prints_one_hosts_variables() {
    let scratch = Scratch::new("inventory");
    let region = populate(&scratch.db());
    let server = Server::start(&scratch.db());
    let list = stdout_json(&server.inventory(&["--list"], region));
    assert_eq!(list["dc1"]["hosts"], json!(["web1"]));
    assert_eq!(list["web"]["hosts"], json!(["web1"]));
    let host = stdout_json(&server.inventory(&["--host", "web1"], region));
    assert_eq!(host, json!({"ansible_host": "10.0.0.1", "role": "web"}));
    let unknown = stdout_json(&server.inventory(&["--host", "nope"], region));
    assert_eq!(unknown, json!({}));
    let failed = server.inventory(&["--list"], region + 100);
    assert_eq!(failed.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&failed.stderr);
    assert!(stderr.contains("answered 404"), "{stderr}");
}

#[test]
fn inventory_without_its_environment_names_every_missing_variable() {
    let output = craton()
        .args(["inventory", "--list"])
        .env_remove("CRATON_URL")
        .env_remove("CRATON_PROJECT")
        .env_remove("CRATON_USER")
        .env_remove("CRATON_TOKEN")
        .env_remove("CRATON_REGION_ID")
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("CRATON_URL, CRATON_PROJECT, CRATON_USER, CRATON_TOKEN, CRATON_REGION_ID"),
        "{stderr}"
    );
}
