//! Several real Kith instances on 127.0.0.1, each with its own database, talking
//! signed ActivityPub to each other over real HTTP. Each instance has a host name
//! (`alpha.test`, `beta.test`, ...) that the others' HTTP clients resolve to
//! loopback, the way curl's `--resolve` works, so host and domain checks run for real.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::future::Future;
use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, Instant};

use entity::{Visibility, accounts, statuses};
use kith::service::accounts::{NewUser, register};
use kith::service::statuses::{NewStatus, create};
use kith::testing::TestDatabase;
use kith::{AppState, Config};

pub const NAMES: [&str; 3] = ["alpha", "beta", "gamma"];

/// One running instance.
pub struct Instance {
    pub name: String,
    /// `alpha.test:PORT`
    pub domain: String,
    pub state: AppState,
    pub addr: std::net::SocketAddr,
    /// Dropping it (with the instance) stops the server.
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<Result<(), kith::Error>>>,
    _dir: tempfile::TempDir,
    _db: TestDatabase,
}

/// Everything a running instance needs to be started again on the same port and database.
pub struct Stopped {
    pub name: String,
    config: Config,
    dir: tempfile::TempDir,
    db: TestDatabase,
}

fn host(name: &str) -> String {
    format!("{name}.test")
}

/// Starts instances named `names` that know each other's host names.
pub async fn start(names: &[&str]) -> Vec<Instance> {
    start_configured(names, |_, _| {}).await
}

/// [`start`], letting `configure` change each instance's configuration.
pub async fn start_configured(
    names: &[&str],
    configure: impl Fn(&str, &mut Config),
) -> Vec<Instance> {
    let mut listeners = Vec::new();
    for _ in names {
        listeners.push(tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap());
    }
    let resolve: Vec<(String, IpAddr)> = NAMES
        .iter()
        .map(|n| (host(n), IpAddr::V4(Ipv4Addr::LOCALHOST)))
        .collect();
    let mut out = Vec::new();
    for (name, listener) in names.iter().zip(listeners) {
        let dir = tempfile::tempdir().unwrap();
        let db = TestDatabase::new(dir.path()).await;
        let port = listener.local_addr().unwrap().port();
        let domain = format!("{}:{port}", host(name));
        let data_dir = dir.path().display().to_string();
        let mut config = Config::from_pairs(&[
            ("domain", &domain),
            ("scheme", "http"),
            ("data_dir", &data_dir),
            ("database_url", &db.url),
            ("allow_private_addresses", "true"),
        ])
        .unwrap();
        config.resolve = resolve.clone();
        configure(name, &mut config);
        out.push(launch(name.to_string(), config, listener, dir, db).await);
    }
    out
}

/// Starts one instance named by its loopback address (`localhost:PORT`), for
/// talking to peers that are not Kith.
pub async fn start_on_localhost() -> Instance {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = TestDatabase::new(dir.path()).await;
    let port = listener.local_addr().unwrap().port();
    let domain = format!("localhost:{port}");
    let data_dir = dir.path().display().to_string();
    let config = Config::from_pairs(&[
        ("domain", &domain),
        ("scheme", "http"),
        ("data_dir", &data_dir),
        ("database_url", &db.url),
        ("allow_private_addresses", "true"),
    ])
    .unwrap();
    launch("kith".into(), config, listener, dir, db).await
}

async fn launch(
    name: String,
    config: Config,
    listener: tokio::net::TcpListener,
    dir: tempfile::TempDir,
    db: TestDatabase,
) -> Instance {
    let domain = config.domain.clone();
    let addr = listener.local_addr().unwrap();
    let state = AppState::new(config).await.unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(kith::serve(state.clone(), listener, async {
        let _ = rx.await;
    }));
    Instance {
        name,
        domain,
        state,
        addr,
        stop: Some(tx),
        task: Some(task),
        _dir: dir,
        _db: db,
    }
}

impl Instance {
    pub fn base_url(&self) -> String {
        format!("http://{}", self.domain)
    }

    pub async fn user(&self, name: &str) -> accounts::Model {
        register(
            &self.state,
            NewUser::new(
                name,
                &format!("{name}@{}", host(&self.name)),
                "a long password",
            ),
        )
        .await
        .unwrap()
        .0
    }

    pub async fn post(
        &self,
        author: &accounts::Model,
        text: &str,
        v: Visibility,
    ) -> statuses::Model {
        create(&self.state, author, NewStatus::new(text, v))
            .await
            .unwrap()
    }

    /// The remote account `user@other`, looked up by WebFinger from this instance.
    pub async fn lookup(&self, user: &str, other: &Instance) -> accounts::Model {
        kith::apub::actors::resolve_acct(&self.state, user, &other.domain)
            .await
            .unwrap()
    }

    /// `follower` (local here) follows the remote `target`, and waits until the
    /// target's server has accepted.
    pub async fn follow_accepted(&self, follower: &accounts::Model, target: &accounts::Model) {
        use kith::service::relationships::{FollowOptions, follow, relationship};
        follow(&self.state, follower, target.id, FollowOptions::default())
            .await
            .unwrap();
        let what = format!("{} follows {}", follower.username, target.username);
        eventually(&what, 30, || async {
            relationship(&self.state, follower, target.id)
                .await
                .unwrap()
                .following
                .then_some(())
        })
        .await;
    }

    /// The account as this instance stores it now.
    pub async fn reload(&self, a: &accounts::Model) -> accounts::Model {
        use sea_orm::EntityTrait;
        accounts::Entity::find_by_id(a.id)
            .one(&self.state.db.read)
            .await
            .unwrap()
            .unwrap()
    }

    /// This instance's copy of the status with this URI, if it has one (live or deleted).
    pub async fn status_by_uri(&self, uri: &str) -> Option<statuses::Model> {
        kith::db::statuses::find_by_uri(&self.state.db.read, uri)
            .await
            .unwrap()
    }

    pub async fn home_uris(&self, reader: &accounts::Model) -> Vec<String> {
        let page = kith::db::Page::new(40);
        kith::service::timelines::home(&self.state, reader, &page)
            .await
            .unwrap()
            .into_iter()
            .map(|v| v.shown().uri.clone())
            .collect()
    }

    /// Stops the server (gracefully) and returns what it takes to start it again.
    pub async fn stop(mut self) -> Stopped {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = tokio::time::timeout(Duration::from_secs(60), task).await;
        }
        let config = (*self.state.config).clone();
        Stopped {
            name: self.name,
            config,
            dir: self._dir,
            db: self._db,
        }
    }
}

impl Stopped {
    /// Starts the instance again on its old port with its old database.
    pub async fn restart(self) -> Instance {
        let port: u16 = self
            .config
            .domain
            .rsplit(':')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        let listener = loop {
            match tokio::net::TcpListener::bind(("127.0.0.1", port)).await {
                Ok(l) => break l,
                Err(e) if Instant::now() < deadline => {
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(e) => panic!("cannot bind port {port} again: {e}"),
            }
        };
        launch(self.name, self.config, listener, self.dir, self.db).await
    }
}

/// Polls `check` until it returns `Some`, or fails the test after `secs` seconds.
pub async fn eventually<T, F, Fut>(what: &str, secs: u64, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for: {what}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}
