//! Support for tests (this crate's and federation-tests'): a fresh database per
//! test. Not used by the server itself.
#![allow(clippy::expect_used)] // test set-up: a failure here should stop the test loudly

/// A database for one test; a PostgreSQL one is dropped when the test ends.
pub struct TestDatabase {
    pub url: String,
    pg: Option<(String, String)>,
}

impl TestDatabase {
    pub async fn new(dir: &std::path::Path) -> TestDatabase {
        match std::env::var("KITH_TEST_DATABASE_URL") {
            Ok(base) if !base.trim().is_empty() => {
                let name = format!("kith_test_{}_{}", std::process::id(), rand_suffix());
                let admin = sqlx::PgPool::connect(&base)
                    .await
                    .expect("connect to KITH_TEST_DATABASE_URL");
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(&admin)
                    .await
                    .expect("create test database");
                admin.close().await;
                let mut url = url::Url::parse(&base).expect("KITH_TEST_DATABASE_URL is a URL");
                url.set_path(&format!("/{name}"));
                TestDatabase {
                    url: url.to_string(),
                    pg: Some((base, name)),
                }
            }
            _ => TestDatabase {
                url: format!("sqlite://{}/kith.db", dir.display()),
                pg: None,
            },
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some((base, name)) = self.pg.take() {
            // Drop needs async work; do it on a thread with its own runtime.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("runtime");
                rt.block_on(async {
                    if let Ok(admin) = sqlx::PgPool::connect(&base).await {
                        let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                        )))
                        .execute(&admin)
                        .await;
                        admin.close().await;
                    }
                });
            })
            .join();
        }
    }
}

fn rand_suffix() -> String {
    use rand::Rng;
    let n: u64 = rand::thread_rng().r#gen();
    format!("{n:x}")
}
