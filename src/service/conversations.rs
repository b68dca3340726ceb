//! Direct-message conversations as each participant sees them.
use entity::{account_conversations, accounts, statuses};

use crate::db::{self, Page};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

pub struct ConversationView {
    pub row: account_conversations::Model,
    pub participants: Vec<accounts::Model>,
    pub last_status: Option<statuses::Model>,
}

async fn view(state: &AppState, row: account_conversations::Model) -> AppResult<ConversationView> {
    let ids: Vec<i64> = row
        .participant_account_ids
        .as_array()
        .map(|a| a.iter().filter_map(serde_json::Value::as_i64).collect())
        .unwrap_or_default();
    let participants = db::accounts::find_many(&state.db.read, &ids).await?;
    let last_status = match row.last_status_id {
        Some(id) => db::statuses::find(&state.db.read, id).await?,
        None => None,
    };
    Ok(ConversationView {
        row,
        participants,
        last_status,
    })
}

pub async fn list(
    state: &AppState,
    account: &accounts::Model,
    page: &Page,
) -> AppResult<Vec<ConversationView>> {
    let rows = db::conversations::page(&state.db.read, account.id, page).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(view(state, r).await?);
    }
    Ok(out)
}

pub async fn mark_read(
    state: &AppState,
    account: &accounts::Model,
    id: i64,
) -> AppResult<ConversationView> {
    if db::conversations::mark_read(&state.db.write, account.id, id).await? == 0 {
        return Err(AppError::not_found());
    }
    let row = db::conversations::find(&state.db.read, account.id, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    view(state, row).await
}

pub async fn remove(state: &AppState, account: &accounts::Model, id: i64) -> AppResult<()> {
    if db::conversations::remove(&state.db.write, account.id, id).await? == 0 {
        return Err(AppError::not_found());
    }
    Ok(())
}
