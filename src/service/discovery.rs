//! Hashtags (following them, their use over the last week), trends, follow
//! suggestions (friends of friends) and familiar followers.
use std::collections::HashMap;

use entity::{accounts, statuses, tags};

use sea_orm::TransactionTrait;

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
    /// Whether the viewer features it on their profile.
    pub featuring: Option<bool>,
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

/// Tags with their history (and, for a viewer, whether they follow them).
pub async fn views(
    state: &AppState,
    viewer: Option<&accounts::Model>,
    found: Vec<tags::Model>,
) -> AppResult<Vec<TagView>> {
    let ids: Vec<i64> = found.iter().map(|t| t.id).collect();
    let followed: Vec<i64> = match viewer {
        Some(v) => db::tags::followed_among(&state.db.read, v.id, &ids).await?,
        None => Vec::new(),
    };
    let featured: Vec<i64> = match viewer {
        Some(v) => db::featured::featured_among(&state.db.read, v.id, &ids).await?,
        None => Vec::new(),
    };
    let mut out = Vec::with_capacity(found.len());
    for t in found {
        // One bounded query per tag; tag lists are short (at most a page).
        let history = history(state, t.id).await?;
        out.push(TagView {
            following: viewer.map(|_| followed.contains(&t.id)),
            featuring: viewer.map(|_| featured.contains(&t.id)),
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

/// The most tags one profile features, as `configuration.accounts.max_featured_tags` says.
pub const MAX_FEATURED_TAGS: u64 = 10;

/// A featured tag with how the account used it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeaturedTag {
    pub id: i64,
    pub name: String,
    /// The account's public and unlisted statuses with the tag.
    pub statuses_count: i64,
    pub last_status_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// The tags an account features on its profile (anyone may see them).
pub async fn featured_tags(state: &AppState, account_id: i64) -> AppResult<Vec<FeaturedTag>> {
    let c = &state.db.read;
    let rows = db::featured::featured_of(c, account_id).await?;
    let mut out = Vec::with_capacity(rows.len());
    for (f, t) in rows {
        // At most MAX_FEATURED_TAGS rows, one indexed aggregate each.
        let (statuses_count, last_status_at) =
            db::featured::tag_use_by(c, account_id, t.id).await?;
        out.push(FeaturedTag {
            id: f.id,
            name: t.name,
            statuses_count,
            last_status_at,
        });
    }
    Ok(out)
}

/// Features a hashtag on the account's profile (featuring it twice is one feature).
pub async fn feature_tag(
    state: &AppState,
    account: &accounts::Model,
    name: &str,
) -> AppResult<FeaturedTag> {
    let name = valid_name(name).map_err(|_| {
        AppError::validation(format!(
            "Validation failed: Tag {name} is not a valid hashtag"
        ))
    })?;
    let t = tag(state, Some(account), &name).await?;
    let txn = state.db.write.begin().await?;
    if t.featuring != Some(true)
        && db::featured::count_featured(&txn, account.id).await? >= MAX_FEATURED_TAGS
    {
        return Err(AppError::validation(format!(
            "Validation failed: You can only feature up to {MAX_FEATURED_TAGS} hashtags"
        )));
    }
    let row = db::featured::feature(&txn, state.ids.next(), account.id, t.tag.id)
        .await?
        .ok_or_else(AppError::not_found)?;
    txn.commit().await?;
    let (statuses_count, last_status_at) =
        db::featured::tag_use_by(&state.db.read, account.id, t.tag.id).await?;
    Ok(FeaturedTag {
        id: row.id,
        name: t.tag.name,
        statuses_count,
        last_status_at,
    })
}

/// Stops featuring a tag, by the featured tag's id.
pub async fn unfeature(state: &AppState, account: &accounts::Model, id: i64) -> AppResult<()> {
    if db::featured::unfeature_by_id(&state.db.write, account.id, id).await? == 0 {
        return Err(AppError::not_found());
    }
    Ok(())
}

/// `POST /api/v1/tags/:name/feature` and `unfeature`: the tag as the viewer now sees it.
pub async fn set_tag_featured(
    state: &AppState,
    account: &accounts::Model,
    name: &str,
    featured: bool,
) -> AppResult<TagView> {
    if featured {
        feature_tag(state, account, name).await?;
    } else {
        let t = tag(state, Some(account), name).await?;
        db::featured::unfeature_tag(&state.db.write, account.id, t.tag.id).await?;
    }
    tag(state, Some(account), name).await
}

/// Tags the account used most and does not feature yet.
pub async fn featured_tag_suggestions(
    state: &AppState,
    account: &accounts::Model,
) -> AppResult<Vec<TagView>> {
    let c = &state.db.read;
    let used = db::featured::most_used_tags(c, account.id, MAX_FEATURED_TAGS * 2).await?;
    let featured = db::featured::featured_among(c, account.id, &used).await?;
    let wanted: Vec<i64> = used
        .into_iter()
        .filter(|id| !featured.contains(id))
        .take(MAX_FEATURED_TAGS as usize)
        .collect();
    let mut found = db::tags::find_many(c, &wanted).await?;
    found.sort_by_key(|t| wanted.iter().position(|w| *w == t.id));
    views(state, Some(account), found).await
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
