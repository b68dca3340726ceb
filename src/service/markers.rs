//! Reading positions shared between a person's apps.
use entity::{accounts, markers};

use crate::db;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

pub const TIMELINES: &[&str] = &["home", "notifications"];

pub async fn get(state: &AppState, account: &accounts::Model) -> AppResult<Vec<markers::Model>> {
    Ok(db::markers::for_account(&state.db.read, account.id).await?)
}

pub async fn set(
    state: &AppState,
    account: &accounts::Model,
    timeline: &str,
    last_read_id: i64,
) -> AppResult<()> {
    if !TIMELINES.contains(&timeline) {
        return Err(AppError::Validation(format!(
            "{timeline} is not a timeline with a marker"
        )));
    }
    db::markers::set(&state.db.write, account.id, timeline, last_read_id).await?;
    Ok(())
}
