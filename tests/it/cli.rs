//! The real `kith` executable: user management, migrations, bad configuration,
//! and `serve` stopping cleanly on SIGTERM.
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::common::TestDatabase;

struct Cli {
    dir: tempfile::TempDir,
    db: TestDatabase,
}

impl Cli {
    async fn new() -> Cli {
        let dir = tempfile::tempdir().unwrap();
        let db = TestDatabase::new(dir.path()).await;
        Cli { dir, db }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_kith"));
        c.args(args)
            .current_dir(self.dir.path())
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("KITH_DATA_DIR", self.dir.path().join("data"))
            .env("KITH_DATABASE_URL", &self.db.url)
            .env("KITH_DOMAIN", "cli.test")
            .env("KITH_LOG", "warn");
        if self.db.url.starts_with("sqlite") {
            c.env(
                "KITH_DATABASE_URL",
                format!("sqlite://{}/data/kith.db", self.dir.path().display()),
            );
        }
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[tokio::test]
async fn user_commands_create_list_reset_and_suspend() {
    let cli = Cli::new().await;
    let o = cli.run(&["migrate"]);
    assert!(o.status.success(), "{}", stderr(&o));
    if cli.db.url.starts_with("sqlite") {
        assert!(cli.dir.path().join("data/kith.db").exists());
    }

    let o = cli.run(&[
        "user",
        "create",
        "admin",
        "--email",
        "admin@cli.test",
        "--password",
        "a long password",
        "--admin",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("created admin (admin@cli.test) as admin"),
        "{}",
        stdout(&o)
    );
    let o = cli.run(&[
        "user",
        "create",
        "bob",
        "--email",
        "bob@cli.test",
        "--password",
        "another password",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));

    let o = cli.run(&["user", "list"]);
    let out = stdout(&o);
    assert!(
        out.contains("admin") && out.contains("bob@cli.test"),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l.starts_with("bob") && l.contains("user") && l.contains("active")),
        "{out}"
    );

    let o = cli.run(&["user", "reset-password", "bob"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let new_password = out.trim().rsplit(' ').next().unwrap().to_string();
    assert_eq!(new_password.len(), 20, "{out}");

    let o = cli.run(&["user", "suspend", "bob"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = cli.run(&["user", "list"]);
    assert!(
        stdout(&o)
            .lines()
            .any(|l| l.starts_with("bob") && l.contains("suspended")),
        "{}",
        stdout(&o)
    );

    // The new password is the one that works (checked through the library on the same database).
    let config = kith::Config::from_pairs(&[
        (
            "database_url",
            &cli.command(&[])
                .get_envs()
                .find(|(k, _)| *k == "KITH_DATABASE_URL")
                .and_then(|(_, v)| v)
                .unwrap()
                .to_string_lossy(),
        ),
        ("domain", "cli.test"),
    ])
    .unwrap();
    let state = kith::AppState::new(config).await.unwrap();
    let e = kith::service::accounts::authenticate(&state, "bob", &new_password)
        .await
        .unwrap_err();
    assert!(
        e.to_string().contains("disabled"),
        "suspended, but the password matched: {e}"
    );
    assert!(
        kith::service::accounts::authenticate(&state, "bob", "another password")
            .await
            .unwrap_err()
            .to_string()
            .contains("Invalid")
    );
    state.db.close().await;
}

#[tokio::test]
async fn errors_are_one_line_and_a_non_zero_exit() {
    let cli = Cli::new().await;
    let ok = cli.run(&[
        "user",
        "create",
        "bob",
        "--email",
        "bob@cli.test",
        "--password",
        "a long password",
    ]);
    assert!(ok.status.success(), "{}", stderr(&ok));
    for (args, want) in [
        (
            vec![
                "user",
                "create",
                "BOB",
                "--email",
                "x@cli.test",
                "--password",
                "a long password",
            ],
            "Username has already been taken",
        ),
        (
            vec![
                "user",
                "create",
                "carol",
                "--email",
                "carol@cli.test",
                "--password",
                "short",
            ],
            "too short",
        ),
        (
            vec!["user", "suspend", "nobody"],
            "No local user named nobody",
        ),
    ] {
        let o = cli.run(&args);
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        let err = stderr(&o);
        assert_eq!(err.trim().lines().count(), 1, "{args:?}: {err}");
        assert!(
            err.starts_with("error: ") && err.contains(want),
            "{args:?}: {err}"
        );
        assert!(!err.contains("panicked"));
    }

    let o = cli
        .command(&["migrate"])
        .env("KITH_LISTEN", "not-an-address")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(
        err.contains("KITH_LISTEN") && err.contains("socket address"),
        "{err}"
    );

    let o = cli
        .command(&["migrate"])
        .env("KITH_DATABASE_URL", "mysql://nope")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("database_url"), "{}", stderr(&o));

    let o = cli.run(&["migrate", "--config", "/nonexistent/kith.toml"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("does not exist"), "{}", stderr(&o));
}

#[tokio::test]
async fn serve_answers_health_and_stops_cleanly_on_sigterm() {
    let cli = Cli::new().await;
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut child = cli
        .command(&["serve"])
        .env("KITH_LISTEN", format!("127.0.0.1:{port}"))
        .env("KITH_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(r) = client
            .get(format!("http://127.0.0.1:{port}/health"))
            .send()
            .await
        {
            assert_eq!(r.status(), 200);
            break;
        }
        assert!(Instant::now() < deadline, "kith serve never answered");
        assert!(
            child.try_wait().unwrap().is_none(),
            "kith serve exited early"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(30);
    let exit = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            Instant::now() < deadline,
            "kith serve did not stop after SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let mut err = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
    assert!(exit.success(), "exit {exit:?}: {err}");
    assert!(err.contains("Kith stopped"), "{err}");
}
