//! Kith: a self-hosted, federated social network server.
//!
//! [`run`] is the seam: `kith serve` calls it with the configured listener, and
//! tests call it with a listener on `127.0.0.1:0` to start the real server.
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )
)]

pub mod apub;
pub mod config;
pub mod db;
pub mod error;
pub mod events;
pub mod http;
pub mod ids;
pub mod media;
pub mod net;
pub mod service;
pub mod state;
pub mod testing;
pub mod web;

use std::future::Future;

pub use config::Config;
pub use error::{AppError, AppResult};
pub use state::AppState;

/// Errors that stop start-up or a CLI command: one clear line each.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Config(#[from] config::ConfigError),
    #[error("{0}")]
    Database(String),
    #[error("{0}")]
    Io(String),
    #[error("{0}")]
    App(#[from] AppError),
}

/// Starts Kith on `listener` and serves until `shutdown` resolves, then stops
/// accepting connections, lets in-flight requests finish and closes the database.
pub async fn run(
    config: Config,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), Error> {
    let state = AppState::new(config).await?;
    serve(state, listener, shutdown).await
}

/// Serves an already-built state (tests that also call services directly use this).
pub async fn serve(
    state: AppState,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), Error> {
    let addr = listener
        .local_addr()
        .map_err(|e| Error::Io(e.to_string()))?;
    tracing::info!(%addr, domain = %state.config.domain, "Kith is serving");
    // Apps ask for `/api/v1/instance/` as readily as `/api/v1/instance`: trim the
    // slash before routing.
    let app = tower::Layer::layer(
        &tower_http::normalize_path::NormalizePathLayer::trim_trailing_slash(),
        http::router(state.clone()),
    );
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let worker = tokio::spawn(apub::delivery::run(state.clone(), stop_rx.clone()));
    let expiry = tokio::spawn(service::media::run_expiry(state.clone(), stop_rx.clone()));
    let scheduler = tokio::spawn(service::scheduled::run(state.clone(), stop_rx));
    let app = axum::ServiceExt::<axum::extract::Request>::into_make_service_with_connect_info::<
        std::net::SocketAddr,
    >(app);
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(|e| Error::Io(format!("server error: {e}")));
    // Let deliveries in flight finish (each is bounded by the client's timeout).
    let _ = stop_tx.send(true);
    if tokio::time::timeout(std::time::Duration::from_secs(40), worker)
        .await
        .is_err()
    {
        tracing::warn!("the delivery worker did not stop in time");
    }
    let _ = expiry.await;
    let _ = scheduler.await;
    served?;
    state.db.close().await;
    tracing::info!("Kith stopped");
    Ok(())
}

/// The outgoing HTTP client (see [`net::http_client`]).
pub fn http_client(config: &Config) -> Result<reqwest::Client, Error> {
    net::http_client(config)
}
