//! Hashtags (following them, their use over the last week), trends, follow
//! suggestions (friends of friends) and familiar followers.
use std::collections::HashMap;

use entity::{accounts, statuses, tags};

use crate::db::{self, Page, discovery::first_id_at};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// Days of history shown for a tag, as on Mastodon.
pub const HISTORY_DAYS: i64 = 7;
/// Statuses looked at for one tag's history (a cap, not a sample size).
const HISTORY_CAP: u64 = 10_000;

/// A hashtag with its daily uses and whether the viewer follows it.
#[derive(Clone, Debug)]
pub struct TagView {
    pub tag: tags::Model,
    /// `(day at midnight UTC, uses, accounts)`, newest day first.
    pub history: Vec<(chrono::DateTime<chrono::Utc>, i64, i64)>,
    pub following: Option<bool>,
}

fn valid_name(name: &str) -> AppResult<String> {
    let n = name.trim().trim_start_matches('#').to_lowercase();
    if n.is_empty()
        || n.chars().count() > 256
        || !n.chars().all(|c| c.is_alphanumeric() || c == '_')
    {
        return Err(AppError::not_found());
    }
    Ok(n)
}

/// Daily uses of a tag over the last week.
async fn history(
    state: &AppState,
    tag_id: i64,
) -> AppResult<Vec<(chrono::DateTime<chrono::Utc>, i64, i64)>> {
    let today = db::now()
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .map(|d| d.and_utc())
        .unwrap_or_else(db::now);
    let start = today - chrono::TimeDelta::days(HISTORY_DAYS - 1);
    let uses =
        db::discovery::tag_uses(&state.db.read, tag_id, first_id_at(start), HISTORY_CAP).await?;
    let mut days = Vec::new();
    for i in 0..HISTORY_DAYS {
        let day = today - chrono::TimeDelta::days(i);
        let next = day + chrono::TimeDelta::days(1);
        let in_day: Vec<&(chrono::DateTime<chrono::Utc>, i64)> = uses
            .iter()
            .filter(|(t, _)| *t >= day && *t < next)
            .collect();
        let mut authors: Vec<i64> = in_day.iter().map(|(_, a)| *a).collect();
        authors.sort_unstable();
        authors.dedup();
        days.push((day, in_day.len() as i64, authors.len() as i64));
    }
    Ok(days)
}

async fn views(
    state: &AppState,
    viewer: Option<&accounts::Model>,
    found: Vec<tags::Model>,
) -> AppResult<Vec<TagView>> {
    let ids: Vec<i64> = found.iter().map(|t| t.id).collect();
    let followed: Vec<i64> = match viewer {
        Some(v) => db::tags::followed_among(&state.db.read, v.id, &ids).await?,
        None => Vec::new(),
    };
    let mut out = Vec::with_capacity(found.len());
    for t in found {
        // One bounded query per tag; tag lists are short (at most a page).
        let history = history(state, t.id).await?;
        out.push(TagView {
            following: viewer.map(|_| followed.contains(&t.id)),
            history,
            tag: t,
        });
    }
    Ok(out)
}

/// A tag by name; a tag nobody used yet is created (so it can be followed).
pub async fn tag(
    state: &AppState,
    viewer: Option<&accounts::Model>,
    name: &str,
) -> AppResult<TagView> {
    let name = valid_name(name)?;
    let t = match db::tags::find_by_name(&state.db.read, &name).await? {
        Some(t) => t,
        None => {
            db::tags::find_or_create(&state.db.write, std::slice::from_ref(&name), || {
                state.ids.next()
            })
            .await?;
            db::tags::find_by_name(&state.db.write, &name)
                .await?
                .ok_or_else(AppError::not_found)?
        }
    };
    views(state, viewer, vec![t])
        .await?
        .pop()
        .ok_or_else(AppError::not_found)
}

pub async fn follow_tag(
    state: &AppState,
    account: &accounts::Model,
    name: &str,
) -> AppResult<TagView> {
    let t = tag(state, Some(account), name).await?;
    db::tags::follow(&state.db.write, state.ids.next(), account.id, t.tag.id).await?;
    Ok(TagView {
        following: Some(true),
        ..t
    })
}

