//! Facts about this instance: what NodeInfo and the instance API report.
use crate::db;
use crate::error::AppResult;
use crate::state::AppState;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Usage {
    pub users: u64,
    /// Local accounts that posted in the last 30 days.
    pub active_month: u64,
    /// ... in the last 180 days.
    pub active_halfyear: u64,
    pub local_posts: u64,
}

pub async fn usage(state: &AppState) -> AppResult<Usage> {
    let c = &state.db.read;
    let now = db::now();
    Ok(Usage {
        users: db::accounts::count_local(c).await?,
        active_month: db::accounts::count_local_active_since(c, now - chrono::Duration::days(30))
            .await?,
        active_halfyear: db::accounts::count_local_active_since(
            c,
            now - chrono::Duration::days(180),
        )
        .await?,
        local_posts: db::statuses::count_local(c).await?,
    })
}
