//! Business rules. The only caller of `db/`; shared by the client API, the web
//! site and the inbox, so a rule holds however an action arrives. No HTTP here.
//! Each operation that writes is one transaction on the writer.
pub mod accounts;
pub mod conversations;
pub mod discovery;
pub mod filters;
pub mod instance;
pub mod interactions;
pub mod lists;
pub mod markers;
pub mod media;
pub mod notifications;
pub mod oauth;
pub mod outbox;
pub mod push;
pub mod relationships;
pub mod remote_writer;
pub mod reports;
pub mod scheduled;
pub mod search;
pub mod statuses;
pub mod text;
pub mod timelines;
pub mod visibility;
pub mod web;

use entity::accounts as account;

use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// Runs CPU-heavy work (password hashing, key generation) off the async workers.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> AppResult<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(AppError::internal)
}

/// A live account by id, or 404.
pub async fn account_by_id(state: &AppState, id: i64) -> AppResult<account::Model> {
    crate::db::accounts::find(&state.db.read, id)
        .await?
        .ok_or_else(AppError::not_found)
}
