//! Everything a request or a background task needs, passed explicitly (no globals).
use std::sync::Arc;

use entity::accounts;
use tokio::sync::{Notify, OnceCell};

use crate::apub::signatures::KeyCache;
use crate::config::Config;
use crate::db::Db;
use crate::error::AppResult;
use crate::ids::IdGenerator;

/// `(account id, key)` -> `(status id, when)`.
pub type IdempotencyCache =
    std::sync::Mutex<std::collections::HashMap<(i64, String), (i64, std::time::Instant)>>;

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub db: Db,
    pub ids: Arc<IdGenerator>,
    pub http: reqwest::Client,
    /// Parsed signing and verifying keys.
    pub keys: Arc<KeyCache>,
    /// `(account, Idempotency-Key)` -> the status that request made, for an hour.
    pub idempotency: Arc<IdempotencyCache>,
    /// Request counts for rate limiting.
    pub rate_limiter: Arc<crate::http::ratelimit::RateLimiter>,
    /// Live events for the streaming API.
    pub events: Arc<dyn crate::events::EventBus>,
    /// Woken when deliveries are queued, so they go out at once.
    pub deliveries_queued: Arc<Notify>,
    /// Remote statuses waiting to be written, several per transaction.
    pub remote_writer: Arc<crate::service::remote_writer::RemoteStatusWriter>,
    /// Where picture files are kept.
    pub media: Arc<crate::media::Storage>,
    /// The VAPID public key, once read (see `service::push::server_key`).
    pub vapid_public_key: Arc<std::sync::OnceLock<String>>,
    /// This process's copy of the admin-set instance settings.
    pub instance_settings: Arc<crate::service::instance::SettingsCache>,
    instance_actor: Arc<OnceCell<accounts::Model>>,
}

impl AppState {
    /// Connects to the database and runs migrations.
    pub async fn new(config: Config) -> Result<AppState, crate::Error> {
        let db = Db::connect(&config).await?;
        db.migrate().await?;
        let http = crate::net::http_client(&config)?;
        let media = crate::media::Storage::from_config(&config)?;
        Ok(AppState {
            media: Arc::new(media),
            remote_writer: Arc::default(),
            config: Arc::new(config),
            db,
            ids: Arc::new(IdGenerator::new()),
            http,
            keys: Arc::new(KeyCache::default()),
            deliveries_queued: Arc::new(Notify::new()),
            events: Arc::new(crate::events::LocalBus::default()),
            rate_limiter: Arc::new(crate::http::ratelimit::RateLimiter::default()),
            idempotency: Arc::default(),
            instance_settings: Arc::default(),
            vapid_public_key: Arc::default(),
            instance_actor: Arc::new(OnceCell::new()),
        })
    }

    pub fn base_url(&self) -> String {
        self.config.base_url()
    }

    /// The instance's own actor, which signs fetches; made on first use.
    pub async fn instance_actor(&self) -> AppResult<accounts::Model> {
        self.instance_actor
            .get_or_try_init(|| crate::service::accounts::ensure_instance_actor(self))
            .await
            .cloned()
    }
}
