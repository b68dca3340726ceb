//! Timelines: the home feed, an account's statuses and the public timelines,
//! each one page at a time, hydrated with authors and reblogged statuses in a
//! fixed number of queries (no query per status).
use std::collections::HashMap;

use entity::{accounts, statuses};

use crate::db::{self, Page, statuses::AccountTimelineFilter, statuses::AuthorScope};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// A status with what it takes to show it.
#[derive(Clone, Debug)]
pub struct StatusView {
    pub status: statuses::Model,
    pub account: accounts::Model,
    /// For a reblog: the reblogged status and its author.
    pub reblog: Option<Box<StatusView>>,
}

impl StatusView {
    /// The status whose content is shown (the original, for a reblog).
    pub fn shown(&self) -> &statuses::Model {
        self.reblog
            .as_ref()
            .map(|r| &r.status)
            .unwrap_or(&self.status)
    }
}

/// Loads authors and reblogged statuses for `rows`, keeping their order. Rows
/// whose author or reblogged status is gone are dropped.
pub async fn hydrate(state: &AppState, rows: Vec<statuses::Model>) -> AppResult<Vec<StatusView>> {
    let originals = reblogged(state, rows.iter()).await?;
    // The authors of the rows and of the reblogged statuses, in one query.
    let account_ids = rows.iter().map(|s| s.account_id);
    let accounts = authors(
        state,
        account_ids.chain(originals.values().map(|s| s.account_id)),
    )
    .await?;
    let rows = rows
        .into_iter()
        .filter_map(|s| {
            let author = accounts.get(&s.account_id)?.clone();
            Some((s, author))
        })
        .collect();
    Ok(assemble(rows, &originals, &accounts))
}

/// [`hydrate`] for rows that come with their authors (read in the same query).
async fn hydrate_with_authors(
    state: &AppState,
    rows: Vec<(statuses::Model, accounts::Model)>,
) -> AppResult<Vec<StatusView>> {
    let originals = reblogged(state, rows.iter().map(|(s, _)| s)).await?;
    let accounts = authors(state, originals.values().map(|s| s.account_id)).await?;
    Ok(assemble(rows, &originals, &accounts))
}

/// The statuses reblogged by `rows`, by id.
async fn reblogged<'a>(
    state: &AppState,
    rows: impl Iterator<Item = &'a statuses::Model>,
) -> AppResult<HashMap<i64, statuses::Model>> {
    let ids: Vec<i64> = rows.filter_map(|s| s.reblog_of_id).collect();
    Ok(db::statuses::find_many(&state.db.read, &ids)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect())
}

/// The accounts `ids` (with repeats), by id.
async fn authors(
    state: &AppState,
    ids: impl Iterator<Item = i64>,
) -> AppResult<HashMap<i64, accounts::Model>> {
    let mut ids: Vec<i64> = ids.collect();
    ids.sort_unstable();
    ids.dedup();
    Ok(db::accounts::find_many(&state.db.read, &ids)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect())
}

/// Views of `rows` in order, each reblog with its original; a reblog whose
/// original or its author is missing is dropped.
fn assemble(
    rows: Vec<(statuses::Model, accounts::Model)>,
    originals: &HashMap<i64, statuses::Model>,
    accounts: &HashMap<i64, accounts::Model>,
) -> Vec<StatusView> {
    let mut out = Vec::with_capacity(rows.len());
    for (s, account) in rows {
        let reblog = match s.reblog_of_id {
            None => None,
            Some(oid) => {
                let Some(orig) = originals.get(&oid).cloned() else {
                    continue;
                };
                let Some(orig_author) = accounts.get(&orig.account_id).cloned() else {
                    continue;
                };
                Some(Box::new(StatusView {
                    status: orig,
                    account: orig_author,
                    reblog: None,
                }))
            }
        };
        out.push(StatusView {
            status: s,
            account,
            reblog,
        });
    }
    out
}

/// The viewer's home feed: what they posted and what the people they follow
/// posted or boosted, newest first.
pub async fn home(
    state: &AppState,
    account: &accounts::Model,
    page: &Page,
) -> AppResult<Vec<StatusView>> {
    let rows = db::feeds::page(&state.db.read, account.id, page).await?;
    hydrate_with_authors(state, rows).await
}

/// An account's statuses as the viewer may see them.
pub async fn account(
    state: &AppState,
    viewer: Option<&accounts::Model>,
    author_id: i64,
    filter: AccountTimelineFilter,
    page: &Page,
) -> AppResult<Vec<StatusView>> {
    let conn = &state.db.read;
    let author = db::accounts::find(conn, author_id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let scope = match viewer {
        Some(v) if v.id == author.id => AuthorScope::Author,
        _ if author.suspended_at.is_some() => return Ok(Vec::new()),
        Some(v) => {
            if db::relationships::blocked_either_way(conn, v.id, author.id).await? {
                return Ok(Vec::new());
            }
            if db::relationships::find_follow(conn, v.id, author.id)
                .await?
                .is_some()
            {
                AuthorScope::Follower
            } else {
                AuthorScope::Public
            }
        }
        None => AuthorScope::Public,
    };
    let rows =
        db::statuses::account_timeline(conn, author.id, viewer.map(|v| v.id), scope, filter, page)
            .await?;
    let mut views = hydrate(state, rows).await?;
    // A reblog is shown only if its original is visible to the viewer too.
    let mut kept = Vec::with_capacity(views.len());
    for v in views.drain(..) {
        if let Some(orig) = &v.reblog
            && !super::visibility::can_view(conn, &orig.status, viewer).await?
        {
            continue;
        }
        kept.push(v);
    }
    Ok(kept)
}

/// Which public timeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PublicScope {
    All,
    Local,
    Remote,
}

/// Public statuses of this server (local) or of everyone it knows (all).
pub async fn public(
    state: &AppState,
    viewer: Option<&accounts::Model>,
    scope: PublicScope,
    only_media: bool,
    page: &Page,
) -> AppResult<Vec<StatusView>> {
    let local = match scope {
        PublicScope::All => None,
        PublicScope::Local => Some(true),
        PublicScope::Remote => Some(false),
    };
    let rows = db::statuses::public_timeline(
        &state.db.read,
        viewer.map(|v| v.id),
        local,
        only_media,
        page,
    )
    .await?;
    hydrate(state, rows).await
}
