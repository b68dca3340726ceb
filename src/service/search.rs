//! Search: accounts, statuses and hashtags this server knows, and (with
//! `resolve`) remote accounts by handle or URL and remote posts by URL.
use entity::{accounts, statuses};

use crate::db;
use crate::error::AppResult;
use crate::state::AppState;

#[derive(Default)]
pub struct Results {
    pub accounts: Vec<accounts::Model>,
    pub statuses: Vec<statuses::Model>,
    pub hashtags: Vec<super::discovery::TagView>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Accounts,
    Statuses,
    Hashtags,
}

/// `resolve` reaches out to other servers; only logged-in people may ask for it.
pub async fn search(
    state: &AppState,
    viewer: Option<&accounts::Model>,
    q: &str,
    kinds: &[Kind],
    resolve: bool,
    limit: u64,
    offset: u64,
) -> AppResult<Results> {
    let q = q.trim();
    let mut out = Results::default();
    if q.is_empty() {
        return Ok(out);
    }
    let resolve = resolve && viewer.is_some();
    let is_url = q.starts_with("https://") || q.starts_with("http://");
    if kinds.contains(&Kind::Accounts) {
        let handle = q.trim_start_matches('@');
        if let Some((user, host)) = handle
            .split_once('@')
            .filter(|(u, h)| !u.is_empty() && !h.is_empty() && !h.contains('/'))
        {
            let found = if resolve {
                crate::apub::actors::resolve_acct(state, user, host)
                    .await
                    .ok()
            } else {
                let domain = (host != state.config.domain).then(|| host.to_lowercase());
                db::accounts::find_by_username(&state.db.read, user, domain.as_deref()).await?
            };
            out.accounts
                .extend(found.filter(|a| a.suspended_at.is_none()));
        } else if is_url {
            let found = match db::accounts::find_by_uri(&state.db.read, q).await? {
                Some(a) => Some(a),
                None if resolve => crate::apub::actors::resolve_actor(state, q).await.ok(),
                None => None,
            };
            out.accounts
                .extend(found.filter(|a| a.suspended_at.is_none()));
        } else {
            out.accounts = db::accounts::search(&state.db.read, handle, limit).await?;
        }
        out.accounts
            .retain(|a| a.username != super::accounts::INSTANCE_ACTOR || !a.is_local());
    }
    if kinds.contains(&Kind::Statuses) {
        if is_url {
            let found = match db::statuses::find_by_uri(&state.db.read, q).await? {
                Some(s) => Some(s),
                None if resolve => crate::apub::inbox::fetch_status(state, q).await.ok(),
                None => None,
            };
            if let Some(s) = found
                && super::visibility::can_view(&state.db.read, &s, viewer).await?
            {
                out.statuses.push(s);
            }
        } else if let Some(v) = viewer {
            // Full text, over what the viewer may see (db::search says how).
            let ids = db::search::statuses(&state.db.read, v.id, q, limit, offset).await?;
            let mut found = db::statuses::find_many(&state.db.read, &ids).await?;
            found.sort_by_key(|s| std::cmp::Reverse(s.id));
            out.statuses = found;
        }
    }
    if kinds.contains(&Kind::Hashtags) && !is_url {
        let found = db::tags::search(&state.db.read, q.trim_start_matches('#'), limit).await?;
        out.hashtags = super::discovery::views(state, viewer, found).await?;
    }
    Ok(out)
}
