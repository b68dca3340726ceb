//! Queuing outbound activities inside the transaction of the change that causes
//! them: nothing is sent unless the change commits, and nothing committed is
//! left unsent (the delivery worker picks the rows up).
use entity::{Visibility, accounts, statuses};
use sea_orm::ConnectionTrait;
use serde_json::Value;

use crate::apub::context::with_context;
use crate::db;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// The inbox a remote account receives at (its shared inbox when it has one).
pub fn inbox_of(a: &accounts::Model) -> Option<String> {
    if a.is_local() {
        return None;
    }
    Some(
        a.shared_inbox_url
            .clone()
            .unwrap_or_else(|| a.inbox_url.clone()),
    )
}

/// Queues `activity`, signed by `signer`, for every inbox in `inboxes`.
pub(crate) async fn emit(
    conn: &impl ConnectionTrait,
    state: &AppState,
    signer: &accounts::Model,
    activity: Value,
    mut inboxes: Vec<String>,
) -> AppResult<()> {
    if !signer.is_local() {
        return Ok(());
    }
    inboxes.sort();
    inboxes.dedup();
    if inboxes.is_empty() {
        return Ok(());
    }
    let id = activity
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let body = serde_json::to_string(&with_context(&activity)).map_err(AppError::internal)?;
    db::deliveries::enqueue(conn, || state.ids.next(), &id, &body, signer.id, &inboxes).await?;
    Ok(())
}

/// Queues `activity` to one remote account.
pub(crate) async fn emit_to(
    conn: &impl ConnectionTrait,
    state: &AppState,
    signer: &accounts::Model,
    activity: Value,
    recipient: &accounts::Model,
) -> AppResult<()> {
    match inbox_of(recipient) {
        Some(inbox) => emit(conn, state, signer, activity, vec![inbox]).await,
        None => Ok(()),
    }
}

/// Where a status goes: remote followers (unless direct) and remote mentioned accounts.
pub(crate) async fn status_inboxes(
    conn: &impl ConnectionTrait,
    status: &statuses::Model,
    mentioned: &[accounts::Model],
) -> AppResult<Vec<String>> {
    let mut inboxes = Vec::new();
    if status.visibility != Visibility::Direct {
        inboxes.extend(db::deliveries::remote_follower_inboxes(conn, status.account_id).await?);
    }
    inboxes.extend(mentioned.iter().filter_map(inbox_of));
    Ok(inboxes)
}

/// Wakes the delivery worker; call after the transaction commits.
pub(crate) fn kick(state: &AppState) {
    state.deliveries_queued.notify_one();
}
