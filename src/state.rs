//! Everything a request or a background task needs, passed explicitly (no globals).
use std::sync::Arc;

use crate::config::Config;
use crate::db::Db;
use crate::ids::IdGenerator;

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub db: Db,
    pub ids: Arc<IdGenerator>,
    pub http: reqwest::Client,
}

impl AppState {
    /// Connects to the database and runs migrations.
    pub async fn new(config: Config) -> Result<AppState, crate::Error> {
        let db = Db::connect(&config).await?;
        db.migrate().await?;
        let http = crate::http_client(&config)?;
        Ok(AppState { config: Arc::new(config), db, ids: Arc::new(IdGenerator::new()), http })
    }

    pub fn base_url(&self) -> String {
        self.config.base_url()
    }
}
