//! The test harness: every test gets its own database (a fresh SQLite file, or a
//! fresh PostgreSQL database when KITH_TEST_DATABASE_URL is set) and a real
//! AppState built the way `kith serve` builds it.
use entity::{Visibility, accounts, statuses};
use kith::service::accounts::{NewUser, register};
use kith::service::statuses::{NewStatus, create};
use kith::{AppState, Config};
use sea_orm::{EntityTrait, PaginatorTrait};

use tempfile::TempDir;

pub use kith::testing::TestDatabase;

pub struct TestEnv {
    pub state: AppState,
    _dir: TempDir,
    _db: TestDatabase,
}

pub fn test_config(dir: &std::path::Path, database_url: &str, extra: &[(&str, &str)]) -> Config {
    let data_dir = dir.display().to_string();
    let mut pairs: Vec<(&str, &str)> = vec![
        ("domain", "kith.test"),
        ("scheme", "http"),
        ("data_dir", &data_dir),
        ("database_url", database_url),
        ("allow_private_addresses", "true"),
    ];
    pairs.extend_from_slice(extra);
    Config::from_pairs(&pairs).expect("test config")
}

pub async fn env() -> TestEnv {
    env_with(&[]).await
}

pub async fn env_with(extra: &[(&str, &str)]) -> TestEnv {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = TestDatabase::new(dir.path()).await;
    let config = test_config(dir.path(), &db.url, extra);
    let state = AppState::new(config).await.expect("state");
    TestEnv {
        state,
        _dir: dir,
        _db: db,
    }
}

impl TestEnv {
    /// A registered, approved local user named `name` (password `password-of-NAME`).
    pub async fn user(&self, name: &str) -> accounts::Model {
        let (a, _) = register(
            &self.state,
            NewUser::new(
                name,
                &format!("{name}@example.org"),
                &format!("password-of-{name}"),
            ),
        )
        .await
        .expect("register");
        a
    }

    /// The account as it is now in the database (counters change).
    pub async fn reload(&self, a: &accounts::Model) -> accounts::Model {
        entity::accounts::Entity::find_by_id(a.id)
            .one(&self.state.db.read)
            .await
            .unwrap()
            .unwrap()
    }

    pub async fn reload_status(&self, s: &statuses::Model) -> statuses::Model {
        entity::statuses::Entity::find_by_id(s.id)
            .one(&self.state.db.read)
            .await
            .unwrap()
            .unwrap()
    }

    pub async fn post(
        &self,
        author: &accounts::Model,
        text: &str,
        v: Visibility,
    ) -> statuses::Model {
        create(&self.state, author, NewStatus::new(text, v))
            .await
            .expect("post")
    }

    pub async fn reply(
        &self,
        author: &accounts::Model,
        to: &statuses::Model,
        text: &str,
        v: Visibility,
    ) -> statuses::Model {
        create(&self.state, author, NewStatus::new(text, v).reply_to(to.id))
            .await
            .expect("reply")
    }

    /// Status ids in `reader`'s home feed, newest first.
    pub async fn home_ids(&self, reader: &accounts::Model) -> Vec<i64> {
        let page = kith::db::Page::new(40);
        kith::service::timelines::home(&self.state, reader, &page)
            .await
            .unwrap()
            .into_iter()
            .map(|v| v.status.id)
            .collect()
    }

    pub async fn count<E>(&self, _e: E) -> u64
    where
        E: EntityTrait,
        E::Model: Sync,
    {
        PaginatorTrait::count(E::find(), &self.state.db.read)
            .await
            .unwrap()
    }
}

/// A running server on 127.0.0.1 for a test environment; stops when dropped.
pub struct Running {
    pub addr: std::net::SocketAddr,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl Running {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }
}

impl TestEnv {
    pub async fn serve(&self) -> Running {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(kith::serve(self.state.clone(), listener, async {
            let _ = rx.await;
        }));
        Running { addr, _stop: tx }
    }
}

/// A client that does not follow redirects, so tests see them.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

pub const AP: &str = "application/activity+json";

/// A `read write follow` access token for a user made by [`TestEnv::user`].
pub async fn token(env: &TestEnv, user: &str) -> String {
    let app = kith::service::oauth::create_app(
        &env.state,
        "test app",
        "urn:ietf:wg:oauth:2.0:oob",
        "read write follow",
        None,
    )
    .await
    .unwrap();
    kith::service::oauth::password_grant(
        &env.state,
        &app.app,
        &format!("{user}@example.org"),
        &format!("password-of-{user}"),
        None,
    )
    .await
    .unwrap()
    .access_token
}

/// Reverts the migrations from `name` (inclusive) to the newest, so that a
/// test of one migration's `down` and `up` keeps working as others are added.
pub async fn migrate_down_through(db: &sea_orm::DatabaseConnection, name: &str) {
    use migration::MigratorTrait;
    let all = migration::Migrator::migrations();
    let at = all
        .iter()
        .position(|m| m.name() == name)
        .unwrap_or_else(|| panic!("no migration {name}"));
    migration::Migrator::down(db, Some((all.len() - at) as u32))
        .await
        .unwrap();
}

impl TestEnv {
    /// Ids of the statuses `viewer` finds searching for `q` (full text).
    pub async fn found_by_search(&self, viewer: &accounts::Model, q: &str) -> Vec<i64> {
        kith::service::search::search(
            &self.state,
            Some(viewer),
            q,
            &[kith::service::search::Kind::Statuses],
            false,
            40,
            0,
        )
        .await
        .unwrap()
        .statuses
        .iter()
        .map(|s| s.id)
        .collect()
    }
}