pub async fn unfollow_tag(
    state: &AppState,
    account: &accounts::Model,
    name: &str,
) -> AppResult<TagView> {
    let t = tag(state, Some(account), name).await?;
    db::tags::unfollow(&state.db.write, account.id, t.tag.id).await?;
    Ok(TagView {
        following: Some(false),
        ..t
    })
}

/// A page of the tags an account follows: `(follow id, tag)`.
pub async fn followed_tags(
    state: &AppState,
    account: &accounts::Model,
    page: &Page,
) -> AppResult<Vec<(i64, TagView)>> {
    let rows = db::tags::followed_page(&state.db.read, account.id, page).await?;
    let ids: Vec<i64> = rows.iter().map(|(i, _)| *i).collect();
    let tags = views(
        state,
        Some(account),
        rows.into_iter().map(|(_, t)| t).collect(),
    )
    .await?;
    Ok(ids.into_iter().zip(tags).collect())
}

/// Tags used by the most accounts in public posts over the last week.
pub async fn trending_tags(
    state: &AppState,
    viewer: Option<&accounts::Model>,
    limit: u64,
    offset: u64,
) -> AppResult<Vec<TagView>> {
    let since = first_id_at(db::now() - chrono::TimeDelta::days(HISTORY_DAYS));
    let rows = db::discovery::trending_tags(&state.db.read, since, limit, offset).await?;
    let ids: Vec<i64> = rows.iter().map(|(t, _, _)| *t).collect();
    let mut found = db::tags::find_many(&state.db.read, &ids).await?;
    found.sort_by_key(|t| ids.iter().position(|i| *i == t.id));
    views(state, viewer, found).await
}

/// Public posts of the last two days with the most boosts and favourites.
pub async fn trending_statuses(
    state: &AppState,
    limit: u64,
    offset: u64,
) -> AppResult<Vec<statuses::Model>> {
    let since = first_id_at(db::now() - chrono::TimeDelta::days(2));
    let ids = db::discovery::trending_statuses(&state.db.read, since, limit, offset).await?;
    let mut found = db::statuses::find_many(&state.db.read, &ids).await?;
    found.sort_by_key(|s| ids.iter().position(|i| *i == s.id));
    Ok(found)
}

/// Accounts followed by the people `account` follows (friends of friends).
pub async fn suggestions(
    state: &AppState,
    account: &accounts::Model,
    limit: u64,
) -> AppResult<Vec<accounts::Model>> {
    let rows = db::discovery::friends_of_friends(&state.db.read, account.id, limit).await?;
    let ids: Vec<i64> = rows.iter().map(|(a, _)| *a).collect();
    let mut found = db::accounts::find_many(&state.db.read, &ids).await?;
    found.sort_by_key(|a| ids.iter().position(|i| *i == a.id));
    Ok(found)
}

pub async fn dismiss_suggestion(
    state: &AppState,
    account: &accounts::Model,
    target_id: i64,
) -> AppResult<()> {
    super::account_by_id(state, target_id).await?;
    db::discovery::dismiss_suggestion(&state.db.write, account.id, target_id).await?;
    Ok(())
}

/// For each of `targets`: the accounts `account` follows that follow it.
pub async fn familiar_followers(
    state: &AppState,
    account: &accounts::Model,
    targets: &[i64],
) -> AppResult<Vec<(i64, Vec<accounts::Model>)>> {
    let pairs = db::discovery::familiar_followers(&state.db.read, account.id, targets).await?;
    let mut ids: Vec<i64> = pairs.iter().map(|(_, f)| *f).collect();
    ids.sort_unstable();
    ids.dedup();
    let found: HashMap<i64, accounts::Model> = db::accounts::find_many(&state.db.read, &ids)
        .await?
        .into_iter()
        .filter(|a| a.suspended_at.is_none())
        .map(|a| (a.id, a))
        .collect();
    Ok(targets
        .iter()
        .map(|t| {
            let accounts = pairs
                .iter()
                .filter(|(target, _)| target == t)
                .filter_map(|(_, f)| found.get(f).cloned())
                .collect();
            (*t, accounts)
        })
        .collect())
}
