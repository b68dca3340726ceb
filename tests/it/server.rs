//! The real server on 127.0.0.1:0, started through `kith::run`.
use std::time::{Duration, Instant};

use crate::common::{TestDatabase, test_config};

#[tokio::test]
async fn run_serves_health_and_json_errors_then_shuts_down_gracefully() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDatabase::new(dir.path()).await;
    let config = test_config(dir.path(), &db.url, &[]);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(kith::run(config, listener, async {
        let _ = rx.await;
    }));

    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    let health = loop {
        match client.get(format!("http://{addr}/health")).send().await {
            Ok(r) => break r,
            Err(e) if Instant::now() < deadline => {
                let _ = e;
                tokio::task::yield_now().await;
            }
            Err(e) => panic!("server never answered: {e}"),
        }
    };
    assert_eq!(health.status(), 200);
    assert_eq!(health.text().await.unwrap(), "OK");

    let missing = client
        .get(format!("http://{addr}/no/such/page"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    let body: serde_json::Value = missing.json().await.unwrap();
    assert_eq!(body, serde_json::json!({"error": "Record not found"}));

    if !db.url.starts_with("postgres") {
        assert!(
            dir.path().join("kith.db").exists(),
            "the SQLite database was created"
        );
    }

    tx.send(()).unwrap();
    let result = tokio::time::timeout(Duration::from_secs(30), server)
        .await
        .expect("shut down in time");
    result.unwrap().unwrap();
    assert!(
        client
            .get(format!("http://{addr}/health"))
            .send()
            .await
            .is_err(),
        "no longer listening"
    );
}
